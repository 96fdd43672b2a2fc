// Roster page: agents x time timeline (SVG) with hand edits, coverage against the requirement
// (Plotly.js), rule checks after every edit, drafts, publication and background builds.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const T = JSON.parse(($("roster-text") || {}).textContent || "{}");
  const INIT = JSON.parse(($("roster-init") || {}).textContent || "{}");
  const API = "/api/wfm/rosters";
  const ROW = 18, NAME_W = 150, SNAP_ACTIVITY = 15;
  const SVGNS = "http://www.w3.org/2000/svg";

  const state = { version: null, shifts: [], evaluation: null, dirty: false, day: 0, skill: "", job: null };

  async function call(method, url, body) {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || res.statusText);
    return data;
  }

  // --- time: naive local ISO strings <-> minutes from the horizon's first midnight --------
  function origin() { const [y, m, d] = state.version.start_day.split("-").map(Number); return Date.UTC(y, m - 1, d); }
  function toMin(iso) {
    const [date, time] = iso.split("T"); const [y, m, d] = date.split("-").map(Number);
    const [hh, mm] = (time || "00:00").split(":").map(Number);
    return (Date.UTC(y, m - 1, d, hh, mm) - origin()) / 60000;
  }
  function toIso(min) { return new Date(origin() + min * 60000).toISOString().slice(0, 16); }
  function dayIso(day) { return toIso(day * 1440).slice(0, 10); }
  const hhmm = (min) => { const t = ((min % 1440) + 1440) % 1440; return String(Math.floor(t / 60)).padStart(2, "0") + ":" + String(t % 60).padStart(2, "0"); };

  // work = the shift minus its activities, serving the shift's skill
  function rebuildWork(shift, skill) {
    const s = toMin(shift.start), e = toMin(shift.end);
    const acts = shift.activities.map((a) => [toMin(a.start), toMin(a.end)]).sort((a, b) => a[0] - b[0]);
    const work = []; let at = s;
    for (const [lo, hi] of acts) { if (lo > at) work.push([at, lo]); at = Math.max(at, hi); }
    if (e > at) work.push([at, e]);
    shift.work = work.map(([lo, hi]) => ({ skill, start: toIso(lo), end: toIso(hi) }));
  }
  function skillOf(shift) { return shift.work && shift.work.length ? shift.work[0].skill : null; }
  function agentById(id) { return state.version.agents.find((a) => a.id === id); }

  function moveShift(shift, delta) {
    shift.start = toIso(toMin(shift.start) + delta); shift.end = toIso(toMin(shift.end) + delta);
    for (const a of shift.activities) { a.start = toIso(toMin(a.start) + delta); a.end = toIso(toMin(a.end) + delta); }
    rebuildWork(shift, skillOf(shift) || (agentById(shift.agent) || { skills: [""] }).skills[0]);
  }
  function moveActivity(shift, index, delta) {
    const a = shift.activities[index];
    a.start = toIso(toMin(a.start) + delta); a.end = toIso(toMin(a.end) + delta);
    rebuildWork(shift, skillOf(shift) || (agentById(shift.agent) || { skills: [""] }).skills[0]);
  }
  function giveTo(shift, agent) {
    const skill = skillOf(shift);
    const a = agentById(agent);
    shift.agent = agent;
    rebuildWork(shift, a && skill && !a.skills.includes(skill) ? a.skills[0] : skill);
  }

  // --- drawing -------------------------------------------------------------------------------
  function el(name, attrs, parent) {
    const node = document.createElementNS(SVGNS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }
  const whole = () => state.day < 0; // the whole horizon (a week) rather than one day
  const dayStart = () => (whole() ? 0 : state.day * 1440);
  function window_() { // the hours shown: 06-22, widened to the day's shifts; or every day
    if (whole()) return [0, state.version.days * 1440];
    let lo = 6 * 60, hi = 22 * 60; const d0 = dayStart();
    for (const s of state.shifts) {
      const a = toMin(s.start) - d0, b = toMin(s.end) - d0;
      if (b > 0 && a < 1440) { lo = Math.min(lo, Math.max(0, Math.floor(a / 60) * 60)); hi = Math.max(hi, Math.min(1440, Math.ceil(b / 60) * 60)); }
    }
    return [lo, hi];
  }

  function drawTimeline() {
    const box = $("timeline"); box.innerHTML = "";
    if (!state.version) { box.textContent = T.no_roster || "No roster yet."; return; }
    const agents = state.version.agents, width = Math.max(700, box.clientWidth - 4);
    const [lo, hi] = window_(), scale = (width - NAME_W) / (hi - lo), d0 = dayStart();
    const x = (min) => NAME_W + (min - d0 - lo) * scale;
    const svg = el("svg", { width, height: ROW * (agents.length + 1), class: "tl", role: "img" }, box);
    for (let h = lo; h <= hi; h += whole() ? 360 : 60) {
      const midnight = h % 1440 === 0;
      el("line", { x1: x(d0 + h), x2: x(d0 + h), y1: ROW, y2: ROW * (agents.length + 1), class: "tl-grid" + (whole() && midnight ? " day" : "") }, svg);
      const label = whole() ? (midnight ? dayIso(h / 1440).slice(5) : "") : hhmm(h);
      const t = el("text", { x: x(d0 + h) + 2, y: ROW - 5, class: "tl-hour" }, svg); t.textContent = label;
    }
    const broken = new Map();
    for (const v of (state.evaluation || {}).violations || []) {
      const list = broken.get(v.agent) || []; list.push(v); broken.set(v.agent, list);
    }
    agents.forEach((agent, row) => {
      const y = ROW * (row + 1);
      const g = el("g", { class: "tl-row", "data-agent": agent.id, "data-row": row }, svg);
      el("rect", { x: 0, y, width, height: ROW, class: row % 2 ? "tl-band odd" : "tl-band" }, g);
      const bad = broken.get(agent.id) || [];
      const name = el("text", { x: 4, y: y + ROW - 5, class: "tl-name" + (bad.length ? " bad" : "") }, g);
      name.textContent = agent.id + " " + (agent.name !== agent.id ? agent.name : "");
      if (bad.length) { const tt = el("title", {}, name); tt.textContent = bad.map((v) => v.date + " " + v.rule + ": " + v.message).join("\n"); }
      for (const off of agent.time_off) {
        const start = toMin(off + "T00:00");
        if (start + 1440 <= d0 + lo || start >= d0 + hi) continue;
        const a = Math.max(start, d0 + lo), b = Math.min(start + 1440, d0 + hi);
        el("rect", { x: x(a), y: y + 2, width: (b - a) * scale, height: ROW - 4, class: "tl-off" }, g);
      }
    });
    state.shifts.forEach((shift, index) => {
      const a = toMin(shift.start), b = toMin(shift.end);
      if (b <= d0 + lo || a >= d0 + hi) return;
      const row = agents.findIndex((ag) => ag.id === shift.agent);
      if (row < 0) return;
      const y = ROW * (row + 1) + 2;
      const g = el("g", { class: "tl-shift", "data-index": index, "data-agent": shift.agent, "data-start": shift.start }, svg);
      const bar = el("rect", { x: x(a), y, width: Math.max(2, (b - a) * scale), height: ROW - 4, rx: 3, class: "tl-work", "data-kind": "shift" }, g);
      el("title", {}, bar).textContent = shift.agent + " " + shift.shift_type + " " + hhmm(a) + "–" + hhmm(b) + (skillOf(shift) ? " · " + skillOf(shift) : "");
      shift.activities.forEach((act, k) => {
        const p = toMin(act.start), q = toMin(act.end);
        const r = el("rect", { x: x(p), y, width: Math.max(2, (q - p) * scale), height: ROW - 4, class: "tl-act tl-" + act.kind, "data-kind": "activity", "data-activity": k }, g);
        el("title", {}, r).textContent = act.kind + " " + hhmm(p) + "–" + hhmm(q);
      });
    });
    if ($("timeline").dataset.editable === "true" && state.version.status === "draft") enableDrag(svg, scale, agents);
  }

  function enableDrag(svg, scale, agents) {
    let drag = null;
    svg.addEventListener("pointerdown", (ev) => {
      const target = ev.target.closest("[data-kind]"); const g = ev.target.closest(".tl-shift");
      if (!target || !g) return;
      ev.preventDefault();
      drag = { g, index: Number(g.dataset.index), kind: target.dataset.kind, activity: Number(target.dataset.activity),
               x0: ev.clientX, y0: ev.clientY, node: target.dataset.kind === "shift" ? g : target };
      svg.setPointerCapture(ev.pointerId);
      drag.node.classList.add("dragging");
    });
    svg.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const dx = ev.clientX - drag.x0, dy = drag.kind === "shift" ? ev.clientY - drag.y0 : 0;
      drag.node.setAttribute("transform", "translate(" + dx + "," + dy + ")");
    });
    svg.addEventListener("pointerup", (ev) => {
      if (!drag) return;
      const d = drag; drag = null;
      const shift = state.shifts[d.index];
      const rows = Math.round((ev.clientY - d.y0) / ROW);
      if (d.kind === "shift" && rows !== 0) {
        const row = agents.findIndex((a) => a.id === shift.agent) + rows;
        if (row >= 0 && row < agents.length) swapDay(shift, agents[row].id);
      } else {
        const type = state.version.shift_types[shift.shift_type] || { start_step_minutes: 15 };
        const snap = d.kind === "shift" ? type.start_step_minutes : SNAP_ACTIVITY;
        const delta = Math.round((ev.clientX - d.x0) / scale / snap) * snap;
        if (delta && d.kind === "shift") moveShift(shift, delta);
        if (delta && d.kind === "activity") moveActivity(shift, d.activity, delta);
        if (!delta) { drawTimeline(); return; }
      }
      edited();
    });
  }

  // drop a shift on another agent: the two agents swap their shifts of that day
  function swapDay(shift, other) {
    const day = Math.floor(toMin(shift.start) / 1440), mine = shift.agent;
    const theirs = state.shifts.filter((s) => s.agent === other && Math.floor(toMin(s.start) / 1440) === day);
    giveTo(shift, other);
    for (const s of theirs) giveTo(s, mine);
  }

  function sumSeries(obj, skill) {
    if (skill) return obj[skill] || [];
    const keys = Object.keys(obj); if (!keys.length) return [];
    return obj[keys[0]].map((_, i) => keys.reduce((t, k) => t + (obj[k][i] || 0), 0));
  }

  function drawCoverage() {
    if (!state.version || !window.Plotly) return;
    const daily = 1440 / state.version.interval_minutes;
    const per = whole() ? daily * state.version.days : daily, i0 = whole() ? 0 : state.day * daily;
    const req = sumSeries(state.version.required, state.skill).slice(i0, i0 + per);
    const cov = sumSeries((state.evaluation || {}).coverage || {}, state.skill).slice(i0, i0 + per);
    const xs = req.map((_, i) => toIso((i0 + i) * state.version.interval_minutes));
    const [lo, hi] = window_(); // the same hours as the timeline above
    const range = [toIso(dayStart() + lo).replace("T", " "), toIso(dayStart() + hi).replace("T", " ")];
    Plotly.react("chart-coverage", [
      { x: xs, y: cov, name: T.scheduled || "scheduled", type: "scatter", mode: "lines", line: { shape: "hv", color: "#1f5fbf", width: 2 }, fill: "tozeroy", fillcolor: "rgba(31,95,191,0.15)" },
      { x: xs, y: req, name: T.required || "required", type: "scatter", mode: "lines", line: { shape: "hv", color: "#b42318", width: 2, dash: "dot" } },
    ], { margin: { t: 8, r: 6, b: 36, l: NAME_W }, xaxis: { tickformat: whole() ? "%m-%d" : "%H:%M", hoverformat: "%m-%d %H:%M", range, dtick: whole() ? 86400000 : 3600000 },
         yaxis: { title: T.agents || "agents", rangemode: "tozero" }, legend: { orientation: "h" } },
    { responsive: true, displaylogo: false });
  }

  function drawChecks() {
    const ev = state.evaluation || { violations: [], under_coverage: {}, over_coverage: {} };
    const tbody = $("violations").querySelector("tbody"); tbody.innerHTML = "";
    for (const v of ev.violations.slice(0, 500)) {
      const tr = document.createElement("tr");
      for (const text of [v.agent, v.date, v.rule, v.message]) { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); }
      tbody.appendChild(tr);
    }
    if (!ev.violations.length) { const tr = document.createElement("tr"); const td = document.createElement("td"); td.colSpan = 4; td.className = "muted"; td.textContent = T.none; tr.appendChild(td); tbody.appendChild(tr); }
    $("violation-count").textContent = "(" + ev.violations.length + ")";
    const sum = (o) => Object.values(o || {}).reduce((t, v) => t + v, 0);
    const pick = (o) => (state.skill ? (o || {})[state.skill] || 0 : sum(o));
    $("totals").innerHTML = "";
    for (const [cls, label, value] of [["under", T.under, pick(ev.under_coverage)], ["over", T.over, pick(ev.over_coverage)], ["viol", T.violations, ev.violations.length]]) {
      const span = document.createElement("span"); span.className = "total " + cls; span.id = "total-" + cls;
      span.textContent = label + " " + (Number.isInteger(value) ? value : value.toFixed(1)); $("totals").appendChild(span);
    }
  }

  function drawAll() { drawTimeline(); drawCoverage(); drawChecks(); }

  // --- editing ----------------------------------------------------------------------------
  let evalTimer = null, evalSeq = 0;
  function edited() {
    state.dirty = true; drawTimeline(); updateButtons();
    clearTimeout(evalTimer);
    evalTimer = setTimeout(async () => {
      const seq = ++evalSeq;
      try {
        const ev = await call("POST", API + "/versions/" + state.version.id + "/evaluate", { shifts: state.shifts });
        if (seq === evalSeq) { state.evaluation = ev; drawAll(); }
      } catch (e) { say(e.message, true); }
    }, 120);
  }

  function say(text, bad) { const m = $("roster-message"); m.textContent = text; m.className = bad ? "error" : "muted"; }

  function updateButtons() {
    const v = state.version, draft = v && v.status === "draft";
    if ($("save-draft")) $("save-draft").disabled = !(draft && state.dirty);
    if ($("publish")) $("publish").disabled = !draft;
    if ($("new-draft")) $("new-draft").disabled = !v;
    const badge = $("version-status");
    badge.textContent = v ? (draft ? T.draft : T.published_status) + (state.dirty ? " · " + T.unsaved : "") : "";
    badge.dataset.status = v ? v.status : "";
    if (v) {
      $("export-csv").href = API + "/versions/" + v.id + "/export.csv";
      $("export-json").href = API + "/versions/" + v.id + "/export.json";
      let meta = T.created.replace("{who}", v.created_by || "–").replace("{when}", v.created_at.slice(0, 16).replace("T", " "));
      if (v.published_at) meta += " · " + T.published_by.replace("{who}", v.published_by || "–").replace("{when}", v.published_at.slice(0, 16).replace("T", " "));
      if (!draft && INIT.can_edit) meta += " · " + T.read_only;
      $("version-meta").textContent = meta;
    }
  }

  function show(version) {
    state.version = version; state.shifts = JSON.parse(JSON.stringify(version.roster.shifts || []));
    state.evaluation = version.evaluation; state.dirty = false;
    const days = $("day-select"); days.innerHTML = "";
    for (let d = 0; d < version.days; d++) {
      const o = document.createElement("option"); o.value = d; o.textContent = dayIso(d); days.appendChild(o);
    }
    if (version.days > 1) { const o = document.createElement("option"); o.value = -1; o.textContent = T.whole; days.appendChild(o); }
    state.day = Math.min(state.day, version.days - 1); days.value = state.day;
    const skills = $("skill-select"), keep = state.skill; skills.innerHTML = "";
    for (const s of ["", ...Object.keys(version.required)]) { const o = document.createElement("option"); o.value = s; o.textContent = s || T.all; skills.appendChild(o); }
    state.skill = Object.keys(version.required).includes(keep) ? keep : ""; skills.value = state.skill;
    updateButtons(); drawAll();
  }

  async function loadList(selectId) {
    const rosters = await call("GET", API);
    const sel = $("version-select"); sel.innerHTML = "";
    let first = null;
    for (const r of rosters) for (const v of r.versions.slice().reverse()) {
      const o = document.createElement("option"); o.value = v.id;
      o.textContent = r.name + " · " + T.version + " " + v.version + " · " + (v.status === "draft" ? T.draft : T.published_status);
      sel.appendChild(o); if (first === null) first = v.id;
    }
    const pick = selectId || first;
    if (pick) { sel.value = pick; await loadVersion(pick); } else { drawTimeline(); }
  }
  async function loadVersion(id) {
    try { show(await call("GET", API + "/versions/" + id)); history.replaceState(null, "", "?version=" + id); }
    catch (e) { say(e.message, true); }
  }

  async function save() {
    const v = await call("PUT", API + "/versions/" + state.version.id + "/shifts", { shifts: state.shifts });
    show(v); say(T.saved);
  }

  // --- background build -------------------------------------------------------------------
  function buildBody() {
    return {
      queues: [...document.querySelectorAll('input[name="queues"]:checked')].map((i) => i.value),
      start: $("build-start").value, days: Number($("build-days").value),
      interval_minutes: Number($("build-interval").value), service_level_target: Number($("build-sl").value),
      threshold_seconds: Number($("build-threshold").value), shrinkage: Number($("build-shrinkage").value),
      time_limit_seconds: Number($("build-seconds").value),
    };
  }
  function drawProgress(job) {
    const status = $("build-status");
    const last = job.progress[job.progress.length - 1];
    let text = T[job.state] || job.state;
    if (job.state === "running") text += " · " + (T[job.step] || job.step);
    if (job.state === "running" && job.step === "forecast") text += " " + job.done + "/" + job.total;
    if (last) text += " · " + T.objective + " " + last.objective + " · " + T.bound + " " + last.best_bound;
    if (job.error) text += " · " + job.error + (job.reasons.length ? ": " + job.reasons.join("; ") : "");
    status.textContent = text;
    if (window.Plotly && job.progress.length) {
      $("chart-progress").hidden = false;
      const phases = [...new Set(job.progress.map((p) => p.phase))];
      Plotly.react("chart-progress", phases.map((ph) => {
        const pts = job.progress.filter((p) => p.phase === ph);
        return { x: pts.map((p) => p.wall_seconds), y: pts.map((p) => p.objective), name: T[ph] || ph, mode: "lines+markers", line: { shape: "hv" } };
      }), { margin: { t: 4, r: 8, b: 28, l: 60 }, xaxis: { title: "s" }, yaxis: { title: T.objective }, legend: { orientation: "h" } },
      { responsive: true, displaylogo: false });
    }
  }
  async function poll() {
    if (!state.job) return;
    try {
      const job = await call("GET", API + "/jobs/" + state.job);
      drawProgress(job);
      if (job.state === "running") { setTimeout(poll, 700); return; }
      state.job = null; $("build-run").disabled = false; $("build-cancel").disabled = true;
      if (job.version_id) await loadList(job.version_id);
    } catch (e) { say(e.message, true); state.job = null; $("build-run").disabled = false; $("build-cancel").disabled = true; }
  }

  function wire() {
    $("version-select").addEventListener("change", (e) => { if (e.target.value) loadVersion(e.target.value); });
    $("day-select").addEventListener("change", (e) => { state.day = Number(e.target.value); drawTimeline(); drawCoverage(); });
    $("skill-select").addEventListener("change", (e) => { state.skill = e.target.value; drawCoverage(); drawChecks(); });
    if ($("save-draft")) $("save-draft").addEventListener("click", () => save().catch((e) => say(e.message, true)));
    if ($("publish")) $("publish").addEventListener("click", async () => {
      try {
        if (state.dirty) await save();
        const v = await call("POST", API + "/versions/" + state.version.id + "/publish");
        await loadList(v.id); say(T.published);
      } catch (e) { say(e.message, true); }
    });
    if ($("new-draft")) $("new-draft").addEventListener("click", async () => {
      try { const v = await call("POST", API + "/versions/" + state.version.id + "/draft"); await loadList(v.id); }
      catch (e) { say(e.message, true); }
    });
    if ($("build-run")) $("build-run").addEventListener("click", async () => {
      try {
        const job = await call("POST", API + "/jobs", buildBody());
        state.job = job.id; $("build-run").disabled = true; $("build-cancel").disabled = false;
        drawProgress(job); setTimeout(poll, 500);
      } catch (e) { $("build-status").textContent = e.message; }
    });
    if ($("build-cancel")) $("build-cancel").addEventListener("click", () => {
      if (state.job) call("POST", API + "/jobs/" + state.job + "/cancel").catch((e) => say(e.message, true));
    });
    window.addEventListener("resize", () => drawTimeline());
  }

  async function resumeJob() { // a build still running from before a reload: follow it again
    if (!INIT.can_edit) return;
    const jobs = await call("GET", API + "/jobs");
    const running = jobs.find((j) => j.state === "running");
    if (!running) return;
    state.job = running.id; $("build-run").disabled = true; $("build-cancel").disabled = false;
    drawProgress(running); setTimeout(poll, 500);
  }

  function start() {
    wire();
    loadList(INIT.version_id).catch((e) => say(e.message, true));
    resumeJob().catch((e) => say(e.message, true));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
