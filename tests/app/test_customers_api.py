"""Customer data on a need-to-know basis through the API: a test per access rule, every read
in the access log, the log append-only, per-user read limits with an alert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import (
    Agent,
    Customer,
    CustomerAccess,
    CustomerPhone,
    Interaction,
    Product,
    SecurityAlert,
    User,
)
from app.testing import create_user, login, make_client, make_settings
from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit

REASON = {"reason": "customer_request", "reason_text": "asked at the branch about a transfer"}


def seed(app: FastAPI) -> dict[str, int]:
    """Three customers: one in agent01's managed book, one agent01 handled, one a stranger."""
    with Session(app.state.engine) as session:
        agent01 = session.exec(select(Agent).where(Agent.login == "agent01")).one()
        book = Customer(name="김민지", value_tier="platinum", relationship_manager_id=agent01.id)
        handled = Customer(name="이서준", value_tier="core")
        stranger = Customer(name="박지호", value_tier="gold")
        old = Customer(name="최유나", value_tier="core")
        session.add_all([book, handled, stranger, old])
        session.flush()
        for c in (book, handled, stranger, old):
            session.add(CustomerPhone(customer_id=c.id, number=f"+8210555500{c.id:02d}"))
            session.add(Product(customer_id=c.id, kind="deposit", name="예금", balance_krw=9_000_000))
        now = datetime.now(UTC)
        for customer, hours in ((handled, 2), (old, 30)):  # 30 h ago is no longer recent
            session.add(Interaction(
                contact_id=f"c{customer.id}", queue="deposits", customer_id=customer.id,
                agent_id=agent01.id, arrived_at=now - timedelta(hours=hours), outcome="answered"))
        session.commit()
        return {"book": book.id, "handled": handled.id, "stranger": stranger.id, "old": old.id}  # type: ignore[dict-item]


