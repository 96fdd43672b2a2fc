"""The driver's robots in a consult (simulations.driver): a robot colleague answers the consult
call after a ring and, once the transfer is completed, talks the caller through and wraps up."""

from __future__ import annotations

import heapq

from routing import events as ev
from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine, RoutingPolicy
from routing.events import Party
from simulations.driver import Action, Caller, Driver, Talk


class Robots:
    """Ring 2 s, talk 30 s, wrap up 5 s, no breaks, never a callback."""

    def ring_seconds(self, offer: ev.ContactOffered) -> float:
        return 2.0

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(30.0)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return 5.0, "resolved"

    def party(self, queue: str) -> Party | None:
        return None

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        return False


class Center:
    """One engine, one driver, and a heap of scheduled actions (a tiny kernel)."""

    def __init__(self) -> None:
        self.engine = RoutingEngine([QueueConfig("cards", "cards")],
                                    RoutingPolicy(ring_timeout_seconds=15.0))
        self.heap: list[tuple[float, int, int, Action]] = []
        self.seq = 0
        self.driver = Driver(Robots(), self.port, driven={"robot"})
        self.events: list[ev.Event] = []

    def port(self, at: float, priority: int, action: Action, label: str) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, priority, self.seq, action))

    def apply(self, action: Action, now: float) -> list[ev.Event]:
        out = action(self.engine, now)
        self.events += out
        self.driver.observe(out)
        return out

    def run_until(self, until: float) -> None:
        while self.heap and self.heap[0][0] <= until:
            at, _p, _s, action = heapq.heappop(self.heap)
            deadline = self.engine.next_deadline()
            if deadline is not None and deadline < at:
                self.apply(lambda e, n: e.advance(n), deadline)
            self.apply(action, at)


def test_a_robot_colleague_answers_a_consult_and_takes_the_caller() -> None:
    c = Center()
    for agent in ("person", "robot"):
        c.apply(lambda e, n, a=agent: e.add_agent(AgentSpec(a, {"cards": 3}), n), 0.0)
        c.apply(lambda e, n, a=agent: e.login(a, n), 0.0)
    c.apply(lambda e, n: e.set_ready("person", n), 0.0)
    c.apply(c.driver.arrival(ContactSpec("c1", "cards"), 60.0, 1e9), 1.0)
    c.apply(lambda e, n: e.answer("c1", "person", n), 2.0)
    c.apply(lambda e, n: e.set_ready("robot", n), 3.0)
    c.apply(lambda e, n: e.consult("c1", n, to_agent="robot"), 10.0)
    c.run_until(12.0)
    assert c.engine.agent_view("robot").state == "talking"  # answered after its 2 s ring
    c.apply(lambda e, n: e.complete_consult("c1", n), 20.0)
    c.apply(lambda e, n: e.end_wrap_up("person", n), 25.0)
    assert "c1" in c.driver.callers  # the caller's story goes on with the robot
    c.run_until(100.0)
    assert c.engine.agent_view("robot").state == "ready"
    assert ev.ContactEnded(50.0, "c1", "robot", "cards") in c.events  # 30 s of talk
    assert ev.WrapUpEnded(55.0, "c1", "robot", "resolved") in c.events
    assert c.driver.callers == {} and c.driver.open == 0


def test_a_robot_colleague_freed_by_a_cancel_stays_ready() -> None:
    c = Center()
    for agent in ("person", "robot"):
        c.apply(lambda e, n, a=agent: e.add_agent(AgentSpec(a, {"cards": 3}), n), 0.0)
        c.apply(lambda e, n, a=agent: e.login(a, n), 0.0)
    c.apply(lambda e, n: e.set_ready("person", n), 0.0)
    c.apply(c.driver.arrival(ContactSpec("c1", "cards"), 60.0, 1e9), 1.0)
    c.apply(lambda e, n: e.answer("c1", "person", n), 2.0)
    c.apply(lambda e, n: e.set_ready("robot", n), 3.0)
    c.apply(lambda e, n: e.consult("c1", n, to_agent="robot"), 10.0)
    c.apply(lambda e, n: e.cancel_consult("c1", n), 11.0)  # before the robot answers
    c.run_until(100.0)
    assert c.engine.agent_view("robot").state == "ready"
    assert not any(isinstance(e, ev.ConsultAnswered) for e in c.events)
    assert c.engine.contact_view("c1").state == "held"
