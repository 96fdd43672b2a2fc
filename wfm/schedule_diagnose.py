"""Why a roster problem has no roster: prechecks that name the binding rule, then CP-SAT.

Agents are coupled only through the objective (coverage), never through a hard rule, so
the problem is infeasible exactly when some agent's own rules cannot all hold. The
prechecks name the common cases in words ("agent A017: 5 days required, 4 available after
time off in the week from 2027-01-04"); for the rest each agent's rules are solved alone with
one assumption literal per rule group, and ``sufficient_assumptions_for_infeasibility``
names the groups that bind.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from wfm.cp_sat_run import RunOptions, make_solver
from wfm.roster_problem import AgentContract, RosterProblem, days_bounds, minutes_bounds
from wfm.schedule_assign import RULE_GROUPS, add_agent_rules, option_vars
from wfm.shift_options import agent_options

MAX_REASONS = 20  # reasons listed; the count of the others is added
AGENT_SECONDS = 5.0  # time limit of one agent's diagnosis


def precheck(problem: RosterProblem) -> list[str]:
    """Reasons found by counting alone (days available, weekly minutes, days off in a row)."""
    reasons = []
    for agent in problem.agents:
        reasons.extend(_agent_precheck(problem, agent))
    return reasons


def _agent_precheck(problem: RosterProblem, agent: AgentContract) -> list[str]:
    out = []
    k = problem.rules.min_days_off_in_a_row
    for block in problem.blocks():
        week = problem.date_of(block[0]).isoformat()
        lo, hi = days_bounds(agent.days_per_week, len(block))
        open_days = [d for d in block if agent_options(problem, agent, d)]
        if len(open_days) < lo:
            off = sum(d in agent.time_off for d in block)
            why = "after time off" if off else "after unavailable hours and shift types"
            out.append(
                f"agent {agent.id}: {lo} days required, {len(open_days)} available {why} in the week from {week}"
            )
            continue
        if k and len(block) == 7 and agent.days_per_week > 7 - k:
            out.append(
                f"agent {agent.id}: {agent.days_per_week} days a week leave no {k} days off in a row"
            )
        min_m, max_m = minutes_bounds(agent, len(block))
        paid = sorted({problem.shift_types[t].paid_minutes for t in agent.shift_types})
        if max_m is not None and lo * paid[0] > max_m:
            out.append(
                f"agent {agent.id}: {lo} days of at least {paid[0]} paid minutes exceed max_minutes_per_week {max_m} in the week from {week}"
            )
        if min_m is not None and hi * paid[-1] < min_m:
            out.append(
                f"agent {agent.id}: {hi} days of at most {paid[-1]} paid minutes stay below min_minutes_per_week {min_m} in the week from {week}"
            )
    return out


def binding_rules(
    problem: RosterProblem, agent: AgentContract, options: RunOptions
) -> list[str] | None:
    """The rule groups that together leave ``agent`` no schedule; None when it has one."""
    model = cp_model.CpModel()
    y = option_vars(model, problem, agent)
    literals = {g: model.new_bool_var(f"rule_{g}") for g in RULE_GROUPS}
    add_agent_rules(model, problem, agent, y, literals)
    model.add_assumptions(list(literals.values()))
    solver = make_solver(
        RunOptions(
            min(AGENT_SECONDS, options.time_limit_seconds),
            num_workers=1,
            random_seed=options.random_seed,
        )
    )
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return None
    core = set(solver.sufficient_assumptions_for_infeasibility())
    return [g for g, lit in literals.items() if lit.index in core]


def diagnose(problem: RosterProblem, options: RunOptions) -> list[str]:
    """Reasons for an infeasible problem: prechecks first, then each agent's binding rules."""
    reasons = precheck(problem)
    if reasons:
        return reasons
    for agent in problem.agents:
        groups = binding_rules(problem, agent, options)
        if groups is not None:
            names = (
                " and ".join([", ".join(groups[:-1]), groups[-1]] if len(groups) > 1 else groups)
                or "its shift options"
            )
            reasons.append(
                f"agent {agent.id}: rules {names} cannot all hold with the agent's time off, shift types and hours"
            )
        if len(reasons) >= MAX_REASONS:
            break
    return reasons or ["no roster meets every rule (no single agent's rules explain it)"]


def summarize(reasons: list[str]) -> list[str]:
    if len(reasons) <= MAX_REASONS:
        return reasons
    return [*reasons[:MAX_REASONS], f"... and {len(reasons) - MAX_REASONS} more"]
