"""Life events and past offers of the demo bank, so that next best offers have something to say.

After the main seed (like :mod:`app.seed.qa_forms`), from its own generator
``np.random.default_rng([seed, 12])`` so the rest of the bank does not change:

- life events (:data:`app.models.LIFE_EVENT_KINDS`) for :data:`LIFE_EVENT_SHARE` of the
  customers, dated from two months ago to four months ahead (a child's wedding season, a
  retirement coming), as a relationship manager would have recorded them;
- past offers for :data:`PAST_OFFER_SHARE` of the customers, one or two each over the last
  200 days, as rows of the contact history (reason ``offer:<code>``, outcome ``made``,
  ``accepted``, ``declined`` or ``follow_up``: what the console records), a third of them
  presented in a branch. Acceptance follows :data:`telesales.propensity.PRIOR_ACCEPT_RATES`
  scaled by tier (:data:`TIER_ACCEPT_FACTOR`), so the propensity model has a tier effect to
  learn.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from app.models import LIFE_EVENT_KINDS, Agent, ContactHistory, Customer, CustomerLifeEvent
from app.seed.bulk import table_of, write_frame
from app.seed.customers import BRANCHES
from app.seed.kst import day, kst_to_utc
from telesales.offers import OFFER_CODES, OFFER_REASON_PREFIX
from telesales.propensity import PRIOR_ACCEPT_RATES

LIFE_EVENT_SHARE = 0.04
PAST_OFFER_SHARE = 0.03
#: at least this many customers get each (small demo banks still show them)
MIN_CUSTOMERS = 50
LIFE_EVENT_P = np.array([0.12, 0.12, 0.12, 0.18, 0.14, 0.12, 0.12, 0.06, 0.02])
LIFE_EVENT_NOTES = {
    "marriage": "본인 결혼 예정", "child_birth": "출산 예정", "child_school": "자녀 초등학교 입학",
    "child_wedding": "자녀 결혼 예정 (혼주)", "home_purchase": "아파트 매수 계약",
    "move": "이사 예정", "retirement": "정년 퇴직 예정", "business_start": "개인 사업 시작",
    "bereavement": "부친상",
}
#: acceptance relative to the prior, by tier (private banker … inactive)
TIER_ACCEPT_FACTOR = {"private_banker": 2.0, "platinum": 1.7, "gold": 1.4, "silver": 1.1,
                      "core": 0.8, "inactive": 0.3}
OFFER_NOTES = {"branch": "영업점 창구에서 상품 안내", "call_center": "상담 중 상품 제안"}
CHUNK_IDS = 10_000


def seed_offers(engine: Engine, today: date, seed: int) -> dict[str, int]:
    """Write the life events and past offers; returns rows written per table."""
    rng = np.random.default_rng([seed, 12])
    with engine.begin() as conn:
        customers, agents = table_of(Customer).c, table_of(Agent).c
        n = int(conn.execute(select(func.max(customers.id))).scalar() or 0)
        logins = np.array(list(conn.execute(select(agents.login).order_by(agents.id)).scalars()),
                          dtype=object)
        if n == 0 or len(logins) == 0:
            return {}
        rows = {
            "customer_life_event": write_frame(
                conn, table_of(CustomerLifeEvent), _life_events(rng, n, today)),
            "contacthistory": write_frame(
                conn, table_of(ContactHistory), _past_offers(conn, rng, n, today, logins)),
        }
    if engine.dialect.name == "postgresql":  # the planner's statistics of the new table
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "ANALYZE " + conn.dialect.identifier_preparer.format_table(
                    table_of(CustomerLifeEvent)))
    return rows


def _sample(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    k = min(n, max(MIN_CUSTOMERS, int(share * n)))
    return np.sort(rng.choice(n, size=k, replace=False).astype(np.int64) + 1)


def _life_events(rng: np.random.Generator, n: int, today: date) -> dict[str, np.ndarray]:
    ids = _sample(rng, n, LIFE_EVENT_SHARE)
    kinds = np.array(LIFE_EVENT_KINDS, dtype=object)[
        rng.choice(len(LIFE_EVENT_KINDS), size=len(ids), p=LIFE_EVENT_P / LIFE_EVENT_P.sum())]
    offsets = rng.integers(-60, 121, size=len(ids)).astype("timedelta64[D]")
    recorded = kst_to_utc((day(today) - rng.integers(1, 60, size=len(ids)).astype(
        "timedelta64[D]")).astype("datetime64[s]") + np.timedelta64(10, "h"))
    return {
        "customer_id": ids,
        "kind": kinds,
        "on_date": day(today) + offsets,
        "note": np.array([LIFE_EVENT_NOTES[k] for k in kinds], dtype=object),
        "recorded_by": np.full(len(ids), "seed", dtype=object),
        "recorded_at": recorded,
    }


def _tiers(conn: Connection, ids: np.ndarray) -> np.ndarray:
    found: dict[int, str] = {}
    columns = table_of(Customer).c
    for start in range(0, len(ids), CHUNK_IDS):
        chunk = [int(i) for i in ids[start:start + CHUNK_IDS]]
        for cid, tier in conn.execute(select(columns.id, columns.value_tier)
                                      .where(columns.id.in_(chunk))):
            found[int(cid)] = str(tier)
    return np.array([found.get(int(i), "core") for i in ids], dtype=object)


def _past_offers(conn: Connection, rng: np.random.Generator, n: int, today: date,
                 logins: np.ndarray) -> dict[str, np.ndarray]:
    owners = _sample(rng, n, PAST_OFFER_SHARE)
    owners = np.repeat(owners, rng.integers(1, 3, size=len(owners)))
    m = len(owners)
    tiers = _tiers(conn, owners)
    codes = np.array(OFFER_CODES, dtype=object)[rng.integers(0, len(OFFER_CODES), size=m)]
    branch = rng.random(m) < 1 / 3
    p_accept = np.minimum(0.9, np.array(
        [PRIOR_ACCEPT_RATES.get(c, 0.05) * TIER_ACCEPT_FACTOR.get(t, 1.0) * 2.5
         for c, t in zip(codes, tiers, strict=True)]))
    u = rng.random(m)
    outcome = np.where(u < p_accept, "accepted", "declined").astype(object)
    v = rng.random(m)
    outcome[(v < 0.10) & (outcome == "declined")] = "follow_up"
    outcome[branch & (v > 0.5)] = "made"  # presented at the counter, the customer will think
    days_ago = rng.integers(1, 200, size=m).astype("timedelta64[D]")
    seconds = rng.integers(9 * 3600, 18 * 3600, size=m).astype("timedelta64[s]")
    at = kst_to_utc((day(today) - days_ago).astype("datetime64[s]") + seconds)
    tellers = np.array([f"teller:{b}" for b, _ in BRANCHES], dtype=object)
    handled = np.where(branch, tellers[rng.integers(0, len(tellers), size=m)],
                       logins[rng.integers(0, len(logins), size=m)]).astype(object)
    return {
        "customer_id": owners,
        "channel": np.where(branch, "branch", "call_center").astype(object),
        "at": at,
        "reason": np.array([OFFER_REASON_PREFIX + c for c in codes], dtype=object),
        "notes": np.where(branch, OFFER_NOTES["branch"], OFFER_NOTES["call_center"]).astype(object),
        "outcome": outcome,
        "handled_by": handled,
    }

