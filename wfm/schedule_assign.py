"""Phase 2 of scheduling: named agents to tours, under every contract rule.

Each agent and day has one Boolean per *option* (skill, shift type, start) the agent may
work that day (:func:`agent_options`: skill and shift type allowed, not on time off, clear of
unavailable hours). Phase 1 gave a target number of shifts per (day, skill, type, start);
the model matches it as closely as it can (``|shifts - target|`` per group), then honours
preferences. Each rule is one small helper below, headed by the rule in plain words; each
takes the enforcement literals of its rule group (empty: the rule is hard), so that an
infeasible agent can be explained through ``sufficient_assumptions_for_infeasibility``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from wfm.cp_sat_run import RunOptions, solve
from wfm.roster_problem import WEEKEND, AgentContract, RosterProblem, days_bounds, minutes_bounds
from wfm.shift_options import Group, Option, agent_options
from wfm.shift_types import MINUTES_PER_DAY

DEVIATION_WEIGHT = 1000  # one shift off its phase-1 target outweighs any preference


# ---------------------------------------------------------------- rule helpers
# ``y[d]`` maps each option of day d to its Boolean; ``work[d]`` is 1 when the agent works d.


def add_one_shift_a_day(
    model: cp_model.CpModel, y: Mapping[Option, cp_model.IntVar], days: int, name: str
) -> list[cp_model.IntVar]:
    """Rule: at most one shift a day. Returns work[d] = the sum of the day's options."""
    work = []
    for d in range(days):
        w = model.new_bool_var(f"work_{name}_d{d}")
        model.add(sum(v for o, v in y.items() if o.day == d) == w)
        work.append(w)
    return work


def add_days_per_block(
    model: cp_model.CpModel,
    problem: RosterProblem,
    agent: AgentContract,
    work: Sequence[cp_model.IntVar],
    enforce: Sequence[cp_model.IntVar] = (),
) -> None:
    """Rule: exactly ``days_per_week`` working days in each block of 7 days from the start."""
    for block in problem.blocks():
        lo, hi = days_bounds(agent.days_per_week, len(block))
        model.add_linear_constraint(sum(work[d] for d in block), lo, hi).only_enforce_if(enforce)


def add_min_rest(
    model: cp_model.CpModel,
    y: Mapping[Option, cp_model.IntVar],
    work: Sequence[cp_model.IntVar],
    rest_minutes: int,
    enforce: Sequence[cp_model.IntVar] = (),
) -> None:
    """Rule: at least ``rest_minutes`` between the end of a shift and the start of the next.

    Checked for every pair of working days up to three apart (shifts last at most 16 h and
    rest at most 48 h); a pair with a shift between them keeps it whenever each neighbour
    pair does, so checking all pairs adds nothing wrong."""
    if rest_minutes <= 0:
        return
    days = len(work)
    start = [sum(o.abs_start * v for o, v in y.items() if o.day == d) for d in range(days)]
    end = [sum(o.abs_end * v for o, v in y.items() if o.day == d) for d in range(days)]
    for d in range(days):
        for e in range(d + 1, min(days, d + 4)):
            model.add(start[e] - end[d] >= rest_minutes).only_enforce_if(
                [work[d], work[e], *enforce]
            )


def add_max_consecutive_days(
    model: cp_model.CpModel,
    work: Sequence[cp_model.IntVar],
    k: int | None,
    enforce: Sequence[cp_model.IntVar] = (),
) -> None:
    """Rule: never more than ``k`` working days in a row."""
    if k is None:
        return
    for d in range(len(work) - k):
        model.add(sum(work[d : d + k + 1]) <= k).only_enforce_if(enforce)


def add_min_days_off_in_a_row(
    model: cp_model.CpModel,
    problem: RosterProblem,
    work: Sequence[cp_model.IntVar],
    k: int,
    name: str,
    enforce: Sequence[cp_model.IntVar] = (),
) -> None:
    """Rule: each block of 7 days holds at least ``k`` days off in a row."""
    if k <= 0:
        return
    for b, block in enumerate(problem.blocks()):
        if len(block) < k:
            continue
        runs = []
        for j in range(block[0], block[-1] - k + 2):
            r = model.new_bool_var(f"off_run_{name}_b{b}_d{j}")
            for d in range(j, j + k):
                model.add_implication(r, work[d].Not())
            runs.append(r)
        model.add_bool_or(runs).only_enforce_if(enforce)


def add_weekend_limit(
    model: cp_model.CpModel,
    problem: RosterProblem,
    work: Sequence[cp_model.IntVar],
    limit: int | None,
    enforce: Sequence[cp_model.IntVar] = (),
) -> None:
    """Rule: at most ``limit`` Saturday/Sunday shifts in each block of 7 days."""
    if limit is None:
        return
    for block in problem.blocks():
        weekend = [work[d] for d in block if problem.weekday(d) in WEEKEND]
        if len(weekend) > limit:
            model.add(sum(weekend) <= limit).only_enforce_if(enforce)


def add_paid_minutes(
    model: cp_model.CpModel,
    problem: RosterProblem,
    agent: AgentContract,
    y: Mapping[Option, cp_model.IntVar],
    enforce: Sequence[cp_model.IntVar] = (),
) -> None:
    """Rule: paid minutes of each block of 7 days within the agent's weekly limits."""
    for block in problem.blocks():
        lo, hi = minutes_bounds(agent, len(block))
        if lo is None and hi is None:
            continue
        paid = sum(o.paid_minutes * v for o, v in y.items() if o.day in block)
        model.add_linear_constraint(
            paid, lo or 0, hi if hi is not None else 7 * MINUTES_PER_DAY
        ).only_enforce_if(enforce)


