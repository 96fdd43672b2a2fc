"""The built-in telephony's callers arrive at the planner's forecast rates (issue 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from app.live.forecast_rates import WEEK_SECONDS, ForecastProfile, forecast_profile
from app.models import Interaction
from app.queries import CENTER_TZ
from app.testing import make_client, make_settings

#: a pure weekly pattern: calls per hour on weekdays at 10:00 and 14:00, none otherwise
PATTERN = {10: 12, 14: 6}


def _seed_pattern(engine, today: date, weeks: int = 8) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for k in range(weeks * 7, 0, -1):
        d = today - timedelta(days=k)
        if d.weekday() >= 5:
            continue
        for hour, calls in PATTERN.items():
            for n in range(calls):
                at = datetime(d.year, d.month, d.day, hour, 5 * n, tzinfo=CENTER_TZ).astimezone(UTC)
                rows.append(Interaction(contact_id=f"h{k}-{hour}-{n}", queue="deposits",
                                        arrived_at=at, answered_at=at + timedelta(seconds=4),
                                        handle_seconds=150.0))
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()


def _at(day: date, hour: int, minute: int = 30) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CENTER_TZ).timestamp()


def test_rates_follow_the_forecast_of_a_weekly_pattern(database_url: str) -> None:
    today = date(2026, 11, 30)  # a Monday
    with make_client(make_settings(database_url)) as client:
        engine = client.app.state.engine
        _seed_pattern(engine, today)
        profile = forecast_profile(engine, ["deposits", "cards"], today)
    assert profile is not None and set(profile.calls) == {"deposits"}  # cards: no history
    for day in (today, today + timedelta(days=3)):
        assert profile.calls_per_hour("deposits", _at(day, 10)) == pytest.approx(12, abs=0.5)
        assert profile.calls_per_hour("deposits", _at(day, 14)) == pytest.approx(6, abs=0.5)
        assert profile.calls_per_hour("deposits", _at(day, 12)) == pytest.approx(0, abs=0.5)
    saturday = today + timedelta(days=5)
    assert profile.calls_per_hour("deposits", _at(saturday, 10)) == pytest.approx(0, abs=0.5)
    # beyond the forecast week: the same hour of the week
    later = today + timedelta(days=28)
    assert profile.calls_per_hour("deposits", _at(later, 10)) == pytest.approx(
        profile.calls_per_hour("deposits", _at(today, 10)))
    assert profile.calls_per_hour("cards", _at(today, 10)) == 0.0


def test_no_history_gives_no_forecast_profile(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        assert forecast_profile(client.app.state.engine, ["deposits"], date(2026, 11, 30)) is None


def test_profile_reads_each_interval_and_folds_onto_its_week() -> None:
    start = 1_764_000_000.0
    calls = {"q": {start + 1800.0 * i: float(i) for i in range(int(WEEK_SECONDS // 1800))}}
    profile = ForecastProfile(calls, 1800.0)
    assert profile.calls_per_hour("q", start + 1800 * 3 + 10) == pytest.approx(6.0)
    assert profile.calls_per_hour("q", start + WEEK_SECONDS + 1800 * 3) == pytest.approx(6.0)
    assert profile.calls_per_hour("q", start - WEEK_SECONDS + 1800 * 5) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="interval_seconds"):
        ForecastProfile(calls, 0.0)
