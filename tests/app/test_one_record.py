"""One contact record behind every KPI: the live wallboard's aggregation, the QA report
behind ``/qa`` and the simulator give the same AHT, VIP split and service level on the same
events (issue 8).

The simulator runs a center with VIP and general callers (talk, wrap-up, impatient callers);
its own figures are :mod:`qa` counts over its contact table. The same events then go, shifted
to the wall clock, through :class:`dashboards.wallboard.WallboardState` (the live wallboard)
and through :class:`app.eventlog.SqlEventStore` into the interaction table that
:func:`app.qa_report.qa_report` reads (the ``/qa`` page).
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session

from app.db import make_engine
from app.eventlog import SqlEventStore
from app.models import Queue
from app.qa_report import qa_report
from app.testing import create_schema
from dashboards.wallboard import WallboardState
from qa.counts import KpiCounts, counts_by_tier
from qa.kpis import average_handle_time, service_level
from qa.segments import SEGMENTS, segment_of
from routing.events import (
    TIERS,
    CallbackScheduled,
    Event,
    ServiceLevelGoal,
    ServiceLevelGoals,
    default_goal,
)
from simulations.center import simulate_center
from simulations.scenario import parse_scenario

T0 = 1_764_000_000.0  # the simulated day, put on the wall clock
QUEUE = "deposits"
SCENARIO: dict[str, Any] = {
    "interval_minutes": 30,
    "queues": [{
        "name": QUEUE,
        "calls_per_interval": [90, 110],
        "aht_seconds": 200,
        "patience_mean_seconds": 60,
        "wrap_up_seconds": 25,
        "tier_mix": {"private_banker": 0.1, "platinum": 0.2, "gold": 0.2, "core": 0.5},
    }],
    "agents_per_interval": [9],
    "service_level_threshold_seconds": 20,
    "short_abandon_seconds": 5,
}
COMPARED = ("offered", "answered", "abandoned", "answered_within", "abandoned_within",
            "short_abandoned", "handled")


def _on_wall_clock(event: Event) -> Event:
    shifted = dataclasses.replace(event, at=event.at + T0)
    if isinstance(shifted, CallbackScheduled) and shifted.due_at is not None:
        shifted = dataclasses.replace(shifted, due_at=shifted.due_at + T0)
    return shifted


@pytest.fixture(scope="module")
def simulated() -> tuple[list[Event], dict[str, KpiCounts]]:
    """The simulator's events and its own counts per segment (T = 20 s for every caller)."""
    scenario = parse_scenario(SCENARIO)
    run = simulate_center(scenario, np.random.default_rng(8), keep_events=True)
    by_tier = counts_by_tier(run.table, scenario.service_level_threshold_seconds,
                             scenario.short_abandon_seconds)
    segments = {s: KpiCounts() for s in SEGMENTS}
    for tier, counts in by_tier.items():
        segments[segment_of(tier)] = segments[segment_of(tier)] + counts
    assert run.table.unserved.sum() == 0  # every caller's story ended: nothing censored
    return [_on_wall_clock(e) for e in run.events], segments


def _wallboard(events: list[Event], goals: ServiceLevelGoals) -> WallboardState:
    board = WallboardState(goals=goals)
    for seq, event in enumerate(events, start=1):
        board.apply(seq, event)
    return board


def _qa(database_url: str, events: list[Event], goals: dict[str, ServiceLevelGoal]
        ) -> dict[str, KpiCounts]:
    create_schema(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            session.add(Queue(name=QUEUE, skill=QUEUE, service_level_goals={
                t: {"target": g.target, "threshold_seconds": g.threshold_seconds}
                for t, g in goals.items()}))
            session.commit()
        store = SqlEventStore(engine)
        for start in range(0, len(events), 500):
            store.append(events[start:start + 500])
        with Session(engine) as session:
            report = qa_report(session, datetime.fromtimestamp(T0 - 1, UTC))
        return {s: report.inbound_total.segments[s].counts for s in SEGMENTS}
    finally:
        engine.dispose()


def _same(a: KpiCounts, b: KpiCounts) -> None:
    assert {f: getattr(a, f) for f in COMPARED} == {f: getattr(b, f) for f in COMPARED}
    assert a.handle_seconds == pytest.approx(b.handle_seconds, rel=1e-9)
    assert a.wait_answered_seconds == pytest.approx(b.wait_answered_seconds, abs=1e-2)


def test_wallboard_qa_and_simulator_agree_on_aht_vip_split_and_service_level(
    simulated: tuple[list[Event], dict[str, KpiCounts]], database_url: str
) -> None:
    events, sim = simulated
    uniform = {t: ServiceLevelGoal(20.0, 0.8) for t in TIERS}  # the scenario's one T
    board = _wallboard(events, ServiceLevelGoals({QUEUE: uniform}))
    report = _qa(database_url, events, uniform)
    for segment in SEGMENTS:
        live = board.counts(segment)
        _same(live, sim[segment])
        _same(report[segment], sim[segment])
        figures = board.snapshot(T0 + 86_400)["totals"][segment]
        assert figures["aht_seconds"] == pytest.approx(average_handle_time(sim[segment]))
        assert figures["service_level"] == pytest.approx(service_level(sim[segment]))
    # a real test: both segments are there, with handle times that include the wrap-up
    assert sim["vip"].offered > 20 and sim["general"].offered > 60
    assert sim["vip"].abandoned + sim["general"].abandoned > 0
    assert average_handle_time(sim["general"]) > 150


def test_wallboard_and_qa_hold_each_caller_to_the_same_goal_table(
    simulated: tuple[list[Event], dict[str, KpiCounts]], sqlite_url: str
) -> None:
    events, sim = simulated
    bank = {t: default_goal(t) for t in TIERS}  # VIP callers 10 s, the others 20 s
    board = _wallboard(events, ServiceLevelGoals({QUEUE: bank}))
    report = _qa(sqlite_url, events, bank)
    for segment in SEGMENTS:
        _same(board.counts(segment), report[segment])
        shown = board.snapshot(T0 + 86_400)["totals"][segment]
        assert shown["threshold_seconds"] == default_goal("platinum" if segment == "vip"
                                                          else "core").threshold_seconds
    # the VIP callers' stricter goal is what differs from the uniform 20 s
    assert board.counts("vip").answered_within <= sim["vip"].answered_within
    assert board.counts("general").answered_within == sim["general"].answered_within
    assert not math.isnan(service_level(board.counts("vip")))
