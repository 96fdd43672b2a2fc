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
* **Consult transfer** (:mod:`routing.consult`): the agent holds the caller and rings a
  ready colleague (or a queue's best ready agent) first, then completes the transfer
  (the caller goes to the colleague, the agent to wrap_up) or cancels it (the caller stays
  held with the agent); the caller may hang up meanwhile.
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

import math
from collections.abc import Mapping, Sequence

from routing.agent_state import LOGGED_IN, AgentRecord, AgentState, check_agent_transition
from routing.callbacks import CallbackActions
from routing.consult import ConsultActions
from routing.consult_state import ConsultInProgress
from routing.contact_state import ContactRecord, ContactState, check_contact_transition
from routing.engine_core import DEFAULT_POLICY, FINISHED, refusable
from routing.engine_views import EngineViews
from routing.errors import (
    DuplicateId,
    IllegalTransition,
    RoutingError,
    UnknownAgent,
    UnknownContact,
    UnknownQueue,
)
from routing.events import (
    AgentStateChanged,
    CallbackOffered,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactHeld,
    ContactQueued,
    ContactRetrieved,
    ContactTransferTimedOut,
    Event,
    Party,
    ServiceLevelGoal,
    WrapUpEnded,
)
from routing.policy import (
    CALLBACK_DIAL_FAILURES,
    CallbackDialFailure,
    ExpansionStep,
    QueueConfig,
    RoutingPolicy,
)
from routing.specs import AgentSpec, ContactSpec
from routing.timers import CONSULT_RING, PREFERRED_END, RETRY, RING, TRANSFER_END, Timers
from routing.transfers import TransferActions
from routing.views import AgentView, ContactView, QueueView

# Looked up once (attribute access of an enum member is slow in 3.11), for the hot paths.
_INF = math.inf
_READY, _TALKING, _WRAP_UP = AgentState.READY, AgentState.TALKING, AgentState.WRAP_UP
_QUEUED, _OFFERED, _CONNECTED = ContactState.QUEUED, ContactState.OFFERED, ContactState.CONNECTED
_HELD, _ENDED = ContactState.HELD, ContactState.ENDED

__all__ = [
    "CALLBACK_DIAL_FAILURES",
    "DEFAULT_POLICY",
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


class RoutingEngine(CallbackActions, TransferActions, ConsultActions, EngineViews):
    """Skill- and value-based ACD. See the module docstring for the rules.

    Built from its parts, one concept each: :class:`routing.engine_core.EngineCore`
    (state and internal moves), :class:`routing.callbacks.CallbackActions`,
    :class:`routing.transfers.TransferActions`, :class:`routing.consult.ConsultActions`,
    :class:`routing.engine_views.EngineViews`;
    here the actions of agents and contacts, and the timers.
    """

    # ------------------------------------------------------------------ agents

    @refusable
    def add_agent(self, spec: AgentSpec, now: float) -> list[Event]:
        """Register an agent, logged out. Raises DuplicateId for a known id."""
        self._at(now)
        if spec.agent_id in self._agents:
            raise DuplicateId(f"agent {spec.agent_id!r} already exists")
        agent = AgentRecord(spec.agent_id, dict(spec.skills), spec.site, now)
        self._set_thresholds(agent)
        self._agents[spec.agent_id] = agent
        return [AgentStateChanged(now, spec.agent_id, AgentState.LOGGED_OUT.value, None, None)]

    @refusable
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

    @refusable
    def login(self, agent_id: str, now: float) -> list[Event]:
        """logged_out → not_ready."""
        self._at(now)
        agent = self._agent(agent_id)
        if agent.state is not AgentState.LOGGED_OUT:
            raise IllegalTransition("agent", agent_id, agent.state.value, "not_ready",
                                    action="login", expected="logged_out")
        return [self._move_agent(agent, AgentState.NOT_READY, now, None)]

    @refusable
    def set_ready(self, agent_id: str, now: float, actor: str | None = None) -> list[Event]:
        """not_ready → ready; the agent may be offered a waiting contact at once.

        ``actor``: who forced the move when not the agent (a supervisor), recorded on
        the ``AgentStateChanged``."""
        self._at(now)
        agent = self._agent(agent_id)
        if agent.state is AgentState.WRAP_UP:
            return self.end_wrap_up(agent_id, now)
        # only the caller hanging up frees a ringing agent; only a consult's end a talking one
        if agent.state is AgentState.RESERVED or agent.state is AgentState.TALKING:
            raise IllegalTransition("agent", agent_id, agent.state.value, "ready",
                                    action="set_ready", expected="not_ready or wrap_up")
        event = self._move_agent(agent, AgentState.READY, now, None, actor)
        agent.idle_since = now
        return [event, *self._serve_agent(agent, now)]

    @refusable
    def set_not_ready(
        self, agent_id: str, now: float, reason: str, actor: str | None = None
    ) -> list[Event]:
        """→ not_ready with a reason code.

        From wrap_up it first ends the wrap-up (``WrapUpEnded`` without
        disposition); from reserved it declines the offer: the contact goes
        back to its place (``ContactOfferTimedOut`` with reason ``declined``).
        ``actor``: who forced the move (a supervisor), on the ``AgentStateChanged``.
        """
        self._at(now)
        agent = self._agent(agent_id)
        check_agent_transition(agent_id, agent.state, AgentState.NOT_READY)
        if agent.state is AgentState.RESERVED:
            declined = self._consult_declined(agent, now, reason, actor)
            if declined is not None:  # rung for a consult, not offered a contact
                return declined
            assert agent.contact_id is not None
            return self._withdraw_offer(self._contacts[agent.contact_id], now, "declined", reason,
                                       actor=actor)
        events: list[Event] = []
        if agent.state is AgentState.WRAP_UP:
            events.append(WrapUpEnded(now, agent.last_contact_id or "", agent_id, None))
        events.append(self._move_agent(agent, AgentState.NOT_READY, now, reason, actor))
        return events

    @refusable
    def logout(self, agent_id: str, now: float, actor: str | None = None) -> list[Event]:
        """ready/not_ready → logged_out; contacts waiting for this agent alone join their lines."""
        self._at(now)
        agent = self._agent(agent_id)
        events: list[Event] = [
            self._move_agent(agent, AgentState.LOGGED_OUT, now, None, actor)
        ]
        waiting = sorted((self._contacts[cid] for cid in agent.personal), key=lambda c: c.key)
        for contact in waiting:
            self._unreserve(contact)
            contact.preference_done = True
            events += self._place_in_line(contact, now)
        return events

    def end_wrap_up(self, agent_id: str, now: float, disposition: str | None = None,
                    reason: str | None = None, party: Party | None = None) -> list[Event]:
        """wrap_up → ready (``WrapUpEnded`` with the disposition, the contact reason and,
        for an outbound call, the party reached, as the agent chose); the agent may be
        offered the next contact."""
        clock = self._last_now  # refusable, written out: this is a hot path
        try:
            if not (clock <= now < _INF and now > -_INF):
                self._check_clock(now)
            self._last_now = now
            agent = self._agents.get(agent_id)
            if agent is None:
                raise UnknownAgent(agent_id)
            if agent.state is not _WRAP_UP:
                raise IllegalTransition("agent", agent_id, agent.state.value, "ready",
                                        action="end_wrap_up", expected="wrap_up")
            events: list[Event] = [
                WrapUpEnded(now, agent.last_contact_id or "", agent_id, disposition, reason,
                            party),
                self._move_agent(agent, _READY, now, None),
            ]
            agent.idle_since = now
            if agent.personal:
                events += self._serve_agent(agent, now)
                return events
            contact = self._match.best_line_head_for(agent, now)  # _serve_agent, written out
            if contact is not None:
                events += self._offer(contact, agent, now)
                return events
            self._seq += 1
            agent.ready_seq = self._seq
            self._ready.add(agent)
            return events
        except BaseException:
            self._last_now = clock
            raise

    # ------------------------------------------------------------------ contacts

    def arrive(self, contact: ContactSpec, now: float) -> list[Event]:
        """A contact arrives: ContactArrived, ContactQueued, then an offer if an agent fits.

        If it waits and the policy's callback limit is set and exceeded by
        :meth:`expected_wait_seconds`, ``CallbackOffered`` follows.
        """
        clock = self._last_now  # refusable, written out: this is a hot path
        try:
            if not (clock <= now < _INF and now > -_INF):
                self._check_clock(now)
            self._last_now = now
            queue = self._queues.get(contact.queue)
            if queue is None:
                raise UnknownQueue(contact.queue)
            contact_id, tier, name = contact.contact_id, contact.tier, queue.name
            contacts = self._contacts
            if contact_id in contacts:
                raise DuplicateId(f"contact {contact_id!r} already exists")
            self._seq += 1
            order = self._seq
            policy = self.policy
            customer_id, preferred, site, direction = (
                contact.customer_id, contact.preferred_agent_id, contact.site, contact.direction
            )
            record = ContactRecord(
                contact_id, name, tier, policy.tier_rank[tier], now, order,
                policy.priority_key(tier, now, order), customer_id, preferred, site, direction,
            )
            contacts[contact_id] = record
            self._waiting[name][tier] += 1  # _count_waiting: a new contact is no callback
            events: list[Event] = [
                ContactArrived(now, contact_id, name, tier, direction, customer_id, preferred,
                               site),
                ContactQueued(now, contact_id, name, record.rank),
            ]
            if preferred is None:
                routed = self._place_in_line(record, now)
            else:
                routed = self._route_waiting(record, now)
            if routed:
                events += routed
            limit = policy.callback_offer_wait_seconds
            if limit is not None and record.state is _QUEUED:
                expected = self._expected_wait(queue, sum(self._waiting[name].values()) - 1)
                if expected > limit:
                    finite = expected if math.isfinite(expected) else None
                    events.append(CallbackOffered(now, contact_id, name, finite))
            return events
        except BaseException:
            self._last_now = clock
            raise

    def answer(self, contact_id: str, agent_id: str, now: float) -> list[Event]:
        """The agent answers the contact offered to them: offered → connected, reserved → talking."""
        clock = self._last_now  # refusable, written out: this is a hot path
        try:
            if not (clock <= now < _INF and now > -_INF):
                self._check_clock(now)
            self._last_now = now
            contact = self._contacts.get(contact_id)
            if contact is None:
                raise UnknownContact(contact_id)
            agent = self._agents.get(agent_id)
            if agent is None:
                raise UnknownAgent(agent_id)
            if contact.state is not _OFFERED:  # the one state from which connected is allowed
                check_contact_transition(contact_id, contact.state, ContactState.CONNECTED)
                # held → connected is retrieve's move, not an answer (nor a consult's end)
                raise IllegalTransition("contact", contact_id, contact.state.value, "connected",
                                        action="answer", expected="offered")
            if contact.agent_id != agent_id:
                raise RoutingError(
                    f"contact {contact_id} is offered to agent {contact.agent_id}, not {agent_id}"
                )
            contact.state = _CONNECTED  # _move_contact: offered → connected changes no count
            event = self._move_agent(agent, _TALKING, now, None)
            return [ContactAnswered(now, contact_id, agent_id, contact.queue), event]
        except BaseException:
            self._last_now = clock
            raise

    @refusable
    def hold(self, contact_id: str, now: float) -> list[Event]:
        """connected → held; the agent talking → hold."""
        self._at(now)
        contact = self._contact(contact_id)
        check_contact_transition(contact_id, contact.state, ContactState.HELD)
        agent = self._agents[contact.agent_id or ""]
        self._move_contact(contact, ContactState.HELD)
        event = self._move_agent(agent, AgentState.HOLD, now, None)
        return [ContactHeld(now, contact_id, agent.agent_id), event]

    @refusable
    def retrieve(self, contact_id: str, now: float) -> list[Event]:
        """held → connected; the agent hold → talking."""
        self._at(now)
        contact = self._contact(contact_id)
        if contact.state is not ContactState.HELD:
            raise IllegalTransition("contact", contact_id, contact.state.value, "connected",
                                    action="retrieve", expected="held")
        if contact_id in self._consults:
            raise ConsultInProgress("retrieve", self._consults[contact_id])
        agent = self._agents[contact.agent_id or ""]
        self._move_contact(contact, ContactState.CONNECTED)
        event = self._move_agent(agent, AgentState.TALKING, now, None)
        return [ContactRetrieved(now, contact_id, agent.agent_id), event]

    def hang_up(self, contact_id: str, now: float) -> list[Event]:
        """The conversation ends (either side): ContactEnded; the agent goes to wrap_up.

        Only a conversation (connected or held) can be hung up; a callback whose dial
        got no answer is closed through :meth:`callback_not_reached`.
        """
        clock = self._last_now  # refusable, written out: this is a hot path
        try:
            if not (clock <= now < _INF and now > -_INF):
                self._check_clock(now)
            self._last_now = now
            contact = self._contacts.get(contact_id)
            if contact is None:
                raise UnknownContact(contact_id)
            state = contact.state
            if state is not _CONNECTED and state is not _HELD:
                raise IllegalTransition("contact", contact_id, state.value, "ended",
                                        action="hang_up", expected="connected or held")
            if self._consults and contact_id in self._consults:
                return self._hang_up_in_consult(contact, now)
            agent = self._agents[contact.agent_id or ""]
            contact.state = _ENDED  # _move_contact: connected/held → ended changes no count
            ended = ContactEnded(now, contact_id, agent.agent_id, contact.queue)
            agent.contact_id = None  # _release_agent, written out
            agent.last_contact_id = contact_id
            contact.agent_id = None
            contact.ended_by = agent.agent_id
            return [ended, self._move_agent(agent, _WRAP_UP, now, None)]
        except BaseException:
            self._last_now = clock
            raise

    @refusable
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
        its last agent's wrap-up over (``WrapUpEnded`` by the agent who has it while the
        contact is ``ended``; a transferred contact's first wrap-up is not its end, even
        when it comes after the second agent hung up: that agent still wraps up, and the
        console reads the contact then). The live center calls this after every action,
        so the engine holds only contacts in progress, however long it runs.
        """
        forgotten = 0
        contacts = self._contacts
        for ev in events:
            kind = type(ev)
            if kind is not WrapUpEnded and kind is not ContactAbandoned:
                continue
            contact = contacts.get(ev.contact_id)  # type: ignore[attr-defined]
            if contact is None or contact.state not in FINISHED:
                continue
            if kind is ContactAbandoned or contact.ended_by in (None, ev.agent_id):  # type: ignore[attr-defined]
                del contacts[contact.contact_id]
                forgotten += 1
        return forgotten


    # ------------------------------------------------------------------ timers

    def next_deadline(self) -> float | None:
        """When :meth:`advance` must next be called (None: no pending timer)."""
        return self._timers.next_deadline()

    @property
    def timers_set(self) -> int:
        """How many timers the engine has set so far (it only grows). Timers only go stale
        or fire otherwise, so :meth:`next_deadline` can come earlier only after this grew:
        a loop that asks after every call may skip asking while it stays the same."""
        return self._timers.set_count

    @property
    def timers(self) -> Timers:
        """The engine's timers, for a loop that polls them on every step (the simulator's):
        read ``set_count`` (:attr:`timers_set`) and call ``next_deadline()`` on it without
        the engine's indirection. Not to be changed from outside."""
        return self._timers

    @refusable
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
            elif kind == CONSULT_RING:
                events += self._consult_rang_out(contact, now)
            touched[contact.contact_id] = contact
        # Only the touched contacts can have gained an eligible ready agent (invariant:
        # none other has one); matching them best priority first keeps the priority order.
        for contact in sorted(touched.values(), key=lambda c: c.key):
            if contact.state is ContactState.QUEUED and contact.line is not None:
                events += self._offer_to_best_agent(contact, now)
        return events

