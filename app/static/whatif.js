// Schedule simulation page: post two scenarios to /api/whatif, poll, draw bands (Plotly.js).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const T = JSON.parse(($("whatif-text") || {}).textContent || "{}");
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const COLORS = { A: ["#1f5fbf", "rgba(31,95,191,0.18)"], B: ["#d97706", "rgba(217,119,6,0.18)"] };
  const minutes = (hhmm) => { const [h, m] = String(hhmm || "00:00").split(":").map(Number); return h * 60 + m; };

  function scenario(card) {
    const out = { name: card.dataset.scenario, volume_change_percent: Number(card.querySelector(".volume").value || 0),
                  extra_agents: Number(card.querySelector(".extra").value || 0) };
    const roster = card.querySelector(".roster").value;
    if (roster) out.roster_version_id = Number(roster);
    const lo = minutes(card.querySelector(".from").value), hi = minutes(card.querySelector(".to").value);
    if (hi > lo) { out.window_start_minute = lo; out.window_end_minute = hi; }
    return out;
  }

  function body() {
    return {
      queue: $("queue").value, start: $("start").value, days: Number($("days").value),
      interval_minutes: Number($("interval_minutes").value), aht_seconds: Number($("aht_seconds").value),
      patience_mean_seconds: Number($("patience_mean_seconds").value),
      replications: Number($("replications").value), seed: Number($("seed").value),
      scenarios: [...document.querySelectorAll(".scenario")].map(scenario),
    };
  }

  function bands(div, key, result, start, interval, percent) {
    const traces = [];
    for (const s of result.scenarios) {
      const x = s.intervals.map((r) => new Date(Date.parse(start + "T00:00:00") + r.start_seconds * 1000));
      // a t interval may reach past what the figure can be (below 0, above 100 %): cut it there
      const k = (v) => (v == null ? null : percent ? Math.min(100, Math.max(0, 100 * v)) : Math.max(0, v));
      const [line, fill] = COLORS[s.name] || COLORS.A;
      traces.push({ x, y: s.intervals.map((r) => k(r[key].high)), mode: "lines", line: { width: 0, shape: "hv" }, showlegend: false, hoverinfo: "skip" });
      traces.push({ x, y: s.intervals.map((r) => k(r[key].low)), mode: "lines", line: { width: 0, shape: "hv" }, fill: "tonexty", fillcolor: fill, name: s.name + " " + T.band });
      traces.push({ x, y: s.intervals.map((r) => k(r[key].mean)), mode: "lines", line: { color: line, shape: "hv" }, name: T.scenario + " " + s.name });
    }
    Plotly.newPlot(div, traces, { margin: { t: 10, r: 10, b: 40, l: 45 }, legend: { orientation: "h" },
      xaxis: { tickformat: "%H:%M" }, yaxis: { ticksuffix: percent ? " %" : "" } }, { responsive: true, displaylogo: false });
  }

  function summary(result) {
    const tbody = $("whatif-summary").querySelector("tbody");
    const rows = [["offered", 0, 1], ["answered", 0, 1], ["abandoned", 0, 1], ["service_level", 1, 100], ["asa_seconds", 1, 1], ["p_abandon", 1, 100]];
    tbody.replaceChildren(...rows.map(([key, digits, scale]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("td"); th.textContent = T[key]; tr.append(th);
      for (const s of result.scenarios) {
        const td = document.createElement("td"); td.className = "num";
        const v = s.summary[key], ci = s.summary_ci[key] || [null, null];
        const f = (x) => (x == null ? "–" : (scale * x).toFixed(digits));
        td.textContent = f(v) + (scale === 100 ? " %" : "") + (ci[0] == null ? "" : "  [" + f(ci[0]) + ", " + f(ci[1]) + "]");
        tr.append(td);
      }
      return tr;
    }));
  }

  async function run() {
    const b = body();
    $("status").textContent = "…";
    try {
      let res = await fetch("/api/whatif", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() }, body: JSON.stringify(b) });
      let job = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(job.detail || res.statusText);
      while (job.state === "running") {
        $("status").textContent = T.running.replace("{done}", job.done).replace("{total}", job.total);
        await new Promise((r) => setTimeout(r, 700));
        res = await fetch("/api/whatif/" + job.id, { credentials: "same-origin" });
        job = await res.json();
        if (!res.ok) throw new Error(job.detail || res.statusText);
      }
      if (job.state !== "done") throw new Error(T.failed + ": " + (job.error || ""));
      $("status").textContent = "";
      summary(job.result);
      bands("chart-sl", "service_level", job.result, b.start, b.interval_minutes, true);
      bands("chart-asa", "asa_seconds", job.result, b.start, b.interval_minutes, false);
      bands("chart-abandon", "p_abandon", job.result, b.start, b.interval_minutes, true);
    } catch (err) {
      $("status").textContent = String(err.message || err);
    }
  }

  document.addEventListener("DOMContentLoaded", () => $("run-whatif").addEventListener("click", run));
})();
