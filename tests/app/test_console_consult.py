"""Agent console API: consult transfer (consult, answer, complete, cancel) between two agents."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import EventRecord, Interaction
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit


def _arrive(client, contact_id: str, queue: str = "deposits") -> None:  # type: ignore[no-untyped-def]
    submit(client, lambda e, t: e.arrive(ContactSpec(contact_id, queue, customer_id="17"), t))


def _two_agents_one_call(client, clock) -> None:  # type: ignore[no-untyped-def]
    """agent01 talks with c1; agent02 is ready."""
    as_user(client, "agent02")
    client.post("/api/console/login")
    as_user(client, "agent01")
    client.post("/api/console/login")
    client.post("/api/console/ready")
    _arrive(client, "c1")
    clock.advance(5)
    assert client.post("/api/console/answer").json()["state"] == "talking"
    as_user(client, "agent02")
    assert client.post("/api/console/ready").json()["state"] == "ready"
    as_user(client, "agent01")


def test_consult_then_complete_the_transfer(database_url: str) -> None:
    with live_client(database_url) as (client, clock):
        _two_agents_one_call(client, clock)
        clock.advance(20)
        r = client.post("/api/console/consult",
                        json={"agent": "agent02", "note": "wants the loan terms"})
        assert r.status_code == 200, r.text
        state = r.json()
        assert state["state"] == "hold" and state["contact"]["state"] == "held"
        assert state["consult"]["role"] == "consulting"
        assert state["consult"]["colleague_id"] == "agent02"
        assert state["consult"]["state"] == "ringing"
        assert [e["event"]["type"] for e in state["events"]] == [
            "contact_held", "agent_state_changed", "consult_started", "agent_state_changed"]
        # Resume and a blind transfer wait for the consult's end
        r = client.post("/api/console/retrieve")
        assert r.status_code == 409 and "consult" in r.json()["detail"]
        r = client.post("/api/console/consult/complete")
        assert r.status_code == 409 and "not answered" in r.json()["detail"]

        as_user(client, "agent02")  # the colleague is offered the consult, with the note
        state = client.get("/api/console/state").json()
        assert state["state"] == "reserved"
        assert state["contact"]["contact_id"] == "c1"
        assert state["consult"] == {
            "role": "colleague", "contact_id": "c1", "agent_id": "agent01",
            "colleague_id": "agent02", "queue": None, "state": "ringing",
            "started_at": state["consult"]["started_at"], "note": "wants the loan terms"}
        r = client.post("/api/console/answer")  # the caller is not offered to them
        assert r.status_code == 409
        clock.advance(3)
        r = client.post("/api/console/consult/answer")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "talking" and r.json()["consult"]["state"] == "talking"
        r = client.post("/api/console/consult/complete")  # only the agent holding the caller
        assert r.status_code == 409

        as_user(client, "agent01")
        clock.advance(30)
        r = client.post("/api/console/consult/complete")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "wrap_up" and r.json()["consult"] is None
        assert client.post("/api/console/wrapup", json={}).json()["state"] == "ready"

        as_user(client, "agent02")  # the caller is now with the colleague, the note with them
        state = client.get("/api/console/state").json()
        assert state["state"] == "talking" and state["consult"] is None
        assert state["contact"]["state"] == "connected"
        assert state["contact"]["transfer_note"] == "wants the loan terms"
        assert state["contact"]["transferred_by"] == "agent01"
        clock.advance(60)
        assert client.post("/api/console/hangup").json()["state"] == "wrap_up"
        r = client.post("/api/console/wrapup", json={"disposition": "resolved"})
        assert r.json()["state"] == "ready"
        with Session(client.app.state.engine) as session:
            row = session.exec(select(Interaction).where(Interaction.contact_id == "c1")).one()
            assert row.outcome == "answered" and row.disposition == "resolved"
            # agent01 talked 20 + 3 + 30 s, agent02 consulted 30 s and talked 60 s
            assert row.handle_seconds == pytest.approx(53.0 + 30.0 + 60.0)
            types = [e.type for e in session.exec(select(EventRecord)).all()]
            assert types.count("consult_started") == 1 and "consult_answered" in types
            assert types.count("consult_ended") == 1


def test_consult_cancelled_by_either_agent(database_url: str) -> None:
    with live_client(database_url) as (client, clock):
        _two_agents_one_call(client, clock)
        r = client.post("/api/console/consult", json={"queue": "deposits", "note": "?"})
        assert r.status_code == 200, r.text
        assert r.json()["consult"]["colleague_id"] == "agent02"
        assert r.json()["consult"]["queue"] == "deposits"
        r = client.post("/api/console/consult/cancel")  # the first agent cancels
        assert r.status_code == 200 and r.json()["consult"] is None
        assert r.json()["state"] == "hold"
        assert client.post("/api/console/retrieve").json()["state"] == "talking"

        client.post("/api/console/consult", json={"agent": "agent02"})
        as_user(client, "agent02")
        client.post("/api/console/consult/answer")
        r = client.post("/api/console/consult/cancel")  # the colleague hangs up the consult
        assert r.status_code == 200 and r.json()["state"] == "ready"
        assert r.json()["contact"] is None and r.json()["consult"] is None
        r = client.post("/api/console/consult/cancel")
        assert r.status_code == 409 and "no consult" in r.json()["detail"]
        as_user(client, "agent01")
        state = client.get("/api/console/state").json()
        assert state["state"] == "hold" and state["consult"] is None


def test_consult_refusals(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        _two_agents_one_call(client, clock)
        as_user(client, "agent02")
        client.post("/api/console/not-ready", json={"reason": "break"})
        as_user(client, "agent01")
        r = client.post("/api/console/consult", json={"agent": "agent02"})
        assert r.status_code == 409 and "not ready" in r.json()["detail"]
        r = client.post("/api/console/consult", json={"queue": "deposits"})
        assert r.status_code == 409 and "no agent" in r.json()["detail"]
        r = client.post("/api/console/consult", json={"queue": "nope"})
        assert r.status_code == 404
        r = client.post("/api/console/consult", json={"agent": "agent01"})
        assert r.status_code == 409
        for body, field in (({}, "body"), ({"queue": "a", "agent": "b"}, "body"),
                            ({"agent": "agent02", "note": "x" * 501}, "note"),
                            ({"agent": "bad id"}, "agent")):
            r = client.post("/api/console/consult", json=body)
            assert r.status_code == 422, body
            assert any(e["field"].endswith(field) for e in r.json()["errors"]), r.json()
        r = client.post("/api/console/consult/answer", json={"contact_id": "ghost"})
        assert r.status_code == 404
        r = client.post("/api/console/consult/complete")
        assert r.status_code == 409
        assert client.get("/api/console/state").json()["state"] == "talking"


def test_the_caller_hangs_up_during_a_consult(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        _two_agents_one_call(client, clock)
        client.post("/api/console/consult", json={"agent": "agent02", "note": "n"})
        submit(client, lambda e, t: e.hang_up("c1", t))  # the caller's side (telephony)
        assert client.get("/api/console/state").json()["state"] == "wrap_up"
        as_user(client, "agent02")
        state = client.get("/api/console/state").json()
        assert state["state"] == "ready" and state["consult"] is None


def test_an_unanswered_consult_rings_out(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        _two_agents_one_call(client, clock)
        state = client.post("/api/console/consult", json={"agent": "agent02"}).json()
        ring = state["ring_timeout_seconds"]
        clock.advance(ring + 1)
        submit(client, lambda e, t: [])  # the engine fires what is due
        state = client.get("/api/console/state").json()
        assert state["state"] == "hold" and state["consult"] is None
        as_user(client, "agent02")
        state = client.get("/api/console/state").json()
        assert state["state"] == "not_ready" and state["reason"] == "ring_no_answer"
