"""The predictive pacer's arithmetic and its reactions (the whole dialler is tested
through the outbound simulation)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from telesales.pacing import (
    PacingConfig,
    PredictivePacer,
    binomial_pmf,
    overflow_by_answers,
)


@pytest.mark.parametrize(("n", "p"), [(0, 0.3), (1, 0.5), (10, 0.25), (150, 0.07), (40, 1.0)])
def test_binomial_pmf_matches_the_formula(n: int, p: float) -> None:
    pmf = binomial_pmf(n, p)
    exact = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    assert np.allclose(pmf, exact, atol=1e-12)


def test_overflow_by_answers_is_the_expected_excess() -> None:
    rng = np.random.default_rng(3)
    agents = rng.random(7)
    agents /= agents.sum()
    g = overflow_by_answers(agents, 12)
    for a in range(13):
        brute = sum(p * max(a - f, 0) for f, p in enumerate(agents))
        assert g[a] == pytest.approx(brute)


def warmed(rate: float, n: int = 400) -> PredictivePacer:
    pacer = PredictivePacer(PacingConfig(), prior_answer_rate=rate)
    rng = np.random.default_rng(7)
    for live in rng.random(n) < rate:
        pacer.observe_dial(bool(live))
    return pacer


def test_progressive_until_warm_and_never_fewer_than_idle_agents() -> None:
    pacer = PredictivePacer(PacingConfig(warm_up=40))
    assert pacer.dials_to_place(0.0, idle_agents=5, busy_remaining=[60.0] * 5, in_flight=2) == 3
    hot = warmed(0.2)
    assert hot.dials_to_place(0.0, idle_agents=5, busy_remaining=[], in_flight=0) >= 5


def test_more_dials_when_answers_are_rare_and_fewer_when_they_jump() -> None:
    low, high = warmed(0.15), warmed(0.5)
    kw = {"idle_agents": 4, "busy_remaining": [90.0] * 16, "in_flight": 0}
    n_low, n_high = low.dials_to_place(0.0, **kw), high.dials_to_place(0.0, **kw)  # type: ignore[arg-type]
    assert n_low > n_high >= 4
    # a jump in the answer rate: the fast estimate moves within some tens of dials
    pacer = warmed(0.15)
    before = pacer.dials_to_place(0.0, **kw)  # type: ignore[arg-type]
    for _ in range(30):
        pacer.observe_dial(True)
    assert pacer.answer_rate() > 0.4
    assert pacer.dials_to_place(0.0, **kw) < before  # type: ignore[arg-type]


def test_the_target_falls_to_zero_as_the_window_spends_the_cap() -> None:
    pacer = warmed(0.25)
    cfg = pacer.config
    assert pacer.target(0.0) == pytest.approx(cfg.aim * cfg.abandon_cap)
    for k in range(1000):
        pacer.observe_connect(10.0 + k, abandoned=k % 37 == 0)  # 2.8 % spent
    assert 0 < pacer.target(2000.0) < cfg.aim * cfg.abandon_cap
    for k in range(100):
        pacer.observe_connect(3000.0 + k, abandoned=True)
    assert pacer.target(4000.0) == 0.0
    kw = {"idle_agents": 3, "busy_remaining": [100.0] * 10, "in_flight": 1}
    assert pacer.dials_to_place(4000.0, **kw) == 2  # type: ignore[arg-type]  # progressive only
    # two days later the 24 h window has forgotten, the 30-day one has not: still nothing
    day2 = 4000.0 + 86400 * 2
    short, long = pacer.spent(day2)
    assert short == 0.0 and long > cfg.abandon_cap and pacer.target(day2) == 0.0
    # once the 30 days have passed too, the pacer aims at its usual share of the cap again
    assert pacer.target(4000.0 + 86400 * 31) == pytest.approx(cfg.aim * cfg.abandon_cap)


def test_bad_config_is_refused() -> None:
    for kw in ({"abandon_cap": 0.0}, {"aim": 1.5}, {"amd_false_positive": 1.0}):
        with pytest.raises(ValueError):
            PacingConfig(**kw)  # type: ignore[arg-type]
