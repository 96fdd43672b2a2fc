"""Customers and their phone numbers.

Each customer gets a unique +82 mobile number in E.164 form (``+8210`` and 8 digits);
about 30 % also have a home or work line on an 070 internet-phone number (``+8270`` and
8 digits). Numbers are unique by construction: the 8 digits are an affine permutation
of the customer id, ``(A * (id - 1) + B) mod 10**8`` with ``A`` coprime to 10, so no two
customers share a number for bases up to 100 million, whatever the chunking.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from app.seed.bulk import Frame
from app.seed.kst import day, kst_to_utc
from app.seed.names import korean_names
from app.seed.tiers import MANAGED_TIERS, TIER_CODE, TIERS, annual_revenue_krw

PHONE_SPACE = 10**8
MOBILE_MULTIPLIER = 48_271_093  # odd and not a multiple of 5: coprime to 10**8
LANDLINE_MULTIPLIER = 69_069_021
SECOND_PHONE_SHARE = 0.30

# [new, growth, mature, churn_risk] by tier (TIERS order)
LIFECYCLE_STAGES = ("new", "growth", "mature", "churn_risk")
LIFECYCLE_P = np.array([
    [0.02, 0.15, 0.75, 0.08],
    [0.03, 0.20, 0.67, 0.10],
    [0.05, 0.30, 0.55, 0.10],
    [0.10, 0.35, 0.45, 0.10],
    [0.15, 0.25, 0.45, 0.15],
    [0.05, 0.02, 0.18, 0.75],
])
TIER_SEGMENT = ("high_net_worth", "high_net_worth", "affluent", "mass_affluent", "mass", "mass")
MEAN_AGE = np.array([58.0, 54.0, 50.0, 46.0, 43.0, 45.0])
CONSENT_P = np.array([0.70, 0.68, 0.65, 0.60, 0.55, 0.30])
DO_NOT_CALL_P = np.array([0.02, 0.03, 0.04, 0.05, 0.06, 0.12])

BRANCHES: tuple[tuple[str, float], ...] = (
    ("강남역지점", 9), ("여의도지점", 8), ("종로지점", 7), ("잠실지점", 7), ("목동지점", 6),
    ("을지로지점", 5), ("분당지점", 5), ("일산지점", 4), ("해운대지점", 5), ("서면지점", 5),
    ("부산역지점", 3), ("인천지점", 5), ("수원지점", 5), ("대구지점", 5), ("대전지점", 4),
    ("광주지점", 4), ("울산지점", 3), ("창원지점", 2), ("전주지점", 2), ("제주지점", 1),
)
OVERSEAS_TIME_ZONES = (
    "America/Los_Angeles", "America/New_York", "America/Toronto", "Asia/Tokyo",
    "Australia/Sydney", "Europe/London",
)
OVERSEAS_SHARE = 0.007


def pick_by_tier(rng: np.random.Generator, tier_codes: np.ndarray, p_by_tier: np.ndarray) -> np.ndarray:
    """For each customer draw a category index with the probabilities of its tier."""
    out = np.empty(len(tier_codes), dtype=np.int64)
    for code in range(len(TIERS)):
        where = np.flatnonzero(tier_codes == code)
        if where.size:
            out[where] = rng.choice(p_by_tier.shape[1], size=where.size, p=p_by_tier[code])
    return out


def customer_frame(
    rng: np.random.Generator,
    ids: np.ndarray,
    tier_codes: np.ndarray,
    today: date,
    manager_ids: np.ndarray,
) -> Frame:
    """Rows for ``customer``; ``manager_ids`` are the relationship managers of the managed
    tiers (:data:`app.seed.tiers.MANAGED_TIERS`)."""
    n = len(ids)
    ages = np.clip(rng.normal(MEAN_AGE[tier_codes], 13.0), 19, 90)
    birth = day(today) - (ages * 365.25).astype("timedelta64[D]")
    tenure_days = np.minimum(rng.exponential(8 * 365.25, n), (ages - 19) * 365.25)
    created_local = (
        day(today).astype("datetime64[s]")
        - (tenure_days * 86400).astype("timedelta64[s]")
    )
    stage = pick_by_tier(rng, tier_codes, LIFECYCLE_P)
    segment = np.array(TIER_SEGMENT, dtype=object)[tier_codes]
    mass = tier_codes >= TIER_CODE["silver"]
    segment[mass & (ages < 30)] = "youth"
    segment[mass & (ages >= 65) & (tier_codes != TIER_CODE["silver"])] = "senior"
    segment[mass & (rng.random(n) < 0.04)] = "sme_owner"
    do_not_call = rng.random(n) < DO_NOT_CALL_P[tier_codes]
    consent = (rng.random(n) < CONSENT_P[tier_codes]) & ~do_not_call
    branch_w = np.array([w for _, w in BRANCHES])
    branches = np.array([b for b, _ in BRANCHES], dtype=object)[
        rng.choice(len(BRANCHES), size=n, p=branch_w / branch_w.sum())
    ]
    zones = np.full(n, "Asia/Seoul", dtype=object)
    overseas = rng.random(n) < OVERSEAS_SHARE
    zones[overseas] = np.array(OVERSEAS_TIME_ZONES, dtype=object)[
        rng.integers(0, len(OVERSEAS_TIME_ZONES), size=int(overseas.sum()))
    ]
    vip = np.isin(tier_codes, [TIER_CODE[t] for t in MANAGED_TIERS])
    managers = np.ma.masked_array(np.zeros(n, dtype=np.int64), mask=~vip)
    if len(manager_ids):
        managers[vip] = manager_ids[rng.integers(0, len(manager_ids), size=int(vip.sum()))]
    else:
        managers.mask = True
    return {
        "id": ids,
        "name": korean_names(rng, n),
        "value_tier": np.array(TIERS, dtype=object)[tier_codes],
        "lifecycle_stage": np.array(LIFECYCLE_STAGES, dtype=object)[stage],
        "segment": segment,
        "annual_revenue_krw": annual_revenue_krw(rng, tier_codes),
        "marketing_consent": consent,
        "do_not_call": do_not_call,
        "time_zone": zones,
        "home_branch": branches,
        "relationship_manager_id": managers,
        "birth_date": birth,
        "created_at": kst_to_utc(created_local),
    }


def mobile_numbers(ids: np.ndarray, offset: int) -> np.ndarray:
    digits = (MOBILE_MULTIPLIER * (ids.astype(np.int64) - 1) + offset) % PHONE_SPACE
    return np.char.add("+8210", np.char.zfill(digits.astype(str), 8))


def phone_frame(rng: np.random.Generator, ids: np.ndarray, first_id: int, offsets: tuple[int, int]) -> Frame:
    """Rows for ``customerphone``: one mobile each, a second (home/work) line for ~30 %."""
    second = ids[rng.random(len(ids)) < SECOND_PHONE_SHARE]
    landline = (LANDLINE_MULTIPLIER * (second.astype(np.int64) - 1) + offsets[1]) % PHONE_SPACE
    numbers = np.concatenate([
        mobile_numbers(ids, offsets[0]),
        np.char.add("+8270", np.char.zfill(landline.astype(str), 8)),
    ])
    kinds = np.concatenate([
        np.full(len(ids), "mobile", dtype=object),
        np.where(rng.random(len(second)) < 0.6, "home", "work").astype(object),
    ])
    customer_ids = np.concatenate([ids, second])
    return {
        "id": np.arange(first_id, first_id + len(numbers), dtype=np.int64),
        "customer_id": customer_ids,
        "number": numbers.astype(object),
        "kind": kinds,
    }
