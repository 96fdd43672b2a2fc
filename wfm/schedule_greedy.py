"""A rule-keeping starting roster for phase 2, built from the phase-1 solution.

CP-SAT starts from it (solution hints), so the assignment model has a good solution at once
and spends its time improving it. Two steps:

1. Working days: phase 1 says how many agents of each class work each days-on pattern; the
   class's agents take those patterns in turn, each the first one left that keeps the day
   rules with the agent's previous block. Without phase-1 patterns each agent takes its
   first pattern.
2. Starts, day by day: each working agent may start no earlier than its last shift's end plus
   the minimum rest (its *release*); agents with the latest release choose first and take the
   earliest target shift they may work, so late shifts stay for those who need them.

Weekly paid-minute limits are left to the solver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wfm.roster_problem import RosterProblem
from wfm.schedule_patterns import Pattern, day_sets, keeps_day_rules
from wfm.schedule_tours import TourSolution
from wfm.shift_options import Group, Option, agent_options


def choose_days(problem: RosterProblem, tours: TourSolution) -> dict[str, list[int]]:
    """Working days per agent from the phase-1 pattern counts; within a class each agent
    takes the first pattern left that keeps the day rules with its previous block."""
    out: dict[str, list[int]] = {a.id: [] for a in problem.agents}
    agents = {a.id: a for a in problem.agents}
    given: set[tuple[str, int]] = set()
    blocks = problem.blocks()
    for c, k in enumerate(tours.classes):
        for b, block in enumerate(blocks):
            left = [
                pattern
                for (ci, bi, pattern), n in sorted(tours.patterns.items())
                if ci == c and bi == b
                for _ in range(n)
            ]
            for agent_id in k.members:
                if not left:
                    break
                before = set(out[agent_id])
                fits = [q for q in left if keeps_day_rules(problem, block, set(q), before)]
                pattern = fits[0] if fits else left[0]
                left.remove(pattern)
                if not fits:  # the nearest pattern that keeps the rules with the block before
                    own = day_sets(problem, agents[agent_id], block, out[agent_id])
                    pattern = _nearest_pattern(own, pattern)
                out[agent_id].extend(pattern)
                given.add((agent_id, b))
    for agent in problem.agents:
        for b, block in enumerate(blocks):
            if (agent.id, b) not in given:
                sets = day_sets(problem, agent, block, out[agent.id])
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


def _nearest_pattern(own: Sequence[Pattern], wanted: Pattern) -> Pattern:
    """The pattern of ``own`` sharing most days with ``wanted`` (``wanted`` if none)."""
    if not own:
        return wanted
    return max(own, key=lambda q: len(set(q) & set(wanted)))
