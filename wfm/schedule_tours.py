"""Phase 1 (and 3) of scheduling: how many tours of each kind, against the requirement.

A *shift group* is (day, skill, shift type, start); ``s[g] >= 0`` agents work it. Its
activities are chosen part by part (:attr:`wfm.shift_types.ShiftType.parts`): ``b[g, p, c]``
shifts of group ``g`` take choice ``c`` of part ``p``, with ``sum_c b[g, p, c] = s[g]``.
With ``R[k, i]`` the required agent-minutes of skill ``k`` in interval ``i``, ``m`` the
minutes a shift covers there and ``m'`` the minutes an activity choice takes out::

    minimise  sum_{k,i} W_under u[k, i] + W_over o[k, i]
    s.t.      sum_g m[g, i] s[g] - sum_{g,p,c} m'[g, p, c, i] b[g, p, c] + u - o = R[k, i]
              sum_c b[g, p, c] = s[g]                         (every shift places each part)
              day capacity: shifts of a day <= agents available that day (also per skill and
              per shift type); shifts of a 7-day block between the sums of the agents'
              working-day bounds.

Every constraint is implied by the full roster problem, so the optimum (and the solver's
bound) is a lower bound on the objective of any roster. Phase 3 solves the same model with
``s`` fixed by phase 2 (the shifts the agents got), which leaves only activity choices free:
breaks placed to keep coverage smooth.

It is a covering integer programme with a tight LP relaxation, solved by HiGHS branch and
cut (scipy's ``milp``): on a week of 15-minute intervals CP-SAT on two workers found no
solution at all in 4 s, where HiGHS closes the gap to a fraction of a percent.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from wfm.cp_sat_run import RunOptions, SolveProgress
from wfm.roster_problem import AgentContract, RosterProblem, days_bounds
from wfm.shift_types import MINUTES_PER_DAY, minutes_by_interval

MAX_VARIABLES = 400_000  # shift groups and activity choices in one model
MIP_GAP = 1e-4  # HiGHS stops once within 0.01 % of its bound

Group = tuple[int, str, str, int]  # (day, skill, shift type, start minute of the day)
Choice = tuple[Group, int, int]  # (group, part, choice)


@dataclass(frozen=True)
class TourSolution:
    shifts: Mapping[Group, int]
    choices: Mapping[Choice, int]
    status: int  # scipy milp status: 0 optimal, 1 limit reached, 2 infeasible
    objective: float  # weighted agent-intervals
    best_bound: float


def agent_can_work(agent: AgentContract, day: int) -> bool:
    return agent.days_per_week > 0 and day not in agent.time_off


def shift_groups(problem: RosterProblem) -> list[Group]:
    """Every (day, skill, type, start) some agent could work."""
    kinds: set[tuple[int, str, str]] = set()
    for agent in problem.agents:
        for day in range(problem.days):
            if agent_can_work(agent, day):
                kinds.update((day, k, t) for k in agent.skills for t in agent.shift_types)
    return [(d, k, t, s) for d, k, t in sorted(kinds) for s in problem.shift_types[t].starts()]


def required_minutes(problem: RosterProblem, skill: str) -> np.ndarray:
    """Required agent-minutes per interval, rounded to whole minutes."""
    out: np.ndarray = np.rint(problem.requirement(skill) * problem.interval_minutes)
    return out.astype(np.int64)


def capacities(problem: RosterProblem) -> dict[tuple[str, object, object], int]:
    """Agents available per (day), (day, skill) and (day, shift type)."""
    cap: dict[tuple[str, object, object], int] = defaultdict(int)
    for agent in problem.agents:
        for day in range(problem.days):
            if agent_can_work(agent, day):
                cap[("day", day, None)] += 1
                for k in agent.skills:
                    cap[("skill", day, k)] += 1
                for t in agent.shift_types:
                    cap[("type", day, t)] += 1
    return cap


def block_bounds(problem: RosterProblem, block: range) -> tuple[int, int]:
    """Working days of all agents together in a block: the sums of their bounds."""
    pairs = [days_bounds(a.days_per_week, len(block)) for a in problem.agents]
    return sum(lo for lo, _ in pairs), sum(hi for _, hi in pairs)


class RowBlock:
    """Rows ``lo <= A v <= hi`` of a linear model, built row by row."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, cols: Sequence[int], vals: Sequence[float], lo: float, hi: float) -> None:
        r = len(self.lo)
        self.rows.extend([r] * len(cols))
        self.cols.extend(cols)
        self.vals.extend(vals)
        self.lo.append(lo)
        self.hi.append(hi)

    def constraint(self, n_vars: int) -> LinearConstraint:
        a = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lo), n_vars))
        return LinearConstraint(a.tocsr(), np.array(self.lo), np.array(self.hi))


