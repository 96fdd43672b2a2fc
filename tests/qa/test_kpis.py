"""KPI formulas on hand-built event lists: exact values."""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa import kpis
from qa.accumulator import KpiAccumulator
from qa.agent_time import AgentTimeBuilder
from qa.counts import KpiCounts, count_contacts, counts_by_interval, counts_by_queue, counts_by_tier
from qa.kpis import (
    abandonment_rate,
    average_speed_of_answer,
    mean_wait,
    occupancy,
    service_level,
    short_abandonment_rate,
    total_occupancy,
)
from qa.records import ContactTable, records_from_events
from routing.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactQueued,
    ContactTransferred,
    DialAttempted,
    Event,
    WrapUpEnded,
)

T, S = 20.0, 5.0


def _answered(
    cid: str, at: float, answered: float, tier: str = "core", queue: str = "q"
) -> list[Event]:
    return [
        ContactArrived(at, cid, queue, tier),
        ContactQueued(at, cid, queue),
        ContactOffered(answered, cid, "a1", queue),
        ContactAnswered(answered, cid, "a1", queue),
    ]


def _abandoned(
    cid: str, at: float, gone: float, tier: str = "core", queue: str = "q"
) -> list[Event]:
    return [
        ContactArrived(at, cid, queue, tier),
        ContactQueued(at, cid, queue),
        ContactAbandoned(gone, cid, queue),
    ]


def script() -> list[Event]:
    """c1 wait 10, c2 wait exactly T, c3 short abandon after 2, c4 abandons after 30,
    c5 (platinum, queue vip) wait 21, c6 next interval wait 5, c7 still waiting; one outbound."""
    ev: list[Event] = []
    ev += _answered("c1", 0, 10)
    ev += [ContactEnded(100, "c1", "a1", "q"), WrapUpEnded(110, "c1", "a1")]
    ev += _answered("c2", 5, 25)
    ev += _abandoned("c3", 10, 12)
    ev += _abandoned("c4", 20, 50)
    ev += _answered("c5", 30, 51, tier="platinum", queue="vip")
    ev += _answered("c6", 3600, 3605)
    ev += [ContactArrived(3700, "c7", "q"), ContactQueued(3700, "c7", "q")]
    ev += [ContactArrived(3800, "o1", "q", direction="outbound"), DialAttempted(3800, "o1", "camp")]
    ev += [ContactAnswered(3801, "o1", "a1", "q")]
    ev += [ContactAnswered(9999, "ghost", "a1", "q")]  # never arrived: ignored
    return sorted(ev, key=lambda e: e.at)


def table() -> ContactTable:
    return ContactTable.from_events(script())


def test_records_one_per_contact_with_waits() -> None:
    recs = {r.contact_id: r for r in records_from_events(script())}
    assert set(recs) == {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "o1"}
    assert recs["c1"].wait_seconds == 10 and recs["c1"].handle_seconds == 100  # talk 90 + wrap-up 10
    assert recs["c1"].wrap_up_ended_at == 110 and recs["c1"].offers == 1
    assert recs["c3"].wait_seconds == 2 and recs["c3"].answered_at is None
    assert recs["c7"].wait_seconds is None
    assert recs["o1"].direction == "outbound"


def test_counts_exact() -> None:
    c = count_contacts(table(), T, S)
    assert c == KpiCounts(
        offered=6,
        answered=4,
        abandoned=2,
        answered_within=3,
        abandoned_within=1,
        short_abandoned=1,
        wait_answered_seconds=56.0,
        wait_all_seconds=88.0,
        handled=1,  # c1: talk 90 + wrap-up 10
        handle_seconds=100.0,
    )


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("answered_of_offered", 3 / 6),
        ("answered_of_answered", 3 / 4),
        ("excluding_abandoned_within_threshold", 3 / 5),
        ("abandoned_within_threshold_as_met", 4 / 6),
        ("excluding_short_abandons", 3 / 5),
    ],
)
def test_service_level_definitions(
    definition: kpis.ServiceLevelDefinition, expected: float
) -> None:
    assert service_level(count_contacts(table(), T, S), definition) == pytest.approx(
        expected, abs=1e-15
    )


def test_threshold_is_inclusive_and_short_abandon_strict() -> None:
    c = count_contacts(table(), 10.0, 2.0)  # c1 waits exactly 10; c3 abandons after exactly 2
    assert c.answered_within == 2  # c1 (10) and c6 (5)
    assert c.short_abandoned == 0
    assert count_contacts(table(), 10.0, 2.0 + 1e-9).short_abandoned == 1


