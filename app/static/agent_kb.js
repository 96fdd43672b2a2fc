// The knowledge base beside the call (agent console): a search box, the articles suggested
// for the current call (its queue and the contact reason the agent picks), and an article
// opened in place. Reads /api/kb (app/api/kb.py). agent.js tells this panel the console's
// state through the "contactops:state" event; the contact reason is its <select>.
(function () {
  "use strict";
  const panel = document.getElementById("kb-panel");
  if (!panel) return;
  const L = JSON.parse(document.getElementById("kb-panel-labels").textContent);
  const LANG = document.documentElement.lang === "en" ? "en" : "ko";
  const form = document.getElementById("kb-panel-find");
  const input = form.elements.q;
  const body = document.getElementById("kb-panel-body");
  let queue = null, contactId = null, timer = null, seq = 0;
  let listView = null; // the list (suggestions or results) to go back to from an article

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }
  // pieces from the search API: hits in <mark>, everything as text (never HTML)
  const pieces = (list) => list.map((p) => (p.hit ? el("mark", { class: "kb-hit" }, p.text) : document.createTextNode(p.text)));
  async function get(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(res.status + " " + res.statusText);
    return res.json();
  }
  const reasonSelect = () => document.querySelector('select[name="contact-reason"]');
  const meta = (a) => el("span", { class: "kb-meta" }, " " + (L[a.kind] || a.kind) + (a.language !== LANG ? " · " + L[a.language] : ""));

  function show(nodes) { body.replaceChildren(...nodes); }
  function row(a, title, snippet) {
    return el("li", {}, el("button", { type: "button", class: "kb-link", "data-article": a.id, onclick: () => openArticle(a.id) },
                           ...(title ? pieces(title) : [a.title])), meta(a),
              snippet ? el("div", { class: "kb-snippet" }, ...pieces(snippet)) : null);
  }
  async function suggestions() {
    const reason = reasonSelect() ? reasonSelect().value : "";
    if (input.value.trim()) return; // the agent is searching: keep the results
    if (!queue && !reason) { listView = [el("p", { class: "muted" }, L.hint)]; show(listView); return; }
    const params = new URLSearchParams({ language: LANG, limit: "5" });
    if (queue) params.set("queue", queue);
    if (reason) params.set("reason", reason);
    const mine = ++seq;
    const found = await get("/api/kb/suggestions?" + params);
    if (mine !== seq) return;
    listView = [el("h3", {}, L.suggested),
                found.length ? el("ul", { class: "kb-results" }, ...found.map((a) => row(a))) : el("p", { class: "muted" }, L.none)];
    show(listView);
  }
  async function search() {
    const q = input.value.trim();
    if (!q) { await suggestions(); return; }
    const mine = ++seq;
    const found = await get("/api/kb/search?" + new URLSearchParams({ q, limit: "8" }));
    if (mine !== seq) return;
    listView = [el("h3", {}, L.results),
                found.any_word ? el("p", { class: "muted" }, L.some) : null,
                found.hits.length ? el("ul", { class: "kb-results" }, ...found.hits.map((h) => row(h.article, h.title, h.snippet)))
                                  : el("p", { class: "muted" }, L.none)].filter(Boolean);
    show(listView);
  }
  async function openArticle(id) {
    const a = await get("/api/kb/articles/" + id);
    const heading = el("h3", { tabindex: "-1", id: "kb-article-title" }, a.title);
    show([el("article", { class: "kb-article", "aria-labelledby": "kb-article-title" },
      el("button", { type: "button", class: "kb-back", onclick: back }, "← " + L.back),
      heading,
      el("p", { class: "kb-meta" }, (L[a.kind] || a.kind) + " · " + L[a.language] + " · " + L.version + " " + a.version +
         " · " + L.by + " " + a.updated_by),
      el("div", { class: "kb-body" }, a.body))]);
    heading.focus();
  }
  function back() {
    show(listView || []);
    const first = body.querySelector("button.kb-link");
    if (first) first.focus(); else input.focus();
  }
  const report = (err) => show([el("p", { class: "error" }, String(err.message || err))]);

  form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); search().catch(report); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => search().catch(report), 250); });
  input.addEventListener("keydown", (e) => { if (e.key === "Escape" && input.value) { input.value = ""; suggestions().catch(report); } });
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.code === "KeyK" || e.key.toUpperCase() === "K")) { e.preventDefault(); input.focus(); input.select(); }
  });
  document.addEventListener("change", (e) => { if (e.target === reasonSelect()) suggestions().catch(report); });
  document.addEventListener("contactops:state", (e) => {
    const st = e.detail && e.detail.state;  // detail: {state, before}
    const c = st && st.contact;
    const q = c ? c.queue : null, id = c ? c.contact_id : null;
    if (q === queue && id === contactId) return;
    queue = q; contactId = id;
    suggestions().catch(report);
  });
  suggestions().catch(report);
})();
