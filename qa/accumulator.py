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
from routing.events import ContactArrived, Event

if TYPE_CHECKING:
    from qa.kpis import ServiceLevelDefinition


@dataclass
class KpiAccumulator:
    """Streaming KPIs: ``add(event)`` one at a time; read the figures at any moment.

    Counts are kept per ``(queue, tier)``; :meth:`counts` sums any selection. Uses the
    same :class:`RecordBuilder` and :class:`KpiCounts` as the batch path, so the
    wallboard and the reports cannot drift apart.
    """

    threshold_seconds: float = 20.0
    short_abandon_seconds: float = 5.0
    direction: str = "inbound"
    _builder: RecordBuilder = field(default_factory=RecordBuilder)
    _by_key: dict[tuple[str, str], KpiCounts] = field(default_factory=dict)
    _waiting: dict[str, ContactRecord] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        rec = self._builder.add(event)
        if rec is None or rec.direction != self.direction:
            return
        if isinstance(event, ContactArrived) and rec.wait_seconds is None:
            self._waiting[rec.contact_id] = rec
            return
        if rec.contact_id in self._waiting and rec.wait_seconds is not None:
            del self._waiting[rec.contact_id]
            key = (rec.queue, rec.tier)
            counts = self._by_key.setdefault(key, KpiCounts())
            counts.add_contact(
                rec.wait_seconds,
                rec.answered_at is not None,
                self.threshold_seconds,
                self.short_abandon_seconds,
            )
        if rec.wrap_up_ended_at is not None or (rec.abandoned_at is not None):
            self._builder.records.pop(rec.contact_id, None)  # done: keep memory bounded

    def counts(self, queue: str | None = None, tier: str | None = None) -> KpiCounts:
        total = KpiCounts()
        for (q, t), c in self._by_key.items():
            if (queue is None or q == queue) and (tier is None or t == tier):
                total = total + c
        return total

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
