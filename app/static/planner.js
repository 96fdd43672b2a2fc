// Planner page: forecast with its interval band, required agents, backtest accuracy (Plotly.js).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  // translated texts from the page (planner.html), English if missing
  const T = Object.assign({
    history: "history", band: "prediction interval", forecast: "forecast", calls: "calls", agents: "agents",
    on_phones: "agents on the phones", scheduled: "scheduled (after shrinkage)",
    forecasting: "Forecasting…", staffing: "Staffing…", too_short: "History too short for a backtest.",
    origins: "Origins {origins}; each forecasts the next {days} days.", weeks: "wk",
    actual: "actual", no_published: "No published forecast of this history has days with known calls yet.",
  }, JSON.parse((document.getElementById("planner-text") || {}).textContent || "{}"));
  // dates as numbers (the same in every language): 11-08, with the year and time on hover
  const XAXIS = { tickformat: "%m-%d", hoverformat: "%Y-%m-%d %H:%M" };

  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || res.statusText);
    return data;
  }

  function request() {
    const [kind, value] = $("source").value.split(/:(.*)/s);
    const body = { interval_minutes: Number($("interval_minutes").value), days: Number($("days").value) };
    if (kind === "upload") body.history_id = value; else body.queue = value;
    if ($("start").value) body.start = $("start").value;
    if ($("publish") && $("publish").checked) body.publish = true;
    return body;
  }

  function drawForecast(fc) {
    const hx = fc.history.map((r) => r.start), hy = fc.history.map((r) => r.offered);
    const x = fc.intervals.map((r) => r.start);
    const pct = Math.round(100 * fc.coverage);
    Plotly.newPlot("chart-forecast", [
      { x: hx, y: hy, name: T.history, mode: "lines", line: { color: "#6b7280", width: 1 } },
      { x: x, y: fc.intervals.map((r) => r.offered_high), name: pct + " % upper", mode: "lines",
        line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
      { x: x, y: fc.intervals.map((r) => r.offered_low), name: pct + " % " + T.band, mode: "lines",
        line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(31,95,191,0.2)" },
      { x: x, y: fc.intervals.map((r) => r.offered), name: T.forecast + " (" + fc.method + ")", mode: "lines",
        line: { color: "#1f5fbf", width: 2 } },
    ], { margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: XAXIS, yaxis: { title: T.calls }, legend: { orientation: "h" } },
    { responsive: true, displaylogo: false });
    $("method").textContent = "· " + fc.method;
  }

  function drawAccuracy(bt) {
    const tbody = $("accuracy-table").querySelector("tbody");
    tbody.innerHTML = "";
    if (!bt) { $("accuracy-note").textContent = T.too_short; Plotly.purge("chart-accuracy"); return; }
    const methods = Object.keys(bt.wape);
    Plotly.newPlot("chart-accuracy", [{
      type: "bar", x: methods, y: methods.map((m) => bt.wape[m]),
      marker: { color: methods.map((m) => (m === bt.chosen ? "#1f5fbf" : "#9ca3af")) },
    }], { margin: { t: 10, r: 10, b: 60, l: 50 }, yaxis: { title: "WAPE", tickformat: ".0%" } },
    { responsive: true, displaylogo: false });
    for (const m of methods) {
      const tr = document.createElement("tr");
      const window = m !== "seasonal_naive" && m !== "ha_4w" && bt.windows[m] ? " (" + bt.windows[m] + " " + T.weeks + ")" : "";
      const cells = [m + window + (m === bt.chosen ? " ✓" : ""), fmt(bt.wape[m], 3), fmt(bt.relative_wape[m], 3)];
      cells.forEach((text, i) => { const td = document.createElement("td"); td.textContent = text; if (i) td.className = "num"; tr.appendChild(td); });
      tbody.appendChild(tr);
    }
    $("accuracy-note").textContent = T.origins.replace("{origins}", bt.origins.join(", "))
      .replace("{days}", bt.horizon_days) + Object.values(bt.notes || {}).map((n) => " " + n).join("");
  }

  // published forecasts (snapshots) against the calls that came: one row per day with its
  // WAPE, and the latest snapshot's days interval by interval
  async function drawPublished() {
    const tbody = $("published-table").querySelector("tbody");
    const res = await fetch("/api/wfm/accuracy?limit=5&source=" + encodeURIComponent($("source").value),
      { credentials: "same-origin" });
    const snaps = res.ok ? await res.json() : [];
    tbody.innerHTML = "";
    const withDays = snaps.filter((s) => s.compared.length);
    $("published-note").textContent = withDays.length ? "" : T.no_published;
    if (!withDays.length) { Plotly.purge("chart-published"); return; }
    for (const snap of withDays) {
      for (const d of snap.compared) {
        const tr = document.createElement("tr");
        const cells = [d.day, snap.created_at.slice(0, 16).replace("T", " "), snap.method,
          fmt(d.forecast_calls, 0), fmt(d.actual_calls, 0), d.wape === null ? "–" : (100 * d.wape).toFixed(1) + " %"];
        cells.forEach((text, i) => { const td = document.createElement("td"); td.textContent = text; if (i > 2) td.className = "num"; tr.appendChild(td); });
        tbody.appendChild(tr);
      }
    }
    const rows = withDays[0].compared.flatMap((d) => d.intervals);
    const x = rows.map((r) => r.start);
    Plotly.newPlot("chart-published", [
      { x: x, y: rows.map((r) => r.actual), name: T.actual, type: "bar", marker: { color: "#9ca3af" } },
      { x: x, y: rows.map((r) => r.forecast), name: T.forecast + " (" + withDays[0].method + ")", mode: "lines",
        line: { color: "#1f5fbf", width: 2 } },
    ], { margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: XAXIS, yaxis: { title: T.calls }, legend: { orientation: "h" } },
    { responsive: true, displaylogo: false });
  }

  const fmt = (v, d) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));

  function drawStaffing(st) {
    const x = st.intervals.map((r) => r.start);
    Plotly.newPlot("chart-staffing", [
      { type: "bar", x: x, y: st.intervals.map((r) => r.agents), name: T.on_phones },
      { x: x, y: st.intervals.map((r) => r.scheduled_agents), name: T.scheduled, mode: "lines",
        line: { shape: "hv", color: "#b42318" } },
    ], { margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: XAXIS, yaxis: { title: T.agents }, legend: { orientation: "h" } },
    { responsive: true, displaylogo: false });
  }

  async function run() {
    $("status").textContent = T.forecasting;
    try {
      const fc = await post("/api/wfm/forecast", request());
      drawForecast(fc);
      drawAccuracy(fc.backtest);
      drawPublished().catch(() => {});
      $("status").textContent = T.staffing;
      const staffing = {
        intervals: fc.intervals.map((r) => ({ start: r.start, offered: r.offered, aht_seconds: r.aht_seconds })),
        interval_minutes: fc.interval_minutes,
        service_level_target: Number($("service_level_target").value),
        threshold_seconds: Number($("threshold_seconds").value),
        shrinkage: Number($("shrinkage").value),
        aht_seconds: Number($("aht_seconds").value),
      };
      const patience = $("patience_mean_seconds"); // Erlang A when the page offers it
      if (patience && patience.value) staffing.patience_mean_seconds = Number(patience.value);
      const st = await post("/api/wfm/staffing", staffing);
      drawStaffing(st);
      $("status").textContent = "";
    } catch (err) {
      $("status").textContent = String(err.message || err);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("run-forecast").addEventListener("click", run);
    if ($("source").value) run();
  });
})();
