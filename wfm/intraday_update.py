"""Within-day update: the rest of a day scaled by a shrunk observed/forecast ratio, the
amount of shrinkage learnt from the history's own backtest days.

With ``A`` calls seen and ``F`` forecast over the intervals observed so far today,
``w = F / F_day`` the share of the day's forecast they hold, the rest of the day is
multiplied by

    s = 1 + λ (A/F − 1),        λ = w / (w + κ)

(a credibility weight: early in the day a surprise moves the rest little, late in the day
nearly in full). ``κ`` is the share of a day's volume that counts as much as the day's own
evidence: a small ``κ`` trusts the morning, a large one the day-ahead forecast. It is not a
constant: :func:`learn_update_prior` chooses it on the backtest days (day-ahead forecasts
against what came), at every hour's cut, as the ``κ`` with the least absolute error over
the rest of those days (Shen and Huang 2008 update the day's factor scores by penalised
least squares for the same reason: the penalty, like ``κ``, is chosen on past days).
"""

from __future__ import annotations

import numpy as np

from wfm.history import FloatArray

DEFAULT_UPDATE_PRIOR = 1.0  # without a backtest: λ = w/(w+1), at most a half at day's end
# Candidate κ: 0.01 to 100 on a log grid (every ~26 %); κ = 100 is practically "no update"
# (λ < 1 % even at the end of the day).
KAPPA_GRID: FloatArray = np.logspace(-2, 2, 41)
MIN_LEARNING_DAYS = 5  # fewer backtest days: keep the default


def update_scale(f_seen: float, a_seen: float, f_day: float, kappa: float) -> float:
    """The factor ``s`` for the rest of the day (module docstring); 1 when ``F`` is 0."""
    if f_seen <= 0 or f_day <= 0 or not np.isfinite(kappa):
        return 1.0
    w = f_seen / f_day
    return 1.0 + w / (w + kappa) * (a_seen / f_seen - 1.0)


def learn_update_prior(forecast: FloatArray, actual: FloatArray, slots_per_hour: int) -> float:
    """``κ`` with the least rest-of-day absolute error over the days (rows) of ``forecast``
    and ``actual`` (same shape, one row per day), cutting each day after every full hour in
    which between 5 % and 95 % of its forecast volume had been seen; the default when fewer
    than :data:`MIN_LEARNING_DAYS` days have calls."""
    days = [i for i in range(len(forecast)) if forecast[i].sum() > 0 and actual[i].sum() > 0]
    if len(days) < MIN_LEARNING_DAYS:
        return DEFAULT_UPDATE_PRIOR
    f, a = forecast[days], actual[days]
    cum_f, cum_a = np.cumsum(f, axis=1), np.cumsum(a, axis=1)
    f_day = cum_f[:, -1:]
    cuts = np.arange(slots_per_hour - 1, f.shape[1] - 1, slots_per_hour)
    w = cum_f[:, cuts] / f_day  # (days, cuts)
    usable = (w >= 0.05) & (w <= 0.95)
    if not usable.any():
        return DEFAULT_UPDATE_PRIOR
    ratio = np.where(cum_f[:, cuts] > 0, cum_a[:, cuts] / np.maximum(cum_f[:, cuts], 1e-12), 1.0)
    best, best_err = DEFAULT_UPDATE_PRIOR, np.inf
    for kappa in KAPPA_GRID:
        scale = 1.0 + w / (w + kappa) * (ratio - 1.0)
        err = _rest_error(f[:, :, None], a[:, :, None], cuts, scale, usable)
        if err < best_err - 1e-12:
            best, best_err = float(kappa), err
    return best


def _rest_error(
    f: FloatArray, a: FloatArray, cuts: np.ndarray, scale: FloatArray, usable: np.ndarray
) -> float:
    """Σ over usable (day, cut) of Σ over the intervals after the cut of |a − s·f|."""
    slots = f.shape[1]
    after = np.arange(slots)[None, :, None] > cuts[None, None, :]  # (1, slots, cuts)
    diff = np.abs(a - f * scale[:, None, :]) * after  # (days, slots, cuts)
    return float((diff.sum(axis=1) * usable).sum())
