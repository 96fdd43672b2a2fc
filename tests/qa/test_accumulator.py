"""The streaming accumulator follows a callback whose answer is taken back, like the batch path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.accumulator import KpiAccumulator
from qa.counts import count_contacts
from qa.records import ContactTable
from routing.events import (
    CallbackScheduled,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    DialResult,
    Event,
    WrapUpEnded,
)

T, S = 20.0, 5.0


def test_a_dial_that_did_not_reach_the_customer_is_taken_back_and_waits_again() -> None:
    acc = KpiAccumulator(threshold_seconds=T, short_abandon_seconds=S)
    for e in [ContactArrived(0.0, "cb", "q"), CallbackScheduled(1.0, "cb", "q"),
              ContactOffered(10.0, "cb", "a1", "q", callback=True),
              ContactAnswered(11.0, "cb", "a1", "q")]:
        acc.add(e)
    assert (acc.counts().offered, acc.counts().answered, acc.waiting()) == (1, 1, [])
    acc.add(DialResult(20.0, "cb", "q", "no_answer", "a1", 1))
    assert acc.counts().offered == 0 and [r.contact_id for r in acc.waiting()] == ["cb"]
    assert acc.longest_wait_seconds(30.0) == 30.0
    acc.add(CallbackScheduled(20.0, "cb", "q", due_at=320.0))
    acc.add(WrapUpEnded(25.0, "cb", "a1"))
    acc.add(ContactOffered(320.0, "cb", "a1", "q", callback=True))
    acc.add(ContactEnded(330.0, "cb", "a1", "q", "callback_failed"))
    c = acc.counts()
    assert (c.offered, c.answered, c.abandoned, c.callback_failed, c.wait_all_seconds) == (
        1, 0, 0, 1, 330.0)
    assert acc.waiting() == []
    acc.add(WrapUpEnded(340.0, "cb", "a1"))  # the story is over: memory is given back
    assert acc.counts().callback_failed == 1


@st.composite
def callback_logs(draw: st.DrawFn) -> list[Event]:
    """Random callers: answered, abandoned, left waiting, or accepting a callback whose
    dials (taken by the agent or not) fail a few times, then reach the customer, fail for
    good, or are still to come."""
    events: list[Event] = []
    for i in range(draw(st.integers(0, 12))):
        cid, t = f"c{i}", draw(st.floats(0, 3600, allow_nan=False))
        events.append(ContactArrived(t, cid, "q", draw(st.sampled_from(["platinum", "core"]))))
        fate = draw(st.sampled_from(["answered", "abandoned", "waiting", "callback"]))
        t += draw(st.sampled_from([0.0, 5.0, 20.0, 33.3]))
        if fate == "answered":
            events.append(ContactAnswered(t, cid, "a", "q"))
        elif fate == "abandoned":
            events.append(ContactAbandoned(t, cid, "q"))
        if fate != "callback":
            continue
        events.append(CallbackScheduled(t, cid, "q"))
        for attempt in range(1, draw(st.integers(1, 3)) + 1):
            t += draw(st.sampled_from([1.0, 15.0, 300.0]))
            events.append(ContactOffered(t, cid, "a", "q", callback=True))
            took = draw(st.booleans())
            if took:
                events.append(ContactAnswered(t + 1, cid, "a", "q"))
            end = draw(st.sampled_from(["retry", "reached", "failed", "open"]))
            if end == "reached" and took:
                events += [ContactEnded(t + 60, cid, "a", "q"), WrapUpEnded(t + 70, cid, "a")]
                break
            if end == "open":
                break
            events.append(DialResult(t + 2, cid, "q", "no_answer", "a", attempt))
            if end == "failed":
                events += [ContactEnded(t + 2, cid, "a", "q", "callback_failed"),
                           WrapUpEnded(t + 5, cid, "a")]
                break
            events += [CallbackScheduled(t + 2, cid, "q", due_at=t + 300),
                       WrapUpEnded(t + 5, cid, "a")]
    return sorted(events, key=lambda e: e.at)


@settings(max_examples=80, deadline=None)
@given(callback_logs())
def test_properties_streaming_equals_batch_with_callbacks(events: list[Event]) -> None:
    acc = KpiAccumulator(threshold_seconds=T, short_abandon_seconds=S)
    for e in events:
        acc.add(e)
    tab = ContactTable.from_events(events)
    batch, got = count_contacts(tab, T, S), acc.counts()
    for name in ("offered", "answered", "abandoned", "callback_failed", "answered_within",
                 "abandoned_within", "short_abandoned"):
        assert getattr(got, name) == getattr(batch, name), name
    assert got.wait_all_seconds == pytest.approx(batch.wait_all_seconds)
    assert got.wait_answered_seconds == pytest.approx(batch.wait_answered_seconds)
    assert batch.offered == batch.answered + batch.abandoned + batch.callback_failed
    waiting = {r.contact_id for r in acc.waiting()}
    assert len(waiting) == len(tab) - batch.offered


def test_goals_per_queue_and_tier_and_handle_times_match_the_batch_path() -> None:
    from routing.events import ServiceLevelGoal, ServiceLevelGoals

    goals = ServiceLevelGoals({"q": {"core": ServiceLevelGoal(30.0, 0.8)}})
    acc = KpiAccumulator(short_abandon_seconds=S, goals=goals)
    log: list[Event] = []
    for cid, tier, wait in (("c1", "core", 25.0), ("c2", "platinum", 12.0), ("c3", "gold", 25.0)):
        log += [ContactArrived(0.0, cid, "q", tier), ContactAnswered(wait, cid, "a1", "q"),
                ContactEnded(wait + 100, cid, "a1", "q"), WrapUpEnded(wait + 130, cid, "a1")]
    for event in sorted(log, key=lambda e: e.at):
        acc.add(event)
    # c1: core in q, T = 30 (within); c2: platinum, default VIP 10 s (not); c3: gold, 20 s (not)
    assert acc.counts().answered_within == 1
    assert acc.counts(tier="core").answered_within == 1
    table = ContactTable.from_events(log)
    batch = count_contacts(table, np.array([30.0, 10.0, 20.0]), S)  # one T per contact, in order
    assert acc.counts().answered_within == batch.answered_within
    assert (acc.counts().handled, acc.counts().handle_seconds) == (3, 390.0)
    assert (batch.handled, batch.handle_seconds) == (3, 390.0)
