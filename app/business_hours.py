"""Business hours and holidays per site as an admin sets them (tables ``site_hours`` and
``site_holiday``, issue 7); the rules live in :mod:`wfm.business_hours`.

Every change is one admin audit row in the same transaction (``hours.set``,
``holiday.add``, ``holiday.delete``). :func:`load_hours` builds the core's
:class:`~wfm.business_hours.BusinessHours` that the planner's chain (closed intervals and
holidays require nobody) and the live center (a call arriving while every site serving
its queue is closed hears the closed message) read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.admin_audit import record_change
from app.api.errors import Conflict, NotFound
from app.models import (
    Agent,
    AgentSkill,
    Queue,
    QueueHours,
    Site,
    SiteHoliday,
    SiteHours,
    User,
)
from app.queries import CENTER_TZ
from routing.engine import ContactSpec
from routing.events import SelfServiceEnded
from wfm.business_hours import (
    DAY_TYPES,
    BusinessHours,
    DayType,
    Holiday,
    TimeRange,
    format_hhmm,
    parse_ranges,
    queue_is_open,
    zero_when_closed,
)

log = logging.getLogger("contactops.live")

SITES: tuple[str, ...] = tuple(s.value for s in Site)


def _ranges(row: SiteHours | QueueHours, key: str) -> tuple[TimeRange, ...]:
    return parse_ranges([tuple(pair) for pair in row.ranges or []], f"{key}.{row.day_type}")


def load_hours(session: Session) -> BusinessHours:
    """The stored hours and holidays, in the center's time zone."""
    sites: dict[str, dict[DayType, tuple[TimeRange, ...]]] = {}
    for row in session.exec(select(SiteHours).order_by(col(SiteHours.id))).all():
        if row.day_type in DAY_TYPES:
            sites.setdefault(row.site, {})[row.day_type] = _ranges(row, row.site)
    queues: dict[str, dict[DayType, tuple[TimeRange, ...]]] = {}
    for qrow in session.exec(select(QueueHours).order_by(col(QueueHours.id))).all():
        if qrow.day_type in DAY_TYPES:
            queues.setdefault(qrow.queue, {})[qrow.day_type] = _ranges(qrow, qrow.queue)
    holidays = tuple(
        Holiday(h.day, h.name, h.site)
        for h in session.exec(select(SiteHoliday).order_by(col(SiteHoliday.day))).all()
    )
    return BusinessHours(sites, holidays, str(CENTER_TZ), queues)


def load_hours_from(db: Engine) -> BusinessHours:
    with Session(db) as session:
        return load_hours(session)


def hours_table(session: Session) -> dict[str, dict[str, list[list[str]]]]:
    """{site: {day_type: [[start, end], ...]}} of the stored rows (what the admin set)."""
    out: dict[str, dict[str, list[list[str]]]] = {s: {} for s in SITES}
    for row in session.exec(select(SiteHours).order_by(col(SiteHours.id))).all():
        out.setdefault(row.site, {})[row.day_type] = [list(p) for p in row.ranges or []]
    return out


def queue_hours_table(session: Session) -> dict[str, dict[str, list[list[str]]]]:
    """{queue: {day_type: [[start, end], ...]}} of the queues with their own hours."""
    out: dict[str, dict[str, list[list[str]]]] = {}
    for row in session.exec(select(QueueHours).order_by(col(QueueHours.queue),
                                                        col(QueueHours.id))).all():
        out.setdefault(row.queue, {})[row.day_type] = [list(p) for p in row.ranges or []]
    return out


def _set_rows(session: Session, actor: User, rows: dict[str, Any],
              make: Callable[[str, list[list[str]]], Any],
              days: dict[str, Sequence[TimeRange] | None]) -> dict[str, Any]:
    """Apply ``days`` to the stored ``rows`` ({day_type: row}); the audit's detail."""
    before = {k: r.ranges for k, r in rows.items() if k in days}
    now = datetime.now(UTC)
    after: dict[str, Any] = {}
    for day_type, ranges in days.items():
        row = rows.get(day_type)
        if ranges is None:
            if row is not None:
                session.delete(row)
            after[day_type] = None
            continue
        value = [[format_hhmm(r.start_minute), format_hhmm(r.end_minute)] for r in ranges]
        if row is None:
            row = make(day_type, value)
        row.ranges, row.updated_at, row.updated_by = value, now, actor.username
        session.add(row)
        after[day_type] = value
    return {"before": before, "after": after}


