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

   ``seasonal_naive``  the same interval one week earlier (the yardstick);
   ``weekday_mean``    mean of the same weekday and interval over the last ``weeks`` weeks;
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
3. *Choice* by rolling-origin backtest: at each origin the history before it is refit from
   scratch and the next ``horizon_days`` days are forecast; the method with the lowest WAPE
   (``Σ|actual − forecast| / Σ actual`` over all intervals and origins) is chosen.
4. *Prediction intervals* (nominal ``coverage``, 80 % by default) from the chosen method's
   backtest errors: the error variance is modelled as ``v(f) = α f + β f²`` (Poisson noise plus
   a level error proportional to the forecast; α, β ≥ 0 by non-negative least squares on the
   squared errors, α ≥ 1), and the bounds are ``f + q · √v(f)`` with ``q`` the empirical
   ``(1 ± coverage)/2`` quantiles of the standardised errors ``(a − f)/√v(f)``. Without a
   backtest (short history) ``α = 1, β = 0.02`` and normal quantiles are used.
5. *Closed* intervals (no call in the last 8 weeks of that weekday and interval), closed
   weekdays, and holidays when every past holiday on an open weekday had no call, are 0
   (with a 0-wide interval).

Intraday re-forecast: :meth:`Forecast.reforecast`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
from scipy import optimize, stats

from wfm.calendar import SpecialDayEffects, baseline_totals, day_features, estimate_effects
from wfm.history import FloatArray, IntervalHistory, TimestampForm, check_interval_minutes

Method = Literal["seasonal_naive", "weekday_mean", "ets", "sarima", "profile", "combination"]
METHODS: tuple[Method, ...] = (
    "seasonal_naive",
    "weekday_mean",
    "ets",
    "sarima",
    "profile",
    "combination",
)
YARDSTICK: Method = "seasonal_naive"
OPEN_LOOKBACK_WEEKS = 8  # an interval counts as open if it had a call in the last 8 weeks
AHT_PRIOR_CALLS = 20.0  # credibility constant of interval AHT (see FittedForecast._aht)
FULL_DAY_SHARE = 0.5  # a "full" weekday has at least half the calls of the busiest weekday
MAX_DAILY_HISTORY = 730  # daily-total models see at most two years


@dataclass(frozen=True)
class ForecastSpec:
    """What to forecast and how to choose among methods.

    Parameters
    ----------
    interval_minutes : int or None
        5 to 60, dividing the day; None uses the history's own interval.
    methods : candidate methods (see module docstring).
    horizon_days, origins : rolling-origin backtest: ``origins`` origins, ``horizon_days`` apart,
        the last one ``horizon_days`` before the end of history.
    window_weeks : candidate windows, in weeks, for the weekday mean, the intraday profiles and
        the weekday indices; the backtest picks one per method (a longer window averages out
        noise, a shorter one follows change). Longer windows are tried only when the history
        before the earliest backtest origin fills them.
    country : holidays country code (``holidays`` package), or None for none.
    holidays_closed : True/False to force; None learns it from history.
    coverage : nominal coverage of the prediction interval (0.5 to 0.99).
    prior_days : credibility floor for special-day effects (:mod:`wfm.calendar`).
    min_history_days : shortest history accepted.
    """

    interval_minutes: int | None = None
    methods: tuple[Method, ...] = METHODS
    horizon_days: int = 7
    origins: int = 3
    window_weeks: tuple[int, ...] = (4, 8)
    country: str | None = "KR"
    holidays_closed: bool | None = None
    coverage: float = 0.8
    prior_days: float = 0.25
    min_history_days: int = 14

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
        if history.n_days < self.min_history_days:
            raise ValueError(
                f"history must cover at least {self.min_history_days} days, got {history.n_days}"
                f" ({history.first_day} to {history.last_day})"
            )
        if not history.offered.any():
            raise ValueError("history has no calls at all")
        backtest = run_backtest(self, history)
        prepared = _Prepared.build(self, history)
        if backtest is not None:
            prepared = replace(
                prepared, weeks=backtest.windows.get(backtest.chosen, prepared.weeks)
            )
        if backtest is None:
            method: Method = "weekday_mean" if "weekday_mean" in self.methods else self.methods[0]
            calibration = _Calibration.default(self.coverage)
        else:
            method = backtest.chosen
            calibration = _Calibration.from_errors(*backtest.errors[method], self.coverage)
        return FittedForecast(self, prepared, method, backtest, calibration)


# ---------------------------------------------------------------- prepared history


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


@dataclass
class _Prepared:
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
    def build(cls, spec: ForecastSpec, history: IntervalHistory) -> _Prepared:
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
            base = baseline_totals(adjusted.sum(axis=1), open_day & ~special)
            for i in np.flatnonzero(missing):
                near = [
                    j
                    for j in range(i % 7, len(days), 7)
                    if open_day[j] and not missing[j] and abs(j - i) <= 21
                ]
                if near and np.isfinite(base[i]):
                    shape = adjusted[near].sum(axis=0)
                    adjusted[i] = shape / max(shape.sum(), 1e-12) * base[i]
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


