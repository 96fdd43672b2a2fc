"""Days-on patterns: which days of a 7-day block an agent may work, agents grouped by them.

A *pattern* is a set of working days in one block that keeps the agent's day rules:
``days_per_week`` (its bounds in the block), time off, days with no open option (unavailable
hours, shift types), at most ``max_consecutive_days`` in a row (within the block),
``min_days_off_in_a_row`` and ``max_weekend_days``. Agents with the same shift types, skills
and patterns form one *class*; the tour model counts agents per (class, block, pattern)
instead of per agent, which keeps it small (tour scheduling with days-off patterns, after
Bailey 1985 and Jacobs and Brusco 1996) and makes its day totals ones the agents can work.

Patterns ignore the days before the block (a run of working days across two blocks), so they
relax the rules slightly: the counts stay a lower-bound model, and phase 2 keeps the rule.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from wfm.roster_problem import WEEKEND, AgentContract, RosterProblem, days_bounds
from wfm.shift_options import agent_options

Pattern = tuple[int, ...]  # working days (horizon indexes), ascending


@dataclass(frozen=True)
class AgentClass:
    shift_types: frozenset[str]
    skills: frozenset[str]
    patterns: tuple[tuple[Pattern, ...], ...]  # per block
    members: tuple[str, ...]  # agent ids


def keeps_day_rules(
    problem: RosterProblem, block: range, days: set[int], before: set[int] | None = None
) -> bool:
    """``days`` (in ``block``; ``before``: working days before it) keep the day rules."""
    rules = problem.rules
    before = before or set()
    if rules.max_consecutive_days is not None:
        run = 0
        for d in range(max(0, block[0] - rules.max_consecutive_days), block[-1] + 1):
            run = run + 1 if (d in days or d in before) else 0
            if run > rules.max_consecutive_days:
                return False
    k = rules.min_days_off_in_a_row
    if k and len(block) >= k:
        starts = range(block[0], block[-1] - k + 2)
        if not any(all(d not in days for d in range(j, j + k)) for j in starts):
            return False
    weekend = sum(problem.weekday(d) in WEEKEND for d in days)
    return rules.max_weekend_days is None or weekend <= rules.max_weekend_days


def day_sets(
    problem: RosterProblem, agent: AgentContract, block: range, before: Sequence[int] = ()
) -> list[Pattern]:
    """Every pattern of ``agent`` in ``block``, most days first."""
    lo, hi = days_bounds(agent.days_per_week, len(block))
    open_days = [d for d in block if agent_options(problem, agent, d)]
    out = []
    for size in range(min(hi, len(open_days)), lo - 1, -1):
        for days in itertools.combinations(open_days, size):
            if keeps_day_rules(problem, block, set(days), set(before)):
                out.append(days)
    return out


def agent_classes(problem: RosterProblem) -> list[AgentClass]:
    """Agents grouped by shift types, skills and patterns (in the order first met)."""
    members: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for agent in problem.agents:
        patterns = tuple(tuple(day_sets(problem, agent, b)) for b in problem.blocks())
        key = (frozenset(agent.shift_types), frozenset(agent.skills), patterns)
        members[key].append(agent.id)
    return [
        AgentClass(types, skills, patterns, tuple(ids))  # type: ignore[arg-type]
        for (types, skills, patterns), ids in members.items()
    ]
