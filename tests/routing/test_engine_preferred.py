"""The preferred agent (relationship manager) serves the contact's first routing only.

The preference is for the caller's arrival: the RM takes the call if ready, or the caller
waits for the RM for the policy's window. Once the contact has been offered (and so
answered, or transferred on), a transfer to a queue is served by that queue's eligible
agents, never pulled back to the RM and never given to an agent lacking the skill.
"""

from __future__ import annotations

from routing.engine import ContactSpec, QueueConfig
from tests.routing.test_engine import CARDS, LOANS, make, offers, staff

QUEUES = (CARDS, LOANS)


def test_a_later_transfer_to_a_queue_is_not_pulled_back_to_the_rm() -> None:
    # Review repro p9: RM answers, transfers to b; at t=600 b transfers to `loans`.
    e = make(QUEUES, ring_timeout_seconds=None)
    staff(e, "rm", {"cards": 3})
    staff(e, "b", {"cards": 3}, ready=False)
    staff(e, "y", {"loans": 3})
    e.arrive(ContactSpec("c1", "cards", "private_banker", preferred_agent_id="rm"), 0.0)
    e.answer("c1", "rm", 1.0)
    e.transfer("c1", 5.0, to_agent="b")
    e.end_wrap_up("rm", 6.0)
    e.set_ready("b", 7.0)
    e.answer("c1", "b", 7.0)
    assert offers(e.transfer("c1", 600.0, to_queue="loans")) == [("c1", "y")]
    assert e.agent_state("rm").value == "ready"


def test_the_rms_own_transfer_within_the_window_goes_to_the_new_queue() -> None:
    # Review repro p8 (window 120): the RM transfers to `loans` at t=20.
    e = make(QUEUES, ring_timeout_seconds=None, preferred_agent_wait_seconds=120.0)
    staff(e, "rm", {"cards": 3})
    staff(e, "y", {"loans": 3}, ready=False)
    e.arrive(ContactSpec("c1", "cards", "private_banker", preferred_agent_id="rm"), 0.0)
    e.answer("c1", "rm", 1.0)
    e.transfer("c1", 20.0, to_queue="loans")
    assert e.contact_view("c1").reserved_for is None
    assert e.agent_view("rm").personal_waiting == 0
    assert offers(e.set_ready("y", 25.0)) == [("c1", "y")]
    assert offers(e.end_wrap_up("rm", 30.0)) == []


def test_an_rm_without_the_skill_never_gets_a_transferred_caller() -> None:
    e = make(QUEUES, ring_timeout_seconds=None, preferred_agent_wait_seconds=120.0)
    staff(e, "rm", {"cards": 3})
    staff(e, "y", {"loans": 3}, ready=False)
    e.arrive(ContactSpec("c1", "cards", "private_banker", preferred_agent_id="rm"), 0.0)
    e.answer("c1", "rm", 1.0)
    e.transfer("c1", 20.0, to_queue="loans")
    assert offers(e.end_wrap_up("rm", 21.0)) == []  # the RM frees first: not for them
    assert e.contact_state("c1").value == "queued"
    assert e.next_deadline() is None  # no preferred-agent window is running
    assert offers(e.set_ready("y", 200.0)) == [("c1", "y")]


def test_the_window_still_holds_the_caller_for_the_rm_at_arrival() -> None:
    # The first routing keeps the documented rule: the caller waits for a busy RM.
    e = make([QueueConfig("cards", "cards")], preferred_agent_wait_seconds=60.0)
    staff(e, "rm", {"cards": 3})
    staff(e, "other", {"cards": 3}, ready=False)
    e.arrive(ContactSpec("c0", "cards"), 0.0)
    e.answer("c0", "rm", 0.0)
    e.set_ready("other", 1.0)
    got = e.arrive(ContactSpec("vip", "cards", "platinum", preferred_agent_id="rm"), 2.0)
    assert offers(got) == []
    assert e.contact_view("vip").reserved_for == "rm"
    e.hang_up("c0", 10.0)
    assert offers(e.end_wrap_up("rm", 11.0)) == [("vip", "rm")]
