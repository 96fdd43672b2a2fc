"""Intraday: agents the published roster puts on the phones per interval, against the requirement.

Scheduled agents in interval ``k`` (``[k L, (k+1) L)``, ``L`` = ``interval_minutes``) are
the working minutes of all shifts inside it divided by ``L``: an agent working the whole
interval counts 1, one working 10 of 30 minutes counts 1/3 (the convention of ROSTER.json's
``coverage``). Working time is shift time outside its non-work activities (break, lunch,
meeting, ...). The shortfall is ``max(0, required − scheduled)`` per interval: where the day
goes short, in agents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

#: Most intervals a view may have (a week of 5-minute intervals).
MAX_INTERVALS = 7 * 288


def work_spans(
    start: float, end: float, activities: Iterable[tuple[float, float]]
) -> list[tuple[float, float]]:
    """``[start, end)`` less the activities (minutes), as ordered disjoint spans."""
    spans = [(start, end)]
    for lo, hi in sorted(activities):
        out: list[tuple[float, float]] = []
        for a, b in spans:
            if hi <= a or lo >= b:
                out.append((a, b))
                continue
            if lo > a:
                out.append((a, lo))
            if hi < b:
                out.append((hi, b))
        spans = out
    return spans


def scheduled_agents(
    spans: Iterable[tuple[float, float]], interval_minutes: float, n_intervals: int
) -> NDArray[np.float64]:
    """Agents working per interval: working minutes inside each interval / its length.

    ``spans`` are working spans in minutes from the first interval's start; parts outside
    ``[0, n_intervals × interval_minutes)`` are ignored.
    """
    if interval_minutes <= 0:
        raise ValueError(f"interval_minutes must be > 0, got {interval_minutes}")
    if not 0 < n_intervals <= MAX_INTERVALS:
        raise ValueError(f"n_intervals must be in [1, {MAX_INTERVALS}], got {n_intervals}")
    edges = np.arange(n_intervals + 1, dtype=np.float64) * interval_minutes
    minutes = np.zeros(n_intervals, dtype=np.float64)
    for lo, hi in spans:
        overlap = np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo)
        minutes += np.clip(overlap, 0.0, None)
    return minutes / interval_minutes


def shortfall(required: Sequence[float], scheduled: Sequence[float]) -> NDArray[np.float64]:
    """``max(0, required − scheduled)`` per interval (agents short)."""
    r = np.asarray(required, dtype=np.float64)
    s = np.asarray(scheduled, dtype=np.float64)
    if r.shape != s.shape:
        raise ValueError(f"required and scheduled differ in length: {r.shape} vs {s.shape}")
    return np.clip(r - s, 0.0, None)
