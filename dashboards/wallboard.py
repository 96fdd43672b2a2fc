"""The wallboard's picture of the center, kept up to date from the event stream.

:class:`WallboardState` folds events (from the log since local midnight, then live) into
what a supervisor watches. The contact figures come from one
:class:`qa.accumulator.KpiAccumulator`, the record and formulas of :mod:`qa` that the
reports and the simulator use too (see :mod:`qa.kpis` for the conventions):

* per queue: contacts waiting now, the longest current wait and the threshold it is
  coloured against (``longest_wait_threshold_seconds``: the goal of the oldest waiting
  caller's queue and tier; the same over every queue at the top level);
* per queue and segment (:func:`qa.segments.segment_of`: ``vip`` = the VIP tiers,
  ``general`` = every other caller, whatever the queue), today so far: offered
  ``N = A + B + F``, answered ``A``, abandoned ``B``, service level ``A_T / N`` with each
  caller held to the goal of its queue and tier (:class:`routing.events.ServiceLevelGoals`,
  the table routing and the QA report read), ASA ``sum(wait of answered) / A``,
  abandonment ``B / N``, AHT (talk, hold and wrap-up of the contacts wrapped up);
  ``threshold_seconds`` / ``service_level_target`` shown with a segment are its goal (the
  strictest of its tiers' goals in that queue, or in any queue for the totals);
* agents: each one's state, reason, who forced it (``actor``) and since when; counts by
  state. Every agent of the roster (:attr:`WallboardState.roster`) is listed,
  ``logged_out`` until the events say otherwise, so a supervisor can see and act on agents
  with no state change today;
* ``demo``: what ``demo_note(now)`` says (the live demo's note outside business hours),
  else None.

Replay after a restart: :meth:`WallboardState.replay` folds today's log in but leaves out
the contacts still open at its end (arrived, neither answered nor abandoned): the engine
of the new run does not know them, they are not waiting any more.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from qa.accumulator import KpiAccumulator
from qa.counts import KpiCounts
from qa.kpis import abandonment_rate, average_handle_time, average_speed_of_answer, service_level
from qa.segments import SEGMENTS, Segment, segment_of
from routing.events import (
    TIERS,
    AgentStateChanged,
    ContactArrived,
    Event,
    ServiceLevelGoal,
    ServiceLevelGoals,
)


def _number(x: float) -> float | None:
    return None if math.isnan(x) else x


def strictest(goals: Iterable[ServiceLevelGoal]) -> ServiceLevelGoal:
    """The shortest threshold and the highest target of ``goals`` (what a segment whose
    tiers have different goals is shown against)."""
    listed = list(goals)
    return ServiceLevelGoal(min(g.threshold_seconds for g in listed),
                            max(g.target for g in listed))


def figures(counts: KpiCounts, goal: ServiceLevelGoal) -> dict[str, Any]:
    """The JSON figures of one group of callers held to ``goal``."""
    return {
        "offered": counts.offered,
        "answered": counts.answered,
        "abandoned": counts.abandoned,
        "service_level": _number(service_level(counts)),
        "service_level_target": goal.target,
        "threshold_seconds": goal.threshold_seconds,
        "asa_seconds": _number(average_speed_of_answer(counts)),
        "abandon_rate": _number(abandonment_rate(counts)),
        "aht_seconds": _number(average_handle_time(counts)),
    }


@dataclass
class WallboardState:
    """Fold events in with :meth:`apply`; read with :meth:`snapshot`."""

    goals: ServiceLevelGoals = field(default_factory=ServiceLevelGoals)
    last_seq: int = 0
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    queues: set[str] = field(default_factory=set)
    kpis: KpiAccumulator = field(init=False)
    #: agent id -> when it joined the roster (listed as logged_out until an event says more)
    roster: dict[str, float] = field(default_factory=dict)
    #: contacts left open by a previous run: their events are not folded in
    ignored_contacts: set[str] = field(default_factory=set)
    #: ``demo_note(now)``: the snapshot's ``demo`` entry (None when there is nothing to say)
    demo_note: Callable[[float], dict[str, str] | None] | None = None

    def __post_init__(self) -> None:
        self.kpis = KpiAccumulator(goals=self.goals)

    def set_roster(self, agent_ids: Iterable[str], now: float) -> None:
        """The active agents; ones new to the roster are listed from ``now``."""
        ids = set(agent_ids)
        self.roster = {a: self.roster.get(a, now) for a in sorted(ids)}

    def replay(self, stored: Iterable[tuple[int, Event]]) -> set[str]:
        """Fold in a replayed log, leaving out contacts still waiting at its end; return those."""
        events = list(stored)
        probe = KpiAccumulator()
        for _seq, event in events:
            probe.add(event)
        stale = {r.contact_id for r in probe.waiting()}
        self.ignored_contacts |= stale
        self.apply_all(events)
        return stale

    def apply_all(self, stored: Iterable[tuple[int, Event]]) -> None:
        for seq, event in stored:
            self.apply(seq, event)

    def apply(self, seq: int, event: Event) -> bool:
        """Fold one stored event in; False if it was already folded (``seq <= last_seq``)."""
        if seq <= self.last_seq:
            return False
        self.last_seq = seq
        if isinstance(event, AgentStateChanged):
            self.agents[event.agent_id] = {
                "agent_id": event.agent_id, "state": event.state, "reason": event.reason,
                "actor": event.actor, "since": event.at,
            }
            return True
        if isinstance(event, ContactArrived):
            self.queues.add(event.queue)
        if getattr(event, "contact_id", None) in self.ignored_contacts:
            return True
        self.kpis.add(event)
        return True

    # --- reading ------------------------------------------------------------------------

    def counts(self, segment: Segment, queue: str | None = None) -> KpiCounts:
        """The segment's counts (of ``queue``, else of every queue), by arrival queue."""
        total = KpiCounts()
        for (q, tier), counts in self.kpis.by_key().items():
            if segment_of(tier) == segment and (queue is None or q == queue):
                total = total + counts
        return total

    def goal(self, segment: Segment, queue: str | None = None) -> ServiceLevelGoal:
        """The goal a segment is shown against: the strictest of its tiers' goals in
        ``queue`` (every known queue when None)."""
        queues = [queue] if queue is not None else sorted(self.queues) or [""]
        tiers = [t for t in TIERS if segment_of(t) == segment]
        return strictest(self.goals.goal(q, t) for q in queues for t in tiers)

    def longest_wait_threshold_seconds(self, queue: str | None = None) -> float:
        """``T`` of the oldest caller waiting (in ``queue``, else anywhere): its queue's goal
        for its tier; when nobody waits, the general segment's goal."""
        waiting = self.kpis.waiting(queue)
        if not waiting:
            return self.goal("general", queue).threshold_seconds
        oldest = waiting[0]
        return self.goals.threshold_seconds(oldest.queue, oldest.tier)

    def snapshot(self, now: float) -> dict[str, Any]:
        """The whole picture at ``now`` as JSON-ready data."""
        acc = self.kpis
        queues = []
        for name in sorted(self.queues):
            queues.append({
                "queue": name,
                "waiting": len(acc.waiting(name)),
                "longest_wait_seconds": acc.longest_wait_seconds(now, name),
                "longest_wait_threshold_seconds": self.longest_wait_threshold_seconds(name),
                "segments": {s: figures(self.counts(s, name), self.goal(s, name))
                             for s in SEGMENTS},
            })
        listed = dict(self.agents)
        for agent_id, since in self.roster.items():
            if agent_id not in listed:
                listed[agent_id] = {"agent_id": agent_id, "state": "logged_out", "reason": None,
                                    "actor": None, "since": since}
        agents = sorted(listed.values(), key=lambda a: a["agent_id"])
        return {
            "type": "snapshot",
            "seq": self.last_seq,
            "at": now,
            "queues": queues,
            "longest_wait_threshold_seconds": self.longest_wait_threshold_seconds(),
            "totals": {s: figures(self.counts(s), self.goal(s)) for s in SEGMENTS},
            "agents": agents,
            "agent_states": dict(Counter(a["state"] for a in agents)),
            "demo": self.demo_note(now) if self.demo_note is not None else None,
        }
