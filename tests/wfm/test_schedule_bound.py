"""The independent LP bound on under-coverage, on instances whose answer is known."""

from __future__ import annotations

import pytest

from tests.wfm.roster_cases import DAY, tiny
from wfm.roster_problem import parse_roster_problem
from wfm.schedule import Schedule, build_schedule
from wfm.schedule_bound import under_coverage_bound


def test_zero_when_the_agents_can_cover_it() -> None:
    bound = under_coverage_bound(parse_roster_problem(tiny()))
    assert bound.status == "optimal" and bound.under_coverage == pytest.approx(0.0, abs=1e-9)
    assert bound.columns == 5 * 3 * 2  # days x starts x break placements


def test_one_agent_leaves_half_the_requirement() -> None:
    data = tiny()
    data["agents"] = data["agents"][:1]
    bound = under_coverage_bound(parse_roster_problem(data))
    assert bound.under_coverage == pytest.approx(4 * 5)


def test_the_solver_never_beats_the_bound() -> None:
    data = tiny(required={"general": [2 * x for x in DAY] * 5})
    problem = parse_roster_problem(data)
    bound = under_coverage_bound(problem)
    result = build_schedule(problem)
    assert isinstance(result, Schedule)
    assert result.coverage.under["general"] >= bound.under_coverage - 1e-9
    assert result.coverage.under["general"] == pytest.approx(bound.under_coverage)
