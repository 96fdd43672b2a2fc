"""Value routing pays (a one-day version of benchmarks/value_routing.py, seeded)."""

from __future__ import annotations

import pytest

from simulations.bank import (
    bank_calls,
    bank_week_scenario,
    calibrate_beta,
    square_root_staffing,
    value_routing_figures,
)


def test_bank_week_shape() -> None:
    calls = bank_calls(7, 15000)
    assert len(calls) == 7 * 24
    assert sum(calls) == pytest.approx(7 * 15000)
    assert square_root_staffing([900.0], 1800.0, 180.0, 1.0) == [
        100
    ]  # R = 90, 90 + sqrt(90) = 99.5


def test_value_routing_beats_fifo_at_the_same_staffing() -> None:
    beta = calibrate_beta(
        0.80, days=1, seeds=(7,), steps=8
    )  # one day: calibrate on its own callers
    fifo = value_routing_figures(bank_week_scenario("fifo", days=1, beta=beta), 7)
    value = value_routing_figures(bank_week_scenario("value", days=1, beta=beta), 7)
    assert 0.76 < fifo["all_sl20"] < 0.85  # "about 80 %" under one FIFO queue
    assert fifo["vip_sl10"] < 0.8  # FIFO does not keep the VIP promise
    assert value["vip_sl10"] >= 0.90
    assert value["general_sl20"] >= 0.80
    assert value["calls"] == fifo["calls"]  # the same callers
