"""wfm.prediction_intervals: calibration on backtest errors, corrected out of sample."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.prediction_intervals import Calibration


def test_poisson_errors_give_poisson_width() -> None:
    rng = np.random.default_rng(0)
    f = rng.uniform(5.0, 200.0, size=4000)
    a = rng.poisson(f).astype(float)
    cal = Calibration.from_errors(f, a, 0.8)
    assert cal.alpha == pytest.approx(1.0, abs=0.2) and cal.beta < 0.002
    assert cal.hit_rate(f, rng.poisson(f).astype(float)) == pytest.approx(0.8, abs=0.03)


def test_level_rises_when_the_newer_errors_are_wider() -> None:
    """Errors latest first: the newer half twice as wide as the older; the older half's
    intervals cover the newer half poorly, so the level is raised and the intervals widen."""
    rng = np.random.default_rng(1)
    f = np.full(2000, 100.0)
    noise = rng.normal(size=2000) * np.where(np.arange(2000) < 1000, 20.0, 10.0)
    a = f + noise
    steady = Calibration.from_errors(f, f + rng.normal(size=2000) * 15.0, 0.8)
    drifting = Calibration.from_errors(f, a, 0.8)
    assert drifting.coverage == steady.coverage == 0.8
    low_d, high_d = drifting.bounds(np.array([100.0]))
    low_s, high_s = steady.bounds(np.array([100.0]))
    assert (high_d - low_d)[0] > 1.1 * (high_s - low_s)[0]
    assert drifting.hit_rate(f, a) > 0.8  # the correction over-covers the pooled errors


def test_too_few_errors_fall_back_to_the_default() -> None:
    cal = Calibration.from_errors(np.ones(5), np.ones(5), 0.8)
    assert cal == Calibration.default(0.8)


def test_correction_counts_in_proportion_to_the_backtest_days() -> None:
    """The same drifting errors: from two weeks of days per half the shortfall counts in
    full; over 4 days (2 per half) a seventh of it; without a day count, in full."""
    rng = np.random.default_rng(2)
    f = np.full(2000, 100.0)
    a = f + rng.normal(size=2000) * np.where(np.arange(2000) < 1000, 20.0, 10.0)

    def width(cal: Calibration) -> float:
        low, high = cal.bounds(np.array([100.0]))
        return float((high - low)[0])

    full, many = Calibration.from_errors(f, a, 0.8), Calibration.from_errors(f, a, 0.8, 28)
    few = Calibration.from_errors(f, a, 0.8, 4)
    plain = Calibration._fit(f, a, 0.8, 0.8)
    assert width(many) == pytest.approx(width(full))
    assert width(plain) < width(few) < width(full)
    assert width(few) - width(plain) < 0.3 * (width(full) - width(plain))
