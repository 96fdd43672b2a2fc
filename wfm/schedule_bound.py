"""An independent lower bound on the under-coverage of any roster: an LP relaxation.

Built from the problem alone, with none of the scheduler's code but the shift types'
placement list: one column per (day, skill, shift type, start, *full* placement of all
activities) — the explicit set-covering model of Dantzig (1954) — against the requirement::

    minimise  sum_{k,i} u[k, i]                       (agent-intervals under the requirement)
    s.t.      sum_c w[c, i] x[c] / I + u[k, i] >= r[k, i]      (w: work minutes, I: interval)
              shifts of a day <= agents available that day (per skill, per shift type too)
              shifts of a 7-day block within the sums of the agents' working-day bounds
              x, u >= 0

Every roster meets these constraints with whole ``x``, so the LP optimum (HiGHS, dual
simplex) is a lower bound on its under-coverage, independent of the solver's own bound.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from wfm.roster_problem import RosterProblem, days_bounds
from wfm.shift_types import MINUTES_PER_DAY

MAX_COLUMNS = 2_000_000


def d_block(key: tuple[object, ...]) -> int:
    index = key[1]
    assert isinstance(index, int)
    return index


@dataclass(frozen=True)
class CoverageBound:
    under_coverage: float  # agent-intervals, all skills
    columns: int
    status: str


def under_coverage_bound(problem: RosterProblem) -> CoverageBound:
    n_int, width = problem.n_intervals, problem.interval_minutes
    skills = list(problem.skills)
    n_cells = len(skills) * n_int
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    cap: dict[tuple[object, ...], int] = defaultdict(int)
    kinds: set[tuple[int, str, str]] = set()
    for agent in problem.agents:
        for d in range(problem.days):
            if agent.days_per_week == 0 or d in agent.time_off:
                continue
            cap[("day", d)] += 1
            for k in agent.skills:
                cap[("skill", d, k)] += 1
            for t in agent.shift_types:
                cap[("type", d, t)] += 1
            kinds.update((d, k, t) for k in agent.skills for t in agent.shift_types)
    j = 0
    for d, k, t in sorted(kinds):
        st = problem.shift_types[t]
        base = skills.index(k) * n_int
        for start in st.starts():
            origin = d * MINUTES_PER_DAY + start
            for offsets in st.placements:
                minute = np.zeros(n_int * width + 1)
                minute_hi = min(origin + st.length_minutes, n_int * width)
                if origin < minute_hi:
                    minute[origin:minute_hi] = 1
                for a, off in zip(st.activities, offsets, strict=True):
                    lo, hi = origin + off, min(origin + off + a.length_minutes, n_int * width)
                    if lo < hi:
                        minute[lo:hi] = 0
                per = minute[: n_int * width].reshape(n_int, width).sum(axis=1) / width
                for i in np.flatnonzero(per):
                    rows.append(base + int(i))
                    cols.append(j)
                    vals.append(-float(per[i]))
                for member in (("day", d), ("skill", d, k), ("type", d, t), ("block", d // 7)):
                    groups[member].append(j)
                j += 1
                if j > MAX_COLUMNS:
                    raise ValueError(f"too many columns for the bound (over {MAX_COLUMNS})")
    n_x = j
    # coverage rows: -cov - u <= -r
    rows.extend(range(n_cells))
    cols.extend(range(n_x, n_x + n_cells))
    vals.extend([-1.0] * n_cells)
    b_ub = [-problem.requirement(k)[i] for k in skills for i in range(n_int)]
    r = n_cells
    for key, members in groups.items():
        if key[0] == "block":
            block = problem.blocks()[d_block(key)]
            pairs = [days_bounds(a.days_per_week, len(block)) for a in problem.agents]
            lo, hi = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
            for sign, bound in ((1.0, hi), (-1.0, -lo)):
                rows.extend([r] * len(members))
                cols.extend(members)
                vals.extend([sign] * len(members))
                b_ub.append(bound)
                r += 1
        else:
            rows.extend([r] * len(members))
            cols.extend(members)
            vals.extend([1.0] * len(members))
            b_ub.append(cap[key])
            r += 1
    a_ub = coo_matrix((vals, (rows, cols)), shape=(r, n_x + n_cells)).tocsr()
    cost = np.concatenate([np.zeros(n_x), np.ones(n_cells)])
    result = linprog(cost, A_ub=a_ub, b_ub=np.array(b_ub), bounds=(0, None), method="highs-ds")
    value = float(result.fun) if result.status == 0 else float("nan")
    return CoverageBound(value, n_x, "optimal" if result.status == 0 else result.message)
