"""History → forecast → staffing → roster problem, from the database (the planner's chain).

:func:`build_problem` turns a :class:`ChainSpec` into a PROBLEM.json dict
(:mod:`wfm.roster_problem`) for :func:`wfm.schedule.build_schedule`:

1. *history and forecast* per queue: the queue's inbound calls from ``interaction``
   (:func:`app.wfm_history.history_from_interactions`, as the planner API reads them)
   forecast by :class:`wfm.forecast.ForecastSpec` (the backtest chooses the method, or the
   one ``method`` names);
2. *staffing*: required agents per interval by :func:`app.api.wfm.staff_in_process` (Erlang C
   with the service-level target, after shrinkage: its ``scheduled_agents``);
3. *agents*: every active agent with at least one of the queues as a skill, named by login,
   with the default contract (:data:`DAYS_PER_WEEK` days a week) and every shift type.

Each queue is one skill of the problem (the demo bank's queues each serve their own skill).
The requirement is placed by each forecast row's local start (Asia/Seoul), so an interval
the forecast leaves out (closed) requires nobody. The business hours and holidays an admin
set (:mod:`app.business_hours`) apply on top: an interval when every site serving the queue
is closed requires nobody, and the center's own holidays are holidays of the forecast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.exceptions import RequestValidationError
from sqlmodel import Session, col, select

from app.api.wfm import StaffingInterval, StaffingRequest, staff_in_process
from app.business_hours import load_hours, queue_sites
from app.models import Agent, AgentSkill
from app.queries import CENTER_TZ
from app.wfm_history import history_from_interactions
from wfm.business_hours import BusinessHours, zero_when_closed
from wfm.forecast import METHODS, ForecastSpec
from wfm.forecast_methods import Method

DAYS_PER_WEEK = 5
MAX_AHT_SECONDS = 36_000  # the staffing API's limit
#: The default shift: nine hours with a paid 15-minute break and an unpaid hour for lunch
#: (the form of the issue's PROBLEM.json), starting on the half hour from 07:00 to 13:00.
DEFAULT_SHIFT_TYPES: tuple[dict[str, Any], ...] = (
    {
        "name": "FT9",
        "earliest_start": "07:00",
        "latest_start": "13:00",
        "start_step_minutes": 30,
        "length_minutes": 540,
        "activities": [
            {"kind": "break", "length_minutes": 15, "earliest_offset_minutes": 90,
             "latest_offset_minutes": 150, "paid": True, "step_minutes": 15},
            {"kind": "lunch", "length_minutes": 60, "earliest_offset_minutes": 180,
             "latest_offset_minutes": 300, "paid": False, "step_minutes": 30},
        ],
    },
)
DEFAULT_RULES: dict[str, Any] = {"min_rest_hours": 11, "max_consecutive_days": 5}

Report = Callable[[str, int, int], None]  # (step, done, total)


class ChainError(ValueError):
    """A step of the chain failed; ``field`` names the request field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChainSpec:
    start: date
    days: int = 7
    interval_minutes: int = 30
    queues: tuple[str, ...] = ()
    method: Method | None = None  # forecast method; None: the backtest chooses
    backtest_origins: int = 3  # the forecast's rolling-origin backtest (1: quickest)
    history_days: int = 56
    service_level_target: float = 0.8
    threshold_seconds: float = 20.0
    shrinkage: float = 0.3
    aht_seconds: float = 180.0
    shift_types: Sequence[dict[str, Any]] = DEFAULT_SHIFT_TYPES
    rules: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_RULES))
    time_limit_seconds: float = 30.0
    num_workers: int = 0
    #: a queue without usable history requires nobody instead of failing (the demo seed)
    lenient: bool = False


