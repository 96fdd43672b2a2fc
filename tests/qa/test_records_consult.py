"""RecordBuilder folds consults (routing.consult) into the contact record."""

from __future__ import annotations

import pytest

from qa.agent_time import AgentTimeBuilder
from qa.records import ContactTable, RecordBuilder, records_from_events
from routing import events as ev
from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine, RoutingPolicy


def center() -> tuple[RoutingEngine, list[ev.Event]]:
    """c1 arrives at 0, a1 answers at 10; b1 is ready."""
    e = RoutingEngine([QueueConfig("cards", "cards")], RoutingPolicy(ring_timeout_seconds=20.0))
    out: list[ev.Event] = []
    for agent in ("a1", "b1"):
        out += e.add_agent(AgentSpec(agent, {"cards": 3}), 0.0)
        out += e.login(agent, 0.0)
    out += e.set_ready("a1", 0.0)
    out += e.arrive(ContactSpec("c1", "cards"), 0.0)
    out += e.answer("c1", "a1", 10.0)
    out += e.set_ready("b1", 1.0 + 10.0)
    return e, out


def test_a_completed_consult_is_a_transfer_with_no_new_wait() -> None:
    e, out = center()
    out += e.hold("c1", 30.0)  # hold from 30
    out += e.consult("c1", 40.0, to_agent="b1")
    out += e.answer_consult("c1", "b1", 45.0)
    out += e.complete_consult("c1", 60.0)  # hold ends: the caller talks to b1
    out += e.hang_up("c1", 100.0)
    out += e.end_wrap_up("a1", 70.0 + 30.0)
    out += e.end_wrap_up("b1", 110.0)
    (rec,) = records_from_events(out)
    assert rec.transfers == 1 and rec.consults == 1 and rec.holds == 1
    assert rec.legs == []  # no wait in a queue after the transfer
    assert rec.wait_seconds == 10.0 and rec.answered_at == 10.0 and rec.agent_id == "a1"
    assert rec.hold_seconds == 30.0  # 30 → 60: the consult did not stop the hold
    # a1 talked 10 → 60 (hold and consult included), b1 talked 60 → 100
    assert rec.talk_seconds == 50.0 + 40.0
    assert rec.consult_seconds == 15.0  # b1's consult talk, 45 → 60
    assert rec.wrap_up_seconds == (100.0 - 60.0) + (110.0 - 100.0)
    assert rec.finished
    assert rec.handle_seconds == 90.0 + 15.0 + 50.0
    table = ContactTable.from_records([rec])
    assert table.transfer_legs is not None and len(table.transfer_legs) == 0
    assert table.handle_seconds is not None and table.handle_seconds[0] == 155.0


def test_a_cancelled_consult_keeps_the_caller_on_hold_until_resumed() -> None:
    e, out = center()
    out += e.consult("c1", 40.0, to_agent="b1")  # holds the connected caller at 40
    out += e.answer_consult("c1", "b1", 42.0)
    out += e.cancel_consult("c1", 50.0)
    out += e.retrieve("c1", 55.0)
    out += e.hang_up("c1", 70.0)
    out += e.end_wrap_up("a1", 75.0)
    (rec,) = records_from_events(out)
    assert (rec.transfers, rec.consults, rec.holds) == (0, 1, 1)
    assert rec.hold_seconds == 15.0
    assert rec.consult_seconds == 8.0
    assert rec.talk_seconds == 60.0
    assert rec.handle_seconds == 60.0 + 8.0 + 5.0


def test_an_open_consult_keeps_the_record_unfinished() -> None:
    e, out = center()
    out += e.consult("c1", 40.0, to_agent="b1")
    out += e.answer_consult("c1", "b1", 42.0)
    builder = RecordBuilder().extend(out)
    rec = builder.records["c1"]
    assert rec.consulting == {"b1": 42.0} and not rec.finished and rec.handle_seconds is None
    assert rec.held_since == 40.0


@pytest.mark.parametrize("answered", [False, True])
def test_the_caller_hanging_up_during_a_consult(answered: bool) -> None:
    e, out = center()
    out += e.consult("c1", 40.0, to_agent="b1")
    if answered:
        out += e.answer_consult("c1", "b1", 42.0)
    out += e.hang_up("c1", 50.0)
    out += e.end_wrap_up("a1", 55.0)
    (rec,) = records_from_events(out)
    assert rec.transfers == 0 and rec.finished
    assert rec.hold_seconds == 10.0
    assert rec.consult_seconds == (8.0 if answered else 0.0)
    assert rec.handle_seconds == 40.0 + rec.consult_seconds + 5.0


def test_the_colleagues_consult_is_busy_time() -> None:
    e, out = center()
    out += e.consult("c1", 40.0, to_agent="b1")  # b1 rings from 40
    out += e.answer_consult("c1", "b1", 45.0)
    out += e.cancel_consult("c1", 60.0)  # b1 ready again at 60
    builder = AgentTimeBuilder(interval_seconds=100.0, n_intervals=1)
    for event in out:
        builder.add(event)
    busy_a1_only = AgentTimeBuilder(interval_seconds=100.0, n_intervals=1)
    for event in out:
        if getattr(event, "agent_id", None) == "a1":
            busy_a1_only.add(event)
    total = builder.result(now=100.0).busy_seconds[0]
    a1 = busy_a1_only.result(now=100.0).busy_seconds[0]
    assert total - a1 == 20.0  # b1: reserved 40 → 45, talking 45 → 60
