"""The live figures equal the batch KPIs on the same events (issue 11).

A simulated day of two queues (VIP and general callers, impatient ones, transfers none,
wrap-ups, agent state changes) is folded event by event into
:class:`dashboards.wallboard.WallboardState`; the batch side builds the contact records of
the same events (:func:`qa.records.records_from_events` → :class:`qa.records.ContactTable`),
counts them with :func:`qa.counts.counts_by_group` (each caller held to its queue/tier
goal) and applies the :mod:`qa.kpis` formulas. Every figure the wallboard shows must be
the batch figure, for a day that resets mid-stream and for a sliding window.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from dashboards.period import DayReset, SlidingWindow
from dashboards.wallboard import WallboardState
from qa.agent_time import AgentTimeBuilder
from qa.counts import KpiCounts, counts_by_group
from qa.kpis import (
    abandonment_rate,
    average_handle_time,
    average_speed_of_answer,
    service_level,
    total_occupancy,
)
from qa.records import ContactTable
from qa.segments import SEGMENTS, segment_of
from routing.events import (
    AgentStateChanged,
    CallbackScheduled,
    ContactArrived,
    Event,
    ServiceLevelGoal,
    ServiceLevelGoals,
    default_goal,
)
from simulations.center import simulate_center
from simulations.scenario import parse_scenario

SCENARIO: dict[str, Any] = {
    "interval_minutes": 30,
    "queues": [
        {"name": "deposits", "calls_per_interval": [70, 90, 80, 60, 50, 40, 60, 70],
         "aht_seconds": 180, "patience_mean_seconds": 60, "wrap_up_seconds": 20,
         "tier_mix": {"private_banker": 0.1, "platinum": 0.2, "gold": 0.2, "core": 0.5}},
        {"name": "cards", "calls_per_interval": [40, 50, 40, 30, 30, 20, 30, 40],
         "aht_seconds": 240, "patience_mean_seconds": 90, "wrap_up_seconds": 30,
         "tier_mix": {"platinum": 0.1, "silver": 0.4, "core": 0.5}},
    ],
    "agents_per_interval": [9],
    "service_level_threshold_seconds": 20,
    "short_abandon_seconds": 5,
}
#: cards has its own goals (30 s / 70 %, VIP 15 s / 85 %): not the defaults
GOALS = ServiceLevelGoals({
    "cards": {t: ServiceLevelGoal(15.0, 0.85) if segment_of(t) == "vip"
              else ServiceLevelGoal(30.0, 0.7)
              for t in ("private_banker", "platinum", "gold", "silver", "core", "inactive")},
    "deposits": {t: default_goal(t) for t in ("private_banker", "platinum", "gold", "silver",
                                               "core", "inactive")},
})


def _shift(event: Event, by: float) -> Event:
    shifted = dataclasses.replace(event, at=event.at + by)
    if isinstance(shifted, CallbackScheduled) and shifted.due_at is not None:
        shifted = dataclasses.replace(shifted, due_at=shifted.due_at + by)
    return shifted


@pytest.fixture(scope="module")
def events() -> list[Event]:
    run = simulate_center(parse_scenario(SCENARIO), np.random.default_rng(11), keep_events=True)
    # put the run so that the center's midnight (Asia/Seoul) falls 100 minutes in
    midnight = DayReset(0, "Asia/Seoul").start(1_764_000_000.0) + 86_400
    return [_shift(e, midnight - 6000.0) for e in run.events]


def _batch(events: list[Event], start: float, goals: ServiceLevelGoals
           ) -> dict[tuple[str, str], KpiCounts]:
    """Counts per (queue, segment) and per queue ``all`` / total, by the batch path."""
    table = ContactTable.from_events(events)
    thresholds = np.array([goals.threshold_seconds(table.queues[q], table.tiers[t])
                           for q, t in zip(table.queue_index, table.tier_index, strict=True)])
    keys = [(q, s) for q in table.queues for s in SEGMENTS]
    index = {k: i for i, k in enumerate(keys)}
    group = np.array([
        index[(table.queues[q], segment_of(table.tiers[t]))] if at >= start else -1
        for q, t, at in zip(table.queue_index, table.tier_index, table.arrived_at, strict=True)
    ], dtype=np.int64)
    counts = counts_by_group(table, group, len(keys), thresholds, 5.0)
    out = dict(zip(keys, counts, strict=True))
    for q in table.queues:
        out[(q, "all")] = sum((out[(q, s)] for s in SEGMENTS), KpiCounts())
    for s in SEGMENTS:
        out[("", s)] = sum((out[(q, s)] for q in table.queues), KpiCounts())
    out[("", "all")] = sum((out[("", s)] for s in SEGMENTS), KpiCounts())
    return out


def _assert_same(shown: dict[str, Any], counts: KpiCounts) -> None:
    assert (shown["offered"], shown["answered"], shown["abandoned"], shown["handled"]) == (
        counts.offered, counts.answered, counts.abandoned, counts.handled)
    for key, value in (("service_level", service_level(counts)),
                       ("asa_seconds", average_speed_of_answer(counts)),
                       ("abandon_rate", abandonment_rate(counts)),
                       ("aht_seconds", average_handle_time(counts))):
        if math.isnan(value):
            assert shown[key] is None, key
        else:
            assert shown[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def _fold(events: list[Event], board: WallboardState) -> WallboardState:
    for seq, event in enumerate(events, start=1):
        board.apply(seq, event)
    return board


def _check(board: WallboardState, events: list[Event], now: float) -> dict[str, Any]:
    snap = board.snapshot(now)
    start = board.start
    batch = _batch([e for e in events if e.at <= now], start, GOALS)
    assert batch[("", "all")].offered > 50  # a real test: many contacts in the period
    assert batch[("", "vip")].abandoned + batch[("", "general")].abandoned > 0
    for q in snap["queues"]:
        for s in SEGMENTS:
            _assert_same(q["segments"][s], batch[(q["queue"], s)])
        _assert_same(q["all"], batch[(q["queue"], "all")])
    for s in (*SEGMENTS, "all"):
        _assert_same(snap["totals"][s], batch[("", s)])
    return snap


def test_the_day_resets_at_the_configured_hour_and_equals_the_batch(events: list[Event]) -> None:
    end = max(e.at for e in events)
    board = _fold(events, WallboardState(goals=GOALS, period=DayReset(0, "Asia/Seoul")))
    snap = _check(board, events, end)
    midnight = board.start
    assert midnight == events[0].at + 6000.0  # the center's midnight, 100 minutes in
    assert snap["period"] == {"kind": "day", "start": midnight}
    # before the reset, contacts of the evening count; after it, only the new day's
    early = [e for e in events if e.at < midnight - 60]
    before = _fold(early, WallboardState(goals=GOALS, period=DayReset(0, "Asia/Seoul")))
    _check(before, early, early[-1].at)
    assert before.start < midnight
    # the chart's intervals: offered and service level per 15 minutes, by arrival
    table_rows = {r["start"]: r for r in snap["chart"]["rows"]}
    arrivals = [e for e in events if isinstance(e, ContactArrived) and e.at >= midnight]
    assert sum(r["offered"] for r in table_rows.values()) == snap["totals"]["all"]["offered"]
    assert min(table_rows) == math.floor(arrivals[0].at / 900) * 900


def test_a_sliding_window_equals_the_batch_over_its_arrivals(events: list[Event]) -> None:
    end = max(e.at for e in events)
    window = SlidingWindow(minutes=45)
    board = _fold(events, WallboardState(goals=GOALS, period=window))
    _check(board, events, end)
    assert end - 45 * 60 <= board.start <= end - 44 * 60


def test_service_level_follows_the_named_definition(events: list[Event]) -> None:
    end = max(e.at for e in events)
    board = _fold(events, WallboardState(goals=GOALS, definition="excluding_short_abandons"))
    snap = board.snapshot(end)
    counts = _batch(events, -math.inf, GOALS)[("", "general")]
    assert snap["service_level_definition"] == "excluding_short_abandons"
    assert snap["totals"]["general"]["service_level"] == pytest.approx(
        service_level(counts, "excluding_short_abandons"))
    assert service_level(counts, "excluding_short_abandons") != service_level(counts)


def test_occupancy_equals_qa_agent_time_over_the_period(events: list[Event]) -> None:
    end = max(e.at for e in events)
    period = SlidingWindow(minutes=60)
    board = _fold(events, WallboardState(goals=GOALS, period=period))
    snap = board.snapshot(end)
    start = board.start
    builder = AgentTimeBuilder(end - start, 1)
    for e in events:
        if isinstance(e, AgentStateChanged):
            builder.add(_shift(e, -start))
    expected = total_occupancy(builder.result(end - start))
    assert 0.3 < expected < 1.0
    assert snap["occupancy"] == pytest.approx(expected, abs=5e-4)
