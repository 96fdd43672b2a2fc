"""Agent desktop bugs of issue 12: the handled call reaches the customer's history; a transfer
to an agent who never answers is told to the agent who transferred it."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import ContactHistory, Customer, CustomerAccess, EventRecord
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit


def _with_customer(app) -> None:  # type: ignore[no-untyped-def]
    with Session(app.state.engine) as session:
        session.add(Customer(id=17, name="Kim Minji"))
        session.commit()


def _call(client, contact_id: str, customer_id: str = "17") -> None:  # type: ignore[no-untyped-def]
    submit(client, lambda e, t: e.arrive(
        ContactSpec(contact_id, "deposits", tier="gold", customer_id=customer_id), t))


def test_wrapped_up_call_goes_into_the_customer_history(database_url: str) -> None:
    with live_client(database_url, prepare=_with_customer) as (client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        _call(client, "c1")
        client.post("/api/console/answer")
        clock.advance(60)
        client.post("/api/console/hangup")
        r = client.post("/api/console/wrapup", json={
            "disposition": "sale", "reason": "deposit_renewal", "notes": "renewed 12 months"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "ready"
        # a call of a caller the bank does not know: the wrap-up works, no history row
        _call(client, "c2", customer_id="999")
        client.post("/api/console/answer")
        client.post("/api/console/hangup")
        assert client.post("/api/console/wrapup", json={}).status_code == 200
        with Session(client.app.state.engine) as session:
            rows = session.exec(select(ContactHistory)).all()
            assert [(h.customer_id, h.channel, h.outcome, h.reason, h.notes, h.handled_by)
                    for h in rows] == [(17, "call_center", "sale", "deposit_renewal",
                                        "renewed 12 months", "agent01")]
            writes = session.exec(select(CustomerAccess).where(
                CustomerAccess.action == "write")).all()
            assert [(w.customer_id, w.username) for w in writes] == [(17, "agent01")]
            ended = [e for e in session.exec(select(EventRecord)).all()
                     if e.type == "wrap_up_ended"]
            assert ended[0].payload["reason"] == "deposit_renewal"
            assert ended[0].payload["disposition"] == "sale"


def test_bad_wrap_up_reason_is_422(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        as_user(client, "agent01")
        r = client.post("/api/console/wrapup", json={"reason": "not a code!"})
        assert r.status_code == 422 and "reason" in r.text


def test_transfer_nobody_answers_tells_the_transferring_agent(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        as_user(client, "agent02")
        client.post("/api/console/login")  # logged in, not ready: will never answer
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        with client.websocket_connect("/ws/agent") as ws:
            _call(client, "c1")
            client.post("/api/console/answer")
            assert client.post("/api/console/transfer", json={"agent": "agent02"}).status_code == 200
            assert client.post("/api/console/wrapup", json={}).json()["state"] == "ready"
            client.post("/api/console/not-ready", json={"reason": "break"})
            clock.advance(31)
            submit(client, lambda e, t: e.advance(t))
            for _ in range(40):
                message = ws.receive_json()
                if message["type"] == "transfer_timed_out":
                    break
            else:
                raise AssertionError("no transfer_timed_out message")
            assert message["event"]["contact_id"] == "c1"
            assert message["event"]["agent_id"] == "agent02"


def test_transfer_note_travels_with_the_call(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        _call(client, "c1")
        client.post("/api/console/answer")
        as_user(client, "agent02")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        as_user(client, "agent01")
        r = client.post("/api/console/transfer",
                        json={"agent": "agent02", "note": "wants to renew, rate question"})
        assert r.status_code == 200, r.text
        client.post("/api/console/wrapup", json={})  # the sender's wrap-up keeps the note
        as_user(client, "agent02")
        contact = client.get("/api/console/state").json()["contact"]
        assert contact["contact_id"] == "c1"
        assert (contact["transferred_by"], contact["transfer_note"]) == (
            "agent01", "wants to renew, rate question")
        assert client.get("/api/console/state").json()["ring_timeout_seconds"] == 20.0
        r = client.post("/api/console/transfer", json={"queue": "loans", "note": "x" * 501})
        assert r.status_code == 422 and "note" in r.text
