"""Required agents: published example, minimality invariants, Erlang A staffing, pyworkforce."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bounded import within
from wfm.erlang_a import erlang_a
from wfm.erlang_b import overflow_steps
from wfm.erlang_c import average_speed_of_answer, service_level
from wfm.staffing import (
    StaffingPlan,
    StaffingResult,
    required_agents,
    required_agents_erlang_a,
    required_agents_for_asa,
    staff_intervals,
)


def test_published_example() -> None:
    res = required_agents(100, 1800, 180, 0.8, 20)
    assert isinstance(res, StaffingResult)
    assert res.agents == 14 and res.scheduled_agents == 14
    assert round(res.service_level, 4) == 0.8884
    assert round(res.p_wait, 4) == 0.1741
    assert res.occupancy == pytest.approx(10 / 14)
    assert res.asa_seconds == pytest.approx(average_speed_of_answer(10.0, 14, 180))
    assert service_level(10.0, 13, 180, 20) < 0.8


def test_shrinkage_and_occupancy() -> None:
    res = required_agents(100, 1800, 180, 0.8, 20, max_occupancy=0.65, shrinkage=0.3)
    assert res.agents == 16  # ceil(10 / 0.65)
    assert res.scheduled_agents == math.ceil(16 / 0.7)
    # 7 / (1 - 0.3) = 10.000000000000002 in floating point: still 10 scheduled
    assert required_agents(35, 900, 180, 0.01, 0, max_occupancy=1.0, shrinkage=0.3).agents == 8
    assert staff_intervals(
        [1e-9, 35.0], 900, 180.0, service_level_target=0.01, threshold_seconds=0, shrinkage=0.3
    ).scheduled_agents.tolist() == [2, 12]


def test_shrinkage_rounding_is_exact_at_whole_ratios() -> None:
    plan = staff_intervals([7 * 900 / 180 * 0.5], 900, 180.0, asa_target_seconds=1e9, shrinkage=0.3)
    assert plan.agents[0] == 4  # load 3.5 -> 4 agents
    from wfm.staffing import _scheduled

    assert _scheduled(np.array([7]), 0.3)[0] == 10


def test_zero_calls_need_no_agents() -> None:
    res = required_agents(0, 1800, 180, 0.8, 20, shrinkage=0.3)
    assert (res.agents, res.scheduled_agents, res.service_level, res.asa_seconds) == (
        0,
        0,
        1.0,
        0.0,
    )


def test_large_load_is_minimal() -> None:
    calls = 16_667 * 1800 / 180
    res = required_agents(calls, 1800, 180, 0.8, 20)
    assert res.service_level >= 0.8
    assert service_level(16_667.0, res.agents - 1, 180, 20) < 0.8
    assert 16_667 < res.agents < 16_667 + 100


def test_asa_target() -> None:
    res = required_agents_for_asa(100, 1800, 180, 10.0)
    assert res.asa_seconds <= 10.0
    assert average_speed_of_answer(10.0, res.agents - 1, 180) > 10.0


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(min_value=0.01, max_value=20_000.0),
    aht=st.floats(min_value=10.0, max_value=900.0),
    target=st.floats(min_value=0.05, max_value=0.99),
    threshold=st.floats(min_value=0.0, max_value=120.0),
    max_occ=st.floats(min_value=0.5, max_value=1.0),
    shrinkage=st.floats(min_value=0.0, max_value=0.6),
)
def test_staffing_invariants(
    calls: float, aht: float, target: float, threshold: float, max_occ: float, shrinkage: float
) -> None:
    res = required_agents(
        calls, 1800, aht, target, threshold, max_occupancy=max_occ, shrinkage=shrinkage
    )
    load = calls * aht / 1800
    n = res.agents
    assert isinstance(n, int) and n > load
    assert res.service_level >= target
    assert res.occupancy == pytest.approx(load / n) and res.occupancy <= max_occ + 1e-12
    # ceil with a relative slack of 1e-9, so float noise (or a shrinkage of 1e-9) adds no agent
    assert res.scheduled_agents == math.ceil(n / (1 - shrinkage) * (1 - 1e-9))
    assert res.scheduled_agents >= n
    # minimal: one agent fewer breaks the SL target or the occupancy cap (or is unstable)
    fewer = n - 1
    assert (
        fewer <= load
        or load / fewer > max_occ
        or service_level(load, fewer, aht, threshold) < target
    )


def test_vectorised_matches_single_interval() -> None:
    rng = np.random.default_rng(3)
    calls = rng.gamma(2.0, 60.0, size=400)
    calls[::17] = 0.0
    aht = rng.uniform(60, 400, size=400)
    plan = staff_intervals(
        calls,
        900,
        aht,
        service_level_target=0.8,
        threshold_seconds=20,
        max_occupancy=0.9,
        shrinkage=0.25,
    )
    assert len(plan) == 400
    for i in range(0, 400, 4):
        single = required_agents(float(calls[i]), 900, float(aht[i]), 0.8, 20, 0.9, 0.25)
        assert_same(plan[i], single)


def assert_same(a: StaffingResult, b: StaffingResult) -> None:
    """Same agents; floats equal up to the last bits (numpy's and libm's exp may differ)."""
    assert (a.agents, a.scheduled_agents) == (b.agents, b.scheduled_agents)
    for name in ("service_level", "asa_seconds", "occupancy", "p_wait", "offered_load_erlangs"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-14, abs=1e-300), name


def test_erlang_a_can_staff_below_the_load() -> None:
    res = required_agents_erlang_a(
        100, 1800, 180, 60, service_level_target=0.5, threshold_seconds=20
    )
    assert res.agents <= 10
    assert res.p_abandon is not None and res.service_level >= 0.5
    below = erlang_a(10.0, res.agents - 1, 180, 60)
    assert below.service_level(20) < 0.5


def test_erlang_a_abandon_target_is_minimal() -> None:
    res = required_agents_erlang_a(1667 * 10, 1800, 180, 120, abandon_target=0.02, shrinkage=0.2)
    assert res.p_abandon is not None and res.p_abandon <= 0.02
    assert erlang_a(1667.0, res.agents - 1, 180, 120).p_abandon > 0.02
    assert res.scheduled_agents == math.ceil(res.agents / 0.8 - 1e-9)


def test_erlang_a_combined_targets_and_long_patience() -> None:
    c = required_agents(100, 1800, 180, 0.8, 20)
    a = required_agents_erlang_a(
        100, 1800, 180, 1e9, service_level_target=0.8, threshold_seconds=20
    )
    assert a.agents == c.agents
    both = required_agents_erlang_a(
        100,
        1800,
        180,
        120,
        service_level_target=0.8,
        threshold_seconds=20,
        abandon_target=0.01,
        asa_target_seconds=5,
    )
    assert both.service_level >= 0.8 and both.p_abandon <= 0.01 and both.asa_seconds <= 5  # type: ignore[operator]


def test_erlang_a_vectorised_matches_single() -> None:
    calls = np.array([0.0, 5.0, 120.0, 800.0, 3000.0])
    plan = staff_intervals(
        calls,
        1800,
        200.0,
        service_level_target=0.8,
        threshold_seconds=20,
        abandon_target=0.03,
        patience_mean_seconds=90.0,
    )
    assert plan.p_abandon is not None
    for i, c in enumerate(calls):
        single = required_agents_erlang_a(
            float(c),
            1800,
            200.0,
            90.0,
            service_level_target=0.8,
            threshold_seconds=20,
            abandon_target=0.03,
        )
        assert plan[i] == single


@pytest.mark.parametrize("calls", [30.0, 100.0, 480.0, 2000.0])
def test_agrees_with_pyworkforce(calls: float) -> None:
    pyworkforce = pytest.importorskip("pyworkforce.queuing")
    # pyworkforce's `asa` is the service-level threshold, in minutes like aht and interval
    theirs = pyworkforce.ErlangC(transactions=calls, aht=3.0, asa=20 / 60, interval=30)
    expected = theirs.required_positions(service_level=0.8, max_occupancy=1.0)
    ours = required_agents(calls, 1800, 180, 0.8, 20)
    assert ours.agents == expected["raw_positions"]
    assert ours.service_level == pytest.approx(expected["service_level"], rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"aht_seconds": -3}, "aht_seconds must be > 0, got -3"),
        ({"calls": -1}, "calls must be >= 0, got -1"),
        ({"interval_seconds": 0}, "interval_seconds must be > 0, got 0"),
        ({"service_level_target": 1.2}, r"service_level_target must be in \(0, 1\), got 1.2"),
        ({"threshold_seconds": -1}, "threshold_seconds must be >= 0, got -1"),
        ({"max_occupancy": 0}, r"max_occupancy must be in \(0, 1\], got 0"),
        ({"shrinkage": 1.0}, r"shrinkage must be in \[0, 1\), got 1.0"),
    ],
)
def test_validation(kwargs: dict[str, float], message: str) -> None:
    args = {
        "calls": 100,
        "interval_seconds": 1800,
        "aht_seconds": 180,
        "service_level_target": 0.8,
        "threshold_seconds": 20,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        required_agents(**args)  # type: ignore[arg-type]


def test_erlang_a_needs_a_target_and_patience() -> None:
    with pytest.raises(ValueError, match="give at least one of"):
        required_agents_erlang_a(100, 1800, 180, 60)
    with pytest.raises(ValueError, match="abandon_target needs patience_mean_seconds"):
        staff_intervals([10.0], 1800, 180.0, abandon_target=0.05)
    with pytest.raises(ValueError, match="patience_mean_seconds must be > 0"):
        required_agents_erlang_a(100, 1800, 180, -60, abandon_target=0.05)


def test_fractional_agents() -> None:
    from wfm.staffing import required_agents_fractional

    x = required_agents_fractional(100, 1800, 180, 0.8, 20)
    assert isinstance(x, float) and 13.0 < x < 14.0
    assert service_level(10.0, x, 180, 20) == pytest.approx(0.8, abs=1e-9)
    calls = np.array([[0.0, 40.0, 100.0], [7.0, 1000.0, 166_670.0]])
    xs = required_agents_fractional(calls, 1800, 180.0, 0.8, 20)
    assert xs.shape == (2, 3) and xs[0, 0] == 0.0
    whole = staff_intervals(
        calls.ravel(), 1800, 180.0, service_level_target=0.8, threshold_seconds=20
    )
    assert np.array_equal(np.ceil(xs.ravel() - 1e-9), whole.agents)
    assert xs.sum() < whole.agents.sum()
    assert required_agents_fractional(100, 1800, 180, 0.5, 20, max_occupancy=0.5) == pytest.approx(
        20.0
    )


# ------------------------------------------------------------------ review 3


def test_infinite_patience_is_erlang_c_staffing() -> None:
    """Issue 12: staff_intervals refused patience = inf, which erlang_a accepts."""
    calls = np.array([100.0, 0.0, 50.0, 1000.0])
    plan = staff_intervals(
        calls,
        1800,
        180,
        service_level_target=0.8,
        threshold_seconds=20,
        abandon_target=0.05,
        patience_mean_seconds=math.inf,
    )
    expected = [required_agents(c, 1800, 180, 0.8, 20).agents if c else 0 for c in calls]
    assert plan.agents.tolist() == expected
    assert plan.p_abandon is not None and np.all(plan.p_abandon == 0)
    c = required_agents(100, 1800, 180, 0.8, 20)
    assert plan.asa_seconds[0] == pytest.approx(c.asa_seconds, rel=1e-12)
    assert plan.service_level[0] == pytest.approx(c.service_level, rel=1e-12)
    mixed = staff_intervals(
        [100.0, 100.0],
        1800,
        180,
        service_level_target=0.8,
        threshold_seconds=20,
        patience_mean_seconds=[math.inf, 60.0],
    )
    assert (
        mixed.agents[0] == 14
        and mixed.agents[1]
        == required_agents_erlang_a(
            100, 1800, 180, 60, service_level_target=0.8, threshold_seconds=20
        ).agents
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: required_agents(1e17, 1800, 1800, 0.8, 20), "offered load.*at most 1e\\+07"),
        (lambda: required_agents(100, 1800, 1e300, 0.8, 20), "offered load.*at most 1e\\+07"),
        (
            lambda: staff_intervals(
                [1e17], 1800, 1800, service_level_target=0.8, threshold_seconds=20
            ),
            "calls \\* aht_seconds / interval_seconds",
        ),
        (
            lambda: required_agents_erlang_a(1e17, 1800, 180, 60, abandon_target=0.1),
            "offered load.*at most",
        ),
    ],
)
def test_absurd_loads_are_a_value_error_not_a_hang(call, message: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: required_agents(1e17, ...) never returned; AHT 1e300 divided by zero."""
    with pytest.raises(ValueError, match=message):
        call()


