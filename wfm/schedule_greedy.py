"""A rule-keeping starting roster for phase 2, built from the phase-1 solution.

CP-SAT starts from it (solution hints), so the assignment model has a good solution at once
and spends its time improving it. Two steps:

1. Working days: phase 1 says how many agents of each class work each days-on pattern; the
   class's agents take those patterns in turn (each pattern keeps the day rules within its
   block; a run of working days across two blocks is left to the solver). Without phase-1
   patterns each agent takes its first pattern.
2. Starts, day by day: each working agent may start no earlier than its last shift's end plus
   the minimum rest (its *release*); agents with the latest release choose first and take the
   earliest target shift they may work, so late shifts stay for those who need them.

Weekly paid-minute limits are left to the solver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wfm.roster_problem import RosterProblem
from wfm.schedule_patterns import day_sets
from wfm.schedule_tours import TourSolution
from wfm.shift_options import Group, Option, agent_options


def choose_days(problem: RosterProblem, tours: TourSolution) -> dict[str, list[int]]:
    """Working days per agent from the phase-1 pattern counts."""
    out: dict[str, list[int]] = {a.id: [] for a in problem.agents}
    given: set[tuple[str, int]] = set()
    for c, k in enumerate(tours.classes):
        for b in range(len(problem.blocks())):
            listed = [
                pattern
                for (ci, bi, pattern), n in sorted(tours.patterns.items())
                if ci == c and bi == b
                for _ in range(n)
            ]
            for agent_id, pattern in zip(k.members, listed, strict=False):
                out[agent_id].extend(pattern)
                given.add((agent_id, b))
    for agent in problem.agents:
        for b, block in enumerate(problem.blocks()):
            if (agent.id, b) not in given:
                sets = day_sets(problem, agent, block)
                out[agent.id].extend(sets[0] if sets else ())
    return {k: sorted(v) for k, v in out.items()}


def greedy_assignment(problem: RosterProblem, tours: TourSolution) -> dict[str, list[Option]]:
    """Each agent's shifts (see the module docstring)."""
    days_of = choose_days(problem, tours)
    out: dict[str, list[Option]] = {a.id: [] for a in problem.agents}
    last_end: dict[str, int] = {}
    rest = problem.rules.min_rest_minutes
    for day in range(problem.days):
        left = {g: n for g, n in tours.shifts.items() if g[0] == day and n > 0}
        working = [a for a in problem.agents if day in days_of[a.id]]
        working.sort(key=lambda a: -last_end.get(a.id, -(10**9)))
        for agent in working:
            release = last_end.get(agent.id, -(10**9)) + rest
            opts = [o for o in agent_options(problem, agent, day) if o.abs_start >= release]
            if not opts:
                continue
            fits = [o for o in opts if left.get(o.group, 0) > 0]
            pick = min(fits, key=lambda o: o.abs_start) if fits else _nearest(opts, left)
            if pick.group in left:
                left[pick.group] -= 1
            out[agent.id].append(pick)
            last_end[agent.id] = pick.abs_end
    return out


def _nearest(opts: Sequence[Option], left: Mapping[Group, int]) -> Option:
    """The option closest in start to a target shift still open (else the middle one)."""
    wanted = [g[3] for g, n in left.items() if n > 0]
    if not wanted:
        return opts[len(opts) // 2]
    return min(opts, key=lambda o: min(abs(o.start - s) for s in wanted))
