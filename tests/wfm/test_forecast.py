"""wfm.forecast, wfm.history and wfm.calendar on synthetic series with a known pattern."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from wfm.calendar import day_features, holiday_dates
from wfm.forecast import DEFAULT_METHODS, METHODS, ForecastSpec
from wfm.history import IntervalHistory, read_history_csv, synthetic_history

FAST = ("seasonal_naive", "weekday_mean", "profile")


def history(seed: int = 0, days: int = 56, **kw: object) -> IntervalHistory:
    return synthetic_history(np.random.default_rng(seed), date(2025, 1, 6), days, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def office_hours() -> IntervalHistory:
    """Weekdays and Saturday morning 09-18, Sunday closed, 30-minute intervals, 8 weeks."""
    return history(0, 56, interval_minutes=30)


@pytest.fixture(scope="module")
def fitted_office(office_hours: IntervalHistory):  # type: ignore[no-untyped-def]
    return ForecastSpec().fit(office_hours)


def test_forecast_has_every_interval_and_ordered_bounds(fitted_office) -> None:  # type: ignore[no-untyped-def]
    start = fitted_office.history.last_day + timedelta(days=1)
    fc = fitted_office.forecast(start, 7)
    assert len(fc.starts) == 7 * 48 == len(fc.offered) == len(fc.offered_low)
    assert fc.starts[0] == datetime(start.year, start.month, start.day)
    assert all(b - a == timedelta(minutes=30) for a, b in zip(fc.starts, fc.starts[1:]))
    assert np.all(fc.offered_low <= fc.offered) and np.all(fc.offered <= fc.offered_high)
    assert np.all(fc.offered_low >= 0)
    assert fc.aht_seconds is not None and np.all(fc.aht_seconds > 100)
    assert fc.method in METHODS and fitted_office.backtest is not None
    assert set(fitted_office.backtest.wape) == set(DEFAULT_METHODS)


def test_closed_hours_and_closed_weekday_are_zero(fitted_office) -> None:  # type: ignore[no-untyped-def]
    start = fitted_office.history.last_day + timedelta(days=1)
    fc = fitted_office.forecast(start, 7)
    for s, value, high in zip(fc.starts, fc.offered, fc.offered_high):
        closed = s.weekday() == 6 or not 9 <= s.hour < 18
        if closed:
            assert value == 0 and high == 0, s
        else:
            assert value > 0, s


def test_daily_totals_close_to_truth(fitted_office) -> None:  # type: ignore[no-untyped-def]
    start = date(2025, 3, 4)  # a Tuesday with no special day (Monday 3 March is a holiday)
    fc = fitted_office.forecast(start, 1)
    assert fc.offered.sum() == pytest.approx(2000 * 1.05, rel=0.08)


def test_backtest_prefers_pooled_mean_over_naive_on_stable_series(fitted_office) -> None:  # type: ignore[no-untyped-def]
    bt = fitted_office.backtest
    assert bt.chosen != "seasonal_naive"
    assert bt.relative_wape["ha_4w"] == 1.0  # the yardstick
    assert bt.relative_wape["seasonal_naive"] > 1.1  # one week is noisier than four


def test_backtest_prefers_a_level_tracking_method_on_a_trend() -> None:
    growing = history(3, 70, interval_minutes=60, growth_per_week=0.08)
    bt = ForecastSpec(methods=METHODS).fit(growing).backtest
    assert bt is not None
    assert bt.chosen in ("ets", "sarima", "profile", "combination")
    assert bt.wape[bt.chosen] < 0.8 * bt.wape["weekday_mean"]


def test_prediction_interval_coverage_is_near_nominal() -> None:
    full = history(
        5,
        84,
        interval_minutes=60,
        daily_calls=3000.0,
        weekday_factors=(1.2, 1.0, 1.0, 1.0, 1.1, 0.8, 0.7),
        open_minutes=(0, 1440),
    )
    train = full.until(full.first_day + timedelta(days=63))
    fitted = ForecastSpec(methods=FAST, country=None).fit(train)
    fc = fitted.forecast(full.first_day + timedelta(days=63), 21)
    actual = full.offered[63:].ravel()
    inside = (actual >= fc.offered_low) & (actual <= fc.offered_high)
    assert 0.7 <= inside.mean() <= 0.9, inside.mean()


def test_holidays_closed_in_history_are_forecast_zero() -> None:
    start = date(2025, 8, 4)
    h = synthetic_history(
        np.random.default_rng(7),
        start,
        14 * 7,
        60,
        weekday_factors=(1.2, 1.0, 1.0, 1.0, 1.1, 0.0, 0.0),
        open_minutes=(7 * 60, 21 * 60),
    )
    hol = holiday_dates(h.days, "KR")
    offered = h.offered.copy()
    for i, d in enumerate(h.days):
        if d in hol:
            offered[i] = 0.0  # closed on holidays: rows absent
    h = IntervalHistory(h.first_day, 60, offered, None)
    fitted = ForecastSpec(methods=FAST).fit(h)
    assert fitted.holidays_closed
    fc = fitted.forecast(date(2025, 12, 22), 7)
    for s, value in zip(fc.starts, fc.offered):
        if s.date() == date(2025, 12, 25) or s.weekday() >= 5 or not 7 <= s.hour < 21:
            assert value == 0, s
        else:
            assert value > 0, s


def test_holiday_and_payday_effects_are_recovered() -> None:
    first = date(2024, 1, 1)
    days = [first + timedelta(days=i) for i in range(52 * 7)]
    feats = day_features(days, "KR")
    factors = {
        d: (1.6 if feats["payday"][i] else 1.0) * (0.5 if feats["holiday"][i] else 1.0)
        for i, d in enumerate(days)
    }
    h = synthetic_history(
        np.random.default_rng(11),
        first,
        len(days),
        60,
        daily_calls=3000.0,
        weekday_factors=(1.0,) * 7,
        open_minutes=(0, 1440),
        day_factors=factors,
        aht_seconds=None,
    )
    fitted = ForecastSpec(methods=("weekday_mean",), origins=1).fit(h)
    assert not fitted.holidays_closed
    assert fitted.effects.factors["payday"] == pytest.approx(1.6, rel=0.1)
    assert fitted.effects.factors["holiday"] == pytest.approx(0.5, rel=0.15)
    assert abs(fitted.effects.factors["month_end"] - 1) < 0.1
    # a forecast on a payday carries the effect
    fc = fitted.forecast(date(2025, 1, 2), 9)  # ... up to the 10th (a Friday, payday)
    daily = fc.offered.reshape(9, 24).sum(axis=1)
    assert daily[-1] > 1.35 * np.median(daily)


def test_effects_shrink_toward_one_with_few_observations() -> None:
    assert day_features([date(2025, 1, 10)], "KR")["payday"][0]
    h = history(2, 21, interval_minutes=60, weekday_factors=(1.0,) * 7, open_minutes=(0, 1440))
    offered = h.offered.copy()
    i = (date(2025, 1, 10) - h.first_day).days
    offered[i] *= 3.0  # one payday three times as busy
    fitted = ForecastSpec(methods=("weekday_mean",)).fit(IntervalHistory(h.first_day, 60, offered))
    assert 1.5 < fitted.effects.factors["payday"] < 2.6  # shrunk below 3


def test_reforecast_moves_toward_actuals(fitted_office) -> None:  # type: ignore[no-untyped-def]
    day = date(2025, 3, 3)
    fc = fitted_office.forecast(day, 2)
    seen = fc.offered[:24] * 1.5  # the morning ran 50 % over forecast
    updated = fc.reforecast(list(zip(fc.starts[:24], seen, strict=True)))
    assert np.allclose(updated.offered[:24], seen)
    # the learnt update: on this history (Poisson noise around a fixed weekly pattern) a
    # morning's surprise says little about the afternoon, so the rest moves up only a little
    assert 1.0 < updated.offered[24:48].sum() / fc.offered[24:48].sum() < 1.5
    assert np.allclose(updated.offered[48:], fc.offered[48:])  # other days untouched
    assert np.all(updated.offered_low <= updated.offered)
    assert np.all(updated.offered <= updated.offered_high)
    # the ratio alone (a forecast rebuilt with only its κ): one factor for the rest
    plain = replace(fc, update=None)
    by_ratio = plain.reforecast(list(zip(fc.starts[:24], seen, strict=True)))
    open_ = fc.offered[24:48] > 0
    ratio = by_ratio.offered[24:48][open_] / fc.offered[24:48][open_]
    assert np.allclose(ratio, ratio[0]) and 1.05 < ratio[0] < 1.5
    later = plain.reforecast(dict(zip(fc.starts[:34], fc.offered[:34] * 1.5, strict=True)))
    assert later.offered[35] / fc.offered[35] > ratio[0]  # more of the day seen, more weight


def test_reforecast_places_actuals_at_their_interval_starts(fitted_office) -> None:  # type: ignore[no-untyped-def]
    """Issue 7: actuals for 09:00-11:30 were written at 00:00-02:30 and the day not scaled."""
    day = date(2025, 3, 4)
    fc = fitted_office.forecast(day, 1)
    morning = [datetime(2025, 3, 4, 9) + timedelta(minutes=30 * k) for k in range(6)]
    slots = [fc.starts.index(s) for s in morning]
    actual = fc.offered[slots] * 2.0  # twice the forecast so far
    updated = fc.reforecast(list(zip(morning, actual, strict=True)))
    assert np.allclose(updated.offered[slots], actual)
    assert np.all(updated.offered[:18] == fc.offered[:18])  # the night before: as forecast
    after = np.flatnonzero(fc.offered[slots[-1] + 1 :] > 0) + slots[-1] + 1
    assert 1.0 < updated.offered[after].sum() / fc.offered[after].sum() < 2.0  # moves up
    by_ratio = replace(fc, update=None).reforecast(list(zip(morning, actual, strict=True)))
    ratio = by_ratio.offered[after] / fc.offered[after]
    assert np.allclose(ratio, ratio[0]) and 1.1 < ratio[0] < 2.0  # the afternoon moves up
    with pytest.raises(ValueError, match="actuals carry their interval starts"):
        fc.reforecast([3.0, 4.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not an interval start"):
        fc.reforecast([(datetime(2025, 3, 4, 9, 10), 3.0)])
    with pytest.raises(ValueError, match="one day"):
        fc2 = fitted_office.forecast(day, 2)
        fc2.reforecast([(fc2.starts[20], 1.0), (fc2.starts[70], 1.0)])
    with pytest.raises(ValueError, match=r"actuals\[0\]: calls must be a finite number >= 0"):
        fc.reforecast([(morning[0], -1.0)])


def test_history_csv_absent_intervals_and_timestamp_form_kept() -> None:
    rows = ["start,offered,aht_seconds"]
    for d in range(21):
        for hour in (9, 10, 11):
            t = datetime(2025, 2, 3, hour, tzinfo=timezone(timedelta(hours=9))) + timedelta(days=d)
            rows.append(f"{t.isoformat(sep=' ', timespec='minutes')},{10 + hour},{150 + d}")
    h = read_history_csv(io.StringIO("\n".join(rows)))
    assert h.interval_minutes == 60 and h.n_days == 21
    assert h.offered[0, 9] == 19 and h.offered[0, 8] == 0
    fc = ForecastSpec(methods=FAST).fit(h).forecast(h.last_day + timedelta(days=1), 1)
    text = fc.rows()[9]["start"]
    assert text == "2025-02-24 09:00+09:00"
    assert fc.offered[8] == 0 and fc.offered[9] > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("start,calls\n2025-01-01T00:00,1\n", "missing the column 'offered'"),
        ("start,offered\n2025-01-01T00:00,1\nyesterday,2\n", "row 3: unparsable timestamp"),
        ("start,offered\n2025-01-01T00:00,x\n", "row 2: offered is not a number"),
        ("start,offered\n2025-01-01T00:00,-1\n", "row 2: offered must be a number >= 0"),
        ("start,offered\n", "no data rows"),
    ],
)
def test_history_csv_errors_name_row_and_column(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_history_csv(io.StringIO(text))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"interval_minutes": 7}, "interval_minutes"),
        ({"interval_minutes": 120}, "interval_minutes"),
        ({"methods": ("magic",)}, "methods"),
        ({"coverage": 1.5}, "coverage"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"origins": 0}, "origins"),
        ({"window_weeks": ()}, "window_weeks"),
        ({"window_weeks": (4, 0)}, "window_weeks"),
    ],
)
def test_spec_errors_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        ForecastSpec(**kwargs)  # type: ignore[arg-type]


def test_too_little_history_and_bad_start(office_hours: IntervalHistory) -> None:
    with pytest.raises(ValueError, match="at least 7 calendar days"):
        ForecastSpec().fit(office_hours.until(office_hours.first_day + timedelta(days=6)))
    fitted = ForecastSpec(methods=FAST).fit(office_hours)
    with pytest.raises(ValueError, match="start must be after"):
        fitted.forecast(office_hours.last_day, 1)
    with pytest.raises(ValueError, match="days must be"):
        fitted.forecast(office_hours.last_day + timedelta(days=1), 0)


def test_aggregation_to_longer_intervals(office_hours: IntervalHistory) -> None:
    hourly = office_hours.aggregate(60)
    assert hourly.offered.shape == (56, 24)
    assert hourly.offered.sum() == office_hours.offered.sum()
    with pytest.raises(ValueError, match="multiple"):
        hourly.aggregate(30)


def test_core_does_not_import_web_or_db() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "wfm"
    for name in (
        "forecast.py",
        "forecast_methods.py",
        "prepared_history.py",
        "backtest.py",
        "history.py",
        "calendar.py",
    ):
        tree = ast.parse((root / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for mod in mods:
                    assert mod.split(".")[0] not in {
                        "fastapi",
                        "sqlmodel",
                        "sqlalchemy",
                        "jinja2",
                        "app",
                    }


def test_backtest_picks_the_window_that_fits_the_series() -> None:
    spec = ForecastSpec(methods=("seasonal_naive", "weekday_mean"), country=None)
    stable = history(8, 16 * 7, interval_minutes=60, daily_calls=400.0)
    assert spec.fit(stable).backtest.windows["weekday_mean"] == 8  # type: ignore[union-attr]
    first = history(
        9, 16 * 7, interval_minutes=60, daily_calls=400.0, open_minutes=(9 * 60, 18 * 60)
    )
    later = history(
        10, 16 * 7, interval_minutes=60, daily_calls=800.0, open_minutes=(12 * 60, 21 * 60)
    )
    shifted = IntervalHistory(
        first.first_day, 60, np.vstack([first.offered[:77], later.offered[77:]])
    )
    assert spec.fit(shifted).backtest.windows["weekday_mean"] == 4  # type: ignore[union-attr]


# ------------------------------------------------------------------ review 3: sparse, short


def _as_file(h: IntervalHistory) -> IntervalHistory:
    """The history as a file gives it: rows only where calls came."""
    rows = ["start,offered"]
    for i, d in enumerate(h.days):
        for j, s in enumerate(h.interval_starts(d)):
            if h.offered[i, j] > 0:
                rows.append(f"{s.isoformat()},{h.offered[i, j]:g}")
    return read_history_csv(io.StringIO("\n".join(rows) + "\n"))


WEEKDAYS_ONLY = (1.25, 1.05, 1.0, 0.95, 1.05, 0.0, 0.0)


@pytest.fixture(scope="module")
def low_volume() -> IntervalHistory:
    """About 5 calls a day, weekdays 07:00-21:00 (28 half-hours), eight weeks."""
    return _as_file(
        synthetic_history(
            np.random.default_rng(21),
            date(2024, 4, 1),
            56,
            30,
            daily_calls=5.0,
            weekday_factors=WEEKDAYS_ONLY,
            open_minutes=(7 * 60, 21 * 60),
        )
    )


def test_low_volume_forecast_has_calls_in_every_open_interval(low_volume: IntervalHistory) -> None:
    """Issue 4: 118 of 140 open intervals were forecast 0 with a [0, 0] interval."""
    fitted = ForecastSpec().fit(low_volume)
    bt = fitted.backtest
    assert bt is not None and fitted.prepared.sparse
    assert fitted.method not in ("seasonal_naive", "weekday_mean")
    assert "sparse" in bt.notes["seasonal_naive"]
    fc = fitted.forecast(date(2024, 6, 3), 7)  # Monday to Sunday, no holiday
    is_open = np.array([s.weekday() < 5 and 7 <= s.hour < 21 for s in fc.starts])
    assert np.all(fc.offered[is_open] > 0) and np.all(fc.offered_high[is_open] > 0)
    assert np.all(fc.offered_high[is_open & (fc.offered > 0.11)] >= 1)  # Poisson's 90 %
    assert 0.1 < fc.offered[is_open].mean() < 0.35  # about 0.2 calls per interval
    assert np.all(fc.offered[~is_open] == 0) and np.all(fc.offered_high[~is_open] == 0)
    # the weekday mean reads "no call in eight weeks" as 0 only inside the interval
    # itself, never as closed hours: its zeros are its own, and it is not chosen
    wm = fitted.forecast(date(2024, 6, 3), 7, method="weekday_mean")
    assert np.all(wm.offered[~is_open] == 0)


def test_upper_bound_is_at_least_the_poisson_quantile(fitted_office) -> None:  # type: ignore[no-untyped-def]
    from scipy import stats

    point = np.array([0.0, 0.05, 0.2, 1.0, 3.0, 100.0])
    low, high = fitted_office.calibration.bounds(point)
    assert high[0] == 0 and np.all(high[1:] > 0)
    assert np.all(high >= stats.poisson.ppf(0.9, point)) and high[2] >= 1
    assert np.all(low <= point) and np.all(point <= high)


def test_one_week_of_history_is_enough_for_the_weekday_methods() -> None:
    """Issue 5: a week (a Monday-to-Friday file with its weekend absent) was rejected."""
    week = _as_file(history(22, 7, interval_minutes=30, weekday_factors=WEEKDAYS_ONLY))
    assert week.n_days == 7  # Monday to Sunday: the closed weekend counts
    fitted = ForecastSpec().fit(week)
    assert fitted.backtest is None and fitted.method == "weekday_mean"
    fc = fitted.forecast(week.last_day + timedelta(days=1), 7)
    assert fc.offered.reshape(7, 48)[:5].sum(axis=1).min() > 1000
    assert fc.offered.reshape(7, 48)[5:].sum() == 0
    assert ForecastSpec().fit(week).forecast(date(2025, 1, 13), 1, method="seasonal_naive")
    with pytest.raises(ValueError, match="method ets needs at least 14 days"):
        fitted.forecast(date(2025, 1, 13), 1, method="ets")


def test_two_weeks_backtest_skips_methods_that_need_more() -> None:
    """Issue 5: two full weeks of a Monday-to-Friday center ('got 12') are a backtest."""
    two = _as_file(history(23, 12, interval_minutes=30, weekday_factors=WEEKDAYS_ONLY))
    assert two.n_days == 14
    fitted = ForecastSpec().fit(two)
    bt = fitted.backtest
    assert bt is not None and bt.origins == (date(2025, 1, 13),)
    assert np.isnan(bt.wape["factor"]) and "needs 14 days" in bt.notes["factor"]
    assert bt.chosen in ("seasonal_naive", "ha_4w", "weekday_mean", "profile")
    assert np.isfinite(bt.wape["weekday_mean"]) and "weekday_mean" not in bt.notes
    assert "note: factor: skipped" in bt.table()
