"""Open leads of the demo bank, so that each agent's agenda has today's calls to make.

After the past offers (:mod:`app.seed.offers`), from its own generator
``np.random.default_rng([seed, 13])`` so the rest of the bank does not change: for every agent
who manages customers (``Customer.relationship_manager_id``), up to :data:`LEADS_PER_AGENT`
of them get an open lead (an offer of the catalogue to talk about) due from
:data:`DUE_DAYS_BACK` days ago to today, created a week before it fell due by that agent, as
a follow-up recorded in the console would be. Customers who asked not to be called are left
out; those without marketing consent stay in (the agenda shows the rule that refuses them).
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.models import Customer, Lead, LeadStatus
from app.seed.bulk import table_of, write_frame
from app.seed.kst import day, kst_to_utc
from telesales.offers import OFFER_CODES

LEADS_PER_AGENT = 8
DUE_DAYS_BACK = 3
LEAD_NOTES = ("상담 중 후속 연락 요청", "만기 전 재예치 안내 약속", "가족과 상의 후 회신 예정")


def seed_leads(engine: Engine, today: date, seed: int) -> dict[str, int]:
    """Write the demo's open leads; returns rows written per table."""
    rng = np.random.default_rng([seed, 13])
    c = table_of(Customer).c
    with engine.begin() as conn:
        managed = conn.execute(
            select(c.id, c.relationship_manager_id)
            .where(c.relationship_manager_id.is_not(None), c.do_not_call.is_(False))
            .order_by(c.relationship_manager_id, c.id)).all()
        by_agent: dict[int, list[int]] = {}
        for cid, agent in managed:
            by_agent.setdefault(int(agent), []).append(int(cid))
        customers: list[int] = []
        owners: list[int] = []
        for agent, ids in sorted(by_agent.items()):
            k = min(LEADS_PER_AGENT, len(ids))
            customers += [int(i) for i in rng.choice(ids, size=k, replace=False)]
            owners += [agent] * k
        m = len(customers)
        if m == 0:
            return {}
        due = day(today) - rng.integers(0, DUE_DAYS_BACK + 1, m).astype("timedelta64[D]")
        created = kst_to_utc((due - np.timedelta64(7, "D")).astype("datetime64[s]")
                             + np.timedelta64(10, "h"))
        frame = {
            "customer_id": np.array(customers, dtype=np.int64),
            "offer": np.array(OFFER_CODES, dtype=object)[rng.integers(0, len(OFFER_CODES), m)],
            "kind": np.array(["cross_sell"] * m, dtype=object),
            "created_by": np.array(owners, dtype=np.int64),
            "created_at": created,
            "due_on": due,
            "status": np.array([LeadStatus.open.value] * m, dtype=object),
            "source_contact_id": np.array([""] * m, dtype=object),
            "note": np.array(LEAD_NOTES, dtype=object)[rng.integers(0, len(LEAD_NOTES), m)],
        }
        return {"lead": write_frame(conn, table_of(Lead), frame)}
