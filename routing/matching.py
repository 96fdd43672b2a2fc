"""The indexes that make a routing decision cheap: ready agents and waiting lines.

Both are heaps with lazy deletion. An entry carries the token its owner had
when it was pushed (``ready_seq`` of an agent, ``token`` of a contact); once
the owner leaves the state or is pushed again, the entry is stale and is
dropped when it reaches the top. Each heap counts its live entries and is
rebuilt when stale ones outnumber live ones (``len > 2·live + 64``), so memory
stays proportional to the live population however long the engine runs.

* :class:`ReadyAgentIndex`: one heap per ``(skill, site, proficiency)`` of the
  ready agents, ordered by ``(idle_since, ready_seq)``. The best agent for a
  contact is found by looking at the heads of the heaps of its pools (skills at
  or above a minimum proficiency) and sites: at most
  ``pools × sites × 5`` peeks, whatever the number of agents.
* :class:`Matcher`: the eligibility and selection rules over both indexes.
* :class:`WaitingLines`: one FIFO heap per ``(queue, tier, site)`` of the
  waiting contacts, ordered by place ``(since, order)``. Inside one line the
  head is both the highest-priority contact (same tier, waited longest) and the
  most eligible one (expansion and overflow only widen with waiting time), so
  the best contact for a freed agent is found among the line heads.

Costs: push O(log n); head amortised O(log n) per stale entry dropped.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from routing.agent_state import AgentRecord, AgentState
from routing.contact_state import ContactRecord, ContactState
from routing.policy import QueueConfig, RoutingPolicy

E = TypeVar("E", bound=tuple)  # type: ignore[type-arg]

_COMPACT_SLACK = 64
# Looked up once (attribute access of an enum member is slow in 3.11).
_READY, _QUEUED = AgentState.READY, ContactState.QUEUED


class LazyHeap(Generic[E]):
    """A heap whose entries are invalidated from outside and dropped when seen."""

    __slots__ = ("entries", "live")

    def __init__(self) -> None:
        self.entries: list[E] = []
        self.live = 0

    def push(self, entry: E, valid: Callable[[E], bool]) -> None:
        heapq.heappush(self.entries, entry)
        self.live += 1
        if len(self.entries) > 2 * self.live + _COMPACT_SLACK:
            self.compact(valid)

    def compact(self, valid: Callable[[E], bool]) -> None:
        """Drop the stale entries (the rule of the module docstring)."""
        self.entries = [e for e in self.entries if valid(e)]
        heapq.heapify(self.entries)

    def head(self, valid: Callable[[E], bool]) -> E | None:
        entries = self.entries
        while entries:
            top = entries[0]
            if valid(top):
                return top
            heapq.heappop(entries)
        return None

    def __iter__(self) -> Iterator[E]:
        return iter(self.entries)


AgentEntry = tuple[float, int, str]  # (idle_since, ready_seq, agent_id)
ContactEntry = tuple[float, int, int, str]  # (since, order, token, contact_id)


class ReadyAgentIndex:
    """Ready agents per ``(skill, site, proficiency)``, longest idle first."""

    def __init__(self, agents: dict[str, AgentRecord]) -> None:
        self._agents = agents
        self._heaps: dict[tuple[str, str, int], LazyHeap[AgentEntry]] = {}
        #: Per ``(skill, site)``: ``(proficiency, heap)`` of the heaps that exist, best first.
        self._levels: dict[tuple[str, str], list[tuple[int, LazyHeap[AgentEntry]]]] = {}
        #: Sites seen so far, in first-seen order.
        self.sites: dict[str, None] = {}
        #: Per pool ``(skill, min_proficiency)``: ``(proficiency, heap)`` of its heaps at every
        #: site (:meth:`best_in_pool`); emptied whenever a heap is made.
        self._pool_heaps: dict[tuple[str, int], list[tuple[int, LazyHeap[AgentEntry]]]] = {}

    def _valid(self, entry: AgentEntry) -> bool:
        agent = self._agents[entry[2]]
        return agent.state is _READY and agent.indexed and agent.ready_seq == entry[1]

    def add(self, agent: AgentRecord) -> None:
        """Index a ready agent under each of its skills."""
        agent.indexed = True
        site = agent.site
        if site not in self.sites:
            self.sites[site] = None
        entry = (agent.idle_since, agent.ready_seq, agent.agent_id)
        heaps = self._heaps
        for skill, proficiency in agent.skills.items():
            heap = heaps.get((skill, site, proficiency))
            if heap is None:
                heap = heaps[(skill, site, proficiency)] = LazyHeap()
                levels = self._levels.setdefault((skill, site), [])
                levels.append((proficiency, heap))
                levels.sort(key=lambda x: -x[0])
                self._pool_heaps.clear()
            entries = heap.entries  # LazyHeap.push, written out: an agent frees per call
            heapq.heappush(entries, entry)
            heap.live += 1
            if len(entries) > 2 * heap.live + _COMPACT_SLACK:
                heap.compact(self._valid)

    def remove(self, agent: AgentRecord) -> None:
        """Mark the agent's entries stale (call before it leaves ``ready``)."""
        if not agent.indexed:
            return
        agent.indexed = False
        site, heaps = agent.site, self._heaps
        for skill, proficiency in agent.skills.items():
            heaps[(skill, site, proficiency)].live -= 1

    def entries(self) -> int:
        """Entries in all heaps (live and stale): bounded by the compaction rule."""
        return sum(len(heap.entries) for heap in self._heaps.values())

    def count(self, skill: str, min_proficiency: int) -> int:
        """Ready agents with ``skill`` at ``min_proficiency`` or better, all sites."""
        return sum(
            self._heaps[(skill, site, level)].live
            for site in self.sites
            for level in range(min_proficiency, 6)
            if (skill, site, level) in self._heaps
        )

    def best_in_pool(
        self, skill: str, min_proficiency: int, by_proficiency: bool
    ) -> AgentRecord | None:
        """:meth:`best` of the one pool ``(skill, min_proficiency)`` at every site (a queue
        without expansion steps, a contact without a site or past its overflow): the same
        agent, from the pool's heaps listed once (not per site and level at every call)."""
        pool = self._pool_heaps.get((skill, min_proficiency))
        if pool is None:
            pool = self._pool_heaps[(skill, min_proficiency)] = [
                (proficiency, heap)
                for site in self.sites
                for proficiency, heap in self._levels.get((skill, site), ())
                if proficiency >= min_proficiency
            ]
        return self._best_of(pool, by_proficiency)

    def best(
        self,
        pools: Iterable[tuple[str, int]],
        sites: Iterable[str],
        by_proficiency: bool,
    ) -> AgentRecord | None:
        """The best ready agent with any ``(skill, ≥ min_proficiency)`` of ``pools`` at ``sites``.

        Order: ``(-proficiency, idle_since, ready_seq)`` when ``by_proficiency``,
        else ``(idle_since, ready_seq)``; ``ready_seq`` is unique, so ties are
        broken deterministically. Only the heaps that exist are looked at, each
        cleared of its stale head entries on the way (:meth:`LazyHeap.head`, inlined).
        """
        all_levels = self._levels
        sites = tuple(sites)
        return self._best_of([
            (proficiency, heap)
            for skill, min_proficiency in pools
            for site in sites
            for proficiency, heap in all_levels.get((skill, site), ())
            if proficiency >= min_proficiency
        ], by_proficiency)

    def _best_of(self, pool: Iterable[tuple[int, LazyHeap[AgentEntry]]],
                 by_proficiency: bool) -> AgentRecord | None:
        """The best ready agent at the heads of ``pool``'s heaps (order: :meth:`best`), each
        heap cleared of its stale head entries on the way (:meth:`LazyHeap.head`, inlined)."""
        best_key: tuple[float, ...] | None = None
        best_agent: AgentRecord | None = None
        agents, pop = self._agents, heapq.heappop
        for proficiency, heap in pool:
            entries = heap.entries
            while entries:
                top = entries[0]
                agent = agents[top[2]]
                if agent.ready_seq == top[1] and agent.indexed and agent.state is _READY:
                    break
                pop(entries)
            else:
                continue
            key: tuple[float, ...]
            if by_proficiency:
                key = (-proficiency, top[0], top[1])
            else:
                key = (top[0], top[1])
            if best_key is None or key < best_key:
                best_key, best_agent = key, agent
        return best_agent


