"""KPI formulas on hand-built event lists: exact values."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa import kpis
from qa.kpis import (
    AgentTimeBuilder,
    ContactTable,
    KpiAccumulator,
    KpiCounts,
    abandonment_rate,
    average_speed_of_answer,
    count_contacts,
    counts_by_interval,
    counts_by_queue,
    counts_by_tier,
    mean_wait,
    occupancy,
    records_from_events,
    service_level,
    short_abandonment_rate,
    total_occupancy,
)
from routing.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactQueued,
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
    assert recs["c1"].wait_seconds == 10 and recs["c1"].handle_seconds == 90
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
    allowed_stdlib = {"__future__", "math", "collections.abc", "dataclasses", "typing"}
    own = {m for m in found if m.startswith("qa.")}
    assert found - allowed_stdlib - own == {"numpy", "numpy.typing", "routing.events"}


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
