"""Supervisor actions: force an agent's state, change skills on the live engine; roles and errors."""

from __future__ import annotations

from sqlmodel import Session, select

from app.live import get_services
from app.models import Agent, EventRecord
from app.testing import create_user
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit


def _agent_id(client, login: str) -> int:  # type: ignore[no-untyped-def]
    with Session(client.app.state.engine) as session:
        agent = session.exec(select(Agent).where(Agent.login == login)).one()
        assert agent.id is not None
        return agent.id


def _last_state_event(client, login: str) -> EventRecord:  # type: ignore[no-untyped-def]
    with Session(client.app.state.engine) as session:
        rows = session.exec(select(EventRecord).where(
            EventRecord.type == "agent_state_changed", EventRecord.agent_id == login)
            .order_by(EventRecord.seq)).all()
        return rows[-1]


def test_supervisor_forces_states_and_the_log_names_them(database_url: str) -> None:
    with live_client(database_url) as (client, clock):
        as_user(client, "agent01")
        assert client.post("/api/console/login").json()["state"] == "not_ready"
        as_user(client, "sup")
        url = "/api/supervision/agents/agent01/state"
        r = client.post(url, json={"state": "ready"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "ready"
        event = _last_state_event(client, "agent01")
        assert event.payload["state"] == "ready" and event.payload["actor"] == "sup"
        assert event.payload["reason"] is None  # who did it is not glued onto a reason
        clock.advance(5)
        r = client.post(url, json={"state": "not_ready", "reason": "coaching"})
        assert r.status_code == 200 and r.json()["state"] == "not_ready"
        assert r.json()["reason"] == "coaching"
        event = _last_state_event(client, "agent01")
        assert (event.payload["reason"], event.payload["actor"]) == ("coaching", "sup")
        # by database id too
        r = client.post(f"/api/supervision/agents/{_agent_id(client, 'agent01')}/state",
                        json={"state": "logged_out"})
        assert r.status_code == 200 and r.json()["state"] == "logged_out"
        assert _last_state_event(client, "agent01").payload["actor"] == "sup"
        # the agent's own console sees it
        as_user(client, "agent01")
        assert client.get("/api/console/state").json()["state"] == "logged_out"


def test_illegal_moves_are_409_and_unknown_agents_404(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        as_user(client, "sup")
        url = "/api/supervision/agents/agent01/state"
        r = client.post(url, json={"state": "ready"})  # logged out: only the agent logs in
        assert r.status_code == 409 and "logged_out" in r.json()["detail"]
        r = client.post(url, json={"state": "logged_out"})
        assert r.status_code == 409 and "logged_out" in r.json()["detail"]
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        submit(client, lambda e, t: e.arrive(ContactSpec("c1", "deposits", tier="gold"), t))
        client.post("/api/console/answer")
        as_user(client, "sup")
        r = client.post(url, json={"state": "logged_out"})
        assert r.status_code == 409
        assert "talking" in r.json()["detail"] and "logged_out" in r.json()["detail"]
        for ref in ("nobody", "999999", "99999999999"):
            r = client.post(f"/api/supervision/agents/{ref}/state", json={"state": "ready"})
            assert r.status_code == 404, (ref, r.text)
            assert ref in r.json()["detail"]


def test_bad_bodies_name_the_field(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        as_user(client, "sup")
        url = "/api/supervision/agents/agent01/state"
        for body, field in [({}, "state"), ({"state": "talking"}, "state"),
                            ({"state": "not_ready", "reason": "no spaces"}, "reason"),
                            ({"state": "ready", "extra": 1}, "extra")]:
            r = client.post(url, json=body)
            assert r.status_code == 422, body
            assert field in r.json()["detail"], (body, r.json())
        r = client.post("/api/supervision/agents/a%20b/state", json={"state": "ready"})
        assert r.status_code == 422


def test_roles(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        url = "/api/supervision/agents/agent02/state"
        client.cookies.clear()
        assert client.post(url, json={"state": "ready"}).status_code in (401, 403)
        for name in ("agent01", "qa1"):
            as_user(client, name)
            assert client.post(url, json={"state": "ready"}).status_code == 403
        as_user(client, "agent02")
        client.post("/api/console/login")
        create_user(client.app, "boss", "admin")
        as_user(client, "boss")
        r = client.post(url, json={"state": "ready"})
        assert r.status_code == 200 and r.json()["state"] == "ready"
        assert _last_state_event(client, "agent02").payload["actor"] == "boss"


def test_skill_change_reaches_the_live_engine(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        as_user(client, "sup")
        url = f"/api/agents/{_agent_id(client, 'agent02')}/skills"
        r = client.patch(url, json={"skills": [{"skill": "deposits", "proficiency": 5}]})
        assert r.status_code == 200, r.text
        assert r.json()["skills"] == [{"skill": "deposits", "proficiency": 5}]
        engine = get_services(client.app).center.engine
        assert dict(engine.agent_view("agent02").skills) == {"deposits": 5}
        as_user(client, "agent02")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        submit(client, lambda e, t: e.arrive(ContactSpec("c1", "loans", tier="gold"), t))
        assert client.get("/api/console/state").json()["state"] == "ready"  # no loans skill
        as_user(client, "sup")
        r = client.patch(url, json={"skills": [{"skill": "deposits", "proficiency": 5},
                                               {"skill": "loans", "proficiency": 4}]})
        assert r.status_code == 200, r.text
        as_user(client, "agent02")
        state = client.get("/api/console/state").json()
        assert state["state"] == "reserved" and state["contact"]["contact_id"] == "c1"
        as_user(client, "sup")
        r = client.patch(url, json={"skills": [{"skill": "deposits", "proficiency": 6}]})
        assert r.status_code == 422 and "proficiency" in r.json()["detail"]
        assert dict(engine.agent_view("agent02").skills) == {"deposits": 5, "loans": 4}
