"""Schedule simulation (what-if): a roster and a forecast turned into a simulator scenario.

A roster is the ``shifts`` list of ROSTER.json (``{agent, shift_type, start, end,
activities: [{kind, start, end}]}``, ISO local naive times; time in a shift outside its
activities is work). Every activity (break, lunch, meeting, ...) becomes a break of the
scenario's roster entry: the agent goes not-ready at it (after the call in hand) and comes
back at its end (docs/scenario.md, "Roster"). The scenario starts at 00:00 of ``first_day``
and lasts ``days`` days of ``interval_minutes`` intervals; shift times are given to the
scenario as minutes from that origin, so night shifts and multi-day rosters need no
special case. Shifts wholly outside the horizon are left out; a shift that begins before
the origin starts at it (its activities before the origin are dropped).

A :class:`WhatIf` changes the rehearsal without touching the roster:

* ``volume_change_percent``: calls per interval multiplied by ``1 + p/100`` (a spike,
  or a dip when negative), inside ``[window_start_minute, window_end_minute)`` of the
  horizon (default: all of it);
* ``extra_agents``: that many more agents on duty in every interval of the same window
  (an agent group with counts per interval, docs/scenario.md "Agents").

"Another roster" and "other breaks" are another ``shifts`` list (an edited draft or
another published version). One queue: every rostered agent takes it.

Bounds: at most :data:`MAX_DAYS` days and :data:`MAX_REPLICATIONS` replications a run;
the scenario's own bounds (agents, calls per replication) apply on top.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

#: Longest horizon of a schedule simulation (a week).
MAX_DAYS = 7
#: Most replications of one schedule simulation.
MAX_REPLICATIONS = 50
#: Largest volume change accepted (+1000 %: eleven times the forecast).
MAX_VOLUME_CHANGE_PERCENT = 1000.0
#: Most agents a what-if may add per interval.
MAX_EXTRA_AGENTS = 1000
#: The per-interval figures the what-if page shows, with their 95 % bands.
BAND_FIGURES = ("service_level", "asa_seconds", "p_abandon", "offered")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Changes to a rehearsal (see the module docstring)."""

    volume_change_percent: float = 0.0
    extra_agents: int = 0
    window_start_minute: int = 0
    window_end_minute: int | None = None

    def __post_init__(self) -> None:
        v = self.volume_change_percent
        if not (math.isfinite(v) and -100 <= v <= MAX_VOLUME_CHANGE_PERCENT):
            raise ValueError(
                f"volume_change_percent must be in [-100, {MAX_VOLUME_CHANGE_PERCENT:g}], got {v}"
            )
        if not 0 <= self.extra_agents <= MAX_EXTRA_AGENTS:
            raise ValueError(
                f"extra_agents must be in [0, {MAX_EXTRA_AGENTS}], got {self.extra_agents}"
            )
        if self.window_start_minute < 0:
            raise ValueError("window_start_minute must be >= 0")
        end = self.window_end_minute
        if end is not None and end <= self.window_start_minute:
            raise ValueError("window_end_minute must be after window_start_minute")


@dataclass(frozen=True, slots=True)
class Rehearsal:
    """What to rehearse: the forecast of one queue over the horizon, and the caller model."""

    first_day: date
    days: int
    interval_minutes: int
    calls_per_interval: tuple[float, ...]
    aht_seconds: float
    patience_mean_seconds: float | None = 120.0
    service_level_threshold_seconds: float = 20.0
    queue: str = "general"

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MAX_DAYS:
            raise ValueError(f"days must be in [1, {MAX_DAYS}], got {self.days}")
        if self.interval_minutes <= 0 or 1440 % self.interval_minutes:
            raise ValueError("interval_minutes must divide the day (1440 minutes)")
        want = self.days * 1440 // self.interval_minutes
        if len(self.calls_per_interval) != want:
            raise ValueError(
                f"calls_per_interval must have {want} entries ({self.days} days of"
                f" {self.interval_minutes} min), got {len(self.calls_per_interval)}"
            )

    @property
    def n_intervals(self) -> int:
        return len(self.calls_per_interval)