def set_site_hours(
    session: Session, actor: User, site: str, days: dict[str, Sequence[TimeRange] | None]
) -> None:
    """Set ``site``'s hours of the day types in ``days`` (validated ranges; an empty
    sequence = closed that day; None = remove the entry, so ``mon`` falls back to
    ``weekday`` and other days are closed) and audit the change (``hours.set``)."""
    rows = {r.day_type: r for r in session.exec(
        select(SiteHours).where(col(SiteHours.site) == site)).all()}
    now = datetime.now(UTC)
    detail = _set_rows(session, actor, rows, lambda d, v: SiteHours(
        site=site, day_type=d, ranges=v, updated_at=now, updated_by=actor.username), days)
    record_change(session, actor, "hours.set", site, detail)
    session.commit()


def set_queue_hours(
    session: Session, actor: User, queue: str, days: dict[str, Sequence[TimeRange] | None]
) -> None:
    """Set ``queue``'s own hours (as :func:`set_site_hours`; ``queue_hours.set``); 404 for
    a queue that does not exist."""
    if session.exec(select(Queue.id).where(col(Queue.name) == queue)).first() is None:
        raise NotFound(f"queue {queue!r} not found")
    rows = {r.day_type: r for r in session.exec(
        select(QueueHours).where(col(QueueHours.queue) == queue)).all()}
    now = datetime.now(UTC)
    detail = _set_rows(session, actor, rows, lambda d, v: QueueHours(
        queue=queue, day_type=d, ranges=v, updated_at=now, updated_by=actor.username), days)
    record_change(session, actor, "queue_hours.set", queue, detail)
    session.commit()


def clear_queue_hours(session: Session, actor: User, queue: str) -> None:
    """Remove ``queue``'s own hours (it follows its sites again); audited."""
    rows = list(session.exec(select(QueueHours).where(col(QueueHours.queue) == queue)).all())
    if not rows:
        raise NotFound(f"queue {queue!r} has no hours of its own")
    record_change(session, actor, "queue_hours.clear", queue,
                  {"before": {r.day_type: r.ranges for r in rows}})
    for row in rows:
        session.delete(row)
    session.commit()


def list_holidays(session: Session, year: int | None = None) -> list[SiteHoliday]:
    query = select(SiteHoliday).order_by(col(SiteHoliday.day), col(SiteHoliday.id))
    if year is not None:
        query = query.where(col(SiteHoliday.day) >= date(year, 1, 1)).where(
            col(SiteHoliday.day) <= date(year, 12, 31))
    return list(session.exec(query).all())


def add_holiday(session: Session, actor: User, holiday: Holiday) -> SiteHoliday:
    """Store ``holiday`` (validated) and audit it; 409 when that day is already one for
    the same sites."""
    same = session.exec(select(SiteHoliday).where(col(SiteHoliday.day) == holiday.day)).all()
    if any(h.site == holiday.site or h.site is None for h in same):
        raise Conflict(f"day: {holiday.day.isoformat()} is already a holiday"
                       f"{'' if holiday.site is None else ' of ' + holiday.site}")
    row = SiteHoliday(day=holiday.day, name=holiday.name, site=holiday.site)
    session.add(row)
    record_change(session, actor, "holiday.add", f"{holiday.site or 'all sites'} "
                  f"{holiday.day.isoformat()}", {"name": holiday.name})
    session.commit()
    session.refresh(row)
    return row


def delete_holiday(session: Session, actor: User, holiday_id: int) -> None:
    row = session.get(SiteHoliday, holiday_id)
    if row is None:
        raise NotFound(f"holiday {holiday_id} not found")
    record_change(session, actor, "holiday.delete", f"{row.site or 'all sites'} "
                  f"{row.day.isoformat()}", {"name": row.name})
    session.delete(row)
    session.commit()


def queue_sites(session: Session, skills: Sequence[str]) -> dict[str, list[str]]:
    """{skill: sites of the active agents having it} (a queue serves its skill)."""
    rows = session.exec(
        select(AgentSkill.skill, Agent.site)
        .join(Agent, col(Agent.id) == col(AgentSkill.agent_id))
        .where(col(Agent.active).is_(True))
        .where(col(AgentSkill.skill).in_(list(skills)))
        .distinct()
    ).all()
    out: dict[str, list[str]] = {s: [] for s in skills}
    for skill, site in rows:
        out[skill].append(site)
    return {k: sorted(v) for k, v in out.items()}


