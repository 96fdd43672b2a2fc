"""The ACD routing engine: one engine for the live center and for simulations.

The engine keeps no clock and draws no random numbers: every method takes
``now`` (seconds on the caller's clock) and returns the events it produced, in
order. The same calls give the same events: every tie is broken by a sequence
number, never by dict order or ``id()``.

The story of a contact::

    arrive ─▶ (preferred agent ready? offer) ─▶ best eligible ready agent? offer
          └─▶ wait in its line (queue, tier, site); timers widen the pool
    agent freed (set_ready / end_wrap_up / caller gone while ringing)
          ─▶ its personal line first, then the best eligible line head
    offer ─▶ answer ─▶ hold/retrieve ─▶ hang_up (agent to wrap_up) ─▶ end_wrap_up
          ├─▶ ring timeout: agent not_ready (ring_no_answer), contact back to its place
          └─▶ (callback) callback_not_reached: agent to wrap_up; retry later or close

Rules (formulas in :mod:`routing.policy`):

* **Priority**: effective priority ``p(t) = rank − wait/A`` (lower first),
  ties to the earlier arrival. Implemented by the time-invariant key
  ``rank·A + since``, compared between line heads only.
* **Place**: a contact's place is its arrival time and sequence number; it is
  kept through ring timeouts, declines, skill expansion, overflow and
  transfers. A contact transferred to a queue keeps its original arrival time
  (decision: the caller has already waited and talked; sending them to the
  back of the new queue would punish them for our routing), so expansion,
  overflow and ageing in the new queue also count from the first arrival.
* **Eligibility** of an agent for a contact that has waited ``w``: the agent
  has the queue's skill at ``min_proficiency`` or a step's skill once
  ``w ≥ after_seconds``; and the contact has no site, or the agent's site is
  the contact's, or ``w ≥ overflow_after_seconds``.
* **Preferred agent**: applies to the contact's first routing only, from its
  arrival. If the customer's preferred agent is logged in, the contact is
  offered to them if ready, else waits for that agent alone (in the agent's
  personal line, served before the agent's queues) until
  ``since + preferred_agent_wait_seconds``, then joins its line at its place.
  The preferred agent needs no skill (a relationship manager takes their own
  customers). If the preferred agent logs out or lets the offer ring out, the
  contact goes to its line at once. Once the contact has been offered to
  anyone, the preference is spent: a later transfer to a queue is served by
  that queue's eligible agents only (never pulled back to the relationship
  manager, who may lack the skill).
* **Direct transfer** to an agent: offered at once if ready, else waits in
  that agent's personal line until they free up, for at most
  ``direct_transfer_wait_seconds`` (default 30 s; None = no limit); then
  ``ContactTransferTimedOut`` and the contact joins its queue's line at its
  original place. If the agent logs out it joins the line at once.
* **Callback**: ``request_callback`` keeps the place, marks the contact; when
  offered, ``ContactOffered.callback`` is true (the agent dials out). A
  callback cannot be abandoned (the customer is not on the line). A dial that
  does not reach the customer is recorded with ``callback_not_reached``: the
  agent goes to wrap_up (not blamed), the callback is retried
  ``callback_retry_delay_seconds`` later at its place, up to
  ``callback_max_attempts`` dials, then closed (``ContactEnded`` with reason
  ``callback_failed``). A callback waiting for its retry is in no line.
* **Timers**: ring timeouts, expansion steps, overflow, the end of a
  preferred-agent window or of a direct-transfer wait, and callback retries
  are deadlines; ``next_deadline()`` tells when to call ``advance(now)``.
  Methods do not fire overdue timers themselves.
* **Refusals**: a call that raises (unknown id, illegal state, bad argument,
  ``now`` before the clock) changes nothing, the clock included. The views
  that take ``now`` (``queue_snapshot``, ``expected_wait_seconds``) check it
  the same way but, being reads, do not move the clock.

Invariant after every call (tested): no ready agent is eligible for a waiting
contact in a line, so the engine is work-conserving.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Concatenate, ParamSpec

from routing.agent_state import ALLOWED as AGENT_ALLOWED
from routing.agent_state import LOGGED_IN, AgentRecord, AgentState, check_agent_transition
from routing.contact_state import ALLOWED as CONTACT_ALLOWED
from routing.contact_state import ContactRecord, ContactState, check_contact_transition
from routing.errors import (
    ClockError,
    DuplicateId,
    IllegalTransition,
    RoutingError,
    UnknownAgent,
    UnknownContact,
    UnknownQueue,
)
from routing.events import (
    TIERS,
    AgentStateChanged,
    CallbackOffered,
    CallbackScheduled,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactHeld,
    ContactOffered,
    ContactOfferTimedOut,
    ContactQueued,
    ContactRetrieved,
    ContactTransferred,
    ContactTransferTimedOut,
    DialResult,
    Event,
    ServiceLevelGoal,
    WrapUpEnded,
)
from routing.matching import Matcher
from routing.policy import (
    CALLBACK_DIAL_FAILURES,
    FINAL_DIAL_FAILURES,
    CallbackDialFailure,
    ExpansionStep,
    QueueConfig,
    RoutingPolicy,
)
from routing.specs import AgentSpec, ContactSpec
from routing.timers import PREFERRED_END, RETRY, RING, TRANSFER_END, WIDEN, Timers
from routing.views import AgentView, ContactView, QueueView

__all__ = [
    "CALLBACK_DIAL_FAILURES",
    "AgentSpec",
    "AgentState",
    "AgentView",
    "CallbackDialFailure",
    "ContactSpec",
    "ContactState",
    "ContactView",
    "DuplicateId",
    "ExpansionStep",
    "IllegalTransition",
    "QueueConfig",
    "QueueView",
    "RoutingEngine",
    "RoutingError",
    "RoutingPolicy",
    "ServiceLevelGoal",
    "UnknownAgent",
    "UnknownContact",
    "UnknownQueue",
]

#: The default policy (``RoutingPolicy()``), shared: policies are immutable.
DEFAULT_POLICY = RoutingPolicy()

# Members looked up once (class attribute access of an enum member is slow in 3.11).
_READY, _LOGGED_OUT, _QUEUED = AgentState.READY, AgentState.LOGGED_OUT, ContactState.QUEUED

#: Contacts no call can follow once their wrap-up is over (see ``forget_finished``).
_FINISHED = frozenset({ContactState.ENDED, ContactState.ABANDONED})

#: States in which a callback's dial can be recorded as not reaching the customer.
_DIALLING = frozenset({ContactState.OFFERED, ContactState.CONNECTED, ContactState.HELD})

_P = ParamSpec("_P")
_Method = Callable[Concatenate["RoutingEngine", _P], list[Event]]


def _refusable(method: _Method[_P]) -> _Method[_P]:
    """A call that raises leaves the engine as it was, the clock included.

    Each method checks ``now`` and its ids and states before it changes anything
    (guard clauses first), so only the clock, moved by ``_at`` at entry, needs
    putting back: a refused ``set_ready("ghost", 1e9)`` must not make a later
    ``set_ready("a2", 4)`` a ``ClockError``.
    """

    @functools.wraps(method)
    def call(self: RoutingEngine, /, *args: _P.args, **kwargs: _P.kwargs) -> list[Event]:
        clock = self._last_now
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self._last_now = clock
            raise

    return call


class RoutingEngine:
    """Skill- and value-based ACD. See the module docstring for the rules."""

    def __init__(self, queues: Sequence[QueueConfig], policy: RoutingPolicy = DEFAULT_POLICY) -> None:
        self._queues: dict[str, QueueConfig] = {}
        for queue in queues:
            if queue.name in self._queues:
                raise ValueError(f"queue {queue.name!r} is configured twice")
            self._queues[queue.name] = queue
        if not self._queues:
            raise ValueError("queues must not be empty")
        self.policy = policy
        self._agents: dict[str, AgentRecord] = {}
        self._contacts: dict[str, ContactRecord] = {}
        self._match = Matcher(self._queues, policy, self._agents, self._contacts)
        self._ready = self._match.ready
        self._lines = self._match.lines
        self._timers = Timers(self._contacts)
        self._seq = 0
        self._last_now = -math.inf
        # Counters for views and expected wait.
        self._staffed: dict[tuple[str, int], int] = {}
        self._waiting: dict[str, dict[str, int]] = {q: dict.fromkeys(TIERS, 0) for q in self._queues}
        self._callbacks: dict[str, int] = dict.fromkeys(self._queues, 0)
        self._reserved: dict[str, None] = {}
        #: Callbacks waiting for their retry, outside any line (``retry_at`` set).
        self._parked: dict[str, None] = {}

    # ------------------------------------------------------------------ lookups

    def _check_clock(self, now: float) -> None:
        """Time is an argument: it must be a finite number and never go back."""
        if not math.isfinite(now):
            raise ClockError(f"now must be a finite number of seconds, got {now!r}")
        if now < self._last_now:
            raise ClockError(f"now must not go back: got {now!r} after {self._last_now!r}")

    def _at(self, now: float) -> None:
        """Check ``now`` and move the clock to it (put back by :func:`_refusable` if the
        call is refused)."""
        if not (self._last_now <= now < math.inf and now > -math.inf):  # NaN, inf, going back
            self._check_clock(now)
        self._last_now = now

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _agent(self, agent_id: str) -> AgentRecord:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgent(agent_id)
        return agent

    def _contact(self, contact_id: str) -> ContactRecord:
        contact = self._contacts.get(contact_id)
        if contact is None:
            raise UnknownContact(contact_id)
        return contact

    def _queue(self, name: str) -> QueueConfig:
        queue = self._queues.get(name)
        if queue is None:
            raise UnknownQueue(name)
        return queue

    @property
    def queues(self) -> Mapping[str, QueueConfig]:
        return dict(self._queues)

    # ------------------------------------------------------------------ agents

    @_refusable
    def add_agent(self, spec: AgentSpec, now: float) -> list[Event]:
        """Register an agent, logged out. Raises DuplicateId for a known id."""
        self._at(now)
        if spec.agent_id in self._agents:
            raise DuplicateId(f"agent {spec.agent_id!r} already exists")
        agent = AgentRecord(spec.agent_id, dict(spec.skills), spec.site, now)
        self._set_thresholds(agent)
        self._agents[spec.agent_id] = agent
        return [AgentStateChanged(now, spec.agent_id, AgentState.LOGGED_OUT.value, None, None)]

    @_refusable
    def set_skills(self, agent_id: str, skills: Mapping[str, int], now: float) -> list[Event]:
        """Replace an agent's skills (supervisor action); a ready agent may get an offer."""
        self._at(now)
        agent = self._agent(agent_id)
        AgentSpec(agent_id, skills, agent.site)  # validates
        logged_in = agent.state in LOGGED_IN
        was_indexed = agent.indexed
        if logged_in:
            self._count_staffed(agent, -1)
        self._ready.remove(agent)
        agent.skills = dict(skills)
        self._set_thresholds(agent)
        if logged_in:
            self._count_staffed(agent, +1)
        if was_indexed:
            agent.ready_seq = self._next()
            return self._serve_agent(agent, now)
        return []

    @_refusable
    def login(self, agent_id: str, now: float) -> list[Event]:
        """logged_out → not_ready."""
        self._at(now)
        agent = self._agent(agent_id)
        if agent.state is not AgentState.LOGGED_OUT:
            raise IllegalTransition("agent", agent_id, agent.state.value, "not_ready",
                                    action="login", expected="logged_out")
        return [self._move_agent(agent, AgentState.NOT_READY, now, None)]

    @_refusable
    def set_ready(self, agent_id: str, now: float) -> list[Event]:
        """not_ready → ready; the agent may be offered a waiting contact at once."""
        self._at(now)
        agent = self._agent(agent_id)
        if agent.state is AgentState.WRAP_UP:
            return self.end_wrap_up(agent_id, now)
        if agent.state is AgentState.RESERVED:  # only the caller hanging up frees a ringing agent
            raise IllegalTransition("agent", agent_id, agent.state.value, "ready",
                                    action="set_ready", expected="not_ready or wrap_up")
        event = self._move_agent(agent, AgentState.READY, now, None)
        agent.idle_since = now
        return [event, *self._serve_agent(agent, now)]

    @_refusable
    def set_not_ready(self, agent_id: str, now: float, reason: str) -> list[Event]:
        """→ not_ready with a reason code.

        From wrap_up it first ends the wrap-up (``WrapUpEnded`` without
        disposition); from reserved it declines the offer: the contact goes
        back to its place (``ContactOfferTimedOut`` with reason ``declined``).
        """
        self._at(now)
        agent = self._agent(agent_id)
        check_agent_transition(agent_id, agent.state, AgentState.NOT_READY)
        if agent.state is AgentState.RESERVED:
            assert agent.contact_id is not None
            return self._withdraw_offer(self._contacts[agent.contact_id], now, "declined", reason)
        events: list[Event] = []
        if agent.state is AgentState.WRAP_UP:
            events.append(WrapUpEnded(now, agent.last_contact_id or "", agent_id, None))
        events.append(self._move_agent(agent, AgentState.NOT_READY, now, reason))
        return events

    @_refusable
    def logout(self, agent_id: str, now: float) -> list[Event]:
        """ready/not_ready → logged_out; contacts waiting for this agent alone join their lines."""
        self._at(now)
        agent = self._agent(agent_id)
        events: list[Event] = [self._move_agent(agent, AgentState.LOGGED_OUT, now, None)]
        waiting = sorted((self._contacts[cid] for cid in agent.personal), key=lambda c: c.key)
        for contact in waiting:
            self._unreserve(contact)
            contact.preference_done = True
            events += self._place_in_line(contact, now)
        return events

    @_refusable
    def end_wrap_up(self, agent_id: str, now: float, disposition: str | None = None) -> list[Event]:
        """wrap_up → ready (``WrapUpEnded``); the agent may be offered the next contact."""
        self._at(now)
        agent = self._agent(agent_id)
        if agent.state is not AgentState.WRAP_UP:
            raise IllegalTransition("agent", agent_id, agent.state.value, "ready",
                                    action="end_wrap_up", expected="wrap_up")
        events: list[Event] = [WrapUpEnded(now, agent.last_contact_id or "", agent_id, disposition)]
        events.append(self._move_agent(agent, AgentState.READY, now, None))
        agent.idle_since = now
        events += self._serve_agent(agent, now)
        return events

    # ------------------------------------------------------------------ contacts

    @_refusable
    def arrive(self, contact: ContactSpec, now: float) -> list[Event]:
        """A contact arrives: ContactArrived, ContactQueued, then an offer if an agent fits.

        If it waits and the policy's callback limit is set and exceeded by
        :meth:`expected_wait_seconds`, ``CallbackOffered`` follows.
        """
        self._at(now)
        queue = self._queue(contact.queue)
        if contact.contact_id in self._contacts:
            raise DuplicateId(f"contact {contact.contact_id!r} already exists")
        order = self._next()
        record = ContactRecord(
            contact.contact_id, queue.name, contact.tier, self.policy.tier_rank[contact.tier], now,
            order, self.policy.priority_key(contact.tier, now, order),
        )
        record.customer_id = contact.customer_id
        record.preferred_agent_id = contact.preferred_agent_id
        record.site = contact.site
        record.direction = contact.direction
        self._contacts[contact.contact_id] = record
        self._count_waiting(record, +1)
        events: list[Event] = [
            ContactArrived(now, contact.contact_id, queue.name, contact.tier, contact.direction,
                           contact.customer_id, contact.preferred_agent_id, contact.site),
            ContactQueued(now, contact.contact_id, queue.name, record.rank),
        ]
        events += self._route_waiting(record, now)
        limit = self.policy.callback_offer_wait_seconds
        if limit is not None and record.state is ContactState.QUEUED:
            expected = self._expected_wait(queue, sum(self._waiting[queue.name].values()) - 1)
            if expected > limit:
                finite = expected if math.isfinite(expected) else None
                events.append(CallbackOffered(now, record.contact_id, queue.name, finite))
        return events

    @_refusable
    def answer(self, contact_id: str, agent_id: str, now: float) -> list[Event]:
        """The agent answers the contact offered to them: offered → connected, reserved → talking."""
        self._at(now)
        contact = self._contact(contact_id)
        agent = self._agent(agent_id)
        check_contact_transition(contact_id, contact.state, ContactState.CONNECTED)
        if contact.agent_id != agent_id:
            raise RoutingError(
                f"contact {contact_id} is offered to agent {contact.agent_id}, not {agent_id}"
            )
        self._move_contact(contact, ContactState.CONNECTED)
        event = self._move_agent(agent, AgentState.TALKING, now, None)
        return [ContactAnswered(now, contact_id, agent_id, contact.queue), event]

    @_refusable
    def hold(self, contact_id: str, now: float) -> list[Event]:
        """connected → held; the agent talking → hold."""
        self._at(now)
        contact = self._contact(contact_id)
        check_contact_transition(contact_id, contact.state, ContactState.HELD)
        agent = self._agents[contact.agent_id or ""]
        self._move_contact(contact, ContactState.HELD)
        event = self._move_agent(agent, AgentState.HOLD, now, None)
        return [ContactHeld(now, contact_id, agent.agent_id), event]

    @_refusable
    def retrieve(self, contact_id: str, now: float) -> list[Event]:
        """held → connected; the agent hold → talking."""
        self._at(now)
        contact = self._contact(contact_id)
        if contact.state is not ContactState.HELD:
            raise IllegalTransition("contact", contact_id, contact.state.value, "connected",
                                    action="retrieve", expected="held")
        agent = self._agents[contact.agent_id or ""]
        self._move_contact(contact, ContactState.CONNECTED)
        event = self._move_agent(agent, AgentState.TALKING, now, None)
        return [ContactRetrieved(now, contact_id, agent.agent_id), event]

    @_refusable
    def hang_up(self, contact_id: str, now: float) -> list[Event]:
        """The conversation ends (either side): ContactEnded; the agent goes to wrap_up.

        Only a conversation (connected or held) can be hung up; a callback whose dial
        got no answer is closed through :meth:`callback_not_reached`.
        """
        self._at(now)
        contact = self._contact(contact_id)
        if contact.state not in (ContactState.CONNECTED, ContactState.HELD):
            raise IllegalTransition("contact", contact_id, contact.state.value, "ended",
                                    action="hang_up", expected="connected or held")
        agent = self._agents[contact.agent_id or ""]
        self._move_contact(contact, ContactState.ENDED)
        events: list[Event] = [ContactEnded(now, contact_id, agent.agent_id, contact.queue)]
        events.append(self._release_agent(agent, contact, now))
        return events

    @_refusable
    def transfer(
        self,
        contact_id: str,
        now: float,
        *,
        to_queue: str | None = None,
        to_agent: str | None = None,
    ) -> list[Event]:
        """Blind transfer of a connected or held contact to a queue or to an agent.

        The transferring agent goes to wrap_up. To a queue: the contact waits
        there at its original place (arrival time), for that queue's eligible
        agents (the preferred agent served the first routing only). To an agent:
        offered at once if ready, else waits in that agent's personal line for at
        most the policy's ``direct_transfer_wait_seconds``, then goes back to its
        queue at its original place (``ContactTransferTimedOut``, from
        :meth:`advance`). A logged-out target is refused.
        """
        self._at(now)
        if (to_queue is None) == (to_agent is None):
            raise ValueError("transfer needs exactly one of to_queue or to_agent")
        contact = self._contact(contact_id)
        check_contact_transition(contact_id, contact.state, ContactState.TRANSFERRED)
        agent = self._agents[contact.agent_id or ""]
        target: AgentRecord | None = None
        if to_queue is not None:
            self._queue(to_queue)
        else:
            assert to_agent is not None
            target = self._agent(to_agent)
            if target is agent:
                raise RoutingError(f"contact {contact_id} is already with agent {to_agent}")
            if target.state is AgentState.LOGGED_OUT:
                raise RoutingError(f"cannot transfer contact {contact_id}: agent {to_agent} is logged out")
        self._move_contact(contact, ContactState.TRANSFERRED)
        events: list[Event] = [ContactTransferred(now, contact_id, agent.agent_id, to_queue, to_agent)]
        events.append(self._release_agent(agent, contact, now))
        if to_queue is not None:
            contact.queue = to_queue
            self._move_contact(contact, ContactState.QUEUED)
            events.append(ContactQueued(now, contact_id, to_queue, contact.rank))
            events += self._route_waiting(contact, now)
            return events
        assert target is not None
        if target.state is AgentState.READY:
            return events + self._offer(contact, target, now)
        self._move_contact(contact, ContactState.QUEUED)
        events.append(ContactQueued(now, contact_id, contact.queue, contact.rank))
        wait = self.policy.direct_transfer_wait_seconds
        self._reserve(contact, target, None if wait is None else now + wait, TRANSFER_END)
        return events

    @_refusable
    def abandon(self, contact_id: str, now: float) -> list[Event]:
        """The caller hangs up before an answer. No-op (``[]``) if not waiting or a callback."""
        self._at(now)
        contact = self._contact(contact_id)
        if contact.callback or contact.state not in (ContactState.QUEUED, ContactState.OFFERED):
            return []
        events: list[Event] = [ContactAbandoned(now, contact_id, contact.queue)]
        if contact.state is ContactState.OFFERED:
            agent = self._agents[contact.agent_id or ""]
            contact.agent_id = None
            agent.contact_id = None
            self._move_contact(contact, ContactState.ABANDONED)
            events.append(self._move_agent(agent, AgentState.READY, now, "caller_abandoned"))
            events += self._serve_agent(agent, now)
            return events
        self._lines.remove(contact)
        self._unreserve(contact)
        self._move_contact(contact, ContactState.ABANDONED)
        return events

    @_refusable
    def request_callback(self, contact_id: str, now: float) -> list[Event]:
        """The waiting caller accepts a callback: keeps its place; ``[]`` if already one."""
        self._at(now)
        contact = self._contact(contact_id)
        if contact.state is not ContactState.QUEUED:
            raise RoutingError(
                f"contact {contact_id} is {contact.state.value}, not queued: no callback possible"
            )
        if contact.callback:
            return []
        contact.callback = True
        self._callbacks[contact.queue] += 1
        return [CallbackScheduled(now, contact_id, contact.queue)]

    @_refusable
    def callback_not_reached(
        self, contact_id: str, now: float, result: CallbackDialFailure = "no_answer"
    ) -> list[Event]:
        """The dial of a callback did not reach the customer: ``DialResult``, then a retry or
        the end; the agent goes to wrap_up.

        The agent (console) or the dialler calls this for a callback that is
        *offered* (the agent was dialling), *connected* or *held* (the agent took it
        and nobody came to the phone). ``result`` is ``no_answer``, ``busy``,
        ``machine`` or ``invalid`` (the number does not work). Events, in order:

        1. ``DialResult(result, agent_id, attempt=n)``, ``n`` the dial's number;
        2. if ``n < callback_max_attempts`` and ``result`` is not ``invalid``:
           ``CallbackScheduled(due_at=now + callback_retry_delay_seconds)``: the
           callback waits outside any line until then (still counted as waiting and
           as a callback), then rejoins its line at its place (arrival time and
           sequence number: the caller is not sent to the back for our failed dial);
           else ``ContactEnded(reason="callback_failed")``: the callback is closed;
        3. the agent's move to wrap_up, never the ``ring_no_answer`` not-ready (the
           agent did the work); ``end_wrap_up`` then takes the disposition.

        Refused (nothing changes): a contact that is not a callback (``RoutingError``),
        one in another state (``IllegalTransition``), an unknown ``result``
        (``ValueError``).
        """
        self._at(now)
        contact = self._contact(contact_id)
        if not contact.callback:
            raise RoutingError(f"contact {contact_id} is not a callback: there is no dial to record")
        if contact.state not in _DIALLING:
            raise IllegalTransition("contact", contact_id, contact.state.value, "queued",
                                    action="callback_not_reached",
                                    expected="offered, connected or held")
        if result not in CALLBACK_DIAL_FAILURES:
            raise ValueError(f"result must be one of {list(CALLBACK_DIAL_FAILURES)}, got {result!r}")
        agent = self._agents[contact.agent_id or ""]
        contact.dial_attempts += 1
        events: list[Event] = [DialResult(now, contact_id, contact.queue, result,
                                          agent.agent_id, contact.dial_attempts)]
        last = contact.dial_attempts >= self.policy.callback_max_attempts
        if last or result in FINAL_DIAL_FAILURES:
            self._move_contact(contact, ContactState.ENDED)
            events.append(ContactEnded(now, contact_id, agent.agent_id, contact.queue,
                                       "callback_failed"))
        else:
            self._move_contact(contact, ContactState.QUEUED)
            events.append(self._park_for_retry(contact, now))
        events.append(self._release_agent(agent, contact, now))
        return events

    def _park_for_retry(self, contact: ContactRecord, now: float) -> CallbackScheduled:
        """Keep a queued callback out of every line until its retry is due (RETRY timer)."""
        due = now + self.policy.callback_retry_delay_seconds
        contact.retry_at = due
        contact.token = self._next()
        self._parked[contact.contact_id] = None
        self._schedule(due, RETRY, contact)
        return CallbackScheduled(now, contact.contact_id, contact.queue, due)

    def forget_contact(self, contact_id: str) -> None:
        """Drop a finished (ended or abandoned) contact from memory.

        The engine keeps every contact so that views and late calls (an
        ``abandon`` after the answer) work; a long-running server calls this
        once the contact's events are stored and no call for it can follow.
        Later calls with the id raise ``UnknownContact``.
        """
        contact = self._contact(contact_id)
        if contact.state not in (ContactState.ENDED, ContactState.ABANDONED):
            raise RoutingError(
                f"contact {contact_id} is {contact.state.value}: only ended or abandoned "
                "contacts can be forgotten"
            )
        del self._contacts[contact_id]

    def forget_finished(self, events: Sequence[Event]) -> int:
        """Forget the contacts these events finished; return how many were forgotten.

        A contact is finished when no call for it can follow: abandoned, or ended and
        its agent's wrap-up over (``WrapUpEnded`` while the contact is ``ended``; a
        transferred contact's wrap-up is not its end). The live center calls this after
        every action, so the engine holds only contacts in progress, however long it runs.
        """
        forgotten = 0
        contacts = self._contacts
        for ev in events:
            kind = type(ev)
            if kind is not WrapUpEnded and kind is not ContactAbandoned:
                continue
            contact = contacts.get(ev.contact_id)  # type: ignore[attr-defined]
            if contact is not None and contact.state in _FINISHED:
                del contacts[contact.contact_id]
                forgotten += 1
        return forgotten

    def size(self) -> dict[str, int]:
        """What the engine holds: contacts, agents, pending timers, entries in the waiting
        lines and in the ready-agent index (live and stale); for memory checks."""
        return {
            "contacts": len(self._contacts),
            "agents": len(self._agents),
            "timers": self._timers.pending(),
            "line_entries": self._lines.entries(),
            "ready_entries": self._ready.entries(),
            "reserved": len(self._reserved),
            "parked": len(self._parked),
        }

    # ------------------------------------------------------------------ timers

    def next_deadline(self) -> float | None:
        """When :meth:`advance` must next be called (None: no pending timer)."""
        return self._timers.next_deadline()

    @_refusable
    def advance(self, now: float) -> list[Event]:
        """Fire every timer due at or before ``now``: ring timeouts, preferred-agent
        windows and direct-transfer waits ending (``ContactTransferTimedOut``),
        callbacks due again, skill expansion and overflow steps.

        First every due timer puts its contact back in its line; then every contact
        touched by a due timer is matched, in priority order, so two contacts whose
        pools change at the same instant are served in priority order."""
        self._at(now)
        events: list[Event] = []
        touched: dict[str, ContactRecord] = {}
        for kind, contact in self._timers.pop_due(now):
            if kind == RING:
                events += self._withdraw_offer(contact, now, "ring_no_answer", "ring_no_answer",
                                               match=False)
            elif kind == PREFERRED_END:
                self._unreserve(contact)
                contact.preference_done = True
                self._place_in_line(contact, now, match=False)
            elif kind == TRANSFER_END:
                target = contact.reserved_for or ""
                self._unreserve(contact)
                events.append(ContactTransferTimedOut(now, contact.contact_id, target, contact.queue))
                self._place_in_line(contact, now, match=False)
            elif kind == RETRY:
                del self._parked[contact.contact_id]
                contact.retry_at = None
                self._place_in_line(contact, now, match=False)
            touched[contact.contact_id] = contact
        # Only the touched contacts can have gained an eligible ready agent (invariant:
        # none other has one); matching them best priority first keeps the priority order.
        for contact in sorted(touched.values(), key=lambda c: c.key):
            if contact.state is ContactState.QUEUED and contact.line is not None:
                events += self._offer_to_best_agent(contact, now)
        return events

    def _schedule(self, deadline: float, kind: int, contact: ContactRecord) -> None:
        self._timers.schedule(deadline, self._next(), kind, contact)

    # ------------------------------------------------------------------ views

    def agent_state(self, agent_id: str) -> AgentState:
        return self._agent(agent_id).state

    def contact_state(self, contact_id: str) -> ContactState:
        return self._contact(contact_id).state

    def agent_view(self, agent_id: str) -> AgentView:
        return AgentView.of(self._agent(agent_id))

    def contact_view(self, contact_id: str) -> ContactView:
        return ContactView.of(self._contact(contact_id))

    def agents_snapshot(self) -> list[AgentView]:
        """Every agent, in the order they were added."""
        return [AgentView.of(a) for a in self._agents.values()]

    def waiting_contacts(self, queue: str | None = None) -> list[ContactView]:
        """The contacts waiting (not ringing) in ``queue`` (all queues if None), personal
        lines and callbacks waiting for their retry included, best priority first.
        O(n log n); for wallboards and consoles."""
        names = list(self._queues) if queue is None else [self._queue(queue).name]
        found = [c for name in names for c in self._lines.members(name)]
        found += [self._contacts[cid] for cid in (*self._reserved, *self._parked)
                  if queue is None or self._contacts[cid].queue == queue]
        return [ContactView.of(c) for c in sorted(found, key=lambda c: c.key)]

    def queue_snapshot(self, now: float) -> dict[str, QueueView]:
        """Per queue (config order): contacts waiting (lines, personal lines and callbacks
        waiting for their retry; not those ringing), callbacks among them, longest wait,
        both per tier, and agents.

        ``now`` is checked like any call's (``ClockError`` if it is before the engine's
        clock or not finite) but, the call being a read, does not move the clock.
        O(waiting contacts of the queue): meant for the wallboard's once-a-second tick.
        """
        self._check_clock(now)
        oldest: dict[str, dict[str, float]] = {q: {} for q in self._queues}
        for name in self._queues:
            for contact in self._lines.members(name):
                _keep_oldest(oldest[name], contact)
        for cid in (*self._reserved, *self._parked):
            contact = self._contacts[cid]
            _keep_oldest(oldest[contact.queue], contact)
        out: dict[str, QueueView] = {}
        for name, queue in self._queues.items():
            by_tier = {t: n for t, n in self._waiting[name].items() if n}
            longest = {t: now - since for t, since in oldest[name].items()}
            out[name] = QueueView(
                queue=name,
                skill=queue.skill,
                waiting=sum(by_tier.values()),
                callbacks_waiting=self._callbacks[name],
                longest_wait_seconds=max(longest.values(), default=0.0),
                waiting_by_tier=by_tier,
                longest_wait_by_tier=longest,
                agents_staffed=self._staffed_for(queue),
                agents_ready=self._ready_for(queue),
            )
        return out

    def expected_wait_seconds(self, queue: str, now: float) -> float:
        """Expected wait of a contact joining ``queue`` now (a simple, documented estimate).

        ``EWT = max(0, W + 1 − R) · AHT / N`` where ``W`` is the number waiting
        in the queue, ``R`` the ready agents and ``N`` the logged-in agents of
        the queue's base pool (skill ≥ min_proficiency, all sites), and AHT the
        queue's ``aht_seconds``: the ``W + 1 − R`` contacts not served at once
        are served ``N`` at a time, one AHT each. ``inf`` if ``N = 0`` and it
        must wait. It ignores priority, expansion and preferred agents.
        ``now`` is checked as in :meth:`queue_snapshot` (and does not move the clock).
        """
        self._check_clock(now)
        config = self._queue(queue)
        return self._expected_wait(config, sum(self._waiting[queue].values()))

    def _expected_wait(self, config: QueueConfig, waiting: int) -> float:
        ahead = waiting + 1 - self._ready_for(config)
        if ahead <= 0:
            return 0.0
        staffed = self._staffed_for(config)
        if staffed == 0:
            return math.inf
        return ahead * config.aht_seconds / staffed

    # ------------------------------------------------------------------ matching

    def _route_waiting(self, contact: ContactRecord, now: float) -> list[Event]:
        """A queued contact not yet placed: preferred agent window, else its line."""
        if not contact.preference_done and contact.preferred_agent_id is not None:
            preferred = self._agents.get(contact.preferred_agent_id)
            window_end = contact.since + self.policy.preferred_agent_wait_seconds
            if preferred is not None and preferred.state in LOGGED_IN:
                if preferred.state is AgentState.READY:
                    return self._offer(contact, preferred, now)
                if now < window_end:
                    self._reserve(contact, preferred, window_end, PREFERRED_END)
                    return []
            contact.preference_done = True
        return self._place_in_line(contact, now)

    def _place_in_line(self, contact: ContactRecord, now: float, match: bool = True) -> list[Event]:
        """Offer to the best eligible ready agent (if ``match``), else wait in the line at
        its place, with timers for its coming expansion and overflow steps."""
        agent = self._match.best_agent_for(contact, now) if match else None
        if agent is not None:
            return self._offer(contact, agent, now)
        self._lines.add(contact, self._next())
        config = self._queues[contact.queue]
        for step in config.expansion:
            if contact.since + step.after_seconds > now:
                self._schedule(contact.since + step.after_seconds, WIDEN, contact)
        overflow = self.policy.overflow_after_seconds
        if contact.site is not None and overflow is not None and contact.since + overflow > now:
            self._schedule(contact.since + overflow, WIDEN, contact)
        return []

    def _offer_to_best_agent(self, contact: ContactRecord, now: float) -> list[Event]:
        agent = self._match.best_agent_for(contact, now)
        return [] if agent is None else self._offer(contact, agent, now)

    def _serve_agent(self, agent: AgentRecord, now: float) -> list[Event]:
        """A ready agent takes its personal line's best contact, else the best eligible
        line head, else joins the ready index."""
        contact: ContactRecord | None
        if agent.personal:
            contact = min((self._contacts[cid] for cid in agent.personal), key=lambda c: c.key)
        else:
            contact = self._match.best_line_head_for(agent, now)
        if contact is not None:
            return self._offer(contact, agent, now)
        agent.ready_seq = self._next()
        self._ready.add(agent)
        return []

    def _offer(self, contact: ContactRecord, agent: AgentRecord, now: float) -> list[Event]:
        """Ring ``agent`` with ``contact``: contact → offered, agent → reserved, ring timer."""
        self._lines.remove(contact)
        self._unreserve(contact)
        self._move_contact(contact, ContactState.OFFERED)
        contact.preference_done = True  # the preferred agent applies to the first routing only
        contact.agent_id = agent.agent_id
        contact.token = self._next()
        event = self._move_agent(agent, AgentState.RESERVED, now, None)
        agent.contact_id = contact.contact_id
        timeout = self.policy.ring_timeout_seconds
        if timeout is not None:
            self._schedule(now + timeout, RING, contact)
        return [ContactOffered(now, contact.contact_id, agent.agent_id, contact.queue,
                               contact.callback), event]

    def _withdraw_offer(
        self, contact: ContactRecord, now: float, why: str, agent_reason: str, match: bool = True
    ) -> list[Event]:
        """Ring timeout or decline: agent → not_ready, contact back to its place."""
        agent = self._agents[contact.agent_id or ""]
        events: list[Event] = [
            ContactOfferTimedOut(now, contact.contact_id, agent.agent_id, contact.queue, why)
        ]
        agent.contact_id = None
        contact.agent_id = None
        events.append(self._move_agent(agent, AgentState.NOT_READY, now, agent_reason))
        self._move_contact(contact, ContactState.QUEUED)
        events += self._place_in_line(contact, now, match)
        return events

    def _release_agent(self, agent: AgentRecord, contact: ContactRecord, now: float) -> Event:
        agent.contact_id = None
        agent.last_contact_id = contact.contact_id
        contact.agent_id = None
        return self._move_agent(agent, AgentState.WRAP_UP, now, None)

    def _reserve(
        self, contact: ContactRecord, agent: AgentRecord, until: float | None, kind: int
    ) -> None:
        """Put the contact in ``agent``'s personal line; at ``until`` (if any) the
        ``kind`` timer (PREFERRED_END or TRANSFER_END) sends it to its line."""
        contact.reserved_for = agent.agent_id
        contact.token = self._next()
        agent.personal[contact.contact_id] = None
        self._reserved[contact.contact_id] = None
        if until is not None:
            self._schedule(until, kind, contact)

    def _unreserve(self, contact: ContactRecord) -> None:
        if contact.reserved_for is None:
            return
        del self._agents[contact.reserved_for].personal[contact.contact_id]
        del self._reserved[contact.contact_id]
        contact.reserved_for = None

    # ------------------------------------------------------------------ bookkeeping

    def _move_agent(
        self, agent: AgentRecord, target: AgentState, now: float, reason: str | None
    ) -> AgentStateChanged:
        previous = agent.state
        if target not in AGENT_ALLOWED[previous]:
            check_agent_transition(agent.agent_id, previous, target)  # raises, naming both
        if previous is _READY:
            self._ready.remove(agent)
        if previous is _LOGGED_OUT:
            self._count_staffed(agent, +1)
        elif target is _LOGGED_OUT:
            self._count_staffed(agent, -1)
        agent.state = target
        agent.reason = reason
        agent.state_since = now
        # ``_value_``: the plain string (``.value`` is a descriptor, slow on this hot path)
        return AgentStateChanged(now, agent.agent_id, target._value_, previous._value_, reason)

    def _move_contact(self, contact: ContactRecord, target: ContactState) -> None:
        current = contact.state
        if target not in CONTACT_ALLOWED[current]:
            check_contact_transition(contact.contact_id, current, target)  # raises
        if current is _QUEUED:
            self._count_waiting(contact, -1)
        if target is _QUEUED:
            self._count_waiting(contact, +1)
        contact.state = target

    def _count_waiting(self, contact: ContactRecord, delta: int) -> None:
        self._waiting[contact.queue][contact.tier] += delta
        if contact.callback:
            self._callbacks[contact.queue] += delta

    def _count_staffed(self, agent: AgentRecord, delta: int) -> None:
        for skill, level in agent.skills.items():
            key = (skill, level)
            self._staffed[key] = self._staffed.get(key, 0) + delta

    def _set_thresholds(self, agent: AgentRecord) -> None:
        agent.thresholds = {}
        for name, queue in self._queues.items():
            threshold = queue.threshold_for(agent.skills)
            if threshold is not None:
                agent.thresholds[name] = threshold

    def _staffed_for(self, queue: QueueConfig) -> int:
        return sum(self._staffed.get((queue.skill, level), 0)
                   for level in range(queue.min_proficiency, 6))

    def _ready_for(self, queue: QueueConfig) -> int:
        return self._ready.count(queue.skill, queue.min_proficiency)


def _keep_oldest(oldest: dict[str, float], contact: ContactRecord) -> None:
    if contact.tier not in oldest or contact.since < oldest[contact.tier]:
        oldest[contact.tier] = contact.since
