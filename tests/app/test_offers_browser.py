"""Next best offers in a real browser (headless Debian Chromium): an agent answers a call, sees
the ranked offers with their tips, makes one, hangs up, records it accepted and wraps up with
a disposition; then the offer is in the customer's history and an OfferRecorded event in the
log. Screenshots at 1366×768 in en and ko go to /tmp/shots-offers/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import ContactHistory, Customer, CustomerLifeEvent, EventRecord, Product
from app.queries import CENTER_TZ
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
SHOTS = Path("/tmp/shots-offers")


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[tuple[str, object]]:
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    seed_bank(app)
    today = datetime.now(CENTER_TZ).date()
    with Session(app.state.engine) as session:
        session.add(Customer(id=17, name="김민지", value_tier="gold", segment="affluent",
                             marketing_consent=True, birth_date=date(1968, 4, 2)))
        session.add(Product(customer_id=17, kind="deposit", name="정기예금 12개월",
                            balance_krw=30_000_000, maturity_date=today + timedelta(days=12)))
        session.add(Product(customer_id=17, kind="card", name="신용카드 클래식", balance_krw=0))
        session.add(CustomerLifeEvent(customer_id=17, kind="child_wedding",
                                      on_date=today + timedelta(days=40)))
        session.commit()
    for url in serve_in_thread(app):
        yield url, app


def test_an_agent_records_an_accepted_offer(desk) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = desk
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page, errors = open_console(browser, server)
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            button("Ready").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            arrive_call(app, "c1")
            offers = page.locator("#offers")
            expect(offers).to_be_visible(timeout=5000)
            first = offers.locator("li").first
            expect(first).to_have_attribute("data-offer", "time_deposit_renewal")
            expect(first).to_contain_text("Deposit matures in 12 days")
            expect(offers.locator("li[data-offer=personal_loan]")).to_contain_text(
                "Child's wedding in 40 days")
            expect(offers.locator("li[data-offer=fund]")).to_contain_text("cross-sell")
            # ringing: nothing to record yet
            expect(first.get_by_role("button", name="Made")).to_be_disabled()
            button("Answer").click()
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=5000)
            first.get_by_role("button", name="Made").click()
            expect(first).to_contain_text("✓ Made", timeout=5000)
            page.screenshot(path=str(SHOTS / "offers-en-talking.png"))
            button("Hang up").click()
            expect(page.locator("#sp-state")).to_have_text("wrap-up", timeout=5000)
            first.get_by_role("button", name="Accepted").click()
            expect(first).to_contain_text("✓ Accepted", timeout=5000)
            expect(first.get_by_role("button", name="Declined")).to_be_disabled()
            page.select_option("select[name=disposition]", "sale")
            page.select_option("select[name=contact-reason]", "deposit_renewal")
            button("Wrap up").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            expect(offers).to_be_hidden(timeout=5000)
            arrive_call(app, "c2")
            switch_language(page, "ko")
            # renewed on c1: the next call is not offered the renewal again
            expect(page.locator("#offers li").first).to_contain_text("자녀 결혼", timeout=5000)
            expect(page.locator("#offers li[data-offer=time_deposit_renewal]")).to_have_count(0)
            page.screenshot(path=str(SHOTS / "offers-ko-ringing.png"))
            assert errors == []
        finally:
            browser.close()
    with Session(app.state.engine) as session:
        rows = session.exec(select(ContactHistory).where(ContactHistory.customer_id == 17)
                            .order_by(ContactHistory.id)).all()  # type: ignore[arg-type]
        events = [e.payload for e in session.exec(select(EventRecord)).all()
                  if e.type == "offer_recorded"]
    assert [(r.reason, r.outcome) for r in rows] == [
        ("offer:time_deposit_renewal", "made"), ("offer:time_deposit_renewal", "accepted"),
        ("deposit_renewal", "sale")]
    assert [(e["offer"], e["result"], e["kind"], e["contact_id"]) for e in events] == [
        ("time_deposit_renewal", "made", "retention", "c1"),
        ("time_deposit_renewal", "accepted", "retention", "c1")]
