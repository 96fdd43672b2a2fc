"""Rule checks and coverage of any roster, as a planner edits it by hand.

:func:`evaluate_roster` takes shifts in the ROSTER.json form (``{agent, shift_type, start,
end, activities: [{kind, start, end}], work: [{skill, start, end}]}``, ISO local naive
times; ``work`` optional: without it every work minute serves the agent's first skill) and
returns the coverage per skill and interval, under and over coverage, and every broken rule
as ``{agent, date, rule, message}``. Rules checked (``rule`` names):

``unknown_agent``, ``shift_type`` (unknown or not allowed for the agent), ``shift_length``,
``start_window`` (start time of day inside the type's window, on its step),
``activity_window`` (each listed activity once, its length, its offset window, no overlap),
``one_shift_a_day``, ``days_per_week``, ``time_off``, ``unavailable``, ``min_rest``,
``max_consecutive_days``, ``min_days_off_in_a_row``, ``max_weekend_days``,
``minutes_per_week`` and ``skill`` (work for a skill the agent lacks).

Coverage (agents working in an interval, counting part of an interval as its share of
minutes) is a difference array over the horizon's minutes: linear in the horizon and the
number of shifts, a few milliseconds for 200 agents over a week.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

import numpy as np

from wfm.roster_problem import (
    AgentContract,
    RosterProblem,
    days_bounds,
    minutes_bounds,
)
from wfm.shift_types import MINUTES_PER_DAY, ShiftType, coverage_minutes

MAX_SHIFTS = 20_000


@dataclass(frozen=True, slots=True)
class Violation:
    agent: str
    date: str
    rule: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"agent": self.agent, "date": self.date, "rule": self.rule, "message": self.message}


@dataclass(frozen=True, slots=True)
class ShiftTimes:
    """A shift in minutes from the horizon start (local midnight of ``problem.start``)."""

    agent: str
    shift_type: str
    start: int
    end: int
    activities: tuple[tuple[str, int, int], ...]
    work: tuple[tuple[str, int, int], ...]

    @property
    def day(self) -> int:
        return self.start // MINUTES_PER_DAY


@dataclass(frozen=True)
class Coverage:
    """Agents per interval and skill against the requirement (agent-intervals)."""

    skills: tuple[str, ...]
    coverage: Mapping[str, np.ndarray]
    under: Mapping[str, float]
    over: Mapping[str, float]

    def to_json(self) -> dict[str, object]:
        return {
            "coverage": {s: [round(float(x), 4) for x in self.coverage[s]] for s in self.skills},
            "under_coverage": {s: round(self.under[s], 4) for s in self.skills},
            "over_coverage": {s: round(self.over[s], 4) for s in self.skills},
        }


@dataclass(frozen=True)
class RosterEvaluation:
    coverage: Coverage
    violations: tuple[Violation, ...]

    def to_json(self) -> dict[str, object]:
        return {**self.coverage.to_json(), "violations": [v.to_json() for v in self.violations]}


def coverage_of(problem: RosterProblem, shifts: Sequence[ShiftTimes]) -> Coverage:
    segments: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for shift in shifts:
        for skill, lo, hi in shift.work:
            segments[skill].append((lo, hi))
    skills = tuple(dict.fromkeys([*problem.required, *sorted(segments)]))
    n, width = problem.n_intervals, problem.interval_minutes
    coverage, under, over = {}, {}, {}
    for skill in skills:
        cov = coverage_minutes(segments.get(skill, []), width, n) / width
        gap = problem.requirement(skill) - cov
        coverage[skill] = cov
        under[skill] = float(np.clip(gap, 0, None).sum())
        over[skill] = float(np.clip(-gap, 0, None).sum())
    return Coverage(skills, coverage, under, over)


def evaluate_roster(
    problem: RosterProblem, shifts: Sequence[Mapping[str, object]]
) -> RosterEvaluation:
    """Coverage and rule violations of ``shifts`` (ROSTER.json form); ValueError names the
    malformed field (``shifts[3].start: ...``)."""
    if len(shifts) > MAX_SHIFTS:
        raise ValueError(f"shifts: at most {MAX_SHIFTS}, got {len(shifts)}")
    agents = {a.id: a for a in problem.agents}
    parsed = [parse_shift(problem, s, f"shifts[{i}]", agents) for i, s in enumerate(shifts)]
    return RosterEvaluation(coverage_of(problem, parsed), tuple(check_rules(problem, parsed)))


def parse_shift(
    problem: RosterProblem,
    raw: Mapping[str, object],
    path: str,
    agents: Mapping[str, AgentContract],
) -> ShiftTimes:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: must be an object")  # noqa: TRY004 - the contract is ValueError naming the JSON path

    def minute(value: object, where: str) -> int:
        got = _minutes_from(value, problem.start) if isinstance(value, str) else None
        if got is None:
            raise ValueError(f"{where}: not a local ISO time YYYY-MM-DDTHH:MM: {value!r}")
        return got

    def name(d: Mapping[str, object], key: str, where: str) -> str:
        value = d.get(key)
        if not isinstance(value, str) or not value:
            raise ValueError(f"{where}: must be a non-empty string")
        return value

    agent = name(raw, "agent", f"{path}.agent")
    start, end = minute(raw.get("start"), f"{path}.start"), minute(raw.get("end"), f"{path}.end")
    if end <= start:
        raise ValueError(f"{path}.end: must be after start")
    acts = []
    for j, a in enumerate(_items(raw.get("activities", []), f"{path}.activities")):
        where = f"{path}.activities[{j}]"
        acts.append(
            (
                name(a, "kind", f"{where}.kind"),
                minute(a.get("start"), f"{where}.start"),
                minute(a.get("end"), f"{where}.end"),
            )
        )
    if "work" in raw:
        work = []
        for j, w in enumerate(_items(raw.get("work"), f"{path}.work")):
            where = f"{path}.work[{j}]"
            work.append(
                (
                    name(w, "skill", f"{where}.skill"),
                    minute(w.get("start"), f"{where}.start"),
                    minute(w.get("end"), f"{where}.end"),
                )
            )
    else:
        contract = agents.get(agent)
        skill = contract.skills[0] if contract else next(iter(problem.required))
        work = [(skill, lo, hi) for lo, hi in _gaps(start, end, [(lo, hi) for _, lo, hi in acts])]
    shift_type = name(raw, "shift_type", f"{path}.shift_type")
    return ShiftTimes(agent, shift_type, start, end, tuple(acts), tuple(work))


@lru_cache(maxsize=65_536)
def _minutes_from(text: str, start: date) -> int | None:
    """Minutes from local midnight of ``start`` to the naive ISO time ``text`` (cached: a
    roster repeats the same times many times)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        return None
    return int((when - datetime.combine(start, time())).total_seconds() // 60)


def _items(value: object, path: str) -> list[Mapping[str, object]]:
    if not isinstance(value, list) or not all(isinstance(x, Mapping) for x in value):
        raise ValueError(f"{path}: must be a list of objects")
    if len(value) > 50:
        raise ValueError(f"{path}: at most 50 entries")
    return value


def _gaps(start: int, end: int, busy: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out, cursor = [], start
    for lo, hi in sorted(busy):
        if lo > cursor:
            out.append((cursor, min(lo, end)))
        cursor = max(cursor, hi)
    if end > cursor:
        out.append((cursor, end))
    return out


# ---------------------------------------------------------------- rules


def check_rules(problem: RosterProblem, shifts: Sequence[ShiftTimes]) -> list[Violation]:
    agents = {a.id: a for a in problem.agents}
    by_agent: dict[str, list[ShiftTimes]] = defaultdict(list)
    out: list[Violation] = []
    for s in shifts:
        if s.agent not in agents:
            out.append(
                Violation(
                    s.agent,
                    _date(problem, s.day),
                    "unknown_agent",
                    f"no agent {s.agent!r} in the problem",
                )
            )
            continue
        by_agent[s.agent].append(s)
        out.extend(_shift_violations(problem, agents[s.agent], s))
    for agent in problem.agents:
        own = sorted(by_agent.get(agent.id, []), key=lambda s: s.start)
        out.extend(_agent_violations(problem, agent, own))
    return out


def _date(problem: RosterProblem, day: int) -> str:
    dates = problem.day_dates
    return dates[day] if 0 <= day < len(dates) else problem.date_of(day).isoformat()


def _shift_violations(
    problem: RosterProblem, agent: AgentContract, s: ShiftTimes
) -> list[Violation]:
    day = _date(problem, s.day)

    def v(rule: str, message: str) -> Violation:
        return Violation(agent.id, day, rule, message)

    out = []
    st = problem.shift_types.get(s.shift_type)
    if st is None or s.shift_type not in agent.shift_types:
        what = "unknown shift type" if st is None else "shift type not allowed for the agent"
        out.append(v("shift_type", f"{what}: {s.shift_type!r}"))
    if st is not None:
        if s.end - s.start != st.length_minutes:
            out.append(
                v(
                    "shift_length",
                    f"{s.shift_type} lasts {st.length_minutes} min, got {s.end - s.start}",
                )
            )
        tod = s.start - s.day * MINUTES_PER_DAY
        if tod not in st.starts():
            out.append(
                v(
                    "start_window",
                    f"start {tod // 60:02d}:{tod % 60:02d} is not an allowed start of {s.shift_type}",
                )
            )
        out.extend(v("activity_window", m) for m in _activity_errors(st, s))
    if s.day in agent.time_off:
        out.append(v("time_off", "works on an approved day off"))
    for lo, hi in agent.unavailable:
        if lo < s.end and s.start < hi:
            out.append(v("unavailable", "works during unavailable hours"))
            break
    lacking = sorted({k for k, _, _ in s.work} - set(agent.skills))
    if lacking:
        out.append(v("skill", f"works for skill(s) the agent lacks: {', '.join(lacking)}"))
    return out


def _activity_errors(st: ShiftType, s: ShiftTimes) -> list[str]:
    kinds = [a.kind for a in st.activities]
    got = sorted(s.activities, key=lambda a: a[1])
    if sorted(k for k, _, _ in got) != sorted(kinds):
        return [f"activities {[k for k, _, _ in got]} do not match {s.shift_type}'s {kinds}"]
    errors = []
    remaining = list(got)
    offsets = []
    for activity in st.activities:
        match = next(a for a in remaining if a[0] == activity.kind)
        remaining.remove(match)
        _, lo, hi = match
        if hi - lo != activity.length_minutes:
            errors.append(f"{activity.kind} lasts {activity.length_minutes} min, got {hi - lo}")
        offsets.append(lo - s.start)
    if not errors:
        why = st.placement_error(offsets)
        if why is not None:
            errors.append(why)
    return errors


def _agent_violations(
    problem: RosterProblem, agent: AgentContract, own: Sequence[ShiftTimes]
) -> list[Violation]:
    rules = problem.rules
    out: list[Violation] = []
    worked: dict[int, ShiftTimes] = {}
    for s in own:
        if s.day in worked:
            out.append(
                Violation(
                    agent.id,
                    _date(problem, s.day),
                    "one_shift_a_day",
                    "two shifts start on this day",
                )
            )
        worked.setdefault(s.day, s)
    for prev, nxt in itertools.pairwise(own):
        rest = nxt.start - prev.end
        if rest < rules.min_rest_minutes:
            out.append(
                Violation(
                    agent.id,
                    _date(problem, nxt.day),
                    "min_rest",
                    f"{rest / 60:g} h rest before this shift, at least {rules.min_rest_minutes / 60:g} h",
                )
            )
    work = [d in worked for d in range(problem.days)]
    if rules.max_consecutive_days is not None:
        run = 0
        for d in range(problem.days):
            run = run + 1 if work[d] else 0
            if run == rules.max_consecutive_days + 1:
                out.append(
                    Violation(
                        agent.id,
                        _date(problem, d),
                        "max_consecutive_days",
                        f"more than {rules.max_consecutive_days} days in a row",
                    )
                )
    for block in problem.blocks():
        out.extend(_block_violations(problem, agent, block, work, worked))
    return out


def _block_violations(
    problem: RosterProblem,
    agent: AgentContract,
    block: range,
    work: Sequence[bool],
    worked: Mapping[int, ShiftTimes],
) -> list[Violation]:
    rules = problem.rules
    first = _date(problem, block[0])
    out = []
    days = sum(work[d] for d in block)
    lo, hi = days_bounds(agent.days_per_week, len(block))
    if not lo <= days <= hi:
        want = f"{lo}" if lo == hi else f"{lo} to {hi}"
        out.append(
            Violation(
                agent.id,
                first,
                "days_per_week",
                f"works {days} days in the week from {first}, must work {want}",
            )
        )
    k = rules.min_days_off_in_a_row
    if (
        k > 0
        and len(block) >= k
        and not any(
            not any(work[d] for d in range(j, j + k)) for j in range(block[0], block[-1] - k + 2)
        )
    ):
        out.append(
            Violation(
                agent.id,
                first,
                "min_days_off_in_a_row",
                f"no {k} days off in a row in the week from {first}",
            )
        )
    if rules.max_weekend_days is not None:
        weekend = sum(work[d] for d in block if d in problem.weekend_days)
        if weekend > rules.max_weekend_days:
            out.append(
                Violation(
                    agent.id,
                    first,
                    "max_weekend_days",
                    f"works {weekend} weekend days in the week from {first}, at most {rules.max_weekend_days}",
                )
            )
    min_m, max_m = minutes_bounds(agent, len(block))
    if min_m is not None or max_m is not None:
        paid = sum(_paid_minutes(problem, worked[d]) for d in block if d in worked)
        if (min_m is not None and paid < min_m) or (max_m is not None and paid > max_m):
            out.append(
                Violation(
                    agent.id,
                    first,
                    "minutes_per_week",
                    f"{paid} paid minutes in the week from {first}, allowed {min_m or 0} to {max_m if max_m is not None else 'any'}",
                )
            )
    return out


def _paid_minutes(problem: RosterProblem, s: ShiftTimes) -> int:
    st = problem.shift_types.get(s.shift_type)
    unpaid = {a.kind for a in st.activities if not a.paid} if st else set()
    return (s.end - s.start) - sum(hi - lo for kind, lo, hi in s.activities if kind in unpaid)
