"""Days-on patterns, their rounding and the greedy start, on small instances."""

from __future__ import annotations

import numpy as np
import pytest

from tests.wfm.roster_cases import DAY, tiny
from wfm.cp_sat_run import RunOptions
from wfm.roster_checks import check_rules
from wfm.roster_problem import parse_roster_problem
from wfm.schedule import RosterShift, shift_times
from wfm.schedule_greedy import greedy_assignment
from wfm.schedule_patterns import agent_classes, day_sets, keeps_day_rules
from wfm.schedule_rounding import round_patterns
from wfm.schedule_tours import build_variables, shift_groups, solve_tours


def week(**rules: int) -> dict[str, object]:
    return tiny(days=7, required={"general": DAY * 7}, rules=rules)


def test_day_sets_keep_the_day_rules() -> None:
    p = parse_roster_problem(week(min_days_off_in_a_row=2))
    sets = day_sets(p, p.agents[0], range(7))
    # 5 of 7 days with the 2 days off together: 6 ways inside the week (not Sun + Mon)
    assert sorted(sets) == sorted(
        tuple(d for d in range(7) if d not in (j, j + 1)) for j in range(6)
    )
    p = parse_roster_problem(week(max_weekend_days=1, max_consecutive_days=4))
    assert keeps_day_rules(p, range(7), {0, 1, 2, 3, 5}) and not keeps_day_rules(
        p, range(7), {0, 1, 2, 3, 4}
    )
    assert not keeps_day_rules(p, range(7), {0, 1, 2, 5, 6})  # both weekend days


def test_round_patterns_gives_each_agent_one_pattern() -> None:
    p = parse_roster_problem(tiny())
    model = build_variables(p, shift_groups(p), agent_classes(p))
    z = np.full(len(model.patterns), 2 / len(model.patterns) / 2)
    counts = round_patterns(model, z)
    for c, k in enumerate(model.classes):
        mine = [j for j, (ci, _, _) in enumerate(model.patterns) if ci == c]
        assert counts[mine].sum() == len(k.members)


@pytest.mark.parametrize("days", [7, 14])
def test_greedy_start_keeps_every_rule_and_meets_the_targets(days: int) -> None:
    data = week(min_rest_hours=11, max_consecutive_days=5, min_days_off_in_a_row=2)
    data.update(days=days, required={"general": DAY * days})
    for i in range(2, 8):
        data["agents"].append(
            {"id": f"C{i}", "skills": ["general"], "shift_types": ["D5"], "days_per_week": 5}
        )
    p = parse_roster_problem(data)
    tours = solve_tours(p, RunOptions(10, num_workers=1))
    start = greedy_assignment(p, tours)
    assert sum(len(v) for v in start.values()) == 8 * 5 * days // 7
    shifts = [
        shift_times(p, RosterShift(a, o.day, o.skill, o.shift_type, o.abs_start, (120,)))
        for a, opts in start.items()
        for o in opts
    ]
    assert check_rules(p, shifts) == []
    got: dict[tuple[int, str, str, int], int] = {}
    for opts in start.values():
        for o in opts:
            got[o.group] = got.get(o.group, 0) + 1
    if days == 7:  # one block: the targets are met exactly
        assert got == dict(tours.shifts)
