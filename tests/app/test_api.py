"""The JSON API on SQLite and PostgreSQL: customers, screen pop, agents, queues, users, health."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.models import (
    AgentSkill,
    ContactHistory,
    Customer,
    CustomerPhone,
    Interaction,
    Product,
    Queue,
    User,
)
from app.phone import normalize_phone
from app.queries import phone_lookup_statement
from app.testing import TEST_PASSWORD, create_user, login, make_client, make_settings


def seed_customers(app: FastAPI) -> dict[str, int]:
    now = datetime.now(UTC)
    with Session(app.state.engine) as session:
        kim = Customer(name="김민지", value_tier="platinum", segment="affluent", home_branch="강남")
        lee = Customer(name="이서준", value_tier="core")
        park = Customer(name="박지호", value_tier="core", do_not_call=True)
        session.add_all([kim, lee, park])
        session.flush()
        assert kim.id and lee.id and park.id
        session.add_all(
            [
                CustomerPhone(customer_id=kim.id, number="+821012345678"),
                CustomerPhone(customer_id=kim.id, number="+82221234567", kind="home"),
                CustomerPhone(customer_id=lee.id, number="+821098765432"),
                Product(
                    customer_id=kim.id,
                    kind="deposit",
                    name="정기예금",
                    balance_krw=50_000_000,
                    maturity_date=(now + timedelta(days=30)).date(),
                ),
                Product(customer_id=kim.id, kind="card", name="플래티넘 카드"),
            ]
        )
        for days in range(25):
            session.add(
                ContactHistory(
                    customer_id=kim.id,
                    channel="call_center",
                    at=now - timedelta(days=days),
                    reason=f"inquiry {days}",
                    handled_by="agent07",
                )
            )
        session.add(
            Queue(
                name="deposits",
                skill="deposits",
                service_level_goals={"core": {"target": 0.8, "threshold_seconds": 20}},
            )
        )
        session.add_all([Queue(name="loans", skill="loans"), Queue(name="cards", skill="cards")])
        session.commit()
        return {"kim": kim.id, "lee": lee.id, "park": park.id}


@pytest.fixture
def env(database_url: str) -> Iterator[tuple[TestClient, dict[str, int]]]:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        ids = seed_customers(app)
        create_user(app, "agent01", "agent")
        create_user(app, "sup", "supervisor")
        create_user(app, "admin", "admin")
        login(client, "agent01")
        yield client, ids


def relogin(client: TestClient, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def assert_problem(response, status: int, field: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


# --- health ----------------------------------------------------------------------------------


def test_health_needs_no_login(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        body = client.get("/api/health").json()
        assert body["status"] == "ok" and body["database"] is True and body["version"]


def test_openapi_docs_are_served(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        assert client.get("/api/docs").status_code == 200
        assert "/api/customers/lookup" in client.get("/api/openapi.json").json()["paths"]


# --- customers -------------------------------------------------------------------------------


def test_customer_detail_has_phones_products_and_recent_history(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    relogin(client, "sup")  # agents open customers of their contacts (test_customers_api)
    body = client.get(f"/api/customers/{ids['kim']}").json()
    assert body["name"] == "김민지" and body["value_tier"] == "platinum"
    assert {p["number"] for p in body["phones"]} == {"+821012345678", "+82221234567"}
    assert [p["kind"] for p in body["products"]] == ["deposit", "card"]
    assert len(body["contacts"]) == 20  # the most recent 20 of 25
    assert body["contacts"][0]["reason"] == "inquiry 0"


def test_unknown_customer_is_404_problem(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    relogin(client, "sup")  # agents open customers of their contacts (test_customers_api)
    assert_problem(client.get("/api/customers/987654"), 404)
    assert_problem(client.get("/api/customers/abc"), 422, "path.customer_id")
    assert_problem(client.get("/api/customers/99999999999999999999"), 422, "path.customer_id")


@pytest.mark.parametrize(
    "written",
    [
        "010-1234-5678",
        "01012345678",
        "+82 10 1234 5678",
        "+82 (0)10-1234-5678",
        "0082-10-1234-5678",
    ],
)
def test_screen_pop_by_phone_in_any_common_form(env, written: str) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    relogin(client, "sup")  # agents open customers of their contacts (test_customers_api)
    body = client.get("/api/customers/lookup", params={"phone": written}).json()
    assert body["phone"] == "+821012345678"
    assert [c["id"] for c in body["customers"]] == [ids["kim"]]
    assert body["customers"][0]["products"]


def test_screen_pop_unknown_number_and_bad_number(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    relogin(client, "sup")  # agents open customers of their contacts (test_customers_api)
    assert (
        client.get("/api/customers/lookup", params={"phone": "010-0000-0000"}).json()["customers"]
        == []
    )
    assert_problem(
        client.get("/api/customers/lookup", params={"phone": "hello"}), 422, "query.phone"
    )
    assert_problem(client.get("/api/customers/lookup"), 422, "query.phone")
    assert_problem(
        client.get("/api/customers/lookup", params={"phone": "010١٢٣٤٥٦٧٨"}), 422, "query.phone"
    )
    full_width = client.get("/api/customers/lookup", params={"phone": "010１２３４５６７８"})
    assert full_width.status_code == 200 and full_width.json()["phone"] == "+821012345678"


def test_screen_pop_query_uses_the_phone_index(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        statement = phone_lookup_statement("+821012345678")
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                plan = " ".join(
                    str(r) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
                )
            else:
                conn.execute(
                    text("SET enable_seqscan = off")
                )  # empty table: make the planner show its choice
                plan = " ".join(str(r) for r in conn.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_customerphone_number" in plan, plan


def test_normalize_phone() -> None:
    assert normalize_phone("02-2123-4567") == "+82221234567"
    assert normalize_phone("+1 (415) 555-0100") == "+14155550100"
    for bad in ("", "hello", "+0123", "123", "+82", "010٢٣٤٧٢٨٥٧", "01012345678\u0301"):
        with pytest.raises(ValueError, match="not a phone number"):
            normalize_phone(bad)
    # NFKC: full-width digits and hyphens (Korean/Japanese input methods) become ASCII
    assert normalize_phone("010２３４７２８５７") == "+821023472857"
    assert normalize_phone("０１０－２３４７－２８５７") == "+821023472857"


def test_customer_list_pages_and_filters_by_tier(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    relogin(client, "sup")  # agents open customers of their contacts (test_customers_api)
    page = client.get("/api/customers", params={"limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    second = client.get("/api/customers", params={"limit": 2, "offset": 2}).json()
    assert [c["id"] for c in second["items"]] == [ids["park"]]
    core = client.get("/api/customers", params={"tier": "core"}).json()
    assert core["total"] == 2 and {c["value_tier"] for c in core["items"]} == {"core"}
    assert_problem(client.get("/api/customers", params={"tier": "diamond"}), 422, "query.tier")
    assert_problem(client.get("/api/customers", params={"limit": 0}), 422, "query.limit")


def handled_recently(app: FastAPI, username: str, customer_id: int) -> None:
    """``username``'s agent handled a contact of the customer an hour ago."""
    with Session(app.state.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        session.add(Interaction(
            contact_id=f"c-{username}-{customer_id}", queue="deposits", customer_id=customer_id,
            agent_id=user.agent_id, arrived_at=datetime.now(UTC) - timedelta(hours=1),
            outcome="answered",
        ))
        session.commit()


def test_add_contact_history(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    handled_recently(client.app, "agent01", ids["lee"])
    response = client.post(
        f"/api/customers/{ids['lee']}/contacts",
        json={
            "channel": "call_center",
            "reason": "card lost",
            "outcome": "resolved",
            "at": "2026-11-25T09:30:00+09:00",
        },
    )
    assert response.status_code == 201, response.text
    row = response.json()
    assert row["handled_by"] == "agent01" and row["customer_id"] == ids["lee"]
    assert datetime.fromisoformat(row["at"]) == datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    history = client.get(f"/api/customers/{ids['lee']}").json()["contacts"]
    assert [c["reason"] for c in history] == ["card lost"]


def test_add_contact_bad_input_names_the_field(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    handled_recently(client.app, "agent01", ids["lee"])
    url = f"/api/customers/{ids['lee']}/contacts"
    assert_problem(client.post(url, json={"channel": "fax"}), 422, "body.channel")
    assert_problem(
        client.post(url, json={"channel": "web", "reason": "x" * 61}), 422, "body.reason"
    )
    assert_problem(
        client.post(url, json={"channel": "web", "at": "9999-12-31T23:00:00-14:00"}), 422, "body.at"
    )
    assert_problem(client.post(url, json={"channel": "web", "extra": 1}), 422, "body.extra")
    malformed = client.post(
        url, content=b'{"channel": ', headers={"content-type": "application/json"}
    )
    assert assert_problem(malformed, 422, "body")["errors"][0]["type"] == "json_invalid"
    assert_problem(client.post("/api/customers/987654/contacts", json={"channel": "web"}), 404)


def test_qa_may_read_customers_but_not_write_history(env) -> None:  # type: ignore[no-untyped-def]
    client, ids = env
    create_user(client.app, "qa01", "qa")
    relogin(client, "qa01")
    assert client.get(f"/api/customers/{ids['kim']}").status_code == 200
    assert_problem(
        client.post(f"/api/customers/{ids['kim']}/contacts", json={"channel": "web"}), 403
    )


# --- agents ----------------------------------------------------------------------------------


def test_agents_list_and_skill_update_by_supervisor(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    relogin(client, "sup")
    agents = client.get("/api/agents").json()
    agent = next(a for a in agents["items"] if a["login"] == "agent01")
    assert agent["skills"] == [] and agent["site"] == "seoul"
    url = f"/api/agents/{agent['id']}/skills"
    response = client.patch(
        url,
        json={
            "skills": [{"skill": "loans", "proficiency": 4}, {"skill": "cards", "proficiency": 2}]
        },
    )
    assert response.status_code == 200, response.text
    assert [(s["skill"], s["proficiency"]) for s in response.json()["skills"]] == [
        ("cards", 2),
        ("loans", 4),
    ]
    response = client.patch(url, json={"skills": [{"skill": "loans", "proficiency": 5}]})
    assert [(s["skill"], s["proficiency"]) for s in response.json()["skills"]] == [("loans", 5)]
    assert client.get(f"/api/agents/{agent['id']}").json()["skills"][0]["proficiency"] == 5
    assert client.get("/api/agents", params={"site": "busan"}).json()["total"] == 0
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert len(session.exec(select(AgentSkill)).all()) == 1


def test_skill_update_bad_input(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    relogin(client, "sup")
    agent_id = client.get("/api/agents").json()["items"][0]["id"]
    url = f"/api/agents/{agent_id}/skills"
    assert_problem(
        client.patch(url, json={"skills": [{"skill": "loans", "proficiency": 6}]}),
        422,
        "body.skills.0.proficiency",
    )
    assert_problem(
        client.patch(url, json={"skills": [{"skill": "Loans!", "proficiency": 3}]}),
        422,
        "body.skills.0.skill",
    )
    dup = client.patch(url, json={"skills": [{"skill": "loans", "proficiency": 3}] * 2})
    assert "repeated: loans" in assert_problem(dup, 422, "body.skills")["detail"]
    unknown = client.patch(
        url,
        json={"skills": [{"skill": "loans", "proficiency": 3}, {"skill": "astrology",
                                                                  "proficiency": 3}]},
    )
    assert "astrology" in assert_problem(unknown, 422, "body.skills.1.skill")["detail"]
    assert client.get(f"/api/agents/{agent_id}").json()["skills"] == []  # nothing stored
    assert_problem(client.patch("/api/agents/4242/skills", json={"skills": []}), 404)


def test_agents_cannot_change_skills(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    assert_problem(client.patch("/api/agents/1/skills", json={"skills": []}), 403)


# --- queues ----------------------------------------------------------------------------------


def test_queues_read_by_anyone_goals_changed_by_supervisor(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    queues = client.get("/api/queues").json()
    assert [q["name"] for q in queues] == ["cards", "deposits", "loans"]
    queue_id = next(q["id"] for q in queues if q["name"] == "deposits")
    goals = {"vip": {"target": 0.9, "threshold_seconds": 10}}
    assert_problem(
        client.patch(f"/api/queues/{queue_id}", json={"service_level_goals": goals}), 403
    )
    relogin(client, "sup")
    unknown = client.patch(f"/api/queues/{queue_id}", json={"service_level_goals": goals})
    assert "vip" in assert_problem(unknown, 422, "body.service_level_goals")["detail"]
    assert_problem(
        client.patch(f"/api/queues/{queue_id}", json={"service_level_goals": {}}),
        422,
        "body.service_level_goals",
    )
    zero = {"gold": {"target": 0.8, "threshold_seconds": 0}}
    assert_problem(
        client.patch(f"/api/queues/{queue_id}", json={"service_level_goals": zero}),
        422,
        "body.service_level_goals.gold.threshold_seconds",
    )
    bad_target = {"gold": {"target": 1.5, "threshold_seconds": 10}}
    assert_problem(
        client.patch(f"/api/queues/{queue_id}", json={"service_level_goals": bad_target}),
        422,
        "body.service_level_goals.gold.target",
    )
    assert client.get(f"/api/queues/{queue_id}").json()["service_level_goals"] == {
        "core": {"target": 0.8, "threshold_seconds": 20}
    }  # refused patches changed nothing
    good = {"private_banker": {"target": 0.9, "threshold_seconds": 10}}
    response = client.patch(f"/api/queues/{queue_id}", json={"service_level_goals": good})
    assert response.status_code == 200, response.text
    assert client.get(f"/api/queues/{queue_id}").json()["service_level_goals"] == {
        "private_banker": {"target": 0.9, "threshold_seconds": 10},
        "core": {"target": 0.8, "threshold_seconds": 20},  # merged, not wiped
    }
    assert_problem(client.get("/api/queues/4242"), 404)


# --- users -----------------------------------------------------------------------------------


def test_me_and_locale(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    me = client.get("/api/me").json()
    assert me["username"] == "agent01" and me["role"] == "agent" and me["locale"] == "ko"
    assert client.post("/api/me/locale", json={"locale": "en"}).json()["locale"] == "en"
    assert client.get("/api/me").json()["locale"] == "en"
    assert_problem(client.post("/api/me/locale", json={"locale": "fr"}), 422, "body.locale")


def test_change_own_password_keeps_this_session(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    assert_problem(
        client.post(
            "/api/me/password", json={"current_password": "nope", "new_password": "long enough"}
        ),
        422,
        "body.current_password",
    )
    response = client.post(
        "/api/me/password", json={"current_password": TEST_PASSWORD, "new_password": "long enough"}
    )
    assert response.status_code == 204
    client.headers["X-CSRF-Token"] = client.cookies.get("contactops_csrf") or ""
    assert client.get("/api/me").status_code == 200
    client.cookies.clear()
    login(client, "agent01", "long enough")


def test_admin_creates_users_and_resets_passwords(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    assert_problem(client.get("/api/users"), 403)
    relogin(client, "admin")
    body = {"username": "planner01", "password": "planner pass", "role": "planner", "locale": "en"}
    created = client.post("/api/users", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "planner" and "password" not in created.json()
    assert_problem(client.post("/api/users", json=body), 409)
    assert_problem(
        client.post("/api/users", json={**body, "username": "x2", "role": "ceo"}), 422, "body.role"
    )
    assert_problem(
        client.post("/api/users", json={**body, "username": "x3", "password": "short"}),
        422,
        "body.password",
    )
    assert_problem(
        client.post("/api/users", json={**body, "username": "x4", "agent_id": 4242}), 404
    )
    upper = client.post("/api/users", json={**body, "username": "PLANNER01"})
    assert "taken" in assert_problem(upper, 409)["detail"]
    mixed = client.post("/api/users", json={**body, "username": "Tst_U1"})
    assert mixed.status_code == 201 and mixed.json()["username"] == "tst_u1"
    assert_problem(client.post("/api/users", json={**body, "username": "TST_U1"}), 409)
    agent01 = client.get("/api/users").json()
    agent_id = next(u["agent_id"] for u in agent01 if u["username"] == "agent01")
    linked = client.post("/api/users", json={**body, "username": "x5", "agent_id": agent_id})
    assert "agent_id" in assert_problem(linked, 409)["detail"]
    uid = created.json()["id"]
    assert (
        client.post(f"/api/users/{uid}/password", json={"password": "another pass"}).status_code
        == 204
    )
    assert_problem(client.post("/api/users/4242/password", json={"password": "another pass"}), 404)
    other = TestClient(client.app)
    login(other, "planner01", "another pass")


def test_unknown_api_path_is_a_problem(env) -> None:  # type: ignore[no-untyped-def]
    client, _ = env
    assert_problem(client.get("/api/nothing-here"), 404)
    assert_problem(client.delete("/api/me"), 405)


def test_unexpected_errors_become_a_logged_500_problem(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The catch-all exists (the route walk shows it is never reached by bad input)."""
    from app.api.errors import Conflict

    with make_client(make_settings(sqlite_url), raise_server_exceptions=False) as client:
        app = client.app
        assert isinstance(app, FastAPI)

        @app.get("/api/_boom")
        def boom() -> None:
            raise ZeroDivisionError("secret internals")

        @app.get("/api/_conflict")
        def conflict() -> None:
            raise Conflict("already there")

        response = client.get("/api/_boom")
        body = assert_problem(response, 500)
        assert "secret internals" not in body["detail"]
        assert any("unexpected error" in r.message for r in caplog.records)
        assert assert_problem(client.get("/api/_conflict"), 409)["detail"] == "already there"
