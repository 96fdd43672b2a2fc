"""Agent console API: the softphone's moves through the engine task; 404/409/422/403, never 500."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import EventRecord, Interaction
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit


def _arrive(client, contact_id: str, queue: str = "deposits", tier: str = "gold") -> None:  # type: ignore[no-untyped-def]
    submit(client, lambda e, t: e.arrive(
        ContactSpec(contact_id, queue, tier=tier, customer_id="17"), t))


def test_full_call_through_the_console(database_url: str) -> None:
    with live_client(database_url) as (client, clock):
        as_user(client, "agent01")
        r = client.post("/api/console/login")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "not_ready"
        assert client.post("/api/console/login").json()["state"] == "not_ready"  # idempotent
        assert client.post("/api/console/ready").json()["state"] == "ready"
        clock.advance(10)
        _arrive(client, "c1")
        state = client.get("/api/console/state").json()
        assert state["state"] == "reserved"
        assert state["contact"]["contact_id"] == "c1" and state["contact"]["customer_id"] == "17"
        clock.advance(3)
        r = client.post("/api/console/answer")
        assert r.json()["state"] == "talking"
        assert [e["event"]["type"] for e in r.json()["events"]] == [
            "contact_answered", "agent_state_changed"]
        assert client.post("/api/console/hold").json()["state"] == "hold"
        r = client.post("/api/console/hold")
        assert r.status_code == 409 and "held" in r.json()["detail"]
        assert client.post("/api/console/retrieve").json()["state"] == "talking"
        clock.advance(100)
        assert client.post("/api/console/hangup").json()["state"] == "wrap_up"
        r = client.post("/api/console/wrapup", json={"disposition": "resolved"})
        assert r.status_code == 200 and r.json()["state"] == "ready"
        with Session(client.app.state.engine) as session:
            row = session.exec(select(Interaction).where(Interaction.contact_id == "c1")).one()
            assert row.outcome == "answered" and row.disposition == "resolved"
            assert row.handle_seconds == pytest.approx(100.0)
            assert session.exec(select(EventRecord)).all()[-1].type == "agent_state_changed"


def test_transfer_to_queue_and_agent(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        as_user(client, "agent02")
        client.post("/api/console/login")
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        _arrive(client, "c1")
        client.post("/api/console/answer")
        r = client.post("/api/console/transfer", json={"agent": "agent02"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "wrap_up"
        client.post("/api/console/wrapup", json={})
        _arrive(client, "c2")
        client.post("/api/console/answer")
        r = client.post("/api/console/transfer", json={"queue": "nope"})
        assert r.status_code == 404 and "nope" in r.json()["detail"]
        r = client.post("/api/console/transfer", json={"queue": "loans"})
        assert r.status_code == 200 and r.json()["contact"]["contact_id"] == "c2"
        as_user(client, "agent02")
        r = client.post("/api/console/ready")
        assert r.json()["state"] == "reserved"  # c1 waited for agent02 personally


BAD_BODIES = [
    ("/api/console/not-ready", {}, "reason"),
    ("/api/console/not-ready", {"reason": "x" * 41}, "reason"),
    ("/api/console/not-ready", {"reason": "lunch", "extra": 1}, "extra"),
    ("/api/console/transfer", {"queue": "a", "agent": "b"}, "body"),
    ("/api/console/transfer", {}, "body"),
    ("/api/console/wrapup", {"disposition": ["x"]}, "disposition"),
    ("/api/console/answer", {"contact_id": "bad id with spaces"}, "contact_id"),
    ("/api/console/answer", "not json", "body"),
]


def test_bad_bodies_are_422_naming_the_field(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "agent01")
        for path, body, field in BAD_BODIES:
            if isinstance(body, str):
                r = client.post(path, content=body, headers={"content-type": "application/json"})
            else:
                r = client.post(path, json=body)
            assert r.status_code == 422, (path, body, r.text)
            assert any(e["field"].endswith(field) for e in r.json()["errors"]), (path, r.json())


def test_illegal_moves_are_409_and_unknown_contacts_404(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "agent01")
        r = client.post("/api/console/ready")
        assert r.status_code == 409 and "logged_out" in r.json()["detail"]
        client.post("/api/console/login")
        r = client.post("/api/console/answer")
        assert r.status_code == 409 and "no contact" in r.json()["detail"]
        r = client.post("/api/console/answer", json={"contact_id": "ghost"})
        assert r.status_code == 404 and "ghost" in r.json()["detail"]
        r = client.post("/api/console/wrapup", json={"disposition": "done"})
        assert r.status_code == 409
        client.post("/api/console/ready")
        _arrive(client, "c1")
        as_user(client, "agent02")
        client.post("/api/console/login")
        r = client.post("/api/console/answer", json={"contact_id": "c1"})
        assert r.status_code == 409 and "agent02" in r.json()["detail"]


def test_roles(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        assert client.get("/api/console/state").status_code == 401
        as_user(client, "qa1")
        assert client.post("/api/console/ready").status_code == 403
        as_user(client, "sup")
        r = client.get("/api/console/state")
        assert r.status_code == 403  # a supervisor may pass the role check only as admin


def test_person_takes_over_a_robot(sqlite_url: str) -> None:
    import numpy as np

    from app.live import get_services
    from app.live.demo_agents import DemoAgents

    with live_client(sqlite_url) as (client, _):
        services = get_services(client.app)
        robots = DemoAgents(services.center, ["agent01", "agent02"], np.random.default_rng(1))
        services.extras.append(robots)
        as_user(client, "agent01")
        assert client.post("/api/console/login").status_code == 200
        assert robots.driven == {"agent02"}


def test_garbage_never_gives_500(sqlite_url: str) -> None:
    from app.testing import create_user

    bodies = [None, b"", b"{", b"[]", b"null", b'{"reason": null}', b'{"contact_id": 5}',
              b'{"queue": "", "agent": ""}', b'"x"', b'{"disposition": "' + b"d" * 500 + b'"}']
    with live_client(sqlite_url) as (client, _):
        create_user(client.app, "boss", "admin")
        for user in ("agent01", "boss"):
            as_user(client, user)
            for route in client.app.routes:
                path = getattr(route, "path", "")
                if not path.startswith(("/api/console", "/api/events")):
                    continue
                for method in getattr(route, "methods", ()):
                    for body in bodies:
                        r = client.request(method, path, content=body,
                                           headers={"content-type": "application/json"})
                        assert r.status_code < 500, (user, method, path, body, r.text)


def test_callback_not_reached_is_retried_then_closed(database_url: str) -> None:
    """A callback the agent dials without reaching the customer: the dial result is stored,
    the agent wraps up (not the ring-no-answer not-ready), and the callback comes back."""
    with live_client(database_url) as (client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        _arrive(client, "c1")
        submit(client, lambda e, t: e.request_callback("c1", t))
        client.post("/api/console/ready")
        state = client.get("/api/console/state").json()
        assert state["state"] == "reserved" and state["contact"]["callback"] is True
        r = client.post("/api/console/callback-not-reached", json={"result": "busy"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "wrap_up"
        types = [e["event"]["type"] for e in r.json()["events"]]
        assert types[0] == "dial_result" and "callback_scheduled" in types
        assert r.json()["events"][0]["event"]["result"] == "busy"
        assert client.post("/api/console/wrapup", json={}).json()["state"] == "ready"
        assert client.get("/api/console/state").json()["state"] == "ready"  # not before its time
        clock.advance(301)  # the policy's callback_retry_delay_seconds (300) later
        submit(client, lambda e, t: [])  # let the engine fire what is due
        state = client.get("/api/console/state").json()
        assert state["state"] == "reserved" and state["contact"]["contact_id"] == "c1"
        client.post("/api/console/answer")
        client.post("/api/console/hangup")
        client.post("/api/console/wrapup", json={})
        r = client.post("/api/console/callback-not-reached", json={"result": "bogus"})
        assert r.status_code == 422 and "result" in r.text
        _arrive(client, "c2")
        client.post("/api/console/answer")
        r = client.post("/api/console/callback-not-reached")
        assert r.status_code == 409 and "not a callback" in r.json()["detail"]


def test_callback_closed_after_an_invalid_number(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        _arrive(client, "c1")
        submit(client, lambda e, t: e.request_callback("c1", t))
        client.post("/api/console/ready")
        r = client.post("/api/console/callback-not-reached", json={"result": "invalid"})
        assert r.status_code == 200, r.text
        ended = [e["event"] for e in r.json()["events"] if e["event"]["type"] == "contact_ended"]
        assert ended and ended[0]["reason"] == "callback_failed"
        with Session(client.app.state.engine) as session:
            row = session.exec(select(Interaction).where(Interaction.contact_id == "c1")).one()
            assert row.outcome == "callback_failed" and row.ended_at is not None


def test_a_handled_call_reaches_the_customers_contact_history(database_url: str) -> None:
    """Issue 12's bug: the call and its disposition were only in the event log. After the
    wrap-up the customer's history has the call (reason, disposition, agent); an unknown
    customer or a call without one writes nothing."""
    from app.models import ContactHistory, Customer

    with live_client(database_url) as (client, clock):
        with Session(client.app.state.engine) as session:
            session.add(Customer(id=17, name="Kim"))
            session.commit()
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        _arrive(client, "c1")
        client.post("/api/console/answer")
        clock.advance(60)
        client.post("/api/console/hangup")
        r = client.post("/api/console/wrapup",
                        json={"disposition": "resolved", "reason": "card_lost"})
        assert r.status_code == 200, r.text
        submit(client, lambda e, t: e.arrive(ContactSpec("c2", "deposits", tier="gold"), t))
        client.post("/api/console/answer")
        client.post("/api/console/hangup")
        client.post("/api/console/wrapup", json={"disposition": "resolved"})
        with Session(client.app.state.engine) as session:
            rows = session.exec(select(ContactHistory)).all()
            stored = [e.payload for e in session.exec(select(EventRecord)).all()
                      if e.type == "wrap_up_ended"]
        assert [(h.customer_id, h.channel, h.reason, h.outcome, h.handled_by) for h in rows] == [
            (17, "call_center", "card_lost", "resolved", "agent01")]
        assert stored[0]["reason"] == "card_lost" and stored[1]["reason"] is None


def test_wrap_up_reason_must_be_a_code(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        as_user(client, "agent01")
        r = client.post("/api/console/wrapup", json={"reason": "no spaces allowed"})
        assert r.status_code == 422 and "reason" in r.text
