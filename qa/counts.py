"""The sums every KPI needs, counted over contact records.

:class:`~qa.records.ContactTable` ──▶ :class:`KpiCounts` (per group: all contacts, an
arrival interval, a queue or a tier) and :class:`~qa.records.ContactRecord` s ──▶
:class:`CallbackCounts`. The formulas over these sums are in :mod:`qa.kpis`; adding two
:class:`KpiCounts` adds the sums, so figures of any grouping come from the same counts.

This module imports only numpy and :mod:`qa.records`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np

from qa.records import BoolArray, ContactRecord, ContactTable, FloatArray, IntArray

# --- the sums every KPI needs ------------------------------------------------------


@dataclass(slots=True)
class KpiCounts:
    """The sums behind every contact KPI, for one group of contacts. Adding two adds the sums.

    ``offered = answered + abandoned + unserved`` (``unserved``: still waiting when a
    closed table was closed; always 0 live); ``wait_answered_seconds`` is the sum of the
    waits of answered contacts, ``wait_all_seconds`` that over all offered contacts
    (unserved ones with their censored wait). ``transferred_in``: how many of the offered
    are transferred-in legs (per-queue counts only, :func:`counts_by_queue`).
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0
    wait_answered_seconds: float = 0.0
    wait_all_seconds: float = 0.0
    unserved: int = 0
    transferred_in: int = 0

    def __add__(self, other: KpiCounts) -> KpiCounts:
        return KpiCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def add_contact(self, wait: float, answered: bool, threshold: float, short: float) -> None:
        """Count one contact whose wait ended (answered, or abandoned if not ``answered``)."""
        self.offered += 1
        self.wait_all_seconds += wait
        if answered:
            self.answered += 1
            self.wait_answered_seconds += wait
            self.answered_within += wait <= threshold
        else:
            self.abandoned += 1
            self.abandoned_within += wait <= threshold
            self.short_abandoned += wait < short

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def count_contacts(
    table: ContactTable,
    threshold_seconds: float,
    short_abandon_seconds: float = 0.0,
    mask: BoolArray | None = None,
) -> KpiCounts:
    """:class:`KpiCounts` of the contacts of ``table`` selected by ``mask`` (all by default).

    Counts the rows of ``table`` only (its ``transfer_legs`` are counted by
    :func:`counts_by_queue`)."""
    ans, ab, un, wait = table.answered, table.abandoned, table.unserved, table.wait_seconds
    if mask is not None:
        ans, ab, un, wait = ans[mask], ab[mask], un[mask], wait[mask]
    wa, wb, wu = wait[ans], wait[ab], wait[un]
    return KpiCounts(
        offered=int(ans.sum() + ab.sum() + un.sum()),
        answered=int(ans.sum()),
        abandoned=int(ab.sum()),
        answered_within=int((wa <= threshold_seconds).sum()),
        abandoned_within=int((wb <= threshold_seconds).sum()),
        short_abandoned=int((wb < short_abandon_seconds).sum()),
        wait_answered_seconds=float(wa.sum()),
        wait_all_seconds=float(wa.sum() + wb.sum() + wu.sum()),
        unserved=int(un.sum()),
    )


def interval_index(at: FloatArray, interval_seconds: float, start: float = 0.0) -> IntArray:
    """Index of the interval ``floor((at - start) / interval_seconds)`` each time falls in."""
    return np.floor((np.asarray(at) - start) / interval_seconds).astype(np.int64)


def counts_by_interval(
    table: ContactTable,
    interval_seconds: float,
    n_intervals: int,
    threshold_seconds: float,
    short_abandon_seconds: float = 0.0,
    mask: BoolArray | None = None,
) -> list[KpiCounts]:
    """:class:`KpiCounts` per arrival interval ``0 .. n_intervals-1`` (clock starts at 0)."""
    idx = interval_index(table.arrived_at, interval_seconds)
    base = np.ones(len(table), dtype=np.bool_) if mask is None else mask
    return [
        count_contacts(table, threshold_seconds, short_abandon_seconds, base & (idx == k))
        for k in range(n_intervals)
    ]


def counts_by_queue(
    table: ContactTable, threshold_seconds: float, short_abandon_seconds: float = 0.0
) -> dict[str, KpiCounts]:
    """:class:`KpiCounts` per queue over every leg waited in it: the contacts that arrived
    in the queue, plus the legs transferred into it (``table.transfer_legs``, their wait
    from the transfer; counted in ``transferred_in`` too). See :mod:`qa.kpis`."""
    out = {}
    legs = table.transfer_legs
    for i, q in enumerate(table.queues):
        c = count_contacts(table, threshold_seconds, short_abandon_seconds, table.queue_index == i)
        if legs is not None:
            moved = count_contacts(
                legs, threshold_seconds, short_abandon_seconds, legs.queue_index == i
            )
            moved.transferred_in = moved.offered
            c = c + moved
        out[q] = c
    return out


def counts_by_tier(
    table: ContactTable, threshold_seconds: float, short_abandon_seconds: float = 0.0
) -> dict[str, KpiCounts]:
    return {
        t: count_contacts(table, threshold_seconds, short_abandon_seconds, table.tier_index == i)
        for i, t in enumerate(table.tiers)
    }


# --- callbacks ------------------------------------------------------------------------


@dataclass(slots=True)
class CallbackCounts:
    """Sums behind the callback figures: callers ``offered`` a callback, ``accepted``
    (``CallbackScheduled``), accepted callbacks ``answered`` and the sum of their
    :attr:`ContactRecord.callback_wait_seconds`.

    An accepted callback cannot abandon (the engine ignores ``abandon`` for it); it is
    answered or still waiting, so it never counts in ``B``.
    """

    offered: int = 0
    accepted: int = 0
    answered: int = 0
    wait_seconds: float = 0.0


def count_callbacks(records: Iterable[ContactRecord], direction: str = "inbound") -> CallbackCounts:
    """:class:`CallbackCounts` over the records with ``direction``."""
    c = CallbackCounts()
    for r in records:
        if r.direction != direction:
            continue
        c.offered += r.callback_offered
        c.accepted += r.callback
        w = r.callback_wait_seconds
        if w is not None:
            c.answered += 1
            c.wait_seconds += w
    return c
