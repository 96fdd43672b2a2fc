"""The routing engine's reads: agent and contact views, queue snapshots, expected wait,
and its size. Reads never change the engine (``queue_snapshot`` and
``expected_wait_seconds`` check ``now`` but do not move the clock)."""

from __future__ import annotations

import math

from routing.agent_state import AgentState
from routing.contact_state import ContactRecord, ContactState
from routing.engine_core import EngineCore
from routing.policy import (
    QueueConfig,
)
from routing.views import AgentView, ContactView, QueueView


class EngineViews(EngineCore):
    """The reads of :class:`routing.engine.RoutingEngine`."""

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


def _keep_oldest(oldest: dict[str, float], contact: ContactRecord) -> None:
    if contact.tier not in oldest or contact.since < oldest[contact.tier]:
        oldest[contact.tier] = contact.since

