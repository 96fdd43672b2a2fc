"""The candidate forecasting methods, on the ordinary-day matrix ``A[day, slot]``.

Step 2 of :mod:`wfm.forecast` (whose docstring describes each method)::

    seasonal_naive  the same interval one week earlier;
    ha_4w           mean of the same weekday and interval over the last 4 weeks, ordinary days
                    only (the planners' spreadsheet rule, the yardstick :data:`YARDSTICK`);
    weekday_mean    mean of the same weekday and interval over the last ``weeks`` weeks,
                    one-off spikes capped;
    factor          Shen and Huang's day × interval SVD, day scores forecast as a time series
                    (:mod:`wfm.factor_model`);
    ets             Holt-Winters (additive weekly season, no trend) daily totals × profile;
    sarima          SARIMA(1,0,0)(0,1,1)₇ daily totals × intraday profile;
    profile         last week's mean level × weekday index × intraday profile;
    combination     mean of the ets, sarima and profile daily totals × intraday profile.

Each method needs :data:`METHOD_MIN_DAYS` calendar days of history. :data:`DEFAULT_METHODS`
are the candidates a spec backtests unless told otherwise: on the 1999 bank year (day-ahead
and weekly, 12 to 60 minutes) ``ets``, ``sarima`` and ``combination`` never won against
``factor`` and ``weekday_mean``, and their statsmodels fits cost most of the time, so they are
kept for ``--method`` (and ``ForecastSpec(methods=METHODS)``) only. ``profile`` stays for sparse
queues only (:data:`SPARSE_ONLY`): there its smoothed shape keeps every open interval
above 0. Each maps a
:class:`~wfm.prepared_history.PreparedHistory` and target days to an
ordinary-day forecast ``(days, slots)``; :func:`point_forecast` puts it back on the
calendar scale (special-day factors, closed intervals and closed holidays at 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from datetime import date
from typing import Literal, get_args

import numpy as np

from wfm.factor_model import factor_forecast
from wfm.history import FloatArray
from wfm.prepared_history import PreparedHistory, cap_outliers

Method = Literal[
    "seasonal_naive",
    "ha_4w",
    "weekday_mean",
    "factor",
    "ets",
    "sarima",
    "profile",
    "combination",
]
METHODS: tuple[Method, ...] = get_args(Method)
DEFAULT_METHODS: tuple[Method, ...] = (
    "seasonal_naive",
    "ha_4w",
    "weekday_mean",
    "profile",
    "factor",
)
# Backtested only on a sparse history (a few calls a day), where the others forecast zeros:
# elsewhere ``profile`` won the backtest on some days of the bank year at 60 minutes and lost
# out of sample (day-ahead WAPE 0.961 of HA-4w with it, 0.913 without).
SPARSE_ONLY: frozenset[str] = frozenset({"profile"})
YARDSTICK: Method = "ha_4w"
YARDSTICK_WEEKS = 4
# Calendar days of history each method needs: a week for the same-weekday methods and the
# profile (one value per weekday), two weekly cycles for the daily-total models (Holt-Winters
# and the seasonal difference of SARIMA need two seasons to start from).
METHOD_MIN_DAYS: dict[str, int] = {
    "seasonal_naive": 7,
    "ha_4w": 7,
    "weekday_mean": 7,
    "factor": 14,
    "profile": 7,
    "ets": 14,
    "sarima": 14,
    "combination": 14,
}


def _weekdays(targets: Sequence[date]) -> np.ndarray:
    return np.array([d.weekday() for d in targets])


def _seasonal_naive(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    return np.array([p.adjusted[p.recent_rows(d.weekday())[-1]] for d in targets])


def _weekday_mean(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    means = np.array([cap_outliers(p.adjusted[p.recent_rows(w)]).mean(axis=0) for w in range(7)])
    return np.asarray(means[_weekdays(targets)], dtype=float)


def _ha_4w(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    """The yardstick: plain mean of the last 4 same weekdays (fewer if the history is shorter),
    no spike capping, whatever window the backtest tries."""
    means = np.array(
        [p.adjusted[p.recent_rows(w, weeks=YARDSTICK_WEEKS)].mean(axis=0) for w in range(7)]
    )
    return np.asarray(means[_weekdays(targets)], dtype=float)


def _steps(p: PreparedHistory, targets: Sequence[date]) -> np.ndarray:
    return np.array([(d - p.history.last_day).days for d in targets])


def _ets_totals_fit(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    steps = _steps(p, targets)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            p.daily_totals(),
            trend=None,
            seasonal="add",
            seasonal_periods=7,
            initialization_method="estimated",
        ).fit()
        path = np.asarray(model.forecast(int(steps.max())))
    return np.asarray(np.maximum(path[steps - 1], 0.0), dtype=float)


def _sarima_totals_fit(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    steps = _steps(p, targets)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = SARIMAX(p.daily_totals(), order=(1, 0, 0), seasonal_order=(0, 1, 1, 7)).fit(
            disp=False, maxiter=50
        )
        path = np.asarray(result.forecast(int(steps.max())))
    return np.asarray(np.maximum(path[steps - 1], 0.0), dtype=float)


def _profile_totals_fit(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    totals = p.adjusted.sum(axis=1)
    n = len(totals)
    window = totals[max(0, n - 7 * p.weeks) :]
    start_wd = (p.history.first_day.weekday() + max(0, n - len(window))) % 7
    wd = (start_wd + np.arange(len(window))) % 7
    mean_all = window.mean()
    index = np.array(
        [
            window[wd == w].mean() / mean_all if mean_all > 0 and (wd == w).any() else 0.0
            for w in range(7)
        ]
    )
    level = totals[-7:].mean()
    return np.asarray(level * index[_weekdays(targets)], dtype=float)


def _cached(
    totals_fn: Callable[[PreparedHistory, Sequence[date]], FloatArray], by_window: bool = False
) -> Callable[[PreparedHistory, Sequence[date]], FloatArray]:
    """Memoise a daily-total model on the prepared history (the combination and the window
    variants reuse the statsmodels fits, which do not depend on the window)."""

    def method(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
        window = f":{p.weeks}w" if by_window else ""
        key = f"{totals_fn.__name__}{window}:{targets[0]}:{len(targets)}"
        if key not in p.cache:
            p.cache[key] = totals_fn(p, targets)
        return p.cache[key]

    method.__name__ = totals_fn.__name__
    return method


_ets_totals = _cached(_ets_totals_fit)
_sarima_totals = _cached(_sarima_totals_fit)
_profile_totals = _cached(_profile_totals_fit, by_window=True)


def _by_profile(
    totals_fn: Callable[[PreparedHistory, Sequence[date]], FloatArray],
) -> Callable[[PreparedHistory, Sequence[date]], FloatArray]:
    def method(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
        totals = totals_fn(p, targets)
        return np.asarray(totals[:, None] * p.profiles()[_weekdays(targets)], dtype=float)

    return method


def _combination_totals(p: PreparedHistory, targets: Sequence[date]) -> FloatArray:
    parts = []
    for fn in (_ets_totals, _sarima_totals, _profile_totals):
        try:
            parts.append(fn(p, targets))
        except (ValueError, np.linalg.LinAlgError):
            continue
    if not parts:
        raise ValueError("no daily-total model could be fitted")
    return np.asarray(np.mean(parts, axis=0), dtype=float)


_METHOD_FUNCTIONS: dict[str, Callable[[PreparedHistory, Sequence[date]], FloatArray]] = {
    "seasonal_naive": _seasonal_naive,
    "ha_4w": _ha_4w,
    "weekday_mean": _weekday_mean,
    "factor": factor_forecast,
    "ets": _by_profile(_ets_totals),
    "sarima": _by_profile(_sarima_totals),
    "profile": _by_profile(_profile_totals),
    "combination": _by_profile(_combination_totals),
}


def point_forecast(p: PreparedHistory, method: str, targets: Sequence[date]) -> FloatArray:
    """Forecast on the calendar scale: ordinary-day forecast × special-day factors, closed = 0."""
    ordinary = _METHOD_FUNCTIONS[method](p, targets)
    features = p.features(targets)
    mult = p.effects.multiplier(features)
    out = np.maximum(ordinary * mult[:, None], 0.0) * p.open_slot[_weekdays(targets)]
    if p.holidays_closed:
        out[features["holiday"]] = 0.0
    return np.asarray(out, dtype=float)
