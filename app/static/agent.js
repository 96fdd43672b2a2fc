/* contactops agent console: the softphone.
 *
 * State from GET /api/console/state and the /ws/agent websocket; actions are POSTs to
 * /api/console/* with the X-CSRF-Token header. An offer rings (flashing panel and a short
 * tone) and pops the caller's profile from GET /api/customers/{id}.
 */
(function () {
  "use strict";

  const root = document.getElementById("softphone");
  // no softphone for a login without an agent profile (e.g. admin): nothing to connect to
  if (!root || !root.dataset.agentLogin) return;

  const KO = document.documentElement.lang === "ko";
  const T = KO ? {
    softphone: "소프트폰", state: "상태", login: "로그인", logout: "로그아웃", ready: "대기",
    notReady: "이석", answer: "응답", hold: "보류", retrieve: "통화 재개", transfer: "호 전환",
    hangup: "통화 종료", wrapup: "후처리 완료", reason: "사유", disposition: "처리 결과",
    choose: "선택", note: "메모", rm: "전담 RM", consent: "마케팅 동의", transferNote: "전환 메모", timers: { not_ready: "이석", ready: "대기",
      reserved: "수신", talking: "통화", hold: "보류", wrap_up: "후처리", logged_out: "로그아웃" },
    ringLeft: "응답 마감", transferTimedOut: "전환한 상담원이 응답하지 않아 통화가 큐로 돌아갔습니다",
    notReached: "콜백 연결 실패", demoPattern: "데모: {hour} 시간대의 인입 패턴으로 콜이 들어옵니다",
    queue: "큐", agent: "상담원", contact: "통화", tier: "등급", waited: "대기 시간",
    ringing: "전화 수신 중", none: "통화 없음", customer: "고객", products: "보유 상품",
    takeOver: "직접 응대 시작", robotNote: "데모 자동 상담원이 이 계정을 처리 중입니다. '직접 응대 시작'을 누르면 넘겨받습니다.",
    history: "최근 상담", nothing: "없음", unknownCaller: "고객 정보 없음", live: "실시간 연결", offline: "연결 끊김",
    states: { logged_out: "로그아웃", not_ready: "이석", ready: "대기", reserved: "수신 중",
              talking: "통화 중", hold: "보류", wrap_up: "후처리" },
    codes: {
      private_banker: "PB", platinum: "플래티넘", gold: "골드", silver: "실버", core: "일반", inactive: "휴면",
      deposit: "예금", loan: "대출", card: "카드", fund: "펀드",
      branch: "영업점", call_center: "콜센터", web: "웹", outbound: "아웃바운드",
      break: "휴식", lunch: "점심", coaching: "코칭", meeting: "회의", after_call_work: "후처리 작업",
      training: "교육", resolved: "해결", follow_up: "후속 조치", escalated: "상위 이관", sale: "판매",
      no_sale: "판매 안 됨", wrong_number: "잘못 걸린 전화",
      no_answer: "응답 없음", busy: "통화 중", machine: "자동 응답기", invalid: "결번",
      // segments
      high_net_worth: "고액 자산가", affluent: "우량 고객", mass_affluent: "준우량 고객", mass: "일반 고객",
      youth: "청년", senior: "시니어", sme_owner: "소상공인",
      // contact reasons
      account_opening: "계좌 개설", deposit_renewal: "예금 재예치", loan_application: "대출 신청",
      cash_service: "현금 업무", document_request: "증명서 발급", balance_inquiry: "잔액 문의",
      card_lost: "카드 분실", transfer_error: "이체 오류", loan_inquiry: "대출 문의",
      fx_remittance: "해외 송금", password_reset: "비밀번호 재설정", complaint: "불만",
      internet_banking_login: "인터넷뱅킹 로그인", product_inquiry: "상품 문의",
      address_change: "주소 변경", chat_inquiry: "채팅 상담", deposit_maturity_notice: "예금 만기 안내",
      cross_sell_card: "카드 교차 판매", collections_reminder: "연체 안내", satisfaction_survey: "만족도 조사",
      // contact outcomes
      completed: "완료", transferred: "호 전환", complaint_logged: "불만 접수", accepted: "수락",
      declined: "거절", callback_requested: "콜백 요청", promise_to_pay: "납부 약속", paid: "납부 완료",
      dispute: "이의 제기", renewed: "재예치", not_renewed: "재예치 안 함",
    },
  } : {
    softphone: "Softphone", state: "State", login: "Log in", logout: "Log out", ready: "Ready",
    notReady: "Not ready", answer: "Answer", hold: "Hold", retrieve: "Resume", transfer: "Transfer",
    hangup: "Hang up", wrapup: "Wrap up", reason: "Reason", disposition: "Disposition",
    choose: "Choose", note: "Note", rm: "RM", consent: "marketing consent", transferNote: "Transfer note", timers: { not_ready: "Not ready",
      ready: "Ready", reserved: "Ringing", talking: "Talking", hold: "On hold", wrap_up: "Wrap-up",
      logged_out: "Logged out" },
    ringLeft: "answer within", transferTimedOut: "The agent you transferred to did not answer: the call went back to the queue",
    notReached: "Callback not reached", demoPattern: "demo: calls follow the {hour} pattern",
    queue: "Queue", agent: "Agent", contact: "Contact", tier: "Tier", waited: "Waited",
    ringing: "Incoming call", none: "No contact", customer: "Customer", products: "Products",
    takeOver: "Take over", robotNote: "A demo robot is working this agent; press Take over to work it yourself.",
    history: "Recent contacts", nothing: "None", unknownCaller: "No customer profile", live: "live", offline: "offline",
    states: { logged_out: "logged out", not_ready: "not ready", ready: "ready", reserved: "ringing",
              talking: "talking", hold: "on hold", wrap_up: "wrap-up" },
    codes: {
      private_banker: "private banker", after_call_work: "after-call work", follow_up: "follow-up",
      no_sale: "no sale", wrong_number: "wrong number", call_center: "call center",
      no_answer: "no answer", machine: "answering machine", invalid: "invalid number",
    },
  };
  // the page's words from the Babel catalogs (app/pages/console_labels.py): tier, stage,
  // segment, product and channel codes, and the center's time zone
  const LABELS = JSON.parse((document.getElementById("console-labels") || {}).textContent || "{}");
  const CODES = LABELS.codes || {};
  // codes without a translation read as words ("balance_inquiry" -> "balance inquiry")
  const label = (code) => (code == null ? "" : CODES[code] || T.codes[code] ||
    (window.ContactopsCodes || {})[code] || String(code).replace(/_/g, " "));
  const REASONS = ["break", "lunch", "training", "meeting", "coaching"];
  // keyboard shortcuts (Alt + key): in aria-keyshortcuts and a visual badge, never in the name
  const KEYS = { login: "L", ready: "R", notReady: "N", answer: "A", hold: "H", retrieve: "U",
                 transfer: "T", hangup: "E", wrapup: "W", logout: "O" };
  // state icons, so that no state is told by colour alone
  const ICONS = { logged_out: "○", not_ready: "■", ready: "✓", reserved: "☎", talking: "◆",
                  hold: "‖", wrap_up: "✎" };
  const CONTACT_REASONS = ["balance_inquiry", "account_opening", "deposit_renewal", "loan_inquiry",
    "loan_application", "card_lost", "transfer_error", "fx_remittance", "password_reset",
    "internet_banking_login", "product_inquiry", "address_change", "complaint"];
  const DISPOSITIONS = ["resolved", "follow_up", "escalated", "sale", "no_sale", "wrong_number"];
  // a callback the agent dialled that did not reach the customer (retried later, or closed)
  const DIAL_FAILURES = ["no_answer", "busy", "machine", "invalid"];
  const CALLBACK_DIALLING = ["reserved", "talking", "hold"];

  // Which buttons make sense in which agent state (the server still decides: 409 otherwise).
  const ENABLED = {
    logged_out: ["login"],
    not_ready: ["ready", "notReady", "logout"],
    ready: ["notReady", "logout"],
    reserved: ["answer", "notReady"],
    talking: ["hold", "transfer", "hangup"],
    hold: ["retrieve", "transfer", "hangup"],
    wrap_up: ["wrapup", "notReady"],
  };

  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let current = null;
  // the console's one ring tone (ContactopsConsole.ringTone; agent_softphone.js rings with it):
  // an 880 Hz beep of `seconds` in an AudioContext of its own, closed once the beep has played,
  // since browsers cap a page's live contexts and a console rings all day
  const RING_SECONDS = 0.4;
  function ringTone(seconds = RING_SECONDS) {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + seconds);
      // a timer, not osc.onended: a context the autoplay policy holds suspended never ends its beep
      setTimeout(() => ctx.close().catch(() => { /* closed already */ }), seconds * 1000 + 200);
    } catch (_) { /* no audio: the flashing panel is enough */ }
  }
  // an offer rings here unless another panel rings for the console (the SIP line: one ring, not two)
  let ringTakenOver = false;
  let poppedFor = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child == null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function select(name, options) {
    return el("select", { name }, ...options.map((o) => el("option", { value: o }, label(o))));
  }

  // --- layout ------------------------------------------------------------------------------
  const stateBadge = el("span", { class: "badge", id: "sp-state" }, "…");
  const stateIcon = el("span", { id: "sp-icon", class: "sp-icon", "aria-hidden": "true" }, "");
  const link = el("span", { class: "muted", id: "sp-link" }, "");
  const message = el("p", { class: "error", id: "sp-error", role: "alert" });
  const robotNote = el("p", { class: "muted", id: "sp-robot", hidden: "" }, T.robotNote);
  const contactBox = el("div", { id: "sp-contact", class: "muted" }, T.none);
  const reason = select("reason", REASONS);
  // the disposition starts empty for every call (never the previous call's choice)
  const disposition = select("disposition", DISPOSITIONS);
  disposition.prepend(el("option", { value: "" }, "— " + T.choose + " —"));
  disposition.value = "";
  // the contact reason (first-contact resolution groups by it) and notes, empty for every call
  const contactReason = select("contact-reason", CONTACT_REASONS);
  contactReason.prepend(el("option", { value: "" }, "— " + T.reason + " —"));
  contactReason.value = "";
  contactReason.setAttribute("aria-label", T.reason);
  disposition.setAttribute("aria-label", T.disposition);
  const wrapNotes = el("input", { name: "wrap-notes", size: "14", maxlength: "2000",
                                  placeholder: T.note, "aria-label": T.note });
  // seconds the caller waited, fixed once the call is answered (keyed by contact id)
  const waitedAtAnswer = {};
  const dialFailure = select("dial-result", DIAL_FAILURES);
  const transferKind = el("select", { name: "transfer-kind" },
    el("option", { value: "queue" }, T.queue), el("option", { value: "agent" }, T.agent));
  const transferTarget = el("input", { name: "transfer-target", size: "10", placeholder: "loans / agent07",
                                        "aria-label": T.queue + " / " + T.agent });
  const transferNote = el("input", { name: "transfer-note", size: "18", maxlength: "500",
                                      placeholder: T.note, "aria-label": T.transferNote });
  const timerBox = el("p", { id: "sp-timer", class: "sp-timer", "aria-live": "off" }, "");
  const buttons = {};
  const actions = {};
  function button(key, path, body) {
    actions[key] = () => act(path, body && body());
    const attrs = { type: "button", "data-action": key, onclick: actions[key], class: "sp-btn" };
    if (KEYS[key]) attrs["aria-keyshortcuts"] = "Alt+" + KEYS[key];
    buttons[key] = el("button", attrs, T[key]);
    if (KEYS[key]) buttons[key].append(" ", el("kbd", { "aria-hidden": "true", class: "sp-key" }, "Alt+" + KEYS[key]));
    return buttons[key];
  }
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const key = Object.keys(KEYS).find((k) => KEYS[k] === e.key.toUpperCase() || "Key" + KEYS[k] === e.code);
    if (key && buttons[key] && !buttons[key].disabled) { e.preventDefault(); actions[key](); }
  });
  // hooks for panels kept in files of their own: render(state) after the buttons are set,
  // route(path, body, state) -> [path, body] before an action is sent
  const hooks = { render: [], route: [] };
  window.ContactopsConsole = {
    el, buttons, act: (path, body) => act(path, body), state: () => current, ko: KO,
    onRender: (f) => { hooks.render.push(f); if (current) f(current); },
    onRoute: (f) => hooks.route.push(f),
    ringTone, takeOverRing: () => { ringTakenOver = true; },
  };
  const pop = el("section", { id: "sp-pop", class: "card", hidden: "" });
  // state.demo: outside business hours the demo's calls follow a business-hour pattern
  const demoNote = el("p", { class: "muted demo-note", role: "note", hidden: "" });
  // the screen pop goes on top of the wide right-hand column (the lookup panel), not under the buttons
  const popHome = document.getElementById("screen-pop");

  root.append(
    el("h2", {}, T.softphone, " ", stateIcon, " ", stateBadge, " ", link),
    el("div", { class: "softphone-row" }, button("login", "login"), " ", button("ready", "ready"), " ",
       reason, button("notReady", "not-ready", () => ({ reason: reason.value })), " ", button("logout", "logout")),
    el("div", { class: "softphone-row" }, button("answer", "answer"), " ", button("hold", "hold"), " ",
       button("retrieve", "retrieve"), " ", button("hangup", "hangup")),
    el("div", { class: "softphone-row" }, transferKind, transferTarget,
       transferNote,
       button("transfer", "transfer", () => ({ [transferKind.value]: transferTarget.value.trim(),
                                                note: transferNote.value.trim() }))),
    el("div", { class: "softphone-row", id: "sp-callback-row" }, dialFailure,
       button("notReached", "callback-not-reached", () => ({ result: dialFailure.value }))),
    el("div", { class: "softphone-row" }, disposition,
       contactReason, wrapNotes,
       button("wrapup", "wrapup", () => {
         const body = { notes: wrapNotes.value.trim() };
         if (disposition.value) body.disposition = disposition.value;
         if (contactReason.value) body.reason = contactReason.value;
         return body;
       })),
    timerBox, robotNote, demoNote, contactBox, message,
  );
  if (popHome) popHome.prepend(pop); else root.append(pop);
  const style = document.createElement("style");
  style.textContent = `
    #softphone .softphone-row { margin: .4rem 0; display: flex; gap: .3rem; flex-wrap: wrap; align-items: center; }
    #softphone button[disabled] { opacity: .4; cursor: default; }
    #softphone .sp-btn { min-height: 2.1rem; padding: .25rem .5rem; font-size: .95rem; }
    #softphone .softphone-row { margin: .25rem 0; }
    #sp-state { border: 1px solid currentColor; }
    #softphone .sp-key { font-size: .7rem; opacity: .7; margin-left: .2rem; }
    #softphone .sp-timer { font-variant-numeric: tabular-nums; font-size: 1.1rem; margin: .3rem 0; }
    #softphone.ringing { animation: sp-ring 1s infinite; }
    @keyframes sp-ring { 50% { background: #fff4d6; } }
    #sp-state.st-ready { background: #dcfce7; color: #166534; }
    #sp-state.st-reserved, #sp-state.st-hold { background: #fef3c7; color: #92400e; }
    #sp-state.st-talking { background: #dbeafe; color: #1e40af; }
    #sp-state.st-not_ready, #sp-state.st-logged_out { background: #f3f4f6; color: #374151; }`;
  document.head.append(style);

  // --- rendering -----------------------------------------------------------------------------
  function render(state) {
    const before = current;
    current = state;
    // other panels follow the agent's state: detail {state, before} (agent_day.js: a finished
    // wrap-up counts now; agent_offers.js: next best offers for the call in hand)
    document.dispatchEvent(new CustomEvent("contactops:state", { detail: { state, before } }));
    stateIcon.textContent = ICONS[state.state] || "";
    stateBadge.textContent = T.states[state.state] || state.state;
    stateBadge.className = "badge st-" + state.state;
    if (state.reason) stateBadge.textContent += " · " + label(state.reason);
    let allowed = ENABLED[state.state] || [];
    if (state.contact && state.contact.callback && CALLBACK_DIALLING.includes(state.state)) {
      allowed = allowed.concat(["notReached"]);
    }
    if (state.robot) allowed = ["login"]; // a demo robot works this agent: take over first
    // the callback's dial result only for a callback (the console fits one 1366x768 screen)
    const callbackRow = document.getElementById("sp-callback-row");
    if (callbackRow) callbackRow.style.display = state.contact && state.contact.callback ? "" : "none";
    for (const [key, b] of Object.entries(buttons)) b.disabled = !allowed.includes(key);
    for (const hook of hooks.render) hook(state); // panels of their own files (agent_consult.js)
    robotNote.hidden = !state.robot;
    demoNote.textContent = state.demo ? T.demoPattern.replace("{hour}", state.demo.pattern_hour) : "";
    demoNote.hidden = !state.demo;
    root.classList.toggle("ringing", state.state === "reserved");
    tick();
    const c = state.contact;
    contactBox.replaceChildren();
    if (!c) {
      contactBox.append(T.none);
      pop.hidden = true;
      poppedFor = null;
      return;
    }
    let waited = waitedAtAnswer[c.contact_id];
    if (waited == null) {
      // the wait ends at answer: once talking (or later) the clock stops
      const answered = state.state === "talking" && state.since ? state.since : Date.now() / 1000;
      waited = Math.max(0, Math.round(answered - c.arrived_at));
      if (state.state !== "reserved" && state.state !== "ready") waitedAtAnswer[c.contact_id] = waited;
    }
    contactBox.append(el("strong", {}, state.state === "reserved" ? T.ringing : T.contact), " ",
      c.contact_id, " · ", T.queue, " ", label(c.queue), " · ", T.tier, " ",
      el("span", { class: "badge tier-" + c.tier }, label(c.tier)), " · ", T.waited, " ", waited, "s");
    if (c.transfer_note) {
      contactBox.append(el("p", { class: "sp-note" }, el("strong", {}, T.transferNote), " (",
        c.transferred_by || "", "): ", c.transfer_note));
    }
    if (poppedFor !== c.contact_id) {
      poppedFor = c.contact_id;
      disposition.value = "";
      contactReason.value = "";
      wrapNotes.value = "";
      transferNote.value = "";
      screenPop(c);
      if (state.state === "reserved" && !ringTakenOver) ringTone();
    }
  }

  const mmss = (sec) => {
    sec = Math.max(0, Math.floor(sec));
    return String(Math.floor(sec / 60)).padStart(2, "0") + ":" + String(sec % 60).padStart(2, "0");
  };
  // state time (ringing, talking, on hold, wrap-up…) and the ring countdown
  function tick() {
    if (!current) return;
    const now = Date.now() / 1000;
    const parts = [];
    if (current.since) parts.push((T.timers[current.state] || current.state) + " " + mmss(now - current.since));
    if (current.state === "reserved" && current.since && current.ring_timeout_seconds) {
      parts.push(T.ringLeft + " " + mmss(current.since + current.ring_timeout_seconds - now));
    }
    timerBox.textContent = parts.join(" · ");
  }

  function listOrNone(items) {
    return items.length ? el("ul", {}, ...items) : el("p", { class: "muted" }, T.nothing);
  }

  async function screenPop(contact) {
    pop.hidden = false;
    pop.replaceChildren(el("h3", {}, T.customer));
    if (!contact.customer_id) {
      pop.append(el("p", { class: "muted" }, T.unknownCaller));
      return;
    }
    try {
      // the reason is checked by the server against the engine's view of this agent
      const r = await fetch("/api/customers/" + encodeURIComponent(contact.customer_id) +
        "?reason=current_contact",
        { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error((await r.json()).detail || r.statusText);
      const cu = await r.json();
      pop.className = "card customer tier-" + cu.value_tier;
      pop.append(
        el("p", {}, el("strong", {}, cu.name), " ", el("span", { class: "badge" }, label(cu.value_tier)),
          " · ", label(cu.segment || ""), cu.do_not_call ? " · DNC" : ""),
        el("p", { class: "muted" }, label(cu.lifecycle_stage || ""),
          cu.home_branch ? " · " + cu.home_branch : "",
          cu.relationship_manager_id != null ? " · " + T.rm + " #" + cu.relationship_manager_id : "",
          " · ", T.consent, " ", cu.marketing_consent ? "✓" : "✗"),
        el("h4", {}, T.products),
        listOrNone((cu.products || []).slice(0, 8).map((p) =>
          el("li", {}, label(p.kind), " · ", p.name, " · ", p.balance_krw == null ? "•••" : Number(p.balance_krw).toLocaleString() + " KRW",
            p.maturity_date ? " · " + p.maturity_date : ""))),
        el("h4", {}, T.history),
        listOrNone((cu.contacts || []).slice(0, 5).map((h) =>
          el("li", {}, when(h.at), " · ", label(h.channel), " · ",
            label(h.reason || ""), " ", h.outcome ? "(" + label(h.outcome) + ")" : "",
            h.handled_by ? " · " + h.handled_by : "", h.notes ? el("div", { class: "muted" }, h.notes) : null))),
      );
      // other panels (agent_profile.js) add to the pop of this customer and call
      document.dispatchEvent(new CustomEvent("contactops:screen-pop", { detail: { customer: cu, contact, pop } }));
    } catch (err) {
      pop.append(el("p", { class: "error" }, String(err.message || err)));
    }
  }

  // contact times in the bank's time zone, as the server-rendered pages show them
  const WHEN = new Intl.DateTimeFormat(KO ? "ko-KR" : "en-GB", {
    timeZone: LABELS.time_zone || "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
  function when(at) {
    const d = new Date(/Z|[+-]\d\d:?\d\d$/.test(String(at)) ? at : at + "Z");
    return isNaN(d) ? String(at).slice(0, 16).replace("T", " ") : WHEN.format(d);
  }


  // --- the telephony interface ------------------------------------------------------------------
  /* The page talks to one Phone: request(action, body) -> Promise<state>, state() ->
   * Promise<state>, connect(handlers) with handlers.onState(state), onTransferTimedOut(msg),
   * onLink(live). The built-in phone is the live center's console API and /ws/agent; a SIP/WebRTC
   * phone can replace it (window.ContactopsPhone) without changing the page's logic. */
  function builtInPhone() {
    async function asJson(r) {
      const data = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(data.detail || r.status + " " + r.statusText);
      return data;
    }
    return {
      request(action, body) {
        return fetch("/api/console/" + action, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify(body || {}),
        }).then(asJson);
      },
      state() {
        return fetch("/api/console/state", { headers: { Accept: "application/json" } }).then(asJson);
      },
      connect(handlers) {
        let delay = 1000;
        const open = () => {
          const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent");
          ws.onopen = () => { handlers.onLink(true); delay = 1000; };
          ws.onmessage = (m) => {
            const data = JSON.parse(m.data);
            if (data.type === "state") handlers.onState(data);
            else if (data.type === "transfer_timed_out") handlers.onTransferTimedOut(data);
          };
          ws.onclose = () => {
            handlers.onLink(false);
            setTimeout(open, delay);
            delay = Math.min(delay * 2, 30000);
          };
        };
        open();
      },
    };
  }
  const Phone = window.ContactopsPhone || builtInPhone();

  // --- actions --------------------------------------------------------------------------------
  // States pushed by the websocket, counted: an action's answer that comes back after the
  // socket has pushed a state is older than that state (e.g. the wrap-up's answer, which
  // waits for the history write, after the next call was already offered), so it is not shown.
  let pushed = 0;
  async function act(path, body) {
    message.textContent = "";
    if (path === "answer" && current && current.contact) body = { contact_id: current.contact.contact_id };
    for (const hook of hooks.route) [path, body] = hook(path, body, current);
    if (path == null) return; // softphone seam: a route hook handled it alone (agent_softphone.js)
    try {
      const before = pushed;
      const state = await Phone.request(path, body);
      if (pushed === before) render(state);
    } catch (err) {
      message.textContent = String(err.message || err);
    }
  }

  async function refresh() {
    render(await Phone.state());
  }

  function connect() {
    Phone.connect({
      onState: (state) => { pushed += 1; render(state); },
      onLink: (live) => { link.textContent = live ? "● " + T.live : "○ " + T.offline; },
      onTransferTimedOut: (data) => {
        message.textContent = T.transferTimedOut + " (" + data.event.contact_id + ")";
      },
    });
  }

  refresh().catch((err) => { message.textContent = String(err); });
  connect();
  setInterval(tick, 1000); // the timers
})();