#: seconds the live center keeps the hours it read before reading them again (an admin's
#: change reaches the live center within this time)
LIVE_RELOAD_SECONDS = 60.0


class ClosedCheck:
    """``check(queue, at)``: True when every site serving ``queue`` is closed at epoch ``at``
    (what the live center's telephony asks before it queues a call).

    The hours are read from ``db`` when the check is built, then again when they are older
    than :data:`LIVE_RELOAD_SECONDS` on the center's clock: inside the live center's event
    loop in a worker thread (the engine never waits for the database; until the new hours
    are in, the old ones answer), elsewhere at once. ``clock_map`` maps the time first (the
    demo's demo-day clock, so the demo plays business hours at night as its calls do).
    """

    def __init__(self, db: Engine, clock_map: Callable[[float], float] | None = None) -> None:
        self.db = db
        self.clock_map = clock_map
        self.loaded_at: float | None = None
        self.refreshing = False
        self.table: tuple[BusinessHours, dict[str, list[str]]] = self._read()

    def _read(self) -> tuple[BusinessHours, dict[str, list[str]]]:
        with Session(self.db) as session:
            hours = load_hours(session)
            skills = {str(s) for s in session.exec(select(AgentSkill.skill).distinct()).all()}
            sites = queue_sites(session, sorted(skills))
            names = session.exec(select(Queue.name, Queue.skill)).all()
        sites.update({n: sites.get(s, []) for n, s in names})
        return hours, sites

    def _refresh(self, at: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in the live center's loop: read now
            self.table, self.loaded_at = self._read(), at
            return
        self.refreshing = True

        def done(future: asyncio.Future[tuple[BusinessHours, dict[str, list[str]]]]) -> None:
            self.refreshing = False
            if future.exception() is not None:
                log.warning("business hours not re-read: %s", future.exception())
                self.loaded_at = at  # try again in a while
                return
            self.table, self.loaded_at = future.result(), at

        loop.run_in_executor(None, self._read).add_done_callback(done)

    def __call__(self, queue: str, at: float) -> bool:
        if self.loaded_at is None:
            self.loaded_at = at
        elif not 0 <= at - self.loaded_at < LIVE_RELOAD_SECONDS and not self.refreshing:
            self._refresh(at)
        hours, sites = self.table
        when = self.clock_map(at) if self.clock_map is not None else at
        return not queue_is_open(hours, queue, sites.get(queue, []),
                                 datetime.fromtimestamp(when, UTC))


#: seconds of the recorded closed message ("the center is closed; our hours are ...")
CLOSED_MESSAGE_SECONDS = 20.0


def closed_message(spec: ContactSpec, at: float) -> SelfServiceEnded:
    """What a call arriving while its queue is closed produces: the IVR plays the closed
    message and the call ends there, *not completed* (the caller was not served) and never
    queued, so no ``ContactArrived``: it is no contact of the queue's service level or
    abandonment, and stays visible in the event log as a self-service end."""
    return SelfServiceEnded(at, spec.contact_id, spec.queue, completed=False,
                            seconds=CLOSED_MESSAGE_SECONDS, customer_id=spec.customer_id)


def close_forecast_rows(session: Session, queue: str, rows: Sequence[Any],
                        interval_minutes: int) -> None:
    """Set ``offered``, ``offered_low`` and ``offered_high`` of the forecast ``rows`` (the
    API's rows: ``start`` center-local ISO text) to 0 where every site serving ``queue`` is
    closed, in place: the planner sees the demand the center will take."""
    if not rows:
        return
    hours = load_hours(session)
    sites = queue_sites(session, [queue])[queue]
    starts = [datetime.fromisoformat(str(r.start)) for r in rows]
    starts = [s if s.tzinfo else s.replace(tzinfo=CENTER_TZ) for s in starts]
    kept = zero_when_closed(hours, sites, starts, [1.0] * len(rows), interval_minutes, queue)
    for row, keep in zip(rows, kept, strict=True):
        if not keep:
            row.offered = row.offered_low = row.offered_high = 0.0
