"""Accuracy of a published forecast against what came: per day and interval, and each
day's WAPE, so that a planner sees drift.

    WAPE(day) = Σ_i |actual_i − forecast_i| / Σ_i actual_i     (intervals of that day)

A day counts only once it is fully in the history (its actuals known); days after the end of
the history are left out, so a snapshot gains days as time passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from wfm.history import FloatArray, IntervalHistory


@dataclass(frozen=True)
class DayAccuracy:
    """One day of a forecast against its actuals (``wape`` None when no call came)."""

    day: date
    starts: list[datetime]
    forecast: FloatArray
    actual: FloatArray
    wape: float | None

    @property
    def forecast_calls(self) -> float:
        return float(self.forecast.sum())

    @property
    def actual_calls(self) -> float:
        return float(self.actual.sum())


def compare(
    starts: Sequence[datetime], offered: Sequence[float], history: IntervalHistory
) -> list[DayAccuracy]:
    """The forecast ``offered`` at interval ``starts`` (naive local times of the history's
    grid) against ``history``, one :class:`DayAccuracy` per day the history covers."""
    if len(starts) != len(offered):
        raise ValueError(f"starts and offered differ in length: {len(starts)} != {len(offered)}")
    minutes = history.interval_minutes
    by_day: dict[date, list[tuple[int, datetime, float]]] = {}
    for start, value in zip(starts, offered, strict=True):
        local = start.replace(tzinfo=None)
        day = local.date()
        if not history.first_day <= day <= history.last_day:
            continue
        slot = (local.hour * 60 + local.minute) // minutes
        by_day.setdefault(day, []).append((slot, start, float(value)))
    out: list[DayAccuracy] = []
    for day in sorted(by_day):
        rows = sorted(by_day[day])
        slots = np.array([r[0] for r in rows])
        actual = history.offered[(day - history.first_day).days, slots]
        forecast = np.array([r[2] for r in rows])
        total = float(actual.sum())
        wape = float(np.abs(actual - forecast).sum()) / total if total > 0 else None
        out.append(DayAccuracy(day, [r[1] for r in rows], forecast, actual, wape))
    return out