class WaitingLines:
    """Waiting contacts per ``(queue, tier, site)`` in place order."""

    def __init__(self, contacts: dict[str, ContactRecord]) -> None:
        self._contacts = contacts
        self._lines: dict[tuple[str, str, str | None], LazyHeap[ContactEntry]] = {}
        self._by_queue: dict[str, list[tuple[str | None, LazyHeap[ContactEntry]]]] = {}

    def _valid(self, entry: ContactEntry) -> bool:
        contact = self._contacts.get(entry[3])
        return (
            contact is not None
            and contact.state is _QUEUED
            and contact.line is not None
            and contact.token == entry[2]
        )

    def add(self, contact: ContactRecord, token: int) -> None:
        """Put a queued contact in its line at its place (``since``, ``order``)."""
        key = (contact.queue, contact.tier, contact.site)
        heap = self._lines.get(key)
        if heap is None:
            heap = self._lines[key] = LazyHeap()
            self._by_queue.setdefault(contact.queue, []).append((contact.site, heap))
        contact.line = key
        contact.token = token
        heap.push((contact.since, contact.order, token, contact.contact_id), self._valid)

    def entries(self) -> int:
        """Entries in all lines (live and stale): bounded by the compaction rule."""
        return sum(len(heap.entries) for heap in self._lines.values())

    def remove(self, contact: ContactRecord) -> None:
        """Mark the contact's entry stale (call before it leaves its line)."""
        if contact.line is None:
            return
        self._lines[contact.line].live -= 1
        contact.line = None

    def heads(self, queue: str) -> list[tuple[str | None, ContactRecord]]:
        """``(site, head contact)`` of every non-empty line of ``queue``."""
        contacts, valid = self._contacts, self._valid
        out = []
        for site, heap in self._by_queue.get(queue, ()):
            entries = heap.entries
            if entries:
                top = heap.head(valid)
                if top is not None:
                    out.append((site, contacts[top[3]]))
        return out

    def members(self, queue: str) -> Iterator[ContactRecord]:
        """Every contact waiting in a line of ``queue`` (unordered; O(n), for snapshots)."""
        contacts = self._contacts
        for _site, heap in self._by_queue.get(queue, ()):
            for entry in heap:
                if self._valid(entry):
                    yield contacts[entry[3]]


