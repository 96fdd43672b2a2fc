"""The agents of a scenario's JSON form: ``agents_per_interval``, ``agent_groups``
(counts per interval) and ``roster`` (named agents with shifts and breaks).

Errors name the JSON path (:mod:`simulations.scenario_json`). Shift times are seconds
from the scenario start; a shift whose end is not after its start crosses midnight.

Agent ids are unique over the whole scenario: agent ``j`` of a group is ``{name}-{j}``
(the ``agents_per_interval`` group is named ``agents``), a roster entry gives its
``agent_id`` (``{agent_id}-{c}`` with ``count``); a group name used twice, or a roster
id equal to another agent's, is an error naming the entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, MutableMapping
from typing import Any

from simulations.scenario_json import (
    path_error,
    read_int,
    read_list,
    read_number,
    read_object,
    read_str,
    reject_unknown,
)
from simulations.scenario_model import AgentGroup, RosterAgent, Shift

#: Latest roster day, and the most minutes a shift time may give (``MAX_DAYS`` days, about
#: 13.7 years): a day plus its minutes stays under ``MAX_SECONDS`` (``2 × 5000 × 86400 s``).
MAX_DAYS = 5_000

#: The name of the group made by the top-level ``agents_per_interval``.
COUNTS_GROUP = "agents"

#: Most agents a scenario may have (one replication must fit in memory); checked as the
#: agents are read, before any id is made.
MAX_AGENTS = 100_000


def parse_skills(v: Any, p: str) -> tuple[tuple[str, int], ...]:
    if isinstance(v, list):
        return tuple((read_str(s, f"{p}[{i}]"), 3) for i, s in enumerate(read_list(v, p)))
    obj = read_object(v, p)
    if not obj:
        raise path_error(p, "must not be empty")
    out = []
    for s, level in obj.items():
        lv = read_int(level, f"{p}.{s}", ge=1)
        if lv > 5:
            raise path_error(f"{p}.{s}", f"must be <= 5, got {level!r}")
        out.append((s, lv))
    return tuple(out)


def parse_counts(v: Any, p: str, n: int) -> tuple[int, ...]:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = [v]  # one count for every interval
    counts = tuple(read_int(x, f"{p}[{i}]") for i, x in enumerate(read_list(v, p)))
    if len(counts) == 1:
        counts = counts * n
    if len(counts) != n:
        raise path_error(p, f"must have 1 or {n} entries (one per interval), got {len(counts)}")
    return counts


def _minutes(v: Any, p: str) -> float:
    """Minutes from the start of the day: a number, or ``"HH:MM"``."""
    if isinstance(v, str):
        try:
            hh, mm = v.split(":")
            h, m = int(hh), int(mm)
        except ValueError:
            raise path_error(p, f"must be minutes or 'HH:MM', got {v!r}") from None
        if not (0 <= h <= 24 and 0 <= m < 60):
            raise path_error(p, f"must be a time of day 'HH:MM', got {v!r}")
        return h * 60.0 + m
    return read_number(v, p, ge=0, le=MAX_DAYS * 1440.0)


def _span(obj: Mapping[str, Any], p: str, day_min: float) -> tuple[float, float]:
    start = _minutes(obj.get("start"), f"{p}.start")
    end = _minutes(obj.get("end"), f"{p}.end")
    if end <= start:
        end += 1440.0  # crosses midnight
    return (day_min + start) * 60.0, (day_min + end) * 60.0


def _shift(v: Any, p: str) -> Shift:
    obj = read_object(v, p)
    reject_unknown(obj, {"day", "start", "end", "breaks"}, p)
    day = read_int(obj.get("day", 0), f"{p}.day", le=MAX_DAYS) * 1440.0
    start, end = _span(obj, p, day)
    breaks = []
    for i, b in enumerate(read_list(obj.get("breaks", []), f"{p}.breaks", nonempty=False)):
        bp = f"{p}.breaks[{i}]"
        bobj = read_object(b, bp)
        reject_unknown(bobj, {"start", "end"}, bp)
        bs, be = _span(bobj, bp, day)
        if bs < start:  # a break after midnight in a night shift
            bs, be = bs + 86400.0, be + 86400.0
        if not (start <= bs < be <= end):
            raise path_error(bp, "must lie inside its shift")
        breaks.append((bs, be))
    breaks.sort()
    for (_, e0), (s1, _) in itertools.pairwise(breaks):
        if s1 < e0:
            raise path_error(f"{p}.breaks", "must not overlap")
    return Shift(start, end, tuple(breaks))


def parse_roster(
    v: Any,
    p: str,
    all_skills: tuple[tuple[str, int], ...],
    taken: MutableMapping[str, str],
) -> tuple[RosterAgent, ...]:
    """The roster's agents; ``taken`` maps the ids already in use to their owner's path
    (the groups' agents) and receives the roster's."""
    agents: list[RosterAgent] = []
    for i, a in enumerate(read_list(v, p)):
        ap = f"{p}[{i}]"
        obj = read_object(a, ap)
        reject_unknown(obj, {"agent_id", "skills", "site", "shifts", "count"}, ap)
        skills = parse_skills(obj["skills"], f"{ap}.skills") if "skills" in obj else all_skills
        site = read_str(obj.get("site", "seoul"), f"{ap}.site")
        shifts = tuple(
            _shift(s, f"{ap}.shifts[{j}]")
            for j, s in enumerate(read_list(obj.get("shifts"), f"{ap}.shifts"))
        )
        ordered = sorted(shifts, key=lambda s: s.start)
        for s0, s1 in itertools.pairwise(ordered):
            if s1.start < s0.end:
                raise path_error(f"{ap}.shifts", "must not overlap")
        base = read_str(obj.get("agent_id", f"r{i}"), f"{ap}.agent_id")
        count = read_int(obj.get("count", 1), f"{ap}.count", ge=1, le=MAX_AGENTS)
        if len(taken) + count > MAX_AGENTS:
            raise path_error(f"{ap}.count", f"makes more than {MAX_AGENTS:,} agents in the scenario")
        for c in range(count):
            aid = base if count == 1 else f"{base}-{c}"
            if aid in taken:
                made = repr(aid) if aid == base else f"{base!r} (with count) makes {aid!r}, which"
                raise path_error(
                    f"{ap}.agent_id", f"{made} is already the id of an agent of {taken[aid]}"
                )
            taken[aid] = ap
            agents.append(RosterAgent(aid, skills, tuple(ordered), site, base))
    return tuple(agents)


def parse_groups(
    v: Any,
    p: str,
    n: int,
    all_skills: tuple[tuple[str, int], ...],
    names: MutableMapping[str, str],
) -> tuple[AgentGroup, ...]:
    """The agent groups; ``names`` maps the group names already in use to their owner's
    path and receives these groups' names."""
    groups = []
    for i, g in enumerate(read_list(v, p)):
        gp = f"{p}[{i}]"
        obj = read_object(g, gp)
        reject_unknown(obj, {"name", "skills", "site", "agents_per_interval"}, gp)
        name = read_str(obj.get("name", f"g{i}"), f"{gp}.name")
        if name in names:
            raise path_error(f"{gp}.name", f"{name!r} is already the name of {names[name]}")
        names[name] = gp
        groups.append(
            AgentGroup(
                name=name,
                skills=(
                    parse_skills(obj["skills"], f"{gp}.skills") if "skills" in obj else all_skills
                ),
                agents_per_interval=parse_counts(
                    obj.get("agents_per_interval"), f"{gp}.agents_per_interval", n
                ),
                site=read_str(obj.get("site", "seoul"), f"{gp}.site"),
            )
        )
    return tuple(groups)