def requirement(session: Session, spec: ChainSpec, queue: str) -> list[float]:
    """Agents required per interval of ``queue`` over the horizon (forecast, then staffing)."""
    until = datetime(spec.start.year, spec.start.month, spec.start.day, tzinfo=CENTER_TZ)
    try:
        history = history_from_interactions(
            session, queue, spec.interval_minutes, until, spec.history_days
        )
        methods = METHODS if spec.method is None else (spec.method,)
        hours, sites = load_hours(session), queue_sites(session, [queue])[queue]
        fitted = ForecastSpec(
            interval_minutes=spec.interval_minutes, methods=methods, origins=spec.backtest_origins,
            extra_holidays=hours.holiday_dates(sites or None),
        ).fit(history)
        rows = fitted.forecast(spec.start, spec.days).output_rows()
    except ValueError as exc:
        raise ChainError("queues", f"{queue}: {exc}") from None
    rows = closed_rows_zeroed(hours, sites, rows, spec.interval_minutes, queue)
    try:
        staffed = staff_in_process(
            StaffingRequest(
                intervals=[
                    StaffingInterval(
                        start=str(r["start"]),
                        offered=float(r["offered"]),  # type: ignore[arg-type]
                        aht_seconds=_aht(r.get("aht_seconds")),
                    )
                    for r in rows
                ],
                interval_minutes=spec.interval_minutes,
                service_level_target=spec.service_level_target,
                threshold_seconds=spec.threshold_seconds,
                aht_seconds=spec.aht_seconds,
                shrinkage=spec.shrinkage,
            )
        )
    except RequestValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"loc": ("queues",), "msg": str(exc)}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "queues"
        raise ChainError(where, f"{queue}: {first.get('msg')}") from None
    per_day = 1440 // spec.interval_minutes
    out = [0.0] * (spec.days * per_day)
    origin = datetime(spec.start.year, spec.start.month, spec.start.day)
    step = timedelta(minutes=spec.interval_minutes)
    for row in staffed:
        when = datetime.fromisoformat(row.start)
        local = when.astimezone(CENTER_TZ).replace(tzinfo=None) if when.tzinfo else when
        index = (local - origin) // step
        if 0 <= index < len(out):
            out[index] = float(row.scheduled_agents)
    return out


def closed_rows_zeroed(
    hours: BusinessHours, sites: list[str], rows: list[dict[str, object]],
    interval_minutes: int, queue: str | None = None,
) -> list[dict[str, object]]:
    """Forecast ``rows`` with 0 calls offered where every one of ``sites`` (those serving the
    queue), or the ``queue``'s own hours, are closed: business hours and holidays
    (:mod:`wfm.business_hours`)."""
    starts = [datetime.fromisoformat(str(r["start"])) for r in rows]
    starts = [s if s.tzinfo else s.replace(tzinfo=CENTER_TZ) for s in starts]
    offered = zero_when_closed(hours, sites, starts,
                               [float(r["offered"]) for r in rows], interval_minutes, queue)  # type: ignore[arg-type]
    return [r if float(r["offered"]) == v else {**r, "offered": v}  # type: ignore[arg-type]
            for r, v in zip(rows, offered, strict=True)]


def _aht(value: object) -> float | None:
    """A forecast's AHT for staffing: None (the default AHT) when unknown or out of range."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if 0 < value <= MAX_AHT_SECONDS else None


def agents_for(session: Session, skills: Sequence[str]) -> list[dict[str, Any]]:
    """Active agents with at least one of ``skills``, as PROBLEM.json agents (id = login)."""
    rows = session.exec(
        select(Agent.login, AgentSkill.skill)
        .join(AgentSkill, col(AgentSkill.agent_id) == col(Agent.id))
        .where(col(Agent.active).is_(True))
        .where(col(AgentSkill.skill).in_(list(skills)))
        .order_by(col(Agent.login), col(AgentSkill.skill))
    ).all()
    found: dict[str, list[str]] = {}
    for login, skill in rows:
        found.setdefault(login, []).append(skill)
    order = {s: i for i, s in enumerate(skills)}
    return [
        {"id": login, "skills": sorted(own, key=order.__getitem__),
         "shift_types": [], "days_per_week": DAYS_PER_WEEK}
        for login, own in found.items()
    ]


def build_problem(
    session: Session, spec: ChainSpec, report: Report | None = None
) -> dict[str, Any]:
    """The PROBLEM.json for ``spec``; :class:`ChainError` names the field at fault."""
    if not spec.queues:
        raise ChainError("queues", "name at least one queue")
    say = report or (lambda step, done, total: None)
    required: dict[str, list[float]] = {}
    for i, queue in enumerate(spec.queues):
        say("forecast", i, len(spec.queues))
        try:
            required[queue] = requirement(session, spec, queue)
        except ChainError:
            if not spec.lenient:
                raise
            required[queue] = [0.0] * (spec.days * 1440 // spec.interval_minutes)
    say("forecast", len(spec.queues), len(spec.queues))
    agents = agents_for(session, spec.queues)
    if not agents:
        raise ChainError("queues", "no active agent has any of these skills")
    names = [str(t.get("name")) for t in spec.shift_types]
    for agent in agents:
        agent["shift_types"] = names
    return {
        "start": spec.start.isoformat(),
        "days": spec.days,
        "interval_minutes": spec.interval_minutes,
        "required": required,
        "shift_types": [dict(t) for t in spec.shift_types],
        "agents": agents,
        "rules": dict(spec.rules),
        "time_limit_seconds": spec.time_limit_seconds,
        "num_workers": spec.num_workers,
    }
