"""Products held: deposits (with maturity dates), loans, cards and funds.

Counts per customer are Poisson with a mean that rises with the tier; balances are
lognormal, scaled by tier. Deposit maturities are spread from a month ago to the end of
the term, so retention campaigns always find deposits maturing soon.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from app.seed.bulk import Frame
from app.seed.customers import pick_by_tier
from app.seed.kst import day

KINDS = ("deposit", "loan", "card", "fund")
MEAN_PRODUCTS = np.array([6.0, 4.5, 3.5, 2.5, 1.8, 0.6])  # TIERS order
KIND_P = np.array([  # deposit, loan, card, fund
    [0.40, 0.10, 0.20, 0.30],
    [0.40, 0.12, 0.23, 0.25],
    [0.40, 0.15, 0.27, 0.18],
    [0.38, 0.18, 0.32, 0.12],
    [0.36, 0.18, 0.38, 0.08],
    [0.55, 0.05, 0.38, 0.02],
])
BALANCE_MEDIAN_KRW = np.array([900e6, 250e6, 80e6, 20e6, 4e6, 300e3])  # TIERS order
KIND_BALANCE_FACTOR = np.array([1.0, 1.5, 0.05, 0.8])
PRODUCT_NAMES: dict[str, tuple[str, ...]] = {
    "deposit": ("정기예금 12개월", "정기예금 6개월", "자유적금 24개월", "정기적금 36개월",
                "주택청약종합저축"),
    "loan": ("주택담보대출", "전세자금대출", "직장인 신용대출", "마이너스통장"),
    "card": ("체크카드", "신용카드 클래식", "신용카드 플래티넘", "트래블 체크카드"),
    "fund": ("글로벌 주식형 펀드", "국내 채권형 펀드", "배당주 펀드", "TDF 2045"),
}
DEPOSIT_TERM_DAYS = np.array([365, 182, 730, 1095, 3650])  # by deposit name
LOAN_TERM_DAYS = np.array([30 * 365, 2 * 365, 365, 365])


def product_frame(
    rng: np.random.Generator,
    ids: np.ndarray,
    tier_codes: np.ndarray,
    today: date,
    first_id: int,
) -> Frame:
    counts = rng.poisson(MEAN_PRODUCTS[tier_codes])
    owner = np.repeat(ids, counts)
    owner_tier = np.repeat(tier_codes, counts)
    m = len(owner)
    kind = pick_by_tier(rng, owner_tier, KIND_P)
    names_per_kind = np.array([len(PRODUCT_NAMES[k]) for k in KINDS])
    name_index = rng.integers(0, 1 << 20, size=m) % names_per_kind[kind]
    names = np.empty(m, dtype=object)
    for k, kind_name in enumerate(KINDS):
        where = kind == k
        names[where] = np.array(PRODUCT_NAMES[kind_name], dtype=object)[name_index[where]]
    balance = np.round(
        rng.lognormal(np.log(BALANCE_MEDIAN_KRW[owner_tier] * KIND_BALANCE_FACTOR[kind]), 1.0)
        / 1000
    ).astype(np.int64) * 1000
    today_d = day(today)
    opened = today_d - rng.integers(30, 3650, size=m).astype("timedelta64[D]")
    maturity = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
    deposits = kind == 0
    term = DEPOSIT_TERM_DAYS[np.minimum(name_index, len(DEPOSIT_TERM_DAYS) - 1)]
    due = today_d + (rng.random(m) * (term + 30) - 30).astype("timedelta64[D]")
    maturity[deposits] = due[deposits]
    opened[deposits] = (due - term.astype("timedelta64[D]"))[deposits]
    loans = kind == 1  # outstanding: maturity between a month and the full term ahead
    loan_term = LOAN_TERM_DAYS[np.minimum(name_index, len(LOAN_TERM_DAYS) - 1)]
    loan_due = today_d + (30 + rng.random(m) * (loan_term - 30)).astype("timedelta64[D]")
    maturity[loans] = loan_due[loans]
    opened[loans] = (loan_due - loan_term.astype("timedelta64[D]"))[loans]
    ids = np.arange(first_id, first_id + m, dtype=np.int64)
    # one loan in twenty is 1-119 days past due (by id, no draw: the bank stays the same for
    # a seed), so that the demo's collections campaign has debtors
    past_due = np.where(loans & (ids % 20 == 0), 1 + (ids * 37) % 119, 0).astype(np.int64)
    return {
        "id": ids,
        "customer_id": owner,
        "kind": np.array(KINDS, dtype=object)[kind],
        "name": names,
        "balance_krw": balance,
        "opened_on": opened,
        "maturity_date": maturity,
        "days_past_due": past_due,
    }
