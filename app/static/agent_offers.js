/* contactops agent console: next best offers.
 *
 * Listens to the softphone's "contactops:state" event (app/static/agent.js). When a call is
 * offered it asks GET /api/console/offers?contact_id= for the ranked offers and lists them
 * under the screen pop, each with its tip (a code and parameters, rendered here in English or
 * Korean) and four buttons that POST /api/console/offers: made, accepted, declined, follow-up
 * (a lead for outbound, due on the date chosen). Recording is open while talking, on hold and
 * in wrap-up. The panel goes away when the agent has no contact any more.
 */
(function () {
  "use strict";
  const root = document.getElementById("softphone");
  const home = document.getElementById("screen-pop");
  if (!root || !root.dataset.agentLogin || !home) return;

  const KO = document.documentElement.lang === "ko";
  const T = KO ? {
    title: "추천 상품", none: "지금 권할 상품이 없습니다.", dueOn: "후속 연락일",
    recorded: "기록됨", prior: "기본 확률(데이터 부족)", fitted: "과거 제안 결과로 학습",
    expected: "기대 가치",
    offers: { time_deposit_renewal: "정기예금 재예치", fund: "펀드", credit_card: "신용카드",
      card_upgrade: "카드 업그레이드", personal_loan: "신용대출", mortgage: "주택담보대출",
      insurance: "보험", pension: "연금", tier_upgrade: "등급 상향" },
    kinds: { cross_sell: "교차 판매", up_sell: "상향 판매", retention: "유지" },
    results: { made: "제안", accepted: "수락", declined: "거절", follow_up: "후속 연락" },
    events: { marriage: "결혼", child_birth: "출산", child_school: "자녀 입학",
      child_wedding: "자녀 결혼", home_purchase: "주택 구입", move: "이사", retirement: "은퇴",
      business_start: "창업", bereavement: "상(喪)" },
    tiers: { private_banker: "PB", platinum: "플래티넘", gold: "골드", silver: "실버", core: "일반" },
    segments: { high_net_worth: "고액 자산가", affluent: "우량 고객", mass_affluent: "준우량 고객",
      mass: "일반 고객", youth: "청년", senior: "시니어", sme_owner: "소상공인" },
    tips: {
      deposit_maturing: (p) => p.days === 0 ? "오늘 정기예금 만기 (" + p.product + ")"
        : "정기예금 만기 " + p.days + "일 전 (" + p.product + ")",
      deposit_matured: (p) => "예금 만기 " + p.days + "일 지남 (" + p.product + ")",
      branch_presented: (p) => p.days + "일 전 영업점에서 안내함",
      presented_before: (p) => p.days + "일 전 안내함",
      follow_up_promised: (p) => p.days + "일 전 다시 연락하기로 함",
      life_event_ahead: (p, t) => t.event(p.event) + " " + p.days + "일 전",
      life_event_past: (p, t) => t.event(p.event) + " " + p.days + "일 지남",
      tier_in_reach: (p, t) => t.tier(p.tier) + " 등급까지 연 수익 " + won(p.gap_krw) + "원",
      idle_balance: (p) => "예금 " + won(p.amount_krw) + "원, 펀드 없음",
      card_upgrade_eligible: () => "일반 신용카드 보유: 상위 카드 대상",
      no_pension_at_age: (p) => p.age + "세, 연금 미가입",
      fits_profile: (p, t) => t.segment(p.segment) + "에게 맞는 상품",
    },
  } : {
    title: "Next best offers", none: "Nothing worth offering now.", dueOn: "Follow-up on",
    recorded: "recorded", prior: "prior rates (too little data)", fitted: "learnt from past offers",
    expected: "expected value",
    offers: { time_deposit_renewal: "Deposit renewal", fund: "Fund", credit_card: "Credit card",
      card_upgrade: "Card upgrade", personal_loan: "Personal loan", mortgage: "Mortgage",
      insurance: "Insurance", pension: "Pension", tier_upgrade: "Tier upgrade" },
    kinds: { cross_sell: "cross-sell", up_sell: "up-sell", retention: "retention" },
    results: { made: "Made", accepted: "Accepted", declined: "Declined", follow_up: "Follow-up" },
    events: { marriage: "Marriage", child_birth: "Birth of a child", child_school: "Child starts school",
      child_wedding: "Child's wedding", home_purchase: "Home purchase", move: "Move",
      retirement: "Retirement", business_start: "Business start", bereavement: "Bereavement" },
    tiers: { private_banker: "private banker" },
    segments: { high_net_worth: "high-net-worth", mass_affluent: "mass-affluent", sme_owner: "SME owner" },
    tips: {
      deposit_maturing: (p) => p.days === 0 ? "Deposit matures today (" + p.product + ")"
        : "Deposit matures in " + p.days + " days (" + p.product + ")",
      deposit_matured: (p) => "Deposit matured " + p.days + " days ago (" + p.product + ")",
      branch_presented: (p) => "The branch presented it " + p.days + " days ago",
      presented_before: (p) => "Presented " + p.days + " days ago",
      follow_up_promised: (p) => "A follow-up was promised " + p.days + " days ago",
      life_event_ahead: (p, t) => t.event(p.event) + " in " + p.days + " days",
      life_event_past: (p, t) => t.event(p.event) + " " + p.days + " days ago",
      tier_in_reach: (p, t) => won(p.gap_krw) + " KRW more revenue a year reaches " + t.tier(p.tier),
      idle_balance: (p) => won(p.amount_krw) + " KRW in deposits, no fund",
      card_upgrade_eligible: () => "Holds a classic credit card: eligible for a better one",
      no_pension_at_age: (p) => "Aged " + p.age + ", no pension yet",
      fits_profile: (p, t) => "Fits the " + t.segment(p.segment) + " profile",
    },
  };
  const words = (code) => String(code == null ? "" : code).replace(/_/g, " ");
  const helpers = {
    event: (c) => T.events[c] || words(c),
    tier: (c) => T.tiers[c] || words(c),
    segment: (c) => T.segments[c] || words(c),
  };
  function won(n) { return Number(n).toLocaleString(KO ? "ko-KR" : "en-GB"); }
  const offerName = (c) => T.offers[c] || words(c);
  function tipText(o) {
    const f = T.tips[o.tip];
    return f ? f(o.params || {}, helpers) : words(o.tip);
  }
  // the screen pop's history shows recorded offers ("offer:fund", "accepted") in words too
  const codes = window.ContactopsCodes = window.ContactopsCodes || {};
  for (const c of Object.keys(T.offers)) codes["offer:" + c] = (KO ? "상품 제안: " : "Offer: ") + offerName(c);
  if (KO) Object.assign(codes, { made: "제안함", follow_up: "후속 연락" });

  const RESULTS = ["made", "accepted", "declined", "follow_up"];
  const RECORDING = ["talking", "hold", "wrap_up"];
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  const list = el("ol", { class: "nbo-list" });
  const status = el("span", { class: "muted nbo-status" });
  const error = el("p", { class: "error nbo-error", role: "alert" });
  const dueOn = el("input", { type: "date", name: "offer-due-on", "aria-label": T.dueOn });
  const panel = el("section", { id: "offers", class: "card nbo", hidden: "", "aria-labelledby": "nbo-title" },
    el("div", { class: "nbo-head" }, el("h3", { id: "nbo-title" }, T.title), status,
       el("label", { class: "nbo-due" }, T.dueOn, " ", dueOn)),
    list, error);
  const pop = document.getElementById("sp-pop");
  if (pop && pop.parentNode === home) pop.after(panel); else home.prepend(panel);
  const style = document.createElement("style");
  style.textContent = `
    #offers { margin: .3rem 0; padding: .3rem .6rem; }
    #offers .nbo-head { display: flex; align-items: baseline; gap: .6rem; }
    #offers h3 { margin: 0; font-size: 1rem; }
    #offers .nbo-due { font-size: .8rem; margin-left: auto; }
    #offers .nbo-due input { font-size: .8rem; padding: 0 .2rem; }
    #offers .nbo-list { margin: .15rem 0 0; padding-left: 1.2rem; }
    #offers .nbo-list li { display: flex; align-items: center; gap: .3rem; padding: .12rem 0;
                           border-bottom: 1px solid #e5e7eb; }
    #offers .nbo-name { font-weight: 600; white-space: nowrap; }
    #offers .nbo-kind { font-size: .7rem; white-space: nowrap; }
    #offers .nbo-tip { flex: 1 1 0; width: 0; font-size: .85rem; overflow: hidden;
                       text-overflow: ellipsis; white-space: nowrap; }
    #offers .nbo-btn { padding: .05rem .35rem; font-size: .8rem; min-height: 1.6rem; white-space: nowrap; }
    #offers .nbo-btn[disabled] { opacity: .4; cursor: default; }
    #offers .nbo-done { font-size: .8rem; white-space: nowrap; color: #166534; }
    #offers .nbo-status { margin: 0; font-size: .75rem; }
    #offers .nbo-error { margin: .1rem 0 0; font-size: .8rem; }
    #offers .nbo-error:empty { display: none; }`;
  document.head.append(style);

  let contactId = null;
  let agentState = null;
  let offers = [];
  const done = {}; // offer -> last recorded result, for the current contact

  function dayAfter(days) {
    const d = new Date(Date.now() + days * 86400000 + 9 * 3600000); // the bank's day (KST)
    return d.toISOString().slice(0, 10);
  }

  function render() {
    list.replaceChildren();
    if (!offers.length) {
      list.append(el("li", { class: "muted" }, T.none));
      return;
    }
    const open = RECORDING.includes(agentState);
    for (const o of offers) {
      const name = offerName(o.offer);
      const tip = tipText(o);
      // one line per offer (the console fits one 1366×768 screen): the tip is cut with an
      // ellipsis, in full in its title with the propensity and the expected value
      const row = el("li", { "data-offer": o.offer },
        el("span", { class: "nbo-name", id: "nbo-" + o.offer }, name),
        el("span", { class: "badge nbo-kind" }, T.kinds[o.kind] || words(o.kind)),
        el("span", { class: "nbo-tip", title: tip + " · " + Math.round(o.propensity * 100) + "% · " +
                     T.expected + " " + won(Math.round(o.score)) + " KRW" }, tip),
        done[o.offer] ? el("span", { class: "nbo-done", title: T.recorded }, "✓ " + T.results[done[o.offer]]) : null,
        ...RESULTS.map((result) => {
          const b = el("button", { type: "button", class: "nbo-btn", "data-result": result,
                                   "aria-describedby": "nbo-" + o.offer,
                                   onclick: () => record(o, result, b) }, T.results[result]);
          b.disabled = !open || done[o.offer] === "accepted" || done[o.offer] === "declined";
          return b;
        }));
      list.append(row);
    }
  }

  async function load(cid) {
    error.textContent = "";
    status.textContent = "";
    try {
      const r = await fetch("/api/console/offers?contact_id=" + encodeURIComponent(cid),
                            { headers: { Accept: "application/json" } });
      const data = await r.json().catch(() => ({}));
      if (cid !== contactId) return; // the next call came meanwhile
      if (r.status === 409) { offers = []; panel.hidden = true; return; } // no known customer
      if (!r.ok) throw new Error(data.detail || r.status + " " + r.statusText);
      offers = data.offers || [];
      status.textContent = data.model === "fitted" ? T.fitted : T.prior;
      panel.hidden = false;
      render();
    } catch (err) {
      error.textContent = String(err.message || err);
      panel.hidden = false;
    }
  }

  async function record(o, result, button) {
    error.textContent = "";
    const body = { contact_id: contactId, offer: o.offer, result };
    if (result === "follow_up" && dueOn.value) body.due_on = dueOn.value;
    button.disabled = true;
    try {
      const r = await fetch("/api/console/offers", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      const data = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(data.detail || r.status + " " + r.statusText); // names the field
      done[o.offer] = result;
    } catch (err) {
      error.textContent = String(err.message || err);
    }
    render();
  }

  document.addEventListener("contactops:state", (e) => {
    const state = (e.detail && e.detail.state) || {};  // detail: {state, before}
    const c = state.contact;
    agentState = state.state;
    if (!c) {
      contactId = null;
      offers = [];
      panel.hidden = true;
      return;
    }
    if (c.contact_id !== contactId) {
      contactId = c.contact_id;
      offers = [];
      for (const k of Object.keys(done)) delete done[k];
      dueOn.value = dayAfter(7);
      list.replaceChildren();
      if (c.customer_id) load(c.contact_id); else panel.hidden = true;
      return;
    }
    render();
  });
})();
