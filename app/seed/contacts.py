"""Contact history: every contact on every channel (branch, call center, web, outbound).

Over the year before ``today``; the number per customer is Poisson with a mean that rises
with the tier. Reasons and outcomes are codes (translated in the UI); notes are short
Korean free text, as an agent or teller would type them.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from app.seed.bulk import Frame
from app.seed.customers import BRANCHES
from app.seed.kst import day, kst_to_utc

CHANNELS = ("branch", "call_center", "web", "outbound")
CHANNEL_P = np.array([0.22, 0.43, 0.25, 0.10])
MEAN_CONTACTS = np.array([8.0, 7.0, 6.0, 4.0, 2.5, 0.6])  # TIERS order
REASONS: dict[str, tuple[tuple[str, str], ...]] = {  # code, note
    "branch": (
        ("account_opening", "신규 계좌 개설"), ("deposit_renewal", "정기예금 만기 재예치"),
        ("loan_application", "대출 신청 서류 접수"), ("cash_service", "현금 입출금"),
        ("document_request", "잔액증명서 발급"),
    ),
    "call_center": (
        ("balance_inquiry", "잔액 및 거래내역 문의"), ("card_lost", "카드 분실 신고 접수"),
        ("transfer_error", "이체 오류 확인 요청"), ("loan_inquiry", "대출 금리 문의"),
        ("fx_remittance", "해외 송금 문의"), ("password_reset", "비밀번호 재설정 안내"),
        ("complaint", "수수료 관련 불만 접수"),
    ),
    "web": (
        ("internet_banking_login", "인터넷뱅킹 로그인 오류"), ("product_inquiry", "상품 문의 게시"),
        ("address_change", "주소 변경"), ("chat_inquiry", "챗봇 상담 후 상담원 연결"),
    ),
    "outbound": (
        ("deposit_maturity_notice", "예금 만기 안내 전화"), ("cross_sell_card", "카드 상품 권유"),
        ("collections_reminder", "연체 안내"), ("satisfaction_survey", "만족도 조사"),
    ),
}
OUTCOMES: dict[str, tuple[str, ...]] = {  # per channel; repeated codes weigh more
    "branch": ("completed", "completed", "completed", "follow_up"),
    "call_center": ("resolved", "resolved", "resolved", "transferred", "follow_up"),
    "web": ("resolved", "resolved", "escalated"),
    "outbound": ("accepted", "declined", "no_answer", "callback_requested"),
}
#: outcomes that only fit some reasons (a survey call never ends in a promise to pay)
REASON_OUTCOMES: dict[str, tuple[str, ...]] = {
    "complaint": ("complaint_logged", "complaint_logged", "resolved", "escalated"),
    "password_reset": ("resolved", "resolved", "follow_up"),
    "card_lost": ("resolved", "resolved", "follow_up"),
    "deposit_maturity_notice": ("renewed", "not_renewed", "no_answer", "callback_requested"),
    "cross_sell_card": ("accepted", "declined", "declined", "no_answer", "callback_requested"),
    "collections_reminder": ("promise_to_pay", "promise_to_pay", "paid", "dispute", "no_answer"),
    "satisfaction_survey": ("completed", "completed", "declined", "no_answer"),
}


def contact_frame(
    rng: np.random.Generator,
    ids: np.ndarray,
    tier_codes: np.ndarray,
    today: date,
    first_id: int,
    agent_logins: np.ndarray,
) -> Frame:
    counts = rng.poisson(MEAN_CONTACTS[tier_codes])
    owner = np.repeat(ids, counts)
    m = len(owner)
    channel = rng.choice(len(CHANNELS), size=m, p=CHANNEL_P)
    reason = np.empty(m, dtype=object)
    notes = np.empty(m, dtype=object)
    outcome = np.empty(m, dtype=object)
    handled_by = np.empty(m, dtype=object)
    branch_names = np.array([f"teller:{b}" for b, _ in BRANCHES], dtype=object)
    for c, name in enumerate(CHANNELS):
        where = np.flatnonzero(channel == c)
        pick = rng.integers(0, len(REASONS[name]), size=where.size)
        reason[where] = np.array([r for r, _ in REASONS[name]], dtype=object)[pick]
        notes[where] = np.array([t for _, t in REASONS[name]], dtype=object)[pick]
        for r, (code, _) in enumerate(REASONS[name]):
            these = where[pick == r]
            choices = REASON_OUTCOMES.get(code, OUTCOMES[name])
            outcome[these] = np.array(choices, dtype=object)[
                rng.integers(0, len(choices), size=these.size)
            ]
        if name in ("call_center", "outbound"):
            handled_by[where] = agent_logins[rng.integers(0, len(agent_logins), size=where.size)]
        elif name == "branch":
            handled_by[where] = branch_names[rng.integers(0, len(branch_names), size=where.size)]
        else:
            handled_by[where] = "web"
    days_ago = rng.integers(1, 366, size=m).astype("timedelta64[D]")
    seconds = np.where(
        channel == 2, rng.integers(0, 86400, size=m), rng.integers(9 * 3600, 18 * 3600, size=m)
    ).astype("timedelta64[s]")
    local = (day(today) - days_ago).astype("datetime64[s]") + seconds
    return {
        "id": np.arange(first_id, first_id + m, dtype=np.int64),
        "customer_id": owner,
        "channel": np.array(CHANNELS, dtype=object)[channel],
        "at": kst_to_utc(local),
        "reason": reason,
        "notes": notes,
        "outcome": outcome,
        "handled_by": handled_by,
    }
