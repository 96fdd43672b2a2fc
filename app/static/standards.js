// Service standards page: set a target (PUT /api/standards), delete one; ratios are typed in %.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const T = Object.assign({ saved: "Saved.", confirm_delete: "Delete this standard?" },
    JSON.parse((document.getElementById("standards-text") || {}).textContent || "{}"));
  const form = $("standard-form");

  function unit() {
    const opt = $("std-kpi").selectedOptions[0];
    return opt ? opt.dataset.unit : "ratio";
  }
  function showUnit() {
    const u = unit();
    form.querySelectorAll(".unit").forEach((el) => { el.textContent = u === "ratio" ? "%" : u === "seconds" ? "s" : ""; });
    $("std-threshold-label").hidden = $("std-kpi").value !== "service_level";
    $("std-scope-id").disabled = $("std-scope").value === "center";
  }
  function number(id) {
    const v = Number($(id).value);
    return unit() === "ratio" ? v / 100 : v;
  }

  async function call(method, url, body) {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return {};
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || res.statusText);
    return data;
  }

  if (form) {
    $("std-kpi").addEventListener("change", showUnit);
    $("std-scope").addEventListener("change", showUnit);
    showUnit();
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const msg = $("std-message");
      const body = {
        kpi: $("std-kpi").value, segment: $("std-segment").value, year: Number($("std-year").value),
        quarter: $("std-quarter").value ? Number($("std-quarter").value) : null,
        scope: $("std-scope").value, scope_id: $("std-scope").value === "center" ? "" : $("std-scope-id").value.trim(),
        target: number("std-target"), warn: number("std-warn"), alert: number("std-alert"),
      };
      if (body.kpi === "service_level" && $("std-threshold").value) body.threshold_seconds = Number($("std-threshold").value);
      try {
        await call("PUT", "/api/standards", body);
        msg.className = "muted";
        msg.textContent = T.saved;
        window.location.assign("/standards?year=" + body.year);
      } catch (err) {
        msg.className = "error";
        msg.textContent = err.message;
      }
    });
  }
  document.querySelectorAll(".std-delete").forEach((btn) => btn.addEventListener("click", async () => {
    if (!window.confirm(T.confirm_delete)) return;
    try {
      await call("DELETE", "/api/standards/" + btn.dataset.id);
      btn.closest("tr").remove();
    } catch (err) {
      $("std-message").textContent = err.message;
    }
  }));
})();
