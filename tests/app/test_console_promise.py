"""Wrap-up of an outbound call with the party reached and a promise to pay
(app/api/console.py): the WrapUpEnded event carries the party, the PromiseToPay event is
stored and the customer's history shows the promise; a bad promise is a 422 naming its
field (or a 409) and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from app.models import ContactHistory, Product
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit
from tests.app.test_console_agenda_api import DAY, OPEN, _events, _leads, _robots, _run_until


def _connected_call(client: Any, clock: Any, key: str) -> str:
    as_user(client, "agent01")
    client.post("/api/console/login")
    client.post("/api/console/ready")
    r = client.post(f"/api/console/agenda/items/{key}/dial")
    assert r.status_code == 202, r.text
    _run_until(client, OPEN + 4.0, clock)
    clock.advance(60)
    assert client.post("/api/console/hangup").json()["state"] == "wrap_up"
    return str(r.json()["contact_id"])


def test_wrap_up_with_party_and_promise(database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, clock):
        ids = _leads(client)
        with Session(client.app.state.engine) as session:
            mine = Product(customer_id=23, kind="loan", name="Loan")
            other = Product(customer_id=22, kind="loan", name="Loan")
            session.add_all([mine, other])
            session.commit()
            mine_id, other_id = mine.id, other.id
        cid = _connected_call(client, clock, f"lead-{ids['platinum']}")
        due = (DAY + timedelta(days=5)).isoformat()
        for body, status, named in [
            ({"party": "boss"}, 422, "party"),
            ({"promise": {"amount_krw": 0, "due_on": due}}, 422, "amount_krw"),
            ({"promise": {"amount_krw": 10, "due_on": (DAY - timedelta(days=1)).isoformat()}},
             422, "due_on"),
            ({"promise": {"amount_krw": 10, "due_on": (DAY + timedelta(days=91)).isoformat()}},
             422, "due_on"),
            ({"promise": {"amount_krw": 10, "due_on": due, "product_id": 999}}, 422,
             "product_id"),
            ({"promise": {"amount_krw": 10, "due_on": due, "product_id": other_id}}, 422,
             "product_id"),
        ]:
            r = client.post("/api/console/wrapup", json=body)
            assert r.status_code == status and named in r.text, (body, r.text)
        assert client.get("/api/console/state").json()["state"] == "wrap_up"  # unchanged
        r = client.post("/api/console/wrapup", json={
            "disposition": "follow_up", "party": "right_party",
            "promise": {"amount_krw": 300_000, "due_on": due, "product_id": mine_id}})
        assert r.status_code == 200 and r.json()["state"] == "ready", r.text
        events = _events(client, cid)
        wrapped = [p for t, p in events if t == "wrap_up_ended"]
        promised = [p for t, p in events if t == "promise_to_pay"]
        assert [w["party"] for w in wrapped] == ["right_party"]
        assert len(promised) == 1
        assert {k: promised[0][k] for k in ("agent_id", "customer_id", "amount", "due_on",
                                            "product_id")} == {
            "agent_id": "agent01", "customer_id": "23", "amount": 300_000.0, "due_on": due,
            "product_id": str(mine_id)}
        with Session(client.app.state.engine) as session:
            rows = session.exec(select(ContactHistory).where(
                ContactHistory.customer_id == 23, ContactHistory.reason == "promise_to_pay")
            ).all()
        assert [(h.outcome, h.notes) for h in rows] == [
            ("promise_to_pay", f"300000 KRW of product {mine_id} by {due}")]


def test_a_promise_needs_a_known_customer(sqlite_url: str) -> None:
    with live_client(sqlite_url, start=OPEN) as (client, _clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        submit(client, lambda e, t: e.arrive(ContactSpec("anon", "deposits"), t))
        client.post("/api/console/answer")
        client.post("/api/console/hangup")
        r = client.post("/api/console/wrapup", json={
            "party": "right_party", "promise": {"amount_krw": 10, "due_on": DAY.isoformat()}})
        assert r.status_code == 409 and "no known customer" in r.text, r.text
        assert client.get("/api/console/state").json()["state"] == "wrap_up"
        assert [t for t, _ in _events(client, "anon")][-1] == "contact_ended"
