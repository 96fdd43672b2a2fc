"""The agent's day and the profile refresh in a real browser (headless Debian Chromium): the
day panel shows the next break from a published roster; on a call, the agent edits a phone
and adds a life event from the screen pop and sees them in the change log; the pop's contact
history is on the center's clock though the browser is in New York; the Korean pop shows no
English code. Screenshots at 1366×768 go to /tmp/shots-day/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import (
    Agent,
    ContactHistory,
    Customer,
    CustomerLifeEvent,
    CustomerPhone,
    CustomerProfileChange,
    Product,
)
from app.queries import CENTER_TZ
from app.testing import TEST_PASSWORD, make_app, make_settings
from tests.app.live_helpers import arrive_call, include_live_routes, seed_bank, switch_language
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread
from tests.app.test_console_day_api import evaluations, publish_roster

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-day")


def _shift_around_now(agent: str) -> dict:  # type: ignore[type-arg]
    """A shift from an hour ago to three hours ahead (center time), with a break in half an
    hour (whatever the time of day: a shift may run past midnight)."""
    now = datetime.now(CENTER_TZ).replace(second=0, microsecond=0, tzinfo=None)
    at = lambda minutes: (now + timedelta(minutes=minutes)).isoformat()
    return {"agent": agent, "shift_type": "D", "start": at(-60), "end": at(180),
            "activities": [{"kind": "break", "start": at(30), "end": at(45)}], "work": []}


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[tuple[str, object]]:
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    seed_bank(app)
    with Session(app.state.engine) as session:
        manager = session.exec(select(Agent).where(Agent.login == "agent02")).one()
        session.add(Customer(id=17, name="김민지", value_tier="gold", segment="affluent",
                             lifecycle_stage="mature", home_branch="잠실지점",
                             relationship_manager_id=manager.id))
        session.flush()
        session.add(CustomerPhone(customer_id=17, number="+821012345678", kind="mobile"))
        session.add(Product(customer_id=17, kind="deposit", name="정기예금 12개월",
                            balance_krw=30_000_000))
        # 2026-12-03 23:30 UTC = 2026-12-04 08:30 in Seoul (18:30 the day before in New York)
        session.add(ContactHistory(customer_id=17, channel="branch",
                                   at=datetime(2026, 12, 3, 23, 30, tzinfo=UTC),
                                   reason="deposit_renewal", handled_by="teller3"))
        session.commit()
    shift = _shift_around_now("agent01")
    first = datetime.fromisoformat(shift["start"]).date()
    publish_roster(app, [shift], start_day=first, days=2)
    app.state.test_shift = shift
    evaluations(app)  # two waiting for agent01's acknowledgement
    for url in serve_in_thread(app):
        yield url, app


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    """One screen at 1366×768: nothing to scroll."""
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366 and height <= 768, (width, height)


def test_day_panel_and_profile_refresh_from_the_screen_pop(desk) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = desk
    SHOTS.mkdir(parents=True, exist_ok=True)
    brk = app.state.test_shift["activities"][0]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            context = browser.new_context(viewport={"width": 1366, "height": 768},
                                          locale="en-GB", timezone_id="America/New_York")
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            _log_in(page, server, "agent01", TEST_PASSWORD)
            page.wait_for_url(f"{server}/agent")
            switch_language(page, "en")
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            # the day panel: the next break from the published roster
            expect(page.locator("#day-shift")).to_contain_text(
                f"Shift {app.state.test_shift['start'][11:16]}–", timeout=5000)
            expect(page.locator("#next-break")).to_contain_text(
                f"Next break {brk['start'][11:16]}–{brk['end'][11:16]} · break", timeout=5000)
            expect(page.locator("#kpi-handled")).to_have_text("0")
            feedback = page.locator("#day-feedback")
            expect(feedback).to_contain_text("QA feedback to acknowledge 2")
            links = feedback.get_by_role("link", name="Read and acknowledge", exact=True)
            expect(links).to_have_count(2)
            assert re.fullmatch(r"/qa/evaluations/\d+", links.first.get_attribute("href") or "")
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            button("Ready").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            arrive_call(app, "c1")
            expect(button("Answer")).to_be_enabled(timeout=5000)
            button("Answer").click()
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=5000)
            pop = page.locator("#sp-pop")
            expect(pop).to_contain_text("mature")  # the stage, through the catalogs
            expect(pop).to_contain_text("04/12/2026, 08:30")  # center time, not New York's
            expect(page.locator("#pf-refreshed")).to_have_text("never refreshed", timeout=5000)
            expect(page.locator("#pf-due")).to_be_visible()
            page.screenshot(path=str(SHOTS / "day-en-talking.png"), full_page=True)
            _fits(page)
            # edit the phone, add a life event, see the change log
            button("Edit profile").click()
            dialog = page.locator("#pf-dialog")
            expect(dialog).to_be_visible()
            row = dialog.locator("[data-phone]").first
            row.locator("input[name=phone-number]").fill("010-2222-3333")
            row.get_by_role("button", name="Save", exact=True).click()
            log = dialog.locator("#pf-log")
            expect(log).to_contain_text("+821012345678 (mobile)", timeout=5000)
            expect(log).to_contain_text("+821022223333 (mobile)")
            expect(log).to_contain_text("agent01")
            expect(log).to_contain_text("c1")
            dialog.locator("select[name=new-event-kind]").select_option("child_wedding")
            dialog.locator("input[name=new-event-date]").fill("2027-05-01")
            dialog.locator("input[name=new-event-note]").fill("daughter")
            button("Add life event").click()
            expect(log).to_contain_text("child's wedding 2027-05-01 · daughter", timeout=5000)
            expect(log.locator("tbody tr")).to_have_count(2)
            expect(dialog.locator("[data-event] select[name=event-kind]")).to_have_value(
                "child_wedding")
            # a bad number: the error names the field, nothing changes
            dialog.locator("input[name=new-phone-number]").fill("12ab")
            button("Add phone").click()
            expect(dialog.locator("#pf-error")).to_contain_text("number", timeout=5000)
            expect(log.locator("tbody tr")).to_have_count(2)
            page.screenshot(path=str(SHOTS / "profile-en-dialog.png"))
            button("Close").click()
            expect(page.locator("#pf-refreshed")).to_have_text(
                "last refreshed today by agent01")
            expect(page.locator("#pf-due")).to_have_count(0)
            expect(page.locator("#pf-line")).not_to_contain_text("null")
            # the Korean pop: codes in Korean
            switch_language(page, "ko")
            expect(page.locator("#sp-pop")).to_contain_text("성숙", timeout=5000)
            expect(page.locator("#sp-pop")).to_contain_text("우량 고객")
            expect(page.locator("#next-break")).to_contain_text("다음 휴식")
            page.screenshot(path=str(SHOTS / "day-ko-talking.png"), full_page=True)
            _fits(page)
            page.get_by_role("button", name="고객 정보 수정", exact=True).click()
            expect(page.locator("#pf-log")).to_contain_text("생활 이벤트")
            expect(page.locator("#pf-log")).to_contain_text("자녀 결혼 2027-05-01 · daughter")
            expect(page.locator("#sp-contact")).to_contain_text("큐 예금")
            page.screenshot(path=str(SHOTS / "profile-ko-dialog.png"))
            assert errors == [] or all("422" in e for e in errors), errors
        finally:
            browser.close()
    with Session(app.state.engine) as session:
        assert [p.number for p in session.exec(select(CustomerPhone)).all()] == ["+821022223333"]
        assert session.exec(select(CustomerLifeEvent)).one().kind == "child_wedding"
        rows = session.exec(select(CustomerProfileChange)).all()
        assert [(r.field, r.changed_by, r.contact_id) for r in rows] == [
            ("phone", "agent01", "c1"), ("life_event", "agent01", "c1")]
