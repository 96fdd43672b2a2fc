"""Roster storage (app/rosters.py): drafts, publication, versions, the shifts in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from app.api.errors import Conflict
from app.db import make_engine
from app.rosters import (
    agent_published_shifts,
    create_roster,
    latest_published,
    new_draft_from,
    publish,
    published_shifts,
    save_draft,
    versions_of,
)
from app.testing import create_schema

NOW = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


def shift(agent: str, day: date, start: str, end: str, *, end_day: date | None = None) -> dict[str, Any]:
    return {
        "agent": agent,
        "shift_type": "FT9",
        "start": f"{day.isoformat()}T{start}",
        "end": f"{(end_day or day).isoformat()}T{end}",
        "activities": [],
    }


@pytest.fixture
def session(database_url: str):  # type: ignore[no-untyped-def]
    create_schema(database_url)
    engine = make_engine(database_url)
    with Session(engine) as s:
        yield s
    engine.dispose()


def make(session: Session, start_day: date, days: int, shifts: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    return create_roster(
        session, name="week", start_day=start_day, days=days, problem={"start": str(start_day)},
        roster={"status": "feasible", "shifts": shifts}, user_id=None, now=NOW,
    )


def test_drafts_are_not_in_force_and_published_versions_are_never_edited(session: Session) -> None:
    monday = date(2027, 1, 4)
    v1 = make(session, monday, 7, [shift("agent01", monday, "09:00", "18:00")])
    start, end = datetime(2027, 1, 4), datetime(2027, 1, 11)
    assert published_shifts(session, start, end) == []
    assert latest_published(session, monday) is None

    publish(session, v1, None, NOW)
    assert v1.status == "published" and v1.published_at is not None
    assert [s["agent"] for s in published_shifts(session, start, end)] == ["agent01"]
    assert latest_published(session, monday + timedelta(days=6)).id == v1.id  # type: ignore[union-attr]
    assert latest_published(session, monday + timedelta(days=7)) is None
    with pytest.raises(Conflict):
        save_draft(session, v1, {"shifts": []}, NOW)
    with pytest.raises(Conflict):
        publish(session, v1, None, NOW)

    v2 = new_draft_from(session, v1, None, NOW)
    assert (v2.version, v2.status, v2.based_on) == (2, "draft", v1.id)
    save_draft(session, v2, {"shifts": [shift("agent02", monday, "10:00", "19:00")]}, NOW)
    # the draft changes nothing in force until it is published
    assert [s["agent"] for s in published_shifts(session, start, end)] == ["agent01"]
    publish(session, v2, None, NOW + timedelta(minutes=5))
    assert [s["agent"] for s in published_shifts(session, start, end)] == ["agent02"]
    assert latest_published(session, monday).id == v2.id  # type: ignore[union-attr]
    assert [v.version for v in versions_of(session, v1.roster_id)] == [1, 2]
    # version 1 is kept as it was published
    assert session.get(type(v1), v1.id).roster["shifts"][0]["agent"] == "agent01"  # type: ignore[union-attr]


def test_a_newer_publication_replaces_days_it_covers_only(session: Session) -> None:
    monday = date(2027, 1, 4)
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    week = make(session, monday, 7, [
        shift("agent01", monday, "09:00", "18:00"),
        shift("agent01", tuesday, "09:00", "18:00"),
        shift("agent01", wednesday, "09:00", "18:00"),
    ])
    publish(session, week, None, NOW)
    one_day = make(session, tuesday, 1, [shift("agent02", tuesday, "08:00", "17:00")])
    publish(session, one_day, None, NOW + timedelta(hours=1))
    got = published_shifts(session, datetime(2027, 1, 4), datetime(2027, 1, 7))
    assert [(s["agent"], s["start"][:10]) for s in got] == [
        ("agent01", "2027-01-04"), ("agent02", "2027-01-05"), ("agent01", "2027-01-06"),
    ]


def test_range_overlap_and_times_in_the_center_zone(session: Session) -> None:
    monday = date(2027, 1, 4)
    night = shift("agent03", monday, "22:00", "07:00", end_day=monday + timedelta(days=1))
    v = make(session, monday, 7, [shift("agent01", monday, "09:00", "18:00"), night])
    publish(session, v, None, NOW)
    # 06:00-07:00 local on Tuesday: only the night shift from Monday runs then
    got = published_shifts(session, datetime(2027, 1, 5, 6), datetime(2027, 1, 5, 7))
    assert [s["agent"] for s in got] == ["agent03"]
    # the same hour given as aware UTC (Seoul is UTC+9)
    got = published_shifts(
        session, datetime(2027, 1, 4, 21, tzinfo=UTC), datetime(2027, 1, 4, 22, tzinfo=UTC)
    )
    assert [s["agent"] for s in got] == ["agent03"]
    # a shift ending exactly at the range start does not overlap it
    assert published_shifts(session, datetime(2027, 1, 4, 18), datetime(2027, 1, 4, 20)) == []
    assert [s["agent"] for s in agent_published_shifts(
        session, "agent01", datetime(2027, 1, 4), datetime(2027, 1, 5))] == ["agent01"]
