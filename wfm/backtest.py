"""Rolling-origin backtest: WAPE per candidate method and window, and the choice.

Step 3 of :mod:`wfm.forecast`: at each origin the history before it is refit from scratch
(:meth:`~wfm.prepared_history.PreparedHistory.build`) and the next ``horizon_days`` days are
forecast; each method keeps its best window, and the method with the lowest

    WAPE = Σ|actual − forecast| / Σ actual      (over all intervals and origins)

is chosen (methods in :data:`~wfm.forecast_methods.SPARSE_ONLY` take part only when the
history is sparse). The errors of each method (at its best window) are kept for the prediction
intervals (step 4).

Origins leave at least :data:`BACKTEST_TRAIN_DAYS` days of training history when the
history allows (the horizon shrinks to make room), else the spec's ``min_history_days``
(a week). A method needing more days than the earliest origin has
(:data:`~wfm.forecast_methods.METHOD_MIN_DAYS`) is skipped, with a note, so that every WAPE
shown rests on the same origins. On a *sparse* history
(:attr:`~wfm.prepared_history.PreparedHistory.sparse`) WAPE rewards forecasting 0 (the
median of a count with mean 0.2 is 0), so a method forecasting 0 calls in an open interval
at any origin is not chosen while another is available (a note says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from wfm.aht_forecast import aht_backtest
from wfm.forecast_methods import (
    METHOD_MIN_DAYS,
    METHODS,
    SPARSE_ONLY,
    YARDSTICK,
    Method,
    point_forecast,
)
from wfm.history import FloatArray, IntervalHistory
from wfm.prepared_history import PreparedHistory

if TYPE_CHECKING:
    from wfm.forecast import ForecastSpec

BACKTEST_TRAIN_DAYS = 14  # training days at the earliest origin, when the history allows
# Days forecast over all origins when the spec leaves the number of origins open: eight weeks
# (every weekday eight times), so a day-ahead backtest has 56 origins and a weekly one 8. The
# day-ahead errors also calibrate the prediction intervals and the within-day update's
# shrinkage: on the 1999 bank year four weeks left both noisy (interval coverage 77 %
# instead of 79 %, update gain 6 % instead of 7 %), and a fit stays under half a second.
BACKTEST_TARGET_DAYS = 56
MIN_ORIGINS = 3
# Methods with one fixed window (the yardstick is the 4-week mean by definition).
WINDOWLESS: frozenset[str] = frozenset({"seasonal_naive", YARDSTICK})


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest: WAPE per method (NaN if a method failed) and the choice."""

    horizon_days: int
    origins: tuple[date, ...]
    wape: dict[str, float]
    chosen: Method
    windows: dict[str, int] = field(default_factory=dict)  # best window (weeks) per method
    errors: dict[str, tuple[FloatArray, FloatArray]] = field(repr=False, default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # why a method was skipped or passed over
    # call-weighted relative AHT error of the AHT forecast and of HA-4w (wfm.aht_forecast)
    aht_error: dict[str, float] = field(default_factory=dict)

    @property
    def relative_wape(self) -> dict[str, float]:
        """WAPE divided by HA-4w's (below 1 beats the yardstick)."""
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
            f"{'method':<16}{'window':>8}{'WAPE':>9}{'rel. to HA-4w':>15}",
        ]
        rel = self.relative_wape
        for m, w in self.wape.items():
            mark = "  <- chosen" if m == self.chosen else ""
            window = f"{self.windows[m]} wk" if m in self.windows and m not in WINDOWLESS else "-"
            lines.append(f"{m:<16}{window:>8}{w:>9.4f}{rel[m]:>15.3f}{mark}")
        if self.aht_error:
            lines.append(
                f"AHT error (call-weighted): forecast {self.aht_error['forecast']:.4f},"
                f" HA-4w {self.aht_error['ha_4w']:.4f}"
            )
        lines.extend(f"note: {m}: {text}" for m, text in self.notes.items())
        return "\n".join(lines)