def _minute(text: str, origin: datetime, where: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{where} must be an ISO local time, got {text!r}") from None
    if moment.tzinfo is not None:
        raise ValueError(f"{where} must be a local naive time (no UTC offset), got {text!r}")
    return (moment - origin) / timedelta(minutes=1)


def roster_entries(
    shifts: Sequence[Mapping[str, Any]], first_day: date, horizon_minutes: float
) -> list[dict[str, Any]]:
    """The scenario's ``roster`` entries (one per agent) from ROSTER.json shifts."""
    origin = datetime.combine(first_day, datetime.min.time())
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for i, s in enumerate(shifts):
        where = f"shifts[{i}]"
        if not isinstance(s, Mapping):
            raise ValueError(f"{where} must be an object")  # noqa: TRY004 (bad JSON: one error kind)
        agent = s.get("agent")
        if not isinstance(agent, str) or not agent:
            raise ValueError(f"{where}.agent must be a non-empty string")
        lo = _minute(s.get("start"), origin, f"{where}.start")  # type: ignore[arg-type]
        hi = _minute(s.get("end"), origin, f"{where}.end")  # type: ignore[arg-type]
        if not hi > lo:
            raise ValueError(f"{where}.end must be after its start")
        if hi <= 0 or lo >= horizon_minutes:
            continue  # outside the horizon
        lo = max(lo, 0.0)
        breaks = []
        activities = s.get("activities") or []
        if not isinstance(activities, list) or not all(isinstance(a, Mapping) for a in activities):
            raise ValueError(f"{where}.activities must be a list of objects")
        for j, a in enumerate(activities):
            b_lo = _minute(a.get("start"), origin, f"{where}.activities[{j}].start")
            b_hi = _minute(a.get("end"), origin, f"{where}.activities[{j}].end")
            if b_lo < lo:
                continue
            breaks.append({"start": b_lo, "end": b_hi})
        by_agent.setdefault(agent, []).append({"day": 0, "start": lo, "end": hi, "breaks": breaks})
    return [{"agent_id": a, "shifts": sh} for a, sh in sorted(by_agent.items())]


def roster_scenario(
    shifts: Sequence[Mapping[str, Any]], rehearsal: Rehearsal, what_if: WhatIf | None = None
) -> dict[str, Any]:
    """The scenario (JSON form of docs/scenario.md) that rehearses ``shifts`` on the forecast."""
    what_if = what_if or WhatIf()
    r = rehearsal
    horizon = r.days * 1440
    calls = list(r.calls_per_interval)
    factor = 1.0 + what_if.volume_change_percent / 100.0
    w_lo = what_if.window_start_minute
    w_hi = horizon if what_if.window_end_minute is None else what_if.window_end_minute
    inside = [w_lo <= k * r.interval_minutes < w_hi for k in range(r.n_intervals)]
    calls = [c * factor if hit else c for c, hit in zip(calls, inside, strict=True)]
    scenario: dict[str, Any] = {
        "name": "roster what-if",
        "interval_minutes": r.interval_minutes,
        "service_level_threshold_seconds": r.service_level_threshold_seconds,
        "queues": [
            {
                "name": r.queue,
                "calls_per_interval": calls,
                "aht_seconds": r.aht_seconds,
                "patience_mean_seconds": r.patience_mean_seconds,
            }
        ],
        "roster": roster_entries(shifts, r.first_day, horizon),
    }
    if what_if.extra_agents:
        scenario["agent_groups"] = [
            {
                "name": "what-if extra",
                "agents_per_interval": [what_if.extra_agents if hit else 0 for hit in inside],
            }
        ]
    if not scenario["roster"]:
        if not what_if.extra_agents:
            raise ValueError(
                f"no shift of the roster falls in the {r.days}-day horizon from {r.first_day}"
                " (choose another roster or first day, or add agents)"
            )
        del scenario["roster"]
    return scenario


def interval_bands(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per interval: each of :data:`BAND_FIGURES` as ``{mean, low, high}`` (None: undefined)."""

    def clean(x: Any) -> float | None:
        return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else None

    rows = []
    for row in result["per_interval"]:
        out: dict[str, Any] = {"interval": row["interval"], "start_seconds": row["start_seconds"]}
        for key in BAND_FIGURES:
            low, high = row["ci95"].get(key, [None, None])
            out[key] = {"mean": clean(row.get(key)), "low": clean(low), "high": clean(high)}
        rows.append(out)
    return rows
