// /reports: the period's charts, drawn with uPlot (app/static/vendor/uplot) from the JSON the
// page carries (#report-data: x in Unix seconds, one array per figure, null where unknown).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const labels = JSON.parse(document.getElementById("report-labels").textContent);
  const zone = "Asia/Seoul"; // the center's clock, whatever the browser's zone
  const daily = data.grain !== "interval";

  function tick(seconds) {
    const d = new Date(seconds * 1000);
    const opts = daily ? { month: "2-digit", day: "2-digit", timeZone: zone }
      : { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone };
    return new Intl.DateTimeFormat(document.documentElement.lang || "ko", opts).format(d);
  }

  function size(el) {
    return { width: Math.max(320, el.clientWidth - 8), height: 220 };
  }

  function draw(id, series, values, yAxis) {
    const el = document.getElementById(id);
    if (!data.x || data.x.length === 0) {
      el.textContent = labels.no_data;
      return null;
    }
    const opts = Object.assign(size(el), {
      scales: { x: { time: false } },
      axes: [
        { values: (u, splits) => splits.map(tick),
          incrs: daily ? [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400]
            : [1800, 3600, 3 * 3600, 6 * 3600] },
        Object.assign({ size: 56 }, yAxis || {}),
      ],
      series: [{ label: labels.step, value: (u, v) => (v == null ? "" : tick(v)) }].concat(series),
      legend: { live: true },
    });
    return new uPlot(opts, [data.x].concat(values), el);
  }

  const pct = { values: (u, splits) => splits.map((v) => (v * 100).toFixed(0) + " %") };
  const charts = [
    draw("chart-service-level",
      [{ label: labels.service_level, stroke: "#2563eb", width: 2, spanGaps: false,
         value: (u, v) => (v == null ? "—" : (v * 100).toFixed(1) + " %") }],
      [data.service_level], pct),
    draw("chart-volume",
      [{ label: labels.offered, stroke: "#111827", width: 2 },
       { label: labels.answered, stroke: "#16a34a", width: 2 },
       { label: labels.abandoned, stroke: "#dc2626", width: 2 }],
      [data.offered, data.answered, data.abandoned]),
    draw("chart-times",
      [{ label: labels.asa + " (" + labels.seconds + ")", stroke: "#9333ea", width: 2 },
       { label: labels.aht + " (" + labels.seconds + ")", stroke: "#ea580c", width: 2 }],
      [data.asa_seconds, data.aht_seconds]),
  ];
  window.addEventListener("resize", () => {
    for (const c of charts) if (c) c.setSize(size(c.root.parentNode));
  });
})();