RULE_GROUPS = (
    "days_per_week",
    "min_rest",
    "max_consecutive_days",
    "min_days_off_in_a_row",
    "max_weekend_days",
    "minutes_per_week",
)


def add_agent_rules(
    model: cp_model.CpModel,
    problem: RosterProblem,
    agent: AgentContract,
    y: Mapping[Option, cp_model.IntVar],
    enforce: Mapping[str, cp_model.IntVar] | None = None,
) -> list[cp_model.IntVar]:
    """All of one agent's rules; returns work[d]. ``enforce`` maps rule groups to literals."""
    lit = {g: ([enforce[g]] if enforce else []) for g in RULE_GROUPS}
    rules = problem.rules
    work = add_one_shift_a_day(model, y, problem.days, agent.id)
    add_days_per_block(model, problem, agent, work, lit["days_per_week"])
    add_min_rest(model, y, work, rules.min_rest_minutes, lit["min_rest"])
    add_max_consecutive_days(model, work, rules.max_consecutive_days, lit["max_consecutive_days"])
    add_min_days_off_in_a_row(
        model, problem, work, rules.min_days_off_in_a_row, agent.id, lit["min_days_off_in_a_row"]
    )
    add_weekend_limit(model, problem, work, rules.max_weekend_days, lit["max_weekend_days"])
    add_paid_minutes(model, problem, agent, y, lit["minutes_per_week"])
    return work


def option_vars(
    model: cp_model.CpModel, problem: RosterProblem, agent: AgentContract
) -> dict[Option, cp_model.IntVar]:
    return {
        o: model.new_bool_var(f"y_{agent.id}_d{o.day}_{o.skill}_{o.shift_type}_{o.start}")
        for d in range(problem.days)
        for o in agent_options(problem, agent, d)
    }


def preference_cost(agent: AgentContract, o: Option) -> int:
    """Soft: a shift on a preferred day off, or starting outside the preferred window."""
    prefs = agent.preferences
    cost = int(o.day in prefs.days_off)
    if prefs.earliest_start_minutes is not None and o.start < prefs.earliest_start_minutes:
        cost += 1
    if prefs.latest_start_minutes is not None and o.start > prefs.latest_start_minutes:
        cost += 1
    return cost


@dataclass(frozen=True)
class Assignment:
    shifts: Mapping[str, Sequence[Option]]  # agent id -> options worked
    status: cp_model.CpSolverStatus


def assign_agents(
    problem: RosterProblem,
    targets: Mapping[Group, int],
    options: RunOptions,
    hint: Mapping[str, Sequence[Option]] | None = None,
) -> Assignment:
    """Phase 2: choose each agent's shifts, matching the phase-1 targets per group; the
    search starts from ``hint`` (each agent's shifts, e.g. :mod:`wfm.schedule_greedy`),
    given in full (options, working days and deviations) so CP-SAT can take it as is."""
    model = cp_model.CpModel()
    all_y: dict[str, dict[Option, cp_model.IntVar]] = {}
    by_group: dict[Group, list[cp_model.IntVar]] = defaultdict(list)
    objective = []
    hint = hint or {}
    for agent in problem.agents:
        y = option_vars(model, problem, agent)
        work = add_agent_rules(model, problem, agent, y)
        all_y[agent.id] = y
        picked = set(hint.get(agent.id, ()))
        if hint:
            for o, v in y.items():
                model.add_hint(v, o in picked)
            for d, w in enumerate(work):
                model.add_hint(w, any(o.day == d for o in picked))
        for o, v in y.items():
            by_group[o.group].append(v)
            cost = preference_cost(agent, o)
            if cost:
                objective.append(problem.preference_weight * cost * v)
    hinted = Counter(o.group for opts in hint.values() for o in opts)
    top = len(problem.agents)
    for g in set(by_group) | {g for g, n in targets.items() if n > 0}:
        n = targets.get(g, 0)
        dev = model.new_int_var(0, top + n, f"dev_{g[0]}_{g[1]}_{g[2]}_{g[3]}")
        count = sum(by_group.get(g, []))
        model.add(dev >= count - n)
        model.add(dev >= n - count)
        if hint:
            model.add_hint(dev, abs(hinted.get(g, 0) - n))
        objective.append(DEVIATION_WEIGHT * dev)
    model.minimize(sum(objective))
    solver, status = solve(model, "assign", options)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Assignment({}, status)
    chosen = {
        a: sorted((o for o, v in y.items() if solver.boolean_value(v)), key=lambda o: o.day)
        for a, y in all_y.items()
    }
    return Assignment(chosen, status)


def assignment_cost(
    problem: RosterProblem, targets: Mapping[Group, int], chosen: Mapping[str, Sequence[Option]]
) -> int:
    """The phase-2 objective of ``chosen``: deviations from the targets, then preferences."""
    counts = Counter(o.group for opts in chosen.values() for o in opts)
    deviation = sum(abs(counts.get(g, 0) - targets.get(g, 0)) for g in set(counts) | set(targets))
    agents = {a.id: a for a in problem.agents}
    prefs = sum(preference_cost(agents[a], o) for a, opts in chosen.items() for o in opts)
    return DEVIATION_WEIGHT * deviation + problem.preference_weight * prefs