# ---------------------------------------------------------------- methods


def _weekdays(targets: Sequence[date]) -> np.ndarray:
    return np.array([d.weekday() for d in targets])


def _seasonal_naive(p: _Prepared, targets: Sequence[date]) -> FloatArray:
    return np.array([p.adjusted[p.recent_rows(d.weekday())[-1]] for d in targets])


def _weekday_mean(p: _Prepared, targets: Sequence[date]) -> FloatArray:
    means = np.array([cap_outliers(p.adjusted[p.recent_rows(w)]).mean(axis=0) for w in range(7)])
    return np.asarray(means[_weekdays(targets)], dtype=float)


def _steps(p: _Prepared, targets: Sequence[date]) -> np.ndarray:
    return np.array([(d - p.history.last_day).days for d in targets])


def _ets_totals_fit(p: _Prepared, targets: Sequence[date]) -> FloatArray:
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


def _sarima_totals_fit(p: _Prepared, targets: Sequence[date]) -> FloatArray:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    steps = _steps(p, targets)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = SARIMAX(p.daily_totals(), order=(1, 0, 0), seasonal_order=(0, 1, 1, 7)).fit(
            disp=False, maxiter=50
        )
        path = np.asarray(result.forecast(int(steps.max())))
    return np.asarray(np.maximum(path[steps - 1], 0.0), dtype=float)


def _profile_totals_fit(p: _Prepared, targets: Sequence[date]) -> FloatArray:
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
    totals_fn: Callable[[_Prepared, Sequence[date]], FloatArray], by_window: bool = False
) -> Callable[[_Prepared, Sequence[date]], FloatArray]:
    """Memoise a daily-total model on the prepared history (the combination and the window
    variants reuse the statsmodels fits, which do not depend on the window)."""

    def method(p: _Prepared, targets: Sequence[date]) -> FloatArray:
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
    totals_fn: Callable[[_Prepared, Sequence[date]], FloatArray],
) -> Callable[[_Prepared, Sequence[date]], FloatArray]:
    def method(p: _Prepared, targets: Sequence[date]) -> FloatArray:
        totals = totals_fn(p, targets)
        return np.asarray(totals[:, None] * p.profiles()[_weekdays(targets)], dtype=float)

    return method


def _combination_totals(p: _Prepared, targets: Sequence[date]) -> FloatArray:
    parts = []
    for fn in (_ets_totals, _sarima_totals, _profile_totals):
        try:
            parts.append(fn(p, targets))
        except (ValueError, np.linalg.LinAlgError):
            continue
    if not parts:
        raise ValueError("no daily-total model could be fitted")
    return np.asarray(np.mean(parts, axis=0), dtype=float)


_METHOD_FUNCTIONS: dict[str, Callable[[_Prepared, Sequence[date]], FloatArray]] = {
    "seasonal_naive": _seasonal_naive,
    "weekday_mean": _weekday_mean,
    "ets": _by_profile(_ets_totals),
    "sarima": _by_profile(_sarima_totals),
    "profile": _by_profile(_profile_totals),
    "combination": _by_profile(_combination_totals),
}


def _point_forecast(p: _Prepared, method: str, targets: Sequence[date]) -> FloatArray:
    """Forecast on the calendar scale: ordinary-day forecast × special-day factors, closed = 0."""
    ordinary = _METHOD_FUNCTIONS[method](p, targets)
    features = p.features(targets)
    mult = p.effects.multiplier(features)
    out = np.maximum(ordinary * mult[:, None], 0.0) * p.open_slot[_weekdays(targets)]
    if p.holidays_closed:
        out[features["holiday"]] = 0.0
    return np.asarray(out, dtype=float)


# ---------------------------------------------------------------- backtest and intervals


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
        base = _Prepared.build(spec, train)
        targets = [train.last_day + timedelta(days=k) for k in range(1, horizon + 1)]
        actual = history.offered[end : end + horizon]
        actual_total += float(actual.sum())
        for m, w in keys:
            try:
                fc = _point_forecast(replace(base, weeks=w), m, targets)
            except (ValueError, np.linalg.LinAlgError, IndexError):
                abs_err[(m, w)] = float("nan")
                continue
            abs_err[(m, w)] += float(np.abs(actual - fc).sum())
            pairs[(m, w)].append((fc.ravel(), actual.ravel()))
    if actual_total <= 0:
        return None
    wape: dict[str, float] = {}
    best: dict[str, int] = {}
    for m in spec.methods:
        scores = [(abs_err[(m, w)] / actual_total, w) for w in windows if (m, w) in abs_err]
        finite_scores = [sw for sw in scores if np.isfinite(sw[0])]
        wape[m], best[m] = min(finite_scores) if finite_scores else (float("nan"), windows[0])
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


