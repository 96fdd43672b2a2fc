/* contactops wallboard: live tiles and tables from the /ws/wallboard websocket.
 *
 * The server sends a snapshot on connect and then about once a second, plus each stored
 * event as it happens (shown in a ticker). Colours follow the service-level goals the
 * snapshot carries: green at or above target, amber within 10 points, red below; longest
 * wait amber past the threshold, red past three times it; abandonment amber above 5 %,
 * red above 10 %.
 */
(function () {
  "use strict";

  const root = document.getElementById("live");
  if (!root) return;

  const KO = document.documentElement.lang === "ko";
  const T = KO ? {
    live: "실시간", offline: "연결 끊김", vip: "VIP", general: "일반", sl: "서비스 레벨", asa: "평균 응답 속도",
    abandon: "포기율", offered: "인입", answered: "응답", abandoned: "포기", waiting: "대기 호",
    longest: "최장 대기", queue: "큐", agents: "상담원", agent: "상담원", state: "상태", since: "경과",
    events: "최근 이벤트", reason: "사유",
  } : {
    live: "live", offline: "offline", vip: "VIP", general: "General", sl: "Service level", asa: "ASA",
    abandon: "Abandoned %", offered: "Offered", answered: "Answered", abandoned: "Abandoned",
    waiting: "Waiting", longest: "Longest wait", queue: "Queue", agents: "Agents", agent: "Agent",
    state: "State", since: "For", events: "Latest events", reason: "Reason",
  };
  const AGENT_STATES = ["ready", "reserved", "talking", "hold", "wrap_up", "not_ready", "logged_out"];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
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
    #live .link { float: right; }`;
  document.head.append(style);

  const link = el("span", { class: "muted link" }, "");
  const tiles = el("div", { class: "tiles" });
  const queueBody = el("tbody");
  const stateRow = el("tr");
  const agentBody = el("tbody");
  const ticker = el("ol", { class: "ticker", reversed: "" });
  root.append(
    el("section", { class: "card" }, link, el("h2", {}, T.live), tiles),
    el("section", { class: "card" }, el("h2", {}, T.queue),
      el("table", {}, el("thead", {}, el("tr", {},
        el("th", {}, T.queue), el("th", { class: "num" }, T.waiting), el("th", { class: "num" }, T.longest),
        el("th", { class: "num" }, T.vip + " " + T.sl), el("th", { class: "num" }, T.general + " " + T.sl),
        el("th", { class: "num" }, T.asa), el("th", { class: "num" }, T.abandon),
        el("th", { class: "num" }, T.offered))), queueBody)),
    el("section", { class: "card" }, el("h2", {}, T.agents),
      el("table", {}, el("thead", {}, el("tr", {}, ...AGENT_STATES.map((s) => el("th", { class: "num" }, s)))),
        el("tbody", {}, stateRow)),
      el("details", {}, el("summary", {}, T.agent),
        el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, T.agent), el("th", {}, T.state),
          el("th", {}, T.reason), el("th", { class: "num" }, T.since))), agentBody))),
    el("section", { class: "card" }, el("h2", {}, T.events), ticker),
  );

  function tile(label, value, cls) {
    return el("div", { class: "tile " + (cls || "") }, el("div", { class: "label" }, label),
      el("div", { class: "value " + (cls || "") }, value));
  }

  function render(s) {
    const now = s.at;
    tiles.replaceChildren();
    let waiting = 0, longest = 0;
    for (const q of s.queues) { waiting += q.waiting; longest = Math.max(longest, q.longest_wait_seconds); }
    tiles.append(tile(T.waiting, waiting), tile(T.longest, secs(longest), waitClass(longest, 20)));
    for (const seg of ["vip", "general"]) {
      const f = s.totals[seg];
      tiles.append(
        tile(T[seg] + " " + T.sl, pct(f.service_level), slClass(f.service_level, f.service_level_target)),
        tile(T[seg] + " " + T.asa, secs(f.asa_seconds), f.asa_seconds > f.threshold_seconds ? "warn" : ""),
        tile(T[seg] + " " + T.abandon, pct(f.abandon_rate), abandonClass(f.abandon_rate)),
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
        el("td", { class: "num " + waitClass(q.longest_wait_seconds, q.queue === "vip" ? 10 : 20) }, secs(q.longest_wait_seconds)),
        el("td", { class: "num " + slClass(v.service_level, v.service_level_target) }, pct(v.service_level)),
        el("td", { class: "num " + slClass(g.service_level, g.service_level_target) }, pct(g.service_level)),
        el("td", { class: "num" }, secs(asa)), el("td", { class: "num " + abandonClass(ab) }, pct(ab)),
        el("td", { class: "num" }, v.offered + g.offered));
    }));
    stateRow.replaceChildren(...AGENT_STATES.map((st) => el("td", { class: "num" }, s.agent_states[st] || 0)));
    agentBody.replaceChildren(...s.agents.map((a) => el("tr", {},
      el("td", {}, a.agent_id), el("td", {}, a.state), el("td", {}, a.reason || ""),
      el("td", { class: "num " + (a.state === "hold" && now - a.since > 60 ? "warn" : "") }, secs(now - a.since)))));
  }

  function addEvent(message) {
    const e = message.event;
    const who = [e.contact_id, e.agent_id, e.queue, e.state].filter(Boolean).join(" ");
    const time = new Date(e.at * 1000).toLocaleTimeString();
    ticker.prepend(el("li", {}, time + " #" + message.seq + " " + e.type + " " + who));
    while (ticker.children.length > 50) ticker.lastChild.remove();
  }

  let delay = 1000;
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/wallboard");
    ws.onopen = () => { link.textContent = "● " + T.live; delay = 1000; };
    ws.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.type === "snapshot") render(data);
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
