"""The agenda's core on the database side (app/agenda.py): sources plug in (and a key comes
once), the order's tie-breaks, the dial history the rules read (refusals are no dial), and the
robot customers' draws (app/live/robot_customers.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlmodel import Session

from app import dbmigrate
from app.agenda import (
    AgendaEntry,
    build_agenda,
    dial_history,
    dial_row,
    last_contacts,
    lead_entries,
)
from app.db import make_engine
from app.live.robot_customers import RobotCustomers
from app.models import Agent, Customer, Lead
from app.queries import CENTER_TZ

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=CENTER_TZ)  # a Wednesday morning in Seoul
DAY = NOW.date()


@pytest.fixture
def session(sqlite_url: str):  # type: ignore[no-untyped-def]
    dbmigrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as s:
        s.add(Agent(id=1, login="agent01", name="A"))
        s.add(Agent(id=2, login="agent02", name="B"))
        for cid, tier in ((1, "silver"), (2, "private_banker"), (3, "gold")):
            s.add(Customer(id=cid, name=f"c{cid}", value_tier=tier, marketing_consent=True))
        s.commit()
        yield s
    engine.dispose()


def _lead(s: Session, customer: int, due: date, by: int = 1) -> int:
    lead = Lead(customer_id=customer, offer="fund", created_by=by,
                created_at=datetime(2026, 11, 1, tzinfo=UTC), due_on=due)
    s.add(lead)
    s.commit()
    assert lead.id is not None
    return lead.id


def test_ties_go_to_the_higher_tier_then_the_key(session: Session) -> None:
    a, b, c = _lead(session, 1, DAY), _lead(session, 2, DAY), _lead(session, 3, DAY)
    agent = session.get(Agent, 1)
    assert agent is not None
    keys = [i.entry.key for i in build_agenda(session, agent, NOW, ring_seconds=25.0)]
    assert keys == [f"lead-{b}", f"lead-{c}", f"lead-{a}"]  # private banker, gold, silver


def test_a_second_source_plugs_in_and_a_key_comes_once(session: Session) -> None:
    mine = _lead(session, 1, DAY)
    _lead(session, 2, DAY, by=2)  # agent02's: not on agent01's agenda

    def campaign(s: Session, agent: Agent, day: date) -> list[AgendaEntry]:
        assert day == DAY
        return [AgendaEntry("campaign", "camp-7", 3, "insurance", "cross_sell", "list", day),
                AgendaEntry("campaign", f"lead-{mine}", 1, "fund", "cross_sell", "dup", day)]

    agent = session.get(Agent, 1)
    assert agent is not None
    items = build_agenda(session, agent, NOW, ring_seconds=25.0,
                         sources=(lead_entries, campaign))
    assert [(i.entry.source, i.entry.key) for i in items] == [
        ("campaign", "camp-7"), ("lead", f"lead-{mine}")]  # gold before silver


def test_refused_dials_are_neither_dials_nor_contacts(session: Session) -> None:
    at = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    session.add(dial_row(1, "lead-1", "refused:calling_hours", at, "agent01"))
    session.add(dial_row(1, "lead-1", "busy", at + timedelta(minutes=5), "agent01"))
    session.add(dial_row(2, "lead-2", "refused:do_not_call", at, "agent01"))
    session.commit()
    history = dial_history(session, [1, 2, 3])
    assert [(d.campaign, d.result) for d in history[1]] == [("lead-1", "busy")]
    assert history[2] == [] and history[3] == []
    assert last_contacts(session, [1, 2]) == {1: at + timedelta(minutes=5)}


def test_an_attempt_cap_reached_refuses_until_never(session: Session) -> None:
    lead = _lead(session, 1, DAY)
    key = f"lead-{lead}"
    for n in range(6):  # KR telesales: at most 6 attempts per campaign
        session.add(dial_row(1, key, "no_answer", datetime(2026, 11, 1 + n, 1, tzinfo=UTC),
                             "agent01"))
    session.commit()
    agent = session.get(Agent, 1)
    assert agent is not None
    (item,) = build_agenda(session, agent, NOW, ring_seconds=25.0)
    assert [(r.rule, r.until) for r in item.decision.refusals] == [("attempt_cap", None)]


def test_robot_customers_draw_the_same_with_the_same_seed() -> None:
    draws = [RobotCustomers(rng=np.random.default_rng(5)).ring() for _ in range(2)]
    assert draws[0] == draws[1]
    robots = RobotCustomers(rng=np.random.default_rng(5), answer_rate=0.0, machine_rate=0.0,
                            busy_rate=0.0)
    assert robots.ring() == (25.0, "no_answer")
    with pytest.raises(ValueError, match="answer_rate"):
        RobotCustomers(answer_rate=1.5)
    with pytest.raises(ValueError, match="answer_after_seconds"):
        RobotCustomers(answer_after_seconds=(3.0, 40.0))
