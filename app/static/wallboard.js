/* contactops wallboard: live tiles and tables from the /ws/wallboard websocket.
 *
 * The server sends a snapshot on connect and then about once a second, plus each stored
 * event as it happens (shown in a ticker). Colours follow the service-level goals the
 * snapshot carries: green at or above target, amber within 10 points, red below; longest
 * wait amber past the threshold, red past three times it; abandonment amber above 5 %,
 * red above 10 %.
 *
 * Supervisor actions per agent row: force ready / not ready (with the reason code chosen above
 * the table) / log out through POST /api/supervision/agents/{login}/state, and a skills editor
 * (proficiency 1-5 per skill, "–" removes it) saving with PATCH /api/agents/{id}/skills. Rows are
 * updated in place, so an open editor survives the once-a-second snapshots.
 */
(function () {
  "use strict";

  const root = document.getElementById("live");
  if (!root) return;

  const KO = document.documentElement.lang === "ko";
  const T = KO ? {
    live: "실시간", liveTitle: "실시간 현황", offline: "연결 끊김", vip: "VIP", general: "일반", sl: "서비스 레벨", asa: "평균 응답 속도", aht: "평균 처리 시간",
    abandon: "포기율", offered: "인입", answered: "응답", abandoned: "포기", waiting: "대기 호",
    longest: "최장 대기", queue: "큐", agents: "상담원", agent: "상담원", state: "상태", since: "경과",
    events: "최근 이벤트", reason: "사유", actions: "조치", ready: "대기로", notReady: "이석으로",
    logout: "로그아웃", skills: "스킬", save: "저장", cancel: "취소", filter: "상담원·상태 검색",
    forceReason: "이석 사유", saved: "저장됨", none: "없음", byActor: (who) => who + " 조치",
    reasons: { supervisor: "관리자 조치", break: "휴식", coaching: "코칭", meeting: "회의", training: "교육", lunch: "점심" },
    states: { logged_out: "로그아웃", not_ready: "이석", ready: "대기", reserved: "수신 중",
              talking: "통화 중", hold: "보류", wrap_up: "후처리" },
  } : {
    live: "live", liveTitle: "Live", offline: "offline", vip: "VIP", general: "General", sl: "Service level", asa: "ASA", aht: "AHT",
    abandon: "Abandoned %", offered: "Offered", answered: "Answered", abandoned: "Abandoned",
    waiting: "Waiting", longest: "Longest wait", queue: "Queue", agents: "Agents", agent: "Agent",
    state: "State", since: "For", events: "Latest events", reason: "Reason", actions: "Actions",
    ready: "Ready", notReady: "Not ready", logout: "Log out", skills: "Skills", save: "Save",
    cancel: "Cancel", filter: "Filter agents or states", forceReason: "Not-ready reason",
    saved: "saved", none: "none", byActor: (who) => "by " + who,
    reasons: { supervisor: "supervisor", break: "break", coaching: "coaching", meeting: "meeting", training: "training", lunch: "lunch" },
    states: { logged_out: "logged out", not_ready: "not ready", ready: "ready", reserved: "ringing",
              talking: "talking", hold: "on hold", wrap_up: "wrap-up" },
  };
  const stateName = (st) => T.states[st] || st;
  const FORCE_REASONS = ["supervisor", "break", "coaching", "meeting", "training", "lunch"];
  // Which forced moves the agent state machine allows (the server still decides: 409 otherwise).
  const CAN = {
    ready: ["not_ready", "wrap_up"],
    not_ready: ["ready", "reserved", "wrap_up", "not_ready"],
    logged_out: ["ready", "not_ready"],
  };
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const AGENT_STATES = ["ready", "reserved", "talking", "hold", "wrap_up", "not_ready", "logged_out"];

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
  const secs = (x) => (x == null ? "–" : x < 90 ? Math.round(x) + " s" : Math.floor(x / 60) + " m " + Math.round(x % 60) + " s");

  function slClass(value, target) {
    if (value == null) return "";
    if (value >= target) return "ok";
    return value >= target - 0.1 ? "warn" : "bad";
  }
  function waitClass(wait, threshold) {
    if (wait > 3 * threshold) return "bad";
    return wait > threshold ? "warn" : "";
  }
  function abandonClass(rate) {
    if (rate == null) return "";
    if (rate > 0.1) return "bad";
    return rate > 0.05 ? "warn" : "ok";
  }

  const style = document.createElement("style");
  style.textContent = `
    #live .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .6rem; margin-bottom: 1rem; }
    #live .tile { background: #fff; border: 1px solid #e2e5ea; border-radius: 8px; padding: .6rem .8rem; }
    #live .tile .label { color: #6b7280; font-size: .8rem; }
    #live .tile .value { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
    #live .ok { color: #166534; } #live .warn { color: #b45309; } #live .bad { color: #b42318; }
    #live .tile.bad { border-color: #b42318; background: #fef2f2; }
    #live .tile.warn { border-color: #f59e0b; background: #fffbeb; }
    #live .ticker { font: 12px/1.4 ui-monospace, monospace; max-height: 12rem; overflow: auto; }
    #live .link { float: right; }
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
    #live .message { min-height: 1.2em; }`;
  document.head.append(style);

  const link = el("span", { class: "muted link" }, "");
  const demoLine = el("p", { class: "muted demo-note", role: "note", hidden: "" }); // snapshot.demo
  const tiles = el("div", { class: "tiles" });
  const queueBody = el("tbody");
  const stateRow = el("tr");
  const agentBody = el("tbody");
  const agentMessage = el("p", { class: "message error", role: "status" });
  const forceReason = el("select", { name: "force-reason" },
    ...FORCE_REASONS.map((r) => el("option", { value: r }, T.reasons[r] || r)));
  const filter = el("input", { type: "search", name: "agent-filter", placeholder: T.filter, size: "24" });
  const ticker = el("ol", { class: "ticker", reversed: "" });
  root.append(
    el("section", { class: "card" }, link, el("h2", {}, T.liveTitle), demoLine, tiles),
    el("section", { class: "card" }, el("h2", {}, T.queue),
      el("table", {}, el("thead", {}, el("tr", {},
        el("th", {}, T.queue), el("th", { class: "num" }, T.waiting), el("th", { class: "num" }, T.longest),
        el("th", { class: "num" }, T.vip + " " + T.sl), el("th", { class: "num" }, T.general + " " + T.sl),
        el("th", { class: "num" }, T.asa), el("th", { class: "num" }, T.abandon),
        el("th", { class: "num" }, T.offered))), queueBody)),
    el("section", { class: "card" }, el("h2", {}, T.agents),
      el("table", {}, el("thead", {}, el("tr", {}, ...AGENT_STATES.map((s) => el("th", { class: "num" }, stateName(s))))),
        el("tbody", {}, stateRow)),
      el("details", { open: "" }, el("summary", {}, T.agent),
        el("div", { class: "agent-tools" }, filter,
          el("label", {}, T.forceReason, " ", forceReason)),
        agentMessage,
        el("table", { id: "agent-table" }, el("thead", {}, el("tr", {}, el("th", {}, T.agent), el("th", {}, T.state),
          el("th", {}, T.reason), el("th", { class: "num" }, T.since), el("th", {}, T.actions))), agentBody))),
    el("section", { class: "card" }, el("h2", {}, T.events), ticker),
  );

  function tile(label, value, cls) {
    return el("div", { class: "tile " + (cls || "") }, el("div", { class: "label" }, label),
      el("div", { class: "value " + (cls || "") }, value));
  }

  function render(s) {
    const now = s.at;
    demoLine.textContent = s.demo ? s.demo.message : ""; demoLine.hidden = !s.demo;
    tiles.replaceChildren();
    let waiting = 0, longest = 0;
    for (const q of s.queues) { waiting += q.waiting; longest = Math.max(longest, q.longest_wait_seconds); }
    tiles.append(tile(T.waiting, waiting),
      tile(T.longest, secs(longest), waitClass(longest, s.longest_wait_threshold_seconds)));
    for (const seg of ["vip", "general"]) {
      const f = s.totals[seg];
      tiles.append(
        tile(T[seg] + " " + T.sl, pct(f.service_level), slClass(f.service_level, f.service_level_target)),
        tile(T[seg] + " " + T.asa, secs(f.asa_seconds), f.asa_seconds > f.threshold_seconds ? "warn" : ""),
        tile(T[seg] + " " + T.abandon, pct(f.abandon_rate), abandonClass(f.abandon_rate)),
        tile(T[seg] + " " + T.aht, secs(f.aht_seconds)),
      );
    }
    queueBody.replaceChildren(...s.queues.map((q) => {
      const v = q.segments.vip, g = q.segments.general;
      const answered = v.answered + g.answered;
      const asa = answered ? ((v.asa_seconds || 0) * v.answered + (g.asa_seconds || 0) * g.answered) / answered : null;
      const closed = answered + v.abandoned + g.abandoned;
      const ab = closed ? (v.abandoned + g.abandoned) / closed : null;
      return el("tr", { "data-queue": q.queue },
        el("td", {}, q.queue), el("td", { class: "num" }, q.waiting),
        el("td", { class: "num " + waitClass(q.longest_wait_seconds, q.longest_wait_threshold_seconds) }, secs(q.longest_wait_seconds)),
        el("td", { class: "num " + slClass(v.service_level, v.service_level_target) }, pct(v.service_level)),
        el("td", { class: "num " + slClass(g.service_level, g.service_level_target) }, pct(g.service_level)),
        el("td", { class: "num" }, secs(asa)), el("td", { class: "num " + abandonClass(ab) }, pct(ab)),
        el("td", { class: "num" }, v.offered + g.offered));
    }));
    stateRow.replaceChildren(...AGENT_STATES.map((st) => el("td", { class: "num" }, s.agent_states[st] || 0)));
    renderAgents(s.agents, now);
  }

  // --- agents: rows kept by login and updated in place ------------------------------------------
  const rows = new Map(); // login -> {tr, state, reason, since, buttons, editor}
  let directory = null; // login -> {id, skills: {name: proficiency}} from /api/agents
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
    const buttons = {
      ready: el("button", { type: "button", "data-action": "ready", onclick: () => force(login, "ready") }, T.ready),
      not_ready: el("button", { type: "button", "data-action": "not_ready", onclick: () => force(login, "not_ready") }, T.notReady),
      logged_out: el("button", { type: "button", "data-action": "logged_out", onclick: () => force(login, "logged_out") }, T.logout),
      skills: el("button", { type: "button", class: "secondary", "data-action": "skills", onclick: () => toggleEditor(login) }, T.skills),
    };
    const tr = el("tr", { "data-agent": login }, el("td", {}, login), el("td", {}, stateCell), reasonCell, sinceCell,
      el("td", { class: "actions" }, buttons.ready, buttons.not_ready, buttons.logged_out, buttons.skills));
    row = { tr, stateCell, reasonCell, sinceCell, buttons, editor: null, state: null };
    rows.set(login, row);
    return row;
  }

  function matches(login, state) {
    const q = filter.value.trim().toLowerCase();
    return !q || login.toLowerCase().includes(q) || state.includes(q) || stateName(state).toLowerCase().includes(q);
  }

  function renderAgents(agents, now) {
    const order = [];
    for (const a of agents) {
      const row = agentRow(a.agent_id);
      row.state = a.state;
      row.stateCell.textContent = stateName(a.state);
      row.stateCell.className = "st st-" + a.state;
      // the reason code, then who forced the move (AgentStateChanged.actor), if anyone did
      row.reasonCell.textContent = [a.reason, a.actor && T.byActor(a.actor)].filter(Boolean).join(" · ");
      row.sinceCell.textContent = secs(now - a.since);
      row.sinceCell.className = "num " + (a.state === "hold" && now - a.since > 60 ? "warn" : "");
      for (const target of ["ready", "not_ready", "logged_out"]) {
        row.buttons[target].disabled = !CAN[target].includes(a.state);
      }
      const shown = matches(a.agent_id, a.state);
      row.tr.hidden = !shown;
      if (row.editor) row.editor.hidden = !shown;
      order.push(row.tr);
      if (row.editor) order.push(row.editor);
    }
    // move rows only when the order changed (keeps focus and open editors)
    const current = [...agentBody.children];
    if (current.length !== order.length || current.some((n, i) => n !== order[i])) agentBody.append(...order);
  }
  filter.addEventListener("input", () => { if (last) renderAgents(last.agents, last.at); });

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
      if (row) { // show the new state at once; the next snapshot confirms it
        row.stateCell.textContent = stateName(data.state);
        row.stateCell.className = "st st-" + data.state;
        row.reasonCell.textContent = data.reason || "";
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
        note.textContent = "✓ " + T.saved;
      } catch (err) {
        note.textContent = String(err.message || err);
      }
    } }, T.save);
    const cancel = el("button", { type: "button", class: "secondary", onclick: () => toggleEditor(login) }, T.cancel);
    row.editor = el("tr", { class: "skills-editor", "data-skills-for": login },
      el("td", { colspan: "5" }, el("strong", {}, T.skills + " · " + login + ": "),
        ...(allSkills.length ? allSkills.map((skill, i) => el("label", { class: "skill-field" }, skill, selects[i]))
          : [el("span", { class: "muted" }, T.none)]),
        save, " ", cancel, " ", note));
    row.tr.after(row.editor);
  }

  function addEvent(message) {
    const e = message.event;
    const who = [e.contact_id, e.agent_id, e.queue, e.state].filter(Boolean).join(" ");
    const time = new Date(e.at * 1000).toLocaleTimeString();
    ticker.prepend(el("li", {}, time + " #" + message.seq + " " + e.type + " " + who));
    while (ticker.children.length > 50) ticker.lastChild.remove();
  }

  let last = null;
  let delay = 1000;
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/wallboard");
    ws.onopen = () => { link.textContent = "● " + T.live; delay = 1000; };
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.type === "snapshot") { last = data; render(data); }
      else if (data.type === "event") addEvent(data);
    };
    ws.onclose = () => {
      link.textContent = "○ " + T.offline;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
