"""A real browser walks an agent through a call (issue 12): Log in → Ready → offered call →
Answer → Hold → Resume → Hang up → Wrap up with a contact reason and a disposition; the
call is then in the customer's contact history. Buttons are found by role and exact name."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from app.live import get_services
from app.models import ContactHistory, Customer
from app.testing import create_user, make_app, make_settings
from routing.engine import ContactSpec
from tests.app.live_helpers import seed_bank
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def console_server(sqlite_url: str) -> Iterator[tuple[str, Any]]:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "agent01", "agent", "agent01 password", locale="en")
    seed_bank(app, agents=())  # queues, and skills for the agents above
    with Session(app.state.engine) as session:
        session.add(Customer(id=17, name="Kim Minji"))
        session.commit()
    for url in serve_in_thread(app):
        yield url, app


def _arrive(app: Any, contact_id: str) -> None:
    """A call for agent01's skill, submitted to the server's engine task (as telephony)."""
    center = get_services(app).center
    action = lambda e, t: e.arrive(
        ContactSpec(contact_id, "deposits", tier="gold", customer_id="17"), t)
    asyncio.run_coroutine_threadsafe(center.submit(action), center._loop).result(10)


def test_an_agent_works_a_call_from_ready_to_wrap_up(console_server: tuple[str, Any]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    server, app = console_server
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server}/login")
            page.fill("input[name=username]", "agent01")
            page.fill("input[name=password]", "agent01 password")
            page.click("main button[type=submit]")
            page.wait_for_url(f"{server}/agent")

            def press(name: str) -> None:
                button = page.get_by_role("button", name=name, exact=True)
                sync_api.expect(button).to_be_enabled(timeout=10_000)
                button.click()

            press("Log in")
            press("Ready")
            sync_api.expect(page.locator("#sp-state")).to_contain_text("ready")
            _arrive(app, "c1")
            press("Answer")
            sync_api.expect(page.locator("#sp-state")).to_contain_text("talking")
            waited = page.locator("#sp-contact").inner_text()
            press("Hold")
            sync_api.expect(page.locator("#sp-state")).to_contain_text("on hold")
            page.wait_for_timeout(1200)  # the caller's wait must not move after the answer
            assert page.locator("#sp-contact").inner_text() == waited
            press("Resume")
            press("Hang up")
            sync_api.expect(page.locator("#sp-state")).to_contain_text("wrap-up")
            page.select_option("select[name=contactReason]", "card_lost")
            page.select_option("select[name=disposition]", "resolved")
            press("Wrap up")
            sync_api.expect(page.locator("#sp-state")).to_contain_text("ready")
            # the next call starts with an empty wrap-up form
            _arrive(app, "c2")
            sync_api.expect(page.get_by_role("button", name="Answer", exact=True)).to_be_enabled()
            assert page.locator("select[name=disposition]").input_value() == ""
            assert page.locator("select[name=contactReason]").input_value() == ""
            page.screenshot(path="/tmp/console-walk-en.png")
        finally:
            browser.close()
    assert not errors, errors
    with Session(app.state.engine) as session:
        rows = session.exec(select(ContactHistory)).all()
    assert [(h.customer_id, h.reason, h.outcome, h.handled_by) for h in rows] == [
        (17, "card_lost", "resolved", "agent01")]
