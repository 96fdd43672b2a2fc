"""Schedule adherence and conformance: the published roster against the agents' actual states.

Times are float seconds on one clock (Unix seconds live; any origin in tests): the
roster's shifts and the :class:`routing.events.StateChange` events must use the
same one. The same function serves the live view (``now`` given: nothing after it is
known, a spell still running at ``now`` is open) and a day's report (``now`` omitted).

What counts as "in the scheduled activity" (adherent)
-----------------------------------------------------
==========================  ==================================================================
scheduled                   adherent actual states
==========================  ==================================================================
work (in a shift, outside   ``ready``, ``reserved``, ``talking``, ``hold``, ``wrap_up``, and
its listed activities)      ``not_ready`` with reason ``after_call_work`` (:data:`WORK_REASONS`)
an activity of kind ``k``   ``not_ready`` with reason ``k`` (``break`` ↔ ``break``,
(break, lunch, meeting...)  ``lunch`` ↔ ``lunch``, ``training`` ↔ ``training``, ...)
off (outside every shift)   ``logged_out``
==========================  ==================================================================

Anything else is *out of adherence*: e.g. ``not_ready`` (break) during scheduled work,
``ready`` during a scheduled lunch, logged in while off, logged out during a shift. An
agent with no state event at all is ``logged_out``.

Tolerance
---------
A *spell* is a maximal stretch of time out of adherence. A spell lasting at most
``tolerance_seconds`` is forgiven entirely (counted as adherent: a call that runs a minute
into a break, a login two minutes late); a longer spell counts from its start. In the live
view a spell still open at ``now`` is reported once it has lasted more than the tolerance,
with its start ("out of adherence since 13:00").

Figures, per agent and per team (sums of the agents' seconds, then the ratio)
------------------------------------------------------------------------------
* ``adherence = (S − O) / S`` with ``S`` the scheduled shift time (breaks included) in
  the window and ``O`` the time of unforgiven spells inside the shifts. Spells while off
  are listed but do not enter ``O`` (there is no scheduled time to measure them against).
* ``conformance = W / P``: ``W`` the time worked (adherent-to-work states above) anywhere
  in the window, ``P`` the scheduled work time (shift time minus its activities). An agent
  who works 30 minutes late to make up for a late start conforms though not adheres.

Both are ``None`` where the denominator is 0. The window is ``[start, end)`` cut at ``now``.
Reference: the adherence / conformance distinction as in Cleveland, *Call Center
Management on Fast Forward* (3rd ed., 2012), ch. 9.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class StateChange(Protocol):
    """What adherence reads of an agent state event (``routing.events.StateChange``
    has these fields; wfm does not import routing, DESIGN.md's layering)."""

    @property
    def at(self) -> float: ...
    @property
    def agent_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def reason(self) -> str | None: ...


# The agent states of routing.agent_state.AgentState, by value.
LOGGED_OUT, NOT_READY = "logged_out", "not_ready"

#: The actual states in which an agent is working (on or ready for contacts).
WORK_STATES: frozenset[str] = frozenset({"ready", "reserved", "talking", "hold", "wrap_up"})
#: Not-ready reasons that are work all the same.
WORK_REASONS: frozenset[str] = frozenset({"after_call_work"})
#: Scheduled kinds other than activities.
WORK, OFF = "work", "off"
#: Largest tolerance accepted (an hour: beyond it nothing would ever be out of adherence).
MAX_TOLERANCE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Activity:
    """A non-work activity of a shift (break, lunch, meeting, ...), ``[start, end)``."""

    kind: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class ScheduledShift:
    """One agent's shift ``[start, end)``; time outside its activities is work."""

    agent: str
    start: float
    end: float
    activities: tuple[Activity, ...] = ()

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise ValueError(f"shift of {self.agent}: end must be after start")
        for a in self.activities:
            if not (self.start <= a.start < a.end <= self.end):
                raise ValueError(f"shift of {self.agent}: {a.kind} must lie inside the shift")

    def scheduled_at(self, t: float) -> str:
        """The activity kind at ``t`` (inside the shift), else ``"work"``."""
        for a in self.activities:
            if a.start <= t < a.end:
                return a.kind
        return WORK


@dataclass(frozen=True, slots=True)
class Spell:
    """A stretch out of adherence: what was scheduled and what the agent did at its start.

    ``end`` is None while it is still running at ``now`` (live view).
    """

    agent: str
    start: float
    end: float | None
    scheduled: str
    actual: str  # a state, or "not_ready:<reason>"

    def seconds(self, now: float) -> float:
        return (now if self.end is None else self.end) - self.start


def adherence_ratio(scheduled_seconds: float, out_seconds: float) -> float | None:
    """Adherence = (scheduled − out of adherence) / scheduled: the share of the scheduled
    time spent doing what the schedule said; None when nothing was scheduled."""
    if scheduled_seconds <= 0:
        return None
    return (scheduled_seconds - out_seconds) / scheduled_seconds


def conformance_ratio(scheduled_work_seconds: float, worked_seconds: float) -> float | None:
    """Conformance = worked / scheduled work: how much of the planned work time was worked,
    whenever it was; None when no work was scheduled."""
    if scheduled_work_seconds <= 0:
        return None
    return worked_seconds / scheduled_work_seconds


@dataclass(frozen=True, slots=True)
class AgentAdherence:
    agent: str
    team: str
    scheduled_seconds: float
    out_seconds: float
    scheduled_work_seconds: float
    worked_seconds: float
    spells: tuple[Spell, ...]

    @property
    def adherence(self) -> float | None:
        return adherence_ratio(self.scheduled_seconds, self.out_seconds)

    @property
    def conformance(self) -> float | None:
        return conformance_ratio(self.scheduled_work_seconds, self.worked_seconds)

    @property
    def current(self) -> Spell | None:
        """The spell still open at ``now`` (live view), if any."""
        return self.spells[-1] if self.spells and self.spells[-1].end is None else None


@dataclass(frozen=True, slots=True)
class TeamAdherence:
    team: str
    agents: int
    scheduled_seconds: float
    out_seconds: float
    scheduled_work_seconds: float
    worked_seconds: float

    @property
    def adherence(self) -> float | None:
        return adherence_ratio(self.scheduled_seconds, self.out_seconds)

    @property
    def conformance(self) -> float | None:
        return conformance_ratio(self.scheduled_work_seconds, self.worked_seconds)


@dataclass(frozen=True)
class AdherenceReport:
    start: float
    end: float  # the window's end, cut at now
    now: float | None
    tolerance_seconds: float
    agents: tuple[AgentAdherence, ...]
    teams: tuple[TeamAdherence, ...] = field(default=())

    def out_now(self) -> list[Spell]:
        """Open spells at ``now``, longest first (the supervisor's list)."""
        spells = [a.current for a in self.agents if a.current is not None]
        return sorted(spells, key=lambda s: (s.start, s.agent))


def _actual_label(state: str, reason: str | None) -> str:
    return f"{state}:{reason}" if state == NOT_READY and reason else state


def adherent(scheduled: str, state: str, reason: str | None) -> bool:
    """Whether an agent in ``state`` (with ``reason``) keeps the ``scheduled`` activity."""
    if scheduled == OFF:
        return state == LOGGED_OUT
    if scheduled == WORK:
        return is_working(state, reason)
    return state == NOT_READY and reason == scheduled


def is_working(state: str, reason: str | None) -> bool:
    return state in WORK_STATES or (state == NOT_READY and reason in WORK_REASONS)


def _state_steps(
    changes: Sequence[StateChange],
) -> tuple[list[float], list[tuple[str, str | None]]]:
    """The agent's state as a step function: at ``times[i]`` it becomes ``values[i]``."""
    times: list[float] = [float("-inf")]
    values: list[tuple[str, str | None]] = [(LOGGED_OUT, None)]
    for e in sorted(changes, key=lambda e: e.at):  # stable: equal times keep log order
        if times[-1] == e.at:
            values[-1] = (e.state, e.reason)
        else:
            times.append(e.at)
            values.append((e.state, e.reason))
    return times, values


def _agent(
    agent: str,
    team: str,
    shifts: Sequence[ScheduledShift],
    changes: Sequence[StateChange],
    window: tuple[float, float, float],
    now: float | None,
    tolerance: float,
) -> AgentAdherence:
    origin, lo, hi = window  # spells are traced from origin, figures counted from lo
    times, values = _state_steps(changes)
    cuts = {origin, lo, hi}
    for s in shifts:
        cuts.update((s.start, s.end))
        for act in s.activities:
            cuts.update((act.start, act.end))
    cuts.update(times[1:])
    points = sorted(t for t in cuts if origin <= t <= hi)
    scheduled = worked = planned_work = 0.0
    pieces: list[_Piece] = []
    for a, b in itertools.pairwise(points):
        state, reason = values[bisect.bisect_right(times, a) - 1]
        shift = next((s for s in shifts if s.start <= a < s.end), None)
        kind = OFF if shift is None else shift.scheduled_at(a)
        length = b - a if a >= lo else 0.0
        if shift is not None:
            scheduled += length
            planned_work += length if kind == WORK else 0.0
        worked += length if is_working(state, reason) else 0.0
        if not adherent(kind, state, reason):
            pieces.append((a, b, shift is not None and a >= lo, kind, _actual_label(state, reason)))
    spells, out = _spells(agent, pieces, lo, hi, now, tolerance)
    return AgentAdherence(agent, team, scheduled, out, planned_work, worked, spells)


#: A stretch out of adherence: start, end, counts in the figures (in a shift, inside the
#: window), scheduled kind, actual state.
_Piece = tuple[float, float, bool, str, str]


def _spells(
    agent: str,
    pieces: list[_Piece],
    lo: float,
    hi: float,
    now: float | None,
    tolerance: float,
) -> tuple[tuple[Spell, ...], float]:
    """Join touching out-of-adherence pieces into spells; drop those within the tolerance
    and those over before the window."""
    groups: list[list[_Piece]] = []
    for p in pieces:
        if groups and groups[-1][-1][1] == p[0]:
            groups[-1].append(p)
        else:
            groups.append([p])
    spells: list[Spell] = []
    out = 0.0
    for g in groups:
        start, end = g[0][0], g[-1][1]
        if end - start <= tolerance or end <= lo:
            continue
        still_open = now is not None and end == hi and hi == now
        spells.append(Spell(agent, start, None if still_open else end, g[0][3], g[0][4]))
        out += sum(b - a for a, b, counted, _, _ in g if counted)
    return tuple(spells), out


def measure_adherence(
    shifts: Iterable[ScheduledShift],
    changes: Iterable[StateChange],
    *,
    start: float,
    end: float,
    now: float | None = None,
    tolerance_seconds: float = 300.0,
    teams: Mapping[str, str] | None = None,
    trace_from: float | None = None,
) -> AdherenceReport:
    """Adherence and conformance of every agent with a shift or a state event, and per team.

    ``changes`` may begin before ``start`` (give at least each agent's last change before
    it, so the state at ``start`` is known); ``teams`` maps agent → team (default ``""``).
    ``trace_from`` (before ``start``) traces spells back to it, so a spell that began
    before the window (a night shift's agent out since 23:40) keeps its true start and its
    full length for the tolerance; the figures still count only ``[start, end)``. Give the
    shifts and the state changes from ``trace_from`` on.
    See the module docstring for the mapping, the tolerance and the formulas.
    """
    if not end > start:
        raise ValueError("end must be after start")
    if not 0 <= tolerance_seconds <= MAX_TOLERANCE_SECONDS:
        raise ValueError(
            f"tolerance_seconds must be in [0, {MAX_TOLERANCE_SECONDS:g}], got {tolerance_seconds}"
        )
    if now is not None and not now > start:
        raise ValueError("now must be after start")
    hi = end if now is None else min(end, now)
    origin = start if trace_from is None else min(start, trace_from)
    teams = teams or {}
    by_agent_shifts: dict[str, list[ScheduledShift]] = {}
    for s in shifts:
        by_agent_shifts.setdefault(s.agent, []).append(s)
    by_agent_changes: dict[str, list[StateChange]] = {}
    for e in changes:
        if now is None or e.at <= now:
            by_agent_changes.setdefault(e.agent_id, []).append(e)
    names = sorted(set(by_agent_shifts) | set(by_agent_changes))
    rows = tuple(
        _agent(
            name,
            teams.get(name, ""),
            by_agent_shifts.get(name, []),
            by_agent_changes.get(name, []),
            (origin, start, hi),
            now,
            tolerance_seconds,
        )
        for name in names
    )
    return AdherenceReport(start, hi, now, tolerance_seconds, rows, _teams(rows))


def _teams(rows: Sequence[AgentAdherence]) -> tuple[TeamAdherence, ...]:
    out: dict[str, list[AgentAdherence]] = {}
    for r in rows:
        out.setdefault(r.team, []).append(r)
    return tuple(
        TeamAdherence(
            team,
            len(members),
            sum(m.scheduled_seconds for m in members),
            sum(m.out_seconds for m in members),
            sum(m.scheduled_work_seconds for m in members),
            sum(m.worked_seconds for m in members),
        )
        for team, members in sorted(out.items())
    )


def next_activity(
    shifts: Iterable[ScheduledShift], agent: str, now: float, kinds: Iterable[str] | None = None
) -> Activity | None:
    """The agent's next (or current) non-work activity ending after ``now``, of ``kinds``
    if given (e.g. ``("break", "lunch")``): what the console shows as "next break"."""
    wanted = None if kinds is None else set(kinds)
    upcoming = [
        a
        for s in shifts
        if s.agent == agent
        for a in s.activities
        if a.end > now and (wanted is None or a.kind in wanted)
    ]
    return min(upcoming, key=lambda a: a.start, default=None)
