"""The history on the ordinary-day scale, the input of every forecasting method.

Step 1 of :mod:`wfm.forecast`: calendar effects (:mod:`wfm.calendar`) are estimated and
divided out, so that ``A[day, slot]`` holds "ordinary-day" volumes; holidays, and days with
no call on a weekday that is normally open (and busy enough, :data:`CLOSED_DAY_MIN_CALLS`,
for a day without calls to be more than chance), are replaced by the median of the same
weekday nearby. :class:`PreparedHistory` also knows which weekdays are *full* and whether
holidays are closed, and gives the intraday profiles the methods share.

Opening hours are inferred per weekday as a *span*: every interval from the first to the
last one that had a call on that weekday in the last :data:`OPEN_LOOKBACK_WEEKS` weeks is
open, so an interval of a quiet queue that happened to get no call in eight weeks is open
(with a small forecast), not closed. Outside the span the weekday is closed (forecast 0).

Intraday profiles are credibility-weighted (as the AHT is in :mod:`wfm.forecast`): with
``c`` the weekday's recent calls per interval (``N`` in all) and ``p`` a prior shape, the
profile is ``(c + k p) / (N + k)`` with ``k`` = :data:`PROFILE_PRIOR_CALLS` per open
interval. The prior is the calls of all weekdays pooled, smoothed by a triangular kernel of
half-width :data:`PROFILE_SMOOTH_MINUTES` and restricted to the weekday's span (uniform over
the span where that is empty). A busy queue (thousands of calls per weekday) keeps its own
shape to within a few per cent; a queue with a few calls a day gets a smooth shape over its
opening hours instead of zeros wherever no call happened to arrive.

A history is *sparse* (:attr:`PreparedHistory.sparse`) when its open intervals had fewer
than :data:`SPARSE_CALLS_PER_INTERVAL` calls on average in the recent weeks. Then one
weekday's eight weeks hold too few calls to find its first and last open interval, so the
span is inferred per weekday *type*: the working days Monday to Friday (those open at all)
share one span, from the first to the last interval with a call on any of them, while
Saturday and Sunday keep their own; and the backtest does not choose a method that
forecasts 0 calls in an open interval (:mod:`wfm.backtest`).
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

OPEN_LOOKBACK_WEEKS = 8  # opening spans: intervals with calls in the last 8 weeks
FULL_DAY_SHARE = 0.5  # a "full" weekday has at least half the calls of the busiest weekday
MAX_DAILY_HISTORY = 730  # daily-total models see at most two years
# Prior calls per open interval in the intraday profile: small against a busy queue's
# hundreds per interval, dominant for a queue with a few calls a day.
PROFILE_PRIOR_CALLS = 1.0
# Half-width of the prior's smoothing kernel: an hour and a half either side, about the
# width of a morning or afternoon peak, so the prior keeps the day's shape but not its noise.
PROFILE_SMOOTH_MINUTES = 90
# Below one call per open interval on average, an interval's own weeks say little: a method
# forecasting 0 there (no call seen) is not chosen.
SPARSE_CALLS_PER_INTERVAL = 1.0
# A day without calls on an open weekday is imputed (taken as missing) only when such a day
# usually has at least 3 calls (P(no call) = e**-3 = 5 % by chance); a quieter day is a day.
CLOSED_DAY_MIN_CALLS = 3.0


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


def _open_span(rows: FloatArray) -> np.ndarray:
    """Open intervals of a weekday: from the first to the last with a call in ``rows``."""
    seen = np.flatnonzero((rows > 0).any(axis=0)) if len(rows) else np.zeros(0, dtype=int)
    span = np.zeros(rows.shape[1], dtype=bool)
    if seen.size:
        span[seen[0] : seen[-1] + 1] = True
    return span


def _is_sparse(history: IntervalHistory, open_slot: np.ndarray) -> bool:
    """Fewer than :data:`SPARSE_CALLS_PER_INTERVAL` calls per open interval (of the weekdays'
    own spans), on average over the last :data:`OPEN_LOOKBACK_WEEKS` weeks."""
    y = history.offered[-7 * OPEN_LOOKBACK_WEEKS :]
    weekday = (history.first_day.weekday() + history.n_days - len(y) + np.arange(len(y))) % 7
    mask = open_slot[weekday]
    cells = int(mask.sum())
    return cells > 0 and float(y[mask].sum()) / cells < SPARSE_CALLS_PER_INTERVAL


def smooth_profile(counts: FloatArray, interval_minutes: int) -> FloatArray:
    """``counts`` smoothed by a triangular kernel of half-width
    :data:`PROFILE_SMOOTH_MINUTES` (at least one interval); not wrapped around midnight."""
    half = max(1, round(PROFILE_SMOOTH_MINUTES / interval_minutes))
    kernel = (half + 1.0 - np.abs(np.arange(-half, half + 1))).astype(float)
    return np.asarray(np.convolve(counts, kernel / kernel.sum(), mode="same"), dtype=float)


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
    sparse: bool = False  # fewer than SPARSE_CALLS_PER_INTERVAL calls per open interval
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
        raw = day_features(days, spec.country, spec.extra_holidays)
        for w in range(7):
            rows = np.flatnonzero(weekday == w)[-OPEN_LOOKBACK_WEEKS:]
            open_slot[w] = _open_span(y[rows])
            plain = rows[~raw["holiday"][rows] & (totals[rows] > 0)]
            level[w] = float(np.median(totals[plain])) if len(plain) else 0.0
        full_weekday = level >= FULL_DAY_SHARE * level.max()
        sparse = _is_sparse(history, open_slot)
        if sparse:  # a few calls a day: the open working days share one span
            working = np.zeros(7, dtype=bool)
            working[:5] = open_slot[:5].any(axis=1)
            open_slot[working] = _open_span(open_slot[working].astype(float))
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
        # closed days on open (busy enough) weekdays and holidays (too different to
        # rescale): impute
        busy = level[weekday] >= CLOSED_DAY_MIN_CALLS
        missing = (open_weekday & ~open_day & busy) | hol
        if missing.any():
            _impute_days(adjusted, missing, open_day & ~special, open_day)
        weeks = spec.window_weeks[0]
        return cls(
            spec,
            history,
            adjusted,
            open_slot,
            effects,
            holidays_closed,
            full_weekday,
            weeks,
            sparse,
        )

    def features(self, days: Sequence[date]) -> dict[str, np.ndarray]:
        """Special-day features of ``days`` (holidays only where they fall on a full weekday)."""
        weekday = np.array([d.weekday() for d in days])
        return _mask_holidays(
            day_features(list(days), self.spec.country, self.spec.extra_holidays), weekday, self.full_weekday
        )

    def open_intervals(self, days: Sequence[date]) -> np.ndarray:
        """``(days, slots)`` bool: open intervals of ``days`` (their weekday's span; closed
        holidays closed)."""
        weekday = np.array([d.weekday() for d in days])
        out = self.open_slot[weekday].copy()
        if self.holidays_closed:
            out[self.features(days)["holiday"]] = False
        return np.asarray(out)

    def recent_rows(
        self, weekday: int, end: int | None = None, weeks: int | None = None
    ) -> np.ndarray:
        """Indices of the last ``weeks`` (default :attr:`weeks`) days with this weekday
        (before ``end``)."""
        n = self.history.n_days if end is None else end
        first = (weekday - self.history.first_day.weekday()) % 7
        return np.arange(first, n, 7)[-(weeks or self.weeks) :]

    def profiles(self) -> FloatArray:
        """Intraday profile per weekday (rows sum to 1, or 0 for a closed weekday), shrunk
        toward the smoothed pooled shape (module docstring)."""
        slots = self.history.slots_per_day
        counts = np.zeros((7, slots))
        for w in range(7):
            rows = self.adjusted[self.recent_rows(w)]
            totals = rows.sum(axis=1, keepdims=True)
            level = totals.mean() if len(rows) else 0.0
            scaled = rows * np.where(totals > 0, level / np.where(totals > 0, totals, 1), 0)
            counts[w] = cap_outliers(scaled).sum(axis=0) * self.open_slot[w]
        pooled = smooth_profile(counts.sum(axis=0), self.history.interval_minutes)
        out = np.zeros((7, slots))
        for w in range(7):
            mask = self.open_slot[w]
            if not mask.any():
                continue
            prior = pooled * mask
            prior = prior / prior.sum() if prior.sum() > 0 else mask / mask.sum()
            shape = counts[w] + PROFILE_PRIOR_CALLS * mask.sum() * prior
            out[w] = shape / shape.sum()
        return out

    def daily_totals(self) -> FloatArray:
        return np.asarray(self.adjusted[-MAX_DAILY_HISTORY:].sum(axis=1), dtype=float)
