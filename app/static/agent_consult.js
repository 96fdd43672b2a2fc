/* contactops agent console: consult transfer (consult first, then complete or cancel).
 *
 * Hooks into the softphone of agent.js (window.ContactopsConsole):
 * - the Transfer row gets a choice "Blind" / "Consult first": with "Consult first" the
 *   Transfer button (and Alt+T) sends POST /api/console/consult with the same target and note;
 * - while the agent consults, "Complete transfer" and "Cancel consult" (Resume and Transfer
 *   wait for the consult's end);
 * - the consulted colleague's console shows the consult offer with the note; their Answer
 *   takes the consult call (/consult/answer) and their Hang up ends it (/consult/cancel).
 */
(function () {
  "use strict";

  const C = window.ContactopsConsole;
  const root = document.getElementById("softphone");
  if (!C || !root) return;
  const { el, buttons } = C;

  const T = C.ko ? {
    mode: "전환 방식", blind: "바로 전환", consult: "먼저 협의", complete: "전환 완료",
    cancel: "협의 취소", consulting: "협의 중", ringing: "호출 중", talking: "통화 중",
    offer: "협의 요청", from: "요청 상담원", note: "메모",
    ended: "협의가 끝났습니다. 고객은 보류 중입니다: 통화 재개를 누르세요",
  } : {
    mode: "Transfer mode", blind: "Blind", consult: "Consult first", complete: "Complete transfer",
    cancel: "Cancel consult", consulting: "Consulting", ringing: "ringing", talking: "talking",
    offer: "Consult request", from: "from", note: "Note",
    ended: "The consult ended: the caller is still on hold, press Resume to talk again",
  };

  // --- the transfer mode, beside the Transfer button ---------------------------------------------
  const mode = el("select", { name: "transfer-mode", "aria-label": T.mode },
    el("option", { value: "blind" }, T.blind), el("option", { value: "consult" }, T.consult));
  const transferButton = buttons.transfer;
  if (transferButton) transferButton.parentNode.insertBefore(mode, transferButton);

  // --- consult controls and what the consult is about ----------------------------------------------
  const complete = el("button", { type: "button", class: "sp-btn", "data-action": "consultComplete",
                                  disabled: "" }, T.complete);
  const cancel = el("button", { type: "button", class: "sp-btn", "data-action": "consultCancel",
                                disabled: "" }, T.cancel);
  complete.addEventListener("click", () => C.act("consult/complete", {}));
  cancel.addEventListener("click", () => C.act("consult/cancel", {}));
  const info = el("p", { id: "sp-consult", class: "sp-consult", role: "status", hidden: "" });
  // shown only during a consult (the console fits one 1366x768 screen without it)
  const row = el("div", { class: "softphone-row", id: "sp-consult-row" }, complete, " ", cancel);
  row.style.display = "none";
  const anchor = transferButton ? transferButton.parentNode : null;
  if (anchor && anchor.nextSibling) root.insertBefore(row, anchor.nextSibling);
  else root.append(row);
  row.after(info);
  const style = document.createElement("style");
  style.textContent = `
    #softphone .sp-consult { margin: .3rem 0; padding: .3rem .5rem; border-left: 4px solid #92400e;
                             background: #fef3c7; color: #1f2937; }
    #softphone .sp-consult.sp-consult-ended { border-left-color: #374151; background: #f3f4f6; }`;
  document.head.append(style);

  // --- routing the softphone's actions during a consult --------------------------------------------
  C.onRoute((path, body, state) => {
    const consult = state && state.consult;
    if (path === "transfer" && mode.value === "consult" && !consult) return ["consult", body];
    if (consult && consult.role === "colleague") {
      if (path === "answer") return ["consult/answer", { contact_id: consult.contact_id }];
      if (path === "hangup") return ["consult/cancel", { contact_id: consult.contact_id }];
    }
    return [path, body];
  });

  // --- rendering -----------------------------------------------------------------------------------
  let wasConsulting = null; // the contact this agent last consulted about
  C.onRender((state) => {
    const consult = state.consult;
    complete.disabled = true;
    cancel.disabled = true;
    row.style.display = !consult || state.robot ? "none" : "";  // the row's CSS is a flex
    info.className = "sp-consult";
    if (state.robot) { // a demo robot works this agent: nothing to press before taking over
      info.hidden = true;
      return;
    }
    if (!consult) {
      const held = state.state === "hold" && state.contact;
      if (wasConsulting && held && state.contact.contact_id === wasConsulting) {
        info.className = "sp-consult sp-consult-ended";
        info.textContent = T.ended;
        info.hidden = false;
      } else {
        info.hidden = true;
      }
      wasConsulting = null;
      return;
    }
    const stage = consult.state === "ringing" ? T.ringing : T.talking;
    info.replaceChildren();
    if (consult.role === "consulting") {
      wasConsulting = consult.contact_id;
      buttons.retrieve.disabled = true;
      buttons.transfer.disabled = true;
      complete.disabled = consult.state !== "talking";
      cancel.disabled = false;
      info.append(el("strong", {}, T.consulting), " ", consult.colleague_id,
        consult.queue ? " (" + consult.queue + ")" : "", " · ", stage);
    } else {
      // the colleague: Answer takes the consult call, Hang up ends it; no hold, no transfer
      buttons.hold.disabled = true;
      buttons.transfer.disabled = true;
      if (buttons.notReached) buttons.notReached.disabled = true;
      cancel.disabled = consult.state !== "talking";
      info.append(el("strong", {}, T.offer), " ", T.from, " ", consult.agent_id, " · ", stage);
    }
    if (consult.note) info.append(el("div", {}, el("strong", {}, T.note), ": ", consult.note));
    info.hidden = false;
  });
})();
