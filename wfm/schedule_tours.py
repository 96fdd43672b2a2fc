"""Phase 1 (and 3) of scheduling: how many tours of each kind, against the requirement.

A *tour column* is (day, skill, shift type, start, placement of the activities). Its
integer count ``x >= 0`` says how many agents work it. With ``R[k, i]`` the required
agent-minutes of skill ``k`` in interval ``i`` and ``m[c, i]`` the work minutes column ``c``
puts there, the model is::

    minimise  sum_i  W_under * u[k, i] + W_over * o[k, i]
    s.t.      sum_c m[c, i] x[c] + u[k, i] - o[k, i] = R[k, i]
              day capacity: tours of a day <= agents available that day (also per skill
              and per shift type); tours of a 7-day block between the sums of the agents'
              working-day bounds.

Every constraint is implied by the full roster problem, so the optimum (and CP-SAT's
bound) is a lower bound on the objective of any roster. Phase 3 solves the same model with
the number of shifts per (day, skill, type, start) fixed by phase 2, which leaves only the
activity placements free: breaks placed to keep coverage smooth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from wfm.cp_sat_run import RunOptions, solve
from wfm.roster_problem import AgentContract, RosterProblem, days_bounds
from wfm.shift_types import MINUTES_PER_DAY, minutes_by_interval

MAX_COLUMNS = 400_000  # tour columns in one model

Group = tuple[int, str, str, int]  # (day, skill, shift type, start minute of day)


@dataclass(frozen=True, slots=True)
class Column:
    day: int
    skill: str
    shift_type: str
    start: int  # minute of the day
    placement: int  # index into ShiftType.placements
    minutes: Mapping[int, int] = field(compare=False, hash=False)  # interval -> work minutes

    @property
    def group(self) -> Group:
        return (self.day, self.skill, self.shift_type, self.start)


@dataclass(frozen=True)
class TourSolution:
    counts: Mapping[Column, int]
    status: cp_model.CpSolverStatus
    objective: float  # agent-intervals, weighted
    best_bound: float


def agent_can_work(problem: RosterProblem, agent: AgentContract, day: int) -> bool:
    return agent.days_per_week > 0 and day not in agent.time_off


def tour_columns(problem: RosterProblem, groups: set[Group] | None = None) -> list[Column]:
    """Every column some agent could work (skill and shift type allowed, day not off)."""
    kinds: set[tuple[int, str, str]] = set()
    for agent in problem.agents:
        for day in range(problem.days):
            if agent_can_work(problem, agent, day):
                kinds.update((day, k, t) for k in agent.skills for t in agent.shift_types)
    columns = []
    n, width = problem.n_intervals, problem.interval_minutes
    for day, skill, name in sorted(kinds):
        st = problem.shift_types[name]
        for start in st.starts():
            if groups is not None and (day, skill, name, start) not in groups:
                continue
            origin = day * MINUTES_PER_DAY + start
            for p, offsets in enumerate(st.placements):
                minutes = minutes_by_interval(st.work_segments(origin, offsets), width, n)
                columns.append(Column(day, skill, name, start, p, minutes))
        if len(columns) > MAX_COLUMNS:
            raise ValueError(
                f"shift_types: more than {MAX_COLUMNS} tour columns; use larger start or activity steps"
            )
    return columns


def required_minutes(problem: RosterProblem, skill: str) -> np.ndarray:
    """Required agent-minutes per interval, rounded to whole minutes."""
    out: np.ndarray = np.rint(problem.requirement(skill) * problem.interval_minutes)
    return out.astype(np.int64)


def capacities(problem: RosterProblem) -> dict[tuple[str, object, object], int]:
    """Agents available per (day), (day, skill) and (day, shift type)."""
    cap: dict[tuple[str, object, object], int] = defaultdict(int)
    for agent in problem.agents:
        for day in range(problem.days):
            if agent_can_work(problem, agent, day):
                cap[("day", day, None)] += 1
                for k in agent.skills:
                    cap[("skill", day, k)] += 1
                for t in agent.shift_types:
                    cap[("type", day, t)] += 1
    return cap


def block_bounds(problem: RosterProblem, block: range) -> tuple[int, int]:
    lo = hi = 0
    for agent in problem.agents:
        a, b = days_bounds(agent.days_per_week, len(block))
        lo += a
        hi += b
    return lo, hi


def add_capacity(
    model: cp_model.CpModel, problem: RosterProblem, x: Mapping[Column, cp_model.IntVar]
) -> None:
    """Rule: a day has no more tours than agents available that day (per skill and per
    shift type too), and a 7-day block as many as the agents' contracts allow in sum."""
    cap = capacities(problem)
    sums: dict[tuple[str, object, object], list[cp_model.IntVar]] = defaultdict(list)
    for c, var in x.items():
        sums[("day", c.day, None)].append(var)
        sums[("skill", c.day, c.skill)].append(var)
        sums[("type", c.day, c.shift_type)].append(var)
    for key, terms in sums.items():
        model.add(sum(terms) <= cap[key])
    for block in problem.blocks():
        lo, hi = block_bounds(problem, block)
        terms = [v for c, v in x.items() if c.day in block]
        model.add_linear_constraint(sum(terms), lo, hi)


