"""The driver: what callers and robot agents do around the routing engine, on either clock.

One driver for the simulator (:mod:`simulations.center`, virtual clock) and the live
center (:mod:`app.live`, wall clock, where a person may take an agent over from its
robot). It never calls the engine itself: every step is an :data:`Action`
``action(engine, now) -> events`` handed to a :data:`Port` with a time and a tie-rule
priority (:mod:`simulations.kernel`); whoever owns the engine applies it at that time
and tells the driver the events (:meth:`Driver.observe`). The simulator's port is its
kernel; the live center's is its task.

The story of a caller, as the driver plays it::

    arrive ──▶ engine.arrive ──▶ (offered) ──ring──▶ engine.answer
       │                                              │ talk (hold once, maybe)
       └── patience ──▶ engine.abandon (if still waiting)    ▼
                                       engine.hang_up / transfer ──wrap-up──▶ engine.end_wrap_up

* **Callers** (:class:`Caller`): arrive; wait; abandon after their patience unless
  answered or waiting for an accepted callback; accept a callback offer
  (:meth:`Behaviour.accepts_callback`); a transferred caller waits again, never abandons.
* **Robot agents** (the agents in ``driven``; all of them when ``driven`` is None):
  answer an offer after :meth:`Behaviour.ring_seconds`, talk (:meth:`Behaviour.talk`:
  how long, a hold half-way, a transfer at the end), wrap up
  (:meth:`Behaviour.wrap_up`), and after a wrap-up maybe take a break
  (:meth:`Behaviour.break_after_wrap_up`). Duty (:meth:`Driver.duty`): log in and go
  ready at a shift start, go on a break, come back, log out; a busy agent does the
  move after the call in hand and its wrap-up.

The behaviour is data plus plain functions (:class:`Behaviour`): the simulator draws it
from the scenario (:class:`simulations.center.ScenarioBehaviour`), the live demo from a
robot profile. A driven agent that a person takes over (:meth:`Driver.release`) gets
no more robot actions; a call the robot had in progress is the person's to finish.

Memory: a caller is dropped when their story ends (abandoned, or the last leg's
wrap-up ended), so the driver holds only the callers in progress.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Literal, NamedTuple, Protocol, cast

from routing.engine import ContactSpec, RoutingEngine
from routing.events import (
    AgentStateChanged,
    CallbackOffered,
    ConsultEnded,
    ConsultStarted,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    Event,
    Party,
    WrapUpEnded,
)
from simulations.kernel import ABANDON, AGENT_SCHEDULE, COMPLETION, REACTION

#: One step applied to the routing engine at ``now``; returns the events it produced.
Action = Callable[[RoutingEngine, float], list[Event]]
#: ``port(at, priority, action, label)``: run ``action`` at ``at`` (tie rule: ``priority``).
Port = Callable[[float, int, Action, str], None]
#: What an agent on duty does at a scheduled time.
DutyMove = Literal["login", "break", "back", "logout"]


class Caller:
    """One caller the driver plays: ``handle_seconds`` is the first leg's talk;
    ``queue`` the current leg's queue; ``outbound`` a customer a dial reached."""

    __slots__ = ("answered", "callback", "contact_id", "handle_seconds", "legs", "outbound",
                 "patience", "queue")

    def __init__(self, contact_id: str, queue: str, handle_seconds: float,
                 patience: float, outbound: bool = False) -> None:
        self.contact_id = contact_id
        self.outbound = outbound
        self.queue = queue
        self.handle_seconds = handle_seconds
        self.patience = patience
        self.answered = False  # answered at least once (or abandoned): waits no more
        self.callback = False  # accepted a callback: never abandons
        self.legs = 1  # legs still open (each ends with its wrap-up)


class Talk(NamedTuple):
    """One leg's conversation: ``seconds`` of talk (hold included); a hold of
    ``hold_seconds`` starting half-way through the talk (None: no hold); at the end a
    transfer to ``transfer_to`` (None: hang up). (A named tuple: one is made per answer.)"""

    seconds: float
    hold_seconds: float | None = None
    transfer_to: str | None = None


class Behaviour(Protocol):
    """The policy functions of callers and robot agents (draws in this call order)."""

    def ring_seconds(self, offer: ContactOffered) -> float: ...

    def talk(self, caller: Caller, first_leg: bool) -> Talk: ...

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        """``(seconds, disposition)`` of a wrap-up after a leg of ``queue``."""
        ...

    def party(self, queue: str) -> Party | None:
        """Whom the robot reached on an outbound leg of ``queue``, as it says at wrap-up
        (asked after :meth:`wrap_up`, for outbound callers only)."""
        ...

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        """``(reason, seconds)`` of a break the robot takes now, or None."""
        ...

    def accepts_callback(self, caller: Caller) -> bool: ...


