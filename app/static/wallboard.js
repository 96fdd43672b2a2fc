/* contactops wallboard: the live floor from the /ws/wallboard websocket.
 *
 * Protocol (app/api/ws.py): a snapshot on connect, then a delta about once a second
 * (dashboards/deltas.py: applied here only to the picture whose version it is based on,
 * else the socket is reopened for a fresh snapshot) and each stored event as it happens
 * (the ticker). The client keeps the last event seq it saw and reconnects with
 * ?after=<seq>: the server replays what it missed from the log, so the ticker has no gap,
 * and the figures always come from the server's picture (never added up here), so a
 * server restart can neither repeat nor lose them.
 *
 * Every text comes from the page (#wallboard-labels, the Babel catalogs; this file holds
 * none) and every time is shown on the center's clock (labels.time_zone), not the
 * browser's. Threshold levels (ok / warn / alert, computed by the server from the goals and
 * settings) are shown by colour (Okabe-Ito, colour-blind safe) AND an icon AND a word.
 *
 * Big-screen mode (#live[data-wall]): large type, no controls.
 *
 * Supervisor actions per agent row (normal mode only): force ready / not ready (with the
 * reason chosen above the table) / log out through POST /api/supervision/agents/{login}/state,
 * and a skills editor (PATCH /api/agents/{id}/skills). Rows are updated in place.
 */
