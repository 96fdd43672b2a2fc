"""Whom a robot agent reached on an outbound call (simulations.driver): said at wrap-up for the
driver's own outbound callers and for those the live center's dialler connected elsewhere;
never for an inbound call."""

from __future__ import annotations

from routing import events as ev
from routing.engine import AgentSpec, ContactSpec
from routing.events import Party
from simulations.driver import Caller, Driver, Talk
from tests.simulations.test_driver_consult import Center, Robots


class Sayers(Robots):
    """The consult test's robots, who say they reached the customer themself."""

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(30.0)

    def party(self, queue: str) -> Party | None:
        return "right_party"


def _center(driven: set[str] | None) -> Center:
    c = Center()
    c.driver = Driver(Sayers(), c.port, driven=driven)
    c.apply(lambda e, n: e.add_agent(AgentSpec("robot", {"cards": 3}), n), 0.0)
    c.apply(lambda e, n: e.login("robot", n), 0.0)
    c.apply(lambda e, n: e.set_ready("robot", n), 0.0)
    return c


def _wrap_ups(c: Center) -> list[ev.WrapUpEnded]:
    return [e for e in c.events if isinstance(e, ev.WrapUpEnded)]


def test_the_drivers_own_outbound_caller_gets_a_party_an_inbound_one_none() -> None:
    c = _center(None)
    c.apply(c.driver.arrival(ContactSpec("in", "cards"), 30.0, 1e9), 1.0)
    c.run_until(100.0)
    c.apply(c.driver.arrival(ContactSpec("out", "cards", direction="outbound"), 30.0, 1e9),
            101.0)
    c.run_until(200.0)
    assert [(w.contact_id, w.party) for w in _wrap_ups(c)] == [("in", None),
                                                                ("out", "right_party")]


def test_an_outbound_contact_connected_elsewhere_gets_a_party_from_its_robot() -> None:
    """The live center: the dialler's connector arrives the contact; the robots' driver only
    sees its events, remembers it is outbound, and its robot says whom it reached."""
    c = _center({"robot"})
    c.apply(lambda e, n: e.arrive(ContactSpec("d1", "cards", direction="outbound"), n), 1.0)
    c.apply(lambda e, n: e.answer("d1", "robot", n), 1.0)
    assert c.driver.outbound_elsewhere == set()  # taken on at the answer
    c.run_until(100.0)
    assert [(w.contact_id, w.party) for w in _wrap_ups(c)] == [("d1", "right_party")]
    c.apply(lambda e, n: e.set_not_ready("robot", n, "break"), 101.0)
    c.apply(lambda e, n: e.arrive(ContactSpec("d2", "cards", direction="outbound"), n), 102.0)
    c.apply(lambda e, n: e.abandon("d2", n), 103.0)
    assert c.driver.outbound_elsewhere == set()  # an abandoned one is forgotten
