"""The engine's timer heap: order, stale entries dropped, lazy firing."""

from __future__ import annotations

from routing.contact_state import ContactRecord, ContactState
from routing.timers import PREFERRED_END, RETRY, RING, TRANSFER_END, WIDEN, Timers


def _contact(contact_id: str, state: ContactState = ContactState.QUEUED) -> ContactRecord:
    contact = ContactRecord(contact_id, "q", "core", 4, 0.0, 1, (4.0, 0.0, 1))
    contact.state = state
    contact.line = ("q", "core", None)
    return contact


def test_due_timers_fire_by_deadline_then_by_the_order_they_were_set() -> None:
    a, b, c = _contact("a"), _contact("b"), _contact("c")
    timers = Timers({"a": a, "b": b, "c": c})
    timers.schedule(10.0, 3, WIDEN, c)
    timers.schedule(5.0, 2, WIDEN, b)
    timers.schedule(10.0, 1, WIDEN, a)
    assert timers.next_deadline() == 5.0
    assert [x.contact_id for _, x in timers.pop_due(10.0)] == ["b", "a", "c"]
    assert timers.next_deadline() is None


def test_a_timer_is_stale_once_the_token_or_the_state_changes() -> None:
    offered = _contact("o", ContactState.OFFERED)
    queued = _contact("q")
    reserved = _contact("r")
    contacts = {"o": offered, "q": queued, "r": reserved}
    timers = Timers(contacts)
    timers.schedule(1.0, 1, RING, offered)
    timers.schedule(2.0, 2, WIDEN, queued)
    timers.schedule(3.0, 3, PREFERRED_END, reserved)  # not reserved for anyone: stale
    queued.token += 1  # placed again: its old timer is stale
    assert timers.next_deadline() == 1.0
    offered.state = ContactState.CONNECTED  # answered before the ring timeout
    assert timers.next_deadline() is None
    assert list(timers.pop_due(10.0)) == []


def test_a_forgotten_contact_drops_its_timers() -> None:
    contact = _contact("x")
    contacts = {"x": contact}
    timers = Timers(contacts)
    timers.schedule(1.0, 1, WIDEN, contact)
    del contacts["x"]
    assert timers.next_deadline() is None


def test_firing_is_lazy_so_a_handled_timer_can_make_a_later_one_stale() -> None:
    a, b = _contact("a"), _contact("b")
    timers = Timers({"a": a, "b": b})
    timers.schedule(1.0, 1, WIDEN, a)
    timers.schedule(2.0, 2, WIDEN, b)
    fired = []
    for _, contact in timers.pop_due(5.0):
        fired.append(contact.contact_id)
        if contact is a:
            b.token += 1  # handling a's timer re-places b ...
            timers.schedule(3.0, 3, WIDEN, b)  # ... with a new timer, due within this call
    assert fired == ["a", "b"]
    assert timers.next_deadline() is None


def test_transfer_and_retry_timers_need_their_waiting_state() -> None:
    transferred, parked = _contact("t"), _contact("p")
    transferred.line = parked.line = None
    timers = Timers({"t": transferred, "p": parked})
    timers.schedule(1.0, 1, TRANSFER_END, transferred)
    timers.schedule(2.0, 2, RETRY, parked)
    assert timers.next_deadline() is None  # not reserved for anyone, no retry due: stale
    transferred.reserved_for, parked.retry_at = "a1", 2.0
    timers.schedule(1.0, 3, TRANSFER_END, transferred)
    timers.schedule(2.0, 4, RETRY, parked)
    assert [(kind, c.contact_id) for kind, c in timers.pop_due(5.0)] == [
        (TRANSFER_END, "t"), (RETRY, "p")]


def test_last_deadline_is_the_deadline_of_the_timer_set_last() -> None:
    """A polling loop that saw ``set_count`` grow by one reads the new timer's deadline."""
    a, b = _contact("a"), _contact("b")
    timers = Timers({"a": a, "b": b})
    assert timers.last_deadline == float("inf") and timers.set_count == 0
    timers.schedule(10.0, 1, WIDEN, a)
    timers.schedule(4.0, 2, WIDEN, b)
    assert (timers.set_count, timers.last_deadline) == (2, 4.0)
    timers.schedule(7.0, 3, WIDEN, a)
    assert (timers.set_count, timers.last_deadline) == (3, 7.0)
