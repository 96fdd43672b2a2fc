"""Prediction intervals of the interval forecast, calibrated on backtest errors.

Step 4 of :mod:`wfm.forecast` (whose docstring gives the model): the error variance is
``v(f) = α f + β f²`` (Poisson noise plus a level error proportional to the forecast) and
the bounds are ``f + q · √v(f)``, ``q`` empirical quantiles of the standardised backtest
errors at a level corrected for the coverage lost out of sample
(:meth:`Calibration.from_errors`); the upper bound is at least the Poisson quantile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from wfm.history import FloatArray

MIN_CORRECTION_DAYS = 14  # backtest days in each half before the out-of-sample correction


@dataclass(frozen=True)
class Calibration:
    """Prediction-interval model ``f + q·√(α f + β f²)`` (see module docstring)."""

    alpha: float
    beta: float
    q_low: float
    q_high: float
    coverage: float = 0.8

    @classmethod
    def default(cls, coverage: float) -> Calibration:
        z = float(stats.norm.ppf((1 + coverage) / 2))
        return cls(1.0, 0.02, -z, z, coverage)

    @classmethod
    def from_errors(
        cls, forecast: FloatArray, actual: FloatArray, coverage: float, days: int | None = None
    ) -> Calibration:
        """Fit on the backtest errors (latest origin first), at a level corrected for the
        coverage lost out of sample: the older half's calibration is checked on the newer
        half, and the level raised by the shortfall (at most to 0.99). Choosing the method
        and window on the same errors makes in-sample intervals too narrow; this learns by
        how much from the history itself. ``days``, the number of backtest days the errors
        cover: the shortfall counts in full when each half holds at least
        :data:`MIN_CORRECTION_DAYS` of them, in proportion below (with a few days the
        shortfall measured is mostly the luck of those days: on February 1999, a month of
        history, the full correction raised the level to 0.99 on some days and the intervals
        covered 83 %)."""
        used = forecast > 0
        f, a = forecast[used], actual[used]
        if len(f) < 20:
            return cls.default(coverage)
        level = coverage
        half = len(f) // 2
        if half >= 20:
            older = cls._fit(f[half:], a[half:], coverage, coverage)
            shortfall = coverage - older.hit_rate(f[:half], a[:half])
            trust = 1.0 if days is None else min(1.0, (days // 2) / MIN_CORRECTION_DAYS)
            level = min(0.99, coverage + trust * max(0.0, shortfall))
        return cls._fit(f, a, level, coverage)

    @classmethod
    def _fit(cls, f: FloatArray, a: FloatArray, level: float, coverage: float) -> Calibration:
        coef, _ = optimize.nnls(np.column_stack([f, f * f]), (a - f) ** 2)
        alpha, beta = max(float(coef[0]), 1.0), float(coef[1])
        z = (a - f) / np.sqrt(alpha * f + beta * f * f)
        q_low, q_high = np.quantile(z, [(1 - level) / 2, (1 + level) / 2])
        return cls(alpha, beta, min(float(q_low), 0.0), max(float(q_high), 0.0), coverage)

    def hit_rate(self, f: FloatArray, a: FloatArray) -> float:
        """Share of ``a`` inside the bounds of ``f``."""
        low, high = self.bounds(f)
        return float(np.mean((a >= low) & (a <= high)))

    def bounds(self, point: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Calibrated bounds; the upper one raised to the Poisson quantile of ``point``
        where lower (the lower bound is not: a discrete quantile there only adds zeros)."""
        sd = np.sqrt(self.alpha * point + self.beta * point * point)
        low = np.maximum(point + self.q_low * sd, 0.0)
        high = point + self.q_high * sd
        poisson_high = stats.poisson.ppf((1 + self.coverage) / 2, point)
        return low, np.maximum(high, poisson_high)
