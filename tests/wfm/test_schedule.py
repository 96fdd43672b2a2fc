"""build_schedule end to end: the tiny instance's known answer, infeasible problems, stop,
progress and the solver parameters."""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

from tests.wfm.roster_cases import DAY, tiny
from wfm.cp_sat_run import RunOptions, SolveProgress, make_solver
from wfm.roster_checks import evaluate_roster
from wfm.roster_problem import parse_roster_problem
from wfm.schedule import Infeasible, Schedule, build_schedule
from wfm.schedule_diagnose import binding_rules


def test_tiny_instance_is_covered_exactly() -> None:
    problem = parse_roster_problem(tiny())
    progress: list[SolveProgress] = []
    result = build_schedule(problem, on_progress=progress.append)
    assert isinstance(result, Schedule)
    data = result.to_json()
    assert data["status"] == "optimal" and data["objective"] == 0 and data["gap"] == 0
    assert data["under_coverage"] == {"general": 0.0} and data["over_coverage"] == {"general": 0.0}
    assert data["coverage"]["general"] == [float(x) for x in DAY * 5]
    assert len(data["shifts"]) == 10
    first = data["shifts"][0]
    assert set(first) == {"agent", "shift_type", "start", "end", "activities", "work"}
    assert first["activities"][0]["kind"] == "break" and first["start"].startswith("2027-01-04T")
    assert evaluate_roster(problem, data["shifts"]).violations == ()
    assert {p.phase for p in progress} == {"tours", "assign", "breaks"}


def test_under_coverage_is_weighted_above_over_coverage() -> None:
    # one agent only: A covers 08-10 and 11-13 (or similar); never leaves a 2-agent hour empty
    data = tiny()
    data["agents"] = data["agents"][:1]
    result = build_schedule(parse_roster_problem(data))
    assert isinstance(result, Schedule)
    # 8 agent-hours a day required, one 4-hour shift: 4 under each day at best
    assert result.coverage.under["general"] == 5 * 4
    assert result.status == "optimal"


def test_two_skills_say_which_skill_each_interval_serves() -> None:
    data = tiny(required={"general": DAY * 5, "vip": ([0] * 8 + [1] * 5 + [0] * 11) * 5})
    data["agents"].append({"id": "V", "skills": ["vip"], "shift_types": ["D5"], "days_per_week": 5})
    problem = parse_roster_problem(data)
    result = build_schedule(problem)
    assert isinstance(result, Schedule)
    shifts = result.to_json()["shifts"]
    skills = {s["agent"]: {w["skill"] for w in s["work"]} for s in shifts}
    assert skills["V"] == {"vip"} and skills["A"] == {"general"}
    assert result.coverage.under["vip"] == 5 * 1  # 5 hours wanted, 4 worked, each day
    assert evaluate_roster(problem, shifts).violations == ()


def test_time_off_precheck_names_the_agent() -> None:
    data = tiny(days=7, required={"general": DAY * 7})
    data["agents"][1]["time_off"] = ["2027-01-05", "2027-01-06", "2027-01-07"]
    result = build_schedule(parse_roster_problem(data))
    assert isinstance(result, Infeasible)
    assert result.reasons == (
        "agent B: 5 days required, 4 available after time off in the week from 2027-01-04",
    )
    assert result.to_json()["status"] == "infeasible" and result.to_json()["shifts"] == []


def test_assumptions_name_the_rules_that_bind() -> None:
    # 6 days a week with at most 2 days in a row: at most 5 days fit in 7
    data = tiny(days=7, required={"general": DAY * 7}, rules={"max_consecutive_days": 2})
    data["agents"][0]["days_per_week"] = 6
    problem = parse_roster_problem(data)
    assert binding_rules(problem, problem.agents[0], RunOptions(5, num_workers=1)) == [
        "days_per_week",
        "max_consecutive_days",
    ]
    assert binding_rules(problem, problem.agents[1], RunOptions(5, num_workers=1)) is None
    result = build_schedule(problem)
    assert isinstance(result, Infeasible)
    reason = (
        "agent A: rules days_per_week and max_consecutive_days cannot all hold with the agent's"
        " time off, shift types and hours"
    )
    assert result.reasons == (reason,)


def test_stop_returns_a_roster_at_once() -> None:
    stop = threading.Event()
    stop.set()
    problem = parse_roster_problem(tiny())
    result = build_schedule(problem, stop=stop)
    assert isinstance(result, Schedule)
    assert evaluate_roster(problem, result.to_json()["shifts"]).violations == ()


def test_solver_parameters_take_effect() -> None:
    solver = make_solver(RunOptions(time_limit_seconds=7.5, num_workers=3, random_seed=11))
    lines: list[str] = []
    solver.parameters.log_search_progress = True
    solver.parameters.log_to_stdout = False
    solver.log_callback = lines.append
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    model.maximize(x)
    assert solver.solve(model) == cp_model.OPTIMAL
    log = "\n".join(lines)
    assert "max_time_in_seconds: 7.5" in log and "num_workers: 3" in log
    assert "random_seed: 11" in log
    assert "3 workers" in log or "3 full problem subsolvers" in log  # the search used them


def test_stop_from_another_thread_ends_the_search_with_a_roster() -> None:
    data = tiny(time_limit_seconds=600)
    for i in range(30):
        data["agents"].append(
            {"id": f"C{i:02d}", "skills": ["general"], "shift_types": ["D5"], "days_per_week": 5}
        )
    data["required"]["general"] = [x * 12 for x in DAY] * 5
    problem = parse_roster_problem(data)
    stop = threading.Event()
    seen: list[SolveProgress] = []

    def on_progress(p: SolveProgress) -> None:
        seen.append(p)
        if p.phase == "assign":
            threading.Thread(target=stop.set).start()

    result = build_schedule(problem, on_progress=on_progress, stop=stop)
    assert stop.is_set()
    assert isinstance(result, Schedule)
    assert result.wall_seconds < 300  # far below the 600 s limit: the stop took effect
    assert evaluate_roster(problem, result.to_json()["shifts"]).violations == ()


def test_preferences_are_honoured_when_coverage_allows() -> None:
    # 7 days, 5 a week each: someone is off every day; A would rather be off on Friday
    data = tiny(days=7, required={"general": [x / 2 for x in DAY] * 7})
    data["agents"][0]["preferences"] = {"days_off": ["fri", "sat"]}
    problem = parse_roster_problem(data)
    result = build_schedule(problem)
    assert isinstance(result, Schedule)
    a_days = {s.day for s in result.shifts if s.agent == "A"}
    assert a_days.isdisjoint({4, 5})  # 2027-01-08 and -09
    assert evaluate_roster(problem, result.to_json()["shifts"]).violations == ()
    # the exact roster of the tiny instance, either agent on either start: preferences decide
    data = tiny()
    data["agents"][0]["preferences"] = {"latest_start": "08:00"}
    data["agents"][1]["preferences"] = {"earliest_start": "09:00"}
    result = build_schedule(parse_roster_problem(data))
    assert isinstance(result, Schedule) and result.objective == 0
    starts = {(s.agent, s.start % 1440) for s in result.shifts}
    assert starts == {("A", 480), ("B", 540)}
