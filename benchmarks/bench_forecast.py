"""Day-ahead forecast accuracy on the Anonymous Bank (Israel, 1999) against HA-4w.

Series (see /work/shared/data/anonymous_bank_1999/README.md):

* ``arrivals_1999_6min.csv``: the whole of 1999, calls per six minutes, local (Israeli) time,
  naive timestamps, so no time-zone conversion is needed; the center is open Sunday to
  Thursday 07:00-24:00, Friday to 14:00, Saturday evening, and closes or shortens on Jewish
  holidays: the holiday calendar is Israel's (``--country IL``, the ``holidays`` package).
  Aggregated to 30, 60 and 12 minutes (15 minutes is not a multiple of the file's 6).
* ``data_anonymous_bank_february.txt``: February 1999 call by call, turned into 15- and
  30-minute intervals with AHT (``benchmarks/anonymous_bank_intervals.py``).

For each: rolling origin over the last 8 weeks (February: the last 2 weeks), one day ahead:
the history before each day is fitted from scratch exactly as ``contactops forecast
--country IL --days 1`` does (method chosen by its own backtest) and the day forecast. WAPE
over 07:00-24:00 of

* the chosen forecast,
* HA-4w (mean of the same weekday and interval over the last 4 ordinary weeks: holidays
  skipped), computed here from the raw counts,
* seasonal naive (same interval a week earlier),
* the Poisson noise floor: the WAPE a forecast equal to the true mean would still have,
  ``Σ E|Y − λ| / Σ λ`` with ``Y ~ Poisson(λ)``, ``λ`` taken as the chosen forecast.

Then: the within-day update at 10:00 and 13:00 (rest-of-day WAPE with and without; the
update is ``Forecast.reforecast``, whose values are learnt per hour of the day on the fit's
own backtest days, all before the day forecast, which the run checks),
the coverage of the 80 % prediction intervals over the open intervals, the AHT backtest on
February (credibility-weighted forecast against the 4-week same-weekday mean of AHT), and
the time of a one-day forecast from the year at 30 minutes (method choice included).

Run: ``python benchmarks/bench_forecast.py`` (a few minutes on one core).
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# One core, as the target says (and as the CLI and API run a fit): BLAS threads only add
# overhead on these small matrices, and on a shared machine their spin-waits cost seconds.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wfm.calendar import holiday_dates
from wfm.forecast import FittedForecast, Forecast, ForecastSpec
from wfm.history import FloatArray, IntervalHistory, read_history_csv

DATA = next(
    (
        up / "shared" / "data" / "anonymous_bank_1999"
        for up in ROOT.parents
        if (up / "shared" / "data" / "anonymous_bank_1999").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "anonymous_bank_1999",
)  # the project's shared data, from the main checkout or a worktree beside it
YEAR = DATA / "arrivals_1999_6min.csv"
BANK = DATA / "data_anonymous_bank_february.txt"
COUNTRY = "IL"
OPEN_FROM_HOUR = 7
CUTS = (10, 13)


def bank_month(interval_minutes: int) -> IntervalHistory:
    spec = importlib.util.spec_from_file_location(
        "abi", ROOT / "benchmarks" / "anonymous_bank_intervals.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return read_history_csv(io.StringIO(module.convert_to_text(BANK, interval_minutes)))


@dataclass
class Tally:
    """Sums over the test days."""

    abs_err: dict[str, float] = field(default_factory=dict)
    actual: float = 0.0
    noise: float = 0.0
    rest: dict[str, float] = field(default_factory=dict)
    rest_actual: dict[int, float] = field(default_factory=dict)
    inside: int = 0
    open_cells: int = 0
    aht: dict[str, float] = field(default_factory=dict)
    aht_work: float = 0.0
    chosen: dict[str, int] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    learnt_gap: list[int] = field(default_factory=list)  # test day − last learning day

    def add(self, key: str, value: float, into: dict[str, float] | None = None) -> None:
        target = self.abs_err if into is None else into
        target[key] = target.get(key, 0.0) + value


def ha_4w(history: IntervalHistory, day_index: int, holidays: set[date]) -> FloatArray:
    """Mean of the last 4 same weekdays before ``day_index`` that are not holidays."""
    rows = [
        j
        for j in range(day_index - 7, -1, -7)
        if history.first_day + timedelta(days=j) not in holidays
    ][:4]
    return np.asarray(history.offered[rows].mean(axis=0), dtype=float)


def poisson_mad(mean: FloatArray) -> float:
    """Σ E|Y − λ| for Y ~ Poisson(λ), per cell (exact sum over the support)."""
    lam = np.maximum(mean, 1e-12)
    k = np.arange(0, int(lam.max() * 2 + 50))[:, None]
    return float((stats.poisson.pmf(k, lam) * np.abs(k - lam)).sum())


def evaluate(history: IntervalHistory, test_days: int, before: int = 0) -> Tally:
    holidays = set(holiday_dates(history.days, COUNTRY))
    spec = ForecastSpec(country=COUNTRY, horizon_days=1)
    first = OPEN_FROM_HOUR * 60 // history.interval_minutes
    per_hour = 60 // history.interval_minutes if history.interval_minutes <= 60 else 1
    t = Tally()
    for i in range(history.n_days - before - test_days, history.n_days - before):
        day = history.first_day + timedelta(days=i)
        actual = history.offered[i]
        t0 = time.perf_counter()
        fit = spec.fit(history.until(day))
        fc = fit.forecast(day, 1)
        t.seconds.append(time.perf_counter() - t0)
        _check_learnt_before(t, fit, day)
        t.chosen[fc.method] = t.chosen.get(fc.method, 0) + 1
        cols = slice(first, None)
        a = actual[cols]
        t.actual += float(a.sum())
        t.add("chosen", float(np.abs(a - fc.offered[cols]).sum()))
        t.add("HA-4w", float(np.abs(a - ha_4w(history, i, holidays)[cols]).sum()))
        t.add("seasonal naive", float(np.abs(a - history.offered[i - 7][cols]).sum()))
        t.noise += poisson_mad(fc.offered[cols])
        open_ = fc.offered_high[cols] > 0
        inside = (a >= fc.offered_low[cols]) & (a <= fc.offered_high[cols])
        t.inside += int(inside[open_].sum())
        t.open_cells += int(open_.sum())
        for hour in CUTS:
            _rest_of_day(t, fc, actual, hour * per_hour, hour)
        if history.aht_seconds is not None and fc.aht_seconds is not None:
            _aht(t, history, i, fc.aht_seconds, holidays)
    return t


def _check_learnt_before(t: Tally, fit: FittedForecast, day: date) -> None:
    """The update's values and the interval calibration are learnt on the fit's backtest
    days only: check that every one of them is before the day forecast (the fit sees only
    ``history.until(day)``), and keep the latest."""
    assert fit.history.last_day < day
    if fit.backtest is not None:
        last = max(fit.backtest.origins) + timedelta(days=fit.backtest.horizon_days - 1)
        assert last < day, (last, day)
        t.learnt_gap.append((day - last).days)


def _rest_of_day(t: Tally, fc: Forecast, actual: FloatArray, cut: int, hour: int) -> None:
    seen = [(fc.starts[j], float(actual[j])) for j in range(cut)]
    updated = fc.reforecast(seen)
    rest = slice(cut, None)
    t.rest_actual[hour] = t.rest_actual.get(hour, 0.0) + float(actual[rest].sum())
    t.add(f"{hour}:none", float(np.abs(actual[rest] - fc.offered[rest]).sum()), t.rest)
    t.add(f"{hour}:update", float(np.abs(actual[rest] - updated.offered[rest]).sum()), t.rest)


def _aht(
    t: Tally, history: IntervalHistory, i: int, forecast: FloatArray, holidays: set[date]
) -> None:
    """Call-weighted absolute AHT error of the forecast and of the 4-week weekday mean."""
    assert history.aht_seconds is not None
    real, calls = history.aht_seconds[i], history.offered[i]
    ok = np.isfinite(real) & (calls > 0)
    rows = [
        j for j in range(i - 7, -1, -7) if history.first_day + timedelta(days=j) not in holidays
    ][:4]
    aht, y = history.aht_seconds[rows], history.offered[rows]
    known = np.isfinite(aht) & (y > 0)
    work = np.where(known, aht * y, 0.0).sum(axis=0)
    weight = np.where(known, y, 0.0).sum(axis=0)
    overall = work.sum() / max(weight.sum(), 1e-12)
    mean4 = np.where(weight > 0, work / np.maximum(weight, 1e-12), overall)
    t.add("forecast", float((np.abs(forecast - real) * calls)[ok].sum()), t.aht)
    t.add("HA-4w", float((np.abs(mean4 - real) * calls)[ok].sum()), t.aht)
    t.aht_work += float((real * calls)[ok].sum())


def report(name: str, history: IntervalHistory, test_days: int) -> Tally:
    t = evaluate(history, test_days)
    base = t.abs_err["HA-4w"] / t.actual
    print(
        f"\n## {name}: {history.first_day} to {history.last_day}, {history.interval_minutes}-minute"
        f" intervals, day-ahead over the last {test_days} days, 07:00-24:00"
    )
    print(f"{'':<24}{'WAPE':>8}{'rel. to HA-4w':>15}")
    for key in ("chosen", "HA-4w", "seasonal naive"):
        w = t.abs_err[key] / t.actual
        print(f"{key:<24}{w:>8.4f}{w / base:>15.3f}")
    floor = t.noise / t.actual
    print(f"{'Poisson noise floor':<24}{floor:>8.4f}{floor / base:>15.3f}")
    chosen = ", ".join(f"{m} {n}" for m, n in sorted(t.chosen.items()))
    print(f"methods chosen: {chosen}")
    for hour in CUTS:
        none = t.rest[f"{hour}:none"] / t.rest_actual[hour]
        upd = t.rest[f"{hour}:update"] / t.rest_actual[hour]
        print(
            f"update at {hour}:00: rest-of-day WAPE {none:.4f} -> {upd:.4f}"
            f" ({(none - upd) / none:+.1%} lower)"
        )
    if t.learnt_gap:
        print(
            "update and intervals learnt on backtest days before each test day: checked"
            f" (test day minus last learning day: {min(t.learnt_gap)} to {max(t.learnt_gap)})"
        )
    print(f"80 % interval coverage (open intervals): {t.inside / max(t.open_cells, 1):.3f}")
    if t.aht:
        f, h = t.aht["forecast"] / t.aht_work, t.aht["HA-4w"] / t.aht_work
        print(f"AHT call-weighted error: forecast {f:.4f}, HA-4w {h:.4f} ({h and f / h:.3f})")
    print(f"fit + one-day forecast: median {np.median(t.seconds):.2f} s per day")
    return t


def design_window(history: IntervalHistory, test_days: int) -> None:
    """The within-day update on the ``test_days`` days before the test window: where its
    form (ratio and error shapes combined, values per hour, in-sample shapes) was chosen
    among the alternatives, so that no test day chose it."""
    t = evaluate(history, test_days, before=test_days)
    first = history.first_day + timedelta(days=history.n_days - 2 * test_days)
    last = first + timedelta(days=test_days - 1)
    print(f"\n## design window {first} to {last} (before the test window), same settings")
    for hour in CUTS:
        none = t.rest[f"{hour}:none"] / t.rest_actual[hour]
        upd = t.rest[f"{hour}:update"] / t.rest_actual[hour]
        print(
            f"update at {hour}:00: rest-of-day WAPE {none:.4f} -> {upd:.4f}"
            f" ({(none - upd) / none:+.1%} lower)"
        )
    print(f"80 % interval coverage (open intervals): {t.inside / max(t.open_cells, 1):.3f}")


def timing(history: IntervalHistory) -> None:
    """One-day forecast from the whole year (method choice included): wall and CPU seconds,
    cold and again; then through the planner API's session cache (a second request for
    the same history and settings)."""
    from types import SimpleNamespace

    from app.wfm_history import fit_cached

    spec = ForecastSpec(country=COUNTRY, horizon_days=1)
    start = history.last_day + timedelta(days=1)
    for label in ("first call", "second call"):
        t0, c0 = time.perf_counter(), time.process_time()
        spec.fit(history).forecast(start, 1)
        print(
            f"one-day forecast from {history.n_days} days, {label}:"
            f" {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU"
        )
    state = SimpleNamespace()
    for label in ("first request", "same request again"):
        t0 = time.perf_counter()
        fit_cached(state, spec, history).forecast(start, 1)
        print(f"planner API session cache, {label}: {time.perf_counter() - t0:.3f} s")


def main() -> int:
    if not YEAR.exists():
        print(f"(Anonymous Bank data not found at {DATA})")
        return 0
    t0 = time.perf_counter()
    year30 = read_history_csv(YEAR, 30)
    print(f"read the 1999 year at 30 minutes: {time.perf_counter() - t0:.2f} s")
    timing(year30)
    report("Anonymous Bank 1999", year30, 56)
    design_window(year30, 56)
    for minutes in (60, 12):
        report("Anonymous Bank 1999", read_history_csv(YEAR, minutes), 56)
    if BANK.exists():
        for minutes in (30, 15):
            report("Anonymous Bank February (call by call)", bank_month(minutes), 14)
    return 0


if __name__ == "__main__":
    sys.exit(main())