def test_ten_million_erlangs_are_still_staffed() -> None:
    res = required_agents(1e8, 1800, 180, 0.8, 20)  # 1e7 Erlangs, the limit
    assert res.agents > 1e7 and service_level(1e7, res.agents, 180, 20) >= 0.8
    assert service_level(1e7, res.agents - 1, 180, 20) < 0.8


# ----------------------------------------------------------------------------- bounded work (issue 7)


def _staff_one(load: float, **targets: float) -> StaffingPlan:
    return staff_intervals([load * 10.0], 1800, 180, **targets)  # 10 calls/Erlang at 180 s


def test_the_occupancy_floor_is_jumped_to_not_counted_to() -> None:
    """max_occupancy 0.001 at 1,000 Erlangs counted to a million agents (9 s vectorised);
    now the answer jumps to the floor, with the Erlang C figures at that floor."""
    plan = within(5, _staff_one, 1000.0, service_level_target=0.8, threshold_seconds=20,
                  max_occupancy=0.001)
    assert plan.agents[0] == 1_000_000
    assert plan.occupancy[0] == pytest.approx(0.001) and plan.p_wait[0] == 0.0
    single = within(5, required_agents, 10_000, 1800, 180, 0.8, 20, 0.001)
    assert single.agents == 1_000_000 and single.occupancy == pytest.approx(0.001)
    # just above the targets' own answer the floor still decides, and C is exact there
    free = required_agents(10_000, 1800, 180, 0.8, 20)
    floor = required_agents(10_000, 1800, 180, 0.8, 20, max_occupancy=1000 / (free.agents + 3))
    assert floor.agents == free.agents + 3
    assert floor.service_level == pytest.approx(service_level(1000, free.agents + 3, 180, 20))


