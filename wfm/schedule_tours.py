"""Phase 1 (and 3) of scheduling: how many tours of each kind, against the requirement.

A *shift group* is (day, skill, shift type, start); ``s[g] >= 0`` agents work it. Its
activities are chosen part by part (:attr:`wfm.shift_types.ShiftType.parts`): ``b[g, p, c]``
shifts of group ``g`` take choice ``c`` of part ``p``, with ``sum_c b[g, p, c] = s[g]``.
With ``R[k, i]`` the required agent-minutes of skill ``k`` in interval ``i``, ``m`` the
minutes a shift covers there and ``m'`` the minutes an activity choice takes out::

    minimise  sum_{k,i} W_under u[k, i] + W_over o[k, i]
    s.t.      sum_g m[g, i] s[g] - sum_{g,p,c} m'[g, p, c, i] b[g, p, c] + u - o = R[k, i]
              sum_c b[g, p, c] = s[g]                         (every shift places each part)
              sum_p z[c, b, p] = |c|      (each agent of class c works one days-on pattern
                                           per block: :mod:`wfm.schedule_patterns`)
              shifts of day d = agents on (sum of z over patterns holding d); per set of shift
              types (and of skills): at least the agents on who allow only those, at most
              those who allow any of them.

Every constraint is implied by the full roster problem, so the optimum (and the solver's
bound) is a lower bound on the objective of any roster. Phase 3 solves the same model with
``s`` fixed by phase 2 (the shifts the agents got), which leaves only activity choices free:
breaks placed to keep coverage smooth.

Phase 1 solves the LP relaxation (HiGHS, through scipy's ``milp``; its optimum is the
bound), rounds the patterns and then the shifts (:mod:`wfm.schedule_rounding`), and spends the
time left on branch and cut over whole shifts and patterns, keeping the better. CP-SAT on two
workers found no solution at all for a week in 4 s on this covering model, whose LP relaxation
is tight; HiGHS's LP takes about a second. Phase 3 is small and solved whole by branch and cut.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from wfm.cp_sat_run import RunOptions, SolveProgress
from wfm.roster_problem import AgentContract, RosterProblem
from wfm.schedule_patterns import AgentClass, Pattern, agent_classes
from wfm.schedule_rounding import cell_weights, round_patterns, round_shifts
from wfm.shift_options import Group
from wfm.shift_types import MINUTES_PER_DAY, minutes_by_interval

MAX_VARIABLES = 400_000  # shift groups and activity choices in one model
MIP_GAP = 1e-4  # HiGHS stops once within 0.01 % of its bound

Choice = tuple[Group, int, int]  # (group, part, choice)
PatternVar = tuple[int, int, Pattern]  # (class index, block index, days)


@dataclass(frozen=True)
class TourSolution:
    """Shifts per group, activity choices (phase 3) and agents per days-on pattern (phase 1,
    class indexes into ``classes``)."""

    shifts: Mapping[Group, int]
    choices: Mapping[Choice, int]
    patterns: Mapping[PatternVar, int]  # agents per (class, block, pattern)
    status: int  # scipy milp status: 0 optimal, 1 limit reached, 2 infeasible
    objective: float  # weighted agent-intervals
    best_bound: float
    classes: tuple[AgentClass, ...] = ()


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
    classes: list[AgentClass]
    patterns: list[PatternVar]

    @property
    def n_vars(self) -> int:
        return len(self.groups) + len(self.choices) + len(self.patterns)


def build_variables(
    problem: RosterProblem, groups: Sequence[Group], classes: Sequence[AgentClass]
) -> TourModel:
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
    patterns = [
        (c, b, pattern)
        for c, k in enumerate(classes)
        for b, block_patterns in enumerate(k.patterns)
        for pattern in block_patterns
    ]
    return TourModel(
        problem, list(groups), choices, shift_minutes + choice_minutes, list(classes), patterns
    )


def add_parts(rows: RowBlock, model: TourModel) -> None:
    """Rule: every shift places each part of its activities once (sum of choices = shifts)."""
    index = {g: j for j, g in enumerate(model.groups)}
    by_part: dict[tuple[Group, int], list[int]] = defaultdict(list)
    for j, (g, p, _) in enumerate(model.choices):
        by_part[(g, p)].append(len(model.groups) + j)
    for (g, _), cols in by_part.items():
        rows.add([*cols, index[g]], [1.0] * len(cols) + [-1.0], 0.0, 0.0)


def add_patterns(rows: RowBlock, model: TourModel) -> None:
    """Rule: each class of agents works one days-on pattern per block, and the shifts of a
    day are the agents working it: all shifts of the day = the agents on; for each set of
    shift types (and of skills) agents allow, the day's shifts of those types are at least
    the agents on who allow only them and at most those who allow any of them."""
    problem = model.problem
    base = len(model.groups) + len(model.choices)
    on_day: dict[tuple[int, int], list[int]] = defaultdict(list)  # (class, day) -> z columns
    per_class_block: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, (c, b, pattern) in enumerate(model.patterns):
        per_class_block[(c, b)].append(base + j)
        for d in pattern:
            on_day[(c, d)].append(base + j)
    for (c, _), cols in per_class_block.items():
        size = len(model.classes[c].members)
        rows.add(cols, [1.0] * len(cols), size, size)
    by_day: dict[int, list[int]] = defaultdict(list)
    for j, g in enumerate(model.groups):
        by_day[g[0]].append(j)
    for d in range(problem.days):
        shifts = by_day.get(d, [])
        every = [z for c in range(len(model.classes)) for z in on_day.get((c, d), [])]
        rows.add([*shifts, *every], [1.0] * len(shifts) + [-1.0] * len(every), 0.0, 0.0)
        for field in (1, 2):
            sets = {_own(k, field) for k in model.classes}
            for names in sorted(sets, key=sorted):
                cols = [j for j in shifts if model.groups[j][field] in names]
                lo = [
                    z
                    for c, k in enumerate(model.classes)
                    if _own(k, field) <= names
                    for z in on_day.get((c, d), [])
                ]
                hi = [
                    z
                    for c, k in enumerate(model.classes)
                    if _own(k, field) & names
                    for z in on_day.get((c, d), [])
                ]
                rows.add([*cols, *lo], [1.0] * len(cols) + [-1.0] * len(lo), 0.0, np.inf)
                rows.add([*cols, *hi], [1.0] * len(cols) + [-1.0] * len(hi), -np.inf, 0.0)


def _own(k: AgentClass, field: int) -> frozenset[str]:
    return k.skills if field == 1 else k.shift_types


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


def _lp(
    model: TourModel,
    rows: RowBlock,
    need: np.ndarray,
    *,
    integer: bool | np.ndarray,
    fixed: Mapping[int, float],
    seconds: float,
) -> Any:
    """Solve the model (HiGHS); ``integer`` says which variables are whole (all when True),
    ``fixed`` pins variables (index -> value)."""
    problem = model.problem
    n, cells = model.n_vars, len(need)
    agents = float(max(1, len(problem.agents)))
    lo = np.zeros(n + 2 * cells)
    top = np.concatenate([np.full(n, agents), need, np.full(cells, np.inf)])
    for j, v in fixed.items():
        lo[j] = top[j] = v
    cost = np.concatenate(
        [
            np.zeros(n),
            cell_weights(problem),
            np.full(cells, float(problem.over_weight)),
        ]
    )
    return milp(
        cost,
        integrality=np.concatenate(
            [np.broadcast_to(np.asarray(integer, dtype=int), n), np.zeros(2 * cells)]
        ),
        bounds=Bounds(lo, top),
        constraints=rows.constraint(n + 2 * cells),
        options={"time_limit": max(0.05, seconds), "mip_rel_gap": MIP_GAP, "disp": False},
    )


def solve_tours(
    problem: RosterProblem,
    options: RunOptions,
    *,
    fixed: Mapping[Group, int] | None = None,
    phase: str = "tours",
) -> TourSolution:
    """Phase 1 (``fixed=None``): the LP relaxation (its optimum is the bound), the patterns
    rounded per class (:func:`wfm.schedule_rounding.round_patterns`), the LP again with them
    fixed and its shifts rounded (:func:`wfm.schedule_rounding.round_shifts`). Phase 3
    (shifts per group fixed): activity choices by branch and cut."""
    deadline = time.perf_counter() + options.time_limit_seconds
    if fixed is None:
        model = build_variables(problem, shift_groups(problem), agent_classes(problem))
    else:
        model = build_variables(problem, sorted(g for g, n in fixed.items() if n > 0), [])
    rows = RowBlock()
    add_parts(rows, model)
    if fixed is None:
        add_patterns(rows, model)
    need = add_coverage(rows, model)
    ng = len(model.groups)
    if fixed is not None:
        pinned = {j: float(fixed[g]) for j, g in enumerate(model.groups)}
        result = _lp(
            model, rows, need, integer=True, fixed=pinned, seconds=options.time_limit_seconds
        )
        if result.x is None:
            return TourSolution({}, {}, {}, result.status, float("nan"), float("nan"))
        x = np.rint(result.x[: model.n_vars]).astype(int)
        shifts = {g: int(x[j]) for j, g in enumerate(model.groups) if x[j] > 0}
        choices = {ch: int(x[ng + j]) for j, ch in enumerate(model.choices) if x[ng + j] > 0}
        bound = getattr(result, "mip_dual_bound", None)
        solution = TourSolution(
            shifts,
            choices,
            {},
            result.status,
            float(result.fun) / problem.interval_minutes,
            (float(bound) if bound is not None and np.isfinite(bound) else 0.0)
            / problem.interval_minutes,
        )
    else:
        solution = _phase_one(model, rows, need, deadline, options.stop)
    if options.on_progress is not None:
        wall = time.perf_counter() - options.started
        options.on_progress(SolveProgress(phase, 1, solution.objective, solution.best_bound, wall))
    return solution


def _phase_one(
    model: TourModel,
    rows: RowBlock,
    need: np.ndarray,
    deadline: float,
    stop: threading.Event | None,
) -> TourSolution:
    """LP bound; rounding; then branch and cut on whole shifts and patterns (activity
    choices left fractional, phase 3 settles them) for the time left, kept if better."""
    problem = model.problem
    first = _lp(model, rows, need, integer=False, fixed={}, seconds=deadline - time.perf_counter())
    if first.x is None:
        return TourSolution({}, {}, {}, first.status, float("nan"), float("nan"))
    ng = len(model.groups)
    base = ng + len(model.choices)
    counts = round_patterns(model, first.x[base : base + len(model.patterns)])
    pinned = {base + j: float(v) for j, v in enumerate(counts)}
    second = _lp(
        model, rows, need, integer=False, fixed=pinned, seconds=deadline - time.perf_counter()
    )
    lp = second.x if second.x is not None else first.x
    shifts = round_shifts(model, lp, need)
    both = {**pinned, **{j: float(shifts.get(g, 0)) for j, g in enumerate(model.groups)}}
    rounded = _lp(
        model, rows, need, integer=False, fixed=both, seconds=deadline - time.perf_counter()
    )
    value = float(rounded.fun) if rounded.x is not None else np.inf
    whole = np.zeros(model.n_vars, dtype=bool)
    whole[:ng] = whole[base:] = True
    stopped = stop is not None and stop.is_set()
    seconds = 0.0 if stopped else deadline - time.perf_counter()
    mip = (
        _lp(model, rows, need, integer=whole, fixed={}, seconds=seconds) if seconds > 0.1 else None
    )
    if mip is not None and mip.x is not None and float(mip.fun) < value - 1e-6:
        value = float(mip.fun)
        shifts = {g: round(float(mip.x[j])) for j, g in enumerate(model.groups) if mip.x[j] > 0.5}
        counts = np.rint(mip.x[base : base + len(model.patterns)])
    patterns = {model.patterns[j]: int(v) for j, v in enumerate(counts) if v > 0}
    scale = problem.interval_minutes
    return TourSolution(
        shifts,
        {},
        patterns,
        first.status,
        value / scale,
        float(first.fun) / scale,
        tuple(model.classes),
    )


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
