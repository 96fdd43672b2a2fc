"""Next best offers in the console API (app/api/console_offers.py): ranked offers for the
agent's contact; offers recorded into the event log, the customer's history and, for a
follow-up, a lead; 422 naming the field, 403/404/409, never 500."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from app.models import (
    Agent,
    ContactHistory,
    Customer,
    CustomerAccess,
    CustomerLifeEvent,
    EventRecord,
    Interaction,
    Lead,
    Product,
)
from app.offers import OfferModelCache, training_outcomes
from app.queries import CENTER_TZ
from routing.engine import ContactSpec
from tests.app.live_helpers import T0, as_user, live_client, submit

TODAY = datetime.now(CENTER_TZ).date()


def _bank(client, consent: bool = True, dnc: bool = False) -> None:  # type: ignore[no-untyped-def]
    with Session(client.app.state.engine) as session:
        session.add(Customer(id=17, name="김민지", value_tier="gold", segment="affluent",
                             marketing_consent=consent, do_not_call=dnc,
                             birth_date=date(1970, 3, 1)))
        session.add(Product(customer_id=17, kind="deposit", name="정기예금 12개월",
                            balance_krw=30_000_000, maturity_date=TODAY + timedelta(days=12)))
        session.add(CustomerLifeEvent(customer_id=17, kind="child_wedding",
                                      on_date=TODAY + timedelta(days=40)))
        session.commit()


def _call(client, contact_id: str = "c1", customer: str | None = "17") -> None:  # type: ignore[no-untyped-def]
    client.post("/api/console/login")
    client.post("/api/console/ready")
    submit(client, lambda e, t: e.arrive(
        ContactSpec(contact_id, "deposits", tier="gold", customer_id=customer), t))
    assert client.post("/api/console/answer").json()["state"] == "talking"


def test_offers_for_the_caller_then_an_accepted_sale(database_url: str) -> None:
    with live_client(database_url) as (client, clock):
        _bank(client)
        as_user(client, "agent01")
        _call(client)
        r = client.get("/api/console/offers")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["contact_id"] == "c1" and body["customer_id"] == 17
        first = body["offers"][0]
        assert (first["offer"], first["tip"], first["params"]["days"]) == (
            "time_deposit_renewal", "deposit_maturing", 12)
        tips = {o["offer"]: (o["tip"], o["params"]) for o in body["offers"]}
        assert tips["personal_loan"] == ("life_event_ahead", {"event": "child_wedding", "days": 40})
        scores = [o["score"] for o in body["offers"]]
        assert scores == sorted(scores, reverse=True)

        r = client.post("/api/console/offers", json={"offer": "time_deposit_renewal",
                                                     "result": "made"})
        assert r.status_code == 201, r.text
        clock.advance(30)
        client.post("/api/console/hangup")
        # after the call, in wrap-up: accepted, with the amount
        r = client.post("/api/console/offers", json={
            "offer": "time_deposit_renewal", "result": "accepted", "amount_krw": 30_000_000})
        assert r.status_code == 201, r.text
        assert r.json()["kind"] == "retention" and r.json()["lead_id"] is None
        client.post("/api/console/wrapup", json={"disposition": "sale"})
        # once the engine forgot the call, the agent still records on it by its id
        r = client.post("/api/console/offers", json={
            "contact_id": "c1", "offer": "fund", "result": "declined"})
        assert r.status_code == 201, r.text
        with Session(client.app.state.engine) as session:
            events = [e.payload for e in session.exec(select(EventRecord)).all()
                      if e.type == "offer_recorded"]
            history = session.exec(select(ContactHistory).where(
                ContactHistory.reason.startswith("offer:"))).all()  # type: ignore[union-attr]
            logged = session.exec(select(CustomerAccess).where(
                CustomerAccess.fields.contains("offers"))).all()  # type: ignore[attr-defined]
        assert [(e["offer"], e["result"], e["agent_id"], e["customer_id"], e["contact_id"])
                for e in events] == [
            ("time_deposit_renewal", "made", "agent01", "17", "c1"),
            ("time_deposit_renewal", "accepted", "agent01", "17", "c1"),
            ("fund", "declined", "agent01", "17", "c1")]
        assert events[1]["amount"] == 30_000_000 and events[1]["kind"] == "retention"
        assert [(h.reason, h.outcome, h.handled_by) for h in history] == [
            ("offer:time_deposit_renewal", "made", "agent01"),
            ("offer:time_deposit_renewal", "accepted", "agent01"),
            ("offer:fund", "declined", "agent01")]
        assert {a.action for a in logged} == {"read", "write"} and len(logged) == 4
        # the declined fund is not offered again
        _call(client, "c2")
        offered = [o["offer"] for o in client.get("/api/console/offers").json()["offers"]]
        assert "fund" not in offered


def test_a_follow_up_opens_a_lead(database_url: str) -> None:
    with live_client(database_url) as (client, _clock):
        _bank(client)
        as_user(client, "agent01")
        _call(client)
        due = (TODAY + timedelta(days=3)).isoformat()
        r = client.post("/api/console/offers", json={
            "offer": "insurance", "result": "follow_up", "due_on": due, "notes": "배우자와 상의"})
        assert r.status_code == 201, r.text
        assert r.json()["due_on"] == due and r.json()["lead_id"] is not None
        r = client.post("/api/console/offers", json={"offer": "fund", "result": "follow_up"})
        assert r.json()["due_on"] == (TODAY + timedelta(days=7)).isoformat()
        with Session(client.app.state.engine) as session:
            leads = session.exec(select(Lead).order_by(Lead.id)).all()  # type: ignore[arg-type]
        assert [(ld.customer_id, ld.offer, ld.kind, ld.status, ld.source_contact_id,
                 ld.due_on.isoformat()) for ld in leads] == [
            (17, "insurance", "cross_sell", "open", "c1", due),
            (17, "fund", "cross_sell", "open", "c1", (TODAY + timedelta(days=7)).isoformat())]
        assert leads[0].note == "배우자와 상의" and leads[0].created_by is not None


def test_no_lead_for_do_not_call_or_without_consent(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        _bank(client, consent=False)
        as_user(client, "agent01")
        _call(client)
        offered = [o["offer"] for o in client.get("/api/console/offers").json()["offers"]]
        assert offered == ["time_deposit_renewal"]  # no marketing offer without consent
        r = client.post("/api/console/offers", json={"offer": "fund", "result": "follow_up"})
        assert r.status_code == 409 and "consent" in r.json()["detail"]
        r = client.post("/api/console/offers", json={"offer": "time_deposit_renewal",
                                                     "result": "follow_up"})
        assert r.status_code == 201
        with Session(client.app.state.engine) as session:
            session.get(Customer, 17).do_not_call = True  # type: ignore[union-attr]
            session.commit()
        r = client.post("/api/console/offers", json={"offer": "time_deposit_renewal",
                                                     "result": "follow_up"})
        assert r.status_code == 409 and "do-not-call" in r.json()["detail"]


def test_bad_bodies_are_422_naming_the_field(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        _bank(client)
        as_user(client, "agent01")
        _call(client)
        for body, field in (
            ({"offer": "yacht", "result": "made"}, "offer"),
            ({"offer": "fund", "result": "sold"}, "result"),
            ({"offer": "fund", "result": "made", "kind": "bribe"}, "kind"),
            ({"offer": "fund", "result": "accepted", "amount_krw": -1}, "amount_krw"),
            ({"offer": "fund", "result": "made", "notes": "x" * 501}, "notes"),
            ({"offer": "fund", "result": "made", "contact_id": "a b"}, "contact_id"),
            ({"offer": "fund", "result": "made", "extra": 1}, "extra"),
            ({"offer": "fund", "result": "made", "due_on": TODAY.isoformat()}, "due_on"),
            ({"offer": "fund", "result": "follow_up", "due_on": "2000-01-01"}, "due_on"),
            ({"offer": "fund", "result": "follow_up", "due_on": "someday"}, "due_on"),
            ({"result": "made"}, "offer"),
        ):
            r = client.post("/api/console/offers", json=body)
            assert r.status_code == 422, (body, r.text)
            assert field in r.text, (body, r.text)
        r = client.get("/api/console/offers", params={"contact_id": "no spaces"})
        assert r.status_code == 422 and "contact_id" in r.text
        with Session(client.app.state.engine) as session:
            assert not session.exec(select(EventRecord).where(
                EventRecord.type == "offer_recorded")).all()


def test_only_the_agents_own_contacts(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        _bank(client)
        as_user(client, "agent02")
        r = client.post("/api/console/offers", json={"offer": "fund", "result": "made"})
        assert r.status_code == 409 and "no contact" in r.json()["detail"]
        as_user(client, "agent01")
        _call(client)
        as_user(client, "agent02")
        for method, kwargs in (("get", {"params": {"contact_id": "c1"}}),
                               ("post", {"json": {"contact_id": "c1", "offer": "fund",
                                                  "result": "made"}})):
            r = getattr(client, method)("/api/console/offers", **kwargs)
            assert r.status_code == 403, r.text
        r = client.post("/api/console/offers", json={"contact_id": "nope", "offer": "fund",
                                                     "result": "made"})
        assert r.status_code == 404
        as_user(client, "sup")
        assert client.get("/api/console/offers").status_code == 403
        # a contact handled long ago is closed for offers
        with Session(client.app.state.engine) as session:
            agent = session.exec(select(Agent).where(Agent.login == "agent01")).one()
            session.add(Interaction(contact_id="old1", queue="deposits", customer_id=17,
                                    agent_id=agent.id, outcome="answered",
                                    arrived_at=datetime.fromtimestamp(T0, UTC) - timedelta(days=3)))
            session.commit()
        as_user(client, "agent01")
        r = client.post("/api/console/offers", json={"contact_id": "old1", "offer": "fund",
                                                     "result": "made"})
        assert r.status_code == 403 and "older" in r.json()["detail"]


def test_a_call_without_a_known_customer_is_409(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        as_user(client, "agent01")
        _call(client, customer=None)
        assert client.get("/api/console/offers").status_code == 409
        r = client.post("/api/console/offers", json={"offer": "fund", "result": "made"})
        assert r.status_code == 409


def test_the_model_learns_from_recorded_offers(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        _bank(client)
        now = datetime.now(UTC)
        with Session(client.app.state.engine) as session:
            for i in range(300):
                session.add(ContactHistory(
                    customer_id=17, channel="call_center", at=now - timedelta(hours=i),
                    reason="offer:fund", outcome="accepted" if i % 2 else "declined"))
                session.add(ContactHistory(
                    customer_id=17, channel="outbound", at=now - timedelta(hours=i),
                    reason="cross_sell_card", outcome="declined"))
            session.commit()
            outcomes = training_outcomes(session, now)
        assert len(outcomes) == 600
        assert {o.offer for o in outcomes} == {"fund", "credit_card"}
        model = OfferModelCache(client.app.state.engine).refit(now)
        assert model.source == "fitted"
        assert model.propensity("fund", "gold", "mature", 56) > 0.3
        assert model.propensity("credit_card", "gold", "mature", 56) < 0.05
