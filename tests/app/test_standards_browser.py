"""In a real browser (headless Chromium): a planner sets this quarter's service-level target
on /standards, a supervisor (English) reads the actual against it on /standards/report and
downloads the CSV. Screenshots go to ``$CONTACTOPS_SCREENSHOTS``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.eventlog import SqlEventStore
from app.queries import CENTER_TZ
from app.testing import create_user, make_app, make_settings
from routing.events import ContactAbandoned, ContactAnswered, ContactArrived, ContactEnded, Event
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def _today_calls() -> list[Event]:
    """Today (center time), from 00:30: 3 calls answered after 5, 15 and 60 s, 1 abandoned:
    service level within 20 s = 2 / 4 = 50 %."""
    day = datetime.now(UTC).astimezone(CENTER_TZ).replace(hour=0, minute=30, second=0,
                                                          microsecond=0)
    t0 = day.timestamp()
    out: list[Event] = []
    for i, wait in enumerate((5.0, 15.0, 60.0)):
        at = t0 + 120 * i
        out += [ContactArrived(at, f"b{i}", "deposits", "core"),
                ContactAnswered(at + wait, f"b{i}", "agent07", "deposits"),
                ContactEnded(at + wait + 90, f"b{i}", "agent07", "deposits")]
    out += [ContactArrived(t0 + 600, "b9", "deposits", "core"),
            ContactAbandoned(t0 + 640, "b9", "deposits")]
    return sorted(out, key=lambda e: e.at)


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "plan01", "planner", "plan01 password")
    create_user(app, "sup01", "supervisor", "sup01 password", locale="en")
    create_user(app, "agent07", "agent", "agent07 password")
    SqlEventStore(app.state.engine).append(_today_calls())
    yield from serve_in_thread(app)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CONTACTOPS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_planner_sets_a_target_and_a_supervisor_sees_actual_against_it(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    today = datetime.now(UTC).astimezone(CENTER_TZ).date()
    quarter = (today.month - 1) // 3 + 1
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            _log_in(page, server, "plan01", "plan01 password")
            page.goto(f"{server}/standards")
            assert page.locator("h1").inner_text().startswith("서비스 기준")
            page.select_option("#std-kpi", "service_level")
            page.select_option("#std-quarter", str(quarter))
            assert page.locator("#std-threshold-label").is_visible()
            page.fill("#std-target", "80")  # percent
            page.fill("#std-warn", "90")  # above the target: refused, the field named
            page.fill("#std-alert", "70")
            page.fill("#std-threshold", "20")
            page.click("#standard-form button[type=submit]")
            page.wait_for_selector("#std-message.error")
            assert "body.warn" in page.locator("#std-message").inner_text()
            page.fill("#std-warn", "75")
            page.click("#standard-form button[type=submit]")
            page.wait_for_selector("#standards tr[data-kpi=service_level]")
            row = page.locator("#standards tr[data-kpi=service_level]")
            assert "80.0 %" in row.inner_text() and f"Q{quarter}" in row.inner_text()
            _shot(page, "browser-ko-standards")

            page.context.clear_cookies()
            _log_in(page, server, "sup01", "sup01 password")
            page.goto(f"{server}/standards/report?from={today}&to={today}")
            assert page.locator("h1").inner_text() == "Actual against target"
            line = page.locator(
                "#standards-report tr[data-kpi=service_level][data-segment=all]")
            assert line.locator("td.actual").inner_text() == "50.0 %"
            assert line.locator(".badge").inner_text() == "Alert"  # 50 % is below the 70 % alert
            assert "level-alert" in (line.get_attribute("class") or "")
            _shot(page, "browser-en-standards-report")
            with page.expect_download() as info:
                page.click("#report-csv")
            text = Path(info.value.path()).read_text()
            assert "service_level" in text and ",0.5," in text
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            browser.close()
