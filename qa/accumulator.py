"""Streaming KPIs for the wallboard: one event at a time, figures at any moment.

:class:`KpiAccumulator` folds events through the same :class:`~qa.records.RecordBuilder`
into the same :class:`~qa.counts.KpiCounts` as the batch path of :mod:`qa.kpis`, so the
wallboard and the reports cannot drift apart.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from qa.counts import KpiCounts
from qa.kpis import ServiceLevelDefinition, service_level
from qa.outcomes import (
    FCR_DAYS,
    FcrTracker,
    OutcomeCounts,
    fcr_eligible,
    outcome_of,
    row_of_record,
)
from qa.records import ContactRecord, Outcome, RecordBuilder
from routing.events import (
    ComplaintRecorded,
    Event,
    OfferRecorded,
    SelfServiceEnded,
    ServiceLevelGoals,
    SurveyAnswered,
)

#: Events that may come after a contact's story is over (a survey answered later): they
#: still change the contact's outcome figures (:mod:`qa.outcomes`).
LATE_OUTCOME_EVENTS: tuple[type[Event], ...] = (OfferRecorded, ComplaintRecorded, SurveyAnswered)
#: Finished contacts kept for their late outcome events (the oldest go first): a few hours
#: of a busy center; a later outcome event counts in the batch figures only.
KEPT_CLOSED = 20_000


@dataclass
class KpiAccumulator:
    """Streaming KPIs: ``add(event)`` one at a time; read the figures at any moment.

    Counts are kept per ``(queue, tier)``; :meth:`counts` sums any selection of contacts
    (by arrival queue, like the summary of :mod:`qa.kpis`); :meth:`leg_counts` does the
    same for transferred-in legs, and :meth:`queue_counts` adds both, as
    :func:`qa.counts.counts_by_queue` does. Uses the same :class:`RecordBuilder` and
    :class:`KpiCounts` as the batch path, so the wallboard and the reports cannot drift
    apart. A contact's record is dropped once its story is over (abandoned, or ended
    and wrapped up), not at the wrap-up after a transfer. A failed callback counts in
    ``callback_failed`` (offered, neither answered nor abandoned). A contact's handle time
    (:attr:`~qa.records.ContactRecord.handle_seconds`) is counted (``handled``,
    ``handle_seconds``) under its arrival queue and tier when its story is over, so AHT
    is the batch path's.

    Threshold ``T``: with ``goals``, each wait is held to the goal of its (queue, tier)
    (:class:`routing.events.ServiceLevelGoals`, the table the reports read too); without,
    every wait to ``threshold_seconds``.

    Outcome figures (:mod:`qa.outcomes`: sales, complaints, surveys, FCR, transfers, talk
    time, self-service) are kept per ``(queue, tier)`` of the contact's arrival, for every
    direction (outbound dials give the positive-response ratio), self-service ends under
    ``(queue, "")``: each contact's :func:`~qa.outcomes.outcome_of` is added as it changes
    (the earlier contribution taken back), so :meth:`outcomes` equals
    :func:`qa.outcomes.outcomes_from_events` on the same events. A finished contact is kept
    (the last :data:`KEPT_CLOSED`) for its late outcome events (:data:`LATE_OUTCOME_EVENTS`).
    """

    threshold_seconds: float = 20.0
    short_abandon_seconds: float = 5.0
    direction: str = "inbound"
    goals: ServiceLevelGoals | None = None
    _builder: RecordBuilder = field(default_factory=RecordBuilder)
    _by_key: dict[tuple[str, str], KpiCounts] = field(default_factory=dict)
    _waiting: dict[str, ContactRecord] = field(default_factory=dict)
    _legs_by_key: dict[tuple[str, str], KpiCounts] = field(default_factory=dict)
    #: what is counted now for each wait (a contact's arrival leg, ``(id, -1)``, or its
    #: leg ``(id, i)``): ``(counts key, wait, outcome)``; a callback's answer can be taken
    #: back by a later ``DialResult``, and the counts follow
    _counted: dict[tuple[str, int], tuple[tuple[str, str], float, Outcome]] = field(
        default_factory=dict)
    fcr_days: float = FCR_DAYS
    _outcomes: dict[tuple[str, str], OutcomeCounts] = field(default_factory=dict)
    _contribution: dict[str, OutcomeCounts] = field(default_factory=dict)
    _closed: OrderedDict[str, ContactRecord] = field(default_factory=OrderedDict)
    _fcr: FcrTracker | None = None
    _fcr_filed: set[str] = field(default_factory=set)

    def add(self, event: Event) -> None:
        if isinstance(event, SelfServiceEnded):
            cell = self._outcomes.setdefault((event.queue, ""), OutcomeCounts())
            cell.self_service_entered += 1
            cell.self_service_completed += event.completed
        cid = getattr(event, "contact_id", "")
        closed = None
        if isinstance(event, LATE_OUTCOME_EVENTS) and cid not in self._builder.records:
            closed = self._closed.pop(cid, None)
            if closed is not None:
                self._builder.records[cid] = closed
        rec = self._builder.add(event)
        if rec is None:
            return
        self._count_outcome(rec)
        if closed is not None:  # its waits and handle time are counted already
            self._builder.records.pop(cid, None)
            self._close(rec)
            return
        if rec.direction != self.direction:
            return
        self._settle((cid, -1), (rec.queue, rec.tier), rec.wait_seconds, rec.outcome)
        if rec.outcome is None or (rec.legs and rec.legs[-1].open):
            self._waiting[cid] = rec
        else:
            self._waiting.pop(cid, None)
        for i, leg in enumerate(rec.legs):
            self._settle((cid, i), (leg.queue, rec.tier), leg.wait_seconds, leg.outcome)
        if rec.finished:
            handle = rec.handle_seconds
            if handle is not None:
                counts = self._by_key.setdefault((rec.queue, rec.tier), KpiCounts())
                counts.handled += 1
                counts.handle_seconds += handle
            self._builder.records.pop(cid, None)  # done: keep memory bounded
            for i in range(-1, len(rec.legs)):
                self._counted.pop((cid, i), None)
            self._close(rec)

    def _close(self, rec: ContactRecord) -> None:
        """Keep a finished contact for its late outcome events (the last KEPT_CLOSED)."""
        self._closed[rec.contact_id] = rec
        while len(self._closed) > KEPT_CLOSED:
            old, _ = self._closed.popitem(last=False)
            self._contribution.pop(old, None)

    def _count_outcome(self, rec: ContactRecord) -> None:
        """Make the outcome sums hold the contact as it is now (:mod:`qa.outcomes`)."""
        key = (rec.queue, rec.tier)
        row = row_of_record(rec)
        now = outcome_of(row)
        before = self._contribution.get(rec.contact_id)
        if before != now:
            cell = self._outcomes.get(key, OutcomeCounts())
            self._outcomes[key] = cell + now - before if before is not None else cell + now
            self._contribution[rec.contact_id] = now
        if rec.contact_id not in self._fcr_filed and fcr_eligible(row):
            self._fcr_filed.add(rec.contact_id)
            self.fcr.add(row.customer or "", row.reason or "", row.arrived_at, key)

    @property
    def fcr(self) -> FcrTracker:
        if self._fcr is None:
            self._fcr = FcrTracker(self.fcr_days)
        return self._fcr

    def outcomes(self, queue: str | None = None, tier: str | None = None) -> OutcomeCounts:
        """Outcome sums of the contacts that arrived in ``queue`` with ``tier`` (None: any;
        self-service ends have the tier ``""``), FCR included."""
        total = OutcomeCounts()
        keys = set(self._outcomes) | set(self.fcr.counts)
        for key in keys:
            q, t = key  # type: ignore[misc]
            if (queue is None or q == queue) and (tier is None or t == tier):
                total = total + self._outcomes.get(key, OutcomeCounts())  # type: ignore[arg-type]
                total.fcr_eligible += self.fcr.of(key)[0]
                total.fcr_repeated += self.fcr.of(key)[1]
        return total

    def outcomes_by_key(self) -> dict[tuple[str, str], OutcomeCounts]:
        """Outcome sums per ``(queue, tier)`` (FCR included), as
        :func:`qa.outcomes.outcomes_from_events` gives them."""
        keys = set(self._outcomes) | set(self.fcr.counts)
        return {k: self.outcomes(*k) for k in keys}  # type: ignore[misc]

    def _settle(
        self,
        wait_id: tuple[str, int],
        key: tuple[str, str],
        wait: float | None,
        outcome: Outcome | None,
    ) -> None:
        """Make the counts hold this wait as it is now (ended, or not yet / no longer).
        ``wait_id`` ``(contact, -1)`` is a contact's arrival leg, ``(contact, i)`` its
        transferred-in leg ``i``."""
        now = None if outcome is None or wait is None else (key, wait, outcome)
        before = self._counted.get(wait_id)
        if now == before:
            return
        if before is not None:
            self._count(wait_id[1] >= 0, *before, weight=-1)
            del self._counted[wait_id]
        if now is not None:
            self._count(wait_id[1] >= 0, *now, weight=1)
            self._counted[wait_id] = now

    def _count(
        self,
        transferred_in: bool,
        key: tuple[str, str],
        wait: float,
        outcome: Outcome,
        weight: int,
    ) -> None:
        table = self._legs_by_key if transferred_in else self._by_key
        counts = table.setdefault(key, KpiCounts())
        counts.add_contact(wait, outcome == "answered", self.threshold_of(*key),
                           self.short_abandon_seconds,
                           callback_failed=outcome == "callback_failed", weight=weight)
        if transferred_in:
            counts.transferred_in += weight

    def threshold_of(self, queue: str, tier: str) -> float:
        """``T`` of a wait in ``queue`` by a caller of ``tier`` (class docstring)."""
        if self.goals is None:
            return self.threshold_seconds
        return self.goals.threshold_seconds(queue, tier)

    def counts(self, queue: str | None = None, tier: str | None = None) -> KpiCounts:
        return _sum(self._by_key, queue, tier)

    def leg_counts(self, queue: str | None = None, tier: str | None = None) -> KpiCounts:
        """Transferred-in legs whose wait ended, by the leg's queue (see :mod:`qa.kpis`)."""
        return _sum(self._legs_by_key, queue, tier)

    def queue_counts(self, queue: str, tier: str | None = None) -> KpiCounts:
        """Every leg waited in ``queue``: arrivals plus transferred-in legs (per-queue KPIs)."""
        return self.counts(queue, tier) + self.leg_counts(queue, tier)

    def by_key(self) -> Mapping[tuple[str, str], KpiCounts]:
        return dict(self._by_key)

    def leg_by_key(self) -> Mapping[tuple[str, str], KpiCounts]:
        """Transferred-in legs whose wait ended, per (leg queue, tier)."""
        return dict(self._legs_by_key)

    def waiting(self, queue: str | None = None) -> list[ContactRecord]:
        """Contacts still waiting (arrived, neither answered nor abandoned; or transferred
        and not answered nor abandoned in their new leg yet), in the queue they wait in now
        (:attr:`~qa.records.ContactRecord.queue_now`), longest waiting first
        (:func:`waiting_since`).

        A callback whose dial did not reach the customer waits again (see
        :class:`~qa.records.ContactRecord`)."""
        out = [r for r in self._waiting.values() if queue is None or r.queue_now == queue]
        return sorted(out, key=waiting_since)

    def longest_wait_seconds(self, now: float, queue: str | None = None) -> float:
        """``now - waiting_since`` of the contact waiting longest; 0 if none waits."""
        waiting = self.waiting(queue)
        return max((now - waiting_since(r) for r in waiting), default=0.0)

    def service_level(
        self,
        definition: ServiceLevelDefinition = "answered_of_offered",
        queue: str | None = None,
        tier: str | None = None,
    ) -> float:
        return service_level(self.counts(queue, tier), definition)


def waiting_since(rec: ContactRecord) -> float:
    """When the current wait of a waiting contact started: its transfer into its open leg,
    else its arrival."""
    if rec.legs and rec.legs[-1].open:
        return rec.legs[-1].started_at
    return rec.arrived_at


def _sum(
    table: dict[tuple[str, str], KpiCounts], queue: str | None, tier: str | None
) -> KpiCounts:
    """The counts of ``table``'s (queue, tier) keys that match (None matches any)."""
    total = KpiCounts()
    for (q, t), c in table.items():
        if (queue is None or q == queue) and (tier is None or t == tier):
            total = total + c
    return total
