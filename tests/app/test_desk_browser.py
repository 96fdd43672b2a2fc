"""The agent desktop in a real browser (headless Debian Chromium): Log in → Ready → offered call →
Answer → Hold → Resume → Hang up → Wrap up with a disposition, driven by role and accessible
name; the call lands in the customer's history. Screenshots at 1366×768 in ko and en go to
/tmp/shots-desk/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import ContactHistory, Customer, Product
from app.testing import make_app, make_settings
from tests.app.live_helpers import (
    arrive_call,
    include_live_routes,
    open_console,
    seed_bank,
    switch_language,
)
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-desk")
NAMES = ("Log in", "Ready", "Not ready", "Answer", "Hold", "Resume", "Transfer", "Hang up", "Wrap up")


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[tuple[str, object]]:
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    seed_bank(app)
    with Session(app.state.engine) as session:
        session.add(Customer(id=17, name="김민지", value_tier="gold", segment="affluent"))
        session.add(Product(customer_id=17, kind="deposit", name="정기예금 12개월",
                            balance_krw=30_000_000, maturity_date=date(2026, 12, 16)))
        session.commit()
    for url in serve_in_thread(app):
        yield url, app


def test_an_agent_works_a_call_by_role_and_name(desk) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = desk
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page, errors = open_console(browser, server)
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            for name in NAMES:  # every control, by exactly its word; the shortcut is apart
                expect(button(name)).to_have_count(1)
            assert button("Answer").get_attribute("aria-keyshortcuts") == "Alt+A"
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            page.keyboard.press("Alt+r")  # Ready by its shortcut
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            arrive_call(app, "c1")
            expect(button("Answer")).to_be_enabled(timeout=5000)
            expect(page.locator("#sp-pop")).to_contain_text("김민지", timeout=5000)
            button("Answer").click()
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=5000)
            expect(page.locator("#sp-timer")).to_contain_text("Talking")
            page.screenshot(path=str(SHOTS / "agent-en-talking.png"))
            button("Hold").click()
            expect(page.locator("#sp-state")).to_have_text("on hold", timeout=5000)
            button("Resume").click()
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=5000)
            button("Hang up").click()
            expect(page.locator("#sp-state")).to_have_text("wrap-up", timeout=5000)
            assert page.locator("select[name=disposition]").input_value() == ""
            page.select_option("select[name=disposition]", "sale")
            page.select_option("select[name=contact-reason]", "deposit_renewal")
            page.fill("input[name=wrap-notes]", "renewed 12 months")
            button("Wrap up").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            # the next call's disposition list starts empty again
            arrive_call(app, "c2")
            expect(button("Answer")).to_be_enabled(timeout=5000)
            assert page.locator("select[name=disposition]").input_value() == ""
            switch_language(page, "ko")
            expect(page.get_by_role("button", name="응답", exact=True)).to_be_enabled(timeout=5000)
            page.screenshot(path=str(SHOTS / "agent-ko-ringing.png"))
            assert errors == []
        finally:
            browser.close()
    with Session(app.state.engine) as session:
        rows = session.exec(select(ContactHistory).where(ContactHistory.customer_id == 17)).all()
        assert [(r.channel, r.outcome, r.reason, r.notes, r.handled_by) for r in rows] == [
            ("call_center", "sale", "deposit_renewal", "renewed 12 months", "agent01")]
