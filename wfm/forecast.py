"""Interval forecasts of calls offered (and AHT) with prediction intervals.

Specification → fit → results, after statsmodels::

    fitted = ForecastSpec(interval_minutes=30).fit(history)      # history: IntervalHistory
    fc = fitted.forecast(date(2024, 3, 4), days=7)                 # Forecast, one row per interval
    fc.offered, fc.offered_low, fc.offered_high, fc.aht_seconds
    fitted.backtest.wape                                           # WAPE per method

How a forecast is made
----------------------
1. *Calendar* (:mod:`wfm.calendar`): holidays, the day after, paydays and month end get
   multiplicative factors estimated from history (shrunk toward 1 when rare). A holiday counts
   only on a *full* weekday (one with at least half the calls of the busiest weekday): a
   holiday on a Sunday is a Sunday. The history is divided by the factors ("ordinary-day"
   volumes); holidays, and days with no call on a weekday that is normally open, are replaced
   by the median of the same weekday nearby (too different to be rescaled reliably).
2. *Candidate methods* on the ordinary-day matrix ``A[day, slot]``:

   ``seasonal_naive``  the same interval one week earlier;
   ``ha_4w``           mean of the same weekday and interval over the last 4 weeks, ordinary
                       days only: the planners' spreadsheet rule and the yardstick of every
                       backtest (relative WAPE is against it);
   ``weekday_mean``    mean of the same weekday and interval over the last ``weeks`` weeks;
   ``factor``          Shen and Huang (2008): SVD of the day × interval matrix of root counts,
                       day scores forecast by weekday mean + AR(1) (:mod:`wfm.factor_model`);
   ``ets``             Holt-Winters exponential smoothing (additive weekly season, no trend;
                       statsmodels ``ExponentialSmoothing``) of daily totals × intraday profile;
   ``sarima``          SARIMA(1,0,0)(0,1,1)₇ of daily totals (statsmodels ``SARIMAX``; one small
                       order, so that fits stay fast: an AR(1) day-to-day level with a weekly
                       seasonal moving average) × intraday profile;
   ``profile``         last week's mean daily level × weekday index × intraday profile, both
                       from the last ``weeks`` weeks;
   ``combination``     the mean of the ets, sarima and profile daily totals × intraday profile
                       (combining forecasts is the most reliable single rule in the M-competitions).

   The intraday profile of weekday *w* is the share of the day's calls falling in each interval
   over the last ``weeks`` ordinary days of *w*. Profiles and weekday means first cap
   one-off spikes (:func:`cap_outliers`).
   Each method needs some history (:data:`METHOD_MIN_DAYS`): a week (seven calendar days,
   closed days included) for ``seasonal_naive``, ``weekday_mean`` and ``profile``, two
   weeks for the daily-total models.
3. *Choice* by rolling-origin backtest: at each origin the history before it is refit from
   scratch and the next ``horizon_days`` days are forecast; the method with the lowest WAPE
   (``Σ|actual − forecast| / Σ actual`` over all intervals and origins) is chosen. Methods
   needing more history than the earliest origin has are skipped (with a note); on a sparse
   history a method forecasting 0 calls in open intervals is not chosen (:mod:`wfm.backtest`).
4. *Prediction intervals* (nominal ``coverage``, 80 % by default) from the chosen method's
   backtest errors: the error variance is modelled as ``v(f) = α f + β f²`` (Poisson noise plus
   a level error proportional to the forecast; α, β ≥ 0 by non-negative least squares on the
   squared errors, α ≥ 1), and the bounds are ``f + q · √v(f)`` with ``q`` the empirical
   ``(1 ± level)/2`` quantiles of the standardised errors ``(a − f)/√v(f)``, ``level`` the
   nominal coverage raised by the shortfall the older half of the backtest's calibration
   showed on the newer half, in full when each half holds two weeks of backtest days
   (learnt, :mod:`wfm.prediction_intervals`). Without a
   backtest (short history) ``α = 1, β = 0.02`` and normal quantiles are used. The upper
   bound is raised, where lower, to the Poisson ``(1 + coverage)/2`` quantile of the point
   forecast (the noise of a count is never less than Poisson's; 1 call for a mean of 0.2),
   so it is above 0 wherever the forecast is. (The lower bound is left alone: the discrete
   Poisson quantile there is 0 for small means and would only over-cover.)
5. *Closed* intervals (outside the weekday's opening span: before the first or after the
   last interval with a call in the last 8 weeks of that weekday, see
   :mod:`wfm.prepared_history`), closed weekdays, and holidays when every past holiday on
   an open weekday had no call, are 0 (with a 0-wide interval).

Only :data:`~wfm.forecast_methods.DEFAULT_METHODS` are backtested by default (``ets``,
``sarima`` and ``combination`` never won on the bank year and cost most of the time).

Intraday re-forecast: :meth:`Forecast.reforecast`, a shrunk observed/forecast ratio combined
with penalised least squares on the day's error shapes, every value learnt per hour of the
day from the backtest days (:mod:`wfm.intraday_update`).

Where the steps live: :mod:`wfm.prepared_history` (step 1 and step 5's open intervals),
:mod:`wfm.forecast_methods` and :mod:`wfm.factor_model` (step 2), :mod:`wfm.backtest`
(step 3), :mod:`wfm.prediction_intervals` (step 4), :mod:`wfm.aht_forecast` (handle time),
:mod:`wfm.intraday_update` (within-day update); this module holds the specification and the
results. Their public names are
re-exported here (``from wfm.forecast import METHODS, run_backtest`` keeps working).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np

from wfm.aht_forecast import AHT_PRIOR_CALLS, aht_forecast
from wfm.backtest import Backtest, run_backtest
from wfm.calendar import SpecialDayEffects
from wfm.forecast_methods import (
    DEFAULT_METHODS,
    METHOD_MIN_DAYS,
    METHODS,
    YARDSTICK,
    Method,
    point_forecast,
)
from wfm.history import FloatArray, IntervalHistory, TimestampForm, check_interval_minutes
from wfm.intraday_update import DEFAULT_UPDATE_PRIOR, IntradayUpdate, learn_update
from wfm.prediction_intervals import Calibration
from wfm.prepared_history import (
    FULL_DAY_SHARE,
    MAX_DAILY_HISTORY,
    OPEN_LOOKBACK_WEEKS,
    PreparedHistory,
    cap_outliers,
)

__all__ = [
    "AHT_PRIOR_CALLS",
    "DEFAULT_METHODS",
    "FULL_DAY_SHARE",
    "MAX_DAILY_HISTORY",
    "METHODS",
    "METHOD_MIN_DAYS",
    "OPEN_LOOKBACK_WEEKS",
    "YARDSTICK",
    "Backtest",
    "FittedForecast",
    "Forecast",
    "ForecastSpec",
    "Method",
    "PreparedHistory",
    "cap_outliers",
    "check_forecastable",
    "run_backtest",
]


@dataclass(frozen=True)
class ForecastSpec:
    """What to forecast and how to choose among methods.

    Parameters
    ----------
    interval_minutes : int or None
        5 to 60, dividing the day; None uses the history's own interval.
    methods : candidate methods (see module docstring).
    horizon_days, origins : rolling-origin backtest: ``origins`` origins, ``horizon_days`` apart,
        the last one ``horizon_days`` before the end of history; ``origins=None`` covers eight
        weeks (56 day-ahead origins, 8 weekly ones; :mod:`wfm.backtest`).
    window_weeks : candidate windows, in weeks, for the weekday mean, the intraday profiles and
        the weekday indices; the backtest picks one per method (a longer window averages out
        noise, a shorter one follows change). Longer windows are tried only when the history
        before the earliest backtest origin fills them.
    country : holidays country code (``holidays`` package), or None for none.
    extra_holidays : the center's own holidays (:mod:`wfm.business_hours`), besides the
        public ones of ``country``: non-ordinary days in history and forecast alike.
    holidays_closed : True/False to force; None learns it from history.
    coverage : nominal coverage of the prediction interval (0.5 to 0.99).
    prior_days : credibility floor for special-day effects (:mod:`wfm.calendar`).
    min_history_days : shortest history accepted, in calendar days (closed days after the last
        row of a file count, see :mod:`wfm.history`); a week by default, enough for the
        same-weekday methods.
    """

    interval_minutes: int | None = None
    methods: tuple[Method, ...] = DEFAULT_METHODS
    horizon_days: int = 7
    origins: int | None = None
    window_weeks: tuple[int, ...] = (4, 8)
    country: str | None = "KR"
    holidays_closed: bool | None = None
    coverage: float = 0.8
    prior_days: float = 0.25
    min_history_days: int = 7
    extra_holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.interval_minutes is not None:
            object.__setattr__(
                self, "interval_minutes", check_interval_minutes(self.interval_minutes)
            )
        methods = tuple(self.methods)
        unknown = [m for m in methods if m not in METHODS]
        if not methods or unknown:
            raise ValueError(f"methods must be among {', '.join(METHODS)}, got {methods!r}")
        object.__setattr__(self, "methods", methods)
        for name, low, high in (
            ("horizon_days", 1, 366),
            ("origins", 1, 52),
            ("min_history_days", 7, 3650),
        ):
            value = getattr(self, name)
            if name == "origins" and value is None:
                continue
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        weeks = tuple(self.window_weeks)
        if not weeks or any(not isinstance(w, int) or not 1 <= w <= 52 for w in weeks):
            raise ValueError(f"window_weeks must be integers from 1 to 52, got {weeks!r}")
        object.__setattr__(self, "window_weeks", tuple(sorted(set(weeks))))
        if not 0.5 <= float(self.coverage) <= 0.99:
            raise ValueError(f"coverage must be from 0.5 to 0.99, got {self.coverage!r}")
        if not float(self.prior_days) >= 0:
            raise ValueError(f"prior_days must be >= 0, got {self.prior_days!r}")

    def fit(self, history: IntervalHistory) -> FittedForecast:
        """Prepare the history, backtest the methods, choose one and calibrate its intervals."""
        if not isinstance(history, IntervalHistory):
            raise TypeError(f"history must be an IntervalHistory, got {type(history).__name__}")
        if self.interval_minutes is not None:
            history = history.aggregate(self.interval_minutes)
        check_forecastable(history, self.min_history_days)
        backtest = run_backtest(self, history)
        prepared = PreparedHistory.build(self, history)
        if backtest is not None:
            prepared = replace(
                prepared, weeks=backtest.windows.get(backtest.chosen, prepared.weeks)
            )
        update = IntradayUpdate()
        if backtest is None:
            method = _default_method(self.methods, prepared)
            calibration = Calibration.default(self.coverage)
        else:
            method = backtest.chosen
            f, a = backtest.errors[method]
            slots = history.slots_per_day
            calibration = Calibration.from_errors(f, a, self.coverage, len(f) // slots)
            update = learn_update(
                f.reshape(-1, slots), a.reshape(-1, slots), max(1, 60 // history.interval_minutes)
            )
        return FittedForecast(self, prepared, method, backtest, calibration, update.kappa, update)


def check_forecastable(history: IntervalHistory, min_history_days: int = 7) -> None:
    """ValueError unless ``history`` can be forecast: at least ``min_history_days`` calendar
    days (a week by default, what the same-weekday methods need) and some calls. Called
    when a history is loaded or uploaded, so that a short one is refused there and then."""
    if history.n_days < min_history_days:
        raise ValueError(
            f"too little history: it must cover at least {min_history_days} calendar days to be"
            " forecast, got"
            f" {history.n_days} ({history.first_day} to {history.last_day})"
        )
    if not history.offered.any():
        raise ValueError("history has no calls at all")


def _default_method(methods: Sequence[Method], prepared: PreparedHistory) -> Method:
    """The method used without a backtest: the weekday mean (the profile on a sparse
    history, where the mean of a few weeks is 0 wherever no call came), if it fits."""
    n = prepared.history.n_days
    usable = [m for m in methods if METHOD_MIN_DAYS[m] <= n]
    if not usable:
        needs = min(METHOD_MIN_DAYS[m] for m in methods)
        raise ValueError(f"history must cover at least {needs} calendar days, got {n}")
    for m in ("profile", "weekday_mean") if prepared.sparse else ("weekday_mean", "profile"):
        if m in usable:
            return m
    return usable[0]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Forecast:
    """Per-interval forecast: ``offered[i]`` within ``[offered_low[i], offered_high[i]]``."""

    starts: list[datetime]
    offered: FloatArray
    offered_low: FloatArray
    offered_high: FloatArray
    aht_seconds: FloatArray | None
    method: str
    interval_minutes: int
    coverage: float
    form: TimestampForm = field(default_factory=TimestampForm)
    update_prior: float = DEFAULT_UPDATE_PRIOR  # κ of the within-day update (wfm.intraday_update)
    # the full learnt within-day update; None: the ratio alone with κ = update_prior
    update: IntradayUpdate | None = field(default=None, repr=False, compare=False)

    def rows(self) -> list[dict[str, object]]:
        """One dict per interval (``start`` as text in the input's form)."""
        out: list[dict[str, object]] = []
        for i, s in enumerate(self.starts):
            row: dict[str, object] = {
                "start": self.form.format(s),
                "offered": round(float(self.offered[i]), 3),
                "offered_low": round(float(self.offered_low[i]), 3),
                "offered_high": round(float(self.offered_high[i]), 3),
            }
            if self.aht_seconds is not None:
                row["aht_seconds"] = round(float(self.aht_seconds[i]), 1)
            out.append(row)
        return out

    def output_rows(self) -> list[dict[str, object]]:
        """:meth:`rows` with each start in the output's offset, one row per instant: a local
        time that daylight saving skips is left out, one it repeats is written once per
        offset (the same forecast for both). Naive output is :meth:`rows` itself."""
        out: list[dict[str, object]] = []
        for row, start in zip(self.rows(), self.starts, strict=True):
            for fold in self.form.local_folds(start):
                out.append({**row, "start": self.form.format(start, fold)})
        return out

    def reforecast(
        self, actuals: Mapping[datetime, float] | Sequence[tuple[datetime, float]]
    ) -> Forecast:
        """Update the rest of a day from the calls seen so far in some of its intervals.

        ``actuals`` pairs interval starts (exactly as in :attr:`starts`: naive local times,
        or aware ones when the forecast's are) with the calls offered there, all on one day.
        Each is placed at its own interval. The intervals of that day after the last actual
        are updated by :attr:`update` (:class:`wfm.intraday_update.IntradayUpdate`, learnt
        from the backtest days: a shrunk observed/forecast ratio combined with penalised
        least squares on the day's error shapes), their bounds scaled as their point. Without
        it (a forecast rebuilt from rows with only :attr:`update_prior`) the ratio alone:
        with ``A`` actual and ``F`` forecast calls over those intervals and ``w = F / F_day``,
        the rest is multiplied by ``1 + λ (A/F − 1)``, ``λ = w / (w + κ)``, ``κ`` =
        :attr:`update_prior`. The given intervals become the actuals; earlier intervals
        without an actual keep their forecast; other days are untouched. With ``F = 0``
        nothing is scaled.
        """
        pairs = list(actuals.items()) if isinstance(actuals, Mapping) else list(actuals)
        if not pairs:
            raise ValueError("actuals must hold at least one (start, calls) pair")
        index = {s: i for i, s in enumerate(self.starts)}
        aware = self.starts[0].tzinfo is not None
        done: list[int] = []
        seen: list[float] = []
        for k, pair in enumerate(pairs):
            start, calls = _actual_pair(k, pair)
            if (start.tzinfo is not None) != aware:
                raise ValueError(
                    f"actuals[{k}]: start {start.isoformat()} must be "
                    f"{'aware (with a UTC offset)' if aware else 'naive'} like the forecast's"
                )
            if start not in index:
                raise ValueError(
                    f"actuals[{k}]: start {start.isoformat()} is not an interval start of the"
                    " forecast"
                )
            if index[start] in done:
                raise ValueError(f"actuals[{k}]: start {start.isoformat()} is given twice")
            done.append(index[start])
            seen.append(calls)
        days = sorted({self.starts[i].date() for i in done})
        if len(days) > 1:
            raise ValueError(
                f"actuals must all be on one day, got {', '.join(d.isoformat() for d in days)}"
            )
        idx = [i for i, s in enumerate(self.starts) if s.date() == days[0]]
        last = max(done)
        rest = [i for i in idx if i > last]
        offered, low, high = self.offered.copy(), self.offered_low.copy(), self.offered_high.copy()
        update = self.update or IntradayUpdate(self.update_prior)
        if rest:
            first = idx[0]
            new = update.rest(
                offered[idx], [i - first for i in done], seen, [i - first for i in rest]
            )
            old = offered[rest]
            factor = np.where(old > 0, new / np.maximum(old, 1e-12), 1.0)
            offered[rest] = np.where(old > 0, new, old)
            low[rest] *= factor
            high[rest] *= factor
        offered[done] = low[done] = high[done] = np.asarray(seen)
        return replace(self, offered=offered, offered_low=low, offered_high=high)


def _actual_pair(k: int, pair: object) -> tuple[datetime, float]:
    """One ``(start, calls)`` of :meth:`Forecast.reforecast`, checked (errors name ``k``)."""
    if not isinstance(pair, tuple) or len(pair) != 2 or not isinstance(pair[0], datetime):
        raise ValueError(
            f"actuals[{k}] must be a (start, calls) pair with a datetime start, got {pair!r}"
            " (actuals carry their interval starts)"
        )
    start, value = pair
    try:
        calls = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"actuals[{k}]: calls must be a number, got {value!r}") from None
    if not math.isfinite(calls) or calls < 0:
        raise ValueError(f"actuals[{k}]: calls must be a finite number >= 0, got {value!r}")
    return start, calls