class Driver:
    """Callers and robot agents around one engine (see the module docstring)."""

    def __init__(self, behaviour: Behaviour, port: Port,
                 driven: Iterable[str] | None = None) -> None:
        self.behaviour = behaviour
        self.port = port
        self.driven: set[str] | None = None if driven is None else set(driven)
        self.callers: dict[str, Caller] = {}
        self.state: dict[str, str] = {}  # every agent's state, as the events tell it
        self.pending: dict[str, DutyMove] = {}  # agent -> "break" | "logout" after its call
        self.ringing: dict[str, str] = {}  # agent -> the contact last offered to them
        self.open = 0  # legs arrived and not yet finished (wrap-up ended or abandoned)
        self._react: dict[type[Event], Callable[[Event], None]] = {
            AgentStateChanged: self._on_agent,
            # the four handlers of every call take their own event type (no isinstance
            # check per event): dispatch is on the exact type, so each gets only its own
            ContactOffered: cast(Callable[[Event], None], self._on_offered),
            ContactAnswered: cast(Callable[[Event], None], self._on_answered),
            ContactEnded: cast(Callable[[Event], None], self._on_ended),
            ContactTransferred: self._on_transferred,
            WrapUpEnded: cast(Callable[[Event], None], self._on_wrap_up_ended),
            CallbackOffered: self._on_callback_offered,
            ContactAbandoned: self._on_abandoned,
            ConsultStarted: self._on_consult_started,
            ConsultEnded: self._on_consult_ended,
        }
        #: outbound contacts that arrived from elsewhere (the live center's dialler), until
        #: answered: their robot agent says whom it reached at wrap-up. Only beside people
        #: (``driven``): in a simulation every contact arrives through this driver.
        self.outbound_elsewhere: set[str] = set()
        if driven is not None:
            self._react[ContactArrived] = cast(Callable[[Event], None], self._on_arrived)

    # --- who drives whom ----------------------------------------------------------------

    def drives(self, agent_id: str) -> bool:
        driven = self.driven
        return driven is None or agent_id in driven

    def release(self, agent_id: str) -> bool:
        """A person takes ``agent_id`` over; True if a robot was driving it."""
        if self.driven is None or agent_id not in self.driven:
            return False
        self.driven.discard(agent_id)
        self.pending.pop(agent_id, None)
        return True

    def take_back(self, agent_id: str) -> None:
        if self.driven is not None:
            self.driven.add(agent_id)

    # --- callers ------------------------------------------------------------------------

    def arrival(self, spec: ContactSpec, handle_seconds: float, patience: float) -> Action:
        """The action of a caller arriving: ``engine.arrive``, and their patience set."""

        def arrive(eng: RoutingEngine, now: float) -> list[Event]:
            self.arrive(spec, handle_seconds, patience, now)
            return eng.arrive(spec, now)

        return arrive

    def arrive(self, spec: ContactSpec, handle_seconds: float, patience: float,
               now: float) -> None:
        """Take the caller on (call just before ``engine.arrive`` at ``now``)."""
        cid = spec.contact_id
        self.callers[cid] = Caller(cid, spec.queue, handle_seconds, patience,
                                   spec.direction == "outbound")
        self.open += 1
        if patience < math.inf:
            self.port(now + patience, ABANDON, self._abandon(cid), "patience")

    def _abandon(self, cid: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            caller = self.callers.get(cid)
            if caller is None or caller.answered or caller.callback:
                return []
            return eng.abandon(cid, now)

        return act

    # --- agents on duty -----------------------------------------------------------------

    def duty(self, agent_id: str, move: DutyMove) -> Action:
        """The action of a duty change (shift start, break, back, shift end)."""

        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if self.driven is not None and agent_id not in self.driven:
                return []
            state = self.state.get(agent_id, "logged_out")
            if move == "login":
                self.pending.pop(agent_id, None)
                if state == "logged_out":
                    return [*eng.login(agent_id, now), *eng.set_ready(agent_id, now)]
            elif move == "logout":
                if state in ("ready", "not_ready"):
                    return eng.logout(agent_id, now)
                if state != "logged_out":
                    self.pending[agent_id] = "logout"
            elif move == "break":
                if state == "ready":
                    return eng.set_not_ready(agent_id, now, "break")
                if state != "logged_out":
                    self.pending[agent_id] = "break"
            elif self.pending.get(agent_id) == "break":  # back before the call ended
                del self.pending[agent_id]
            elif state == "not_ready":
                return eng.set_ready(agent_id, now)
            return []

        return act

    # --- what the engine said, and what the driver does about it ------------------------

    def reactions(self) -> dict[type[Event], Callable[[Event], None]]:
        """The driver's handler per event type (for a caller that dispatches events itself
        in one loop, as the simulator does; :meth:`observe` is the same thing)."""
        return dict(self._react)

    def observe(self, events: Iterable[Event]) -> None:
        """Be told the engine's events, in order; schedule the reactions."""
        react = self._react
        for ev in events:
            handler = react.get(type(ev))
            if handler is not None:
                handler(ev)

    def _on_arrived(self, ev: ContactArrived) -> None:
        if ev.direction == "outbound" and ev.contact_id not in self.callers:
            self.outbound_elsewhere.add(ev.contact_id)

    def _on_agent(self, ev: Event) -> None:
        assert isinstance(ev, AgentStateChanged)
        self.state[ev.agent_id] = ev.state

    def _on_offered(self, ev: ContactOffered) -> None:
        agent = ev.agent_id
        self.ringing[agent] = ev.contact_id
        if self.driven is not None and agent not in self.driven:
            return
        ring = self.behaviour.ring_seconds(ev)
        self.port(ev.at + ring, COMPLETION if ring > 0 else REACTION,
                  self._answer(ev.contact_id, agent), "answer")

    def _answer(self, cid: str, agent: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if (self.driven is not None and agent not in self.driven) or self.ringing.get(agent) != cid:
                return []
            if self.state.get(agent) != "reserved":  # no longer ringing for them
                return []
            return eng.answer(cid, agent, now)

        return act

    def _on_answered(self, ev: ContactAnswered) -> None:
        caller = self.callers.get(ev.contact_id)
        first = caller is not None and not caller.answered
        if caller is None:  # a contact from elsewhere (a PBX, the dialler): from its answer
            outbound = ev.contact_id in self.outbound_elsewhere
            self.outbound_elsewhere.discard(ev.contact_id)
            caller = self.callers[ev.contact_id] = Caller(ev.contact_id, ev.queue, 0.0, 0.0,
                                                          outbound)
            self.open += 1
        caller.answered = True
        if self.driven is not None and ev.agent_id not in self.driven:
            return
        talk = self.behaviour.talk(caller, first)
        cid, at, port = ev.contact_id, ev.at, self.port
        seconds = talk.seconds
        if talk.hold_seconds is not None:
            port(at + seconds / 2, COMPLETION, self._robot(ev.agent_id, cid, "hold"), "hold")
            port(at + seconds / 2 + talk.hold_seconds, COMPLETION,
                 self._robot(ev.agent_id, cid, "retrieve"), "retrieve")
            seconds += talk.hold_seconds
        port(at + seconds, COMPLETION, self._end_talk(ev.agent_id, cid, talk.transfer_to),
             "hang up")

    def _on_consult_started(self, ev: Event) -> None:
        """A person consults a robot colleague: the robot answers after a ring, as an offer."""
        assert isinstance(ev, ConsultStarted)
        colleague = ev.colleague_id
        if self.driven is not None and colleague not in self.driven:
            return
        ring = self.behaviour.ring_seconds(ContactOffered(ev.at, ev.contact_id, colleague))
        self.port(ev.at + ring, COMPLETION if ring > 0 else REACTION,
                  self._answer_consult(ev.contact_id, colleague), "answer consult")

    def _answer_consult(self, cid: str, agent: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if (self.driven is not None and agent not in self.driven) or self.state.get(agent) != "reserved":
                return []
            if eng.agent_view(agent).contact_id != cid:  # no longer rung for this consult
                return []
            return eng.answer_consult(cid, agent, now)

        return act

    def _on_consult_ended(self, ev: Event) -> None:
        """A completed consult hands the caller to the colleague: a new leg, which a robot
        colleague talks through and wraps up as after an answer."""
        assert isinstance(ev, ConsultEnded)
        caller = self.callers.get(ev.contact_id)
        if ev.outcome != "completed" or caller is None:
            return
        caller.legs += 1
        self.open += 1  # the new leg ends with the colleague's wrap-up
        colleague = ev.colleague_id
        if self.driven is not None and colleague not in self.driven:
            return
        talk = self.behaviour.talk(caller, False)
        self.port(ev.at + talk.seconds, COMPLETION, self._end_talk(colleague, ev.contact_id, None),
                  "hang up")

    def _robot(self, agent: str, cid: str, what: Literal["hold", "retrieve"]) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if self.driven is not None and agent not in self.driven:
                return []
            return eng.hold(cid, now) if what == "hold" else eng.retrieve(cid, now)

        return act

    def _end_talk(self, agent: str, cid: str, transfer_to: str | None) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if self.driven is not None and agent not in self.driven:
                return []
            if transfer_to is not None:
                return eng.transfer(cid, now, to_queue=transfer_to)
            return eng.hang_up(cid, now)

        return act

    def _on_ended(self, ev: ContactEnded) -> None:
        caller = self.callers.get(ev.contact_id)
        agent = ev.agent_id
        if agent is None or caller is None:
            return
        if self.driven is not None and agent not in self.driven:  # _wrap_up, written out
            return
        seconds, disposition = self.behaviour.wrap_up(caller.queue)
        party = self.behaviour.party(caller.queue) if caller.outbound else None
        self.port(ev.at + seconds, COMPLETION if seconds > 0 else REACTION,
                  self._end_wrap_up(agent, disposition, party), "wrap up")

    def _on_transferred(self, ev: Event) -> None:
        assert isinstance(ev, ContactTransferred)
        caller = self.callers.get(ev.contact_id)
        if caller is None:
            return
        caller.legs += 1
        self.open += 1  # the new leg ends with its own wrap-up
        self._wrap_up(ev.agent_id, caller, ev.at)
        if ev.target_queue is not None:  # the driver transfers to queues only
            caller.queue = ev.target_queue

    def _wrap_up(self, agent: str, caller: Caller, at: float) -> None:
        if self.driven is not None and agent not in self.driven:
            return
        seconds, disposition = self.behaviour.wrap_up(caller.queue)
        party = self.behaviour.party(caller.queue) if caller.outbound else None
        self.port(at + seconds, COMPLETION if seconds > 0 else REACTION,
                  self._end_wrap_up(agent, disposition, party), "wrap up")

    def _end_wrap_up(self, agent: str, disposition: str | None,
                     party: Party | None = None) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if (self.driven is not None and agent not in self.driven) or self.state.get(agent) != "wrap_up":
                return []
            move = self.pending.pop(agent, None)
            if move is None:
                return eng.end_wrap_up(agent, now, disposition, party=party)
            events = eng.set_not_ready(agent, now, "break" if move == "break" else "shift_end")
            if move == "logout":
                events += eng.logout(agent, now)
            return events

        return act

    def _on_wrap_up_ended(self, ev: WrapUpEnded) -> None:
        caller = self.callers.get(ev.contact_id)
        if caller is not None:
            self.open -= 1  # a leg of the caller's story ends with the agent's wrap-up
            caller.legs -= 1
            if caller.legs <= 0:
                del self.callers[ev.contact_id]
        if ev.agent_id is None or (self.driven is not None and ev.agent_id not in self.driven):
            return
        pause = self.behaviour.break_after_wrap_up(ev.agent_id)
        if pause is not None:
            reason, seconds = pause
            self.port(ev.at, REACTION, self._break(ev.agent_id, reason, seconds), "break")

    def _break(self, agent: str, reason: str, seconds: float) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if (self.driven is not None and agent not in self.driven) or self.state.get(agent) != "ready":
                return []
            self.port(now + seconds, AGENT_SCHEDULE, self._back(agent), "back")
            return eng.set_not_ready(agent, now, reason)

        return act

    def _back(self, agent: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if (self.driven is not None and agent not in self.driven) or self.state.get(agent) != "not_ready":
                return []
            return eng.set_ready(agent, now)

        return act

    def _on_callback_offered(self, ev: Event) -> None:
        assert isinstance(ev, CallbackOffered)
        caller = self.callers.get(ev.contact_id)
        if caller is not None and self.behaviour.accepts_callback(caller):
            self.port(ev.at, REACTION, self._accept_callback(caller), "callback")

    def _accept_callback(self, caller: Caller) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if caller.answered or eng.contact_state(caller.contact_id).value != "queued":
                return []
            caller.callback = True
            return eng.request_callback(caller.contact_id, now)

        return act

    def _on_abandoned(self, ev: Event) -> None:
        self.outbound_elsewhere.discard(getattr(ev, "contact_id", ""))
        caller = self.callers.pop(getattr(ev, "contact_id", ""), None)
        if caller is not None:
            caller.answered = True
            self.open -= caller.legs
