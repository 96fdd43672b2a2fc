"""The day's blending plan: one threshold per forecast step, the margin spent where it buys
the most outbound time; its wrap-up-aware reserve; the ``plan`` policy in the simulator."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from simulations.bank import intraday_steps
from simulations.outbound import simulate_outbound
from simulations.outbound_scenario import scenario_from_dict
from telesales.blending import blend_model, blend_threshold
from telesales.blending_plan import plan_day

OPEN, CLOSE = 9 * 3600.0, 18 * 3600.0


def _bank_steps(agents: int) -> list[tuple[float, float]]:
    """The bank's intraday curve, inbound half the agents on average, (start, calls/s)."""
    return [(int(s["from"][:2]) * 3600.0 + int(s["from"][3:]) * 60.0,
             s["calls_per_hour"] / 3600.0) for s in intraday_steps(agents * 0.5 * 20)]


def test_one_load_all_day_is_bhulai_and_koole_s_threshold() -> None:
    """With one step the best threshold within the margin is the smallest one within it."""
    for agents, erlangs, margin in ((20, 15.0, 0.005), (50, 25.0, 0.01), (30, 12.0, 0.008)):
        plan = plan_day(agents, [(0.0, erlangs / 180)], OPEN, CLOSE, 180.0, 120.0, 20.0, margin)
        assert plan.reserves == (blend_threshold(agents, erlangs / 180, 180.0, 120.0, 20.0,
                                                 margin),)
        model = blend_model(agents, erlangs / 180, 180.0, 120.0, 20.0)
        assert plan.predicted_loss == pytest.approx(model.loss(plan.reserves[0]))
        assert plan.predicted_loss <= margin
        assert plan.predicted_idle_time_used == pytest.approx(
            model.idle_time_used(plan.reserves[0]))
        assert plan.starts == (OPEN,)  # the step in force at opening, clipped to the hours


def _uniform(agents: int, steps: list[tuple[float, float]], margin: float) -> tuple[float, float]:
    """Every step at ``blend_threshold`` for the same margin: (call-weighted loss, idle used)."""
    loss = work = free = calls = 0.0
    for _, rate in steps:
        model = blend_model(agents, rate, 180.0, 120.0, 20.0)
        t = blend_threshold(agents, rate, 180.0, 120.0, 20.0, margin)
        idle = float(np.maximum(agents - np.arange(len(model.pi)), 0) @ model.pi)
        loss, calls = loss + rate * model.loss(t), calls + rate
        work, free = work + model.idle_time_used(t) * idle, free + idle
    return loss / calls, work / free


@pytest.mark.parametrize("agents", [20, 30])
def test_the_plan_spends_the_day_s_margin_better_than_one_margin_for_every_step(
        agents: int) -> None:
    steps = _bank_steps(agents)
    for margin in (0.005, 0.01):
        plan = plan_day(agents, steps, OPEN, CLOSE, 180.0, 120.0, 20.0, margin)
        loss, used = _uniform(agents, steps, margin)
        assert plan.predicted_loss <= margin and loss <= margin
        assert plan.predicted_idle_time_used > used + 0.005
        # peaks (10:00-11:00) keep more agents than the last hour's trough
        assert min(plan.reserves[2:4]) > max(plan.reserves[-2:])
    # a wider margin never keeps more agents
    tight, loose = (plan_day(agents, steps, OPEN, CLOSE, 180.0, 120.0, 20.0, m)
                    for m in (0.005, 0.01))
    assert all(a >= b for a, b in zip(tight.reserves, loose.reserves, strict=True))
    assert loose.predicted_idle_time_used > tight.predicted_idle_time_used


def test_the_plan_is_near_the_best_pair_of_thresholds_found_by_brute_force() -> None:
    """Two steps, every pair of thresholds: the plan is within the margin and takes nearly
    the most idle time of any pair within it (the Lagrangian finds the convex hull's
    corners, so a pair between two corners may do a little better)."""
    agents, margin = 12, 0.01
    steps = [(OPEN, 4.0 / 180), (OPEN + 4 * 3600, 8.0 / 180)]
    models = [blend_model(agents, r, 180.0, 120.0, 20.0) for _, r in steps]
    idle = [float(np.maximum(agents - np.arange(len(m.pi)), 0) @ m.pi) for m in models]
    durations = (4 * 3600.0, 5 * 3600.0)
    calls = [r * d for (_, r), d in zip(steps, durations, strict=True)]
    best = 0.0
    for pair in itertools.product(range(agents + 1), repeat=2):
        loss = sum(c * m.loss(t) for c, m, t in zip(calls, models, pair, strict=True)) / sum(calls)
        if loss <= margin:
            work = sum(d * i * m.idle_time_used(t)
                       for d, i, m, t in zip(durations, idle, models, pair, strict=True))
            best = max(best, work / sum(d * i for d, i in zip(durations, idle, strict=True)))
    plan = plan_day(agents, steps, OPEN, CLOSE, 180.0, 120.0, 20.0, margin)
    assert plan.predicted_loss <= margin
    assert best - 0.03 <= plan.predicted_idle_time_used <= best + 1e-12


