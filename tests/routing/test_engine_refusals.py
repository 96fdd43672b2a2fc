"""A refused call changes nothing, the clock included; views check ``now`` like the rest.

Every public engine method is called at a far-future time in a way it must refuse
(unknown id, illegal state, bad argument); the engine must then still accept an
ordinary call at the earlier time, with the same events as an engine that never saw
the refused call.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from routing import events as ev
from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine
from routing.errors import ClockError
from tests.routing.test_engine import make, staff

FUTURE = 1e9

Refusal = Callable[[RoutingEngine], object]

#: One refused call per public method (and a few per method where there are several ways).
REFUSALS: dict[str, Refusal] = {
    "add_agent duplicate": lambda e: e.add_agent(AgentSpec("a1", {"cards": 1}), FUTURE),
    "set_skills unknown agent": lambda e: e.set_skills("ghost", {"cards": 1}, FUTURE),
    "set_skills bad level": lambda e: e.set_skills("a1", {"cards": 9}, FUTURE),
    "login not logged out": lambda e: e.login("a1", FUTURE),
    "set_ready unknown agent": lambda e: e.set_ready("ghost", FUTURE),
    "set_ready talking": lambda e: e.set_ready("a1", FUTURE),
    "set_not_ready talking": lambda e: e.set_not_ready("a1", FUTURE, "break"),
    "logout talking": lambda e: e.logout("a1", FUTURE),
    "end_wrap_up not in wrap-up": lambda e: e.end_wrap_up("a2", FUTURE),
    "arrive unknown queue": lambda e: e.arrive(ContactSpec("x", "nope"), FUTURE),
    "arrive duplicate": lambda e: e.arrive(ContactSpec("c1", "cards"), FUTURE),
    "answer wrong state": lambda e: e.answer("c1", "a1", FUTURE),
    "hold queued": lambda e: e.hold("w1", FUTURE),
    "retrieve connected": lambda e: e.retrieve("c1", FUTURE),
    "hang_up queued": lambda e: e.hang_up("w1", FUTURE),
    "transfer neither target": lambda e: e.transfer("c1", FUTURE),
    "transfer unknown agent": lambda e: e.transfer("c1", FUTURE, to_agent="ghost"),
    "transfer unknown queue": lambda e: e.transfer("c1", FUTURE, to_queue="nope"),
    "abandon unknown contact": lambda e: e.abandon("ghost", FUTURE),
    "request_callback connected": lambda e: e.request_callback("c1", FUTURE),
    "callback_not_reached not a callback": lambda e: e.callback_not_reached("c1", FUTURE),
    "callback_not_reached bad result": lambda e: e.callback_not_reached(
        "c1", FUTURE, result="maybe"),  # type: ignore[arg-type]
    "queue_snapshot": lambda e: e.queue_snapshot(math.nan),
    "expected_wait_seconds unknown queue": lambda e: e.expected_wait_seconds("nope", FUTURE),
}


def _center() -> RoutingEngine:
    """a1 talks with c1; a2 is not ready; w1 waits."""
    e = make(ring_timeout_seconds=None)
    staff(e, "a1", {"cards": 3})
    staff(e, "a2", {"cards": 3}, ready=False)
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    e.answer("c1", "a1", 1.0)
    e.arrive(ContactSpec("w1", "cards"), 2.0)
    return e


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_call_does_not_move_the_clock(name: str) -> None:
    e = _center()
    with pytest.raises((KeyError, ValueError)):
        REFUSALS[name](e)
    # The review's repro: set_ready("ghost", 1e9) refused, then set_ready("a2", 4) failed.
    assert e.set_ready("a2", 4.0) == _center().set_ready("a2", 4.0)
    assert e.contact_view("w1").agent_id == "a2"


def test_views_refuse_a_now_before_the_clock() -> None:
    e = make()
    e.arrive(ContactSpec("c1", "cards"), 100.0)
    with pytest.raises(ClockError, match="must not go back: got 0.0 after 100.0"):
        e.queue_snapshot(0.0)
    with pytest.raises(ClockError, match="must not go back"):
        e.expected_wait_seconds("cards", 0.0)
    with pytest.raises(ClockError, match="finite"):
        e.queue_snapshot(math.inf)
    assert e.queue_snapshot(100.0)["cards"].longest_wait_seconds == 0.0
    assert e.queue_snapshot(130.0)["cards"].longest_wait_seconds == 30.0


def test_views_do_not_move_the_clock() -> None:
    e = make([QueueConfig("cards", "cards")])
    e.queue_snapshot(500.0)
    e.expected_wait_seconds("cards", 600.0)
    assert e.arrive(ContactSpec("c1", "cards"), 10.0)[0] == ev.ContactArrived(10.0, "c1", "cards")
