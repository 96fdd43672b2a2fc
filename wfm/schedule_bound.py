"""An independent lower bound on the under-coverage of any roster: an LP relaxation.

Built from the problem alone, apart from the scheduler's models: one column per (day,
skill, shift type, start, *full* placement of all activities) — the explicit set-covering
model of Dantzig (1954) — and, per agent and 7-day block, one column per set of working
days the agent may work (its own enumeration below: days per week, time off, consecutive
days, days off in a row, weekend days)::

    minimise  sum_{k,i} u[k, i]                       (agent-intervals under the requirement)
    s.t.      sum_c w[c, i] x[c] / I + u[k, i] >= r[k, i]      (w: work minutes, I: interval)
              sum_p z[a, b, p] = 1                              (each agent one set per block)
              shifts of day d = sum of z[a, b, p] with d in p   (agents on that day)
              shifts of type t (skill k) on day d <= agents on who allow t (have k), and
              >= agents on who allow only t (have only k)
              x, u, z >= 0

Every roster meets these constraints with whole ``x`` and ``z``, so the LP optimum (HiGHS,
dual simplex) is a lower bound on its under-coverage, independent of the solver's own bound.
Unavailable hours and weekly minutes are left out (a weaker but still valid bound).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from wfm.roster_problem import WEEKEND, AgentContract, RosterProblem, days_bounds
from wfm.shift_types import MINUTES_PER_DAY

MAX_COLUMNS = 2_000_000


@dataclass(frozen=True)
class CoverageBound:
    under_coverage: float  # agent-intervals, all skills
    columns: int
    status: str


def working_day_sets(problem: RosterProblem, agent: AgentContract, block: range) -> list[set[int]]:
    """Sets of days ``agent`` may work in ``block`` (rules within the block only)."""
    rules = problem.rules
    lo, hi = days_bounds(agent.days_per_week, len(block))
    free = [d for d in block if d not in agent.time_off]
    out = []
    for size in range(lo, min(hi, len(free)) + 1):
        for days in map(set, itertools.combinations(free, size)):
            flags = [d in days for d in block]
            runs = [len(list(g)) for on, g in itertools.groupby(flags) if on]
            offs = [len(list(g)) for on, g in itertools.groupby(flags) if not on]
            if (
                rules.max_consecutive_days is not None
                and max(runs, default=0) > rules.max_consecutive_days
            ):
                continue
            k = rules.min_days_off_in_a_row
            if k and len(block) >= k and max(offs, default=0) < k:
                continue
            weekend = sum(problem.weekday(d) in WEEKEND for d in days)
            if rules.max_weekend_days is not None and weekend > rules.max_weekend_days:
                continue
            out.append(days)
    return out


def under_coverage_bound(problem: RosterProblem) -> CoverageBound:
    n_int, width = problem.n_intervals, problem.interval_minutes
    horizon = n_int * width
    skills = list(problem.skills)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    b_ub: list[float] = []
    a_eq: tuple[list[int], list[int], list[float]] = ([], [], [])
    b_eq: list[float] = []
    shifts_on: dict[tuple[object, ...], list[int]] = defaultdict(list)  # (day, what) -> x cols
    kinds = sorted(
        {
            (d, k, t)
            for a in problem.agents
            for d in range(problem.days)
            for k in a.skills
            for t in a.shift_types
        }
    )
    j = 0
    for d, k, t in kinds:
        st = problem.shift_types[t]
        base = skills.index(k) * n_int
        for start in st.starts():
            origin = d * MINUTES_PER_DAY + start
            for offsets in st.placements:
                minute = np.zeros(horizon)
                minute[origin : min(origin + st.length_minutes, horizon)] = 1
                for a, off in zip(st.activities, offsets, strict=True):
                    minute[origin + off : min(origin + off + a.length_minutes, horizon)] = 0
                per = minute.reshape(n_int, width).sum(axis=1) / width
                for i in np.flatnonzero(per):
                    rows.append(base + int(i))
                    cols.append(j)
                    vals.append(-float(per[i]))
                for what in (("all",), ("type", t), ("skill", k)):
                    shifts_on[(d, *what)].append(j)
                j += 1
        if j > MAX_COLUMNS:
            raise ValueError(f"too many columns for the bound (over {MAX_COLUMNS})")
    n_x = j
    agents_on: dict[tuple[object, ...], list[int]] = defaultdict(list)  # (day, what) -> z cols
    eq_row = 0
    for agent in problem.agents:
        for block in problem.blocks():
            members = []
            for days in working_day_sets(problem, agent, block):
                members.append(j)
                for d in days:
                    agents_on[(d, "all")].append(j)
                    for t in agent.shift_types:
                        agents_on[(d, "type", t)].append(j)
                        if len(agent.shift_types) == 1:
                            agents_on[(d, "only_type", t)].append(j)
                    for k in agent.skills:
                        agents_on[(d, "skill", k)].append(j)
                        if len(agent.skills) == 1:
                            agents_on[(d, "only_skill", k)].append(j)
                j += 1
            _add(a_eq, eq_row, members, 1.0)
            b_eq.append(1.0)
            eq_row += 1
    n_z = j - n_x
    n_cells = len(skills) * n_int
    # coverage rows: -cov - u <= -r
    for c in range(n_cells):
        rows.append(c)
        cols.append(j + c)
        vals.append(-1.0)
    b_ub.extend(-problem.requirement(k)[i] for k in skills for i in range(n_int))
    r = n_cells
    for d in range(problem.days):
        _add(a_eq, eq_row, shifts_on.get((d, "all"), []), 1.0)
        _add(a_eq, eq_row, agents_on.get((d, "all"), []), -1.0)
        b_eq.append(0.0)
        eq_row += 1
        for kind, names in (("type", problem.shift_types), ("skill", skills)):
            for name in names:
                x_cols = shifts_on.get((d, kind, name), [])
                for sign, key in ((1.0, kind), (-1.0, f"only_{kind}")):
                    # sign +1: shifts - agents allowing it <= 0; -1: agents only it - shifts <= 0
                    for c in x_cols:
                        rows.append(r)
                        cols.append(c)
                        vals.append(sign)
                    for c in agents_on.get((d, key, name), []):
                        rows.append(r)
                        cols.append(c)
                        vals.append(-sign)
                    b_ub.append(0.0)
                    r += 1
    n_vars = n_x + n_z + n_cells
    a_ub = coo_matrix((vals, (rows, cols)), shape=(r, n_vars)).tocsr()
    a_eq_m = coo_matrix((a_eq[2], (a_eq[0], a_eq[1])), shape=(eq_row, n_vars)).tocsr()
    cost = np.concatenate([np.zeros(n_x + n_z), np.ones(n_cells)])
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.array(b_ub),
        A_eq=a_eq_m,
        b_eq=np.array(b_eq),
        bounds=(0, None),
        method="highs-ds",
    )
    value = float(result.fun) if result.status == 0 else float("nan")
    return CoverageBound(value, n_x, "optimal" if result.status == 0 else str(result.message))


def _add(
    a: tuple[list[int], list[int], list[float]], row: int, columns: list[int], value: float
) -> None:
    a[0].extend([row] * len(columns))
    a[1].extend(columns)
    a[2].extend([value] * len(columns))