@pytest.mark.parametrize("patience", [None, 120.0])
def test_an_absurd_occupancy_is_a_value_error_naming_it(patience: float | None) -> None:
    """max_occupancy 1e-300 asked for 1e304 agents: the search never ended (issue 7)."""
    kwargs: dict[str, Any] = {"service_level_target": 0.8, "threshold_seconds": 20,
                              "max_occupancy": 1e-300}
    if patience is not None:
        kwargs["patience_mean_seconds"] = patience
    with pytest.raises(ValueError, match="^max_occupancy 1e-300 would need 1e\\+30[34] agents"):
        within(5, lambda: staff_intervals([100_000.0], 1800, 180, **kwargs))


@pytest.mark.parametrize(
    "targets",
    [
        {"asa_target_seconds": 1e-300},
        {"service_level_target": 1 - 1e-16, "threshold_seconds": 0},
        {"service_level_target": 0.8, "threshold_seconds": 1e-300},
        {"abandon_target": 1e-300, "patience_mean_seconds": 100.0},
        {"asa_target_seconds": 1e-300, "patience_mean_seconds": 1e12},
    ],
)
def test_extreme_targets_end_where_the_waiting_probability_underflows(
    targets: dict[str, float],
) -> None:
    """Every target is met once B (hence C) underflows to 0, which
    ``wfm.erlang.overflow_steps`` bounds: the search ends there whatever the target."""
    plan = within(20, lambda: staff_intervals([100_000.0, 10.0], 1800, 180, **targets))
    assert 10_000 < plan.agents[0] <= 10_000 + overflow_steps(10_000) + 1
    assert 1 <= plan.agents[1] <= 1 + overflow_steps(1.0) + 1


