"""Rolling-origin backtest: WAPE per candidate method and window, and the choice.

Step 3 of :mod:`wfm.forecast`: at each origin the history before it is refit from scratch
(:meth:`~wfm.prepared_history.PreparedHistory.build`) and the next ``horizon_days`` days are
forecast; each method keeps its best window, and the method with the lowest

    WAPE = Σ|actual − forecast| / Σ actual      (over all intervals and origins)

is chosen. The errors of each method (at its best window) are kept for the prediction
intervals (step 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from wfm.forecast_methods import METHODS, YARDSTICK, Method, point_forecast
from wfm.history import FloatArray, IntervalHistory
from wfm.prepared_history import PreparedHistory

if TYPE_CHECKING:
    from wfm.forecast import ForecastSpec


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest: WAPE per method (NaN if a method failed) and the choice."""

    horizon_days: int
    origins: tuple[date, ...]
    wape: dict[str, float]
    chosen: Method
    windows: dict[str, int] = field(default_factory=dict)  # best window (weeks) per method
    errors: dict[str, tuple[FloatArray, FloatArray]] = field(repr=False, default_factory=dict)

    @property
    def relative_wape(self) -> dict[str, float]:
        """WAPE divided by the seasonal naive's (below 1 beats the yardstick)."""
        base = self.wape.get(YARDSTICK, float("nan"))
        return {
            m: (w / base if base and np.isfinite(base) else float("nan"))
            for m, w in self.wape.items()
        }

    def table(self) -> str:
        """A plain-text table: method, WAPE, relative WAPE, the chosen one marked."""
        origins = ", ".join(d.isoformat() for d in self.origins)
        lines = [
            f"origins: {origins}; horizon {self.horizon_days} days",
            f"{'method':<16}{'window':>8}{'WAPE':>9}{'rel. to naive':>15}",
        ]
        rel = self.relative_wape
        for m, w in self.wape.items():
            mark = "  <- chosen" if m == self.chosen else ""
            window = f"{self.windows[m]} wk" if m in self.windows and m != YARDSTICK else "-"
            lines.append(f"{m:<16}{window:>8}{w:>9.4f}{rel[m]:>15.3f}{mark}")
        return "\n".join(lines)


def run_backtest(spec: ForecastSpec, history: IntervalHistory) -> Backtest | None:
    """Rolling-origin backtest of ``spec.methods`` × ``spec.window_weeks`` (None when history
    is too short); each method keeps its best window."""
    n = history.n_days
    horizon = min(spec.horizon_days, n - spec.min_history_days)
    if horizon < 1:
        return None
    ends = [n - horizon - spec.horizon_days * i for i in range(spec.origins)]
    ends = [e for e in ends if e >= spec.min_history_days]
    windows = [w for w in spec.window_weeks if w == spec.window_weeks[0] or 7 * w <= min(ends)]
    keys = [(m, w) for m in spec.methods for w in (windows if m != YARDSTICK else windows[:1])]
    abs_err: dict[tuple[str, int], float] = dict.fromkeys(keys, 0.0)
    pairs: dict[tuple[str, int], list[tuple[FloatArray, FloatArray]]] = {k: [] for k in keys}
    actual_total = 0.0
    for end in ends:
        train = history.until(history.first_day + timedelta(days=end))
        base = PreparedHistory.build(spec, train)
        targets = [train.last_day + timedelta(days=k) for k in range(1, horizon + 1)]
        actual = history.offered[end : end + horizon]
        actual_total += float(actual.sum())
        for m, w in keys:
            try:
                fc = point_forecast(replace(base, weeks=w), m, targets)
            except (ValueError, np.linalg.LinAlgError, IndexError):
                abs_err[(m, w)] = float("nan")
                continue
            abs_err[(m, w)] += float(np.abs(actual - fc).sum())
            pairs[(m, w)].append((fc.ravel(), actual.ravel()))
    if actual_total <= 0:
        return None
    wape, best = _best_windows(spec.methods, windows, abs_err, actual_total)
    finite = {m: v for m, v in wape.items() if np.isfinite(v)}
    if not finite:
        return None
    chosen = next(m for m in METHODS if m == min(finite, key=lambda k: finite[k]))
    errors = {
        m: (np.concatenate([f for f, _ in v]), np.concatenate([a for _, a in v]))
        for (m, w), v in pairs.items()
        if v and best.get(m) == w
    }
    origins = tuple(history.first_day + timedelta(days=e) for e in ends)
    return Backtest(horizon, origins, wape, chosen, best, errors)


def _best_windows(
    methods: Sequence[str],
    windows: Sequence[int],
    abs_err: dict[tuple[str, int], float],
    actual_total: float,
) -> tuple[dict[str, float], dict[str, int]]:
    """WAPE of each method at its best window, and that window (NaN and the first window
    when every window failed)."""
    wape: dict[str, float] = {}
    best: dict[str, int] = {}
    for m in methods:
        scores = [(abs_err[(m, w)] / actual_total, w) for w in windows if (m, w) in abs_err]
        finite_scores = [sw for sw in scores if np.isfinite(sw[0])]
        wape[m], best[m] = min(finite_scores) if finite_scores else (float("nan"), windows[0])
    return wape, best
