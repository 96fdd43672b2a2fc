"""What the agent console's "my day" panel reads from the database: the agent's published
shifts today, the events of the contacts the agent worked today, and the QA evaluations
waiting for the agent's acknowledgement.

No rule lives here: the next break is :func:`wfm.adherence.next_activity`, the figures
:func:`qa.agent_day.agent_day_figures`; a center day runs from local midnight to the next
(Asia/Seoul, :data:`app.queries.CENTER_TZ`), as everywhere in the suite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.adherence_feed import center_today, day_bounds, local_text, scheduled_shifts
from app.models import Agent, EventRecord, QaEvaluation, QaFormVersion
from app.queries import CENTER_TZ
from app.rosters import agent_published_shifts
from qa.agent_day import AgentDayFigures, agent_day_figures
from routing.events import Event, event_from_json
from wfm.adherence import Activity, next_activity

#: the kinds the console calls "the next break" (as ``/api/adherence/me``)
BREAK_KINDS = ("break", "lunch")
#: contacts of one agent read for a day at most (a busy agent handles ~150; the rest of a
#: larger day is left out of the figures rather than slowing every agent's panel)
MAX_DAY_CONTACTS = 1000
#: evaluations listed at most (the count covers them all)
MAX_FEEDBACK_ROWS = 10


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    contact_id: str
    form: str
    total: float | None
    fatal_failed: bool
    evaluator: str
    evaluated_at: datetime


@dataclass(frozen=True, slots=True)
class AgentDay:
    agent: str
    day: str
    now: str
    shifts: list[dict[str, Any]]
    current: Activity | None
    next_break: Activity | None
    figures: AgentDayFigures
    feedback_waiting: int
    feedback: list[Feedback]


def worked_contact_ids(
    session: Session, login: str, start_at: float, end_at: float
) -> list[str]:
    """Contacts with an event naming the agent in ``[start_at, end_at)`` (live log)."""
    rows = session.exec(
        select(EventRecord.contact_id)
        .where(EventRecord.agent_id == login, EventRecord.source == "live")
        .where(col(EventRecord.at) >= start_at, col(EventRecord.at) < end_at)
        .where(col(EventRecord.contact_id).is_not(None))
        .group_by(EventRecord.contact_id)
        .order_by(func.min(EventRecord.seq))
        .limit(MAX_DAY_CONTACTS)
    ).all()
    return [str(r) for r in rows]


def events_of(session: Session, contact_ids: Sequence[str]) -> list[Event]:
    """Every live event of these contacts, in log order."""
    out: list[Event] = []
    for i in range(0, len(contact_ids), 500):  # bounded IN lists
        chunk = list(contact_ids[i:i + 500])
        rows = session.exec(
            select(EventRecord.seq, EventRecord.payload)
            .where(col(EventRecord.contact_id).in_(chunk), EventRecord.source == "live")
        ).all()
        out.extend(event_from_json(p) for _s, p in sorted(rows, key=lambda r: r[0]))
    return sorted(out, key=lambda e: e.at)


def waiting_feedback(session: Session, agent_id: int) -> tuple[int, list[Feedback]]:
    """The agent's regular evaluations not yet acknowledged (nor disputed), newest first."""
    waiting = (QaEvaluation.agent_id == agent_id, QaEvaluation.kind == "regular",
               QaEvaluation.status == "submitted")
    count = session.exec(select(func.count()).select_from(QaEvaluation).where(*waiting)).one()
    rows = session.exec(
        select(QaEvaluation, QaFormVersion.title)
        .join(QaFormVersion, col(QaFormVersion.id) == col(QaEvaluation.form_version_id))
        .where(*waiting)
        .order_by(col(QaEvaluation.evaluated_at).desc(), col(QaEvaluation.id).desc())
        .limit(MAX_FEEDBACK_ROWS)
    ).all()
    items = [
        Feedback(int(e.id or 0), e.contact_id, title, e.total, e.fatal_failed, e.evaluator,
                 e.evaluated_at)
        for e, title in rows
    ]
    return int(count), items


def agent_day(session: Session, agent: Agent, now: datetime) -> AgentDay:
    """The agent's day as of ``now`` (aware): today's shifts, the activity scheduled now,
    the next break, today's figures so far and the feedback waiting."""
    today = center_today(now)
    lo, hi = day_bounds(today)
    start_at = lo.replace(tzinfo=CENTER_TZ).timestamp()
    end_at = hi.replace(tzinfo=CENTER_TZ).timestamp()
    now_at = now.timestamp()
    shifts = agent_published_shifts(session, agent.login, lo, hi)
    scheduled = scheduled_shifts(shifts)
    current = next((a for s in scheduled for a in s.activities if a.start <= now_at < a.end),
                   None)
    upcoming = next_activity(scheduled, agent.login, now_at, BREAK_KINDS)
    # events of contacts answered before midnight still end today: read from a little before
    ids = worked_contact_ids(session, agent.login, start_at - timedelta(hours=2).total_seconds(),
                             end_at)
    figures = agent_day_figures(events_of(session, ids), agent.login, start_at, end_at)
    waiting, items = waiting_feedback(session, int(agent.id or 0))
    return AgentDay(agent=agent.login, day=today.isoformat(), now=local_text(now_at),
                    shifts=shifts, current=current, next_break=upcoming, figures=figures,
                    feedback_waiting=waiting, feedback=items)
