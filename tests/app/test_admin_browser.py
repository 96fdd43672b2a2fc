"""/admin and /audit in a real browser at 1366x768, Korean and English: the forms work, the
pages fit the width. Screenshots go to ``$CONTACTOPS_SCREENSHOTS`` when set."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.customer_access import AccessEntry, log_access
from app.customer_policy import fields_shown
from app.models import Agent, Customer, Queue, User
from app.testing import create_user, make_app, make_settings
from tests.app.auth.test_authenticate import _login
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def admin_server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url, account_lockout_failures=2))
    create_user(app, "admin", "admin", "admin password")
    create_user(app, "aud01", "auditor", "auditor password")
    create_user(app, "sup01", "supervisor", "sup01 password")
    create_user(app, "agent01", "agent", "agent01 password")
    with Session(app.state.engine) as session:
        goals = {"private_banker": {"target": 0.9, "threshold_seconds": 10},
                 "core": {"target": 0.8, "threshold_seconds": 20}}
        session.add(Queue(name="deposits", skill="deposits", service_level_goals=goals))
        session.add(Queue(name="vip", skill="vip", service_level_goals=goals))
        session.add(Agent(login="agent02", name="Agent 02", site="busan"))
        session.add(Customer(name="김민지", value_tier="platinum"))
        session.commit()
    with Session(app.state.engine) as session:  # what the access log holds after some work
        sup = session.exec(select(User).where(User.username == "sup01")).one()
        agent = session.exec(select(User).where(User.username == "agent01")).one()
        customer_id = session.exec(select(Customer.id)).one()
        now = datetime.now(UTC)
        log_access(session, sup, "10.1.2.3", [customer_id],
                   AccessEntry("read", fields_shown("full"), "supervision"), now)
        log_access(session, agent, "10.1.2.4", [customer_id],
                   AccessEntry("read", (), "denied", allowed=False), now)
        log_access(session, agent, "10.1.2.4", [customer_id],
                   AccessEntry("read", fields_shown("masked"), "customer_request",
                               "asked at the Busan branch"), now)
    for ip in ("10.7.0.1", "10.7.0.2"):
        asyncio.run(_login(app, "agent01", "guess", ip))  # locked out, an alert raised
    yield from serve_in_thread(app)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CONTACTOPS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_admin_and_audit_pages_in_a_browser(admin_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            _log_in(page, admin_server, "admin", "admin password")
            page.goto(f"{admin_server}/admin")
            assert page.locator("h1").first.inner_text() == "관리"
            assert page.locator("tr[data-user=agent01] .locked").inner_text() == "잠김"
            assert _fits(page)
            _shot(page, "admin-ko")
            page.click("tr[data-user=agent01] form[action$='/unlock'] button")
            page.wait_for_url(f"{admin_server}/admin?done=unlocked")
            assert page.locator("tr[data-user=agent01] .locked").count() == 0
            assert page.locator("tr[data-alert]").count() == 0  # the lock's alert went with it
            page.fill("form[data-queue=deposits] input[name=target_gold]", "0.85")
            page.fill("form[data-queue=deposits] input[name=threshold_gold]", "15")
            page.click("form[data-queue=deposits] button[type=submit]")
            page.wait_for_url(f"{admin_server}/admin?done=goals_saved")
            value = page.input_value("form[data-queue=deposits] input[name=target_gold]")
            assert value == "0.85"
            page.fill("tr[data-agent=agent02] input[name=skill_vip]", "5")
            page.click("tr[data-agent=agent02] button[type=submit]")
            page.wait_for_url(f"{admin_server}/admin?done=skills_saved")
            assert page.input_value("tr[data-agent=agent02] input[name=skill_vip]") == "5"
            page.select_option("#routing select[name=selection]", "longest_idle")
            page.fill("#routing input[name=ring_timeout_seconds]", "15")
            page.click("#routing button[type=submit]")
            page.wait_for_url(f"{admin_server}/admin?done=routing_saved")
            assert page.input_value("#routing input[name=ring_timeout_seconds]") == "15.0"
            assert page.input_value("#routing select[name=selection]") == "longest_idle"
            page.select_option("form.lang select[name=locale]", "en")
            page.click("form.lang button[type=submit]")
            page.wait_for_url(f"{admin_server}/admin")
            assert page.locator("h1").first.inner_text() == "Administration"
            assert _fits(page)
            _shot(page, "admin-en")
            page.click("form.logout button[type=submit]")
            page.wait_for_url(f"{admin_server}/login")
            _log_in(page, admin_server, "aud01", "auditor password")
            page.wait_for_url(f"{admin_server}/audit")
            assert page.locator("h1").first.inner_text() == "감사"
            assert page.locator("#admin-log tbody tr").count() == 4  # unlock, goals, skills, routing
            assert page.locator("#access-log tbody tr").count() == 3
            assert page.locator("#access-log tr.refused").count() == 1
            assert _fits(page)
            _shot(page, "audit-ko")
            page.select_option("form.lang select[name=locale]", "en")
            page.click("form.lang button[type=submit]")
            page.wait_for_url(f"{admin_server}/audit")
            assert page.locator("h1").first.inner_text() == "Audit"
            _shot(page, "audit-en")
        finally:
            browser.close()
