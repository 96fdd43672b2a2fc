"""The sums every KPI needs, counted over contact records.

:class:`~qa.records.ContactTable` ──▶ :class:`KpiCounts` (per group: all contacts, an
arrival interval, a queue or a tier) and :class:`~qa.records.ContactRecord` s ──▶
:class:`CallbackCounts`. The formulas over these sums are in :mod:`qa.kpis`; adding two
:class:`KpiCounts` adds the sums, so figures of any grouping come from the same counts.

This module imports only numpy and :mod:`qa.records`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np

from qa.records import BoolArray, ContactRecord, ContactTable, FloatArray, IntArray


def ratio(num: float, den: float) -> float:
    """``num / den``, NaN when nothing was counted (``den`` 0): a rate of nothing is unknown."""
    return num / den if den > 0 else math.nan

# --- the sums every KPI needs ------------------------------------------------------


@dataclass(slots=True)
class KpiCounts:
    """The sums behind every contact KPI, for one group of contacts. Adding two adds the sums.

    ``offered = answered + abandoned + unserved + callback_failed`` (``unserved``: still
    waiting when a closed table was closed; always 0 live; ``callback_failed``: accepted
    callbacks closed without reaching the customer, neither answered nor abandoned);
    ``wait_answered_seconds`` is the sum of the waits of answered contacts,
    ``wait_all_seconds`` that over all offered contacts (unserved ones with their censored
    wait, failed callbacks with their wait until the close; a wait that is not known adds
    nothing). ``transferred_in``: how many of the offered are transferred-in legs
    (per-queue counts only, :func:`counts_by_queue`). ``handled`` answered contacts have a
    known handle time (talk, hold and wrap-up), ``handle_seconds`` is its sum (0 when the
    table carries no handle times).
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
    callback_failed: int = 0
    handled: int = 0
    handle_seconds: float = 0.0

    def __add__(self, other: KpiCounts) -> KpiCounts:
        return KpiCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def add_contact(
        self, wait: float, answered: bool, threshold: float, short: float,
        *, callback_failed: bool = False, weight: int = 1,
    ) -> None:
        """Count one contact whose wait ended: answered, a failed callback if
        ``callback_failed``, else abandoned. ``weight=-1`` takes back a contact counted
        before with the same arguments (a callback's answer its dial did not confirm)."""
        self.offered += weight
        self.wait_all_seconds += weight * wait
        if answered:
            self.answered += weight
            self.wait_answered_seconds += weight * wait
            self.answered_within += weight * (wait <= threshold)
        elif callback_failed:
            self.callback_failed += weight
        else:
            self.abandoned += weight
            self.abandoned_within += weight * (wait <= threshold)
            self.short_abandoned += weight * (wait < short)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def counts_by_group(
    table: ContactTable,
    group_index: IntArray,
    n_groups: int,
    threshold_seconds: float | FloatArray,
    short_abandon_seconds: float = 0.0,
) -> list[KpiCounts]:
    """:class:`KpiCounts` of each group ``0 .. n_groups-1`` of the rows of ``table``, in one
    pass (``np.bincount``); rows whose ``group_index`` is negative are left out.

    ``threshold_seconds`` ``T`` is one number, or one per row (each contact's own SL
    goal: a VIP caller's 10 s and a general caller's 20 s in one queue). Per group, with
    ``w`` the wait of a contact::

        offered          = #answered + #abandoned + #unserved + #callback_failed
        answered_within  = #answered with w <= T        abandoned_within = #abandoned with w <= T
        short_abandoned  = #abandoned with w < S
        wait_answered    = sum of w over answered       wait_all = sum of w over offered
        handled          = #answered with a known handle time, handle_seconds its sum

    Counts the rows of ``table`` only (its ``transfer_legs`` are counted by
    :func:`counts_by_queue`).
    """
    n = len(table)
    group = np.asarray(group_index, dtype=np.int64)
    if group.shape != (n,):
        raise ValueError(f"group_index has {group.size} rows, the table has {n}")
    if n and group.max(initial=-1) >= n_groups:
        raise ValueError(f"group_index must be < n_groups = {n_groups}")
    threshold = np.broadcast_to(np.asarray(threshold_seconds, dtype=np.float64), (n,))
    keep = group >= 0
    wait = table.wait_seconds
    known = ~np.isnan(wait)
    ans, ab, failed, un = table.answered, table.abandoned, table.failed, table.unserved
    handle = table.handle_seconds
    has_handle = np.zeros(n, np.bool_) if handle is None else ans & ~np.isnan(handle)

    def number(mask: BoolArray) -> list[int]:
        return [int(x) for x in np.bincount(group[mask & keep], minlength=n_groups)]

    def total(mask: BoolArray, values: FloatArray | None) -> list[float]:
        if values is None:
            return [0.0] * n_groups
        sel = mask & keep
        return [float(x) for x in np.bincount(group[sel], values[sel], minlength=n_groups)]

    with np.errstate(invalid="ignore"):
        within, short = wait <= threshold, wait < short_abandon_seconds
    offered_rows = ans | ab | un | failed
    offered, unserved, callback_failed = number(offered_rows), number(un), number(failed)
    answered, answered_within = number(ans), number(ans & within)
    abandoned, abandoned_within = number(ab), number(ab & within)
    short_abandoned = number(ab & short)
    wait_answered, wait_all = total(ans & known, wait), total(offered_rows & known, wait)
    handled, handle_sum = number(has_handle), total(has_handle, handle)
    return [
        KpiCounts(
            offered=offered[g], answered=answered[g], abandoned=abandoned[g],
            answered_within=answered_within[g], abandoned_within=abandoned_within[g],
            short_abandoned=short_abandoned[g], wait_answered_seconds=wait_answered[g],
            wait_all_seconds=wait_all[g], unserved=unserved[g],
            callback_failed=callback_failed[g], handled=handled[g], handle_seconds=handle_sum[g],
        )
        for g in range(n_groups)
    ]


