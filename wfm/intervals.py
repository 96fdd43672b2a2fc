"""Interval bucketing of contact history: calls offered and AHT per interval of arrival.

A contact is counted in the interval ``[m + k L, m + (k+1) L)`` holding its arrival, ``m`` the
local midnight of its day and ``L`` the interval length (``interval_minutes``): intervals are
aligned to midnight on the clock the times are given in (the center's local time, naive).
AHT of an interval is the mean handle time (talk, hold and wrap-up) of its contacts whose
handle time is known and positive (the answered ones), NaN when none is::

    offered_k = #contacts arrived in interval k
    aht_k     = sum(handle of answered in k) / #answered in k with a known handle

Only intervals with at least one arrival are returned (in time order); filling the empty
ones with 0 is :func:`wfm.history.from_records`' business.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Longest interval: a day (intervals are aligned to midnight).
MAX_INTERVAL_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class IntervalTotals:
    """Per interval with arrivals: its start, the calls offered and the AHT (NaN: unknown)."""

    starts: list[datetime]
    offered: list[float]
    aht_seconds: list[float]


def interval_start(at: datetime, interval_minutes: int) -> datetime:
    """Start of the interval (aligned to ``at``'s midnight) that holds ``at``."""
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=interval_minutes)
    return midnight + step * ((at - midnight) // step)


def bucket_contacts(
    contacts: Iterable[tuple[datetime, float | None]], interval_minutes: int
) -> IntervalTotals:
    """Offered calls and AHT per interval of ``(arrived_at, handle_seconds)`` pairs
    (``handle_seconds`` None when not answered or not known; module docstring)."""
    if not (isinstance(interval_minutes, int) and 0 < interval_minutes <= MAX_INTERVAL_MINUTES):
        raise ValueError(
            f"interval_minutes must be 1..{MAX_INTERVAL_MINUTES}, got {interval_minutes!r}")
    counts: dict[datetime, float] = {}
    work: dict[datetime, float] = {}
    handled: dict[datetime, int] = {}
    for arrived, handle in contacts:
        start = interval_start(arrived, interval_minutes)
        counts[start] = counts.get(start, 0.0) + 1
        if handle is not None and math.isfinite(handle) and handle > 0:
            work[start] = work.get(start, 0.0) + float(handle)
            handled[start] = handled.get(start, 0) + 1
    starts = sorted(counts)
    aht = [work[s] / handled[s] if handled.get(s) else math.nan for s in starts]
    return IntervalTotals(starts, [counts[s] for s in starts], aht)
