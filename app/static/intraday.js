// Intraday page: forecast vs actual so far, re-forecast, required vs scheduled agents (Plotly.js).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = JSON.parse(($("intraday-text") || {}).textContent || "{}");
  const XAXIS = { tickformat: "%H:%M", hoverformat: "%Y-%m-%d %H:%M" };
  const fmt = (v, d) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
  const LAYOUT = { margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: XAXIS, legend: { orientation: "h" } };

  function params() {
    const p = new URLSearchParams({
      queue: $("queue").value, interval_minutes: $("interval_minutes").value,
      service_level_target: $("service_level_target").value, threshold_seconds: $("threshold_seconds").value,
      shrinkage: $("shrinkage").value,
    });
    if ($("day").value) p.set("day", $("day").value);
    return p;
  }

  function draw(v) {
    const x = v.rows.map((r) => r.start);
    Plotly.newPlot("chart-calls", [
      { x, y: v.rows.map((r) => r.forecast_high), mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
      { x, y: v.rows.map((r) => r.forecast_low), name: T.band, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(31,95,191,0.15)" },
      { x, y: v.rows.map((r) => r.forecast), name: T.forecast, mode: "lines", line: { color: "#1f5fbf" } },
      { x, y: v.rows.map((r) => r.actual), name: T.actual, type: "bar", marker: { color: "#6b7280" } },
      { x, y: v.rows.map((r) => r.reforecast), name: T.reforecast, mode: "lines", line: { color: "#d97706", dash: "dash" } },
    ], { ...LAYOUT, yaxis: { title: T.calls } }, { responsive: true, displaylogo: false });
    Plotly.newPlot("chart-agents", [
      { x, y: v.rows.map((r) => r.scheduled), name: T.scheduled, mode: "lines", fill: "tozeroy", line: { shape: "hv", color: "#16a34a" } },
      { x, y: v.rows.map((r) => r.required), name: T.required, mode: "lines", line: { shape: "hv", color: "#1f5fbf" } },
      { x, y: v.rows.map((r) => r.short), name: T.short, type: "bar", marker: { color: "#b42318" } },
    ], { ...LAYOUT, yaxis: { title: T.agents } }, { responsive: true, displaylogo: false });
    const tbody = $("intraday-table").querySelector("tbody");
    tbody.replaceChildren(...v.rows.filter((r) => r.forecast > 0 || r.scheduled > 0 || r.actual).map((r) => {
      const tr = document.createElement("tr");
      if (r.short > 0) tr.className = "error";
      [r.start.slice(11, 16), fmt(r.forecast, 1), fmt(r.actual, 0), fmt(r.reforecast, 1), r.required,
       fmt(r.scheduled, 1), fmt(r.short, 1)].forEach((text, i) => {
        const td = document.createElement("td"); td.textContent = text; if (i) td.className = "num"; tr.append(td);
      });
      return tr;
    }));
    $("intraday-now").textContent = v.now.replace("T", " ");
    $("intraday-summary").textContent = v.roster_version == null ? T.no_roster
      : T.summary.replace("{hours}", fmt(v.short_agent_hours, 1)).replace("{version}", v.roster_version);
  }

  async function run() {
    if (!$("queue").value) return;
    $("status").textContent = T.loading;
    try {
      const res = await fetch("/api/intraday?" + params(), { credentials: "same-origin" });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.detail || res.statusText);
      draw(data);
      $("status").textContent = "";
    } catch (err) {
      $("status").textContent = String(err.message || err);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("run-intraday").addEventListener("click", run);
    run();
    setInterval(run, 5 * 60 * 1000);
  });
})();
