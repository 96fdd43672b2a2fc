"""The sums behind the KPIs: groups counted in one pass, per-caller thresholds, AHT, callbacks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.counts import CallbackCounts, KpiCounts, count_callbacks, count_contacts, counts_by_group
from qa.kpis import (
    average_handle_time,
    callback_acceptance_rate,
    callback_failure_rate,
    callback_summary,
    mean_callback_wait,
)
from qa.records import ContactTable, records_from_events
from routing.events import (
    CallbackOffered,
    CallbackScheduled,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    DialResult,
)

T, S = 20.0, 5.0


def table(handle: list[float] | None = None) -> ContactTable:
    """Six contacts in queues 0/1, tiers 0/1: waits 5 (ans), 20 (ans), 25 (ans),
    3 (abandoned), 40 (abandoned), 600 (failed callback)."""
    answered = np.array([1, 1, 1, 0, 0, 0], np.bool_)
    abandoned = np.array([0, 0, 0, 1, 1, 0], np.bool_)
    return ContactTable(
        np.arange(6.0), np.array([5.0, 20.0, 25.0, 3.0, 40.0, 600.0]), answered, abandoned,
        np.array([0, 0, 1, 1, 0, 1]), np.array([1, 0, 0, 0, 1, 0]), ("a", "b"), ("vip", "core"),
        callback_failed=~answered & ~abandoned,
        handle_seconds=None if handle is None else np.array(handle),
    )


def test_counts_of_a_table_with_failed_callbacks_and_handle_times() -> None:
    c = count_contacts(table([100.0, 200.0, math.nan, math.nan, math.nan, math.nan]), T, S)
    assert c == KpiCounts(offered=6, answered=3, abandoned=2, answered_within=2,
                          abandoned_within=1, short_abandoned=1, wait_answered_seconds=50.0,
                          wait_all_seconds=693.0, callback_failed=1, handled=2,
                          handle_seconds=300.0)
    assert average_handle_time(c) == 150.0
    assert math.isnan(average_handle_time(count_contacts(table(), T, S)))  # no handle column


def test_groups_in_one_pass_equal_masked_counts() -> None:
    tab = table([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    group = tab.queue_index * 2 + tab.tier_index
    got = counts_by_group(tab, group, 4, T, S)
    for g in range(4):
        assert got[g] == count_contacts(tab, T, S, group == g)
    assert sum(got, KpiCounts()) == count_contacts(tab, T, S)
    left_out = counts_by_group(tab, np.where(group == 1, -1, group), 4, T, S)
    assert left_out[1] == KpiCounts() and left_out[0] == got[0]


def test_each_caller_can_have_their_own_threshold() -> None:
    """The VIP callers (tier 0) are held to 10 s, the others to 20 s: the wait of 20 s of
    a VIP caller is late, the 5 s of a core caller is in time."""
    tab = table()
    thresholds = np.where(tab.tier_index == 0, 10.0, 20.0)
    c = count_contacts(tab, thresholds, S)
    assert c.answered_within == 1  # contact 0 (core, 5 s); contact 1 (vip, 20 s) is late
    assert c.abandoned_within == 1  # contact 3 (vip, 3 s)


def test_group_arguments_are_checked() -> None:
    tab = table()
    with pytest.raises(ValueError, match="group_index has 2 rows, the table has 6"):
        counts_by_group(tab, np.zeros(2, np.int64), 1, T)
    with pytest.raises(ValueError, match="group_index must be < n_groups = 2"):
        counts_by_group(tab, np.full(6, 2), 2, T)
    empty = ContactTable(np.zeros(0), np.zeros(0), np.zeros(0, np.bool_), np.zeros(0, np.bool_),
                         np.zeros(0, np.int64), np.zeros(0, np.int64), (), ())
    assert counts_by_group(empty, np.zeros(0, np.int64), 3, T) == [KpiCounts()] * 3


def test_taking_a_contact_back_undoes_its_count() -> None:
    c = KpiCounts()
    c.add_contact(12.0, True, T, S)
    c.add_contact(3.0, False, T, S)
    before = KpiCounts(**c.as_dict())  # type: ignore[arg-type]
    c.add_contact(8.0, True, T, S)
    c.add_contact(8.0, True, T, S, weight=-1)
    c.add_contact(50.0, False, T, S, callback_failed=True)
    assert c.callback_failed == 1 and c.abandoned == 1
    c.add_contact(50.0, False, T, S, callback_failed=True, weight=-1)
    assert c == before


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 700), st.integers(0, 3), st.integers(0, 2)), max_size=40),
       st.sampled_from([0.0, 10.0, 20.0]))
def test_properties_groups_partition_the_total(
    rows: list[tuple[float, int, int]], threshold: float
) -> None:
    n = len(rows)
    wait = np.array([r[0] for r in rows])
    fate = np.array([r[1] for r in rows], np.int64)  # 0 ans, 1 abandoned, 2 failed, 3 waiting
    tab = ContactTable(np.zeros(n), np.where(fate == 3, math.nan, wait), fate == 0, fate == 1,
                       np.zeros(n, np.int64), np.zeros(n, np.int64), ("q",), ("core",),
                       callback_failed=fate == 2)
    groups = counts_by_group(tab, np.array([r[2] for r in rows], np.int64), 3, threshold, S)
    total = count_contacts(tab, threshold, S)
    summed = sum(groups, KpiCounts())
    assert summed.offered == total.offered == int((fate < 3).sum())
    assert total.offered == total.answered + total.abandoned + total.callback_failed
    assert summed.wait_all_seconds == pytest.approx(total.wait_all_seconds)
    assert (summed.answered_within, summed.short_abandoned) == (
        total.answered_within, total.short_abandoned)


# --- callbacks ----------------------------------------------------------------------------


def test_callback_counts_name_the_failed_and_the_pending() -> None:
    """a: accepted, reached after 100 s; b: accepted, dial taken, not reached, closed;
    c: accepted, still waiting; d: offered, declined, answered."""
    events = [
        ContactArrived(0.0, "a", "q"), CallbackOffered(0.0, "a", "q", 90.0),
        CallbackScheduled(1.0, "a", "q"),
        ContactArrived(2.0, "b", "q"), CallbackOffered(2.0, "b", "q", 90.0),
        CallbackScheduled(3.0, "b", "q"),
        ContactArrived(4.0, "c", "q"), CallbackOffered(4.0, "c", "q", 90.0),
        CallbackScheduled(5.0, "c", "q"),
        ContactArrived(6.0, "d", "q"), CallbackOffered(6.0, "d", "q", 90.0),
        ContactOffered(30.0, "d", "x", "q"), ContactAnswered(30.0, "d", "x", "q"),
        ContactOffered(100.0, "a", "x", "q", callback=True), ContactAnswered(101.0, "a", "x", "q"),
        ContactOffered(200.0, "b", "y", "q", callback=True), ContactAnswered(201.0, "b", "y", "q"),
        DialResult(220.0, "b", "q", "invalid", "y", 1),
        ContactEnded(220.0, "b", "y", "q", "callback_failed"),
    ]
    c = count_callbacks(records_from_events(events))
    assert c == CallbackCounts(offered=4, accepted=3, answered=1, wait_seconds=100.0, failed=1)
    assert c.pending == 1
    assert callback_acceptance_rate(c) == 0.75 and mean_callback_wait(c) == 100.0
    assert callback_failure_rate(c) == 0.5
    assert c + c == CallbackCounts(8, 6, 2, 200.0, 2)
    assert math.isnan(callback_failure_rate(CallbackCounts(offered=3, accepted=2)))
    assert set(callback_summary(c)) == {"callbacks_offered", "callbacks_accepted",
                                        "callback_acceptance", "callback_wait_seconds"}
