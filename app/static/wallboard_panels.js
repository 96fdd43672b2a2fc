/* contactops wallboard: the sales, coaching and dials panels (dashboards/sales.py,
 * dashboards/coaching.py, dashboards/dials.py), drawn from snapshot.panels by wallboard.js's renderPanels.
 *
 * Each renderer gets (name, value, kit): kit holds wallboard.js's helpers (el, U labels,
 * fmt, pct, tile, levelled, wall). Every text comes from the page's labels (kit.U); the
 * figures come from the server's picture, never added up here.
 */
(function () {
  "use strict";

  const style = document.createElement("style");
  style.textContent = `
    #live .panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; margin-bottom: 1rem; }
    #live .panel-tiles .tile .value { white-space: nowrap; }
    #live.wall .panel-tiles .tile .value { font-size: 2.4rem; }
    #live .panels > .card { margin: 0; }
    #live .panel-tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .6rem; }
    #live .follow-ups { list-style: none; padding: 0; margin: .5rem 0 0; }
    #live .follow-ups li { display: flex; gap: .6rem; justify-content: space-between; padding: .2rem 0; border-top: 1px solid #e2e5ea; }
    #live .follow-ups .who { font-weight: 600; }
    #live.wall .follow-ups { font-size: 1.3rem; }
    #live.wall .panels h2 { font-size: 1.6rem; }`;
  document.head.append(style);

  const ratio = (x) => (x == null ? "–" : x.toFixed(2));

  function sales(name, v, k) {
    const U = k.U;
    return k.el("section", { class: "card", "data-panel": name },
      k.el("h2", {}, U.sales),
      k.el("div", { class: "panel-tiles" },
        k.tile(U.crossSell, ratio(v.cross_sell_per_call), null,
          k.fmt(U.salesCounts, { sales: v.cross_sells, calls: v.inbound_calls })),
        k.tile(U.upSell, ratio(v.up_sell_per_call), null,
          k.fmt(U.salesCounts, { sales: v.up_sells, calls: v.inbound_calls })),
        k.tile(U.positiveResponse, k.pct(v.positive_response_ratio), null,
          k.fmt(U.positiveCounts, { positive: v.outbound_positive, connected: v.outbound_reached }))));
  }

  function coaching(name, v, k) {
    const U = k.U;
    const items = v.items.map((f) => k.el("li", { "data-follow-up": f.follow_up_id },
      k.el("span", { class: "who" }, f.agent),
      k.el("span", {}, f.due_on),
      k.el("span", { class: f.days_overdue > 0 ? "lv lv-alert" : "lv lv-warn" },
        f.days_overdue > 0 ? k.fmt(U.daysOverdue, { days: f.days_overdue }) : U.dueToday),
      k.el("span", { class: "muted" }, k.fmt(U.pointsCount, { n: f.points }))));
    return k.el("section", { class: "card", "data-panel": name },
      k.el("h2", {}, U.coaching),
      k.el("div", { class: "panel-tiles" },
        k.tile(U.dueToday, v.due_today, null),
        k.tile(U.overdue, v.overdue, v.overdue ? "alert" : "ok")),
      items.length ? k.el("ul", { class: "follow-ups" }, ...items)
        : k.el("p", { class: "muted" }, U.noFollowUps));
  }

  function dials(name, v, k) {
    const U = k.U;
    return k.el("section", { class: "card", "data-panel": name },
      k.el("h2", {}, U.dialsPanel),
      k.el("div", { class: "panel-tiles" },
        k.tile(U.dials, v.dials, null),
        k.tile(U.connects, v.connected, null,
          k.fmt(U.dialsCounts, { connected: v.connected, ended: v.ended })),
        // the level marker only over the cap (the tile is narrow: "on target" would overflow)
        k.tile(U.abandonRate, k.pct(v.abandon_rate), v.abandon_level === "alert" ? "alert" : null,
          k.fmt(U.capOf, { cap: k.pct(v.abandon_cap) }))));
  }

  window.WallboardPanels = Object.assign(window.WallboardPanels || {}, { sales, coaching, dials });
})();