@dataclass
class TourModel:
    """Variables: shift groups, then activity choices, then under and over per cell."""

    problem: RosterProblem
    groups: list[Group]
    choices: list[Choice]
    minutes: list[dict[int, int]]  # per variable (groups then choices): interval -> minutes

    @property
    def n_vars(self) -> int:
        return len(self.groups) + len(self.choices)


def build_variables(problem: RosterProblem, groups: Sequence[Group]) -> TourModel:
    n, width = problem.n_intervals, problem.interval_minutes
    choices: list[Choice] = []
    shift_minutes = []
    choice_minutes = []
    for g in groups:
        day, _, name, start = g
        st = problem.shift_types[name]
        origin = day * MINUTES_PER_DAY + start
        shift_minutes.append(minutes_by_interval([(origin, origin + st.length_minutes)], width, n))
        for p, (indexes, options) in enumerate(st.parts):
            for c, offsets in enumerate(options):
                choices.append((g, p, c))
                segments = st.activity_segments(origin, indexes, offsets)
                choice_minutes.append(minutes_by_interval(segments, width, n))
        if len(choices) + len(groups) > MAX_VARIABLES:
            raise ValueError(
                f"shift_types: more than {MAX_VARIABLES} tour variables; use larger steps"
            )
    return TourModel(problem, list(groups), choices, shift_minutes + choice_minutes)


def add_parts(rows: RowBlock, model: TourModel) -> None:
    """Rule: every shift places each part of its activities once (sum of choices = shifts)."""
    index = {g: j for j, g in enumerate(model.groups)}
    by_part: dict[tuple[Group, int], list[int]] = defaultdict(list)
    for j, (g, p, _) in enumerate(model.choices):
        by_part[(g, p)].append(len(model.groups) + j)
    for (g, _), cols in by_part.items():
        rows.add([*cols, index[g]], [1.0] * len(cols) + [-1.0], 0.0, 0.0)


def add_capacity(rows: RowBlock, model: TourModel) -> None:
    """Rule: a day has no more shifts than agents available that day (per skill and per
    shift type too), and a 7-day block as many as the agents' contracts allow in sum."""
    problem = model.problem
    cap = capacities(problem)
    sums: dict[tuple[str, object, object], list[int]] = defaultdict(list)
    for j, (day, skill, name, _) in enumerate(model.groups):
        sums[("day", day, None)].append(j)
        sums[("skill", day, skill)].append(j)
        sums[("type", day, name)].append(j)
    for key, cols in sums.items():
        rows.add(cols, [1.0] * len(cols), 0.0, cap[key])
    for block in problem.blocks():
        lo, hi = block_bounds(problem, block)
        cols = [j for j, g in enumerate(model.groups) if g[0] in block]
        rows.add(cols, [1.0] * len(cols), lo, hi)


