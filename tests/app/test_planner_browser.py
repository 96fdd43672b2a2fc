"""The planner page in a browser: a published forecast shown against the calls that came."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.testing import create_user, make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, serve_in_thread
from tests.app.test_planner import history_csv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def planner_server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "plan01", "planner", "plan01 password")
    yield from serve_in_thread(app)


def test_published_forecast_shows_each_days_wape(planner_server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    csv_path = tmp_path / "history.csv"
    csv_path.write_bytes(history_csv(days=28))  # 3 to 30 March 2025, hourly
    shots = os.environ.get("PLANNER_SCREENSHOTS")  # a folder: keep screenshots there
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{planner_server}/login")
            page.fill("input[name=username]", "plan01")
            page.fill("input[name=password]", "plan01 password")
            page.click("form[action='/login'] button[type=submit]")
            page.goto(f"{planner_server}/planner")
            page.set_input_files("#upload-form input[type=file]", str(csv_path))
            page.click("#upload-form button[type=submit]")
            page.wait_for_url("**/planner?history=*")
            page.wait_for_selector("#accuracy-table tbody tr")  # the first forecast, on load
            page.fill("#start", "2025-03-28")
            page.fill("#days", "3")
            page.check("#publish")
            page.click("#run-forecast")
            page.wait_for_selector("#published-table tbody tr")
            rows = page.locator("#published-table tbody tr")
            assert rows.count() == 3
            first = rows.nth(0).locator("td")
            assert first.nth(0).inner_text() == "2025-03-28"
            assert first.nth(5).inner_text().endswith("%")
            assert "HA-4w" in page.locator("#accuracy-table thead").inner_text()
            if shots:
                url = page.url
                for locale in ("ko", "en"):
                    page.select_option("form.lang select[name=locale]", locale)
                    page.click("form.lang button[type=submit]")
                    page.wait_for_load_state()
                    page.goto(url)
                    page.wait_for_selector("#published-table tbody tr")
                    page.locator("#published").scroll_into_view_if_needed()
                    page.screenshot(path=f"{shots}/planner_{locale}.png")
                    page.screenshot(path=f"{shots}/planner_{locale}_full.png", full_page=True)
        finally:
            browser.close()
