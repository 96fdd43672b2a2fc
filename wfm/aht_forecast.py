"""Handle time (AHT) per interval: a credibility-weighted forecast and its backtest.

The AHT of an interval with few calls is noisy (a single long call doubles it), so each
level is shrunk toward the one above it, as ``(Σ aht·calls + k·prior) / (Σ calls + k)``
with ``k`` = :data:`AHT_PRIOR_CALLS` (an interval needs about that many answered calls
before its own AHT counts half):

1. ``overall``: the call-weighted mean AHT of the last four weeks;
2. the interval-of-day mean over those weeks, shrunk toward ``overall``;
3. the mean of the same weekday and interval over the recent ``weeks`` weeks, shrunk
   toward step 2: the forecast.

Its backtest (:func:`aht_backtest`) forecasts the days after each origin from the days
before and compares with HA-4w of AHT (the call-weighted mean of the same weekday and
interval over the last four weeks, the overall mean where those had no call), both by the
call-weighted relative error ``Σ calls·|f − a| / Σ calls·a`` over intervals with calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from wfm.history import FloatArray, IntervalHistory

AHT_PRIOR_CALLS = 20.0  # credibility constant (see module docstring)
AHT_RECENT_DAYS = 28  # the overall and interval-of-day means: the last four weeks


def _rows(history: IntervalHistory, weekday: int, weeks: int, end: int) -> np.ndarray:
    first = (weekday - history.first_day.weekday()) % 7
    return np.arange(first, end, 7)[-weeks:]


def aht_forecast(
    history: IntervalHistory, targets: Sequence[date], weeks: int, end: int | None = None
) -> FloatArray | None:
    """``(len(targets), slots)`` AHT in seconds from the days before ``end`` (default all);
    None when the history has no handle times."""
    aht, y = history.aht_seconds, history.offered
    if aht is None:
        return None
    end = history.n_days if end is None else end
    aht, y = aht[:end], y[:end]
    known = np.isfinite(aht) & (y > 0)
    if not known.any():
        return None
    work, weight = np.where(known, aht * y, 0.0), np.where(known, y, 0.0)
    tail = slice(-AHT_RECENT_DAYS, None)
    overall = (
        work[tail].sum() / weight[tail].sum()
        if weight[tail].sum() > 0
        else work.sum() / weight.sum()
    )
    k = AHT_PRIOR_CALLS
    by_slot = (work[tail].sum(axis=0) + k * overall) / (weight[tail].sum(axis=0) + k)
    out = []
    for d in targets:
        rows = _rows(history, d.weekday(), weeks, end)
        out.append((work[rows].sum(axis=0) + k * by_slot) / (weight[rows].sum(axis=0) + k))
    return np.asarray(out, dtype=float)


def aht_ha_4w(history: IntervalHistory, targets: Sequence[date], end: int) -> FloatArray | None:
    """The yardstick: call-weighted mean AHT of the same weekday and interval over the last
    four weeks before ``end`` (the four weeks' overall mean where none had a call)."""
    aht, y = history.aht_seconds, history.offered
    if aht is None:
        return None
    aht, y = aht[:end], y[:end]
    known = np.isfinite(aht) & (y > 0)
    work, weight = np.where(known, aht * y, 0.0), np.where(known, y, 0.0)
    out = []
    for d in targets:
        rows = _rows(history, d.weekday(), 4, end)
        w, c = work[rows].sum(axis=0), weight[rows].sum(axis=0)
        overall = w.sum() / c.sum() if c.sum() > 0 else np.nan
        out.append(np.where(c > 0, w / np.maximum(c, 1e-12), overall))
    return np.asarray(out, dtype=float)


def aht_backtest(
    history: IntervalHistory, ends: Sequence[int], horizon: int, weeks: int
) -> dict[str, float]:
    """Call-weighted relative AHT error of the forecast (``"forecast"``) and of HA-4w
    (``"ha_4w"``) over the ``horizon`` days after each origin (``ends``: training days);
    empty when the history has no handle times."""
    if history.aht_seconds is None:
        return {}
    err = {"forecast": 0.0, "ha_4w": 0.0}
    total = 0.0
    for end in ends:
        targets = [history.days[end + i] for i in range(horizon) if end + i < history.n_days]
        fc = aht_forecast(history, targets, weeks, end)
        ha = aht_ha_4w(history, targets, end)
        if fc is None or ha is None:
            continue
        real = history.aht_seconds[end : end + len(targets)]
        calls = history.offered[end : end + len(targets)]
        ok = np.isfinite(real) & (calls > 0) & np.isfinite(ha)
        err["forecast"] += float((np.abs(fc - real) * calls)[ok].sum())
        err["ha_4w"] += float((np.abs(ha - real) * calls)[ok].sum())
        total += float((real * calls)[ok].sum())
    return {m: e / total for m, e in err.items()} if total > 0 else {}