def add_coverage(rows: RowBlock, model: TourModel) -> np.ndarray:
    """Rule: shifts - activities + under - over = requirement, per skill and interval
    (agent-minutes). Under and over variables follow the others; returns the requirement
    of each (skill, interval) cell, in that order."""
    problem = model.problem
    skills = problem.skills
    cell_of = {
        (k, i): c
        for c, (k, i) in enumerate((k, i) for k in skills for i in range(problem.n_intervals))
    }
    terms: dict[int, list[tuple[int, float]]] = defaultdict(list)
    n_groups = len(model.groups)
    for j, minutes in enumerate(model.minutes):
        skill = model.groups[j][1] if j < n_groups else model.choices[j - n_groups][0][1]
        sign = 1.0 if j < n_groups else -1.0
        for i, m in minutes.items():
            terms[cell_of[(skill, i)]].append((j, sign * m))
    need = np.concatenate([required_minutes(problem, k) for k in skills])
    cells, base = len(need), model.n_vars
    for c in range(cells):
        cols = [j for j, _ in terms.get(c, [])] + [base + c, base + cells + c]
        vals = [v for _, v in terms.get(c, [])] + [1.0, -1.0]
        rows.add(cols, vals, float(need[c]), float(need[c]))
    return need


def solve_tours(
    problem: RosterProblem,
    options: RunOptions,
    *,
    fixed: Mapping[Group, int] | None = None,
    phase: str = "tours",
) -> TourSolution:
    """Phase 1 (``fixed=None``): the LP relaxation, then shifts rounded by
    :func:`round_shifts`; the LP optimum is the bound. Phase 3 (shifts per group fixed):
    activity choices by branch and cut, whose LP relaxation is tight."""
    if fixed is None:
        groups = shift_groups(problem)
    else:
        groups = sorted(g for g, n in fixed.items() if n > 0)
    model = build_variables(problem, groups)
    rows = RowBlock()
    add_parts(rows, model)
    if fixed is None:
        add_capacity(rows, model)
    need = add_coverage(rows, model)
    n, cells = model.n_vars, len(need)
    agents = float(max(1, len(problem.agents)))
    lo = np.zeros(n + 2 * cells)
    top = np.concatenate([np.full(n, agents), need, np.full(cells, np.inf)])
    if fixed is not None:
        lo[: len(groups)] = top[: len(groups)] = [fixed[g] for g in groups]
    cost = np.concatenate(
        [
            np.zeros(n),
            np.full(cells, float(problem.under_weight)),
            np.full(cells, float(problem.over_weight)),
        ]
    )
    integer = fixed is not None
    result = milp(
        cost,
        integrality=np.concatenate([np.full(n, int(integer)), np.zeros(2 * cells)]),
        bounds=Bounds(lo, top),
        constraints=rows.constraint(n + 2 * cells),
        options={"time_limit": options.time_limit_seconds, "mip_rel_gap": MIP_GAP, "disp": False},
    )
    if result.x is None:
        return TourSolution({}, {}, result.status, float("nan"), float("nan"))
    scale = problem.interval_minutes
    ng = len(groups)
    if integer:
        x = np.rint(result.x[:n]).astype(int)
        shifts = {g: int(x[j]) for j, g in enumerate(groups) if x[j] > 0}
        choices = {ch: int(x[ng + j]) for j, ch in enumerate(model.choices) if x[ng + j] > 0}
        bound = getattr(result, "mip_dual_bound", None)
        bound = float(bound) if bound is not None and np.isfinite(bound) else 0.0
        objective = float(result.fun)
    else:
        shifts = round_shifts(model, result.x[:n], need)
        choices = {}
        bound = objective = float(result.fun)
    solution = TourSolution(shifts, choices, result.status, objective / scale, bound / scale)
    if options.on_progress is not None:
        wall = time.perf_counter() - options.started
        options.on_progress(SolveProgress(phase, 1, solution.objective, solution.best_bound, wall))
    return solution