@dataclass(frozen=True)
class _Calibration:
    """Prediction-interval model ``f + q·√(α f + β f²)`` (see module docstring)."""

    alpha: float
    beta: float
    q_low: float
    q_high: float

    @classmethod
    def default(cls, coverage: float) -> _Calibration:
        z = float(stats.norm.ppf((1 + coverage) / 2))
        return cls(1.0, 0.02, -z, z)

    @classmethod
    def from_errors(cls, forecast: FloatArray, actual: FloatArray, coverage: float) -> _Calibration:
        used = forecast > 0
        f, a = forecast[used], actual[used]
        if len(f) < 20:
            return cls.default(coverage)
        coef, _ = optimize.nnls(np.column_stack([f, f * f]), (a - f) ** 2)
        alpha, beta = max(float(coef[0]), 1.0), float(coef[1])
        z = (a - f) / np.sqrt(alpha * f + beta * f * f)
        q_low, q_high = np.quantile(z, [(1 - coverage) / 2, (1 + coverage) / 2])
        return cls(alpha, beta, min(float(q_low), 0.0), max(float(q_high), 0.0))

    def bounds(self, point: FloatArray) -> tuple[FloatArray, FloatArray]:
        sd = np.sqrt(self.alpha * point + self.beta * point * point)
        return np.maximum(point + self.q_low * sd, 0.0), point + self.q_high * sd


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

    def reforecast(self, actual_offered: Sequence[float], day: date | None = None) -> Forecast:
        """Update the rest of ``day`` from the calls seen so far in its first intervals.

        With ``A`` actual and ``F`` forecast calls over the ``k`` intervals seen, and
        ``w = F / F_day`` the share of the day's forecast volume already due, the remaining
        intervals (point and bounds) are multiplied by ``1 + w (A/F − 1)``: early in the day a
        surprise moves the rest little, late in the day nearly in full (a credibility weight
        that grows with the evidence). The seen intervals become the actuals. ``day`` defaults
        to the first day of the forecast.
        """
        day = day or self.starts[0].date()
        idx = [i for i, s in enumerate(self.starts) if s.date() == day]
        if not idx:
            raise ValueError(f"day {day.isoformat()} is not in the forecast")
        seen = np.asarray(actual_offered, dtype=float)
        if seen.ndim != 1 or len(seen) > len(idx) or np.any(~np.isfinite(seen)) or np.any(seen < 0):
            raise ValueError(f"actual_offered must be at most {len(idx)} numbers >= 0")
        k = len(seen)
        offered, low, high = self.offered.copy(), self.offered_low.copy(), self.offered_high.copy()
        done, rest = idx[:k], idx[k:]
        f_seen, f_day = float(offered[done].sum()), float(offered[idx].sum())
        if f_seen > 0 and f_day > 0:
            weight = f_seen / f_day
            scale = 1 + weight * (float(seen.sum()) / f_seen - 1)
        else:
            scale = 1.0
        for arr in (offered, low, high):
            arr[rest] *= scale
        offered[done] = low[done] = high[done] = seen
        return replace(self, offered=offered, offered_low=low, offered_high=high)


@dataclass(frozen=True)
class FittedForecast:
    """A fitted :class:`ForecastSpec`: the chosen method, its backtest and calibration."""

    spec: ForecastSpec
    prepared: _Prepared = field(repr=False)
    method: Method
    backtest: Backtest | None
    calibration: _Calibration

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
        targets = [start + timedelta(days=i) for i in range(days)]
        prepared = self.prepared
        if self.backtest is not None and method in self.backtest.windows:
            prepared = replace(prepared, weeks=self.backtest.windows[method])
        point = _point_forecast(prepared, method, targets)
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
        )

    def _aht(self, targets: Sequence[date]) -> FloatArray | None:
        """AHT per interval, by credibility-weighted means (AHT of few calls is noisy).

        ``overall`` is the call-weighted mean AHT of the last four weeks; the interval-of-day
        mean over those weeks is shrunk toward it, and the mean of the same weekday and
        interval over the recent weeks toward that, each as ``(Σ aht·calls + k·prior) /
        (Σ calls + k)`` with ``k`` = :data:`AHT_PRIOR_CALLS` (an interval needs about that
        many answered calls before its own AHT counts half).
        """
        aht, y = self.history.aht_seconds, self.history.offered
        if aht is None or not np.isfinite(aht).any():
            return None
        known = np.isfinite(aht) & (y > 0)
        work, weight = np.where(known, aht * y, 0.0), np.where(known, y, 0.0)
        tail = slice(-28, None)
        overall = (
            (work[tail].sum() / weight[tail].sum())
            if weight[tail].sum() > 0
            else (work.sum() / weight.sum())
        )
        k = AHT_PRIOR_CALLS
        by_slot = (work[tail].sum(axis=0) + k * overall) / (weight[tail].sum(axis=0) + k)
        out = []
        for d in targets:
            rows = self.prepared.recent_rows(d.weekday())
            out.append((work[rows].sum(axis=0) + k * by_slot) / (weight[rows].sum(axis=0) + k))
        return np.asarray(out, dtype=float).ravel()
