"""Pages: login, home redirect, agent console, wallboard and QA, with real data and role checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.cookies import CSRF_COOKIE
from app.i18n import LOCALE_COOKIE
from app.models import (
    AgentSkill,
    ContactHistory,
    Customer,
    CustomerPhone,
    EventRecord,
    Interaction,
    Product,
    Queue,
    User,
)
from app.queries import start_of_center_day
from app.testing import create_user, login, make_client, make_settings


def seed(app: FastAPI) -> None:
    now = datetime.now(UTC)
    today = start_of_center_day(now)
    with Session(app.state.engine) as session:
        customer = Customer(name="김민지", value_tier="platinum", home_branch="강남")
        session.add(customer)
        session.add_all(
            [Queue(name="deposits", skill="deposits"), Queue(name="loans", skill="loans")]
        )
        session.flush()
        assert customer.id is not None
        session.add_all(
            [
                CustomerPhone(customer_id=customer.id, number="+821012345678"),
                Product(
                    customer_id=customer.id,
                    kind="deposit",
                    name="정기예금 12개월",
                    balance_krw=30_000_000,
                ),
                ContactHistory(
                    customer_id=customer.id,
                    channel="branch",
                    at=now - timedelta(days=3),
                    reason="주소 변경",
                    handled_by="teller",
                ),
            ]
        )
        rows = [
            ("d1", "deposits", now - timedelta(seconds=5), "answered"),
            ("d2", "deposits", now - timedelta(seconds=4), "answered"),
            ("d3", "deposits", now - timedelta(seconds=3), "abandoned"),
            ("l1", "loans", now - timedelta(seconds=2), "abandoned"),
            ("old1", "deposits", today - timedelta(hours=1), "abandoned"),  # yesterday
            ("old2", "deposits", today - timedelta(days=20), "answered"),  # outside 7 days
        ]
        for contact_id, queue, at, outcome in rows:
            session.add(
                Interaction(
                    contact_id=contact_id,
                    queue=queue,
                    arrived_at=at,
                    outcome=outcome,
                    answered_at=at + timedelta(seconds=8) if outcome == "answered" else None,
                )
            )
        session.commit()


def _client(url: str) -> Iterator[TestClient]:
    with make_client(make_settings(url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        seed(app)
        agent = create_user(app, "agent01", "agent", site="busan")
        with Session(app.state.engine) as session:
            session.add(AgentSkill(agent_id=agent.agent_id or 0, skill="deposits", proficiency=4))
            session.add(
                EventRecord(
                    type="agent_state_changed",
                    at=1.0,
                    agent_id="agent01",
                    payload={"state": "ready", "previous": "not_ready"},
                )
            )
            session.commit()
        for name, role in (
            ("sup", "supervisor"),
            ("qa01", "qa"),
            ("planner01", "planner"),
            ("admin", "admin"),
        ):
            create_user(app, name, role)
        yield client


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    """Pages on SQLite (rendering does not depend on the database)."""
    yield from _client(sqlite_url)


@pytest.fixture
def db_client(database_url: str) -> Iterator[TestClient]:
    """Pages whose figures come from date-bounded queries: on SQLite and PostgreSQL."""
    yield from _client(database_url)


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    login(client, username)
    return client


def test_login_page_is_korean_by_default_and_carries_the_csrf_token(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="ko">' in page.text and "로그인" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token and token.group(1) == client.cookies.get(CSRF_COOKIE)


@pytest.mark.parametrize(
    "username,home",
    [
        ("agent01", "/agent"),
        ("sup", "/wallboard"),
        ("qa01", "/qa"),
        ("planner01", "/planner"),
        ("admin", "/wallboard"),
    ],
)
def test_root_redirects_to_the_users_home(client: TestClient, username: str, home: str) -> None:
    assert client.get("/").headers["location"] == "/login"
    as_user(client, username)
    assert client.get("/").headers["location"] == home


def test_agent_page_shows_profile_skills_and_screen_pop(db_client: TestClient) -> None:
    client = as_user(db_client, "agent01")
    page = client.get("/agent")
    assert page.status_code == 200
    assert "Agent agent01" in page.text and "deposits" in page.text and "4/5" in page.text
    assert "부산" in page.text  # site, translated
    assert '<script src="/static/agent.js" defer></script>' in page.text
    pop = client.get("/agent", params={"phone": "010-1234-5678"}).text
    assert (
        "김민지" in pop and "정기예금 12개월" in pop and "30,000,000" in pop and "주소 변경" in pop
    )
    assert (
        "이 번호의 고객이 없습니다" in client.get("/agent", params={"phone": "010-0000-0000"}).text
    )
    assert "올바른 전화번호가 아닙니다" in client.get("/agent", params={"phone": "hello"}).text


def test_wallboard_shows_queues_todays_counts_and_agents_by_site_and_state(
    db_client: TestClient,
) -> None:
    client = as_user(db_client, "sup")
    page = client.get("/wallboard")
    assert page.status_code == 200
    assert '<script src="/static/wallboard.js" defer></script>' in page.text
    deposits = re.search(r'<tr data-queue="deposits">(.*?)</tr>', page.text, re.DOTALL)
    assert deposits
    assert re.findall(r'class="num \w+">(\d+)<', deposits.group(1)) == [
        "3",
        "2",
        "1",
    ]  # offered, answered, abandoned
    busan = re.search(r'<tr data-site="busan">(.*?)</tr>', page.text, re.DOTALL)
    assert busan and '<td class="num">1</td>' in busan.group(1)
    assert "대기" in page.text  # the "ready" state, translated


def test_qa_page_counts_and_abandon_rate_over_the_last_days(db_client: TestClient) -> None:
    client = as_user(db_client, "qa01")
    week = client.get("/qa").text
    deposits = re.search(r'<tr data-queue="deposits">(.*?)</tr>', week, re.DOTALL)
    assert deposits
    cells = re.findall(r'<td class="num">([^<]+)</td>', deposits.group(1))
    assert cells == ["4", "2", "2", "50.0 %"]  # today's 3 plus yesterday's abandoned one
    today = client.get("/qa", params={"days": 1}).text
    today_deposits = re.search(r'<tr data-queue="deposits">(.*?)</tr>', today, re.DOTALL)
    assert today_deposits and "33.3 %" in today_deposits.group(1)
    assert client.get("/qa", params={"days": 0}).status_code == 422


@pytest.mark.parametrize(
    "username,allowed",
    [
        ("agent01", {"/agent"}),
        ("sup", {"/wallboard"}),
        ("qa01", {"/qa"}),
        ("admin", {"/agent", "/wallboard", "/qa"}),
    ],
)
def test_pages_need_the_right_role(client: TestClient, username: str, allowed: set[str]) -> None:
    as_user(client, username)
    for path in ("/agent", "/wallboard", "/qa"):
        assert client.get(path).status_code == (200 if path in allowed else 403), path


def test_nav_shows_the_pages_of_the_role(client: TestClient) -> None:
    as_user(client, "agent01")
    links = set(
        re.findall(r"<nav[^>]*>(.*?)</nav>", client.get("/agent").text, re.DOTALL)[0].split(
            'href="'
        )[1:]
    )
    assert {link.split('"')[0] for link in links} == {"/agent", "/qa/my-evaluations"}
    as_user(client, "admin")
    nav = re.findall(r"<nav[^>]*>(.*?)</nav>", client.get("/wallboard").text, re.DOTALL)[0]
    assert re.findall(r'href="([^"]+)"', nav) == [
        "/agent",
        "/wallboard",
        "/planner",
        "/planner/roster",
        "/planner/intraday",
        "/planner/whatif",
        "/wallboard/adherence",
        "/qa",
        "/admin",  # not /audit: auditors only
        "/qa/evaluations",
        "/qa/coaching",
        "/qa/scorecards",
        "/qa/my-evaluations",
        "/kb",
        "/standards",
        "/standards/report",
        "/campaigns",  # supervisors and admins
        "/reports",  # supervisors, QA analysts, planners and admins
    ]


def test_language_switch_in_the_header_is_saved_per_user(client: TestClient) -> None:
    as_user(client, "sup")
    token = client.cookies.get(CSRF_COOKIE)
    assert (
        client.post(
            "/locale", data={"locale": "en", "next": "/wallboard", "csrf_token": "bad"}
        ).status_code
        == 403
    )
    response = client.post(
        "/locale", data={"locale": "en", "next": "/wallboard", "csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["location"] == "/wallboard"
    page = client.get("/wallboard").text
    assert '<html lang="en">' in page and "Log out" in page and "Queues today" in page
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert session.exec(select(User.locale).where(User.username == "sup")).one() == "en"


def test_anonymous_language_switch_uses_a_cookie(client: TestClient) -> None:
    client.get("/login")
    token = client.cookies.get(CSRF_COOKIE)
    response = client.post("/locale", data={"locale": "en", "next": "/login", "csrf_token": token})
    assert response.status_code == 303 and client.cookies.get(LOCALE_COOKIE) == "en"
    assert "Log in" in client.get("/login").text
    assert client.post("/locale", data={"locale": "fr", "csrf_token": token}).status_code == 400


def test_static_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/app.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]
