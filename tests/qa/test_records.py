"""Contact records: how a callback's wait ends, and tables built from per-contact times."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa.counts import count_contacts
from qa.kpis import service_level
from qa.records import OUTCOMES, ContactTable, RecordBuilder, records_from_events
from routing.events import (
    CallbackOffered,
    CallbackScheduled,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    DialResult,
    Event,
    WrapUpEnded,
)

T, S = 20.0, 5.0


def accepted(cid: str, at: float = 0.0, queue: str = "q") -> list[Event]:
    """A caller arrives at ``at``, is offered a callback and accepts it 2 s later."""
    return [ContactArrived(at, cid, queue), CallbackOffered(at + 1, cid, queue, 300.0),
            CallbackScheduled(at + 2, cid, queue)]


def dial(cid: str, at: float, agent: str = "a1", queue: str = "q") -> list[Event]:
    return [ContactOffered(at, cid, agent, queue, callback=True)]


def test_a_callback_closed_from_the_offered_state_is_failed_not_waiting() -> None:
    """The engine's last dial, recorded while the callback was only offered (the agent
    never took it): ``DialResult`` then ``ContactEnded(reason="callback_failed")``."""
    events = [*accepted("cb"), *dial("cb", 60.0),
              DialResult(70.0, "cb", "q", "invalid", "a1", 1),
              ContactEnded(70.0, "cb", "a1", "q", "callback_failed"),
              WrapUpEnded(80.0, "cb", "a1")]
    (rec,) = records_from_events(events)
    assert rec.outcome == "callback_failed" and rec.callback_failed
    assert (rec.answered_at, rec.abandoned_at, rec.callback_failed_at) == (None, None, 70.0)
    assert rec.wait_seconds == 70.0  # no longer "still waiting"
    c = count_contacts(ContactTable.from_events(events), T, S)
    assert (c.offered, c.answered, c.abandoned, c.callback_failed, c.unserved) == (1, 0, 0, 1, 0)
    assert (c.answered_within, c.abandoned_within, c.wait_all_seconds) == (0, 0, 70.0)
    assert service_level(c) == 0.0


def test_a_callback_the_agent_took_but_did_not_reach_is_not_answered() -> None:
    events = [*accepted("cb"), *dial("cb", 60.0), ContactAnswered(61.0, "cb", "a1", "q")]
    (rec,) = records_from_events(events)
    assert rec.outcome == "answered" and rec.dial_answered_at == 61.0  # the dial is under way
    events += [DialResult(75.0, "cb", "q", "machine", "a1", 3),
               ContactEnded(75.0, "cb", "a1", "q", "callback_failed")]
    (rec,) = records_from_events(events)
    assert rec.outcome == "callback_failed" and rec.answered_at is None and rec.agent_id is None
    assert rec.callback_wait_seconds is None
    c = count_contacts(ContactTable.from_events(events), T, S)
    assert (c.offered, c.answered, c.callback_failed, c.wait_answered_seconds) == (1, 0, 1, 0.0)


def test_a_retried_callback_counts_the_answer_of_the_dial_that_reached_the_customer() -> None:
    events = [*accepted("cb"), *dial("cb", 60.0), ContactAnswered(61.0, "cb", "a1", "q"),
              DialResult(75.0, "cb", "q", "no_answer", "a1", 1),
              CallbackScheduled(75.0, "cb", "q", due_at=375.0), WrapUpEnded(80.0, "cb", "a1")]
    (rec,) = records_from_events(events)
    assert rec.outcome is None and rec.wait_seconds is None  # waiting for its retry
    events += [*dial("cb", 375.0, "a2"), ContactAnswered(377.0, "cb", "a2", "q"),
               ContactEnded(500.0, "cb", "a2", "q"), WrapUpEnded(510.0, "cb", "a2")]
    (rec,) = records_from_events(events)
    assert (rec.answered_at, rec.agent_id, rec.wait_seconds) == (377.0, "a2", 377.0)
    assert rec.callback_wait_seconds == 375.0 and rec.dial_answered_at is None
    assert rec.callback_at == 2.0  # the caller's acceptance, not the retry's schedule


def test_a_connected_dial_result_or_a_plain_call_keeps_its_answer() -> None:
    events = [ContactArrived(0.0, "c", "q"), ContactOffered(5.0, "c", "a1", "q"),
              ContactAnswered(5.0, "c", "a1", "q"),
              DialResult(6.0, "c", "q", "no_answer", "a1")]  # not a callback: ignored
    events += [*accepted("cb", 10.0), *dial("cb", 30.0), ContactAnswered(31.0, "cb", "a2", "q"),
               DialResult(31.0, "cb", "q", "connected", "a2")]
    recs = {r.contact_id: r for r in records_from_events(events)}
    assert recs["c"].answered_at == 5.0 and recs["cb"].answered_at == 31.0


def test_a_transferred_callback_reached_the_customer() -> None:
    events = [*accepted("cb"), *dial("cb", 60.0), ContactAnswered(61.0, "cb", "a1", "q"),
              ContactTransferred(90.0, "cb", "a1", "cards"),
              DialResult(95.0, "cb", "q", "no_answer", "a1", 1)]  # stray: the dial had reached
    (rec,) = records_from_events(events)
    assert rec.answered_at == 61.0 and rec.legs[0].open


def test_closing_a_table_leaves_a_failed_callback_failed_not_unserved() -> None:
    events = [*accepted("cb"), *dial("cb", 60.0),
              ContactEnded(70.0, "cb", "a1", "q", "callback_failed"),
              ContactArrived(100.0, "w", "q")]
    tab = ContactTable.from_events(events, closed_at=160.0)
    assert tab.failed.tolist() == [True, False] and tab.unserved.tolist() == [False, True]
    c = count_contacts(tab, T, S)
    assert (c.offered, c.callback_failed, c.unserved, c.wait_all_seconds) == (2, 1, 1, 130.0)


# --- tables from per-contact times ---------------------------------------------------------


ANSWERED, ABANDONED, FAILED = (OUTCOMES.index(o) for o in ("answered", "abandoned",
                                                            "callback_failed"))


def test_from_times_waits_are_exact_in_integral_ticks() -> None:
    """Epoch microseconds: ``(t + 20 s) - t`` is exactly 20 s, within a 20 s threshold,
    although ``1.7e9 + 20.000001`` is not exact in seconds."""
    t0 = 1_764_000_000_123_457.0
    arrived = np.array([t0, t0, t0, t0, t0])
    answered = np.array([t0 + 20_000_000, t0 + 20_000_001, math.nan, math.nan, math.nan])
    ended = np.array([math.nan, math.nan, t0 + 4_999_999, math.nan, t0 + 600_000_000])
    code = np.array([ANSWERED, ANSWERED, ABANDONED, -1, FAILED])
    tab = ContactTable.from_times(arrived, answered, ended, code, np.zeros(5, np.int64),
                                  np.zeros(5, np.int64), ("q",), ("core",),
                                  handle_seconds=np.array([100.0, math.nan, 7.0, 1.0, 1.0]),
                                  ticks_per_second=1e6)
    assert tab.wait_seconds[:3].tolist() == [20.0, 20.000001, 4.999999]
    assert math.isnan(tab.wait_seconds[3]) and tab.wait_seconds[4] == 600.0
    assert tab.arrived_at[0] == t0 / 1e6
    c = count_contacts(tab, T, S)
    assert (c.offered, c.answered, c.abandoned, c.callback_failed) == (4, 2, 1, 1)
    assert (c.answered_within, c.short_abandoned) == (1, 1)
    assert (c.handled, c.handle_seconds) == (1, 100.0)  # answered with a known handle only


def test_from_times_an_abandon_with_no_end_counts_with_an_unknown_wait() -> None:
    nan = math.nan
    tab = ContactTable.from_times(np.array([0.0, 0.0]), np.array([nan, 10.0]),
                                  np.array([nan, nan]), np.array([ABANDONED, ANSWERED]),
                                  np.zeros(2, np.int64), np.zeros(2, np.int64), ("q",), ("core",))
    c = count_contacts(tab, T, S)
    assert (c.offered, c.abandoned, c.abandoned_within, c.short_abandoned) == (2, 1, 0, 0)
    assert c.wait_all_seconds == 10.0 and not tab.unserved.any()


def test_from_times_refuses_what_it_cannot_read() -> None:
    one = np.zeros(1)
    idx = np.zeros(1, np.int64)
    with pytest.raises(ValueError, match="answered contacts need answered_at"):
        ContactTable.from_times(one, np.array([math.nan]), one, np.array([ANSWERED]), idx, idx,
                                ("q",), ("core",))
    with pytest.raises(ValueError, match="outcome_index must be -1 or index OUTCOMES"):
        ContactTable.from_times(one, one, one, np.array([3]), idx, idx, ("q",), ("core",))


def test_table_outcomes_are_exclusive() -> None:
    yes = np.ones(1, np.bool_)
    with pytest.raises(ValueError, match="must be exclusive"):
        ContactTable(np.zeros(1), np.zeros(1), yes, ~yes, np.zeros(1, np.int64),
                     np.zeros(1, np.int64), ("q",), ("core",), callback_failed=yes)
    with pytest.raises(ValueError, match="handle_seconds has 2 rows"):
        ContactTable(np.zeros(1), np.zeros(1), yes, ~yes, np.zeros(1, np.int64),
                     np.zeros(1, np.int64), ("q",), ("core",), handle_seconds=np.zeros(2))


# --- the record as the interaction row states it -------------------------------------------


def test_status_and_handle_time_follow_the_contact() -> None:
    """``status`` is the interaction row's ``outcome``; handle time (talk, hold, wrap-up)
    is known only once the wrap-up after the end is over."""
    from routing.events import ContactAbandoned, DialAttempted

    def record(events: list[Event]):  # type: ignore[no-untyped-def]
        return {r.contact_id: r for r in records_from_events(events)}

    log: list[Event] = [ContactArrived(0, "c1", "q", "gold", customer_id="42"),
                        ContactAnswered(10, "c1", "a1", "q")]
    assert record(log)["c1"].status == "answered" and record(log)["c1"].handle_seconds is None
    log.append(ContactEnded(70, "c1", "a1", "q"))
    assert record(log)["c1"].handle_seconds is None  # wrap-up still running
    log.append(WrapUpEnded(85, "c1", "a1", disposition="resolved"))
    c1 = record(log)["c1"]
    assert c1.handle_seconds == 75.0 and c1.disposition == "resolved"
    assert c1.customer_id == "42" and c1.finished
    assert record([ContactArrived(0, "w", "q")])["w"].status == "waiting"
    assert record(accepted("cb"))["cb"].status == "callback"
    gone = record([ContactArrived(0, "b", "q"), ContactAbandoned(9, "b", "q")])["b"]
    assert gone.status == "abandoned" and gone.finished and gone.handle_seconds is None
    # an outbound dial: dialing, then its failure; a connected one is answered by an agent
    dials = record([DialAttempted(0, "o1", "camp", "7"), DialAttempted(0, "o2", "camp"),
                    DialResult(5, "o1", "camp", "busy"), DialAttempted(0, "o3", "camp"),
                    DialResult(4, "o3", "camp", "connected")])
    assert dials["o1"].status == "busy" and dials["o1"].direction == "outbound"
    assert dials["o1"].queue == "camp" and dials["o1"].customer_id == "7"
    assert dials["o2"].status == "dialing" and dials["o3"].status == "dialing"
    answered = record([DialAttempted(0, "o3", "camp"), DialResult(4, "o3", "camp", "connected"),
                       ContactArrived(4, "o3", "camp", direction="outbound"),
                       ContactAnswered(4, "o3", "a1", "camp")])["o3"]
    assert answered.status == "answered"


def test_tables_from_events_carry_handle_times() -> None:
    log: list[Event] = [ContactArrived(0, "c1", "q"), ContactAnswered(4, "c1", "a1", "q"),
                        ContactEnded(100, "c1", "a1", "q"), WrapUpEnded(120, "c1", "a1"),
                        ContactArrived(1, "c2", "q"), ContactAnswered(6, "c2", "a2", "q")]
    table = ContactTable.from_events(log)
    assert table.handle_seconds is not None
    assert table.handle_seconds[0] == 116.0 and math.isnan(table.handle_seconds[1])
    counts = count_contacts(table, T, S)
    assert (counts.handled, counts.handle_seconds) == (1, 116.0)


def test_handle_time_is_the_agents_time_not_the_wait_between_them() -> None:
    """Talk and wrap-up of each agent; a callback's dial that did not reach the customer is
    agent work too; the waits between are not handle time."""
    from routing.events import ContactHeld, ContactRetrieved

    log: list[Event] = [
        ContactArrived(0, "t", "q"), ContactAnswered(10, "t", "a1", "q"),
        ContactHeld(20, "t", "a1"), ContactRetrieved(50, "t", "a1"),  # hold is handle time
        ContactTransferred(60, "t", "a1", "cards"),
        ContactAnswered(100, "t", "a2", "cards"),  # waited 60 -> 100 in cards
        WrapUpEnded(105, "t", "a1"),  # a1's wrap-up 60 -> 105
        ContactEnded(160, "t", "a2", "cards"),
    ]
    rec = records_from_events(log)[0]
    assert rec.handle_seconds is None and not rec.finished  # a2 still wraps up
    rec = records_from_events([*log, WrapUpEnded(170, "t", "a2")])[0]
    assert rec.finished and rec.handle_seconds == 50 + 45 + 60 + 10
    cb = [*accepted("cb"), *dial("cb", 10.0), ContactAnswered(12, "cb", "a1", "q"),
          DialResult(20, "cb", "q", "no_answer", "a1", 1), WrapUpEnded(25, "cb", "a1"),
          *dial("cb", 100.0, "a2"), ContactAnswered(103, "cb", "a2", "q"),
          DialResult(104, "cb", "q", "connected", "a2", 2),
          ContactEnded(163, "cb", "a2", "q"), WrapUpEnded(173, "cb", "a2")]
    rec = records_from_events(cb)[0]
    assert rec.answered_at == 103 and rec.handle_seconds == (8 + 5) + (60 + 10)


def test_appliers_by_type_do_what_add_does() -> None:
    """A loop that dispatches on the type (the simulator's) gets the same records: the
    applier of a listed type on the contact's record, :meth:`RecordBuilder.add` otherwise."""
    from routing.events import ContactHeld, ContactQueued, ContactRetrieved

    log: list[Event] = [
        *accepted("cb"), *dial("cb", 10.0), ContactAnswered(12, "cb", "a1", "q"),
        DialResult(20, "cb", "q", "no_answer", "a1", 1), WrapUpEnded(25, "cb", "a1"),
        ContactArrived(30, "t", "q"), ContactQueued(30, "t", "q"),
        ContactAnswered(40, "t", "a1", "q"), ContactHeld(50, "t", "a1"),
        ContactRetrieved(60, "t", "a1"), ContactTransferred(70, "t", "a1", "cards"),
        WrapUpEnded(75, "t", "a1"), ContactAnswered(90, "t", "a2", "cards"), ContactEnded(150, "t", "a2", "cards"),
        WrapUpEnded(160, "t", "a2"), WrapUpEnded(161, "ghost", "a3"),
    ]
    by_type = RecordBuilder()
    appliers = by_type.appliers()
    assert ContactArrived not in appliers and ContactQueued not in appliers
    for event in log:
        apply = appliers.get(type(event))
        if apply is None:
            by_type.add(event)
            continue
        record = by_type.records.get(event.contact_id)  # type: ignore[attr-defined]
        if record is not None:
            apply(record, event)
    assert by_type.records == RecordBuilder().extend(log).records
    assert by_type.records["t"].handle_seconds == (70 - 40) + (75 - 70) + (150 - 90) + (160 - 150)
