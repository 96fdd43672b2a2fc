"""What :mod:`wfm.adherence` reads, from the database: the published roster and agent states.

* Shifts: :func:`app.rosters.published_shifts` (naive center-local ISO times) converted to
  Unix seconds, the clock of the event log (``event_log.at``).
* State changes: the ``agent_state_changed`` records of the live event log from
  :data:`TRACE_BACK` before the day, plus each agent's last one before that (its state then);
  spells are traced back that far, the figures count from midnight.
* Teams: ``agent.team`` by login.

A center day runs from local midnight to the next (Asia/Seoul). No rule lives here: the
adherence figures are computed by :func:`wfm.adherence.measure_adherence`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Agent, EventRecord
from app.queries import CENTER_TZ
from app.rosters import published_shifts
from wfm.adherence import Activity, AdherenceReport, ScheduledShift, measure_adherence

STATE_EVENT = "agent_state_changed"
#: How far before the day a spell is traced back (a night shift's agent out since 23:40
#: shows "since 23:40", not "since 00:00"); the day's figures still start at midnight.
TRACE_BACK = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class StateRow:
    """An ``agent_state_changed`` record as :class:`wfm.adherence.StateChange`."""

    at: float
    agent_id: str
    state: str
    reason: str | None


def local_seconds(text: str) -> float:
    """A naive center-local ISO time as Unix seconds."""
    return datetime.fromisoformat(text).replace(tzinfo=CENTER_TZ).timestamp()


def local_text(at: float) -> str:
    """Unix seconds as a center-local ``YYYY-MM-DDTHH:MM`` (what the pages show)."""
    moment = datetime.fromtimestamp(at, UTC).astimezone(CENTER_TZ)
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The center day's local midnight and the next, naive local."""
    start = datetime.combine(day, time())
    return start, start + timedelta(days=1)


def center_today(now: datetime) -> date:
    return now.astimezone(CENTER_TZ).date()


def scheduled_shifts(shifts: Iterable[Mapping[str, Any]]) -> list[ScheduledShift]:
    """ROSTER.json shift dicts as :class:`ScheduledShift` on the Unix clock."""
    return [
        ScheduledShift(
            str(s["agent"]),
            local_seconds(s["start"]),
            local_seconds(s["end"]),
            tuple(
                Activity(str(a["kind"]), local_seconds(a["start"]), local_seconds(a["end"]))
                for a in s.get("activities", [])
            ),
        )
        for s in shifts
    ]


def state_changes(
    session: Session, start_at: float, end_at: float, agent: str | None = None
) -> list[StateRow]:
    """State changes in ``[start_at, end_at]`` and each agent's last one before ``start_at``
    (of one ``agent`` when given)."""
    mine = [] if agent is None else [EventRecord.agent_id == agent]
    before = (
        select(EventRecord.agent_id, func.max(EventRecord.seq).label("seq"))
        .where(EventRecord.type == STATE_EVENT, EventRecord.source == "live", *mine)
        .where(col(EventRecord.at) < start_at)
        .group_by(EventRecord.agent_id)
        .subquery()
    )
    opening = session.exec(
        select(EventRecord).join(before, col(EventRecord.seq) == before.c.seq)
    ).all()
    inside = session.exec(
        select(EventRecord)
        .where(EventRecord.type == STATE_EVENT, EventRecord.source == "live", *mine)
        .where(col(EventRecord.at) >= start_at, col(EventRecord.at) <= end_at)
        .order_by(col(EventRecord.seq))
    ).all()
    return [
        StateRow(
            float(r.at),
            str(r.agent_id),
            str(r.payload.get("state", "logged_out")),
            r.payload.get("reason"),
        )
        for r in [*opening, *inside]
        if r.agent_id
    ]


def teams_by_login(session: Session) -> dict[str, str]:
    return {a.login: a.team for a in session.exec(select(Agent)).all()}


def day_report(
    session: Session,
    day: date,
    *,
    now: datetime | None,
    tolerance_minutes: float,
    agent: str | None = None,
) -> AdherenceReport:
    """Adherence of ``day`` (center-local); with ``now`` (aware) the live view up to it;
    of one ``agent`` (login) when given, else of everybody."""
    lo, hi = day_bounds(day)
    start_at = lo.replace(tzinfo=CENTER_TZ).timestamp()
    end_at = hi.replace(tzinfo=CENTER_TZ).timestamp()
    now_at = None if now is None else min(now.timestamp(), end_at)
    back = lo - TRACE_BACK
    shifts = scheduled_shifts(
        s for s in published_shifts(session, back, hi) if agent is None or s["agent"] == agent
    )
    trace_from = start_at - TRACE_BACK.total_seconds()
    changes = state_changes(session, trace_from, end_at if now_at is None else now_at, agent)
    return measure_adherence(
        shifts,
        changes,
        start=start_at,
        end=end_at,
        now=now_at if now_at is not None and start_at < now_at < end_at else None,
        tolerance_seconds=tolerance_minutes * 60.0,
        teams=teams_by_login(session),
        trace_from=trace_from,
    )
