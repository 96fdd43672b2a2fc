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
