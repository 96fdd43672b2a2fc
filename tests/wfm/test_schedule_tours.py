"""Phase 1 / 3 tour model on the tiny instance: known optimum, capacities, fixed groups."""

from __future__ import annotations

from tests.wfm.roster_cases import DAY, tiny
from wfm.cp_sat_run import RunOptions
from wfm.roster_problem import parse_roster_problem
from wfm.schedule_patterns import agent_classes
from wfm.schedule_tours import hand_out, shift_groups, solve_tours

OPTIONS = RunOptions(10, num_workers=1)


def test_groups_and_classes() -> None:
    data = tiny()
    data["agents"][0]["time_off"] = ["2027-01-04"]
    p = parse_roster_problem(data)
    assert len(shift_groups(p)) == 5 * 3  # 5 days x starts 08, 09, 10
    classes = agent_classes(p)
    assert [k.members for k in classes] == [("A",), ("B",)]  # A's time off sets it apart
    # 5 days of a week at 5 a week: 3 to 5 days, never Monday for A
    assert all(0 not in pattern for pattern in classes[0].patterns[0])
    assert len(classes[1].patterns[0]) == 10 + 5 + 1  # C(5,3) + C(5,4) + C(5,5)


def test_tours_cover_the_tiny_requirement_exactly() -> None:
    p = parse_roster_problem(tiny())
    tours = solve_tours(p, OPTIONS)
    assert tours.best_bound == 0 and tours.objective == 0
    assert tours.shifts == {(d, "general", "D5", s): 1 for d in range(5) for s in (480, 540)}
    assert sum(tours.patterns.values()) == 2  # one days-on pattern per agent
    assert all(len(pattern) == 5 for _, _, pattern in tours.patterns)


def test_capacity_binds_on_a_day_off() -> None:
    data = tiny()
    data["agents"][0]["time_off"] = ["2027-01-04"]
    p = parse_roster_problem(data)
    tours = solve_tours(p, OPTIONS)
    assert sum(n for g, n in tours.shifts.items() if g[0] == 0) == 1
    # one agent on Monday: 4 of the 8 required agent-hours, at under weight 100
    assert tours.best_bound == 4 * 100


def test_fixed_groups_place_breaks_for_smooth_coverage() -> None:
    p = parse_roster_problem(tiny())
    fixed = {(d, "general", "D5", s): 1 for d in range(5) for s in (480, 540)}
    placed = solve_tours(p, OPTIONS, fixed=fixed, phase="breaks")
    assert placed.objective == 0
    assert hand_out(p, placed, (0, "general", "D5", 480), 1) == [(120,)]
    assert hand_out(p, placed, (0, "general", "D5", 540), 1) == [(180,)]


def test_requirement_sums_match() -> None:
    p = parse_roster_problem(tiny())
    assert p.requirement("general").sum() == sum(DAY) * 5
