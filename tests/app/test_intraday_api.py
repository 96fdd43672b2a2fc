"""The intraday view: forecast vs actual so far, re-forecast, required vs scheduled agents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.models import Interaction
from app.queries import CENTER_TZ
from app.rosters import create_roster, publish
from app.testing import create_user, login, make_client, make_settings


def test_intraday_view(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    today = datetime.now(UTC).astimezone(CENTER_TZ).date()
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=CENTER_TZ)
    monkeypatch.setattr("app.api.intraday.utc_now", lambda: noon.astimezone(UTC))
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "plan", "planner")
        rows = []
        for k in range(21, -1, -1):  # 21 days of 10 calls an hour 09-18, today 20 an hour so far
            d = today - timedelta(days=k)
            for hour in range(9, 18 if k else 12):
                for n in range(10 if k else 20):
                    at = datetime(d.year, d.month, d.day, hour, 3 * n % 60, tzinfo=CENTER_TZ)
                    rows.append(
                        Interaction(
                            contact_id=f"c{k}-{hour}-{n}",
                            queue="deposits",
                            arrived_at=at.astimezone(UTC),
                            answered_at=at.astimezone(UTC) + timedelta(seconds=5),
                            handle_seconds=600.0,
                        )
                    )
        lunch = {"kind": "lunch", "start": f"{today}T12:00", "end": f"{today}T13:00"}
        shifts = [
            {
                "agent": f"agent{i}",
                "shift_type": "FT",
                "start": f"{today}T09:00",
                "end": f"{today}T18:00",
                "activities": [lunch] if i == 0 else [],
            }
            for i in range(2)
        ]
        with Session(client.app.state.engine) as session:
            session.add_all(rows)
            session.commit()
            version = create_roster(
                session,
                name="t",
                start_day=today,
                days=1,
                problem={},
                roster={"shifts": shifts},
                user_id=None,
                now=noon,
            )
            publish(session, version, None, noon)
        login(client, "plan")
        res = client.get("/api/intraday", params={"queue": "deposits", "interval_minutes": 60})
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["roster_version"] == 1 and body["now"] == f"{today}T12:00"
        by_hour = {int(r["start"][11:13]): r for r in body["rows"]}
        assert len(by_hour) == 24
        assert [by_hour[h]["actual"] for h in (9, 10, 11, 12)] == [20, 20, 20, None]
        assert by_hour[10]["forecast"] == pytest.approx(10, abs=1.5)
        assert by_hour[14]["reforecast"] > by_hour[14]["forecast"] * 1.2  # the day runs hot
        assert [by_hour[h]["scheduled"] for h in (8, 10, 12, 13, 18)] == [0, 2, 1, 2, 0]
        for r in body["rows"]:
            assert r["short"] == pytest.approx(max(0.0, r["required"] - r["scheduled"]))
        assert by_hour[3]["required"] == 0 and by_hour[14]["short"] > 0
        assert body["short_agent_hours"] == pytest.approx(sum(r["short"] for r in body["rows"]))

        bad = client.get("/api/intraday", params={"queue": "nowhere"})
        assert bad.status_code == 422 and "queue" in bad.text
        assert (
            client.get(
                "/api/intraday", params={"queue": "deposits", "interval_minutes": 7}
            ).status_code
            == 422
        )


def test_intraday_page(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "plan", "planner", locale="ko")
        create_user(client.app, "agent1", "agent")
        login(client, "agent1")
        assert client.get("/planner/intraday").status_code == 403
        login(client, "plan")
        page = client.get("/planner/intraday")
        assert page.status_code == 200
        assert "당일 운영" in page.text and "/static/intraday.js" in page.text