def test_the_reserve_of_the_moment() -> None:
    plan = plan_day(20, _bank_steps(20), OPEN, CLOSE, 180.0, 120.0, 20.0, 0.008)
    ten = 10 * 3600.0 + 60
    t = plan.reserve_at(ten)
    assert t == plan.reserves[2] and plan.step_at(ten) == 2
    assert plan.reserve(ten) == t
    assert plan.reserve(ten, offset=2) == t + 2
    # two agents end their wrap-up within τ = 20 s, one in 30 s: two count as idle
    assert plan.reserve(ten, offset=0, wrap_up_left_seconds=[3.0, 15.0, 30.0]) == t - 2
    assert plan.reserve(ten, offset=-50) == 0  # never negative
    k = plan.step_at(ten)
    assert plan.goal_at(ten) == pytest.approx(plan.service_levels[k] - plan.losses[k])
    assert plan.step_at(0.0) == 0  # before opening: the first step


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"max_loss": 1.5}, "max_loss"), ({"close_seconds": OPEN}, "close_seconds"),
    ({"steps": []}, "steps"), ({"steps": [(OPEN + 60, 0.05), (OPEN, 0.05)]}, "time order"),
    ({"agents": 0}, "agents"),
])
def test_bad_arguments_name_themselves(kwargs: dict[str, Any], word: str) -> None:
    args: dict[str, Any] = {"agents": 20, "steps": [(0.0, 0.05)], "open_seconds": OPEN,
                            "close_seconds": CLOSE, "aht_seconds": 180.0,
                            "patience_seconds": 120.0, "threshold_seconds": 20.0,
                            "max_loss": 0.01}
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        plan_day(**args)


def test_the_plan_policy_in_the_simulator_against_inbound_only() -> None:
    """Same callers (same seed): the ``plan`` policy keeps the inbound service level within a
    point of the inbound-only center on one day while outbound takes most of its idle time
    (the benchmark measures 5 days, 3 seeds)."""
    base = {"agents": 30, "answer_rate": 0.25, "aht_seconds": 180, "mode": "predictive",
            "inbound": {"calls_per_hour": intraday_steps(30 * 0.5 * 20), "aht_seconds": 180}}

    def run(**policy: Any) -> dict[str, Any]:
        return simulate_outbound(scenario_from_dict({**base, **policy}), 1,
                                 np.random.default_rng(4)).summary()

    only = run(mode="none")
    blended = run(blend_policy="plan", blend_sl_margin=0.008)
    assert only["inbound"]["offered"] == blended["inbound"]["offered"] > 2000
    assert only["inbound"]["service_level"] - blended["inbound"]["service_level"] <= 0.01
    assert blended["outbound_work_seconds"] / only["idle_seconds"] > 0.55
    assert blended["rule_violations"] == 0 and blended["abandon_rate_total"] <= 0.03
    assert blended["blend_policy"] == "plan"
    with pytest.raises(ValueError, match="blend_policy"):
        scenario_from_dict({**base, "blend_policy": "plan9"})


def _blend_bound() -> Any:
    """``benchmarks/blend_bound.py`` (a script, not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "blend_bound.py"
    spec = importlib.util.spec_from_file_location("blend_bound", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bound_over_every_policy_is_at_least_the_best_threshold_plan() -> None:
    """The linear program's policies include every per-step threshold, so its optimum is at
    least the plan's idle time used; it is a bound, so at most everything; and a wider
    margin never lowers it."""
    bound = _blend_bound()
    steps = [(OPEN, 2.0 / 180), (OPEN + 3600.0, 4.0 / 180)]
    for margin in (0.01, 0.03):
        plan = plan_day(6, steps, OPEN, OPEN + 7200.0, 180.0, 120.0, 20.0, margin)
        lp = bound.lp_bound(6, steps, margin)
        assert plan.predicted_idle_time_used - 1e-6 <= lp <= 1.0
    assert bound.lp_bound(6, steps, 0.03) >= bound.lp_bound(6, steps, 0.01)