(function () {
  "use strict";

  const root = document.getElementById("live");
  if (!root) return;
  const L = JSON.parse(document.getElementById("wallboard-labels").textContent);
  const U = L.ui;
  const WALL = root.dataset.wall === "1";
  const ZONE = L.time_zone;
  const LOCALE = L.locale === "ko" ? "ko-KR" : "en-GB";

  const fmt = (text, vars) => text.replace(/%\((\w+)\)s/g, (_, k) => (vars[k] == null ? "" : String(vars[k])));
  const code = (table, c) => (c == null ? "" : (L[table] && L[table][c]) || c);
  const clockFmt = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const hmFmt = new Intl.DateTimeFormat(LOCALE, { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hour12: false });
  const centerTime = (at) => clockFmt.format(new Date(at * 1000));
  const centerHM = (at) => hmFmt.format(new Date(at * 1000));

  const FORCE_REASONS = ["supervisor", "break", "coaching", "meeting", "training", "lunch"];
  const CAN = {
    ready: ["not_ready", "wrap_up"],
    not_ready: ["ready", "reserved", "wrap_up", "not_ready"],
    logged_out: ["ready", "not_ready"],
  };
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const AGENT_STATES = ["ready", "reserved", "talking", "hold", "wrap_up", "not_ready", "logged_out"];
  const ICON = { ok: "✓", warn: "▲", alert: "✖" };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  const pct = (x) => (x == null ? "–" : (100 * x).toFixed(1) + " %");
  const secs = (x) => {
    if (x == null) return "–";
    const t = Math.round(x);
    return t < 90 ? t + " s" : Math.floor(t / 60) + " m " + (t % 60) + " s";
  };

  /* a figure with its level: colour + icon + word (never colour alone) */
  function levelled(text, level) {
    if (!level) return el("span", { class: "fig" }, text);
    return el("span", { class: "fig lv-" + level, title: code("levels", level) },
      text, " ", el("span", { class: "lv", "aria-label": code("levels", level) }, ICON[level] + " " + code("levels", level)));
  }

  const style = document.createElement("style");
  style.textContent = `
    #live { --ok: #0072B2; --warn: #E69F00; --alert: #D55E00; }
    #live .bar { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
    #live .bar .clock { font-variant-numeric: tabular-nums; font-weight: 700; }
    #live .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: .6rem; margin: .6rem 0 1rem; }
    #live .tile { background: #fff; border: 2px solid #e2e5ea; border-radius: 8px; padding: .5rem .8rem; }
    #live .tile .label { color: #4b5563; font-size: .8rem; }
    #live .tile .value { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
    #live .tile .sub { color: #4b5563; font-size: .75rem; }
    #live .lv { font-size: .7em; font-weight: 600; white-space: nowrap; }
    #live .lv-ok { color: var(--ok); } #live .lv-warn { color: #8a5a00; } #live .lv-alert { color: #a33c00; }
    #live .tile.lv-warn { border-color: var(--warn); background: #fff8e6; }
    #live .tile.lv-alert { border-color: var(--alert); background: #fdeee6; border-style: double; border-width: 4px; }
    #live td .lv-warn, #live td .lv-alert { font-weight: 700; }
    #live .ticker { font: 12px/1.4 ui-monospace, monospace; max-height: 12rem; overflow: auto; }
    #live .agent-tools { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
    #live td.actions { white-space: nowrap; }
    #live td.actions button { padding: .15rem .45rem; font-size: .8rem; margin-right: .2rem; }
    #live button[disabled] { opacity: .35; cursor: default; }
    #live button.secondary { background: #fff; color: var(--accent, #1d4ed8); }
    #live tr.skills-editor td { background: #f8fafc; }
    #live .skill-field { display: inline-flex; gap: .25rem; align-items: center; margin-right: .8rem; }
    #live .st { font-size: .75rem; padding: .1rem .4rem; border-radius: 4px; background: #f3f4f6; color: #374151; }
    #live .st-ready { background: #dcfce7; color: #166534; }
    #live .st-reserved, #live .st-hold { background: #fef3c7; color: #92400e; }
    #live .st-talking { background: #dbeafe; color: #1e40af; }
    #live .st-wrap_up { background: #ede9fe; color: #5b21b6; }
    #live .message { min-height: 1.2em; }
    #live .chart svg { width: 100%; height: 220px; }
    #live .legend { font-size: .8rem; color: #4b5563; display: flex; gap: 1rem; flex-wrap: wrap; }
    #live .legend i { display: inline-block; width: 1.2em; height: .6em; margin-right: .3em; vertical-align: middle; }
    #live .panels:empty { display: none; }
    #live .chips { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: .3rem; }
    #live .chip { padding: .25rem .5rem; border-radius: 6px; background: #f3f4f6; font-size: 1.05rem; white-space: nowrap; overflow: hidden; }
    #live .chip.out { outline: 3px dashed var(--alert); }
    #live th, #live td { word-break: keep-all; } /* Korean words whole (평균 처리 시간, not 처 / 리) */
    #live.wall .tiles { grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
    #live.wall .tile .value { font-size: 3rem; }
    #live.wall .tile .value .lv { display: block; font-size: 1.1rem; }
    #live.wall .tile .label { font-size: 1.1rem; }
    #live.wall .tile .sub { font-size: .95rem; }
    #live.wall table { font-size: 1.4rem; }
    @media (max-width: 1500px) { #live.wall table { font-size: 1.1rem; } #live.wall .lv { font-size: .8em; } }
    #live.wall .st { font-size: 1.1rem; }
    #live.wall .controls, #live.wall .actions-col, #live.wall details, #live.wall .xfer-col { display: none; }
    #live.wall .chart svg { height: 300px; }
    #live.wall .ticker { font-size: 1rem; max-height: 9rem; }`;
  document.head.append(style);

  const link = el("span", { class: "muted state link" }, "");
  const clock = el("span", { class: "clock", title: fmt(U.clock, { zone: ZONE }) });
  const period = el("span", { class: "muted period" });
  const definition = el("span", { class: "muted definition" });
  const demoLine = el("p", { class: "muted demo-note", role: "note", hidden: "" });
  const tiles = el("div", { class: "tiles" });
  const queueBody = el("tbody");
  const stateRow = el("tr");
  const agentBody = el("tbody");
  const chartBox = el("div", { class: "chart" });
  const panels = el("div", { class: "panels" });
  const agentMessage = el("p", { class: "message error", role: "status" });
  const forceReason = el("select", { name: "force-reason" },
    ...FORCE_REASONS.map((r) => el("option", { value: r }, code("reasons", r))));
  const filter = el("input", { type: "search", name: "agent-filter", placeholder: U.filter, size: "24" });
  const ticker = el("ol", { class: "ticker", reversed: "" });
  const chips = new Map(); // big screen: login -> chip
  const chipGrid = el("div", { class: "chips" });
  const th = (text, cls) => el("th", { class: cls || "" }, text);
  root.append(
    el("section", { class: "card" },
      el("div", { class: "bar" }, el("h2", {}, U.liveTitle), clock, period, definition, link,
        WALL ? el("a", { class: "muted controls", href: "/wallboard" }, U.normal) : null),
      demoLine, tiles),
    el("section", { class: "card" }, el("h2", {}, U.queues),
      el("table", { id: "queue-table" }, el("thead", {}, el("tr", {},
        th(U.queue), th(U.waiting, "num"), th(U.longest, "num"),
        th(U.vip + " " + U.sl, "num"), th(U.general + " " + U.sl, "num"), th(U.asa, "num"),
        th(U.vip + " " + U.abandon, "num"), th(U.general + " " + U.abandon, "num"),
        th(U.offered, "num"), th(U.transferredIn, "num xfer-col"), th(U.handled, "num"), th(U.aht, "num"))), queueBody)),
    el("section", { class: "card chart-card" }, el("h2", {}, U.chart), chartBox),
    panels,
    el("section", { class: "card" }, el("h2", {}, U.agents),
      el("table", {}, el("thead", {}, el("tr", {}, ...AGENT_STATES.map((s) => th(code("states", s), "num")))),
        el("tbody", {}, stateRow)),
      WALL ? chipGrid : null,
      el("details", { open: "" }, el("summary", {}, U.agent),
        el("div", { class: "agent-tools controls" }, filter,
          el("label", {}, U.forceReason, " ", forceReason)),
        agentMessage,
        el("table", { id: "agent-table" }, el("thead", {}, el("tr", {}, th(U.agent), th(U.state),
          th(U.reason), th(U.since, "num"), th(U.occupancy, "num"), th(U.adherence, "num"),
          th(U.actions, "actions-col"))), agentBody))),
    el("section", { class: "card" }, el("h2", {}, U.events), ticker),
  );

  function tile(label, value, level, sub) {
    return el("div", { class: "tile" + (level ? " lv-" + level : "") }, el("div", { class: "label" }, label),
      el("div", { class: "value" }, levelled(value, level)), sub ? el("div", { class: "sub" }, sub) : null);
  }

  function render(s) {
    clock.textContent = centerTime(s.at);
    period.textContent = s.period.kind === "window"
      ? fmt(U.periodWindow, { minutes: Math.round((s.at - s.period.start) / 60) })
      : fmt(U.periodDay, { time: s.period.start == null ? "–" : centerHM(s.period.start) });
    definition.textContent = fmt(U.definition, { name: code("definitions", s.service_level_definition) });
    demoLine.textContent = s.demo ? fmt(U.demo, { hour: s.demo.pattern_hour }) : "";
    demoLine.hidden = !s.demo;
    tiles.replaceChildren(
      tile(U.waiting, s.waiting),
      tile(U.longest, secs(s.longest_wait_seconds), s.longest_wait_level),
      tile(U.occupancy, pct(s.occupancy)));
    for (const seg of ["vip", "general"]) {
      const f = s.totals[seg];
      tiles.append(
        tile(U[seg] + " " + U.sl, pct(f.service_level), f.levels.service_level,
          fmt(U.target, { target: pct(f.service_level_target) }) + " · " + fmt(U.threshold, { seconds: f.threshold_seconds })),
        tile(U[seg] + " " + U.asa, secs(f.asa_seconds), f.levels.asa_seconds),
        tile(U[seg] + " " + U.abandon, pct(f.abandon_rate), f.levels.abandon_rate),
      );
    }
    const all = s.totals.all;
    tiles.append(tile(U.offered, all.offered), tile(U.handled, all.handled), tile(U.aht, secs(all.aht_seconds)));
    queueBody.replaceChildren(...s.queues.map((q) => {
      const v = q.segments.vip, g = q.segments.general, a = q.all;
      return el("tr", { "data-queue": q.queue },
        el("td", {}, code("queues", q.queue)), el("td", { class: "num waiting" }, q.waiting),
        el("td", { class: "num" }, levelled(secs(q.longest_wait_seconds), q.longest_wait_level)),
        el("td", { class: "num" }, levelled(pct(v.service_level), v.levels.service_level)),
        el("td", { class: "num" }, levelled(pct(g.service_level), g.levels.service_level)),
        el("td", { class: "num" }, levelled(secs(a.asa_seconds), a.levels.asa_seconds)),
        el("td", { class: "num" }, levelled(pct(v.abandon_rate), v.levels.abandon_rate)),
        el("td", { class: "num" }, levelled(pct(g.abandon_rate), g.levels.abandon_rate)),
        el("td", { class: "num offered" }, a.offered), el("td", { class: "num transferred-in xfer-col" }, a.transferred_in || 0),
        el("td", { class: "num" }, a.handled),
        el("td", { class: "num" }, secs(a.aht_seconds)));
    }));
    stateRow.replaceChildren(...AGENT_STATES.map((st) => el("td", { class: "num" }, s.agent_states[st] || 0)));
    renderChart(s.chart);
    renderPanels(s.panels || {});
    renderAgents(s.agents, s.at);
  }

  // --- the chart: calls offered (bars) and forecast (dashed) per 15 minutes, service level (line) ---
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    return node;
  }
  let chartKey = "";
  function renderChart(chart) {
    const key = JSON.stringify(chart);
    if (key === chartKey) return;
    chartKey = key;
    const rows = chart.rows;
    const W = 960, H = 240, left = 44, right = 44, top = 12, bottom = 26;
    const box = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": U.chart });
    if (!rows.length) {
      box.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#6b7280" }, U.noData));
      chartBox.replaceChildren(box);
      return;
    }
    const n = rows.length, bw = (W - left - right) / n;
    const most = Math.max(1, ...rows.map((r) => Math.max(r.offered, r.forecast || 0)));
    const y = (v) => top + (H - top - bottom) * (1 - v / most);
    const ySl = (v) => top + (H - top - bottom) * (1 - v);
    box.append(svg("line", { x1: left, x2: W - right, y1: ySl(chart.target), y2: ySl(chart.target), stroke: "#009E73", "stroke-dasharray": "2 3" }));
    box.append(svg("text", { x: W - right + 4, y: ySl(chart.target) + 4, "font-size": 11, fill: "#009E73" }, pct(chart.target)));
    box.append(svg("text", { x: 4, y: top + 8, "font-size": 11, fill: "#4b5563" }, most.toFixed(0)));
    let fc = "", sl = "";
    rows.forEach((r, i) => {
      const x = left + i * bw;
      box.append(svg("rect", { x: x + 1, y: y(r.offered), width: Math.max(1, bw - 2), height: H - bottom - y(r.offered), fill: "#56B4E9" },
      ));
      if (r.forecast != null) fc += (fc ? " L" : "M") + (x + bw / 2).toFixed(1) + " " + y(r.forecast).toFixed(1);
      if (r.service_level != null) sl += (sl ? " L" : "M") + (x + bw / 2).toFixed(1) + " " + ySl(r.service_level).toFixed(1);
      if (i % Math.max(1, Math.ceil(n / 12)) === 0) box.append(svg("text", { x: x, y: H - 8, "font-size": 11, fill: "#4b5563" }, centerHM(r.start)));
    });
    if (fc) box.append(svg("path", { d: fc, fill: "none", stroke: "#000", "stroke-width": 2, "stroke-dasharray": "6 4" }));
    if (sl) box.append(svg("path", { d: sl, fill: "none", stroke: "#D55E00", "stroke-width": 2.5 }));
    chartBox.replaceChildren(box, el("div", { class: "legend" },
      el("span", {}, el("i", { style: "background:#56B4E9" }), U.offered),
      el("span", {}, el("i", { style: "border-top:2px dashed #000" }), U.forecast),
      el("span", {}, el("i", { style: "background:#D55E00;height:3px" }), U.sl + " (" + code("definitions", chart.definition) + ")"),
      el("span", {}, el("i", { style: "border-top:2px dotted #009E73" }), fmt(U.target, { target: pct(chart.target) })),
      el("span", { class: "muted" }, U.chartNote)));
  }

  /* Panels other modules add to the picture (snapshot.panels: cross/up-sell per call,
   * coaching follow-ups due...): renderers registered in window.WallboardPanels (by
   * wallboard_panels.js, loaded before this file) get (name, value, kit); a panel with no
   * renderer is shown as its figures. */
  const PANEL_RENDERERS = window.WallboardPanels || {};
  const KIT = { el, U, fmt, pct, secs, code, levelled, tile, wall: WALL };
  function renderPanels(all) {
    panels.replaceChildren(...Object.entries(all).filter(([, v]) => v != null).map(([name, value]) =>
      (PANEL_RENDERERS[name] || ((n, v) => el("section", { class: "card", "data-panel": n },
        el("pre", {}, JSON.stringify(v, null, 1)))))(name, value, KIT)));
  }

  // --- agents: rows kept by login and updated in place ------------------------------------------
  const rows = new Map();
  let directory = null;
  let allSkills = [];

  async function loadDirectory() {
    const out = new Map();
    for (let offset = 0; ; offset += 500) {
      const r = await fetch("/api/agents?limit=500&offset=" + offset, { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error((await r.json().catch(() => ({}))).detail || r.statusText);
      const page = await r.json();
      for (const a of page.items) {
        out.set(a.login, { id: a.id, skills: Object.fromEntries(a.skills.map((x) => [x.skill, x.proficiency])) });
      }
      if (offset + page.items.length >= page.total || !page.items.length) break;
    }
    directory = out;
    allSkills = [...new Set([...out.values()].flatMap((a) => Object.keys(a.skills)))].sort();
  }

  function agentRow(login) {
    let row = rows.get(login);
    if (row) return row;
    const stateCell = el("span", { class: "st" });
    const reasonCell = el("td", {});
    const sinceCell = el("td", { class: "num" });
    const occCell = el("td", { class: "num" });
    const adhCell = el("td", { class: "num" });
    const buttons = {
      ready: el("button", { type: "button", "data-action": "ready", onclick: () => force(login, "ready") }, U.ready),
      not_ready: el("button", { type: "button", "data-action": "not_ready", onclick: () => force(login, "not_ready") }, U.notReady),
      logged_out: el("button", { type: "button", "data-action": "logged_out", onclick: () => force(login, "logged_out") }, U.logout),
      skills: el("button", { type: "button", class: "secondary", "data-action": "skills", onclick: () => toggleEditor(login) }, U.skills),
    };
    const tr = el("tr", { "data-agent": login }, el("td", {}, login), el("td", {}, stateCell), reasonCell, sinceCell,
      occCell, adhCell,
      el("td", { class: "actions actions-col" }, buttons.ready, buttons.not_ready, buttons.logged_out, buttons.skills));
    row = { tr, stateCell, reasonCell, sinceCell, occCell, adhCell, buttons, editor: null, state: null };
    rows.set(login, row);
    return row;
  }

  /* big screen: one chip per agent (login, state, time in state), no table, no controls */
  function wallChip(a, now) {
    let chip = chips.get(a.agent_id);
    if (!chip) { chip = el("div", { class: "chip" }); chips.set(a.agent_id, chip); chipGrid.append(chip); }
    const out = a.adherence && a.adherence.out_since != null;
    chip.className = "chip st-" + a.state + (out ? " out" : "");
    chip.replaceChildren(el("b", {}, a.agent_id), " ", code("states", a.state), " · ", secs(Math.max(0, now - a.since)),
      out ? el("span", { class: "lv" }, " " + ICON.warn) : "");
  }

  function matches(login, state) {
    const q = filter.value.trim().toLowerCase();
    return !q || login.toLowerCase().includes(q) || state.includes(q) || code("states", state).toLowerCase().includes(q);
  }

  function renderAgents(agents, now) {
    const order = [];
    const present = new Set();
    for (const a of agents) {
      present.add(a.agent_id);
      const row = agentRow(a.agent_id);
      row.state = a.state;
      row.stateCell.textContent = code("states", a.state);
      row.stateCell.className = "st st-" + a.state;
      row.reasonCell.textContent = [code("reasons", a.reason), a.actor && fmt(U.byActor, { who: a.actor })].filter(Boolean).join(" · ");
      row.sinceCell.textContent = secs(Math.max(0, now - a.since));
      row.sinceCell.className = "num " + (a.state === "hold" && now - a.since > 60 ? "lv-warn" : "");
      row.occCell.textContent = pct(a.occupancy);
      const adh = a.adherence;
      row.adhCell.replaceChildren(...[adh == null ? "–" : pct(adh.adherence),
        adh && adh.out_since != null ? el("div", { class: "lv lv-warn" }, ICON.warn + " " +
          fmt(U.outSince, { time: centerHM(adh.out_since) }) + (adh.scheduled ? " (" + code("activities", adh.scheduled) + ")" : "")) : null]
        .filter((x) => x != null));
      if (WALL) wallChip(a, now);
      for (const target of ["ready", "not_ready", "logged_out"]) {
        row.buttons[target].disabled = !CAN[target].includes(a.state);
      }
      const shown = matches(a.agent_id, a.state);
      row.tr.hidden = !shown;
      if (row.editor) row.editor.hidden = !shown;
      order.push(row.tr);
      if (row.editor) order.push(row.editor);
    }
    for (const [login, row] of rows) if (!present.has(login)) { row.tr.remove(); if (row.editor) row.editor.remove(); rows.delete(login); }
    if (WALL) for (const [login, chip] of chips) if (!present.has(login)) { chip.remove(); chips.delete(login); }
    const current = [...agentBody.children];
    if (current.length !== order.length || current.some((n, i) => n !== order[i])) agentBody.append(...order);
  }
  filter.addEventListener("input", () => { if (picture) renderAgents(picture.agents, picture.at); });

  function problem(data, r) {
    return data.detail || r.status + " " + r.statusText;
  }

  async function force(login, state) {
    agentMessage.textContent = "";
    const body = { state };
    if (state === "not_ready") body.reason = forceReason.value;
    try {
      const r = await fetch("/api/supervision/agents/" + encodeURIComponent(login) + "/state", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      const data = await r.json().catch(() => ({}));
      if (!r.ok) { agentMessage.textContent = login + ": " + problem(data, r); return; }
      const row = rows.get(login);
      if (row) {
        row.stateCell.textContent = code("states", data.state);
        row.stateCell.className = "st st-" + data.state;
        row.reasonCell.textContent = code("reasons", data.reason);
      }
    } catch (err) {
      agentMessage.textContent = String(err.message || err);
    }
  }

  async function toggleEditor(login) {
    const row = rows.get(login);
    if (!row) return;
    if (row.editor) { row.editor.remove(); row.editor = null; return; }
    agentMessage.textContent = "";
    try {
      if (!directory || !directory.has(login)) await loadDirectory();
    } catch (err) {
      agentMessage.textContent = String(err.message || err);
      return;
    }
    const entry = directory.get(login);
    if (!entry) { agentMessage.textContent = login + ": ?"; return; }
    const selects = allSkills.map((skill) => {
      const sel = el("select", { name: "skill-" + skill, "data-skill": skill },
        el("option", { value: "" }, "–"), ...[1, 2, 3, 4, 5].map((n) => el("option", { value: String(n) }, n)));
      sel.value = entry.skills[skill] ? String(entry.skills[skill]) : "";
      return sel;
    });
    const note = el("span", { class: "muted" });
    const save = el("button", { type: "button", "data-action": "save-skills", onclick: async () => {
      const skills = selects.filter((x) => x.value).map((x) => ({ skill: x.dataset.skill, proficiency: Number(x.value) }));
      note.textContent = "";
      try {
        const r = await fetch("/api/agents/" + entry.id + "/skills", {
          method: "PATCH",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ skills }),
        });
        const data = await r.json().catch(() => ({}));
        if (!r.ok) { note.textContent = problem(data, r); note.className = "error"; return; }
        entry.skills = Object.fromEntries(data.skills.map((x) => [x.skill, x.proficiency]));
        note.className = "muted";
        note.textContent = "✓ " + U.saved;
      } catch (err) {
        note.textContent = String(err.message || err);
      }
    } }, U.save);
    const cancel = el("button", { type: "button", class: "secondary", onclick: () => toggleEditor(login) }, U.cancel);
    row.editor = el("tr", { class: "skills-editor", "data-skills-for": login },
      el("td", { colspan: "7" }, el("strong", {}, U.skills + " · " + login + ": "),
        ...(allSkills.length ? allSkills.map((skill, i) => el("label", { class: "skill-field" }, code("queues", skill), selects[i]))
          : [el("span", { class: "muted" }, U.none)]),
        save, " ", cancel, " ", note));
    row.tr.after(row.editor);
  }

  // --- the ticker: events in seq order, none twice ---------------------------------------------
  let lastSeq = 0;
  function addEvent(message) {
    if (message.seq <= lastSeq) return;
    lastSeq = message.seq;
    const e = message.event;
    const what = [e.contact_id, e.agent_id, e.queue && code("queues", e.queue), e.state && code("states", e.state),
      e.reason && code("reasons", e.reason)].filter(Boolean).join(" ");
    ticker.prepend(el("li", { "data-seq": message.seq, "data-type": e.type },
      centerTime(e.at) + " #" + message.seq + " " + code("events", e.type) + " " + what));
    while (ticker.children.length > 50) ticker.lastChild.remove();
  }

  // --- the socket --------------------------------------------------------------------------------
  let picture = null;
  let delay = 1000;
  let socket = null;
  function connect() {
    const query = lastSeq ? "?after=" + lastSeq : "";
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/wallboard" + query);
    socket = ws;
    const resumedFrom = lastSeq;
    ws.onopen = () => { link.textContent = "● " + U.live + (resumedFrom ? " · " + fmt(U.resumed, { seq: resumedFrom }) : ""); delay = 1000; };
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.type === "snapshot") {
        picture = data;
        if (data.seq < lastSeq) lastSeq = data.seq; // another log (a reset database): follow it
        if (!resumedFrom || !lastSeq) lastSeq = Math.max(lastSeq, data.seq);
        render(picture);
      } else if (data.type === "delta") {
        if (!picture || data.base_version !== picture.version) { ws.close(); return; } // start over
        picture = applyDelta(picture, data);
        render(picture);
      } else if (data.type === "event") addEvent(data);
      else if (data.type === "events") data.items.forEach(addEvent);
      root.dataset.seq = String(lastSeq);
      root.dataset.version = picture ? String(picture.version) : "";
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      link.textContent = "○ " + U.offline;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  /* a changed item carries its changed keys only; nested objects the same way */
  function merge(old, change) {
    const out = Object.assign({}, old);
    for (const [k, v] of Object.entries(change)) {
      const was = out[k];
      out[k] = v && typeof v === "object" && !Array.isArray(v) && was && typeof was === "object" && !Array.isArray(was) ? merge(was, v) : v;
    }
    return out;
  }

  /* dashboards/deltas.py apply_delta, in the browser */
  function applyDelta(old, change) {
    const out = Object.assign({}, old, change.set, { seq: change.seq, version: change.version, at: change.at });
    for (const [key, id] of [["queues", "queue"], ["agents", "agent_id"]]) {
      const removed = new Set(change[key + "_removed"] || []);
      const items = new Map(old[key].filter((x) => !removed.has(x[id])).map((x) => [x[id], x]));
      for (const x of change[key] || []) items.set(x[id], items.has(x[id]) ? merge(items.get(x[id]), x) : x);
      out[key] = [...items.values()].sort((a, b) => (a[id] < b[id] ? -1 : a[id] > b[id] ? 1 : 0));
    }
    return out;
  }
  connect();
})();
