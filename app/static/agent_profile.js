/* contactops agent console: the profile refresh in the screen pop.
 *
 * When agent.js pops a customer (the contactops:screen-pop event) this adds a line to the pop:
 * when the profile was last refreshed and by whom, "refresh due" for a managed customer not
 * refreshed for 60 days, and an "Edit profile" button (only while the agent is on the call
 * with this customer: the server decides, GET /api/customers/{id}/profile says may_edit).
 * The button opens a dialog to add, change and remove phone numbers, set marketing consent,
 * do-not-call and the home branch, add, change and remove life events, confirm that nothing
 * changed, and read the change log (who changed what and when, on which call).
 * Words from the page (#console-labels); times in the center's time zone.
 */
(function () {
  "use strict";
  const L = JSON.parse((document.getElementById("console-labels") || {}).textContent || "{}");
  const U = L.ui || {};
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const fmt = (text, args) => String(text).replace(/%\((\w+)\)s/g, (_, k) => (args[k] == null ? "" : args[k]));
  const code = (group, c) => ((L[group] || {})[c] || String(c).replace(/_/g, " "));
  const WHEN = new Intl.DateTimeFormat(L.locale === "ko" ? "ko-KR" : "en-GB", {
    timeZone: L.time_zone || "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
  const when = (at) => {
    const d = new Date(/Z|[+-]\d\d:?\d\d$/.test(String(at)) ? at : at + "Z");
    return isNaN(d) ? String(at) : WHEN.format(d);
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, "");
      else if (v !== false && v != null) node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  function options(group, codes, chosen) {
    return codes.map((c) => el("option", { value: c, selected: c === chosen }, code(group, c)));
  }

  const style = document.createElement("style");
  style.textContent = `
    #pf-line { margin: .2rem 0; display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; font-size: .9rem; }
    #pf-line .pf-due { background: #fef3c7; color: #92400e; border: 1px solid currentColor; }
    #pf-dialog { width: min(920px, 96vw); max-height: 92vh; padding: .8rem 1rem; border: 1px solid var(--line); border-radius: 8px; }
    #pf-dialog h2 { font-size: 1.1rem; margin: 0 0 .4rem; display: flex; justify-content: space-between; align-items: center; }
    #pf-dialog h3 { font-size: .95rem; margin: .5rem 0 .2rem; }
    #pf-dialog .pf-cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
    #pf-dialog .pf-row { display: flex; gap: .3rem; align-items: center; margin: .15rem 0; flex-wrap: wrap; }
    #pf-dialog input[type=text], #pf-dialog input[type=tel] { width: 10rem; }
    #pf-dialog [data-event] input[name=event-note] { width: 7rem; }
    #pf-dialog button { padding: .2rem .5rem; }
    #pf-dialog button.pf-secondary { background: #fff; color: var(--accent); }
    #pf-dialog table { font-size: .82rem; margin: 0; }
    #pf-dialog .pf-log { max-height: 11rem; overflow-y: auto; }
    #pf-dialog [role=alert] { min-height: 1.2em; margin: .2rem 0; }`;
  document.head.append(style);

  const dialog = el("dialog", { id: "pf-dialog", "aria-labelledby": "pf-title" });
  document.body.append(dialog);
  let shown = null; // { customerId, line }

  async function call(method, path, body) {
    const r = await fetch("/api/customers/" + encodeURIComponent(shown.customerId) + path, {
      method,
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body == null ? undefined : JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.detail || r.status + " " + r.statusText);
    return data;
  }

  function ago(p) {
    if (!p.last_refreshed_at) return U.neverRefreshed;
    const days = p.days_since_refresh || 0;
    const text = days < 1 ? U.today : days < 60 ? fmt(U.daysAgo, { days }) : fmt(U.monthsAgo, { months: Math.floor(days / 30) });
    return fmt(U.lastRefreshed, { ago: text, who: p.last_refreshed_by });
  }

  function renderLine(p) {
    const line = shown.line;
    const parts = [el("strong", {}, U.profile), " ",
      el("span", { id: "pf-refreshed", class: "muted" }, ago(p)),
      p.refresh_due ? el("span", { class: "badge pf-due", id: "pf-due" }, "⚠ " + U.refreshDue) : null,
      el("button", { type: "button", id: "pf-edit", onclick: () => open(p) }, U.editProfile)];
    line.replaceChildren(...parts.filter((x) => x != null));
    if (!p.may_edit) {
      line.querySelector("#pf-edit").disabled = true;
      line.querySelector("#pf-edit").title = U.readOnly;
    }
  }

  // the log keeps codes ("child_wedding 2027-05-01 · note", "+8210... (mobile)"): shown in words
  function pretty(field, text) {
    if (!text) return text;
    if (field === "life_event") return text.replace(/^(\w+)/, (c) => code("life_event", c));
    if (field === "phone") return text.replace(/\((\w+)\)$/, (_, c) => "(" + code("phone", c) + ")");
    if (text === "true" || text === "false") return text === "true" ? "✓" : "✗";
    return text;
  }

  function phoneRow(p, ph) {
    const number = el("input", { type: "tel", name: "phone-number", value: ph.number, maxlength: "32", "aria-label": U.number });
    const kind = el("select", { name: "phone-kind", "aria-label": U.kind }, ...options("phone", p.phone_kinds, ph.kind));
    return el("div", { class: "pf-row", "data-phone": ph.id }, number, kind,
      el("button", { type: "button", onclick: () => save("PATCH", "/phones/" + ph.id, { number: number.value, kind: kind.value }) }, U.save),
      el("button", { type: "button", class: "pf-secondary", onclick: () => save("DELETE", "/phones/" + ph.id) }, U.remove));
  }

  function eventRow(p, ev) {
    const kind = el("select", { name: "event-kind", "aria-label": U.kind }, ...options("life_event", p.life_event_kinds, ev.kind));
    const date = el("input", { type: "date", name: "event-date", value: ev.on_date || "", "aria-label": U.date });
    const note = el("input", { type: "text", name: "event-note", value: ev.note, maxlength: "500", "aria-label": U.note });
    return el("div", { class: "pf-row", "data-event": ev.id }, kind, date, note,
      el("button", { type: "button", onclick: () => save("PATCH", "/life-events/" + ev.id, { kind: kind.value, on_date: date.value || null, note: note.value }) }, U.save),
      el("button", { type: "button", class: "pf-secondary", onclick: () => save("DELETE", "/life-events/" + ev.id) }, U.remove));
  }

  function renderDialog(p) {
    const newNumber = el("input", { type: "tel", name: "new-phone-number", maxlength: "32", placeholder: "010-1234-5678", "aria-label": U.number });
    const newKind = el("select", { name: "new-phone-kind", "aria-label": U.kind }, ...options("phone", p.phone_kinds, "mobile"));
    const consent = el("input", { type: "checkbox", name: "marketing-consent", checked: p.marketing_consent });
    const dnc = el("input", { type: "checkbox", name: "do-not-call", checked: p.do_not_call });
    const branch = el("input", { type: "text", name: "home-branch", value: p.home_branch, maxlength: "60" });
    const evKind = el("select", { name: "new-event-kind", "aria-label": U.kind }, ...options("life_event", p.life_event_kinds, p.life_event_kinds[0]));
    const evDate = el("input", { type: "date", name: "new-event-date", "aria-label": U.date });
    const evNote = el("input", { type: "text", name: "new-event-note", maxlength: "500", "aria-label": U.note, placeholder: U.note });
    const log = el("tbody", {}, ...(p.changes.length ? p.changes.map((c) => el("tr", {},
      el("td", {}, when(c.at)), el("td", {}, code("field", c.field)), el("td", {}, pretty(c.field, c.old_value)),
      el("td", {}, pretty(c.field, c.new_value)), el("td", {}, c.changed_by), el("td", {}, c.contact_id || ""))) :
      [el("tr", {}, el("td", { colspan: "6", class: "muted" }, U.none))]));
    dialog.replaceChildren(
      el("h2", { id: "pf-title" }, p.name + " · " + U.profile,
        el("span", {}, el("button", { type: "button", class: "pf-secondary", onclick: () => save("POST", "/profile/confirm") }, U.confirm), " ",
          el("button", { type: "button", onclick: () => dialog.close() }, U.close))),
      el("p", { class: "muted" }, ago(p), p.refresh_due ? " · ⚠ " + U.refreshDue : ""),
      el("p", { id: "pf-error", class: "error", role: "alert" }),
      el("div", { class: "pf-cols" },
        el("div", {},
          el("h3", {}, U.phones),
          ...p.phones.map((ph) => phoneRow(p, ph)),
          el("div", { class: "pf-row" }, newNumber, newKind,
            el("button", { type: "button", onclick: () => save("POST", "/phones", { number: newNumber.value, kind: newKind.value }) }, U.addPhone)),
          el("div", { class: "pf-row" }, el("label", {}, consent, " ", U.consent), el("label", {}, dnc, " ", U.doNotCall)),
          el("div", { class: "pf-row" }, el("label", {}, U.homeBranch, " ", branch),
            el("button", { type: "button", onclick: () => save("PATCH", "/profile", { marketing_consent: consent.checked, do_not_call: dnc.checked, home_branch: branch.value }) }, U.save))),
        el("div", {},
          el("h3", {}, U.lifeEvents),
          ...p.life_events.map((ev) => eventRow(p, ev)),
          el("div", { class: "pf-row" }, evKind, evDate, evNote,
            el("button", { type: "button", onclick: () => save("POST", "/life-events", { kind: evKind.value, on_date: evDate.value || null, note: evNote.value }) }, U.addLifeEvent)))),
      el("h3", {}, U.changeLog),
      el("div", { class: "pf-log" }, el("table", { id: "pf-log" },
        el("thead", {}, el("tr", {}, ...[U.when, U.field, U.oldValue, U.newValue, U.by, U.contact].map((h) => el("th", {}, h)))),
        log)),
    );
  }

  async function save(method, path, body) {
    try {
      const p = await call(method, path, body);
      renderDialog(p);
      renderLine(p);
      dialog.querySelector("#pf-error").textContent = "";
    } catch (err) {
      dialog.querySelector("#pf-error").textContent = String(err.message || err);
    }
  }

  function open(p) {
    renderDialog(p);
    if (!dialog.open) dialog.showModal();
  }

  document.addEventListener("contactops:screen-pop", async (e) => {
    const { customer, pop } = e.detail || {};
    if (!customer || !pop) return;
    if (dialog.open) dialog.close();
    const line = el("p", { id: "pf-line" });
    pop.querySelector(":scope > p") ? pop.querySelector(":scope > p").after(line) : pop.append(line);
    shown = { customerId: customer.id, line };
    try {
      renderLine(await call("GET", "/profile"));
    } catch (err) {
      line.replaceChildren(el("span", { class: "muted" }, U.profile, ": ", String(err.message || err)));
    }
  });
})();
