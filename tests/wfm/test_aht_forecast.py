"""wfm.aht_forecast: credibility-weighted AHT and its backtest against HA-4w."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from wfm.aht_forecast import aht_backtest, aht_forecast, aht_ha_4w
from wfm.forecast import ForecastSpec
from wfm.history import IntervalHistory, synthetic_history


def test_a_constant_handle_time_is_forecast_exactly() -> None:
    calls = np.zeros((28, 24))
    calls[:, 9:18] = 10.0
    aht = np.where(calls > 0, 200.0, np.nan)
    history = IntervalHistory(date(2025, 1, 6), 60, calls, aht)
    fc = aht_forecast(history, [date(2025, 2, 3)], 4)
    assert fc is not None and fc[0] == pytest.approx(200.0)
    ha = aht_ha_4w(history, [date(2025, 2, 3)], 28)
    assert ha is not None and ha[0] == pytest.approx(200.0)


def test_shrinkage_beats_the_four_week_mean_on_noisy_handle_times() -> None:
    history = synthetic_history(
        np.random.default_rng(3), date(2025, 1, 6), 56, 30, daily_calls=300.0
    )
    errors = aht_backtest(history, [42, 49], 7, 4)
    assert set(errors) == {"forecast", "ha_4w"}
    assert errors["forecast"] < errors["ha_4w"]
    bt = ForecastSpec(country=None).fit(history).backtest
    assert bt is not None and bt.aht_error["forecast"] == pytest.approx(
        aht_backtest(
            history, [(o - history.first_day).days for o in bt.origins], 7, bt.windows[bt.chosen]
        )["forecast"]
    )
    assert len(bt.origins) == 6  # weekly origins back to the 14 training days
    assert "AHT error" in bt.table()


def test_no_handle_times_no_aht() -> None:
    history = IntervalHistory(date(2025, 1, 6), 60, np.ones((14, 24)))
    assert aht_forecast(history, [date(2025, 1, 20)], 4) is None
    assert aht_backtest(history, [7], 7, 4) == {}
    assert history.first_day + timedelta(days=14) == date(2025, 1, 20)