@pytest.fixture
def env(database_url: str) -> Iterator[tuple[TestClient, dict[str, int]]]:
    with make_client(make_settings(database_url, customer_reads_per_10_minutes=50)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        for name, role in (("agent01", "agent"), ("sup", "supervisor"), ("qa1", "qa"),
                           ("plan", "planner"), ("aud", "auditor"), ("admin", "admin")):
            create_user(app, name, role)
        ids = seed(app)
        login(client, "agent01")
        yield client, ids


def access_rows(app: FastAPI) -> list[CustomerAccess]:
    with Session(app.state.engine) as session:
        return list(session.exec(select(CustomerAccess).order_by(CustomerAccess.id)).all())  # type: ignore[arg-type]


def relogin(client: TestClient, name: str) -> None:
    as_user(client, name)


def test_agent_cannot_list_customers(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    assert client.get("/api/customers").status_code == 403
    row = access_rows(client.app)[-1]
    assert (row.username, row.action, row.allowed) == ("agent01", "list", False)


def test_agent_cannot_read_a_customer_outside_the_rules(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    for cid in (ids["stranger"], ids["old"]):
        response = client.get(f"/api/customers/{cid}")
        assert response.status_code == 403 and "state a reason" in response.json()["detail"]
    claimed = client.get(f"/api/customers/{ids['stranger']}", params={"reason": "current_contact"})
    assert claimed.status_code == 403  # a claimed relationship is checked, not believed
    short = client.get(f"/api/customers/{ids['stranger']}",
                       params={"reason": "customer_request", "reason_text": "x"})
    assert short.status_code == 403
    bad = client.get(f"/api/customers/{ids['stranger']}", params={"reason": "curiosity"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.reason"
    denied = [r for r in access_rows(client.app) if not r.allowed]
    assert [r.customer_id for r in denied] == [ids["stranger"], ids["old"], ids["stranger"],
                                               ids["stranger"]]


def test_agent_reads_managed_book_and_recent_contact_in_full(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    for key, basis in (("book", "managed_book"), ("handled", "recent_contact")):
        body = client.get(f"/api/customers/{ids[key]}").json()
        assert body["view"] == "full" and body["access_basis"] == basis
        assert body["products"][0]["balance_krw"] == 9_000_000
        assert body["phones"][0]["number"].startswith("+8210")


def test_agent_with_a_stated_reason_reads_masked(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    body = client.get(f"/api/customers/{ids['stranger']}", params=REASON).json()
    assert body["view"] == "masked" and set(body["masked"]) == {"phones", "balances", "notes"}
    assert body["products"][0]["balance_krw"] is None
    assert body["phones"][0]["number"].startswith("*") and body["phones"][0]["number"][-4:].isdigit()
    row = access_rows(client.app)[-1]
    assert (row.customer_id, row.reason, row.allowed) == (ids["stranger"], "customer_request", True)
    assert row.reason_text == REASON["reason_text"] and "balances" not in row.fields
    assert row.ip == "testclient"


def test_agent_phone_search_needs_a_reason(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    number = f"010-5555-00{ids['stranger']:02d}"
    assert client.get("/api/customers/lookup", params={"phone": number}).status_code == 403
    found = client.get("/api/customers/lookup", params={"phone": number, **REASON}).json()
    assert [c["id"] for c in found["customers"]] == [ids["stranger"]]
    assert found["customers"][0]["view"] == "masked"


def test_agent_notes_only_within_a_handled_contact(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    note = {"channel": "call_center", "notes": "asked about rates"}
    assert client.post(f"/api/customers/{ids['book']}/contacts", json=note).status_code == 403
    assert client.post(f"/api/customers/{ids['stranger']}/contacts", json=note,
                       params=REASON).status_code == 403
    assert client.post(f"/api/customers/{ids['handled']}/contacts", json=note).status_code == 201
    row = access_rows(client.app)[-1]
    assert (row.action, row.customer_id, row.reason) == ("write", ids["handled"], "recent_contact")


def test_roles_that_need_lists_and_roles_that_see_nothing(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    relogin(client, "sup")
    page = client.get("/api/customers").json()
    assert page["total"] == 4
    relogin(client, "qa1")
    assert client.get("/api/customers").status_code == 403
    assert client.get(f"/api/customers/{ids['book']}").json()["view"] == "masked"
    for name in ("plan", "aud"):
        relogin(client, name)
        assert client.get(f"/api/customers/{ids['book']}").status_code == 403
    relogin(client, "admin")
    assert client.get(f"/api/customers/{ids['book']}").json()["view"] == "masked"
    listed = [r for r in access_rows(client.app) if r.action == "list" and r.allowed]
    assert sorted(r.customer_id for r in listed) == sorted(ids.values())  # one row a customer


def test_every_read_appears_in_the_access_log(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    reads = [
        client.get(f"/api/customers/{ids['book']}"),
        client.get(f"/api/customers/{ids['handled']}"),
        client.get(f"/api/customers/{ids['stranger']}", params=REASON),
    ]
    relogin(client, "sup")
    reads += [client.get(f"/api/customers/{cid}") for cid in ids.values()]
    assert all(r.status_code == 200 for r in reads)
    logged = [(r.username, r.customer_id) for r in access_rows(client.app) if r.action == "read"]
    expected = [("agent01", ids["book"]), ("agent01", ids["handled"]), ("agent01", ids["stranger"])]
    expected += [("sup", cid) for cid in ids.values()]
    assert logged == expected


def test_access_log_is_append_only_through_the_api(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    client.get(f"/api/customers/{ids['book']}")
    relogin(client, "aud")
    row_id = client.get("/api/audit/access-log").json()["items"][0]["id"]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for url in ("/api/audit/access-log", f"/api/audit/access-log/{row_id}"):
            assert client.request(method, url, json={}).status_code in (404, 405), (method, url)
    relogin(client, "admin")
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.request(method, f"/api/audit/access-log/{row_id}").status_code in (404, 405)
    paths = client.get("/api/openapi.json").json()["paths"]
    logs = {path: sorted(ops) for path, ops in paths.items() if path.startswith("/api/audit")}
    assert logs and all(set(ops) <= {"get"} for ops in logs.values()), logs
    assert len(access_rows(client.app)) >= 1


def test_customer_reads_past_the_limit_are_refused_and_alerted(database_url: str) -> None:
    with make_client(make_settings(database_url, customer_reads_per_10_minutes=3)) as client:
        create_user(client.app, "sup", "supervisor")
        ids = seed_minimal(client.app)
        login(client, "sup")
        assert [client.get(f"/api/customers/{ids[0]}").status_code for _ in range(3)] == [200] * 3
        refused = client.get(f"/api/customers/{ids[0]}")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert client.get("/api/customers").status_code == 429
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            alert = session.exec(select(SecurityAlert)).one()  # one alert, not one a read
            assert (alert.kind, alert.subject) == ("customer_read_rate", "sup")


def seed_minimal(app: FastAPI) -> list[int]:
    with Session(app.state.engine) as session:
        customers = [Customer(name=f"고객{i}") for i in range(2)]
        session.add_all(customers)
        session.commit()
        return [c.id for c in customers]  # type: ignore[misc]


def test_screen_pop_of_the_current_contact(database_url: str) -> None:
    """The agent console's screen pop: the customer of the contact offered to this agent."""
    with live_client(database_url) as (client, clock):
        app = client.app
        with Session(app.state.engine) as session:  # type: ignore[attr-defined]
            caller, other = Customer(name="정하늘"), Customer(name="한바다")
            session.add_all([caller, other])
            session.commit()
            caller_id, other_id = caller.id, other.id
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        assert client.get(f"/api/customers/{caller_id}",
                          params={"reason": "current_contact"}).status_code == 403
        clock.advance(5)
        submit(client, lambda e, t: e.arrive(
            ContactSpec("call-1", "deposits", tier="gold", customer_id=str(caller_id)), t))
        assert client.get("/api/console/state").json()["contact"]["customer_id"] == str(caller_id)
        pop = client.get(f"/api/customers/{caller_id}", params={"reason": "current_contact"})
        assert pop.status_code == 200, pop.text
        assert pop.json()["view"] == "full" and pop.json()["access_basis"] == "current_contact"
        assert client.get(f"/api/customers/{other_id}").status_code == 403
        as_user(client, "agent02")  # the other agent has no contact with the caller
        assert client.get(f"/api/customers/{caller_id}").status_code == 403
        with Session(app.state.engine) as session:  # type: ignore[attr-defined]
            rows = session.exec(select(CustomerAccess).order_by(CustomerAccess.id)).all()  # type: ignore[arg-type]
            assert [(r.username, r.customer_id, r.allowed) for r in rows] == [
                ("agent01", caller_id, False), ("agent01", caller_id, True),
                ("agent01", other_id, False), ("agent02", caller_id, False)]
            assert session.exec(select(User).where(User.username == "agent02")).one()


def test_the_database_refuses_to_change_the_logs(database_url: str) -> None:
    """Append-only below the API too: UPDATE and DELETE fail in the database."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "sup", "supervisor")  # type: ignore[arg-type]
        ids = seed_minimal(client.app)  # type: ignore[arg-type]
        login(client, "sup")
        client.get(f"/api/customers/{ids[0]}")
        engine = client.app.state.engine  # type: ignore[attr-defined]
        for table in ("customer_access_log", "admin_audit"):
            with engine.begin() as conn:
                conn.execute(text(f"INSERT INTO {table} (at, "
                                  + ("username, role, action, fields, reason, reason_text, ip, "
                                     "allowed) VALUES (CURRENT_TIMESTAMP, 'x', 'agent', 'read', "
                                     "'', '', '', '', TRUE)" if table == "customer_access_log"
                                     else "actor, action, target) VALUES (CURRENT_TIMESTAMP, "
                                     "'x', 'user.create', 'y')")))
            for statement in (f"UPDATE {table} SET at = CURRENT_TIMESTAMP",
                              f"DELETE FROM {table}"):
                with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                    conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM customer_access_log")).scalar() == 2