def run_backtest(spec: ForecastSpec, history: IntervalHistory) -> Backtest | None:
    """Rolling-origin backtest of ``spec.methods`` × ``spec.window_weeks`` (None when history
    is too short); each method keeps its best window."""
    plan = _origins(spec, history.n_days)
    if plan is None:
        return None
    horizon, ends = plan
    notes: dict[str, str] = {
        m: f"skipped: needs {METHOD_MIN_DAYS[m]} days of history before each origin,"
        f" the earliest has {min(ends)}"
        for m in spec.methods
        if METHOD_MIN_DAYS[m] > min(ends)
    }
    latest = PreparedHistory.build(spec, history.until(history.first_day + timedelta(days=ends[0])))
    if not latest.sparse:
        notes.update(
            {m: "backtested on sparse histories only" for m in spec.methods if m in SPARSE_ONLY}
        )
    methods = [m for m in spec.methods if m not in notes]
    windows = [w for w in spec.window_weeks if w == spec.window_weeks[0] or 7 * w <= min(ends)]
    keys = [(m, w) for m in methods for w in (windows if m not in WINDOWLESS else windows[:1])]
    abs_err: dict[tuple[str, int], float] = dict.fromkeys(keys, 0.0)
    pairs: dict[tuple[str, int], list[tuple[FloatArray, FloatArray]]] = {k: [] for k in keys}
    zeros_open: set[tuple[str, int]] = set()  # zero forecasts in open intervals, sparse data
    actual_total = 0.0
    for end in ends:
        train = history.until(history.first_day + timedelta(days=end))
        base = PreparedHistory.build(spec, train)
        targets = [train.last_day + timedelta(days=k) for k in range(1, horizon + 1)]
        actual = history.offered[end : end + horizon]
        actual_total += float(actual.sum())
        open_mask = base.open_intervals(targets) if base.sparse else None
        for m, w in keys:
            try:
                fc = point_forecast(replace(base, weeks=w), m, targets)
            except (ValueError, np.linalg.LinAlgError, IndexError):
                abs_err[(m, w)] = float("nan")
                continue
            abs_err[(m, w)] += float(np.abs(actual - fc).sum())
            pairs[(m, w)].append((fc.ravel(), actual.ravel()))
            if open_mask is not None and np.any(fc[open_mask] <= 0):
                zeros_open.add((m, w))
    if actual_total <= 0:
        return None
    wape, best = _best_windows(methods, windows, abs_err, actual_total, zeros_open)
    for m in spec.methods:
        wape.setdefault(m, float("nan"))
    wape = {m: wape[m] for m in spec.methods}
    finite = {m: v for m, v in wape.items() if np.isfinite(v)}
    if not finite:
        return None
    eligible = {m: v for m, v in finite.items() if (m, best[m]) not in zeros_open}
    for name in finite:
        if name not in eligible:
            notes[name] = "not chosen: forecasts 0 calls in open intervals of a sparse history"
    pool = eligible or finite
    chosen = next(m for m in METHODS if m == min(pool, key=lambda k: pool[k]))
    errors = {
        m: (np.concatenate([f for f, _ in v]), np.concatenate([a for _, a in v]))
        for (m, w), v in pairs.items()
        if v and best.get(m) == w
    }
    origins = tuple(history.first_day + timedelta(days=e) for e in ends)
    aht = aht_backtest(history, ends, horizon, best.get(chosen, windows[0]))
    return Backtest(horizon, origins, wape, chosen, best, errors, notes, aht)


def _origins(spec: ForecastSpec, n_days: int) -> tuple[int, list[int]] | None:
    """Horizon and training lengths (days before each origin), latest origin first: at
    least :data:`BACKTEST_TRAIN_DAYS` days of training if the history allows, else at least
    ``spec.min_history_days``; None when not even one day is left to forecast."""
    for train_days in (max(BACKTEST_TRAIN_DAYS, spec.min_history_days), spec.min_history_days):
        horizon = min(spec.horizon_days, n_days - train_days)
        if horizon < 1:
            continue
        origins = spec.origins or max(MIN_ORIGINS, -(-BACKTEST_TARGET_DAYS // spec.horizon_days))
        ends = [n_days - horizon - spec.horizon_days * i for i in range(origins)]
        return horizon, [e for e in ends if e >= train_days]
    return None


def _best_windows(
    methods: Sequence[str],
    windows: Sequence[int],
    abs_err: dict[tuple[str, int], float],
    actual_total: float,
    avoid: set[tuple[str, int]] | None = None,
) -> tuple[dict[str, float], dict[str, int]]:
    """WAPE of each method at its best window, and that window (NaN and the first window
    when every window failed); windows in ``avoid`` only when no other window is left."""
    wape: dict[str, float] = {}
    best: dict[str, int] = {}
    avoid = avoid or set()
    for m in methods:
        scores = [(abs_err[(m, w)] / actual_total, w) for w in windows if (m, w) in abs_err]
        finite_scores = [sw for sw in scores if np.isfinite(sw[0])]
        preferred = [sw for sw in finite_scores if (m, sw[1]) not in avoid] or finite_scores
        wape[m], best[m] = min(preferred) if preferred else (float("nan"), windows[0])
    return wape, best