@dataclass(frozen=True)
class FittedForecast:
    """A fitted :class:`ForecastSpec`: the chosen method, its backtest and calibration."""

    spec: ForecastSpec
    prepared: PreparedHistory = field(repr=False)
    method: Method
    backtest: Backtest | None
    calibration: Calibration
    update_prior: float = DEFAULT_UPDATE_PRIOR  # κ of the within-day update, learnt
    update: IntradayUpdate = field(default_factory=IntradayUpdate, repr=False)

    @property
    def history(self) -> IntervalHistory:
        return self.prepared.history

    @property
    def effects(self) -> SpecialDayEffects:
        return self.prepared.effects

    @property
    def holidays_closed(self) -> bool:
        return self.prepared.holidays_closed

    def forecast(self, start: date, days: int, method: Method | None = None) -> Forecast:
        """Forecast every interval of ``days`` days from ``start`` (after the end of history)."""
        if isinstance(start, datetime):
            start = start.date()
        if not isinstance(start, date):
            raise TypeError(f"start must be a date, got {start!r}")
        if not isinstance(days, int) or not 1 <= days <= 366:
            raise ValueError(f"days must be an integer from 1 to 366, got {days!r}")
        if start <= self.history.last_day:
            raise ValueError(
                f"start must be after the last day of history ({self.history.last_day})"
            )
        if (start - self.history.last_day).days > 366:
            raise ValueError("start must be within a year of the end of history")
        method = method or self.method
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        if METHOD_MIN_DAYS[method] > self.history.n_days:
            raise ValueError(
                f"method {method} needs at least {METHOD_MIN_DAYS[method]} days of history,"
                f" got {self.history.n_days}"
            )
        targets = [start + timedelta(days=i) for i in range(days)]
        prepared = self.prepared
        if self.backtest is not None and method in self.backtest.windows:
            prepared = replace(prepared, weeks=self.backtest.windows[method])
        point = point_forecast(prepared, method, targets)
        low, high = self.calibration.bounds(point)
        starts = [s for d in targets for s in self.history.interval_starts(d)]
        return Forecast(
            starts,
            point.ravel(),
            low.ravel(),
            high.ravel(),
            self._aht(targets),
            method,
            self.history.interval_minutes,
            self.spec.coverage,
            self.history.form,
            self.update_prior,
            self.update,
        )

    def _aht(self, targets: Sequence[date]) -> FloatArray | None:
        """AHT per interval, credibility-weighted (:func:`wfm.aht_forecast.aht_forecast`)."""
        out = aht_forecast(self.history, targets, self.prepared.weeks)
        return None if out is None else np.asarray(out.ravel(), dtype=float)