def add_coverage(
    model: cp_model.CpModel, problem: RosterProblem, x: Mapping[Column, cp_model.IntVar]
) -> tuple[list[cp_model.IntVar], list[cp_model.IntVar], list[int]]:
    """Rule: coverage + under - over = requirement, per skill and interval (agent-minutes).
    Returns the under and over variables and each interval's under weight."""
    by_cell: dict[tuple[str, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    for c, var in x.items():
        for i, m in c.minutes.items():
            by_cell[(c.skill, i)].append((var, m))
    unders, overs, weights = [], [], []
    top = problem.interval_minutes * (len(problem.agents) + 1)
    for skill in problem.skills:
        need = required_minutes(problem, skill)
        for i in range(problem.n_intervals):
            terms = by_cell.get((skill, i), [])
            if not terms and need[i] == 0:
                continue
            u = model.new_int_var(0, int(need[i]), f"under_{skill}_{i}")
            o = model.new_int_var(0, top, f"over_{skill}_{i}")
            cover = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [m for _, m in terms])
            model.add(cover + u - o == int(need[i]))
            unders.append(u)
            overs.append(o)
            weights.append(problem.under_weight)
    return unders, overs, weights


def solve_tours(
    problem: RosterProblem,
    options: RunOptions,
    *,
    fixed: Mapping[Group, int] | None = None,
    hint: Mapping[Column, int] | None = None,
    phase: str = "tours",
) -> TourSolution:
    """Phase 1 (``fixed=None``) or phase 3 (shift counts per group fixed, placements free)."""
    groups = None if fixed is None else {g for g, n in fixed.items() if n > 0}
    columns = tour_columns(problem, groups)
    model = cp_model.CpModel()
    ub = max(1, len(problem.agents))
    x = {
        c: model.new_int_var(0, ub, f"x_d{c.day}_{c.skill}_{c.shift_type}_{c.start}_p{c.placement}")
        for c in columns
    }
    if fixed is None:
        add_capacity(model, problem, x)
    else:
        add_fixed_groups(model, x, fixed)
    unders, overs, weights = add_coverage(model, problem, x)
    model.minimize(
        cp_model.LinearExpr.weighted_sum(unders, weights)
        + cp_model.LinearExpr.weighted_sum(overs, [problem.over_weight] * len(overs))
    )
    for c, n in (hint or {}).items():
        if c in x:
            model.add_hint(x[c], n)
    solver, status = solve(model, phase, options)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return TourSolution({}, status, float("nan"), float("nan"))
    counts = {c: int(solver.value(v)) for c, v in x.items() if solver.value(v) > 0}
    scale = problem.interval_minutes
    return TourSolution(
        counts, status, solver.objective_value / scale, solver.best_objective_bound / scale
    )


def add_fixed_groups(
    model: cp_model.CpModel, x: Mapping[Column, cp_model.IntVar], fixed: Mapping[Group, int]
) -> None:
    """Rule: each (day, skill, type, start) has exactly the shifts phase 2 gave it."""
    by_group: dict[Group, list[cp_model.IntVar]] = defaultdict(list)
    for c, var in x.items():
        by_group[c.group].append(var)
    for g, n in fixed.items():
        if n > 0:
            model.add(sum(by_group[g]) == n)


def group_counts(counts: Mapping[Column, int]) -> dict[Group, int]:
    out: dict[Group, int] = defaultdict(int)
    for c, n in counts.items():
        out[c.group] += n
    return dict(out)
