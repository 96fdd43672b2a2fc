/* contactops agent console: the outbound agenda and preview dialing (app/api/console_agenda.py).
 *
 * Lists today's agenda (GET /api/console/agenda: managed customers first, then the entries of
 * the unassigned pool claimed for this agent (a "pool" badge), each with its offer,
 * due date, last contact and the contact rules' verdict now). "Preview" opens an item (its
 * customer's screen pop, GET .../items/{key}); "Dial" asks the server to dial it (the rules are
 * checked again: a refusal names its rule) and follows the dial (GET .../dial) until the robot
 * customer answers (the softphone then shows the call, pushed by the websocket) or the dial
 * ends otherwise ("Record result": POST .../dial/record, the lead's next try). A finished
 * wrap-up reloads the agenda (a won lead leaves it). Words come from #console-labels.
 */
(function () {
  "use strict";
  const root = document.getElementById("softphone");
  const home = document.getElementById("screen-pop");
  if (!root || !root.dataset.agentLogin || !home) return;
  const L = JSON.parse((document.getElementById("console-labels") || {}).textContent || "{}");
  const U = L.ui || {};
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const fmt = (text, args) => String(text).replace(/%\((\w+)\)s/g, (_, k) => (args[k] == null ? "" : args[k]));
  const code = (group, c) => ((L[group] || {})[c]) || String(c).replace(/_/g, " ");
  const stamp = new Intl.DateTimeFormat(L.locale === "ko" ? "ko-KR" : "en-GB", {
    timeZone: L.time_zone || "Asia/Seoul", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hour12: false,
  });
  const when = (iso) => (iso ? stamp.format(new Date(iso)) : "");
  const DIAL_FROM = ["ready", "not_ready"];
  // a lead's offer, or why a campaign's list put the customer here (its name is the reason)
  const what = (item) => (item.source === "campaign" ? code("reason", item.offer) : code("offer", item.offer));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  const panel = el("section", { id: "agenda", class: "card" });
  const lookup = home.querySelector(":scope > h2");
  if (lookup) lookup.before(panel); else home.append(panel);
  const style = document.createElement("style");
  style.textContent = `
    #agenda { padding: .4rem .6rem; margin: .4rem 0; }
    #agenda h2 { font-size: 1rem; margin: 0 0 .2rem; display: flex; justify-content: space-between; }
    #agenda h2 .muted { font-weight: normal; font-size: .8rem; align-self: center; }
    #agenda ul.agenda-items { list-style: none; margin: 0; padding: 0; max-height: 9.5rem; overflow-y: auto; }
    #agenda li { display: flex; gap: .4rem; align-items: center; border-top: 1px solid var(--line); padding: .15rem 0; font-size: .88rem; }
    #agenda li .who { flex: 0 0 auto; font-weight: 600; }
    #agenda li .what { flex: 1 1 auto; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    #agenda li.refused .verdict { color: #92400e; }
    #agenda li .verdict { white-space: nowrap; font-size: .8rem; }
    #agenda li.open { background: #eff6ff; }
    #agenda button { padding: .1rem .45rem; font-size: .85rem; }
    #agenda .agenda-preview { border: 1px solid var(--line); border-radius: 4px; padding: .3rem .5rem; margin: .2rem 0 .3rem; font-size: .88rem; }
    #agenda .agenda-preview h3 { margin: 0; font-size: .98rem; }
    #agenda .agenda-preview p { margin: .1rem 0; }
    #agenda .agenda-actions { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; margin-top: .2rem; }
    #agenda .agenda-dial { font-weight: 600; }`;
  document.head.append(style);

  let items = [];
  let opened = null; // the key of the item previewed
  let preview = null; // its GET .../items/{key} answer
  let dialNote = null; // a line about the latest dial (a node)
  let agentState = null;
  let polling = null;

  async function call(method, path) {
    const r = await fetch("/api/console/agenda" + path, {
      method, headers: { Accept: "application/json", "X-CSRF-Token": csrf },
    });
    const data = await r.json().catch(() => ({}));
    return { ok: r.ok, status: r.status, data };
  }

  function verdict(item) {
    if (item.allowed) return el("span", { class: "verdict" }, "✓ " + U.canDial);
    const rules = item.refusals.map((r) => code("rule", r.rule)).join(", ");
    const until = item.refusals.map((r) => r.until).filter(Boolean).sort().pop();
    return el("span", { class: "verdict", title: item.refusals.map((r) => r.detail).join("; ") },
      "✗ " + fmt(U.refusedBy, { rules }) + (until ? " · " + fmt(U.until, { when: when(until) }) : ""));
  }

  function row(item) {
    const li = el("li", { "data-key": item.key, class: (item.allowed ? "" : "refused") + (item.key === opened ? " open" : "") },
      el("span", { class: "who" }, item.customer_name, " ", el("span", { class: "badge" }, code("tier", item.tier))),
      el("span", { class: "what" },
        item.managed ? el("span", { class: "badge" }, U.managed) : null, item.managed ? " " : null,
        item.pool ? el("span", { class: "badge pool" }, U.pool) : null, item.pool ? " " : null,
        what(item), " · ", fmt(U.dueOn, { date: item.due_on }), " · ",
        item.last_contact ? fmt(U.lastContact, { date: when(item.last_contact) }) : U.neverContacted),
      verdict(item));
    const open = el("button", { type: "button" }, U.preview);
    open.addEventListener("click", () => openItem(item.key));
    li.append(open);
    return li;
  }

  function previewBox() {
    if (!preview) return null;
    const item = preview.item;
    const dial = el("button", { type: "button", class: "agenda-dial" }, U.dial);
    if (!DIAL_FROM.includes(agentState) || polling) dial.setAttribute("disabled", "");
    dial.addEventListener("click", () => placeDial(item.key));
    const close = el("button", { type: "button" }, U.close);
    close.addEventListener("click", () => { opened = null; preview = null; dialNote = null; render(); });
    const products = preview.products.map((p) => code("product", p.kind) + " " + p.name).join(", ");
    const contacts = preview.contacts.slice(0, 3).map((c) => when(c.at) + " " + code("channel", c.channel)
      + (c.outcome ? " " + (c.outcome.startsWith("refused:") ? "✗" : code("dial", c.outcome)) : "")).join(" · ");
    return el("div", { class: "agenda-preview", id: "agenda-preview" },
      el("h3", {}, item.customer_name, " ", el("span", { class: "badge" }, code("tier", item.tier)), " ",
        el("span", { class: "muted" }, code("segment", preview.segment), " · ", code("stage", preview.lifecycle_stage))),
      el("p", {}, el("strong", {}, U.offer), " ", what(item),
        item.reason ? " · " + item.reason : "", " · ", fmt(U.attempts, { count: preview.attempts })),
      el("p", {}, el("strong", {}, U.products), " ", products || U.none),
      el("p", {}, el("strong", {}, U.recentContacts), " ", contacts || U.none),
      el("p", {}, verdict(item)),
      el("div", { class: "agenda-actions" }, dial, close, dialNote));
  }

  function render() {
    const head = el("h2", {}, U.agenda, el("span", { class: "muted" }, fmt(U.agendaCount, { count: items.length })));
    const list = el("ul", { class: "agenda-items" }, ...items.map(row));
    if (!items.length) list.append(el("li", { class: "muted" }, U.agendaNone));
    panel.replaceChildren(...[head, previewBox(), list].filter((n) => n != null)); // no "null" text
  }

  // claim=false: only read (the periodic refresh: an idle panel keeps no pool claims alive)
  async function load(claim = true) {
    const r = await call("GET", claim ? "" : "?claim=false");
    if (!r.ok) throw new Error(r.data.detail || r.status);
    items = r.data.items;
    if (opened && !items.some((i) => i.key === opened)) { opened = null; preview = null; }
    render();
  }
  const reload = (claim = true) => load(claim).catch((err) => {
    panel.replaceChildren(el("p", { class: "muted" }, U.agendaError, " (", String(err.message || err), ")"));
  });

  async function openItem(key) {
    const r = await call("GET", "/items/" + encodeURIComponent(key));
    if (!r.ok) { dialNote = el("span", { class: "error" }, r.data.detail || r.status); render(); return; }
    opened = key; preview = r.data; dialNote = null;
    render();
  }

  async function placeDial(key) {
    const r = await call("POST", "/items/" + encodeURIComponent(key) + "/dial");
    if (r.status === 409 && r.data.refusals) {
      const rules = r.data.refusals.map((x) => code("rule", x.rule)).join(", ");
      dialNote = el("span", { class: "error", id: "agenda-dial-note" }, fmt(U.dialRefused, { rules }));
      await load();
      return;
    }
    if (!r.ok) { dialNote = el("span", { class: "error", id: "agenda-dial-note" }, r.data.detail || r.status); render(); return; }
    dialNote = el("span", { id: "agenda-dial-note" }, fmt(U.ringing, { name: preview ? preview.item.customer_name : "" }));
    polling = setInterval(follow, 1000);
    render();
  }

  async function follow() {
    const r = await call("GET", "/dial");
    const dial = r.ok ? r.data : null;
    if (dial && dial.result == null) return; // still ringing
    clearInterval(polling);
    polling = null;
    if (!dial) { render(); return; }
    if (dial.result === "connected") {
      dialNote = el("span", { id: "agenda-dial-note" }, U.connectedCall);
      render();
      return;
    }
    const record = el("button", { type: "button" }, U.recordResult);
    record.addEventListener("click", recordResult);
    dialNote = el("span", { id: "agenda-dial-note" }, fmt(U.dialResult, { result: code("dial", dial.result) }), " ", record);
    render();
  }

  async function recordResult() {
    const r = await call("POST", "/dial/record");
    if (!r.ok) { dialNote = el("span", { class: "error", id: "agenda-dial-note" }, r.data.detail || r.status); render(); return; }
    const b = r.data;
    dialNote = el("span", { id: "agenda-dial-note" }, fmt(U.dialResult, { result: code("dial", b.result) }), " · ",
      b.next_allowed ? fmt(U.nextTry, { when: when(b.next_allowed) }) : U.noMoreTries);
    await load();
  }

  document.addEventListener("contactops:state", (e) => {
    const { state, before } = e.detail || {};
    agentState = state ? state.state : null;
    if (before && before.state === "wrap_up" && state && state.state !== "wrap_up") {
      // the websocket pushes the new state before the wrap-up's request has settled the
      // lead (POST /api/console/wrapup writes the history after the engine moved): again soon
      dialNote = null;
      reload();
      setTimeout(reload, 1500);
      return;
    }
    if (before && before.state === "logged_out" && agentState && agentState !== "logged_out") {
      reload(); // logged in: a batch of the unassigned pool is claimed for the agent now
      return;
    }
    if (!before || before.state !== agentState) render();
  });
  reload();
  setInterval(() => { if (!polling) reload(false); }, 60000);
})();
