// The knowledge base editor (/kb): list and search articles, write, edit, retire and restore
// them, read their history. Talks to /api/kb (app/api/kb.py); labels come from the page.
(function () {
  "use strict";
  const L = JSON.parse(document.getElementById("kb-labels").textContent);
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const find = $("kb-find"), results = $("kb-results"), count = $("kb-count");
  const form = $("kb-form"), error = $("kb-form-error"), status = $("kb-form-status");
  const history = $("kb-history"), versionsList = $("kb-versions");
  let editing = null; // the article being edited (null: a new one)

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  }
  // title/snippet pieces from the search API: hits in <mark>, text as text (never HTML)
  function pieces(list) {
    return list.map((p) => (p.hit ? el("mark", { class: "kb-hit" }, p.text) : document.createTextNode(p.text)));
  }
  async function api(method, url, body) {
    const res = await fetch(url, { method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: body ? JSON.stringify(body) : undefined });
    const data = res.status === 204 ? null : await res.json();
    if (!res.ok) {
      const err = new Error(res.status === 409 ? L.conflict : describe(data));
      err.status = res.status;
      throw err;
    }
    return data;
  }
  function describe(data) {
    if (data && Array.isArray(data.errors)) {
      return data.errors.map((e) => (e.loc || []).slice(-1)[0] + ": " + e.msg).join("; ");
    }
    return (data && (data.detail || data.title)) || "error";
  }
  const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

  function meta(a) {
    return el("div", { class: "kb-meta" }, L[a.language] + " · " + L[a.kind] + " · " + L.version + " " + a.version +
      " · " + a.updated_by + " · " + new Date(a.updated_at).toLocaleString() + (a.status === "retired" ? " · " + L.retired : ""));
  }
  function item(a, title, snippet) {
    const link = el("button", { type: "button", class: "kb-link" + (a.status === "retired" ? " kb-retired" : ""),
                                onclick: () => open(a.id) }, ...(title ? pieces(title) : [a.title]));
    return el("li", {}, link, meta(a), snippet ? el("div", { class: "kb-snippet" }, ...pieces(snippet)) : null);
  }
  async function refresh() {
    const data = new FormData(find);
    const q = String(data.get("q") || "").trim();
    const params = new URLSearchParams();
    if (data.get("language")) params.set("language", data.get("language"));
    let rows;
    if (q) {
      params.set("q", q); params.set("limit", "50");
      const found = await api("GET", "/api/kb/search?" + params);
      rows = found.hits.map((h) => item(h.article, h.title, h.snippet));
    } else {
      if (data.get("status")) params.set("status", data.get("status"));
      params.set("limit", "200");
      const page = await api("GET", "/api/kb/articles?" + params);
      rows = page.articles.map((a) => item(a));
    }
    results.replaceChildren(...rows);
    count.textContent = rows.length ? L.count + " " + rows.length : L.none;
  }
  function fill(a) {
    editing = a;
    $("kb-form-title").textContent = a ? L.edit + " #" + a.id : L.new;
    form.title.value = a ? a.title : "";
    form.body.value = a ? a.body : "";
    form.language.value = a ? a.language : (document.documentElement.lang === "en" ? "en" : "ko");
    form.kind.value = a ? a.kind : "procedure";
    form.tags.value = a ? a.tags.join(", ") : "";
    form.queues.value = a ? a.queues.join(", ") : "";
    form.reasons.value = a ? a.reasons.join(", ") : "";
    $("kb-retire").hidden = !a || a.status !== "active";
    $("kb-restore").hidden = !a || a.status !== "retired";
    error.textContent = "";
    history.hidden = !a;
    versionsList.replaceChildren();
  }
  async function open(id) {
    try {
      fill(await api("GET", "/api/kb/articles/" + id));
      status.textContent = "";
      const versions = await api("GET", "/api/kb/articles/" + id + "/versions");
      versionsList.replaceChildren(...versions.map((v) => el("li", {},
        el("strong", {}, L.version + " " + v.version), " · " + v.updated_by + " · " +
        new Date(v.updated_at).toLocaleString() + " · " + (L[v.status] || v.status) + " — " + v.title)));
    } catch (e) { error.textContent = e.message; }
  }
  async function save(ev) {
    ev.preventDefault();
    error.textContent = ""; status.textContent = "";
    const body = { title: form.title.value, body: form.body.value, language: form.language.value,
                   kind: form.kind.value, tags: list(form.tags.value), queues: list(form.queues.value),
                   reasons: list(form.reasons.value) };
    try {
      const saved = editing
        ? await api("PUT", "/api/kb/articles/" + editing.id, { ...body, version: editing.version })
        : await api("POST", "/api/kb/articles", body);
      await open(saved.id);
      status.textContent = L.saved;
      await refresh();
    } catch (e) { error.textContent = e.message; }
  }
  async function setStatus(action) {
    if (!editing) return;
    try {
      await api("POST", "/api/kb/articles/" + editing.id + "/" + action);
      await open(editing.id);
      status.textContent = L.saved;
      await refresh();
    } catch (e) { error.textContent = e.message; }
  }
  find.addEventListener("submit", (ev) => { ev.preventDefault(); refresh().catch((e) => { count.textContent = e.message; }); });
  form.addEventListener("submit", save);
  $("kb-new").addEventListener("click", () => { fill(null); status.textContent = ""; });
  $("kb-retire").addEventListener("click", () => setStatus("retire"));
  $("kb-restore").addEventListener("click", () => setStatus("restore"));
  fill(null);
  refresh().catch((e) => { count.textContent = e.message; });
})();
