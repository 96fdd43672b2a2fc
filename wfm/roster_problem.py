"""The roster problem (PROBLEM.json): requirement, shift types, agents and their rules.

:func:`parse_roster_problem` checks the JSON form once, at the edge; every error is a
``ValueError`` whose message starts with the JSON path at fault, e.g.
``agents[3].shift_types: unknown shift type 'PT4'``. Times are local and naive (the center's
time zone); ``required[skill]`` holds ``days * 1440 / interval_minutes`` numbers from local
midnight of ``start``.

Fields (``*`` = required)::

    start*               "YYYY-MM-DD", first day of the horizon
    days*                1 .. MAX_DAYS
    interval_minutes*    divides 1440, at least 5
    required*            {skill: [agents per interval, ...]}  (<= MAX_SKILLS skills)
    shift_types*         [{name, earliest_start "HH:MM", latest_start, start_step_minutes,
                           length_minutes, activities: [{kind, length_minutes,
                           earliest_offset_minutes, latest_offset_minutes, paid, step_minutes}]}]
    agents*              [{id, skills, shift_types, days_per_week, time_off: [dates],
                           min_minutes_per_week, max_minutes_per_week, part_time,
                           unavailable: [{date | weekday, from "HH:MM", to "HH:MM"}],
                           preferences: {days_off: [date | weekday], earliest_start,
                                         latest_start}}]
    rules                {min_rest_hours, max_consecutive_days, min_days_off_in_a_row,
                          max_weekend_days}
    objective            {under_weight (default 100), over_weight (default 1),
                          preference_weight (default 1)}
    offered_calls        {skill: [calls per interval, ...]} with aht_seconds {skill: s} and
                         service_level_threshold_seconds (default 20): weight each interval's
                         under-coverage by what one more agent buys there (wfm.roster_weights)
    time_limit_seconds   default 60, at most MAX_TIME_LIMIT_SECONDS
    num_workers          CP-SAT workers, default 0 (one per core), at most 64
    random_seed          CP-SAT seed, default 0

Weekdays are ``mon`` .. ``sun``; the weekend is Saturday and Sunday. Blocks of 7 days are
counted from ``start``: an agent works exactly ``days_per_week`` days in each full block (in a
last, shorter block of ``L`` days: between ``days_per_week - (7 - L)`` and ``days_per_week``)
and, where given, between the weekly minute limits (paid minutes; scaled by ``L / 7`` in a
shorter block).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import numpy as np

from wfm.shift_types import (
    MAX_ACTIVITIES,
    MAX_PLACEMENTS,
    MAX_SHIFT_MINUTES,
    MAX_STARTS,
    MINUTES_PER_DAY,
    Activity,
    ShiftType,
)

MAX_DAYS = 42
MAX_AGENTS = 2000
MAX_SKILLS = 20
MAX_SHIFT_TYPES = 50
MAX_DATES = 400  # time off / preference dates per agent
MAX_UNAVAILABLE = 200  # unavailable windows per agent
MAX_REQUIRED = 100_000.0  # agents in one interval
MAX_TIME_LIMIT_SECONDS = 3600.0
MAX_WORKERS = 64
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKEND = frozenset({5, 6})


@dataclass(frozen=True)
class Rules:
    min_rest_minutes: int = 0
    max_consecutive_days: int | None = None
    min_days_off_in_a_row: int = 0
    max_weekend_days: int | None = None  # per 7-day block


@dataclass(frozen=True)
class Preferences:
    days_off: frozenset[int] = frozenset()  # day indexes in the horizon
    earliest_start_minutes: int | None = None
    latest_start_minutes: int | None = None


@dataclass(frozen=True)
class AgentContract:
    id: str
    skills: tuple[str, ...]
    shift_types: tuple[str, ...]
    days_per_week: int
    time_off: frozenset[int] = frozenset()  # day indexes in the horizon
    min_minutes_per_week: int | None = None
    max_minutes_per_week: int | None = None
    part_time: bool = False
    unavailable: tuple[tuple[int, int], ...] = ()  # [from, to) minutes from horizon start
    preferences: Preferences = field(default_factory=Preferences)


@dataclass(frozen=True)
class RosterProblem:
    start: date
    days: int
    interval_minutes: int
    required: Mapping[str, np.ndarray]  # skill -> agents per interval (float)
    shift_types: Mapping[str, ShiftType]
    agents: tuple[AgentContract, ...]
    rules: Rules = Rules()
    time_limit_seconds: float = 60.0
    num_workers: int = 0
    random_seed: int = 0
    under_weight: int = 100
    over_weight: int = 1
    preference_weight: int = 1
    offered_calls: Mapping[str, np.ndarray] = field(default_factory=dict)  # skill -> calls
    aht_seconds: Mapping[str, float] = field(default_factory=dict)  # skill -> handle time
    service_level_threshold_seconds: float = 20.0

    @property
    def intervals_per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def n_intervals(self) -> int:
        return self.days * self.intervals_per_day

    @property
    def skills(self) -> tuple[str, ...]:
        """Required skills first (in given order), then skills only agents have."""
        extra = sorted({s for a in self.agents for s in a.skills} - set(self.required))
        return (*self.required, *extra)

    def blocks(self) -> list[range]:
        """The blocks of 7 days counted from ``start`` (the last may be shorter)."""
        return [range(b, min(b + 7, self.days)) for b in range(0, self.days, 7)]

    @cached_property
    def day_dates(self) -> tuple[str, ...]:
        """ISO date of each day of the horizon."""
        return tuple((self.start + timedelta(days=d)).isoformat() for d in range(self.days))

    @cached_property
    def weekend_days(self) -> frozenset[int]:
        """Days of the horizon that fall on a Saturday or Sunday."""
        return frozenset(d for d in range(self.days) if self.weekday(d) in WEEKEND)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def weekday(self, day: int) -> int:
        return self.date_of(day).weekday()

    def requirement(self, skill: str) -> np.ndarray:
        got = self.required.get(skill)
        return got if got is not None else np.zeros(self.n_intervals)


def days_bounds(days_per_week: int, block_length: int) -> tuple[int, int]:
    """Working days allowed in a block of ``block_length`` days (exact in a full week)."""
    return max(0, days_per_week - (7 - block_length)), min(days_per_week, block_length)


def minutes_bounds(agent: AgentContract, block_length: int) -> tuple[int | None, int | None]:
    """Paid minutes allowed in a block (weekly limits scaled to a shorter block)."""
    scale = block_length / 7

    def scaled(v: int | None, rounding: type[int] | None) -> int | None:
        if v is None:
            return None
        return (
            v
            if block_length == 7
            else (math.floor(v * scale) if rounding else math.ceil(v * scale))
        )

    return scaled(agent.min_minutes_per_week, int), scaled(agent.max_minutes_per_week, None)


# ---------------------------------------------------------------- parsing


def parse_roster_problem(data: Mapping[str, object]) -> RosterProblem:
    """Validate the PROBLEM.json form; ``ValueError`` names the JSON path at fault."""
    if not isinstance(data, Mapping):
        raise ValueError("problem: must be a JSON object")  # noqa: TRY004 - the contract is ValueError naming the JSON path
    start = _date(data, "start", "start")
    days = _int(data, "days", "days", 1, MAX_DAYS)
    interval = _int(data, "interval_minutes", "interval_minutes", 5, 1440)
    if MINUTES_PER_DAY % interval:
        raise ValueError(f"interval_minutes: must divide 1440, got {interval}")
    n = days * (MINUTES_PER_DAY // interval)
    required = _required(data.get("required"), n)
    shift_types = _shift_types(data.get("shift_types"))
    rules = _rules(data.get("rules", {}))
    agents = _agents(data.get("agents"), shift_types, start, days)
    objective = _mapping(data.get("objective", {}), "objective")
    calls, aht, threshold = _calls(data, required, n)
    return RosterProblem(
        start=start,
        days=days,
        interval_minutes=interval,
        required=required,
        shift_types=shift_types,
        agents=agents,
        rules=rules,
        time_limit_seconds=_float(data, "time_limit_seconds", "time_limit_seconds", 60.0),
        num_workers=_int(data, "num_workers", "num_workers", 0, MAX_WORKERS, default=0),
        random_seed=_int(data, "random_seed", "random_seed", 0, 2**31 - 1, default=0),
        under_weight=_int(
            objective, "under_weight", "objective.under_weight", 1, 10**6, default=100
        ),
        over_weight=_int(objective, "over_weight", "objective.over_weight", 0, 10**6, default=1),
        preference_weight=_int(
            objective, "preference_weight", "objective.preference_weight", 0, 10**6, default=1
        ),
        offered_calls=calls,
        aht_seconds=aht,
        service_level_threshold_seconds=threshold,
    )


def _calls(
    data: Mapping[str, object], required: Mapping[str, np.ndarray], n: int
) -> tuple[dict[str, np.ndarray], dict[str, float], float]:
    """Optional call figures (``offered_calls``, ``aht_seconds`` per skill and
    ``service_level_threshold_seconds``) that weight each interval by what one more agent buys
    there (:mod:`wfm.roster_weights`)."""
    if "offered_calls" not in data:
        return {}, {}, 20.0
    calls = _required(data.get("offered_calls"), n, "offered_calls")
    aht = _mapping(data.get("aht_seconds"), "aht_seconds")
    out_aht: dict[str, float] = {}
    for skill in calls:
        if skill not in required:
            raise ValueError(f"offered_calls.{skill}: not a skill of required")
        value = aht.get(skill)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86_400:
            raise ValueError(
                f"aht_seconds.{skill}: must be a number of seconds in (0, 86400], got {value!r}"
            )
        out_aht[skill] = float(value)
    threshold = data.get("service_level_threshold_seconds", 20)
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 <= threshold <= 3600
    ):
        raise ValueError(
            f"service_level_threshold_seconds: must be between 0 and 3600, got {threshold!r}"
        )
    return calls, out_aht, float(threshold)


def _mapping(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: must be an object")  # noqa: TRY004 - the contract is ValueError naming the JSON path
    return value


def _list(value: object, path: str, top: int, *, empty_ok: bool = True) -> Sequence[object]:
    if not isinstance(value, list):
        raise ValueError(f"{path}: must be a list")  # noqa: TRY004 - the contract is ValueError naming the JSON path
    if len(value) > top:
        raise ValueError(f"{path}: at most {top} entries, got {len(value)}")
    if not value and not empty_ok:
        raise ValueError(f"{path}: must not be empty")
    return value


def _int(
    d: Mapping[str, object], key: str, path: str, lo: int, hi: int, default: int | None = None
) -> int:
    value = d.get(key, default)
    if value is None:
        raise ValueError(f"{path}: required")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{path}: must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{path}: must be between {lo} and {hi}, got {value!r}")
    return int(value)


def _opt_int(d: Mapping[str, object], key: str, path: str, lo: int, hi: int) -> int | None:
    return None if d.get(key) is None else _int(d, key, path, lo, hi)


def _float(d: Mapping[str, object], key: str, path: str, default: float) -> float:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{path}: must be a number, got {value!r}")
    if not 0 < value <= MAX_TIME_LIMIT_SECONDS:
        raise ValueError(
            f"{path}: must be > 0 and at most {MAX_TIME_LIMIT_SECONDS:g}, got {value!r}"
        )
    return float(value)


def _str(d: Mapping[str, object], key: str, path: str, top: int = 100) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}: must be a non-empty string")
    if len(value) > top:
        raise ValueError(f"{path}: at most {top} characters")
    return value


def _date(d: Mapping[str, object], key: str, path: str) -> date:
    value = _str(d, key, path, 10)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{path}: not a date YYYY-MM-DD: {value!r}") from None


def _clock(d: Mapping[str, object], key: str, path: str) -> int:
    value = _str(d, key, path, 5)
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"{path}: not a time HH:MM: {value!r}")
    h, m = int(parts[0]), int(parts[1])
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError(f"{path}: not a time HH:MM: {value!r}")
    return h * 60 + m


def _required(value: object, n: int, name: str = "required") -> dict[str, np.ndarray]:
    mapping = _mapping(value, name)
    if not mapping:
        raise ValueError(f"{name}: must name at least one skill")
    if len(mapping) > MAX_SKILLS:
        raise ValueError(f"{name}: at most {MAX_SKILLS} skills, got {len(mapping)}")
    out = {}
    for skill, series in mapping.items():
        path = f"{name}.{skill}"
        values = _list(series, path, n)
        if len(values) != n:
            raise ValueError(
                f"{path}: needs days * 1440 / interval_minutes = {n} numbers, got {len(values)}"
            )
        for i, v in enumerate(values):
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            if not ok or not 0 <= v <= MAX_REQUIRED:  # type: ignore[operator]
                raise ValueError(
                    f"{path}[{i}]: must be a number between 0 and {MAX_REQUIRED:g}, got {v!r}"
                )
        out[skill] = np.asarray(values, dtype=float)
    return out


def _shift_types(value: object) -> dict[str, ShiftType]:
    items = _list(value, "shift_types", MAX_SHIFT_TYPES, empty_ok=False)
    out: dict[str, ShiftType] = {}
    for i, raw in enumerate(items):
        path = f"shift_types[{i}]"
        st = _shift_type(_mapping(raw, path), path)
        if st.name in out:
            raise ValueError(f"{path}.name: duplicate shift type {st.name!r}")
        out[st.name] = st
    return out


def _shift_type(d: Mapping[str, object], path: str) -> ShiftType:
    name = _str(d, "name", f"{path}.name")
    earliest = _clock(d, "earliest_start", f"{path}.earliest_start")
    latest = _clock(d, "latest_start", f"{path}.latest_start")
    if latest < earliest or latest >= MINUTES_PER_DAY:
        raise ValueError(
            f"{path}.latest_start: must be at or after earliest_start and before 24:00"
        )
    step = _int(
        d, "start_step_minutes", f"{path}.start_step_minutes", 1, MINUTES_PER_DAY, default=15
    )
    length = _int(d, "length_minutes", f"{path}.length_minutes", 1, MAX_SHIFT_MINUTES)
    raw_acts = _list(d.get("activities", []), f"{path}.activities", MAX_ACTIVITIES)
    activities = []
    for j, raw in enumerate(raw_acts):
        apath = f"{path}.activities[{j}]"
        a = _mapping(raw, apath)
        paid = a.get("paid", True)
        if not isinstance(paid, bool):
            raise ValueError(f"{apath}.paid: must be true or false")  # noqa: TRY004 - the contract is ValueError naming the JSON path
        lo = _int(a, "earliest_offset_minutes", f"{apath}.earliest_offset_minutes", 0, length)
        hi = _int(a, "latest_offset_minutes", f"{apath}.latest_offset_minutes", lo, length)
        activities.append(
            Activity(
                kind=_str(a, "kind", f"{apath}.kind", 40),
                length_minutes=_int(a, "length_minutes", f"{apath}.length_minutes", 1, length),
                earliest_offset_minutes=lo,
                latest_offset_minutes=hi,
                paid=paid,
                step_minutes=_int(
                    a, "step_minutes", f"{apath}.step_minutes", 1, 1440, default=step
                ),
            )
        )
    st = ShiftType(name, earliest, latest, step, length, tuple(activities))
    if len(st.starts()) > MAX_STARTS:
        raise ValueError(
            f"{path}: {len(st.starts())} starts, at most {MAX_STARTS}; use a larger start_step_minutes"
        )
    combos = math.prod(len(a.offsets()) for a in activities)
    if combos > 50 * MAX_PLACEMENTS or len(st.placements) > MAX_PLACEMENTS:
        raise ValueError(
            f"{path}.activities: more than {MAX_PLACEMENTS} placements; narrow the windows or use a larger step_minutes"
        )
    if not st.placements:
        raise ValueError(
            f"{path}.activities: the activities cannot be placed (they overlap or run past the shift)"
        )
    return st


def _rules(value: object) -> Rules:
    d = _mapping(value, "rules")
    rest = d.get("min_rest_hours", 0)
    if isinstance(rest, bool) or not isinstance(rest, int | float) or not 0 <= rest <= 48:
        raise ValueError(f"rules.min_rest_hours: must be a number between 0 and 48, got {rest!r}")
    return Rules(
        min_rest_minutes=round(float(rest) * 60),
        max_consecutive_days=_opt_int(
            d, "max_consecutive_days", "rules.max_consecutive_days", 1, MAX_DAYS
        ),
        min_days_off_in_a_row=_int(
            d, "min_days_off_in_a_row", "rules.min_days_off_in_a_row", 0, 7, default=0
        ),
        max_weekend_days=_opt_int(d, "max_weekend_days", "rules.max_weekend_days", 0, 2),
    )


def _agents(
    value: object, shift_types: Mapping[str, ShiftType], start: date, days: int
) -> tuple[AgentContract, ...]:
    items = _list(value, "agents", MAX_AGENTS, empty_ok=False)
    seen: set[str] = set()
    out = []
    for i, raw in enumerate(items):
        path = f"agents[{i}]"
        agent = _agent(_mapping(raw, path), path, shift_types, start, days)
        if agent.id in seen:
            raise ValueError(f"{path}.id: duplicate agent {agent.id!r}")
        seen.add(agent.id)
        out.append(agent)
    return tuple(out)


def _names(d: Mapping[str, object], key: str, path: str, top: int) -> tuple[str, ...]:
    items = _list(d.get(key), path, top, empty_ok=False)
    if not all(isinstance(x, str) and x for x in items):
        raise ValueError(f"{path}: must be a list of names")
    return tuple(dict.fromkeys(items))  # type: ignore[arg-type]


def _day_set(
    value: object, path: str, start: date, days: int, *, weekdays_ok: bool
) -> frozenset[int]:
    out: set[int] = set()
    for j, item in enumerate(_list(value, path, MAX_DATES)):
        if weekdays_ok and isinstance(item, str) and item.lower() in WEEKDAYS:
            wd = WEEKDAYS.index(item.lower())
            out.update(d for d in range(days) if (start + timedelta(days=d)).weekday() == wd)
            continue
        try:
            when = date.fromisoformat(item) if isinstance(item, str) else None
        except ValueError:
            when = None
        if when is None:
            what = "a date YYYY-MM-DD or a weekday mon..sun" if weekdays_ok else "a date YYYY-MM-DD"
            raise ValueError(f"{path}[{j}]: not {what}: {item!r}")
        if 0 <= (when - start).days < days:
            out.add((when - start).days)
    return frozenset(out)


def _agent(
    d: Mapping[str, object], path: str, shift_types: Mapping[str, ShiftType], start: date, days: int
) -> AgentContract:
    agent_id = _str(d, "id", f"{path}.id", 64)
    skills = _names(d, "skills", f"{path}.skills", MAX_SKILLS)
    types = (
        _names(d, "shift_types", f"{path}.shift_types", MAX_SHIFT_TYPES)
        if "shift_types" in d
        else tuple(shift_types)
    )
    for name in types:
        if name not in shift_types:
            raise ValueError(f"{path}.shift_types: unknown shift type {name!r}")
    lo = _opt_int(d, "min_minutes_per_week", f"{path}.min_minutes_per_week", 0, 7 * 1440)
    hi = _opt_int(d, "max_minutes_per_week", f"{path}.max_minutes_per_week", 0, 7 * 1440)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"{path}.min_minutes_per_week: {lo} is above max_minutes_per_week {hi}")
    part_time = d.get("part_time", False)
    if not isinstance(part_time, bool):
        raise ValueError(f"{path}.part_time: must be true or false")  # noqa: TRY004 - the contract is ValueError naming the JSON path
    prefs = _mapping(d.get("preferences", {}), f"{path}.preferences")
    ppath = f"{path}.preferences"
    return AgentContract(
        id=agent_id,
        skills=skills,
        shift_types=types,
        days_per_week=_int(d, "days_per_week", f"{path}.days_per_week", 0, 7),
        time_off=_day_set(
            d.get("time_off", []), f"{path}.time_off", start, days, weekdays_ok=False
        ),
        min_minutes_per_week=lo,
        max_minutes_per_week=hi,
        part_time=part_time,
        unavailable=_unavailable(d.get("unavailable", []), f"{path}.unavailable", start, days),
        preferences=Preferences(
            days_off=_day_set(
                prefs.get("days_off", []), f"{ppath}.days_off", start, days, weekdays_ok=True
            ),
            earliest_start_minutes=_clock(prefs, "earliest_start", f"{ppath}.earliest_start")
            if "earliest_start" in prefs
            else None,
            latest_start_minutes=_clock(prefs, "latest_start", f"{ppath}.latest_start")
            if "latest_start" in prefs
            else None,
        ),
    )


def _unavailable(value: object, path: str, start: date, days: int) -> tuple[tuple[int, int], ...]:
    """Windows ``[from, to)`` in minutes from the horizon start; ``to`` before ``from`` runs
    past midnight. A window on a weekday repeats on every such day of the horizon."""
    out: list[tuple[int, int]] = []
    for j, raw in enumerate(_list(value, path, MAX_UNAVAILABLE)):
        w = _mapping(raw, f"{path}[{j}]")
        lo = _clock(w, "from", f"{path}[{j}].from")
        hi = _clock(w, "to", f"{path}[{j}].to")
        if hi <= lo:
            hi += MINUTES_PER_DAY
        if ("date" in w) == ("weekday" in w):
            raise ValueError(f"{path}[{j}]: give exactly one of date or weekday")
        key = "date" if "date" in w else "weekday"
        day_set = _day_set(
            [w[key]], f"{path}[{j}].{key}", start, days, weekdays_ok=key == "weekday"
        )
        out.extend((d * MINUTES_PER_DAY + lo, d * MINUTES_PER_DAY + hi) for d in sorted(day_set))
    return tuple(out)
