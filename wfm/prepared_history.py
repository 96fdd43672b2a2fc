"""The history on the ordinary-day scale, the input of every forecasting method.

Step 1 of :mod:`wfm.forecast`: calendar effects (:mod:`wfm.calendar`) are estimated and
divided out, so that ``A[day, slot]`` holds "ordinary-day" volumes; holidays, and days with
no call on a weekday that is normally open, are replaced by the median of the same weekday
nearby. :class:`PreparedHistory` also knows which intervals are open (a call in the last
:data:`OPEN_LOOKBACK_WEEKS` weeks of that weekday), which weekdays are *full* and whether
holidays are closed, and gives the intraday profiles the methods share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from wfm.calendar import SpecialDayEffects, baseline_totals, day_features, estimate_effects
from wfm.history import FloatArray, IntervalHistory

if TYPE_CHECKING:
    from wfm.forecast import ForecastSpec

OPEN_LOOKBACK_WEEKS = 8  # an interval counts as open if it had a call in the last 8 weeks
FULL_DAY_SHARE = 0.5  # a "full" weekday has at least half the calls of the busiest weekday
MAX_DAILY_HISTORY = 730  # daily-total models see at most two years


def cap_outliers(rows: FloatArray) -> FloatArray:
    """Cap one-off spikes: each slot at ``m + 3√m + 3``, ``m`` its median over the rows.

    For Poisson counts with mean ``m`` that bound is about three standard deviations (plus 3
    so that small counts are left alone), so ordinary noise is untouched while a burst (an
    outage, a mass mailing) that happened once in the recent weeks does not enter the profile
    or the mean. Needs at least 3 rows for a median to mean anything; fewer are returned as is.
    """
    if rows.shape[0] < 3:
        return rows
    median = np.median(rows, axis=0)
    return np.asarray(np.minimum(rows, median + 3 * np.sqrt(median) + 3), dtype=float)


def _mask_holidays(
    features: dict[str, np.ndarray], weekday: np.ndarray, full_weekday: np.ndarray
) -> dict[str, np.ndarray]:
    """Holidays count only on full weekdays: a holiday on a quiet day (a weekend) is that day."""
    out = dict(features)
    out["holiday"] = features["holiday"] & full_weekday[weekday]
    return out


def _impute_days(
    adjusted: FloatArray, missing: np.ndarray, ordinary: np.ndarray, open_day: np.ndarray
) -> None:
    """Replace the ``missing`` rows of ``adjusted`` in place: the summed shape of the same
    weekday within three weeks (open, not missing), scaled to the baseline daily total of
    the ``ordinary`` days (:func:`wfm.calendar.baseline_totals`)."""
    base = baseline_totals(adjusted.sum(axis=1), ordinary)
    for i in np.flatnonzero(missing):
        near = [
            j
            for j in range(i % 7, len(adjusted), 7)
            if open_day[j] and not missing[j] and abs(j - i) <= 21
        ]
        if near and np.isfinite(base[i]):
            shape = adjusted[near].sum(axis=0)
            adjusted[i] = shape / max(shape.sum(), 1e-12) * base[i]


@dataclass
class PreparedHistory:
    """History on the ordinary-day scale, with what is open and the calendar effects."""

    spec: ForecastSpec
    history: IntervalHistory
    adjusted: FloatArray  # ordinary-day volumes A[day, slot]
    open_slot: np.ndarray  # (7, slots) bool, by weekday (Monday = 0)
    effects: SpecialDayEffects
    holidays_closed: bool
    full_weekday: np.ndarray  # (7,) bool: weekdays with at least half the busiest one's calls
    weeks: int  # window of the weekday means, profiles and weekday indices
    cache: dict[str, FloatArray] = field(default_factory=dict)  # shared by window variants

    @property
    def days(self) -> list[date]:
        return self.history.days

    @classmethod
    def build(cls, spec: ForecastSpec, history: IntervalHistory) -> PreparedHistory:
        days = history.days
        y = history.offered
        totals = y.sum(axis=1)
        weekday = np.array([d.weekday() for d in days])
        open_slot = np.zeros((7, history.slots_per_day), dtype=bool)
        level = np.zeros(7)
        raw = day_features(days, spec.country)
        for w in range(7):
            rows = np.flatnonzero(weekday == w)[-OPEN_LOOKBACK_WEEKS:]
            open_slot[w] = (y[rows] > 0).any(axis=0) if len(rows) else False
            plain = rows[~raw["holiday"][rows] & (totals[rows] > 0)]
            level[w] = float(np.median(totals[plain])) if len(plain) else 0.0
        full_weekday = level >= FULL_DAY_SHARE * level.max()
        features = _mask_holidays(raw, weekday, full_weekday)
        open_weekday: np.ndarray = np.asarray(open_slot.any(axis=1))[weekday]
        open_day = totals > 0
        hol = features["holiday"] & open_weekday
        holidays_closed = spec.holidays_closed
        if holidays_closed is None:  # learnt: closed if every holiday seen had no call
            holidays_closed = bool(hol.any() and not open_day[hol].any())
        effects = estimate_effects(totals, features, open_day, spec.prior_days)
        adjusted = y / effects.multiplier(features)[:, None]
        special = np.zeros(len(days), dtype=bool)
        for mask in features.values():
            special |= mask
        # closed days on open weekdays and holidays (too different to rescale): impute
        missing = (open_weekday & ~open_day) | hol
        if missing.any():
            _impute_days(adjusted, missing, open_day & ~special, open_day)
        weeks = spec.window_weeks[0]
        return cls(
            spec, history, adjusted, open_slot, effects, holidays_closed, full_weekday, weeks
        )

    def features(self, days: Sequence[date]) -> dict[str, np.ndarray]:
        """Special-day features of ``days`` (holidays only where they fall on a full weekday)."""
        weekday = np.array([d.weekday() for d in days])
        return _mask_holidays(
            day_features(list(days), self.spec.country), weekday, self.full_weekday
        )

    def recent_rows(self, weekday: int, end: int | None = None) -> np.ndarray:
        """Indices of the last ``weeks`` days with this weekday (before ``end``)."""
        n = self.history.n_days if end is None else end
        first = (weekday - self.history.first_day.weekday()) % 7
        return np.arange(first, n, 7)[-self.weeks :]

    def profiles(self) -> FloatArray:
        """Intraday profile per weekday (rows sum to 1, or 0 for a closed weekday)."""
        out = np.zeros((7, self.history.slots_per_day))
        overall = self.adjusted[-7 * self.weeks :].sum(axis=0)
        for w in range(7):
            rows = self.adjusted[self.recent_rows(w)]
            totals = rows.sum(axis=1, keepdims=True)
            level = totals.mean()
            scaled = rows * np.where(totals > 0, level / np.where(totals > 0, totals, 1), 0)
            shape = cap_outliers(scaled).sum(axis=0) * self.open_slot[w]
            if shape.sum() <= 0:
                shape = overall * self.open_slot[w]
            if shape.sum() > 0:
                out[w] = shape / shape.sum()
        return out

    def daily_totals(self) -> FloatArray:
        return np.asarray(self.adjusted[-MAX_DAILY_HISTORY:].sum(axis=1), dtype=float)