def count_contacts(
    table: ContactTable,
    threshold_seconds: float | FloatArray,
    short_abandon_seconds: float = 0.0,
    mask: BoolArray | None = None,
) -> KpiCounts:
    """:class:`KpiCounts` of the contacts of ``table`` selected by ``mask`` (all by default);
    the sums of :func:`counts_by_group` for one group.

    Counts the rows of ``table`` only (its ``transfer_legs`` are counted by
    :func:`counts_by_queue`)."""
    n = len(table)
    group = np.zeros(n, np.int64) if mask is None else np.where(mask, 0, -1)
    return counts_by_group(table, group, 1, threshold_seconds, short_abandon_seconds)[0]


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
    inside = (idx >= 0) & (idx < n_intervals)
    if mask is not None:
        inside &= mask
    group = np.where(inside, idx, -1)
    return counts_by_group(table, group, n_intervals, threshold_seconds, short_abandon_seconds)


def counts_by_queue(
    table: ContactTable, threshold_seconds: float, short_abandon_seconds: float = 0.0
) -> dict[str, KpiCounts]:
    """:class:`KpiCounts` per queue over every leg waited in it: the contacts that arrived
    in the queue, plus the legs transferred into it (``table.transfer_legs``, their wait
    from the transfer; counted in ``transferred_in`` too). See :mod:`qa.kpis`."""
    n = len(table.queues)
    out = counts_by_group(table, table.queue_index, n, threshold_seconds, short_abandon_seconds)
    legs = table.transfer_legs
    if legs is not None:
        moved = counts_by_group(legs, legs.queue_index, n, threshold_seconds,
                                short_abandon_seconds)
        for i, m in enumerate(moved):
            m.transferred_in = m.offered
            out[i] = out[i] + m
    return dict(zip(table.queues, out, strict=True))


def counts_by_tier(
    table: ContactTable, threshold_seconds: float, short_abandon_seconds: float = 0.0
) -> dict[str, KpiCounts]:
    out = counts_by_group(table, table.tier_index, len(table.tiers), threshold_seconds,
                          short_abandon_seconds)
    return dict(zip(table.tiers, out, strict=True))


# --- callbacks ------------------------------------------------------------------------


@dataclass(slots=True)
class CallbackCounts:
    """Sums behind the callback figures: callers ``offered`` a callback, ``accepted``
    (``CallbackScheduled``); of the accepted, those ``answered`` (the dial reached the
    customer) with the sum of their :attr:`ContactRecord.callback_wait_seconds`, and those
    ``failed`` (closed after the last dial did not reach the customer:
    ``ContactEnded(reason="callback_failed")``). The rest, :attr:`pending`, are still
    waiting or being dialled.

    An accepted callback cannot abandon (the engine ignores ``abandon`` for it); it is
    answered, failed or pending, so it never counts in ``B``.
    """

    offered: int = 0
    accepted: int = 0
    answered: int = 0
    wait_seconds: float = 0.0
    failed: int = 0

    def __add__(self, other: CallbackCounts) -> CallbackCounts:
        return CallbackCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )

    @property
    def pending(self) -> int:
        """Accepted callbacks neither answered nor failed yet: ``accepted - answered - failed``."""
        return self.accepted - self.answered - self.failed


def count_callbacks(records: Iterable[ContactRecord], direction: str = "inbound") -> CallbackCounts:
    """:class:`CallbackCounts` over the records with ``direction``."""
    c = CallbackCounts()
    for r in records:
        if r.direction != direction:
            continue
        c.offered += r.callback_offered
        c.accepted += r.callback
        c.failed += r.callback and r.callback_failed
        w = r.callback_wait_seconds
        if w is not None:
            c.answered += 1
            c.wait_seconds += w
    return c