# ----------------------------------------------------------------------------- targets object


def test_targets_are_one_validated_object() -> None:
    """The keyword tail of every staffing function is one StaffingTargets, checked once."""
    from wfm.staffing import StaffingTargets

    targets = StaffingTargets(service_level_target=0.8, threshold_seconds=20,
                              max_occupancy=0.85, shrinkage=0.3)
    by_object = staff_intervals([100.0, 500.0], 1800, 180, targets=targets)
    by_keywords = staff_intervals([100.0, 500.0], 1800, 180, service_level_target=0.8,
                                  threshold_seconds=20, max_occupancy=0.85, shrinkage=0.3)
    assert by_object.agents.tolist() == by_keywords.agents.tolist()
    assert by_object.scheduled_agents.tolist() == by_keywords.scheduled_agents.tolist()
    with pytest.raises(ValueError, match="not both"):
        staff_intervals([100.0], 1800, 180, targets=targets, shrinkage=0.1)
    for kwargs, message in (
        ({"service_level_target": 1.0, "threshold_seconds": 20}, "^service_level_target"),
        ({"service_level_target": 0.8}, "^threshold_seconds is required"),
        ({"asa_target_seconds": 0.0}, "^asa_target_seconds must be > 0"),
        ({"abandon_target": 0.05, "max_occupancy": 0.0}, "^max_occupancy"),
        ({"abandon_target": 0.05, "shrinkage": 1.0}, "^shrinkage"),
        ({}, "give at least one of"),
    ):
        with pytest.raises(ValueError, match=message):
            StaffingTargets(**kwargs)
