"""The demo's open leads (app/seed/leads.py): each managing agent's agenda has today's calls,
managed customers first, none of a do-not-call customer; deterministic."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from app import dbmigrate
from app.agenda import build_agenda
from app.db import make_engine
from app.models import Agent, Customer, Lead
from app.queries import CENTER_TZ
from app.seed import seed_demo
from app.seed.leads import DUE_DAYS_BACK, LEADS_PER_AGENT

TODAY = date(2026, 11, 25)


def _leads(url: str) -> list[tuple[int, str, int | None, date]]:
    dbmigrate.upgrade(url)
    engine = make_engine(url)
    summary = seed_demo(engine, customers=3000, today=TODAY, roster=False)
    with Session(engine) as session:
        leads = session.exec(select(Lead).order_by(Lead.id)).all()  # type: ignore[arg-type]
        assert summary.rows["lead"] == len(leads) > 0
        managers = {c.id: c for c in session.exec(select(Customer).where(
            Customer.id.in_([x.customer_id for x in leads]))).all()}  # type: ignore[union-attr]
        for lead in leads:
            customer = managers[lead.customer_id]
            assert customer.relationship_manager_id == lead.created_by
            assert not customer.do_not_call
            assert lead.status == "open"
            assert 0 <= (TODAY - lead.due_on).days <= DUE_DAYS_BACK
        per_agent: dict[int | None, int] = {}
        for lead in leads:
            per_agent[lead.created_by] = per_agent.get(lead.created_by, 0) + 1
        assert max(per_agent.values()) <= LEADS_PER_AGENT
        agent = session.get(Agent, leads[0].created_by)
        assert agent is not None
        at = datetime(2026, 11, 25, 10, 30, tzinfo=CENTER_TZ)
        items = build_agenda(session, agent, at, ring_seconds=25.0)
        assert len(items) == per_agent[agent.id] and all(i.managed for i in items)
        # a Wednesday morning: only a missing marketing consent refuses a dial
        for i in items:
            consent = managers[i.entry.customer_id].marketing_consent
            assert i.decision.allowed == consent, i.decision
        return [(x.customer_id, x.offer, x.created_by, x.due_on) for x in leads]


def test_the_demo_seeds_each_managers_agenda(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = _leads(f"sqlite:///{tmp_path / 'a.db'}")
    assert first == _leads(f"sqlite:///{tmp_path / 'b.db'}")
