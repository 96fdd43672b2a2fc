"""The wallboard's agents: each one's state and time in it, and occupancy, streaming.

Fed :class:`routing.events.AgentStateChanged` events one at a time. Occupancy is
:func:`qa.kpis.total_occupancy`'s definition over the period ``[start, now]``, per agent
and for the floor::

    occupancy = busy / available
    busy      = seconds since ``start`` in a BUSY state   (:data:`qa.agent_time.BUSY_STATES`)
    available = busy + seconds since ``start`` in an IDLE state (:data:`qa.agent_time.IDLE_STATES`)

so it equals ``total_occupancy(AgentTimeBuilder(...).result(now))`` over the same events
(a test asserts it); not-ready and logged-out time count in neither. A state entered
before ``start`` counts from ``start`` (:meth:`AgentBoard.prune`); in a sliding window the spans that left it are
forgotten and the one straddling its start is cut.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qa.agent_time import BUSY_STATES, IDLE_STATES
from qa.counts import ratio
from routing.events import AgentStateChanged


@dataclass
class _Agent:
    state: str
    since: float  # when the agent entered ``state``
    reason: str | None = None
    actor: str | None = None
    #: closed spans in a busy or idle state, oldest first: (start, end, busy?)
    spans: deque[tuple[float, float, bool]] = field(default_factory=deque)
    busy_seconds: float = 0.0  # full lengths of the busy spans kept
    idle_seconds: float = 0.0  # ... of the idle ones

    def close_span(self, end: float) -> None:
        if end <= self.since:
            return
        busy = self.state in BUSY_STATES
        if not busy and self.state not in IDLE_STATES:
            return
        self.spans.append((self.since, end, busy))
        if busy:
            self.busy_seconds += end - self.since
        else:
            self.idle_seconds += end - self.since

    def prune(self, start: float) -> None:
        """Forget the spans that ended by ``start``."""
        while self.spans and self.spans[0][1] <= start:
            s, e, busy = self.spans.popleft()
            if busy:
                self.busy_seconds -= e - s
            else:
                self.idle_seconds -= e - s

    def seconds(self, start: float, now: float) -> tuple[float, float]:
        """(busy, idle) seconds inside ``[start, now]`` (spans pruned at ``start`` first)."""
        busy, idle = self.busy_seconds, self.idle_seconds
        if self.spans:  # only the oldest span kept can begin before ``start``
            s, _e, was_busy = self.spans[0]
            cut = max(0.0, start - s)
            busy, idle = (busy - cut, idle) if was_busy else (busy, idle - cut)
        length = max(0.0, now - max(self.since, start))
        if self.state in BUSY_STATES:
            busy += length
        elif self.state in IDLE_STATES:
            idle += length
        return busy, idle


@dataclass
class AgentBoard:
    """Agents by login; :meth:`apply` a state change, :meth:`prune` at a period's start."""

    agents: dict[str, _Agent] = field(default_factory=dict)
    #: agent id -> when it joined the roster (listed as logged_out until an event says more)
    roster: dict[str, float] = field(default_factory=dict)
    start: float = -math.inf  # the period's start: occupancy counts from here

    def apply(self, event: AgentStateChanged) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None:
            self.agents[event.agent_id] = _Agent(event.state, event.at, event.reason, event.actor)
            return
        agent.close_span(event.at)
        agent.state, agent.since = event.state, event.at
        agent.reason, agent.actor = event.reason, event.actor

    def prune(self, start: float) -> None:
        """Occupancy counts from ``start`` on (states and their ``since`` stay)."""
        self.start = max(self.start, start)
        for agent in self.agents.values():
            agent.prune(self.start)

    def set_roster(self, agent_ids: Iterable[str], now: float) -> None:
        ids = set(agent_ids)
        self.roster = {a: self.roster.get(a, now) for a in sorted(ids)}

    def occupancy(self, now: float, agent_id: str | None = None) -> float:
        """busy / available inside ``[start, now]`` (NaN when nobody was available)."""
        busy = avail = 0.0
        for login, agent in self.agents.items():
            if agent_id is not None and login != agent_id:
                continue
            b, i = agent.seconds(self.start, now)
            busy += b
            avail += b + i
        return ratio(busy, avail)

    def rows(self, now: float, adherence: Mapping[str, Any] | None = None
             ) -> list[dict[str, Any]]:
        """One JSON row per agent (the roster's too, ``logged_out`` until an event says more):
        state, reason, actor, ``since`` (time in state is ``at - since``), ``occupancy``
        (rounded to 0.01, so a delta carries only agents whose figure moved by a point) and
        ``adherence`` (what :mod:`wfm.adherence` says of the agent, handed in by the app;
        None when unknown)."""
        out: dict[str, dict[str, Any]] = {}
        for login, a in self.agents.items():
            busy, idle = a.seconds(self.start, now)
            occ = ratio(busy, busy + idle)
            out[login] = {"agent_id": login, "state": a.state, "reason": a.reason,
                          "actor": a.actor, "since": a.since,
                          "occupancy": None if math.isnan(occ) else round(occ, 2)}
        for login, since in self.roster.items():
            out.setdefault(login, {"agent_id": login, "state": "logged_out", "reason": None,
                                   "actor": None, "since": since, "occupancy": None})
        for login, row in out.items():
            row["adherence"] = (adherence or {}).get(login)
        return sorted(out.values(), key=lambda r: r["agent_id"])

    @staticmethod
    def counts_by_state(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
        return dict(Counter(r["state"] for r in rows))
