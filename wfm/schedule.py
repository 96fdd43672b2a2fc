"""Build a roster: :func:`build_schedule` returns a :class:`Schedule` or an :class:`Infeasible`.

Three steps, as practice shows best (tour scheduling, then tour assignment):

1. :mod:`wfm.schedule_tours` — how many shifts per (day, skill, shift type, start), with their
   break and lunch choices and the agents' days-on patterns, against the requirement:
   under-coverage weighted far above over-coverage (an LP with HiGHS, rounded, then branch
   and cut for the time left). Its LP optimum relaxes the whole problem, so it is the roster's
   ``best_bound``.
2. :mod:`wfm.schedule_assign` — named agents to those shifts under every contract rule
   (CP-SAT, started from the rule-keeping greedy roster of :mod:`wfm.schedule_greedy`, which
   is kept when the solver does not beat it); infeasible problems are explained by
   :mod:`wfm.schedule_diagnose`.
3. :mod:`wfm.schedule_tours` again, with the shifts of step 2 fixed: breaks and lunches placed
   to keep coverage smooth.

The time limit is shared: step 1 gets 40 %, step 2 up to 35 % and step 3 what is left (a step
that proves its optimum early hands its time on). ``objective = sum_i w_i * under_i +
over_weight * over`` in agent-intervals over all skills (``w_i = under_weight``, or the
Erlang weights of :mod:`wfm.roster_weights` when the problem gives calls), measured on the
final roster;
``gap = (objective - best_bound) / max(objective, 1)``; the status is ``optimal`` when the
roster reaches the bound, else ``feasible``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime

import numpy as np
from ortools.sat.python import cp_model

from wfm.cp_sat_run import RunOptions, SolveProgress
from wfm.roster_checks import Coverage, ShiftTimes, check_rules, coverage_of
from wfm.roster_problem import RosterProblem
from wfm.roster_weights import under_weights
from wfm.schedule_assign import Assignment, assign_agents, assignment_cost
from wfm.schedule_diagnose import diagnose, precheck, summarize
from wfm.schedule_greedy import greedy_assignment
from wfm.schedule_tours import hand_out, solve_tours
from wfm.shift_options import Group, Option

__all__ = ["Infeasible", "RosterShift", "Schedule", "SolveProgress", "build_schedule"]

STOPPED_SECONDS = 2.0  # a phase's limit once stop is set (CP-SAT still finds a first roster)
TOURS_SHARE = 0.40
FINISH_SHARE = 0.03  # of the time limit, kept for handing out breaks and measuring coverage
ASSIGN_SHARE = 0.35


@dataclass(frozen=True, slots=True)
class RosterShift:
    agent: str
    day: int
    skill: str
    shift_type: str
    start: int  # minutes from the horizon start
    offsets: tuple[int, ...]  # activity offsets from the shift's start


@dataclass(frozen=True)
class Schedule:
    problem: RosterProblem
    status: str  # "optimal" or "feasible"
    objective: float
    best_bound: float
    shifts: tuple[RosterShift, ...]
    coverage: Coverage
    wall_seconds: float

    @property
    def gap(self) -> float:
        return max(0.0, self.objective - self.best_bound) / max(self.objective, 1.0)

    def shift_times(self) -> list[ShiftTimes]:
        return [shift_times(self.problem, s) for s in self.shifts]

    def to_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "objective": round(self.objective, 4),
            "best_bound": round(self.best_bound, 4),
            "gap": round(self.gap, 6),
            "shifts": [shift_json(self.problem, s) for s in self.shifts],
            **self.coverage.to_json(),
            "wall_seconds": round(self.wall_seconds, 3),
        }


@dataclass(frozen=True)
class Infeasible:
    reasons: tuple[str, ...]
    proven: bool = True  # False: no roster found within the time limit

    def to_json(self) -> dict[str, object]:
        return {
            "status": "infeasible",
            "objective": None,
            "best_bound": None,
            "gap": None,
            "shifts": [],
            "coverage": {},
            "under_coverage": {},
            "over_coverage": {},
            "reasons": list(self.reasons),
        }


def shift_times(problem: RosterProblem, s: RosterShift) -> ShiftTimes:
    st = problem.shift_types[s.shift_type]
    acts = tuple(
        (a.kind, s.start + off, s.start + off + a.length_minutes)
        for a, off in zip(st.activities, s.offsets, strict=True)
    )
    work = tuple((s.skill, lo, hi) for lo, hi in st.work_segments(s.start, s.offsets))
    return ShiftTimes(s.agent, s.shift_type, s.start, s.start + st.length_minutes, acts, work)


def shift_json(problem: RosterProblem, s: RosterShift) -> dict[str, object]:
    origin = datetime.combine(problem.start, dtime())

    def iso(minute: int) -> str:
        return (origin + timedelta(minutes=minute)).isoformat(timespec="minutes")

    t = shift_times(problem, s)
    return {
        "agent": s.agent,
        "shift_type": s.shift_type,
        "start": iso(t.start),
        "end": iso(t.end),
        "activities": [{"kind": k, "start": iso(lo), "end": iso(hi)} for k, lo, hi in t.activities],
        "work": [{"skill": k, "start": iso(lo), "end": iso(hi)} for k, lo, hi in t.work],
    }


def build_schedule(
    problem: RosterProblem,
    *,
    on_progress: Callable[[SolveProgress], None] | None = None,
    stop: threading.Event | None = None,
) -> Schedule | Infeasible:
    """Roster for ``problem`` (see the module docstring); ``stop`` ends the search early
    with the best roster so far."""
    started = time.perf_counter()
    deadline = started + problem.time_limit_seconds

    def options(share: float | None, keep: float = 0.0) -> RunOptions:
        left = deadline - time.perf_counter() - keep * problem.time_limit_seconds
        limit = left if share is None else min(left, share * problem.time_limit_seconds)
        if stop is not None and stop.is_set():
            limit = min(limit, STOPPED_SECONDS)
        return RunOptions(
            max(0.05, limit), problem.num_workers, problem.random_seed, on_progress, stop, started
        )

    reasons = precheck(problem)
    if reasons:
        return Infeasible(tuple(summarize(reasons)))
    tours = solve_tours(problem, options(TOURS_SHARE))
    targets = dict(tours.shifts)
    start = greedy_assignment(problem, tours)
    assignment = assign_agents(problem, targets, options(ASSIGN_SHARE), hint=start)
    if assignment.status == cp_model.UNKNOWN and not start_keeps_rules(problem, start):
        # no roster yet and no rule-keeping start: give the search the time left but a little
        assignment = assign_agents(problem, targets, options(None, keep=0.1), hint=start)
    if assignment.status == cp_model.INFEASIBLE:
        return Infeasible(tuple(summarize(diagnose(problem, options(None)))))
    chosen = better_assignment(problem, targets, start, assignment)
    if chosen is None:
        limit = problem.time_limit_seconds
        why = f"no roster found within time_limit_seconds {limit:g} (not proven infeasible)"
        return Infeasible((why,), proven=False)
    shifts = place_activities(problem, chosen, options(None, keep=FINISH_SHARE))
    coverage = coverage_of(problem, [shift_times(problem, s) for s in shifts])
    objective = weighted_objective(problem, coverage)
    bound = tours.best_bound if tours.best_bound == tours.best_bound else 0.0
    status = "optimal" if objective <= bound + 1e-6 else "feasible"
    return Schedule(
        problem, status, objective, bound, tuple(shifts), coverage, time.perf_counter() - started
    )


def weighted_objective(problem: RosterProblem, coverage: Coverage) -> float:
    """``sum w_i * under_i + over_weight * over`` over all skills and intervals."""
    total = problem.over_weight * sum(coverage.over.values())
    for skill in coverage.skills:
        gap = np.clip(problem.requirement(skill) - coverage.coverage[skill], 0, None)
        total += float(under_weights(problem, skill) @ gap)
    return float(total)


def better_assignment(
    problem: RosterProblem,
    targets: Mapping[Group, int],
    start: Mapping[str, Sequence[Option]],
    assignment: Assignment,
) -> Mapping[str, Sequence[Option]] | None:
    """The solver's assignment, or the greedy start when it keeps every rule and costs less
    (CP-SAT does not always keep a hint it was given)."""
    found = assignment.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if not start_keeps_rules(problem, start):
        return assignment.shifts if found else None
    if found and assignment_cost(problem, targets, assignment.shifts) <= assignment_cost(
        problem, targets, start
    ):
        return assignment.shifts
    return start


def start_keeps_rules(problem: RosterProblem, start: Mapping[str, Sequence[Option]]) -> bool:
    shifts = [
        shift_times(
            problem, RosterShift(a, o.day, o.skill, o.shift_type, o.abs_start, _first(problem, o))
        )
        for a, opts in start.items()
        for o in opts
    ]
    return not check_rules(problem, shifts)


def _first(problem: RosterProblem, o: Option) -> tuple[int, ...]:
    return problem.shift_types[o.shift_type].placements[0]


def place_activities(
    problem: RosterProblem,
    chosen: Mapping[str, Sequence[Option]],
    options: RunOptions,
) -> list[RosterShift]:
    """Phase 3: activity placements for the fixed shifts, then handed out within each group."""
    members: dict[Group, list[tuple[str, Option]]] = defaultdict(list)
    for agent, opts in chosen.items():
        for o in opts:
            members[o.group].append((agent, o))
    fixed = {g: len(m) for g, m in members.items()}
    placed = solve_tours(problem, options, fixed=fixed, phase="breaks")
    out = []
    for g, group in members.items():
        placements = hand_out(problem, placed, g, len(group))
        for (agent, o), offsets in zip(sorted(group), placements, strict=True):
            out.append(RosterShift(agent, o.day, o.skill, o.shift_type, o.abs_start, offsets))
    return sorted(out, key=lambda s: (s.agent, s.start))
