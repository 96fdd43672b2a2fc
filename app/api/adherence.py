"""Adherence API: the published roster against the agents' states (:mod:`wfm.adherence`).

* ``GET /api/adherence/now?tolerance_minutes=5`` (supervisor, planner) — today so far:
  who is out of adherence now and since when (longest first), each agent's and each
  team's adherence and conformance up to now.
* ``GET /api/adherence/day?day=2027-01-04&tolerance_minutes=5`` (supervisor, planner) — a
  day's report (a day not over yet is measured up to now).
* ``GET /api/adherence/me`` (agent) — the agent's own shifts today and tomorrow, its next
  break (break or lunch), and its adherence today so far.

Times in the answers are center-local ``YYYY-MM-DDTHH:MM`` (Asia/Seoul); percentages are
fractions in ``[0, 1]`` or ``null`` where nothing was scheduled.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.adherence_feed import (
    center_today,
    day_bounds,
    day_report,
    local_text,
    scheduled_shifts,
)
from app.auth import require_role
from app.deps import SessionDep
from app.models import Agent, User
from app.rosters import agent_published_shifts
from wfm.adherence import AdherenceReport, AgentAdherence, next_activity

router = APIRouter(prefix="/api/adherence", tags=["adherence"])


def utc_now() -> datetime:
    """The wall clock (one place, so tests can set the time of day)."""
    return datetime.now(UTC)


Watcher = Annotated[User, Depends(require_role("supervisor", "planner"))]
AgentUser = Annotated[User, Depends(require_role("agent"))]
Tolerance = Annotated[
    float, Query(ge=0, le=60, description="a spell this short (minutes) is forgiven")
]
#: Kinds the console calls "the next break".
BREAK_KINDS = ("break", "lunch")


class SpellPublic(BaseModel):
    agent: str
    team: str
    start: str
    end: str | None
    minutes: float
    scheduled: str
    actual: str


class AgentPublic(BaseModel):
    agent: str
    team: str
    adherence: float | None
    conformance: float | None
    scheduled_minutes: float
    out_minutes: float
    worked_minutes: float
    spells: list[SpellPublic]


class TeamPublic(BaseModel):
    team: str
    agents: int
    adherence: float | None
    conformance: float | None


class AdherencePublic(BaseModel):
    day: date
    now: str | None
    tolerance_minutes: float
    out_now: list[SpellPublic]
    agents: list[AgentPublic]
    teams: list[TeamPublic]


def _spells(row: AgentAdherence, until: float) -> list[SpellPublic]:
    return [
        SpellPublic(
            agent=s.agent,
            team=row.team,
            start=local_text(s.start),
            end=None if s.end is None else local_text(s.end),
            minutes=round(s.seconds(until) / 60, 1),
            scheduled=s.scheduled,
            actual=s.actual,
        )
        for s in row.spells
    ]


def public_report(day: date, report: AdherenceReport) -> AdherencePublic:
    until = report.end
    rows = [
        AgentPublic(
            agent=a.agent,
            team=a.team,
            adherence=a.adherence,
            conformance=a.conformance,
            scheduled_minutes=round(a.scheduled_seconds / 60, 1),
            out_minutes=round(a.out_seconds / 60, 1),
            worked_minutes=round(a.worked_seconds / 60, 1),
            spells=_spells(a, until),
        )
        for a in report.agents
    ]
    by_agent = {r.agent: r for r in rows}
    out_now = [
        next(s for s in by_agent[spell.agent].spells if s.end is None) for spell in report.out_now()
    ]
    return AdherencePublic(
        day=day,
        now=None if report.now is None else local_text(report.now),
        tolerance_minutes=report.tolerance_seconds / 60,
        out_now=out_now,
        agents=rows,
        teams=[
            TeamPublic(
                team=t.team, agents=t.agents, adherence=t.adherence, conformance=t.conformance
            )
            for t in report.teams
        ],
    )


def live_report(session: SessionDep, tolerance_minutes: float) -> AdherencePublic:
    now = utc_now()
    day = center_today(now)
    report = day_report(session, day, now=now, tolerance_minutes=tolerance_minutes)
    return public_report(day, report)


@router.get("/now", response_model=AdherencePublic)
def adherence_now(session: SessionDep, user: Watcher, tolerance_minutes: Tolerance = 5) -> Any:
    return live_report(session, tolerance_minutes)


@router.get("/day", response_model=AdherencePublic)
def adherence_day(
    session: SessionDep,
    user: Watcher,
    day: Annotated[date, Query(description="center-local day")],
    tolerance_minutes: Tolerance = 5,
) -> Any:
    # a day not over yet is measured up to now; a past day whole (day_report decides)
    now = utc_now()
    report = day_report(session, day, now=now, tolerance_minutes=tolerance_minutes)
    return public_report(day, report)


class ActivityPublic(BaseModel):
    kind: str
    start: str
    end: str


class ShiftPublic(BaseModel):
    shift_type: str | None
    start: str
    end: str
    activities: list[ActivityPublic]


class MySchedulePublic(BaseModel):
    agent: str | None
    now: str
    shifts: list[ShiftPublic]
    next_break: ActivityPublic | None
    adherence: float | None


@router.get("/me", response_model=MySchedulePublic)
def my_schedule(session: SessionDep, user: AgentUser) -> Any:
    """The logged-in agent's shifts today and tomorrow and its next break."""
    now = utc_now()
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    now_text = local_text(now.timestamp())
    if agent is None:
        return MySchedulePublic(
            agent=None, now=now_text, shifts=[], next_break=None, adherence=None
        )
    lo, _ = day_bounds(center_today(now))
    shifts = agent_published_shifts(session, agent.login, lo, lo + timedelta(days=2))
    upcoming = next_activity(scheduled_shifts(shifts), agent.login, now.timestamp(), BREAK_KINDS)
    report = day_report(session, center_today(now), now=now, tolerance_minutes=5, agent=agent.login)
    mine = next((a for a in report.agents if a.agent == agent.login), None)
    return MySchedulePublic(
        agent=agent.login,
        now=now_text,
        shifts=[
            ShiftPublic(
                shift_type=s.get("shift_type"),
                start=s["start"][:16],
                end=s["end"][:16],
                activities=[
                    ActivityPublic(kind=a["kind"], start=a["start"][:16], end=a["end"][:16])
                    for a in s.get("activities", [])
                ],
            )
            for s in shifts
        ],
        next_break=None
        if upcoming is None
        else ActivityPublic(
            kind=upcoming.kind, start=local_text(upcoming.start), end=local_text(upcoming.end)
        ),
        adherence=None if mine is None else mine.adherence,
    )