class Matcher:
    """Who may take whom, and who is best: the eligibility and selection rules.

    Eligibility of an agent for a contact that arrived at ``since``, at ``now``:
    the agent has a pool's skill at its minimum proficiency, for a pool whose
    ``after_seconds`` has passed (``now ≥ since + after``: the queue's own pool
    at once, expansion steps later), and the contact has no site, or the same
    site as the agent, or ``now ≥ since + overflow_after_seconds``.

    * :meth:`best_agent_for` (a contact arrives or its pool widens): the best
      ready agent by the policy's selection rule, among the heads of the ready
      heaps of the contact's pools and sites.
    * :meth:`best_line_head_for` (an agent frees): the line head with the
      smallest priority key among the lines of the queues the agent serves,
      counting a line only if its head is eligible. Eligibility only grows with
      waiting time and the head of a line waited longest, so a line whose head
      is not eligible has no eligible contact.
    """

    def __init__(
        self,
        queues: Mapping[str, QueueConfig],
        policy: RoutingPolicy,
        agents: dict[str, AgentRecord],
        contacts: dict[str, ContactRecord],
    ) -> None:
        self.queues = queues
        self.policy = policy
        self.ready = ReadyAgentIndex(agents)
        self.lines = WaitingLines(contacts)
        self._by_proficiency = policy.selection == "proficiency_then_longest_idle"
        self._pools = {name: queue.pools() for name, queue in queues.items()}
        #: The queue's own pool ``(skill, min_proficiency)`` (eligible from the start) of the
        #: queues without expansion steps.
        self._single: dict[str, tuple[str, int]] = {
            name: (queue.skill, queue.min_proficiency)
            for name, queue in queues.items() if len(self._pools[name]) == 1
        }

    def best_agent_for(self, contact: ContactRecord, now: float) -> AgentRecord | None:
        """The best ready agent eligible for ``contact`` at ``now``, or None."""
        since, site = contact.since, contact.site
        sites: Iterable[str]
        if site is None:
            sites = self.ready.sites
        else:
            overflow = self.policy.overflow_after_seconds
            sites = self.ready.sites if overflow is not None and now >= since + overflow else (site,)
        single = self._single.get(contact.queue)
        if single is not None:  # no expansion steps: the queue's own pool, from the start
            if sites is self.ready.sites:
                return self.ready.best_in_pool(single[0], single[1], self._by_proficiency)
            return self.ready.best((single,), sites, self._by_proficiency)
        pools = [(skill, level) for after, skill, level in self._pools[contact.queue]
                 if now >= since + after]
        return self.ready.best(pools, sites, self._by_proficiency)

    def best_line_head_for(self, agent: AgentRecord, now: float) -> ContactRecord | None:
        """The highest-priority waiting contact (in a line) eligible for ``agent``, or None."""
        overflow = self.policy.overflow_after_seconds
        best: ContactRecord | None = None
        lines = self.lines
        by_queue, contacts, valid = lines._by_queue, lines._contacts, lines._valid
        for queue, threshold in agent.thresholds.items():
            for site, heap in by_queue.get(queue, ()):  # WaitingLines.heads, written out
                if not heap.entries:
                    continue
                top = heap.head(valid)
                if top is None:
                    continue
                head = contacts[top[3]]
                required = threshold
                if site is not None and site != agent.site:
                    if overflow is None:
                        continue
                    required = max(required, overflow)
                if now < head.since + required:
                    continue
                if best is None or head.key < best.key:
                    best = head
        return best
