"""GET /api/console/day: the agent's schedule and next break from the published roster,
own figures today from the event log (handled, AHT, talk, sales) and QA feedback waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.models import Agent, QaEvaluation, QaForm, QaFormVersion, User
from app.queries import CENTER_TZ
from app.rosters import create_roster, publish
from routing.engine import ContactSpec
from routing.events import OfferRecorded
from tests.app.live_helpers import as_user, live_client, submit

#: 10:00 in Seoul on a Friday
START = datetime(2026, 12, 4, 10, 0, tzinfo=CENTER_TZ).timestamp()


def shift(agent: str, day: str = "2026-12-04") -> dict[str, Any]:
    return {
        "agent": agent, "shift_type": "D9", "start": f"{day}T09:00:00", "end": f"{day}T18:00:00",
        "activities": [
            {"kind": "break", "start": f"{day}T10:30:00", "end": f"{day}T10:45:00"},
            {"kind": "lunch", "start": f"{day}T12:00:00", "end": f"{day}T13:00:00"},
            {"kind": "break", "start": f"{day}T15:30:00", "end": f"{day}T15:45:00"},
        ],
        "work": [],
    }


def publish_roster(app: Any, shifts: list[dict[str, Any]],
                   start_day: date = date(2026, 12, 1), days: int = 7) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with Session(app.state.engine) as session:
        version = create_roster(session, name="December", start_day=start_day, days=days,
                                problem={}, roster={"shifts": shifts}, user_id=None, now=now)
        publish(session, version, None, now)


def evaluations(app: Any) -> None:
    with Session(app.state.engine) as session:
        agent = session.exec(select(Agent).where(Agent.login == "agent01")).one()
        form = QaForm(key="inbound", created_at=datetime(2026, 11, 1, tzinfo=UTC),
                      created_by="qa1")
        session.add(form)
        session.flush()
        version = QaFormVersion(form_id=form.id, version=1, title="Inbound call",
                                created_at=form.created_at, created_by="qa1")
        session.add(version)
        session.flush()
        for i, status in enumerate(("submitted", "acknowledged", "submitted")):
            session.add(QaEvaluation(
                form_version_id=version.id, contact_id=f"q{i}", agent_id=agent.id,
                contact_at=datetime(2026, 12, 1, tzinfo=UTC), evaluator="qa1",
                evaluated_at=datetime(2026, 12, 2, i, tzinfo=UTC), total=80.0 + i,
                status=status))
        session.add(QaEvaluation(  # a calibration score never waits for the agent
            form_version_id=version.id, contact_id="q9", agent_id=agent.id,
            contact_at=datetime(2026, 12, 1, tzinfo=UTC), evaluator="qa1",
            evaluated_at=datetime(2026, 12, 2, tzinfo=UTC), kind="calibration"))
        session.commit()


def prepare(app: Any) -> None:
    publish_roster(app, [shift("agent01"), shift("agent02", "2026-12-05")])
    evaluations(app)


def test_the_agent_day_from_roster_event_log_and_qa(database_url: str) -> None:
    with live_client(database_url, start=START, prepare=prepare) as (client, clock):
        as_user(client, "agent01")
        day = client.get("/api/console/day").json()
        assert day["agent"] == "agent01" and day["day"] == "2026-12-04"
        assert day["now"] == "2026-12-04T10:00"
        assert [s["start"] for s in day["shifts"]] == ["2026-12-04T09:00"]
        assert day["next_break"] == {"kind": "break", "start": "2026-12-04T10:30",
                                     "end": "2026-12-04T10:45"}
        assert day["current"] is None
        assert day["figures"] == {"handled": 0, "aht_seconds": None, "talk_seconds": 0.0,
                                  "sales": 0, "sales_amount": 0.0, "offers_made": 0}
        assert day["feedback_waiting"] == 2
        assert [f["contact_id"] for f in day["feedback"]] == ["q2", "q0"]  # newest first
        assert day["feedback"][0]["url"] == f"/qa/evaluations/{day['feedback'][0]['id']}"
        assert day["feedback"][0]["form"] == "Inbound call"
        # a call: answered, 120 s of talk, 30 s of wrap-up, a card sold
        client.post("/api/console/login")
        client.post("/api/console/ready")
        submit(client, lambda e, t: e.arrive(ContactSpec("c1", "deposits", "gold",
                                                         customer_id="17"), t))
        clock.advance(4)
        client.post("/api/console/answer")
        clock.advance(120)
        client.post("/api/console/hangup")
        submit(client, lambda e, t: [OfferRecorded(at=t, contact_id="c1", agent_id="agent01",
                                                   offer="card", result="accepted",
                                                   amount=500_000.0)])
        clock.advance(30)
        assert client.post("/api/console/wrapup", json={}).status_code == 200
        clock.advance(40 * 60)  # 10:42: on the break
        day = client.get("/api/console/day").json()
        assert day["figures"]["handled"] == 1 and day["figures"]["sales"] == 1
        assert day["figures"]["aht_seconds"] == pytest.approx(150.0)
        assert day["figures"]["talk_seconds"] == pytest.approx(120.0)
        assert day["figures"]["sales_amount"] == pytest.approx(500_000.0)
        assert day["current"]["kind"] == "break"
        assert day["next_break"]["start"] == "2026-12-04T10:30"  # the current one until it ends
        clock.advance(10 * 60)
        assert client.get("/api/console/day").json()["next_break"]["kind"] == "lunch"
        # agent02 has no shift today and worked no call
        as_user(client, "agent02")
        other = client.get("/api/console/day").json()
        assert other["shifts"] == [] and other["next_break"] is None
        assert other["figures"]["handled"] == 0 and other["feedback_waiting"] == 0


def test_only_agents_with_an_agent_profile(database_url: str) -> None:
    with live_client(database_url, start=START) as (client, _clock):
        as_user(client, "sup")
        assert client.get("/api/console/day").status_code == 403
        with Session(client.app.state.engine) as session:
            user = session.exec(select(User).where(User.username == "agent01")).one()
            user.agent_id = None
            session.add(user)
            session.commit()
        as_user(client, "agent01")
        r = client.get("/api/console/day")
        assert r.status_code == 403 and "not linked" in r.json()["detail"]
        client.cookies.clear()
        assert client.get("/api/console/day").status_code == 401


def test_yesterdays_calls_do_not_count_today(database_url: str) -> None:
    with live_client(database_url, start=START - timedelta(days=1).total_seconds()) as (
            client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        submit(client, lambda e, t: e.arrive(ContactSpec("c1", "deposits", "gold"), t))
        client.post("/api/console/answer")
        clock.advance(60)
        client.post("/api/console/hangup")
        client.post("/api/console/wrapup", json={})
        assert client.get("/api/console/day").json()["figures"]["handled"] == 1
        clock.advance(timedelta(days=1).total_seconds())
        assert client.get("/api/console/day").json()["figures"]["handled"] == 0
