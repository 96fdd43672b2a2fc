"""wfm.factor_model and the yardstick on small known series."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from wfm.factor_model import factor_forecast
from wfm.forecast import ForecastSpec
from wfm.history import IntervalHistory
from wfm.prepared_history import PreparedHistory

START = date(2025, 1, 6)  # a Monday
SHAPE = np.zeros(48)
SHAPE[18:36] = np.hanning(20)[1:19]
SHAPE /= SHAPE.sum()
WEEKDAY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.3, 0.0])


def weekly(days: int, level: float = 1000.0) -> IntervalHistory:
    """A pure weekly pattern, no noise: the same shape, one level per weekday."""
    factors = WEEKDAY[np.arange(days) % 7]
    return IntervalHistory(START, 30, level * factors[:, None] * SHAPE[None, :])


def test_a_pure_weekly_pattern_is_forecast_exactly() -> None:
    history = weekly(56)
    fitted = ForecastSpec(country=None, horizon_days=1).fit(history)
    day = history.last_day + timedelta(days=1)
    fc = fitted.forecast(day, 7)
    truth = 1000.0 * WEEKDAY[:, None] * SHAPE[None, :]
    assert fc.offered == pytest.approx(truth.ravel(), abs=1e-6)
    assert fitted.backtest is not None and fitted.backtest.wape[fitted.method] < 1e-9
    # the factor model alone nearly so: three factors of the root counts (rank one in the
    # counts is not rank one in their roots, √(y + 1/4)), within a hundredth of a call
    prepared = PreparedHistory.build(fitted.spec, history)
    targets = [day + timedelta(days=k) for k in range(7)]
    assert factor_forecast(prepared, targets) == pytest.approx(truth, abs=1e-2)


def test_factor_model_follows_a_level_shift_the_weekday_mean_does_not() -> None:
    """Yesterday's deviation from its weekday carries into tomorrow (the AR(1) scores)."""
    rng = np.random.default_rng(4)
    days = 56 + 3
    level = np.where(np.arange(days) < 56, 1000.0, 1300.0)
    mean = level[:, None] * WEEKDAY[np.arange(days) % 7][:, None] * SHAPE[None, :]
    history = IntervalHistory(START, 30, rng.poisson(mean).astype(float))
    spec = ForecastSpec(country=None, horizon_days=1, methods=("ha_4w", "factor"))
    day = history.last_day + timedelta(days=1)
    fitted = spec.fit(history)
    truth = 1300.0 * WEEKDAY[day.weekday()]
    factor = fitted.forecast(day, 1, method="factor").offered.sum()
    mean4 = fitted.forecast(day, 1, method="ha_4w").offered.sum()
    assert abs(factor - truth) < 0.6 * abs(mean4 - truth)


def test_factor_model_refuses_a_sparse_history() -> None:
    history = weekly(28, level=3.0)
    prepared = PreparedHistory.build(ForecastSpec(country=None), history)
    assert prepared.sparse
    with pytest.raises(ValueError, match="few calls"):
        factor_forecast(prepared, [history.last_day + timedelta(days=1)])


def test_backtest_is_against_ha_4w_and_keeps_seasonal_naive() -> None:
    rng = np.random.default_rng(5)
    mean = 2000.0 * WEEKDAY[np.arange(56) % 7][:, None] * SHAPE[None, :]
    history = IntervalHistory(START, 30, rng.poisson(mean).astype(float))
    bt = ForecastSpec(country=None, horizon_days=1).fit(history).backtest
    assert bt is not None and len(bt.origins) == 56 - 14  # day-ahead, all but two weeks
    assert bt.relative_wape["ha_4w"] == 1.0
    assert bt.relative_wape["seasonal_naive"] > 1.1  # one week is noisier than four
    assert "rel. to HA-4w" in bt.table()
