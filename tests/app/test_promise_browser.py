"""An agent dials a lead, reaches the customer and wraps up with the party reached and a
promise to pay, in a real browser (headless Debian Chromium, en then ko); the event log holds
the party and the promise. Screenshots at 1366×768 go to /tmp/shots-promise/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import ContactHistory, EventRecord
from tests.app.live_helpers import open_console, switch_language
from tests.app.test_agenda_browser import desk  # noqa: F401  (the fixture)
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-promise")


def test_an_outbound_wrap_up_records_the_party_and_a_promise(desk) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app, day, ids = desk
    due = (day + timedelta(days=7)).isoformat()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page, errors = open_console(browser, server)
            page.get_by_role("button", name="Log in", exact=True).click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            row = page.locator("#sp-outcome-row")
            expect(row).to_be_hidden()  # no outbound contact: no party to say
            agenda = page.locator("#agenda")
            lead = agenda.locator(f"li[data-key=lead-{ids['won']}]")
            lead.get_by_role("button", name="Preview").click()
            agenda.get_by_role("button", name="Dial").click()
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=10000)
            expect(row).to_be_visible()
            promise = row.locator(".sp-promise")
            expect(promise).to_be_hidden()
            page.get_by_role("button", name="Hang up", exact=True).click()
            expect(page.locator("#sp-state")).to_have_text("wrap-up", timeout=5000)
            page.select_option("select[name=party]", "right_party")
            expect(promise).to_be_visible()
            page.fill("input[name=promise-amount]", "300000")
            page.fill("input[name=promise-due]", due)
            page.screenshot(path=str(SHOTS / "promise-en-wrapup.png"))
            switch_language(page, "ko")
            row = page.locator("#sp-outcome-row")
            expect(row).to_be_visible(timeout=5000)
            expect(row).to_contain_text("통화 대상")
            page.select_option("select[name=party]", "right_party")
            expect(row).to_contain_text("납부 약속")
            page.fill("input[name=promise-amount]", "300000")
            page.fill("input[name=promise-due]", due)
            page.screenshot(path=str(SHOTS / "promise-ko-wrapup.png"))
            page.get_by_role("button", name="후처리 완료").click()
            expect(page.locator("#sp-state")).to_have_text("대기", timeout=5000)
            expect(row).to_be_hidden()
            assert errors == []
        finally:
            browser.close()
    with Session(app.state.engine) as session:
        events = session.exec(select(EventRecord).order_by(EventRecord.seq)).all()  # type: ignore[arg-type]
        history = session.exec(select(ContactHistory).where(
            ContactHistory.reason == "promise_to_pay")).all()
    assert [e.payload["party"] for e in events if e.type == "wrap_up_ended"] == ["right_party"]
    promised = [e.payload for e in events if e.type == "promise_to_pay"]
    assert [(p["customer_id"], p["amount"], p["due_on"]) for p in promised] == [
        ("17", 300_000.0, due)]
    assert [(h.customer_id, h.notes) for h in history] == [(17, f"300000 KRW by {due}")]
