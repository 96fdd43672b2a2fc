"""Whole numbers from the phase-1 LP: agents per days-on pattern, then shifts per group.

1. :func:`round_patterns`: per class of agents and block, the LP's pattern counts rounded
   down, the agents left over given to the largest fractional parts (largest remainder), so
   every agent has one pattern.
2. :func:`round_shifts`: with the patterns fixed, each day must hold exactly the agents on,
   and each set of shift types (and of skills) between the agents who must and who may work
   it. The LP's shifts are rounded down, then, while a day lacks shifts in some set, the shift
   of that set that lowers the weighted under/over coverage most is added (never above a
   set's maximum); its coverage is the shift's span less its activities, each activity
   choice weighted as in the LP.

The LP's under-coverage is tight in practice; the rounding loses a few agent-intervals (the
benchmark prints the loss against the LP bound).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from wfm.roster_problem import RosterProblem
from wfm.roster_weights import under_weights
from wfm.shift_options import Group

if TYPE_CHECKING:  # the model type only; schedule_tours imports this module
    from wfm.schedule_tours import TourModel


def round_patterns(model: TourModel, z: np.ndarray) -> np.ndarray:
    """Agents per pattern variable: whole, summing to each class's size in each block."""
    out = np.floor(z + 1e-6)
    by_cb: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, (c, b, _) in enumerate(model.patterns):
        by_cb[(c, b)].append(j)
    for (c, _), cols in by_cb.items():
        missing = len(model.classes[c].members) - int(out[cols].sum())
        order = sorted(cols, key=lambda j: -(z[j] - out[j]))
        for j in order[: max(0, missing)]:
            out[j] += 1
    return out


def expected_profiles(model: TourModel, lp: np.ndarray) -> np.ndarray:
    """Work minutes per (skill, interval) cell of one shift of each group."""
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


def day_limits(
    model: TourModel, counts: np.ndarray
) -> list[tuple[int, int, frozenset[str], int, int]]:
    """``(day, field, names, lo, hi)`` for each day: all shifts (field 0) and each set."""
    working: dict[tuple[int, int], int] = defaultdict(int)  # (class, day) -> agents on
    for j, (c, _, pattern) in enumerate(model.patterns):
        for d in pattern:
            working[(c, d)] += int(counts[j])
    out: list[tuple[int, int, frozenset[str], int, int]] = []
    for d in range(model.problem.days):
        total = sum(working[(c, d)] for c in range(len(model.classes)))
        out.append((d, 0, frozenset(), total, total))
        for field in (1, 2):
            own = [k.skills if field == 1 else k.shift_types for k in model.classes]
            for names in sorted(set(own), key=sorted):
                lo = sum(working[(c, d)] for c, o in enumerate(own) if o <= names)
                hi = sum(working[(c, d)] for c, o in enumerate(own) if o & names)
                out.append((d, field, names, lo, hi))
    return out


def round_shifts(model: TourModel, lp: np.ndarray, need: np.ndarray) -> dict[Group, int]:
    """Whole shifts per group keeping the day limits of the rounded patterns (see above)."""
    problem = model.problem
    ng = len(model.groups)
    base = ng + len(model.choices)
    counts = np.rint(lp[base : base + len(model.patterns)])
    limits = day_limits(model, counts)
    prof = expected_profiles(model, lp)
    count = np.floor(lp[:ng] + 1e-6)
    members = [
        np.array(
            [j for j, g in enumerate(model.groups) if g[0] == d and (f == 0 or g[f] in names)],
            dtype=int,
        )
        for d, f, names, _, _ in limits
    ]
    sums = np.array([count[m].sum() for m in members])
    his = np.array([hi for *_, hi in limits], dtype=float)
    los = np.array([lo for *_, lo, _ in limits], dtype=float)
    row_of: list[list[int]] = [[] for _ in range(ng)]
    for r, m in enumerate(members):
        for j in m.tolist():
            row_of[j].append(r)
    cov = count @ prof
    wu, wo = cell_weights(problem), float(problem.over_weight)

    def cost(c: np.ndarray) -> np.ndarray:
        gap = need - c
        out: np.ndarray = (wu * np.clip(gap, 0, None) + wo * np.clip(-gap, 0, None)).sum(axis=-1)
        return out

    for _ in range(int(los.sum()) + 1):
        short = np.flatnonzero(sums < los)
        if not len(short):
            break
        r = int(short[np.argmax(los[short] - sums[short])])
        candidates = [j for j in members[r] if all(sums[q] < his[q] for q in row_of[j])]
        if not candidates:
            los[r] = sums[r]  # cannot be met without breaking a maximum
            continue
        gain = cost(cov) - cost(cov[None, :] + prof[candidates])
        best = candidates[int(np.argmax(gain))]
        count[best] += 1
        cov = cov + prof[best]
        for q in row_of[best]:
            sums[q] += 1
    return {g: int(count[j]) for j, g in enumerate(model.groups) if count[j] > 0}


def cell_weights(problem: RosterProblem) -> np.ndarray:
    """Under-coverage weight of each (skill, interval) cell, skills in problem order."""
    return np.concatenate([under_weights(problem, k) for k in problem.skills])
