"""Live equals batch for the service-standard KPIs (qa.outcomes): the streaming accumulator
the wallboard runs on and ``contactops kpis`` over the stored interaction rows give the same
figures on the same events (the pattern of test_one_record.py).

The simulator's day gets outcomes a desk, an IVR and a survey would add: customers from a
small pool (so some call back for the same reason), wrap-up reasons, offers made and sold,
complaints, survey answers (some after the contact is over), transfers are the simulator's
own; self-service ends; agent state changes give occupancy.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session

from app.cli.kpis import kpi_report
from app.db import make_engine
from app.eventlog import SqlEventStore
from app.models import Agent
from app.testing import create_schema
from qa.accumulator import KpiAccumulator
from qa.agent_time import AgentTimeBuilder
from qa.kpis import total_occupancy
from qa.outcomes import OUTCOME_FIGURES, OutcomeCounts, outcome_figures
from qa.segments import SEGMENTS, segment_of
from routing.events import (
    AgentStateChanged,
    CallbackScheduled,
    ComplaintRecorded,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    OfferRecorded,
    SelfServiceEnded,
    SurveyAnswered,
    WrapUpEnded,
)
from simulations.center import simulate_center
from simulations.scenario import parse_scenario

T0 = datetime(2026, 5, 4, tzinfo=UTC).timestamp()
QUEUE = "deposits"
SCENARIO: dict[str, Any] = {
    "interval_minutes": 30,
    "queues": [{
        "name": QUEUE, "calls_per_interval": [80, 100], "aht_seconds": 200,
        "patience_mean_seconds": 60, "wrap_up_seconds": 25,
        "tier_mix": {"private_banker": 0.1, "platinum": 0.2, "gold": 0.2, "core": 0.5},
    }],
    "agents_per_interval": [8],
    "service_level_threshold_seconds": 20,
    "short_abandon_seconds": 5,
}
REASONS = ("card", "fees", "loan")


def _shift(event: Event) -> Event:
    shifted = dataclasses.replace(event, at=event.at + T0)
    if isinstance(shifted, CallbackScheduled) and shifted.due_at is not None:
        shifted = dataclasses.replace(shifted, due_at=shifted.due_at + T0)
    return shifted


@pytest.fixture(scope="module")
def events() -> list[Event]:
    run = simulate_center(parse_scenario(SCENARIO), np.random.default_rng(3), keep_events=True)
    rng = np.random.default_rng(11)
    out: list[Event] = []
    extra: list[Event] = []
    agent_of: dict[str, str] = {}
    for e in map(_shift, run.events):
        if isinstance(e, ContactArrived):
            e = dataclasses.replace(e, customer_id=str(rng.integers(1, 40)))
        elif isinstance(e, WrapUpEnded):
            e = dataclasses.replace(e, reason=str(rng.choice(REASONS)))
        elif isinstance(e, ContactAnswered):
            agent_of.setdefault(e.contact_id, e.agent_id)
        elif isinstance(e, ContactEnded) and e.contact_id in agent_of:
            cid, agent = e.contact_id, agent_of[e.contact_id]
            if rng.random() < 0.5:
                kind = "cross_sell" if rng.random() < 0.6 else "up_sell"
                extra.append(OfferRecorded(e.at - 1, cid, agent, "card", kind, "made"))
                if rng.random() < 0.4:
                    extra.append(OfferRecorded(e.at - 0.5, cid, agent, "card", kind,
                                               "accepted", amount=10.0))
            if rng.random() < 0.05:
                extra.append(ComplaintRecorded(e.at - 0.2, cid, "fees", agent))
            if rng.random() < 0.3:  # some surveys come hours later, after the story is over
                extra.append(SurveyAnswered(e.at + float(rng.choice([60.0, 7200.0])), cid,
                                            int(rng.integers(1, 6)), agent))
        out.append(e)
    for i in range(30):
        extra.append(SelfServiceEnded(T0 + 60.0 * i, f"ivr{i}", QUEUE, bool(i % 3), 30.0))
    return sorted(out + extra, key=lambda e: e.at)


def _same_figures(live: OutcomeCounts, batch: dict[str, Any]) -> None:
    figures = outcome_figures(live)
    for name in OUTCOME_FIGURES:
        want = batch[name]
        got = figures[name]
        if want is None or (isinstance(want, float) and math.isnan(want)):
            assert math.isnan(got), name
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-9), name


def test_live_accumulator_equals_the_stored_rows(events: list[Event], database_url: str
                                                  ) -> None:
    acc = KpiAccumulator()
    for e in events:
        acc.add(e)
    create_schema(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            for i in range(20):
                session.add(Agent(login=f"a{i:02d}", name=f"A{i}", team=f"t{i % 2}"))
            session.commit()
        store = SqlEventStore(engine)
        for start in range(0, len(events), 500):
            store.append(events[start:start + 500])
        day = datetime.fromtimestamp(T0, UTC)
        with Session(engine) as session:
            report = kpi_report(session, day, day + timedelta(days=1), 20.0, 5.0, "tier")
    finally:
        engine.dispose()
    total = acc.outcomes()
    _same_figures(total, report["all"])
    for segment in SEGMENTS:
        live = sum((acc.outcomes(QUEUE, t) for t in {k[1] for k in acc.outcomes_by_key()}
                    if t and segment_of(t) == segment), OutcomeCounts())
        live.self_service_entered = live.self_service_completed = 0
        _same_figures(live, report["groups"][segment])
    # a real test: each figure has something to count
    assert total.answered > 50 and total.fcr_repeated > 5
    assert total.cross_sell_sales > 5 and total.surveys > 20 and total.complaints > 0
    assert total.self_service_entered == 30
    assert 0 < report["all"]["first_contact_resolution"] < 1
    # occupancy: the agents' state changes of the day, busy over available (qa.kpis)
    builder = AgentTimeBuilder(86_400.0, 1)
    for e in events:
        if isinstance(e, AgentStateChanged):
            builder.add(dataclasses.replace(e, at=e.at - T0))
    expected = total_occupancy(builder.result(now=86_400.0))
    assert 0 < expected < 1
    assert report["all"]["occupancy"] == pytest.approx(expected)