def test_asa_mean_wait_abandonment() -> None:
    c = count_contacts(table(), T, S)
    assert average_speed_of_answer(c) == 14.0
    assert mean_wait(c) == pytest.approx(88 / 6)
    assert abandonment_rate(c) == pytest.approx(2 / 6)
    assert short_abandonment_rate(c) == pytest.approx(1 / 6)


def test_empty_group_gives_nan_not_error() -> None:
    c = KpiCounts()
    assert math.isnan(service_level(c)) and math.isnan(average_speed_of_answer(c))
    with pytest.raises(ValueError, match="definition must be one of"):
        service_level(c, "bogus")  # type: ignore[arg-type]


def test_breakdowns_by_interval_queue_tier() -> None:
    tab = table()
    per = counts_by_interval(tab, 3600.0, 2, T, S)
    assert [p.offered for p in per] == [5, 1]
    assert per[1].answered_within == 1
    by_q = counts_by_queue(tab, T, S)
    assert by_q["vip"].offered == 1 and by_q["q"].offered == 5
    by_t = counts_by_tier(tab, T, S)
    assert by_t["platinum"].answered_within == 0 and by_t["core"].answered == 3
    assert sum((p for p in per), KpiCounts()) == count_contacts(tab, T, S)


def test_occupancy_from_agent_states() -> None:
    ev = [
        AgentStateChanged(0, "a1", "ready", "not_ready"),
        AgentStateChanged(10, "a1", "reserved", "ready"),
        AgentStateChanged(12, "a1", "talking", "reserved"),
        AgentStateChanged(100, "a1", "wrap_up", "talking"),
        AgentStateChanged(110, "a1", "ready", "wrap_up"),
        AgentStateChanged(3600, "a1", "logged_out", "ready"),
        AgentStateChanged(0, "a2", "not_ready", "logged_out", "break"),
        AgentStateChanged(1800, "a2", "ready", "not_ready"),
        AgentStateChanged(3000, "a2", "talking", "ready"),  # runs into interval 1, closed at 4000
    ]
    b = AgentTimeBuilder(3600.0, 2)
    for e in sorted(ev, key=lambda e: e.at):
        b.add(e)
    at = b.result(now=4000.0)
    assert at.busy_seconds.tolist() == [100.0 + 600.0, 400.0]
    assert at.available_seconds.tolist() == [3600.0 + 1800.0, 400.0]
    assert occupancy(at).tolist() == pytest.approx([700 / 5400, 1.0])
    assert total_occupancy(at) == pytest.approx(1100 / 5800)


def test_accumulator_matches_batch() -> None:
    acc = KpiAccumulator(threshold_seconds=T, short_abandon_seconds=S)
    for e in script():
        acc.add(e)
    assert acc.counts() == count_contacts(table(), T, S)
    assert acc.counts(queue="vip").offered == 1
    assert acc.counts(tier="core").answered == 3
    assert acc.service_level("answered_of_answered") == pytest.approx(3 / 4)
    assert [r.contact_id for r in acc.waiting()] == ["c7"]
    assert acc.longest_wait_seconds(3760.0) == 60.0


def test_table_columns_checked() -> None:
    with pytest.raises(ValueError, match="wait_seconds has 1 rows"):
        ContactTable(
            np.zeros(2),
            np.zeros(1),
            np.zeros(2, bool),
            np.zeros(2, bool),
            np.zeros(2, np.int64),
            np.zeros(2, np.int64),
            ("q",),
            ("core",),
        )


