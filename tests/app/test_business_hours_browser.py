"""The /admin business hours and holidays section in a real browser (ko and en): set a
site's hours, add and delete a holiday, a bad range refused naming the field. Screenshots
of the section go to ``$CONTACTOPS_SCREENSHOTS`` when set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import AdminAudit, Queue, QueueHours, SiteHoliday, SiteHours
from app.seed.hours import DEMO_HOURS
from app.testing import create_user, make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def hours_server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "admin", "admin", "admin password")
    with Session(app.state.engine) as session:
        now = datetime.now(UTC)
        for day_type, ranges in DEMO_HOURS["seoul"].items():
            session.add(SiteHours(site="seoul", day_type=day_type, ranges=ranges,
                                  updated_at=now, updated_by="seed"))
        for day, name in ((date(2026, 9, 24), "추석 전날"), (date(2026, 9, 25), "추석"),
                          (date(2026, 9, 26), "추석 다음날")):
            session.add(SiteHoliday(day=day, name=name))
        session.add(Queue(name="deposits", skill="deposits"))
        session.add(Queue(name="fx", skill="fx"))
        session.commit()
    yield from serve_in_thread(app)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CONTACTOPS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator("#hours").screenshot(path=str(Path(folder) / f"{name}.png"))


def test_business_hours_section_in_a_browser(hours_server: str, sqlite_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            _log_in(page, hours_server, "admin", "admin password")
            page.goto(f"{hours_server}/admin")
            section = page.locator("#hours")
            assert section.locator("h2").inner_text() == "영업시간과 휴일"
            assert page.input_value("#hours-seoul-weekday") == "09:00-18:00"
            assert page.input_value("#hours-seoul-sat") == "-"
            assert "24시간 운영" in section.locator("form[data-site=busan] h3").inner_text()
            page.fill("#hours-busan-weekday", "09:00-12:00, 13:00-18:00")
            page.fill("#hours-busan-sat", "09:00-13:00")
            page.click("form[data-site=busan] button[type=submit]")
            page.wait_for_url(f"{hours_server}/admin?done=hours_saved")
            assert page.input_value("#hours-busan-sat") == "09:00-13:00"
            assert page.input_value("#hours-busan-sun") == "-"  # left blank: closed
            assert page.input_value("#hours-busan-mon") == ""  # follows Mon-Fri
            page.fill("#hours-busan-sat", "13:00-09:00")
            page.click("form[data-site=busan] button[type=submit]")
            assert "hours.sat[0].end" in page.locator("p.error").inner_text()
            page.goto(f"{hours_server}/admin")
            page.fill("#holiday-add input[name=day]", "2026-12-31")
            page.fill("#holiday-add input[name=name]", "종무식")
            page.select_option("#holiday-add select[name=site]", "busan")
            page.click("#holiday-add button[type=submit]")
            page.wait_for_url(f"{hours_server}/admin?done=holiday_added")
            row = page.locator("tr[data-holiday='2026-12-31']")
            assert "종무식" in row.inner_text() and "부산" in row.inner_text()
            page.click("tr[data-holiday='2026-09-26'] button[type=submit]")
            page.wait_for_url(f"{hours_server}/admin?done=holiday_deleted")
            assert page.locator("tr[data-holiday]").count() == 3
            page.fill("tr[data-queue-hours=fx] input[name=hours_weekday]", "09:00-16:00")
            page.fill("tr[data-queue-hours=fx] input[name=hours_sat]", "-")
            page.click("tr[data-queue-hours=fx] button[type=submit]")
            page.wait_for_url(f"{hours_server}/admin?done=queue_hours_saved")
            assert page.input_value("tr[data-queue-hours=fx] input[name=hours_weekday]") == (
                "09:00-16:00")
            assert page.input_value("tr[data-queue-hours=fx] input[name=hours_sun]") == ""
            _shot(page, "hours-ko")
            page.select_option("form.lang select[name=locale]", "en")
            page.click("form.lang button[type=submit]")
            page.wait_for_url(f"{hours_server}/admin")
            assert page.locator("#hours h2").inner_text() == "Business hours and holidays"
            assert "Busan" in page.locator("tr[data-holiday='2026-12-31']").inner_text()
            _shot(page, "hours-en")
        finally:
            browser.close()
    from app.db import make_engine

    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        actions = [a.action for a in session.exec(select(AdminAudit))]
        fx = {q.day_type: q.ranges for q in session.exec(select(QueueHours))}
        stored = session.exec(select(SiteHours).where(SiteHours.site == "busan",
                                                      SiteHours.day_type == "sat")).one()
    engine.dispose()
    assert actions.count("hours.set") == 1  # the refused change left no row
    assert actions.count("holiday.add") == 1 and actions.count("holiday.delete") == 1
    assert stored.ranges == [["09:00", "13:00"]]
    assert fx == {"weekday": [["09:00", "16:00"]], "sat": []}
