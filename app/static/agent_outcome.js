/* contactops agent console: whom an outbound call reached, and a promise to pay.
 *
 * Hooks into the softphone of agent.js (window.ContactopsConsole): for an outbound contact a
 * row under the wrap-up row asks whom the call reached (the customer: a right-party contact,
 * a third party, a wrong number) and, once it is the customer, the promise to pay they made
 * (amount in won and the day). Wrap up sends them with the wrap-up (POST /api/console/wrapup:
 * party, promise {amount_krw, due_on}); the server checks them (422 naming the field).
 */
(function () {
  "use strict";

  const C = window.ContactopsConsole;
  const root = document.getElementById("softphone");
  if (!C || !root) return;
  const { el, buttons } = C;

  const T = C.ko ? {
    party: "통화 대상", right_party: "본인", third_party: "제3자 (가족 등)",
    wrong_party: "잘못 걸린 번호", promise: "납부 약속", amount: "약속 금액 (원)", due: "납부 예정일",
  } : {
    party: "Reached", right_party: "The customer", third_party: "A third party (family…)",
    wrong_party: "Wrong number", promise: "Promise to pay", amount: "Amount (KRW)", due: "Pay by",
  };
  const PARTIES = ["right_party", "third_party", "wrong_party"];

  const party = el("select", { name: "party", "aria-label": T.party },
    el("option", { value: "" }, "— " + T.party + " —"),
    ...PARTIES.map((p) => el("option", { value: p }, T[p])));
  const amount = el("input", { name: "promise-amount", type: "number", min: "1", step: "1",
                               size: "10", placeholder: T.amount, "aria-label": T.amount });
  const due = el("input", { name: "promise-due", type: "date", "aria-label": T.due });
  const promise = el("span", { class: "sp-promise", hidden: "" },
    el("strong", {}, T.promise), " ", amount, " ", due);
  const row = el("div", { class: "softphone-row", id: "sp-outcome-row" }, party, promise);
  row.style.display = "none";
  const wrapRow = buttons.wrapup && buttons.wrapup.parentNode;
  if (wrapRow) wrapRow.after(row); else root.append(row);

  const showPromise = () => { promise.hidden = party.value !== "right_party"; };
  party.addEventListener("change", showPromise);

  C.onRoute((path, body) => {
    if (path !== "wrapup" || row.style.display === "none") return [path, body];
    const out = Object.assign({}, body);
    if (party.value) out.party = party.value;
    if (!promise.hidden && (amount.value || due.value)) {
      out.promise = { amount_krw: Number(amount.value), due_on: due.value };
    }
    return [path, out];
  });

  let shownFor = null; // the contact the row was last filled for: empty for every call
  C.onRender((state) => {
    const c = state.contact;
    const outbound = c && c.direction === "outbound" && !state.robot;
    row.style.display = outbound ? "" : "none"; // the row's CSS is a flex
    const cid = c ? c.contact_id : null;
    if (cid !== shownFor) {
      shownFor = cid;
      party.value = "";
      amount.value = "";
      due.value = "";
      showPromise();
    }
  });
})();