def test_kpis_imports_only_numpy_and_routing_events() -> None:
    """Every module of the qa package (kpis and the stages it re-exports)."""
    found = set()
    for path in Path(kpis.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    stdlib = {m for m in found if m.split(".")[0] in sys.stdlib_module_names}
    own = {m for m in found if m.startswith("qa.")}
    assert found - stdlib - own == {"numpy", "numpy.typing", "routing.events"}


@st.composite
def contact_logs(draw: st.DrawFn) -> list[Event]:
    """Random contacts: each answered, abandoned or still waiting after a random wait."""
    events: list[Event] = []
    n = draw(st.integers(0, 30))
    for i in range(n):
        at = draw(st.floats(0, 7200, allow_nan=False))
        wait = draw(st.sampled_from([0.0, 5.0, 20.0, draw(st.floats(0, 600, allow_nan=False))]))
        tier = draw(st.sampled_from(["platinum", "core"]))
        fate = draw(st.sampled_from(["answered", "abandoned", "waiting"]))
        cid = f"c{i}"
        events += [ContactArrived(at, cid, "q", tier), ContactQueued(at, cid, "q")]
        if fate == "answered":
            events.append(ContactAnswered(at + wait, cid, "a", "q"))
        elif fate == "abandoned":
            events.append(ContactAbandoned(at + wait, cid, "q"))
    return sorted(events, key=lambda e: e.at)


@settings(max_examples=60, deadline=None)
@given(contact_logs(), st.sampled_from([0.0, 5.0, 20.0]), st.sampled_from([0.0, 5.0]))
def test_properties_streaming_equals_batch_and_sl_bounds(
    events: list[Event], threshold: float, short: float
) -> None:
    tab = ContactTable.from_events(events)
    batch = count_contacts(tab, threshold, short)
    acc = KpiAccumulator(threshold_seconds=threshold, short_abandon_seconds=short)
    for e in events:
        acc.add(e)
    got = acc.counts()
    assert (got.offered, got.answered, got.abandoned, got.answered_within) == (
        batch.offered,
        batch.answered,
        batch.abandoned,
        batch.answered_within,
    )
    assert (got.abandoned_within, got.short_abandoned) == (
        batch.abandoned_within,
        batch.short_abandoned,
    )
    assert got.wait_all_seconds == pytest.approx(batch.wait_all_seconds)
    for d in kpis.SERVICE_LEVEL_DEFINITIONS:
        sl = service_level(batch, d)  # type: ignore[arg-type]
        assert math.isnan(sl) or 0.0 <= sl <= 1.0
    # the answered-of-offered SL never exceeds the variants that drop abandons from the base
    if batch.offered and batch.offered > batch.abandoned_within:
        assert service_level(batch) <= service_level(batch, "excluding_abandoned_within_threshold")


# --- occupancy: only time inside the horizon -------------------------------------------


def test_occupancy_leaves_out_time_after_the_horizon() -> None:
    """A call that runs past the last interval adds nothing after its end (busy nor
    available): interval 1 is 3600 s available, 1800 s busy, whatever the run-on."""
    ev = [
        AgentStateChanged(0, "a1", "ready", "not_ready"),
        AgentStateChanged(5400, "a1", "talking", "ready"),  # talks from 1:30 ...
        AgentStateChanged(9000, "a1", "ready", "talking"),  # ... to 2:30, past the horizon
    ]
    b = AgentTimeBuilder(3600.0, 2)
    for e in ev:
        b.add(e)
    at = b.result(now=20000.0)
    assert at.busy_seconds.tolist() == [0.0, 1800.0]
    assert at.available_seconds.tolist() == [3600.0, 3600.0]
    assert occupancy(at).tolist() == [0.0, 0.5]
    assert total_occupancy(at) == 1800 / 7200


# --- transferred contacts: legs -------------------------------------------------------


def transfer_log() -> list[Event]:
    """t1 arrives in q (wait 10), is transferred at 100 to cards and answered there at 130
    (leg wait 30); t2 arrives in q (wait 0), transferred at 50, abandons in cards at 80;
    d1 arrives directly in cards (wait 5)."""
    return [
        ContactArrived(0, "t1", "q"), ContactQueued(0, "t1", "q"),
        ContactAnswered(10, "t1", "a1", "q"),
        ContactArrived(20, "t2", "q"), ContactQueued(20, "t2", "q"),
        ContactAnswered(20, "t2", "a2", "q"),
        ContactTransferred(50, "t2", "a2", "cards"), ContactQueued(50, "t2", "cards"),
        WrapUpEnded(55, "t2", "a2"),
        ContactAbandoned(80, "t2", "cards"),
        ContactArrived(90, "d1", "cards"), ContactQueued(90, "d1", "cards"),
        ContactAnswered(95, "d1", "a3", "cards"),
        ContactTransferred(100, "t1", "a1", "cards"), ContactQueued(100, "t1", "cards"),
        WrapUpEnded(100, "t1", "a1"),
        ContactAnswered(130, "t1", "a3", "cards"),
        ContactEnded(200, "t1", "a3", "cards"), WrapUpEnded(210, "t1", "a3"),
    ]


def test_transferred_contacts_count_once_in_the_summary_and_per_leg_per_queue() -> None:
    tab = ContactTable.from_events(transfer_log())
    total = count_contacts(tab, T, S)
    assert (total.offered, total.answered, total.abandoned) == (3, 3, 0)  # distinct callers
    assert total.wait_answered_seconds == 10 + 0 + 5  # first answers only
    by_q = counts_by_queue(tab, T, S)
    # t1's handle time: a1 talks 10 -> 100 (90, wraps up at once), a3 talks 130 -> 200 (70)
    # and wraps up 10 s: 170; its wait in cards (100 -> 130) is not handle time
    assert by_q["q"] == KpiCounts(2, 2, 0, 2, 0, 0, 10.0, 10.0, handled=1, handle_seconds=170.0)
    cards = by_q["cards"]
    assert (cards.offered, cards.answered, cards.abandoned, cards.transferred_in) == (3, 2, 1, 2)
    assert cards.wait_answered_seconds == 5 + 30  # d1, and t1's leg from its transfer
    assert cards.wait_all_seconds == 5 + 30 + 30  # t2's leg: 50 -> 80
    assert cards.answered_within == 1 and cards.abandoned_within == 0
    assert average_speed_of_answer(cards) == 17.5
    legs = tab.transfer_legs
    assert legs is not None and sorted(legs.arrived_at.tolist()) == [50.0, 100.0]


def test_accumulator_counts_legs_like_the_batch_path() -> None:
    acc = KpiAccumulator(threshold_seconds=T, short_abandon_seconds=S)
    for e in transfer_log():
        acc.add(e)
    tab = ContactTable.from_events(transfer_log())
    assert acc.counts() == count_contacts(tab, T, S)
    for queue, want in counts_by_queue(tab, T, S).items():
        assert acc.queue_counts(queue) == want, queue
    assert acc.leg_counts().transferred_in == 2


# --- unserved: a closed table counts every caller ---------------------------------------


def test_closed_table_counts_callers_still_waiting_as_unserved() -> None:
    """c7 is still waiting at 3760: open, it is not offered yet; closed, it is offered,
    unserved, with the censored wait 60 (never within the threshold)."""
    open_ = count_contacts(table(), T, S)
    closed_table = ContactTable.from_events(script(), closed_at=3760.0)
    closed = count_contacts(closed_table, T, S)
    assert closed_table.arrived_at[closed_table.unserved].tolist() == [3700.0]  # c7
    assert (closed.offered, closed.unserved) == (open_.offered + 1, 1)
    assert (closed.answered, closed.abandoned) == (open_.answered, open_.abandoned)
    assert closed.wait_all_seconds == open_.wait_all_seconds + 60.0
    assert service_level(closed) == pytest.approx(3 / 7)
    assert kpis.kpi_summary(closed)["unserved"] == 1.0


@st.composite
def transfer_logs(draw: st.DrawFn) -> list[Event]:
    """Random contacts in q or cards: answered after a wait, then maybe transferred once or
    twice, each leg answered, abandoned or left waiting; or abandoned / left waiting."""
    events: list[Event] = []
    for i in range(draw(st.integers(0, 15))):
        cid, queue = f"c{i}", draw(st.sampled_from(["q", "cards"]))
        t = draw(st.floats(0, 3600, allow_nan=False))
        events += [ContactArrived(t, cid, queue), ContactQueued(t, cid, queue)]
        fate = draw(st.sampled_from(["answered", "abandoned", "waiting"]))
        t += draw(st.sampled_from([0.0, 20.0, 45.5]))
        if fate == "abandoned":
            events.append(ContactAbandoned(t, cid, queue))
        if fate != "answered":
            continue
        events.append(ContactAnswered(t, cid, "a", queue))
        for _ in range(draw(st.integers(0, 2))):
            target = draw(st.sampled_from(["q", "cards"]))
            t += draw(st.sampled_from([10.0, 99.0]))
            events += [ContactTransferred(t, cid, "a", target), ContactQueued(t, cid, target)]
            t += draw(st.sampled_from([0.0, 20.0, 30.0]))
            leg = draw(st.sampled_from(["answered", "abandoned", "waiting"]))
            if leg == "abandoned":
                events.append(ContactAbandoned(t, cid, target))
            if leg != "answered":
                break
            events.append(ContactAnswered(t, cid, "b", target))
        else:
            events += [ContactEnded(t + 50, cid, "b", queue), WrapUpEnded(t + 60, cid, "b")]
    return sorted(events, key=lambda e: e.at)


@settings(max_examples=60, deadline=None)
@given(transfer_logs())
def test_properties_per_queue_legs_streaming_equals_batch(events: list[Event]) -> None:
    tab = ContactTable.from_events(events)
    acc = KpiAccumulator(threshold_seconds=T, short_abandon_seconds=S)
    for e in events:
        acc.add(e)
    by_q = counts_by_queue(tab, T, S)
    for queue, want in by_q.items():
        got = acc.queue_counts(queue)
        assert (got.offered, got.answered, got.abandoned, got.transferred_in) == (
            want.offered, want.answered, want.abandoned, want.transferred_in
        )
        assert got.wait_all_seconds == pytest.approx(want.wait_all_seconds)
    legs = tab.transfer_legs
    ended_legs = 0 if legs is None else int(legs.answered.sum() + legs.abandoned.sum())
    assert sum(c.offered for c in by_q.values()) == count_contacts(tab, T, S).offered + ended_legs
