"""The wallboard's picture of the center, kept up to date from the event stream.

:class:`WallboardState` folds events (from the log since local midnight, then
live) into what a supervisor watches. The contact figures come from
:class:`qa.kpis.KpiAccumulator`, the KPI formulas written once for the reports,
the simulator and this board (see :mod:`qa.kpis` for the conventions):

* per queue: contacts waiting now and the longest current wait;
* per queue and segment (``vip`` = private_banker and platinum callers or the
  ``vip`` queue, threshold ``T`` = 10 s; ``general`` = everyone else, ``T`` = 20 s,
  the bank's goals), today so far: offered ``N = A + B``, answered ``A``,
  abandoned ``B``, service level ``A_T / N``, ASA ``sum(wait of answered) / A``,
  abandonment ``B / N``;
* agents: each one's state, reason and since when; counts by state. Every agent of
  the roster (:attr:`WallboardState.roster`, the database's active agents) is listed,
  ``logged_out`` until the events say otherwise, so a supervisor can see and act on
  agents with no state change today;
* ``demo``: ``{"pattern_hour", "message"}`` while the demo center plays a busy hour's
  arrival pattern outside business hours (:class:`app.live.telephony.DemoDayProfile`),
  else None.

Replay after a restart: :meth:`WallboardState.replay` folds today's log in but leaves
out the contacts still open at its end (arrived, neither answered nor abandoned). The
engine of the new run does not know them: they are not waiting any more (their
interaction rows are closed as ``interrupted``, see :func:`app.live.close_interrupted`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qa.kpis import KpiAccumulator, KpiCounts, abandonment_rate, average_speed_of_answer
from qa.kpis import service_level as sl_of
from routing.events import VIP_TIERS, AgentStateChanged, ContactArrived, Event

SEGMENTS = ("vip", "general")
SL_THRESHOLD_SECONDS: Mapping[str, float] = {"vip": 10.0, "general": 20.0}
SL_TARGET: Mapping[str, float] = {"vip": 0.9, "general": 0.8}


def segment_of(queue: str, tier: str) -> str:
    return "vip" if tier in VIP_TIERS or queue == "vip" else "general"


def _number(x: float) -> float | None:
    return None if math.isnan(x) else x


def figures(counts: KpiCounts, segment: str) -> dict[str, Any]:
    return {
        "offered": counts.offered,
        "answered": counts.answered,
        "abandoned": counts.abandoned,
        "service_level": _number(sl_of(counts)),
        "service_level_target": SL_TARGET[segment],
        "threshold_seconds": SL_THRESHOLD_SECONDS[segment],
        "asa_seconds": _number(average_speed_of_answer(counts)),
        "abandon_rate": _number(abandonment_rate(counts)),
    }


@dataclass
class WallboardState:
    """Fold events in with :meth:`apply`; read with :meth:`snapshot`."""

    last_seq: int = 0
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    queues: set[str] = field(default_factory=set)
    kpis: dict[str, KpiAccumulator] = field(default_factory=lambda: {
        seg: KpiAccumulator(threshold_seconds=SL_THRESHOLD_SECONDS[seg]) for seg in SEGMENTS})
    #: agent id -> when it joined the roster (listed as logged_out until an event says more)
    roster: dict[str, float] = field(default_factory=dict)
    #: contacts left open by a previous run: their events are not folded in
    ignored_contacts: set[str] = field(default_factory=set)
    #: ``demo_note(now)``: the snapshot's ``demo`` entry (None outside the demo day mapping)
    demo_note: Callable[[float], dict[str, str] | None] | None = None

    def set_roster(self, agent_ids: Iterable[str], now: float) -> None:
        """The active agents of the database; ones new to the roster are listed from ``now``."""
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
                "since": event.at,
            }
            return True
        if isinstance(event, ContactArrived):
            self.queues.add(event.queue)
        if getattr(event, "contact_id", None) in self.ignored_contacts:
            return True
        for acc in self.kpis.values():
            acc.add(event)
        return True

    def counts(self, segment: str, queue: str | None = None) -> KpiCounts:
        """The segment's counts (each from the accumulator with the segment's threshold)."""
        total = KpiCounts()
        for (q, tier), counts in self.kpis[segment].by_key().items():
            if segment_of(q, tier) == segment and (queue is None or q == queue):
                total = total + counts
        return total

    # --- reading ------------------------------------------------------------------------

    def snapshot(self, now: float) -> dict[str, Any]:
        """The whole picture at ``now`` as JSON-ready data."""
        acc = self.kpis["general"]
        queues = []
        for name in sorted(self.queues):
            queues.append({
                "queue": name,
                "waiting": len(acc.waiting(name)),
                "longest_wait_seconds": acc.longest_wait_seconds(now, name),
                "segments": {seg: figures(self.counts(seg, name), seg) for seg in SEGMENTS},
            })
        listed = dict(self.agents)
        for agent_id, since in self.roster.items():
            if agent_id not in listed:
                listed[agent_id] = {"agent_id": agent_id, "state": "logged_out", "reason": None,
                                    "since": since}
        agents = sorted(listed.values(), key=lambda a: a["agent_id"])
        return {
            "type": "snapshot",
            "seq": self.last_seq,
            "at": now,
            "queues": queues,
            "totals": {seg: figures(self.counts(seg), seg) for seg in SEGMENTS},
            "agents": agents,
            "agent_states": dict(Counter(a["state"] for a in agents)),
            "demo": self.demo_note(now) if self.demo_note is not None else None,
        }
