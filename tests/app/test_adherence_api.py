"""Adherence API and page on a published roster and a scripted event log (times around now)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.eventlog import SqlEventStore
from app.queries import CENTER_TZ
from app.rosters import create_roster, publish
from app.testing import create_user, login, make_client, make_settings
from routing.events import AgentStateChanged


def local(moment: datetime) -> str:
    return moment.astimezone(CENTER_TZ).replace(tzinfo=None).isoformat(timespec="minutes")


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Today 14:00 in the center (the API's clock is set to it)."""
    today = datetime.now(UTC).astimezone(CENTER_TZ).date()
    at = datetime(today.year, today.month, today.day, 14, 0, tzinfo=CENTER_TZ).astimezone(UTC)
    monkeypatch.setattr("app.api.adherence.utc_now", lambda: at)
    return at


@pytest.fixture
def client(database_url: str, now: datetime) -> Iterator[TestClient]:
    with make_client(make_settings(database_url)) as c:
        create_user(c.app, "sup", "supervisor")
        create_user(c.app, "agent07", "agent")
        create_user(c.app, "agent08", "agent")
        shifts = [
            {
                "agent": "agent07",
                "shift_type": "FT",
                "start": local(now - timedelta(hours=2)),
                "end": local(now + timedelta(hours=2)),
                "activities": [
                    {
                        "kind": "lunch",
                        "start": local(now + timedelta(minutes=60)),
                        "end": local(now + timedelta(minutes=90)),
                    }
                ],
            },
            {
                "agent": "agent08",
                "shift_type": "FT",
                "start": local(now - timedelta(hours=2)),
                "end": local(now + timedelta(hours=2)),
                "activities": [],
            },
        ]
        today = now.astimezone(CENTER_TZ).date()
        with Session(c.app.state.engine) as session:
            version = create_roster(
                session,
                name="t",
                start_day=today - timedelta(days=1),
                days=3,
                problem={},
                roster={"status": "feasible", "shifts": shifts},
                user_id=None,
                now=now,
            )
            publish(session, version, None, now)
        start = (now - timedelta(hours=2)).timestamp()
        SqlEventStore(c.app.state.engine).append(
            [
                AgentStateChanged(
                    at=start - 60, agent_id="agent07", state="not_ready", reason="login"
                ),
                AgentStateChanged(at=start + 60, agent_id="agent07", state="ready"),
                # on a break though the roster says work: out of adherence for 30 minutes now
                AgentStateChanged(
                    at=now.timestamp() - 1800, agent_id="agent07", state="not_ready", reason="break"
                ),
                AgentStateChanged(
                    at=start - 120, agent_id="agent08", state="not_ready", reason="login"
                ),
                AgentStateChanged(at=start, agent_id="agent08", state="ready"),
            ]
        )
        yield c


def test_supervisor_sees_who_is_out_now_and_since_when(client: TestClient, now: datetime) -> None:
    login(client, "sup")
    res = client.get("/api/adherence/now", params={"tolerance_minutes": 5})
    assert res.status_code == 200, res.text
    body = res.json()
    (out,) = body["out_now"]
    assert out["agent"] == "agent07" and out["team"] == "team-1"
    assert out["start"] == local(now - timedelta(minutes=30)) and out["end"] is None
    assert out["scheduled"] == "work" and out["actual"] == "not_ready:break"
    by_agent = {a["agent"]: a for a in body["agents"]}
    # 120 minutes scheduled so far, 30 out (the 2-minute late start is forgiven)
    assert by_agent["agent07"]["adherence"] == pytest.approx(90 / 120, abs=0.01)
    assert by_agent["agent08"]["adherence"] == pytest.approx(1.0)
    (team,) = body["teams"]
    assert team["team"] == "team-1" and team["agents"] == 2
    assert team["adherence"] == pytest.approx(210 / 240, abs=0.01)

    page = client.get("/wallboard/adherence")
    assert page.status_code == 200
    assert 'data-agent="agent07"' in page.text and "휴식" in page.text


def test_day_report_and_bad_input(client: TestClient, now: datetime) -> None:
    login(client, "sup")
    day = now.astimezone(CENTER_TZ).date()
    res = client.get("/api/adherence/day", params={"day": day.isoformat()})
    assert res.status_code == 200 and len(res.json()["agents"]) == 2
    bad = client.get("/api/adherence/now", params={"tolerance_minutes": 61})
    assert bad.status_code == 422 and "tolerance_minutes" in bad.text
    assert client.get("/api/adherence/day", params={"day": "soon"}).status_code == 422


def test_agent_sees_own_schedule_and_next_break(client: TestClient, now: datetime) -> None:
    login(client, "agent07")
    res = client.get("/api/adherence/me")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["agent"] == "agent07" and len(body["shifts"]) == 1
    assert body["next_break"] == {
        "kind": "lunch",
        "start": local(now + timedelta(minutes=60)),
        "end": local(now + timedelta(minutes=90)),
    }
    assert client.get("/api/adherence/now").status_code == 403


def test_agent_adherence_is_its_own(client: TestClient) -> None:
    login(client, "agent07")
    # 120 minutes scheduled so far, 30 out of adherence (on a break during work)
    assert client.get("/api/adherence/me").json()["adherence"] == pytest.approx(0.75, abs=0.01)
    login(client, "agent08")
    me = client.get("/api/adherence/me").json()
    assert me["adherence"] == pytest.approx(1.0) and me["next_break"] is None
