"""Shared set-up of the live-path API tests: an app with the live routes, a manual clock, a bank."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.live import get_services
from app.live.center import ManualClock
from app.models import Agent, AgentSkill, Queue
from app.testing import create_user, login, make_app, make_settings
from routing.engine import ContactSpec

T0 = 1_764_000_000.0
LIVE_ROUTERS = ("app.api.console", "app.api.events", "app.api.ws")


def include_live_routes(app: Any) -> None:
    """Until app/main.py lists them in ROUTER_MODULES, add the live routes to the test app."""
    import importlib

    paths = {getattr(r, "path", None) for r in app.router.routes}
    for name in LIVE_ROUTERS:
        router = importlib.import_module(name).router
        if not any(getattr(r, "path", None) in paths for r in router.routes):
            app.include_router(router)


def seed_bank(app: Any, agents: tuple[str, ...] = ("agent01", "agent02")) -> None:
    with Session(app.state.engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.add(Queue(name="loans", skill="loans"))
        session.commit()
    for name in agents:
        create_user(app, name, "agent")
    create_user(app, "sup", "supervisor")
    create_user(app, "qa1", "qa")
    with Session(app.state.engine) as session:
        for agent in session.exec(select(Agent)).all():
            session.add(AgentSkill(agent_id=agent.id, skill="deposits", proficiency=3))
            session.add(AgentSkill(agent_id=agent.id, skill="loans", proficiency=2))
        session.commit()


@contextmanager
def live_client(
    database_url: str, start: float = T0, prepare: Any = None
) -> Iterator[tuple[TestClient, ManualClock]]:
    app = make_app(make_settings(database_url))
    include_live_routes(app)
    clock = ManualClock(start)
    app.state.live_clock = clock
    seed_bank(app)
    if prepare is not None:
        prepare(app)
    with TestClient(app, follow_redirects=False) as client:
        yield client, clock
        client.portal.call(get_services(app).center.stop)  # type: ignore[union-attr]


def as_user(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, name)
    return client


def submit(client: TestClient, action: Any) -> list[Any]:
    """Run ``action(engine, now)`` in the app's engine task (what telephony would do)."""
    center = get_services(client.app).center
    return client.portal.call(center.submit, action)  # type: ignore[union-attr]


def arrive_call(app: Any, contact_id: str, customer_id: str | None = "17") -> None:
    """A gold caller (of ``customer_id``) arrives in the deposits queue of a served app."""
    center = get_services(app).center
    spec = ContactSpec(contact_id, "deposits", "gold", customer_id=customer_id)
    action = lambda e, t: e.arrive(spec, t)
    asyncio.run_coroutine_threadsafe(center.submit(action), center._loop).result(10)


def switch_language(page: Any, code: str) -> None:
    """Switch the agent console's language with the top bar's form."""
    page.select_option("form.lang select[name=locale]", code)
    page.click("form.lang button[type=submit]")
    page.wait_for_url(re.compile(r".*/agent$"))
    page.wait_for_selector(f"html[lang={code}]")


def open_console(browser: Any, server: str, login: str = "agent01",
                 language: str = "en") -> tuple[Any, list[str]]:
    """A 1366x768 page of ``login``'s console in ``language`` (logged in with the test
    password), and the list its script errors and console errors are collected in."""
    from app.testing import TEST_PASSWORD
    from tests.app.test_browser import _log_in

    errors: list[str] = []
    page = browser.new_context(viewport={"width": 1366, "height": 768},
                               locale="en-GB").new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _log_in(page, server, login, TEST_PASSWORD)
    page.wait_for_url(f"{server}/agent")
    switch_language(page, language)
    return page, errors
