"""The routing engine's state and its internal moves (one concept: the engine's core).

:class:`EngineCore` holds the agents, contacts, lines, ready index, timers and counters,
and the moves every action is made of: offering a contact to an agent, withdrawing an
offer, placing a contact in its line, serving a freed agent, moving an agent or a
contact along its state machine. The actions callers see are in
:class:`routing.engine.RoutingEngine` (agents, contacts, timers),
:mod:`routing.callbacks` and :mod:`routing.transfers`, the reads in
:mod:`routing.engine_views`; the rules are in :mod:`routing.engine`'s docstring.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Concatenate, ParamSpec, TypeVar

from routing.agent_state import ALLOWED as AGENT_ALLOWED
from routing.agent_state import LOGGED_IN, AgentRecord, AgentState, check_agent_transition
from routing.consult_state import ConsultRecord
from routing.contact_state import ALLOWED as CONTACT_ALLOWED
from routing.contact_state import ContactRecord, ContactState, check_contact_transition
from routing.errors import (
    ClockError,
    UnknownAgent,
    UnknownContact,
    UnknownQueue,
)
from routing.events import (
    TIERS,
    AgentStateChanged,
    ContactOffered,
    ContactOfferTimedOut,
    Event,
    OfferTimeoutReason,
)
from routing.matching import Matcher
from routing.policy import (
    QueueConfig,
    RoutingPolicy,
)
from routing.timers import PREFERRED_END, RING, WIDEN, Timers

#: The default policy (``RoutingPolicy()``), shared: policies are immutable.
DEFAULT_POLICY = RoutingPolicy()

# Members looked up once (class attribute access of an enum member is slow in 3.11).
_READY, _LOGGED_OUT, _QUEUED = AgentState.READY, AgentState.LOGGED_OUT, ContactState.QUEUED
_RESERVED, _OFFERED = AgentState.RESERVED, ContactState.OFFERED

#: Contacts no call can follow once their wrap-up is over (see ``forget_finished``).
FINISHED = frozenset({ContactState.ENDED, ContactState.ABANDONED})

#: States in which a callback's dial can be recorded as not reaching the customer.
DIALLING = frozenset({ContactState.OFFERED, ContactState.CONNECTED, ContactState.HELD})


_E = TypeVar("_E", bound="EngineCore")
_P = ParamSpec("_P")


def refusable(
    method: Callable[Concatenate[_E, _P], list[Event]],
) -> Callable[Concatenate[_E, _P], list[Event]]:
    """A call that raises leaves the engine as it was, the clock included.

    Each method checks ``now`` and its ids and states before it changes anything
    (guard clauses first), so only the clock, moved by ``_at`` at entry, needs
    putting back: a refused ``set_ready("ghost", 1e9)`` must not make a later
    ``set_ready("a2", 4)`` a ``ClockError``.
    """

    @functools.wraps(method)
    def call(self: _E, /, *args: _P.args, **kwargs: _P.kwargs) -> list[Event]:
        clock = self._last_now
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self._last_now = clock
            raise

    return call


class EngineCore:
    """The engine's state and internal moves (see the module docstring)."""

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
        #: Consults in progress, by contact (see :mod:`routing.consult`).
        self._consults: dict[str, ConsultRecord] = {}


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

    def _schedule(self, deadline: float, kind: int, contact: ContactRecord) -> None:
        self._timers.schedule(deadline, self._next(), kind, contact)


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
        if match:
            agent = self._match.best_agent_for(contact, now)
            if agent is not None:
                return self._offer(contact, agent, now)
        self._seq += 1
        self._lines.add(contact, self._seq)
        since = contact.since
        for step in self._queues[contact.queue].expansion:
            if since + step.after_seconds > now:
                self._schedule(since + step.after_seconds, WIDEN, contact)
        if contact.site is not None:
            overflow = self.policy.overflow_after_seconds
            if overflow is not None and since + overflow > now:
                self._schedule(since + overflow, WIDEN, contact)
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
        self._seq += 1
        agent.ready_seq = self._seq
        self._ready.add(agent)
        return []

    def _offer(self, contact: ContactRecord, agent: AgentRecord, now: float) -> list[Event]:
        """Ring ``agent`` with ``contact``: contact → offered, agent → reserved, ring timer."""
        if contact.line is not None:
            self._lines.remove(contact)
        if contact.reserved_for is not None:
            self._unreserve(contact)
        if contact.state is _QUEUED:  # _move_contact, written out for the common move
            self._waiting[contact.queue][contact.tier] -= 1
            if contact.callback:
                self._callbacks[contact.queue] -= 1
            contact.state = _OFFERED
        else:
            self._move_contact(contact, _OFFERED)
        contact.preference_done = True  # the preferred agent applies to the first routing only
        contact.agent_id = agent_id = agent.agent_id
        self._seq += 1
        contact.token = self._seq
        event = self._move_agent(agent, _RESERVED, now, None)
        agent.contact_id = contact_id = contact.contact_id
        timeout = self.policy.ring_timeout_seconds
        if timeout is not None:
            self._seq += 1
            self._timers.schedule(now + timeout, self._seq, RING, contact)
        return [ContactOffered(now, contact_id, agent_id, contact.queue, contact.callback), event]

    def _withdraw_offer(
        self, contact: ContactRecord, now: float, why: OfferTimeoutReason, agent_reason: str,
        match: bool = True,
        actor: str | None = None,
    ) -> list[Event]:
        """Ring timeout or decline: agent → not_ready, contact back to its place."""
        agent = self._agents[contact.agent_id or ""]
        events: list[Event] = [
            ContactOfferTimedOut(now, contact.contact_id, agent.agent_id, contact.queue, why)
        ]
        agent.contact_id = None
        contact.agent_id = None
        events.append(self._move_agent(agent, AgentState.NOT_READY, now, agent_reason, actor))
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
        self, agent: AgentRecord, target: AgentState, now: float, reason: str | None,
        actor: str | None = None,
    ) -> AgentStateChanged:
        previous = agent.state
        if target not in AGENT_ALLOWED[previous]:
            check_agent_transition(agent.agent_id, previous, target)  # raises, naming both
        if previous is _READY:
            if agent.indexed:
                self._ready.remove(agent)
        elif previous is _LOGGED_OUT:
            self._count_staffed(agent, +1)
        if target is _LOGGED_OUT:
            self._count_staffed(agent, -1)
        agent.state = target
        agent.reason = reason
        agent.state_since = now
        # ``_value_``: the plain string (``.value`` is a descriptor, slow on this hot path)
        return AgentStateChanged(now, agent.agent_id, target._value_, previous._value_, reason,
                                 actor)

    def _move_contact(self, contact: ContactRecord, target: ContactState) -> None:
        current = contact.state
        if target not in CONTACT_ALLOWED[current]:
            check_contact_transition(contact.contact_id, current, target)  # raises
        if current is _QUEUED:
            waiting = self._waiting[contact.queue]
            waiting[contact.tier] -= 1
            if contact.callback:
                self._callbacks[contact.queue] -= 1
        elif target is _QUEUED:
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


