"""Roster storage: drafts and published versions (tables ``roster`` and ``roster_version``).

A :class:`~app.models.Roster` is one horizon (``days`` days from ``start_day``); its
versions are numbered 1, 2, ... A version is a *draft* while the planner edits it and
becomes *published* once (who and when are kept); a published version is never changed
again: a new draft is copied from it (:func:`new_draft_from`) with the next number.

Shifts are stored as ROSTER.json shift dicts (``{agent, shift_type, start, end,
activities: [{kind, start, end}], work: [{skill, start, end}]}``): ``agent`` is the agent's
login (``agent07``), times are naive local ISO times in the center's time zone
(Asia/Seoul, :data:`app.queries.CENTER_TZ`), as the problem (PROBLEM.json) has them.

What the rest of the app reads:

* :func:`published_shifts` — the shifts in force over a time range: for each day, the
  shifts of the most recently published version whose horizon holds that day;
* :func:`latest_published` — that version for one day.

No HTTP here and no business rule: coverage and rule checks are :mod:`wfm.roster_checks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.api.errors import Conflict, NotFound
from app.models import Roster, RosterStatus, RosterVersion
from app.queries import CENTER_TZ

#: Longest horizon a roster may have (the solver's ``wfm.roster_problem.MAX_DAYS``).
MAX_ROSTER_DAYS = 42
#: Versions kept per roster; a planner who needs more starts a new roster.
MAX_VERSIONS = 200


def local_naive(moment: datetime) -> datetime:
    """``moment`` as a naive center-local time (aware values are converted first)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(CENTER_TZ).replace(tzinfo=None)


def horizon_days(roster: Roster) -> list[date]:
    return [roster.start_day + timedelta(days=i) for i in range(roster.days)]


def _published_covering(
    session: Session, first: date, last: date
) -> Iterator[tuple[RosterVersion, Roster]]:
    """Published versions whose horizon meets ``[first, last]``, newest publication first."""
    statement = (
        select(RosterVersion, Roster)
        .join(Roster, col(Roster.id) == col(RosterVersion.roster_id))
        .where(RosterVersion.status == RosterStatus.published)
        .where(col(Roster.start_day) <= last)
        .where(col(Roster.start_day) >= first - timedelta(days=MAX_ROSTER_DAYS))
        .order_by(col(RosterVersion.published_at).desc(), col(RosterVersion.id).desc())
    )
    for version, roster in session.exec(statement):
        if roster.start_day + timedelta(days=roster.days - 1) >= first:
            yield version, roster


def latest_published(session: Session, start_day: date) -> RosterVersion | None:
    """The most recently published version whose horizon holds ``start_day``, or None."""
    for version, _roster in _published_covering(session, start_day, start_day):
        return version
    return None


