"""The profile refresh API: phones, consent, do-not-call, home branch and life events changed
from the screen pop with a change log; agents only on the call with the customer; every read
and change access-logged; 422 naming the field."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

import app.api.customer_profile as profile_api
from app.models import (
    Agent,
    Customer,
    CustomerAccess,
    CustomerLifeEvent,
    CustomerPhone,
    CustomerProfileChange,
)
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit

URL = "/api/customers/17"


def phone_id(client: Any, number: str) -> int:
    with Session(client.app.state.engine) as session:
        phone = session.exec(select(CustomerPhone).where(CustomerPhone.number == number)).one()
        return int(phone.id or 0)


def center(database_url: str) -> Any:
    """A live client whose manual clock starts at the wall clock's now (the access policy's
    "recent contact" is measured on the wall clock)."""
    return live_client(database_url, start=time.time(), prepare=bank)


def bank(app: Any) -> None:
    with Session(app.state.engine) as session:
        manager = session.exec(select(Agent).where(Agent.login == "agent02")).one()
        session.add(Customer(id=17, name="김민지", value_tier="gold", home_branch="Jamsil",
                             relationship_manager_id=manager.id))
        session.add(Customer(id=18, name="이서준"))
        session.add(CustomerPhone(customer_id=17, number="+821012345678", kind="mobile"))
        session.add(CustomerPhone(customer_id=18, number="+821099998888", kind="mobile"))
        session.commit()


def on_a_call(client: Any, agent: str = "agent01", contact: str = "c1") -> None:
    as_user(client, agent)
    client.post("/api/console/login")
    client.post("/api/console/ready")
    submit(client, lambda e, t: e.arrive(ContactSpec(contact, "deposits", "gold",
                                                     customer_id="17"), t))
    assert client.post("/api/console/answer").json()["state"] == "talking"


def changes(client: Any) -> list[tuple[str, str, str, str, str | None]]:
    with Session(client.app.state.engine) as session:
        rows = session.exec(select(CustomerProfileChange)
                            .order_by(CustomerProfileChange.id)).all()  # type: ignore[arg-type]
        return [(r.field, r.old_value, r.new_value, r.changed_by, r.contact_id) for r in rows]


def access(client: Any) -> list[tuple[str, str, str, bool]]:
    with Session(client.app.state.engine) as session:
        rows = session.exec(select(CustomerAccess).where(CustomerAccess.customer_id == 17)
                            .order_by(CustomerAccess.id)).all()  # type: ignore[arg-type]
        return [(r.username, r.action, r.fields, r.allowed) for r in rows]


def test_an_agent_refreshes_the_profile_of_the_caller(database_url: str) -> None:
    with center(database_url) as (client, _clock):
        on_a_call(client)
        p = client.get(URL + "/profile").json()
        assert p["may_edit"] and p["contact_id"] == "c1" and p["view"] == "full"
        mobile = phone_id(client, "+821012345678")
        assert p["phones"] == [{"id": mobile, "number": "+821012345678", "kind": "mobile"}]
        assert p["managed"] and p["refresh_due"] and p["last_refreshed_at"] is None
        assert p["refresh_interval_days"] == 60 and "child_wedding" in p["life_event_kinds"]
        r = client.post(URL + "/phones", json={"number": "02-555-1234", "kind": "home"})
        assert r.status_code == 201, r.text
        assert sorted((x["number"], x["kind"]) for x in r.json()["phones"]) == [
            ("+821012345678", "mobile"), ("+8225551234", "home")]
        r = client.patch(f"{URL}/phones/{mobile}", json={"number": "010 2222 3333"})
        assert r.status_code == 200
        assert "+821022223333" in [x["number"] for x in r.json()["phones"]]
        home = phone_id(client, "+8225551234")
        assert client.delete(f"{URL}/phones/{home}").status_code == 200
        r = client.patch(URL + "/profile", json={"marketing_consent": True, "do_not_call": True,
                                                  "home_branch": " Gangnam "})
        assert r.status_code == 200
        assert (r.json()["marketing_consent"], r.json()["do_not_call"],
                r.json()["home_branch"]) == (True, True, "Gangnam")
        r = client.post(URL + "/life-events", json={"kind": "child_wedding",
                                                    "on_date": "2027-05-01", "note": "daughter"})
        assert r.status_code == 201
        event = r.json()["life_events"][0]
        assert (event["kind"], event["on_date"], event["recorded_by"]) == (
            "child_wedding", "2027-05-01", "agent01")
        r = client.patch(f"{URL}/life-events/{event['id']}", json={"note": "daughter, May"})
        assert r.json()["life_events"][0]["note"] == "daughter, May"
        r = client.patch(f"{URL}/life-events/{event['id']}", json={"note": "daughter, May"})
        assert r.status_code == 200  # no change: nothing logged
        assert client.delete(f"{URL}/life-events/{event['id']}").json()["life_events"] == []
        p = client.get(URL + "/profile").json()
        assert p["last_refreshed_by"] == "agent01" and p["days_since_refresh"] == 0
        assert not p["refresh_due"]
        assert p["changes"][0]["field"] == "life_event" and p["changes"][0]["new_value"] == ""
        assert changes(client) == [
            ("phone", "", "+8225551234 (home)", "agent01", "c1"),
            ("phone", "+821012345678 (mobile)", "+821022223333 (mobile)", "agent01", "c1"),
            ("phone", "+8225551234 (home)", "", "agent01", "c1"),
            ("marketing_consent", "false", "true", "agent01", "c1"),
            ("do_not_call", "false", "true", "agent01", "c1"),
            ("home_branch", "Jamsil", "Gangnam", "agent01", "c1"),
            ("life_event", "", "child_wedding 2027-05-01 · daughter", "agent01", "c1"),
            ("life_event", "child_wedding 2027-05-01 · daughter",
             "child_wedding 2027-05-01 · daughter, May", "agent01", "c1"),
            ("life_event", "child_wedding 2027-05-01 · daughter, May", "", "agent01", "c1"),
        ]
        log = access(client)
        assert log[0] == ("agent01", "read", "profile,phones,life_events,profile_changes", True)
        writes = [row for row in log if row[1] == "write"]
        assert len(writes) == 7 and all(row[3] for row in writes)
        assert ("agent01", "write", "marketing_consent,do_not_call,home_branch", True) in writes


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("post", "/phones", {"number": "12ab"}, "number"),
    ("post", "/phones", {"number": "010-1234-5678", "kind": "fax"}, "kind"),
    ("post", "/phones", {"number": "+821012345678"}, "number"),  # already there
    ("post", "/phones", {"kind": "home"}, "number"),
    ("patch", "/phones/{mobile}", {"number": "0"}, "number"),
    ("patch", "/profile", {"marketing_consent": "yes"}, "marketing_consent"),
    ("patch", "/profile", {"home_branch": "x" * 61}, "home_branch"),
    ("patch", "/profile", {"segment": "vip"}, "segment"),
    ("post", "/life-events", {"kind": "lottery_win"}, "kind"),
    ("post", "/life-events", {"kind": "move", "on_date": "1066-10-14"}, "on_date"),
    ("post", "/life-events", {"kind": "move", "note": "n" * 501}, "note"),
])
def test_bad_input_is_a_422_naming_the_field(database_url: str, method: str, path: str,
                                             body: dict[str, Any], field: str) -> None:
    with center(database_url) as (client, _clock):
        on_a_call(client)
        path = path.format(mobile=phone_id(client, "+821012345678"))
        r = getattr(client, method)(URL + path, json=body)
        assert r.status_code == 422, r.text
        assert field in r.text
        assert changes(client) == []


def test_least_privilege_and_every_refusal_logged(database_url: str) -> None:
    with center(database_url) as (client, _clock):
        on_a_call(client)
        assert client.post("/api/customers/18/phones",
                           json={"number": "010-1111-2222"}).status_code == 403
        assert client.get("/api/customers/18/profile").status_code == 403
        other = phone_id(client, "+821099998888")  # customer 18's
        assert client.delete(f"/api/customers/17/phones/{other}").status_code == 404
        assert client.post("/api/customers/99/phones",
                           json={"number": "010-1111-2222"}).status_code == 404
        client.post("/api/console/hangup")
        assert client.post(URL + "/profile/confirm").status_code == 200  # still in wrap-up
        client.post("/api/console/wrapup", json={})
        # the call is over: a recent contact still reads, but changes nothing
        r = client.get(URL + "/profile")
        assert r.status_code == 200, r.text
        p = r.json()
        assert not p["may_edit"] and p["contact_id"] is None
        r = client.post(URL + "/phones", json={"number": "010-1111-2222"})
        assert r.status_code == 403 and "on a call" in r.json()["detail"]
        # the relationship manager reads the managed customer, but changes only on a call
        as_user(client, "agent02")
        assert client.get(URL + "/profile").json()["may_edit"] is False
        assert client.patch(URL + "/profile", json={"do_not_call": True}).status_code == 403
        # a supervisor changes with a stated reason; QA never
        as_user(client, "sup")
        assert client.patch(URL + "/profile", json={"do_not_call": True}).status_code == 403
        r = client.patch(URL + "/profile?reason=customer_request&reason_text=asked+by+mail",
                         json={"do_not_call": True})
        assert r.status_code == 200 and r.json()["do_not_call"] is True
        as_user(client, "qa1")
        assert client.patch(URL + "/profile", json={"do_not_call": False}).status_code == 403
        assert changes(client) == [
            ("refresh_confirmed", "", "", "agent01", "c1"),
            ("do_not_call", "false", "true", "sup", None)]
        refused = [row for row in access(client) if not row[3]]
        assert ("agent01", "write", "phones", False) in refused
        assert ("agent02", "write", "do_not_call", False) in refused
        assert ("sup", "write", "do_not_call", False) in refused
        with Session(client.app.state.engine) as session:
            assert session.exec(select(CustomerPhone).where(CustomerPhone.customer_id == 17)
                                ).all()[0].number == "+821012345678"


def test_a_refresh_comes_due_after_sixty_days(database_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with center(database_url) as (client, _clock):
        on_a_call(client)
        r = client.post(URL + "/life-events", json={"kind": "retirement"})
        assert r.status_code == 201 and not r.json()["refresh_due"]
        later = datetime.now(UTC) + timedelta(days=61)
        monkeypatch.setattr(profile_api, "utc_now", lambda: later)
        p = client.get(URL + "/profile").json()
        assert p["refresh_due"] and p["days_since_refresh"] in (60, 61)
        with Session(client.app.state.engine) as session:
            customer = session.get(Customer, 17)
            assert customer is not None
            customer.relationship_manager_id = None
            session.add(customer)
            session.commit()
            assert session.exec(select(CustomerLifeEvent)).one().recorded_by == "agent01"
        assert client.get(URL + "/profile").json()["refresh_due"] is False  # not managed
