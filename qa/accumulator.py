"""Streaming KPIs for the wallboard: one event at a time, figures at any moment.

:class:`KpiAccumulator` folds events through the same :class:`~qa.records.RecordBuilder`
into the same :class:`~qa.counts.KpiCounts` as the batch path of :mod:`qa.kpis`, so the
wallboard and the reports cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qa.counts import KpiCounts
from qa.records import ContactRecord, RecordBuilder
from routing.events import ContactArrived, ContactTransferred, Event

if TYPE_CHECKING:
    from qa.kpis import ServiceLevelDefinition


@dataclass
class KpiAccumulator:
    """Streaming KPIs: ``add(event)`` one at a time; read the figures at any moment.

    Counts are kept per ``(queue, tier)``; :meth:`counts` sums any selection of contacts
    (by arrival queue, like the summary of :mod:`qa.kpis`); :meth:`leg_counts` does the
    same for transferred-in legs, and :meth:`queue_counts` adds both, as
    :func:`qa.counts.counts_by_queue` does. Uses the same :class:`RecordBuilder` and
    :class:`KpiCounts` as the batch path, so the wallboard and the reports cannot drift
    apart. A contact's record is dropped once its story is over (abandoned, or ended
    and wrapped up), not at the wrap-up after a transfer.
    """

    threshold_seconds: float = 20.0
    short_abandon_seconds: float = 5.0
    direction: str = "inbound"
    _builder: RecordBuilder = field(default_factory=RecordBuilder)
    _by_key: dict[tuple[str, str], KpiCounts] = field(default_factory=dict)
    _waiting: dict[str, ContactRecord] = field(default_factory=dict)
    _legs_by_key: dict[tuple[str, str], KpiCounts] = field(default_factory=dict)
    _in_leg: set[str] = field(default_factory=set)

    def add(self, event: Event) -> None:
        rec = self._builder.add(event)
        if rec is None or rec.direction != self.direction:
            return
        if isinstance(event, ContactArrived) and rec.wait_seconds is None:
            self._waiting[rec.contact_id] = rec
            return
        if rec.contact_id in self._waiting and rec.wait_seconds is not None:
            del self._waiting[rec.contact_id]
            counts = self._by_key.setdefault((rec.queue, rec.tier), KpiCounts())
            self._count(counts, rec.wait_seconds, rec.answered_at is not None)
        if isinstance(event, ContactTransferred):
            self._in_leg.add(rec.contact_id)
        elif rec.contact_id in self._in_leg and rec.legs and not rec.legs[-1].open:
            self._in_leg.discard(rec.contact_id)
            leg = rec.legs[-1]
            counts = self._legs_by_key.setdefault((leg.queue, rec.tier), KpiCounts())
            self._count(counts, leg.wait_seconds or 0.0, leg.answered_at is not None)
            counts.transferred_in += 1
        if _finished(rec):
            self._builder.records.pop(rec.contact_id, None)  # done: keep memory bounded

    def _count(self, counts: KpiCounts, wait: float, answered: bool) -> None:
        counts.add_contact(wait, answered, self.threshold_seconds, self.short_abandon_seconds)

    def counts(self, queue: str | None = None, tier: str | None = None) -> KpiCounts:
        total = KpiCounts()
        for (q, t), c in self._by_key.items():
            if (queue is None or q == queue) and (tier is None or t == tier):
                total = total + c
        return total

    def leg_counts(self, queue: str | None = None, tier: str | None = None) -> KpiCounts:
        """Transferred-in legs whose wait ended, by the leg's queue (see :mod:`qa.kpis`)."""
        total = KpiCounts()
        for (q, t), c in self._legs_by_key.items():
            if (queue is None or q == queue) and (tier is None or t == tier):
                total = total + c
        return total

    def queue_counts(self, queue: str, tier: str | None = None) -> KpiCounts:
        """Every leg waited in ``queue``: arrivals plus transferred-in legs (per-queue KPIs)."""
        return self.counts(queue, tier) + self.leg_counts(queue, tier)

    def by_key(self) -> Mapping[tuple[str, str], KpiCounts]:
        return dict(self._by_key)

    def waiting(self, queue: str | None = None) -> list[ContactRecord]:
        """Contacts still waiting (arrived, neither answered nor abandoned), oldest first."""
        return [r for r in self._waiting.values() if queue is None or r.queue == queue]

    def longest_wait_seconds(self, now: float, queue: str | None = None) -> float:
        """``now - arrived_at`` of the oldest waiting contact; 0 if none waits."""
        waiting = self.waiting(queue)
        return max((now - r.arrived_at for r in waiting), default=0.0)

    def service_level(
        self,
        definition: ServiceLevelDefinition = "answered_of_offered",
        queue: str | None = None,
        tier: str | None = None,
    ) -> float:
        # qa.kpis re-exports this class, so its formulas are imported when first used.
        from qa.kpis import service_level

        return service_level(self.counts(queue, tier), definition)


def _finished(rec: ContactRecord) -> bool:
    """The contact's story is over: it abandoned (in its last leg), or it ended and the
    last agent wrapped up."""
    if rec.abandoned_at is not None or (rec.legs and rec.legs[-1].abandoned_at is not None):
        return True
    ended, wrapped = rec.ended_at, rec.wrap_up_ended_at
    return ended is not None and wrapped is not None and wrapped >= ended
