/* contactops agent console: the agent's own day (GET /api/console/day).
 *
 * Today's shift and the next break from the published roster, the agent's own figures today
 * (handled calls, average handle time, talk time, sales) and the QA evaluations waiting for
 * the agent's acknowledgement, each linking to the page where the agent acknowledges it.
 * Words come from the page (#console-labels, Babel catalogs); times are the center's, as the
 * API gives them. Refreshed every minute and when a wrap-up ends (agent.js's contactops:state).
 */
(function () {
  "use strict";
  const home = document.getElementById("my-day");
  if (!home) return;
  const L = JSON.parse((document.getElementById("console-labels") || {}).textContent || "{}");
  const U = L.ui || {};
  const ACT = L.activity || {};
  const fmt = (text, args) => String(text).replace(/%\((\w+)\)s/g, (_, k) => (args[k] == null ? "" : args[k]));
  const kind = (k) => ACT[k] || String(k).replace(/_/g, " ");
  const hm = (iso) => String(iso).slice(11, 16);
  const mmss = (sec) => {
    if (sec == null) return "–";
    sec = Math.max(0, Math.round(sec));
    const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  const style = document.createElement("style");
  style.textContent = `
    #my-day { padding: .4rem .6rem; }
    #my-day h2 { font-size: 1rem; margin: 0 0 .2rem; display: flex; justify-content: space-between; }
    #my-day h2 .muted { font-weight: normal; font-size: .8rem; align-self: center; }
    #my-day p { margin: .1rem 0; font-size: .9rem; }
    #my-day .day-kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: .3rem; margin: .2rem 0; }
    #my-day .day-kpis div { border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; text-align: center; line-height: 1.25; }
    #my-day .day-kpis dt { font-size: .7rem; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    #my-day .day-kpis dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
    #my-day ul { margin: 0; padding-left: 1rem; font-size: .85rem; }
    #my-day li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    #my-day .day-now { border-left: 3px solid currentColor; padding-left: .3rem; }`;
  document.head.append(style);

  function kpi(id, name, value) {
    return el("div", {}, el("dt", {}, name), el("dd", { id }, value));
  }

  function render(day) {
    const shiftText = day.shifts.length
      ? U.shift + " " + day.shifts.map((s) => hm(s.start) + "–" + hm(s.end)).join(", ") : U.noShift;
    const parts = [el("h2", {}, U.myDay, el("span", { id: "day-shift", class: "muted" }, shiftText))];
    if (day.next_break) {
      const b = day.next_break;
      parts.push(el("p", { id: "next-break" }, el("strong", {}, U.nextBreak), " ", hm(b.start), "–", hm(b.end), " · ", kind(b.kind)));
    } else if (day.shifts.length) {
      parts.push(el("p", { id: "next-break", class: "muted" }, U.noBreak));
    }
    if (day.current) {
      parts.push(el("p", { class: "day-now" }, U.now, " · ", kind(day.current.kind), " ", hm(day.current.start), "–", hm(day.current.end)));
    }
    const f = day.figures;
    parts.push(el("dl", { class: "day-kpis" },
      kpi("kpi-handled", U.handled, f.handled), kpi("kpi-aht", U.aht, mmss(f.aht_seconds)),
      kpi("kpi-talk", U.talk, mmss(f.talk_seconds)), kpi("kpi-sales", U.sales, f.sales)));
    const fb = el("div", { id: "day-feedback" });
    if (day.feedback_waiting) {
      // one line each, the link first (what the agent does), then which evaluation
      fb.append(el("p", {}, el("strong", {}, U.feedback), " ", el("span", { class: "badge" }, day.feedback_waiting)),
        el("ul", {}, ...day.feedback.slice(0, 2).map((e) => el("li", {},
          el("a", { href: e.url }, U.open), " · ", e.form, " · ",
          fmt(U.score, { score: e.total == null ? "–" : Math.round(e.total) }), " · ", String(e.evaluated_at).slice(5, 10)))));
    } else {
      fb.append(el("p", { class: "muted" }, U.noFeedback));
    }
    parts.push(fb);
    home.replaceChildren(...parts);
  }

  async function refresh() {
    const r = await fetch("/api/console/day", { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(r.status + " " + r.statusText);
    render(await r.json());
  }
  const again = () => refresh().catch((err) => {
    home.replaceChildren(el("p", { class: "muted" }, U.dayError, " (", String(err.message || err), ")"));
  });
  again();
  setInterval(again, 60000);
  // a wrap-up ends a call: its handle time and sale count now
  document.addEventListener("contactops:state", (e) => {
    const { state, before } = e.detail || {};
    if (before && before.state === "wrap_up" && state && state.state !== "wrap_up") again();
  });
})();