def expected_profiles(model: TourModel, lp: np.ndarray) -> np.ndarray:
    """Work minutes per (skill, interval) cell of one shift of each group: its span less its
    activities, each choice weighted as in the LP (uniformly where the LP has no shift)."""
    problem = model.problem
    n_int = problem.n_intervals
    skills = {k: j for j, k in enumerate(problem.skills)}
    ng = len(model.groups)
    prof = np.zeros((ng, len(skills) * n_int))
    index = {g: j for j, g in enumerate(model.groups)}
    for j, g in enumerate(model.groups):
        base = skills[g[1]] * n_int
        for i, m in model.minutes[j].items():
            prof[j, base + i] += m
    weights: dict[tuple[Group, int], list[tuple[int, float]]] = defaultdict(list)
    for c, (g, p, _) in enumerate(model.choices):
        weights[(g, p)].append((ng + c, float(lp[ng + c])))
    for (g, _), items in weights.items():
        total = sum(w for _, w in items)
        j, base = index[g], skills[g[1]] * n_int
        for v, w in items:
            share = w / total if total > 1e-9 else 1.0 / len(items)
            for i, m in model.minutes[v].items():
                prof[j, base + i] -= share * m
    return prof


def round_shifts(model: TourModel, lp: np.ndarray, need: np.ndarray) -> dict[Group, int]:
    """Whole shifts from the LP: the LP's shifts rounded down, then the shift that lowers the
    weighted under/over coverage most added one at a time until each 7-day block holds at
    least its minimum (and while it helps, up to the capacities)."""
    problem = model.problem
    ng = len(model.groups)
    prof = expected_profiles(model, lp)
    count = np.floor(lp[:ng] + 1e-6)
    cov = count @ prof
    cap = capacities(problem)
    day_of = np.array([g[0] for g in model.groups])
    keys = [
        [("day", g[0], None), ("skill", g[0], g[1]), ("type", g[0], g[2])] for g in model.groups
    ]
    used: dict[tuple[str, object, object], float] = defaultdict(float)
    for j in range(ng):
        for key in keys[j]:
            used[key] += count[j]
    wu, wo = float(problem.under_weight), float(problem.over_weight)

    def cost(c: np.ndarray) -> np.ndarray:
        gap = need - c
        out: np.ndarray = (wu * np.clip(gap, 0, None) + wo * np.clip(-gap, 0, None)).sum(axis=-1)
        return out

    for block in problem.blocks():
        lo, hi = block_bounds(problem, block)
        in_block = np.isin(day_of, list(block))
        while True:
            total = count[in_block].sum()
            if total >= hi:
                break
            open_ = in_block & np.array([all(used[k] < cap[k] for k in keys[j]) for j in range(ng)])
            if not open_.any():
                break
            gain = cost(cov) - cost(cov[None, :] + prof[open_])
            best = int(np.flatnonzero(open_)[int(np.argmax(gain))])
            if total >= lo and gain.max() <= 0:
                break
            count[best] += 1
            cov = cov + prof[best]
            for key in keys[best]:
                used[key] += 1
    return {g: int(count[j]) for j, g in enumerate(model.groups) if count[j] > 0}


def hand_out(
    problem: RosterProblem, solution: TourSolution, group: Group, count: int
) -> list[tuple[int, ...]]:
    """Activity offsets for ``count`` shifts of ``group``: the j-th shift takes the j-th
    choice of each part (choices listed by their counts). Parts are independent, so every
    combination is a placement. Missing choices (no solution) take the middle one."""
    st = problem.shift_types[group[2]]
    per_part = []
    for p, (_, options) in enumerate(st.parts):
        listed = [
            c for c in range(len(options)) for _ in range(solution.choices.get((group, p, c), 0))
        ]
        per_part.append([options[c] for c in listed] + [options[len(options) // 2]] * count)
    out = []
    for j in range(count):
        offsets = [0] * len(st.activities)
        for (indexes, _), chosen in zip(st.parts, per_part, strict=True):
            for a, o in zip(indexes, chosen[j], strict=True):
                offsets[a] = o
        out.append(tuple(offsets))
    return out