def published_shifts(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Shifts in force that overlap ``[start, end)`` (naive local times; aware ones are
    converted to the center's zone), sorted by start then agent.

    Each day is taken from the most recently published version whose horizon holds it
    (a shift belongs to the day it starts on), so a newer publication replaces an older
    one day by day and two versions never both count.
    """
    start, end = local_naive(start), local_naive(end)
    if end <= start:
        return []
    first = start.date() - timedelta(days=1)  # a shift from the day before may run past midnight
    last = end.date()
    wanted = {first + timedelta(days=i) for i in range((last - first).days + 1)}
    taken: set[date] = set()
    out: list[dict[str, Any]] = []
    for version, roster in _published_covering(session, first, last):
        days = (set(horizon_days(roster)) & wanted) - taken
        if not days:
            continue
        taken |= days
        for shift in version.roster.get("shifts", []):
            s_start = datetime.fromisoformat(shift["start"])
            s_end = datetime.fromisoformat(shift["end"])
            if s_start.date() in days and s_start < end and s_end > start:
                out.append(dict(shift))
    out.sort(key=lambda s: (s["start"], s["agent"]))
    return out


def agent_published_shifts(
    session: Session, login: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """:func:`published_shifts` of one agent (by login)."""
    return [s for s in published_shifts(session, start, end) if s["agent"] == login]


# --- drafts and publication ------------------------------------------------------------------


def create_roster(
    session: Session,
    *,
    name: str,
    start_day: date,
    days: int,
    problem: Mapping[str, Any],
    roster: Mapping[str, Any],
    user_id: int | None,
    now: datetime,
) -> RosterVersion:
    """A new roster with its first version, a draft (committed)."""
    head = Roster(name=name, start_day=start_day, days=days, created_by=user_id, created_at=now)
    session.add(head)
    session.flush()
    assert head.id is not None
    version = RosterVersion(
        roster_id=head.id,
        version=1,
        status=RosterStatus.draft,
        problem=dict(problem),
        roster=dict(roster),
        created_by=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(version)
    session.commit()
    session.refresh(version)
    return version


def get_roster(session: Session, roster_id: int) -> Roster:
    roster = session.get(Roster, roster_id)
    if roster is None:
        raise NotFound(f"roster {roster_id} not found")
    return roster


def get_version(session: Session, version_id: int) -> RosterVersion:
    version = session.get(RosterVersion, version_id)
    if version is None:
        raise NotFound(f"roster version {version_id} not found")
    return version


def list_rosters(session: Session, limit: int = 50) -> list[tuple[Roster, list[RosterVersion]]]:
    """The newest rosters (by first day, then id) with their versions, oldest version first."""
    heads = session.exec(
        select(Roster).order_by(col(Roster.start_day).desc(), col(Roster.id).desc()).limit(limit)
    ).all()
    ids = [h.id for h in heads]
    versions: dict[int, list[RosterVersion]] = {i: [] for i in ids if i is not None}
    if ids:
        rows = session.exec(
            select(RosterVersion)
            .where(col(RosterVersion.roster_id).in_(ids))
            .order_by(col(RosterVersion.version))
        )
        for v in rows:
            versions[v.roster_id].append(v)
    return [(h, versions.get(h.id or 0, [])) for h in heads]


def versions_of(session: Session, roster_id: int) -> list[RosterVersion]:
    return list(
        session.exec(
            select(RosterVersion)
            .where(RosterVersion.roster_id == roster_id)
            .order_by(col(RosterVersion.version))
        )
    )


def _check_draft(version: RosterVersion) -> None:
    if version.status != RosterStatus.draft:
        raise Conflict(
            f"roster version {version.id} is {version.status}, expected draft: a published "
            "version is never edited; make a new draft from it"
        )


def save_draft(
    session: Session, version: RosterVersion, roster: Mapping[str, Any], now: datetime
) -> RosterVersion:
    """Replace a draft's ROSTER.json (409 for a published version)."""
    _check_draft(version)
    version.roster = dict(roster)
    version.updated_at = now
    session.add(version)
    session.commit()
    session.refresh(version)
    return version


def publish(
    session: Session, version: RosterVersion, user_id: int | None, now: datetime
) -> RosterVersion:
    """Publish a draft: it is in force from now on and never edited again."""
    _check_draft(version)
    version.status = RosterStatus.published
    version.published_by = user_id
    version.published_at = now
    version.updated_at = now
    session.add(version)
    session.commit()
    session.refresh(version)
    return version


def new_draft_from(
    session: Session, version: RosterVersion, user_id: int | None, now: datetime
) -> RosterVersion:
    """A draft copied from ``version`` with the roster's next version number."""
    top = session.exec(
        select(func.max(RosterVersion.version)).where(RosterVersion.roster_id == version.roster_id)
    ).one()
    number = int(top or 0) + 1
    if number > MAX_VERSIONS:
        raise Conflict(f"a roster keeps at most {MAX_VERSIONS} versions; start a new roster")
    draft = RosterVersion(
        roster_id=version.roster_id,
        version=number,
        status=RosterStatus.draft,
        problem=dict(version.problem),
        roster=dict(version.roster),
        based_on=version.id,
        created_by=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.commit()
    session.refresh(draft)
    return draft
