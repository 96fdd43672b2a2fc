"""wfm.intraday_update: the shrunk ratio and the shrinkage learnt from history."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from wfm.forecast import ForecastSpec
from wfm.history import IntervalHistory
from wfm.intraday_update import (
    DEFAULT_UPDATE_PRIOR,
    KAPPA_GRID,
    MIN_SHAPE_DAYS,
    IntradayUpdate,
    learn_update,
    learn_update_prior,
    update_scale,
)

SHAPE = np.zeros(48)
SHAPE[18:36] = np.hanning(20)[1:19]
SHAPE /= SHAPE.sum()
WEEKDAY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.3, 0.0])


def test_update_scale_is_a_credibility_weight() -> None:
    # half the day seen at 1.5x: lambda = 0.5 / (0.5 + kappa)
    assert update_scale(50, 75, 100, 0.5) == pytest.approx(1.25)
    assert update_scale(50, 75, 100, 0.01) == pytest.approx(1 + 0.5 / 0.51 * 0.5)
    assert update_scale(0, 5, 100, 0.5) == 1.0  # nothing forecast so far: nothing to scale
    assert update_scale(90, 135, 100, 0.5) > update_scale(50, 75, 100, 0.5)  # more evidence


def test_shrinkage_is_learnt_small_when_the_morning_tells_the_day() -> None:
    rng = np.random.default_rng(0)
    forecast = np.tile(SHAPE * 1000, (28, 1))
    level = rng.uniform(0.7, 1.3, size=(28, 1))  # whole days above or below the forecast
    actual = forecast * level
    assert learn_update_prior(forecast, actual, 2) == KAPPA_GRID[0]


def test_shrinkage_is_learnt_large_when_the_morning_is_noise() -> None:
    rng = np.random.default_rng(1)
    forecast = np.tile(SHAPE * 1000, (28, 1))
    noise = np.where(np.arange(48) < 26, rng.uniform(0.6, 1.4, size=(28, 1)), 1.0)
    actual = forecast * noise  # mornings off, afternoons exactly as forecast
    assert learn_update_prior(forecast, actual, 2) == KAPPA_GRID[-1]
    assert learn_update_prior(forecast[:3], actual[:3], 2) == DEFAULT_UPDATE_PRIOR  # too few


def test_a_level_shift_is_followed_within_a_week_by_the_update() -> None:
    """From the second day after a +30 % shift, the 13:00 update of the day-ahead forecast
    puts the rest of the day within 8 % of the new level."""
    rng = np.random.default_rng(1)
    start, days = date(2025, 1, 6), 63
    level = np.where(np.arange(days) < 56, 1000.0, 1300.0)
    mean = level[:, None] * WEEKDAY[np.arange(days) % 7][:, None] * SHAPE[None, :]
    calls = rng.poisson(mean).astype(float)
    history = IntervalHistory(start, 30, calls)
    spec = ForecastSpec(country=None, horizon_days=1)
    for k in range(58, 62):  # Wednesday to Friday of the first week after the shift
        day = start + timedelta(days=k)
        fc = spec.fit(history.until(day)).forecast(day, 1)
        updated = fc.reforecast(list(zip(fc.starts[:26], calls[k, :26], strict=True)))
        truth = mean[k, 26:].sum()
        assert updated.offered[26:].sum() == pytest.approx(truth, rel=0.08), k
        assert abs(updated.offered[26:].sum() - truth) < abs(fc.offered[26:].sum() - truth)


def _rest_error(update: IntradayUpdate, f: np.ndarray, a: np.ndarray, cut: int) -> float:
    rest = update.rest(f, list(range(cut)), a[:cut], list(range(cut, len(f))))
    return float(np.abs(a[cut:] - rest).sum())


def test_learnt_update_follows_a_day_level_surprise() -> None:
    rng = np.random.default_rng(2)
    forecast = np.tile(SHAPE * 2000, (56, 1))
    actual = rng.poisson(forecast * rng.uniform(0.7, 1.3, size=(56, 1))).astype(float)
    update = learn_update(forecast, actual, 2)
    assert update.shapes.shape == (2, 48) and 26 in update.cuts
    day = SHAPE * 2000
    seen = day[:26] * 1.2  # a day 20 % over
    rest = update.rest(day, list(range(26)), seen, list(range(26, 48)))
    assert rest.sum() == pytest.approx(1.2 * day[26:].sum(), rel=0.05)
    closed = day[26:] == 0
    assert np.all(rest[closed] == 0)  # closed intervals stay closed


def test_learnt_update_uses_the_late_morning_when_it_tells_the_afternoon() -> None:
    """Afternoon surprises that start before noon: the error shapes (a tilt) beat a
    day-wide ratio, and the update learns to use them (weight below 1)."""
    rng = np.random.default_rng(3)
    forecast = np.tile(SHAPE * 2000, (56, 1))
    tilt = np.clip((np.arange(48) - 20) / 6, 0, 1)  # from 10:00, full from 13:00
    shock = rng.uniform(-0.4, 0.4, size=(56, 1))
    actual = rng.poisson(forecast * (1 + shock * tilt)).astype(float)
    update = learn_update(forecast, actual, 2)
    assert update.cuts[26].weight < 1.0
    test_f = np.tile(SHAPE * 2000, (20, 1))
    test_a = rng.poisson(test_f * (1 + rng.uniform(-0.4, 0.4, size=(20, 1)) * tilt)).astype(float)
    ratio_only = IntradayUpdate(update.cuts[26].kappa)
    full = sum(_rest_error(update, f, a, 26) for f, a in zip(test_f, test_a, strict=True))
    plain = sum(_rest_error(ratio_only, f, a, 26) for f, a in zip(test_f, test_a, strict=True))
    assert full < 0.9 * plain


def test_learnt_update_barely_moves_when_mornings_are_noise() -> None:
    rng = np.random.default_rng(4)
    forecast = np.tile(SHAPE * 2000, (56, 1))
    noise = np.where(np.arange(48) < 26, rng.uniform(0.6, 1.4, size=(56, 1)), 1.0)
    actual = forecast * noise
    update = learn_update(forecast, actual, 2)
    day = SHAPE * 2000
    rest = update.rest(day, list(range(26)), day[:26] * 1.4, list(range(26, 48)))
    assert rest.sum() == pytest.approx(day[26:].sum(), rel=0.03)


def test_few_backtest_days_keep_the_ratio_alone() -> None:
    forecast = np.tile(SHAPE * 1000, (MIN_SHAPE_DAYS - 1, 1))
    update = learn_update(forecast, forecast * 1.1, 2)
    assert not update.cuts and update.shapes.size == 0
    day = SHAPE * 1000
    rest = update.rest(day, list(range(26)), day[:26] * 1.3, list(range(26, 48)))
    s = update_scale(day[:26].sum(), 1.3 * day[:26].sum(), day.sum(), update.kappa)
    assert np.allclose(rest, day[26:] * s)


def test_update_round_trips_through_json_and_refuses_nonsense() -> None:
    rng = np.random.default_rng(5)
    forecast = np.tile(SHAPE * 2000, (40, 1))
    actual = rng.poisson(forecast * rng.uniform(0.8, 1.2, size=(40, 1))).astype(float)
    update = learn_update(forecast, actual, 2)
    back = IntradayUpdate.from_json(update.to_json())
    day, seen = SHAPE * 2000, SHAPE[:30] * 2500
    a = update.rest(day, list(range(30)), seen, list(range(30, 48)))
    b = back.rest(day, list(range(30)), seen, list(range(30, 48)))
    assert np.allclose(a, b, rtol=1e-4)
    for bad in ({}, {"kappa": -1}, {"kappa": 1, "shapes": [[1, 2]], "cuts": {"1": {}}}):
        with pytest.raises(ValueError, match="update"):
            IntradayUpdate.from_json(bad)
