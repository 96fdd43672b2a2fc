"""Day × interval factor model (Shen and Huang 2008): SVD of the recent days, day scores
forecast as a time series.

Shen, H. and Huang, J. Z. (2008), "Interday forecasting and intraday updating of call
center arrivals", *Manufacturing & Service Operations Management* 10(3), 391-410.

The recent ordinary days (the ``7 × weeks`` days before the origin, see
:class:`~wfm.prepared_history.PreparedHistory`) form a matrix ``X[day, slot]`` of
root-transformed counts ``√(y + 1/4)`` (the Anscombe-type root makes Poisson noise nearly
constant, ``Var ≈ 1/4``, so the least-squares SVD weighs quiet and busy intervals alike).
Its rank-``K`` SVD ``X ≈ F Vᵀ`` gives ``K`` intraday shapes (rows of ``Vᵀ``) and one score
per day and shape (``F = U S``). Each score series is forecast as

    f̂_k(d) = μ_k(weekday(d)) + φ_k^h · r_k(last day)

with ``μ_k`` the mean score of the weekday over its last :data:`SCORE_WEEKS` days,
``r_k = f_k − μ_k`` the residual and ``φ_k`` its lag-one autocorrelation (clipped to
``[0, 0.95]``), ``h`` days ahead: the weekday's level and shape, nudged by how far the
last day was above or below its own weekday, the nudge fading with the horizon. The
forecast is ``(f̂ Vᵀ)² − 1/4`` (at least 0).

Why these constants: :data:`FACTORS` = 3 (one level, then the morning/evening and the
weekday-specific shape; on the 1999 bank year a fourth factor only adds noise at 15 to 60
minutes) and :data:`SCORE_WEEKS` = 4 (the weekday means follow changes of season within a
month). The window (``weeks``) is chosen by the backtest among the spec's windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from wfm.history import FloatArray
from wfm.prepared_history import PreparedHistory

FACTORS = 3
SCORE_WEEKS = 4
ROOT_SHIFT = 0.25  # √(y + 1/4): variance-stabilising for Poisson counts
MAX_PHI = 0.95  # keep the day-to-day persistence below a random walk


def factor_forecast(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    """Forecast ``(len(targets), slots)`` ordinary-day volumes (module docstring).

    Refused (ValueError) on a sparse history (:attr:`PreparedHistory.sparse`): with a few
    calls a day the root counts are mostly the constant ``√(1/4)`` and the shapes noise.
    """
    if p.sparse:
        raise ValueError("the factor model needs more than a few calls per interval")
    n = p.history.n_days
    first = max(0, n - 7 * max(p.weeks, 2))
    x = np.sqrt(np.maximum(p.adjusted[first:], 0.0) + ROOT_SHIFT)
    weekday = (p.history.first_day.weekday() + first + np.arange(len(x))) % 7
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    k = min(FACTORS, len(s))
    scores = u[:, :k] * s[:k]
    out = np.zeros((len(targets), k))
    for j in range(k):
        mu, phi, last = _score_model(scores[:, j], weekday)
        for t, day in enumerate(targets):
            h = (day - p.history.last_day).days
            out[t, j] = mu[day.weekday()] + phi**h * last
    root = out @ vt[:k]
    return np.asarray(np.maximum(np.maximum(root, 0.0) ** 2 - ROOT_SHIFT, 0.0), dtype=float)


def _score_model(score: FloatArray, weekday: np.ndarray) -> tuple[FloatArray, float, float]:
    """Weekday means of one score series (last :data:`SCORE_WEEKS` of each weekday), the
    lag-one autocorrelation of the residuals and the last residual."""
    mu = np.full(7, float(score.mean()))
    for w in range(7):
        rows = score[weekday == w][-SCORE_WEEKS:]
        if len(rows):
            mu[w] = float(rows.mean())
    resid = score - mu[weekday]
    if len(resid) < 3:
        return mu, 0.0, 0.0
    denom = float(resid[:-1] @ resid[:-1])
    phi = float(resid[1:] @ resid[:-1]) / denom if denom > 0 else 0.0
    return mu, float(np.clip(phi, 0.0, MAX_PHI)), float(resid[-1])
