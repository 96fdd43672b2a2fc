"""Consult transfer (routing.consult): scripted scenarios and random sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from qa.records import records_from_events
from routing import events as ev
from routing.consult_state import ConsultInProgress
from routing.engine import (
    AgentSpec,
    ContactSpec,
    IllegalTransition,
    QueueConfig,
    RoutingEngine,
    RoutingError,
    RoutingPolicy,
    UnknownAgent,
    UnknownContact,
    UnknownQueue,
)
from routing.errors import ClockError

CARDS = QueueConfig("cards", "cards")
LOANS = QueueConfig("loans", "loans", min_proficiency=2)


def make(**policy: Any) -> RoutingEngine:
    return RoutingEngine([CARDS, LOANS], RoutingPolicy(**policy))


def staff(engine: RoutingEngine, agent_id: str, skills: dict[str, int], now: float = 0.0,
          ready: bool = True) -> None:
    engine.add_agent(AgentSpec(agent_id, skills), now)
    engine.login(agent_id, now)
    if ready:
        engine.set_ready(agent_id, now)


def talking(ring: float | None = 15.0) -> RoutingEngine:
    """a1 talks with c1 (cards); b1 (loans) and b2 (loans, cards) are ready."""
    e = make(ring_timeout_seconds=ring)
    staff(e, "a1", {"cards": 3})
    e.arrive(ContactSpec("c1", "cards", customer_id="77"), 1.0)
    e.answer("c1", "a1", 2.0)
    staff(e, "b1", {"loans": 3}, now=3.0)
    staff(e, "b2", {"loans": 2, "cards": 1}, now=4.0)
    return e


def kinds(events: Sequence[ev.Event]) -> list[str]:
    return [e.type_name for e in events]


def states(e: RoutingEngine) -> dict[str, str]:
    return {a.agent_id: a.state for a in e.agents_snapshot()}


# --- the story -----------------------------------------------------------------------------


def test_consult_holds_the_caller_and_rings_the_colleague() -> None:
    e = talking()
    out = e.consult("c1", 10.0, to_agent="b1")
    assert kinds(out) == ["contact_held", "agent_state_changed", "consult_started",
                          "agent_state_changed"]
    assert out[2] == ev.ConsultStarted(10.0, "c1", "a1", "b1", None)
    assert states(e) == {"a1": "hold", "b1": "reserved", "b2": "ready"}
    assert e.contact_view("c1").state == "held"
    assert e.contact_view("c1").agent_id == "a1"  # the caller stays with the agent
    assert e.agent_view("b1").contact_id == "c1"  # the colleague sees whom it is about
    assert e.next_deadline() == 25.0  # the consult rings like an offer


def test_completed_consult_connects_the_caller_to_the_colleague() -> None:
    e = talking()
    e.hold("c1", 9.0)
    out = e.consult("c1", 10.0, to_agent="b1")
    assert kinds(out) == ["consult_started", "agent_state_changed"]  # already held
    out = e.answer_consult("c1", "b1", 12.0)
    assert out == [ev.ConsultAnswered(12.0, "c1", "a1", "b1"),
                   ev.AgentStateChanged(12.0, "b1", "talking", "reserved")]
    assert e.next_deadline() is None  # no ring timeout once answered
    out = e.complete_consult("c1", 20.0)
    assert out == [ev.ConsultEnded(20.0, "c1", "a1", "b1", "completed"),
                   ev.AgentStateChanged(20.0, "a1", "wrap_up", "hold")]
    assert states(e) == {"a1": "wrap_up", "b1": "talking", "b2": "ready"}
    view = e.contact_view("c1")
    assert (view.state, view.agent_id) == ("connected", "b1")
    assert e.agent_view("a1").last_contact_id == "c1"
    # the colleague now has the call: hold, resume, hang up, wrap up
    e.hold("c1", 21.0)
    e.retrieve("c1", 22.0)
    out = e.hang_up("c1", 30.0)
    assert out == [ev.ContactEnded(30.0, "c1", "b1", "cards"),
                   ev.AgentStateChanged(30.0, "b1", "wrap_up", "talking")]
    e.end_wrap_up("a1", 31.0)
    assert e.forget_finished(e.end_wrap_up("b1", 35.0)) == 1


def test_cancelled_consult_frees_the_colleague_and_the_agent_resumes() -> None:
    e = talking()
    e.consult("c1", 10.0, to_agent="b1")
    e.answer_consult("c1", "b1", 11.0)
    out = e.cancel_consult("c1", 15.0)
    assert out == [ev.ConsultEnded(15.0, "c1", "a1", "b1", "cancelled"),
                   ev.AgentStateChanged(15.0, "b1", "ready", "talking")]
    assert states(e)["b1"] == "ready"
    assert e.agent_view("b1").contact_id is None
    assert e.contact_view("c1").state == "held"
    assert kinds(e.retrieve("c1", 16.0)) == ["contact_retrieved", "agent_state_changed"]
    assert states(e)["a1"] == "talking"


def test_a_colleague_freed_by_a_cancel_takes_the_waiting_caller() -> None:
    e = talking()
    e.consult("c1", 10.0, to_agent="b1")
    e.arrive(ContactSpec("w1", "loans"), 11.0)  # b2 takes it
    e.arrive(ContactSpec("w2", "loans"), 12.0)  # nobody free: waits
    assert e.contact_view("w2").state == "queued"
    out = e.cancel_consult("c1", 13.0)
    assert kinds(out)[-2:] == ["contact_offered", "agent_state_changed"]
    assert e.contact_view("w2").agent_id == "b1"


def test_consult_through_a_queue_rings_its_best_ready_agent() -> None:
    e = talking()
    out = e.consult("c1", 10.0, to_queue="loans")
    assert out[2] == ev.ConsultStarted(10.0, "c1", "a1", "b1", "loans")  # proficiency 3 > 2
    e.cancel_consult("c1", 11.0)
    e.set_not_ready("b1", 12.0, "break")
    assert e.consult("c1", 13.0, to_queue="loans")[0].colleague_id == "b2"  # type: ignore[attr-defined]


def test_unanswered_consult_rings_out_and_the_colleague_goes_not_ready() -> None:
    e = talking()
    e.consult("c1", 10.0, to_agent="b1")
    assert e.advance(24.0) == []
    out = e.advance(25.0)
    assert out == [ev.ConsultEnded(25.0, "c1", "a1", "b1", "no_answer"),
                   ev.AgentStateChanged(25.0, "b1", "not_ready", "reserved", "ring_no_answer")]
    assert e.contact_view("c1").state == "held"
    assert states(e)["a1"] == "hold"
    assert e.next_deadline() is None


def test_declined_consult() -> None:
    e = talking()
    e.consult("c1", 10.0, to_agent="b1")
    out = e.set_not_ready("b1", 11.0, "break")
    assert out == [ev.ConsultEnded(11.0, "c1", "a1", "b1", "declined"),
                   ev.AgentStateChanged(11.0, "b1", "not_ready", "reserved", "break")]
    assert e.contact_view("c1").state == "held"
    assert e.advance(100.0) == []  # the ring timer is gone


@pytest.mark.parametrize("answered", [False, True])
def test_the_caller_hangs_up_during_the_consult(answered: bool) -> None:
    e = talking()
    e.consult("c1", 10.0, to_agent="b1")
    if answered:
        e.answer_consult("c1", "b1", 11.0)
    e.arrive(ContactSpec("w1", "loans"), 11.5)  # b2 takes it
    e.arrive(ContactSpec("w2", "loans"), 11.6)  # waits for b1
    out = e.hang_up("c1", 12.0)
    assert kinds(out) == ["consult_ended", "contact_ended", "agent_state_changed",
                          "agent_state_changed", "contact_offered", "agent_state_changed"]
    assert out[0] == ev.ConsultEnded(12.0, "c1", "a1", "b1", "caller_hung_up")
    assert out[1] == ev.ContactEnded(12.0, "c1", "a1", "cards")
    assert out[2] == ev.AgentStateChanged(12.0, "a1", "wrap_up", "hold")
    assert out[3] == ev.AgentStateChanged(12.0, "b1", "ready",
                                          "talking" if answered else "reserved")
    assert e.contact_view("w2").agent_id == "b1"
    e.end_wrap_up("a1", 13.0)
    assert e.contact_view("c1").state == "ended"


# --- refusals: nothing changes, the clock included ------------------------------------------

REFUSALS = {
    "neither target": lambda e: e.consult("c1", 50.0),
    "both targets": lambda e: e.consult("c1", 50.0, to_agent="b1", to_queue="loans"),
    "unknown contact": lambda e: e.consult("ghost", 50.0, to_agent="b1"),
    "unknown agent": lambda e: e.consult("c1", 50.0, to_agent="ghost"),
    "unknown queue": lambda e: e.consult("c1", 50.0, to_queue="nope"),
    "themselves": lambda e: e.consult("c1", 50.0, to_agent="a1"),
    "colleague not ready": lambda e: e.consult("c1", 50.0, to_agent="n1"),
    "nobody ready in the queue": lambda e: e.consult("c1", 50.0, to_queue="cards"),
    "queued contact": lambda e: e.consult("w1", 50.0, to_agent="b1"),
    "answer without consult": lambda e: e.answer_consult("c1", "b1", 50.0),
    "complete without consult": lambda e: e.complete_consult("c1", 50.0),
    "cancel without consult": lambda e: e.cancel_consult("c1", 50.0),
    "cancel unknown": lambda e: e.cancel_consult("ghost", 50.0),
}


def _with_waiting() -> RoutingEngine:
    e = talking(ring=None)
    staff(e, "n1", {"cards": 3}, now=5.0, ready=False)
    staff(e, "x1", {"cards": 3}, now=5.0, ready=False)
    e.set_not_ready("b2", 5.0, "break")
    e.arrive(ContactSpec("w1", "cards"), 6.0)  # nobody with cards is ready: w1 waits
    return e


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refused_consult_calls_change_nothing(name: str) -> None:
    e = _with_waiting()
    assert e.contact_view("w1").state == "queued"
    before = (states(e), [e.contact_view(c) for c in ("c1", "w1")], e.next_deadline())
    with pytest.raises((KeyError, ValueError)):
        REFUSALS[name](e)
    assert (states(e), [e.contact_view(c) for c in ("c1", "w1")], e.next_deadline()) == before
    e.set_ready("x1", 7.0)  # the clock did not move to 50
    assert e.contact_view("w1").agent_id == "x1"


def test_refusals_during_a_consult() -> None:
    e = talking()
    e.consult("c1", 10.0, to_agent="b1")
    with pytest.raises(ConsultInProgress, match="cannot retrieve while agent a1 consults b1"):
        e.retrieve("c1", 11.0)
    with pytest.raises(ConsultInProgress):
        e.transfer("c1", 11.0, to_queue="loans")
    with pytest.raises(RoutingError, match="already in a consult"):
        e.consult("c1", 11.0, to_agent="b2")
    with pytest.raises(RoutingError, match="rings agent b1, not b2"):
        e.answer_consult("c1", "b2", 11.0)
    with pytest.raises(RoutingError, match="has not answered"):
        e.complete_consult("c1", 11.0)
    with pytest.raises(IllegalTransition):
        e.set_ready("b1", 11.0)
    with pytest.raises(IllegalTransition):
        e.logout("b1", 11.0)
    e.answer_consult("c1", "b1", 12.0)
    with pytest.raises(RoutingError, match="already answered"):
        e.answer_consult("c1", "b1", 13.0)
    with pytest.raises(IllegalTransition):  # talking: neither ready nor not ready by hand
        e.set_ready("b1", 13.0)
    with pytest.raises(IllegalTransition):
        e.set_not_ready("b1", 13.0, "break")
    with pytest.raises(UnknownContact):
        e.answer_consult("ghost", "b1", 13.0)
    assert states(e) == {"a1": "hold", "b1": "talking", "b2": "ready"}
    with pytest.raises(ClockError):
        e.cancel_consult("c1", 1.0)


def test_unknown_ids_are_key_errors() -> None:
    e = talking()
    with pytest.raises(UnknownAgent):
        e.consult("c1", 10.0, to_agent="ghost")
    with pytest.raises(UnknownQueue):
        e.consult("c1", 10.0, to_queue="ghost")


def test_a_consult_on_a_callback_blocks_its_dial_report() -> None:
    e = make(ring_timeout_seconds=None)
    staff(e, "a1", {"cards": 3}, ready=False)
    staff(e, "b1", {"cards": 3}, ready=False)
    e.arrive(ContactSpec("c1", "cards"), 1.0)
    e.request_callback("c1", 2.0)
    e.set_ready("a1", 3.0)
    e.answer("c1", "a1", 4.0)
    e.set_ready("b1", 5.0)
    e.consult("c1", 6.0, to_agent="b1")
    with pytest.raises(ConsultInProgress):
        e.callback_not_reached("c1", 7.0)


def test_events_round_trip_through_json() -> None:
    for item in (ev.ConsultStarted(1.0, "c1", "a1", "b1", "loans"),
                 ev.ConsultAnswered(2.0, "c1", "a1", "b1"),
                 ev.ConsultEnded(3.0, "c1", "a1", "b1", "no_answer")):
        assert ev.event_from_json(item.to_json()) == item
    with pytest.raises(ev.EventFormatError, match="outcome"):
        ev.event_from_json({"type": "consult_ended", "at": 1.0, "contact_id": "c1",
                            "agent_id": "a1", "colleague_id": "b1", "outcome": "maybe"})


# --- random sequences ---------------------------------------------------------------------

AGENTS = ("a1", "a2", "a3", "a4")
PAIRED = {"offered": "reserved", "connected": "talking", "held": "hold"}


class ConsultMachine(RuleBasedStateMachine):
    """Random calls, consults and their ends (legal or not) on a small center; after each
    step: refused calls changed nothing; contacts and agents pair up (the colleague of a
    consult rings or talks about the held contact); the engine is work-conserving; and the
    same calls give the same events (replayed at the end)."""

    @initialize(ring=st.sampled_from([None, 10.0]))
    def setup(self, ring: float | None) -> None:
        self.policy = RoutingPolicy(ring_timeout_seconds=ring)
        self.engine = RoutingEngine([CARDS], self.policy)
        self.now = 0.0
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.outputs: list[object] = []
        self.consults: dict[str, str] = {}  # contact -> colleague, from the events
        self.serial = 0
        for agent in AGENTS:
            self.call("add_agent", AgentSpec(agent, {"cards": 3}), 0.0)
            self.call("login", agent, 0.0)
            self.call("set_ready", agent, 0.0)

    def snapshot(self) -> object:
        e = self.engine
        return (e.agents_snapshot(), [e.contact_view(c) for c in self.contact_ids()],
                e.next_deadline())

    def contact_ids(self) -> list[str]:
        known = []
        for i in range(self.serial):
            try:
                self.engine.contact_view(f"c{i}")
            except UnknownContact:
                continue
            known.append(f"c{i}")
        return known

    def call(self, name: str, *args: Any, **kwargs: Any) -> None:
        before = self.snapshot()
        self.calls.append((name, args, kwargs))
        try:
            out: list[ev.Event] = getattr(self.engine, name)(*args, **kwargs)
        except (KeyError, ValueError) as exc:
            assert not isinstance(exc, ClockError)
            self.outputs.append(type(exc).__name__)
            assert self.snapshot() == before, f"{name}{args} raised {exc} but changed state"
            return
        self.outputs.append(out)
        for item in out:
            if isinstance(item, ev.ConsultStarted):
                self.consults[item.contact_id] = item.colleague_id
            elif isinstance(item, ev.ConsultEnded):
                del self.consults[item.contact_id]
                event(f"consult {item.outcome}")

    # --- rules ---------------------------------------------------------------------------

    @rule(dt=st.sampled_from([0.0, 1.0, 5.0, 12.0]))
    def time_passes(self, dt: float) -> None:
        target = self.now + dt
        while (deadline := self.engine.next_deadline()) is not None and deadline <= target:
            self.now = deadline
            self.call("advance", deadline)
        self.now = target

    @rule(answered=st.booleans())
    def arrive(self, answered: bool) -> None:
        self.call("arrive", ContactSpec(f"c{self.serial}", "cards"), self.now)
        self.serial += 1
        if answered:
            self.ringing_agents_answer()

    @rule(agent=st.sampled_from(AGENTS), what=st.sampled_from(
        ["answer", "hold", "retrieve", "hang_up", "end_wrap_up", "set_ready", "not_ready",
         "transfer"]))
    def agent_acts(self, agent: str, what: str) -> None:
        view = self.engine.agent_view(agent)
        cid = view.contact_id or view.last_contact_id or "c0"
        if what == "answer":
            self.call("answer", cid, agent, self.now)
        elif what == "end_wrap_up":
            self.call("end_wrap_up", agent, self.now)
        elif what == "set_ready":
            self.call("set_ready", agent, self.now)
        elif what == "not_ready":
            self.call("set_not_ready", agent, self.now, "break")
        elif what == "transfer":
            self.call("transfer", cid, self.now, to_queue="cards")
        else:
            self.call(what, cid, self.now)

    @rule()
    def ringing_agents_answer(self) -> None:
        """Every agent rung with a contact (not a consult) answers it."""
        for view in self.engine.agents_snapshot():
            cid = view.contact_id
            if view.state == "reserved" and cid is not None and cid not in self.consults:
                self.call("answer", cid, view.agent_id, self.now)

    @rule(pick=st.integers(0, 3), colleague=st.sampled_from(("ready", "queue", *AGENTS)))
    def consult(self, pick: int, colleague: str) -> None:
        """An agent in a call (else a1, whatever its state) consults a ready colleague, the
        queue, or any agent (often refused)."""
        snapshot = self.engine.agents_snapshot()
        busy = [a.agent_id for a in snapshot if a.state in ("talking", "hold")]
        agent = busy[pick % len(busy)] if busy else "a1"
        cid = self.engine.agent_view(agent).contact_id or "c0"
        if colleague == "queue":
            self.call("consult", cid, self.now, to_queue="cards")
            return
        if colleague == "ready":
            ready = [a.agent_id for a in snapshot if a.state == "ready"]
            colleague = ready[pick % len(ready)] if ready else "a2"
        self.call("consult", cid, self.now, to_agent=colleague)

    @rule(agent=st.sampled_from(AGENTS), what=st.sampled_from(
        ["answer_consult", "complete_consult", "cancel_consult", "caller_hangs_up"]))
    def consult_step(self, agent: str, what: str) -> None:
        cid = self.engine.agent_view(agent).contact_id or "c0"
        if what == "answer_consult":
            self.call("answer_consult", cid, agent, self.now)
        elif what == "caller_hangs_up":
            self.call("hang_up", cid, self.now)
        else:
            self.call(what, cid, self.now)

    @rule(pick=st.integers(0, 3), what=st.sampled_from(
        ["answer_consult", "complete_consult", "cancel_consult", "decline"]))
    def consult_in_progress(self, pick: int, what: str) -> None:
        """A step of a consult in progress (so that every ending is reached often)."""
        if not self.consults:
            return
        cid, colleague = sorted(self.consults.items())[pick % len(self.consults)]
        if what == "answer_consult":
            self.call("answer_consult", cid, colleague, self.now)
        elif what == "decline":
            self.call("set_not_ready", colleague, self.now, "break")
        else:
            self.call(what, cid, self.now)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def agents_and_contacts_pair_up(self) -> None:
        agents = {a.agent_id: a for a in self.engine.agents_snapshot()}
        holders: dict[str, str] = {}
        for cid in self.contact_ids():
            view = self.engine.contact_view(cid)
            if view.state in PAIRED:
                assert view.agent_id is not None
                assert agents[view.agent_id].state == PAIRED[view.state], view
                assert agents[view.agent_id].contact_id == cid
                holders[view.agent_id] = cid
            else:
                assert view.agent_id is None, view
                assert cid not in self.consults
        for cid, colleague in self.consults.items():
            assert self.engine.contact_view(cid).state == "held"
            assert agents[colleague].state in ("reserved", "talking")
            assert agents[colleague].contact_id == cid
            assert colleague not in holders
            holders[colleague] = cid
        for agent in agents.values():
            if agent.state in ("reserved", "talking", "hold"):
                assert holders.get(agent.agent_id) == agent.contact_id, agent
            else:
                assert agent.contact_id is None, agent

    @invariant()
    def work_conserving(self) -> None:
        ready = [a for a in self.engine.agents_snapshot() if a.state == "ready"]
        waiting = [c for c in self.contact_ids()
                   if self.engine.contact_view(c).state == "queued"
                   and self.engine.contact_view(c).reserved_for is None]
        assert not (ready and waiting), (ready, waiting)

    @invariant()
    def records_fold(self) -> None:
        events = [e for out in self.outputs if isinstance(out, list) for e in out]
        for rec in records_from_events(events):
            assert rec.talk_seconds >= 0 and rec.hold_seconds >= 0 and rec.consult_seconds >= 0
            assert rec.transfers >= 0 and rec.consults >= len(rec.consulting)

    def teardown(self) -> None:
        if not hasattr(self, "engine"):
            return
        replay = RoutingEngine([CARDS], self.policy)
        outputs: list[object] = []
        for name, args, kwargs in self.calls:
            try:
                outputs.append(getattr(replay, name)(*args, **kwargs))
            except (KeyError, ValueError) as exc:
                outputs.append(type(exc).__name__)
        assert outputs == self.outputs


ConsultMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestConsultMachine = ConsultMachine.TestCase


def test_consult_of_is_a_snapshot() -> None:
    e = talking()
    assert e.consult_of("c1") is None and e.consult_of("ghost") is None
    e.consult("c1", 10.0, to_queue="loans")
    view = e.consult_of("c1")
    assert view is not None
    assert (view.agent_id, view.colleague_id, view.queue, view.started_at, view.answered_at) == (
        "a1", "b1", "loans", 10.0, None)
    e.answer_consult("c1", "b1", 12.0)
    assert view.answered_at is None  # a snapshot, not the record
    assert e.consult_of("c1").answered_at == 12.0  # type: ignore[union-attr]
    e.complete_consult("c1", 13.0)
    assert e.consult_of("c1") is None


def test_a_transferred_contact_is_kept_until_its_last_agent_wrapped_up() -> None:
    """The first agent's wrap-up, ended after the colleague hung up, is not the contact's
    end: the colleague is still wrapping it up (and the console reads it then)."""
    e = make()
    staff(e, "a1", {"cards": 3})
    staff(e, "b1", {"cards": 3}, ready=False)
    e.arrive(ContactSpec("c1", "cards"), 1.0)
    e.answer("c1", "a1", 2.0)
    e.set_ready("b1", 3.0)
    e.consult("c1", 10.0, to_agent="b1")
    e.answer_consult("c1", "b1", 12.0)
    e.complete_consult("c1", 20.0)
    e.hang_up("c1", 30.0)  # the colleague ends the call while a1 still wraps up
    assert e.forget_finished(e.end_wrap_up("a1", 31.0)) == 0
    assert e.contact_view("c1").state == "ended"
    assert e.forget_finished(e.end_wrap_up("b1", 35.0)) == 1
    with pytest.raises(UnknownContact):
        e.contact_view("c1")
