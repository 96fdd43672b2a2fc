"""The agent's own day in the console (``GET /api/console/day``, agents only).

For the logged-in agent, as of the live center's clock (the wall clock live; a test's
manual clock): today's published shifts (center-local ``YYYY-MM-DDTHH:MM``), the activity
scheduled now and the next break (break or lunch), today's own figures (handled calls, AHT,
talk time, sales: :mod:`qa.agent_day` over the event log) and the QA evaluations waiting for
the agent's acknowledgement, each with the page where the agent acknowledges or disputes
it. A user without an agent gets 403. Figures that are not known (AHT before any call is
over) are ``null``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from app.adherence_feed import local_text
from app.agent_day import AgentDay, agent_day
from app.api.errors import Forbidden
from app.auth import require_role
from app.deps import SessionDep
from app.live import get_services
from app.models import Agent, User
from app.queries import as_utc
from wfm.adherence import Activity

router = APIRouter(prefix="/api/console", tags=["console"])

AgentUser = Annotated[User, Depends(require_role("agent"))]


class ActivityOut(BaseModel):
    kind: str
    start: str
    end: str


class ShiftOut(BaseModel):
    shift_type: str | None
    start: str
    end: str
    activities: list[ActivityOut]


class FiguresOut(BaseModel):
    handled: int
    aht_seconds: float | None
    talk_seconds: float
    sales: int
    sales_amount: float
    offers_made: int


class FeedbackOut(BaseModel):
    id: int
    contact_id: str
    form: str
    total: float | None
    fatal_failed: bool
    evaluator: str
    evaluated_at: str
    #: the page where the agent reads, acknowledges or disputes it
    url: str


class DayOut(BaseModel):
    agent: str
    day: str
    now: str
    shifts: list[ShiftOut]
    current: ActivityOut | None
    next_break: ActivityOut | None
    figures: FiguresOut
    feedback_waiting: int
    feedback: list[FeedbackOut]


def center_now(request: Request) -> datetime:
    """Now on the live center's clock (the clock its events carry)."""
    return datetime.fromtimestamp(get_services(request).center.clock.now(), UTC)


def _activity(a: Activity | None) -> ActivityOut | None:
    if a is None:
        return None
    return ActivityOut(kind=a.kind, start=local_text(a.start), end=local_text(a.end))


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def day_out(day: AgentDay) -> DayOut:
    f = day.figures
    return DayOut(
        agent=day.agent, day=day.day, now=day.now,
        shifts=[ShiftOut(shift_type=s.get("shift_type"), start=s["start"][:16], end=s["end"][:16],
                         activities=[ActivityOut(kind=a["kind"], start=a["start"][:16],
                                                 end=a["end"][:16])
                                     for a in s.get("activities", [])])
                for s in day.shifts],
        current=_activity(day.current), next_break=_activity(day.next_break),
        figures=FiguresOut(handled=f.handled, aht_seconds=_finite(f.aht_seconds),
                           talk_seconds=f.talk_seconds, sales=f.sales,
                           sales_amount=f.sales_amount, offers_made=f.offers_made),
        feedback_waiting=day.feedback_waiting,
        feedback=[FeedbackOut(id=e.id, contact_id=e.contact_id, form=e.form, total=e.total,
                              fatal_failed=e.fatal_failed, evaluator=e.evaluator,
                              evaluated_at=local_text(as_utc(e.evaluated_at).timestamp()),
                              url=f"/qa/evaluations/{e.id}")
                  for e in day.feedback],
    )


@router.get("/day", response_model=DayOut)
def my_day(request: Request, session: SessionDep, user: AgentUser) -> DayOut:
    """The logged-in agent's day: schedule, next break, own figures, feedback waiting."""
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    if agent is None:
        raise Forbidden(f"user {user.username} is not linked to an agent")
    return day_out(agent_day(session, agent, center_now(request)))
