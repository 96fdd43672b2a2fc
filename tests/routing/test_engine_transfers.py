"""Direct transfers to an agent who is not ready: a bounded wait, then back to the queue.

Policy ``direct_transfer_wait_seconds`` (default 30 s): the caller waits in the target
agent's personal line at most that long; then ``ContactTransferTimedOut`` and the
caller returns to the queue it came from at its original place (arrival time).
"""

from __future__ import annotations

import pytest

from routing import events as ev
from routing.engine import ContactSpec, RoutingPolicy
from tests.routing.test_engine import busy, free, make, offers, staff


def test_the_default_wait_for_a_transfer_target_is_30_seconds() -> None:
    assert RoutingPolicy().direct_transfer_wait_seconds == 30.0


def test_a_transfer_to_a_not_ready_agent_returns_to_the_queue_after_the_wait() -> None:
    e = make(ring_timeout_seconds=None)
    staff(e, "a1", {"cards": 3})
    staff(e, "onbreak", {"cards": 3}, ready=False)
    busy(e, "a1", "c1", 0.0)
    e.transfer("c1", 10.0, to_agent="onbreak")
    e.end_wrap_up("a1", 11.0)  # a1 is ready, but the caller waits for `onbreak` alone
    assert e.contact_view("c1").reserved_for == "onbreak"
    assert e.agent_state("a1").value == "ready"
    assert e.next_deadline() == 40.0
    assert e.advance(39.9) == []
    assert e.advance(40.0) == [
        ev.ContactTransferTimedOut(40.0, "c1", "onbreak", "cards"),
        ev.ContactOffered(40.0, "c1", "a1", "cards"),
        ev.AgentStateChanged(40.0, "a1", "reserved", "ready", None),
    ]
    view = e.contact_view("c1")
    assert (view.reserved_for, view.arrived_at) == (None, 0.0)
    assert e.agent_view("onbreak").personal_waiting == 0


def test_the_returned_caller_keeps_its_original_place_in_the_queue() -> None:
    e = make(ring_timeout_seconds=None, direct_transfer_wait_seconds=20.0)
    staff(e, "a1", {"cards": 3})
    staff(e, "a2", {"cards": 3})
    staff(e, "a3", {"cards": 3})
    busy(e, "a1", "c1", 0.0)  # c1 arrived first
    busy(e, "a2", "c2", 1.0)
    busy(e, "a3", "c3", 2.0)
    e.arrive(ContactSpec("later", "cards"), 5.0)
    e.transfer("c1", 10.0, to_agent="a2")  # a2 is talking: c1 waits for a2
    got = e.advance(30.0)
    assert got == [ev.ContactTransferTimedOut(30.0, "c1", "a2", "cards")]
    assert [v.contact_id for v in e.waiting_contacts("cards")] == ["c1", "later"]
    assert offers(free(e, "a3", "c3", 31.0)) == [("c1", "a3")]  # ahead of `later`


def test_the_target_freeing_within_the_wait_takes_the_call() -> None:
    e = make(ring_timeout_seconds=None)
    staff(e, "a1", {"cards": 3})
    staff(e, "a2", {"cards": 3}, ready=False)
    busy(e, "a1", "c1", 0.0)
    e.transfer("c1", 10.0, to_agent="a2")
    assert offers(e.set_ready("a2", 25.0)) == [("c1", "a2")]
    assert e.next_deadline() is None  # the transfer's timer is spent
    assert e.advance(100.0) == []


def test_no_limit_keeps_the_caller_for_the_target() -> None:
    e = make(ring_timeout_seconds=None, direct_transfer_wait_seconds=None)
    staff(e, "a1", {"cards": 3})
    staff(e, "a2", {"cards": 3}, ready=False)
    busy(e, "a1", "c1", 0.0)
    e.transfer("c1", 10.0, to_agent="a2")
    assert e.next_deadline() is None
    assert e.advance(10_000.0) == []
    assert e.contact_view("c1").reserved_for == "a2"


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), float("nan")])
def test_the_wait_must_be_positive_and_finite(bad: float) -> None:
    with pytest.raises(ValueError, match="direct_transfer_wait_seconds"):
        RoutingPolicy(direct_transfer_wait_seconds=bad)


def test_the_returned_caller_round_trips_through_json() -> None:
    event = ev.ContactTransferTimedOut(40.0, "c1", "a2", "cards")
    assert event.type_name == "contact_transfer_timed_out"
    assert ev.event_from_json(event.to_json()) == event
