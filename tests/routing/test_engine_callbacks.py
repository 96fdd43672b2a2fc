"""Callbacks whose dial is not answered: retried later, then closed as failed.

``callback_not_reached(contact_id, now, result)`` records that the dial of an offered
(or connected / held) callback got ``no_answer``, ``busy`` or ``machine`` (retried) or
``invalid`` (closed at once). The agent goes to wrap-up, never blamed (no
``ring_no_answer`` not-ready); the callback keeps its place and is offered again
``callback_retry_delay_seconds`` later, up to ``callback_max_attempts`` dials in all.
"""

from __future__ import annotations

from typing import Any

import pytest

from routing import events as ev
from routing.engine import (
    ContactSpec,
    IllegalTransition,
    RoutingEngine,
    RoutingError,
    RoutingPolicy,
)
from tests.routing.test_engine import busy, free, make, offers, staff


def _callback_offered(**policy: Any) -> RoutingEngine:
    """a1 is offered the callback `cb` (accepted at t=2) at t=10; a2 is not ready."""
    e = make(ring_timeout_seconds=None, **policy)
    staff(e, "a1", {"cards": 3})
    staff(e, "a2", {"cards": 3}, ready=False)
    busy(e, "a1", "c0", 0.0)
    e.arrive(ContactSpec("cb", "cards", "gold"), 1.0)
    e.request_callback("cb", 2.0)
    assert offers(free(e, "a1", "c0", 10.0)) == [("cb", "a1")]
    return e


def test_policy_defaults_three_attempts_five_minutes_apart() -> None:
    policy = RoutingPolicy()
    assert (policy.callback_max_attempts, policy.callback_retry_delay_seconds) == (3, 300.0)


@pytest.mark.parametrize(("field", "bad"), [
    ("callback_max_attempts", 0), ("callback_max_attempts", 2.5),
    ("callback_max_attempts", True), ("callback_retry_delay_seconds", 0.0),
    ("callback_retry_delay_seconds", float("inf")),
])
def test_policy_checks_the_callback_fields(field: str, bad: object) -> None:
    with pytest.raises(ValueError, match=field):
        RoutingPolicy(**{field: bad})  # type: ignore[arg-type]


def test_no_answer_sends_the_agent_to_wrap_up_and_schedules_a_retry() -> None:
    e = _callback_offered(callback_retry_delay_seconds=120.0)
    assert e.callback_not_reached("cb", 15.0) == [
        ev.DialResult(15.0, "cb", "cards", "no_answer", agent_id="a1", attempt=1),
        ev.CallbackScheduled(15.0, "cb", "cards", due_at=135.0),
        ev.AgentStateChanged(15.0, "a1", "wrap_up", "reserved", None),
    ]
    view = e.contact_view("cb")
    assert (view.state, view.callback, view.retry_at, view.dial_attempts) == (
        "queued", True, 135.0, 1)
    assert e.agent_view("a1").reason is None  # not blamed: no ring_no_answer
    snap = e.queue_snapshot(15.0)["cards"]
    assert (snap.waiting, snap.callbacks_waiting) == (1, 1)
    assert [v.contact_id for v in e.waiting_contacts()] == ["cb"]
    # The wrap-up names the callback; the freed agent is not given it before it is due.
    assert e.end_wrap_up("a1", 20.0, "no_answer")[:2] == [
        ev.WrapUpEnded(20.0, "cb", "a1", "no_answer"),
        ev.AgentStateChanged(20.0, "a1", "ready", "wrap_up", None),
    ]
    assert e.agent_state("a1").value == "ready"
    assert e.next_deadline() == 135.0
    assert e.advance(134.0) == []
    assert e.advance(135.0) == [
        ev.ContactOffered(135.0, "cb", "a1", "cards", callback=True),
        ev.AgentStateChanged(135.0, "a1", "reserved", "ready", None),
    ]


def test_the_retried_callback_keeps_its_place() -> None:
    e = _callback_offered(callback_retry_delay_seconds=60.0)
    e.callback_not_reached("cb", 15.0, result="busy")
    e.end_wrap_up("a1", 16.0)
    busy(e, "a1", "c1", 17.0)
    e.arrive(ContactSpec("later", "cards", "gold"), 20.0)  # arrived after cb (t=1)
    assert e.advance(75.0) == []  # due, but nobody is free
    assert [v.contact_id for v in e.waiting_contacts()] == ["cb", "later"]
    assert offers(free(e, "a1", "c1", 80.0)) == [("cb", "a1")]


def test_the_last_attempt_closes_the_callback_as_failed() -> None:
    e = _callback_offered(callback_max_attempts=2, callback_retry_delay_seconds=60.0)
    e.callback_not_reached("cb", 15.0)
    e.end_wrap_up("a1", 16.0)
    assert offers(e.advance(75.0)) == [("cb", "a1")]
    e.answer("cb", "a1", 76.0)  # the agent took it and dialled: nobody picks up
    assert e.callback_not_reached("cb", 90.0, result="machine") == [
        ev.DialResult(90.0, "cb", "cards", "machine", agent_id="a1", attempt=2),
        ev.ContactEnded(90.0, "cb", "a1", "cards", reason="callback_failed"),
        ev.AgentStateChanged(90.0, "a1", "wrap_up", "talking", None),
    ]
    assert e.contact_state("cb").value == "ended"
    assert e.queue_snapshot(90.0)["cards"].callbacks_waiting == 0
    assert e.next_deadline() is None
    e.forget_contact("cb")


def test_an_invalid_number_closes_the_callback_at_once() -> None:
    e = _callback_offered()
    got = e.callback_not_reached("cb", 15.0, result="invalid")
    assert got[1] == ev.ContactEnded(15.0, "cb", "a1", "cards", reason="callback_failed")
    assert e.contact_state("cb").value == "ended"


def test_a_held_callback_can_be_recorded_too() -> None:
    e = _callback_offered()
    e.answer("cb", "a1", 11.0)
    e.hold("cb", 12.0)
    got = e.callback_not_reached("cb", 13.0)
    assert got[-1] == ev.AgentStateChanged(13.0, "a1", "wrap_up", "hold", None)
    assert e.contact_view("cb").retry_at == 313.0


def test_refusals_name_the_problem_and_change_nothing() -> None:
    e = _callback_offered()
    e.arrive(ContactSpec("plain", "cards"), 11.0)
    with pytest.raises(RoutingError, match="contact plain is not a callback"):
        e.callback_not_reached("plain", 12.0)
    with pytest.raises(ValueError, match="result must be one of"):
        e.callback_not_reached("cb", 12.0, result="connected")  # type: ignore[arg-type]
    e.callback_not_reached("cb", 12.0)
    with pytest.raises(IllegalTransition, match="contact cb: cannot go from queued"):
        e.callback_not_reached("cb", 13.0)  # waiting for its retry: no dial to record
    assert e.contact_view("cb").dial_attempts == 1


def test_hang_up_and_abandon_still_do_not_close_an_offered_callback() -> None:
    e = _callback_offered()
    with pytest.raises(IllegalTransition, match="from offered to ended"):
        e.hang_up("cb", 11.0)
    assert e.abandon("cb", 11.0) == []
    assert e.contact_state("cb").value == "offered"


def test_new_event_fields_round_trip_through_json() -> None:
    for event in (ev.DialResult(1.0, "cb", "cards", "busy", agent_id="a1", attempt=2),
                  ev.CallbackScheduled(1.0, "cb", "cards", due_at=301.0),
                  ev.ContactEnded(1.0, "cb", "a1", "cards", reason="callback_failed")):
        assert ev.event_from_json(event.to_json()) == event
