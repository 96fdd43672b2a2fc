"""``/reports`` in headless Chromium: the charts are drawn (uPlot canvases), no console error,
the CSV link downloads; screenshots at 1366x768 in English and Korean (``/tmp/shots-reports``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session

from app.eventlog import SqlEventStore
from app.models import Queue
from app.queries import CENTER_TZ
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings
from routing.events import ContactAbandoned, ContactAnswered, ContactArrived, ContactEnded, Event
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-reports")
#: Monday 2026-11-16, 00:00 center time
WEEK = datetime(2026, 11, 16, tzinfo=CENTER_TZ).astimezone(UTC).timestamp()


def _week_of_calls(n: int = 1200) -> list[Event]:
    rng = np.random.default_rng(1)
    out: list[Event] = []
    for k in range(n):
        at = WEEK + 86_400 * int(rng.integers(7)) + 3600 * 9 + float(rng.uniform(0, 9 * 3600))
        queue = ("cards", "deposits", "loans")[k % 3]
        tier = ("core", "gold", "platinum")[int(rng.integers(3))]
        wait = float(rng.exponential(15))
        cid = f"w{k}"
        out.append(ContactArrived(at, cid, queue, tier))
        if rng.random() < 0.9:
            out += [ContactAnswered(at + wait, cid, "agent01", queue),
                    ContactEnded(at + wait + float(rng.exponential(150)), cid, "agent01", queue)]
        else:
            out.append(ContactAbandoned(at + wait, cid, queue))
    return sorted(out, key=lambda e: e.at)


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url))
    with Session(app.state.engine) as session:
        session.add(Queue(name="cards", skill="cards"))
        session.commit()
    SqlEventStore(app.state.engine).append(_week_of_calls())
    create_user(app, "qa01", "qa", locale="en")
    create_user(app, "qako", "qa", locale="ko")
    yield from serve_in_thread(app)


@pytest.mark.parametrize("user, lang", [("qa01", "en"), ("qako", "ko")])
def test_report_page_draws_its_charts(server: str, user: str, lang: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768},
                                    accept_downloads=True)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            _log_in(page, server, user, TEST_PASSWORD)
            page.wait_for_load_state("networkidle")
            page.click("nav a[href='/reports']")
            page.wait_for_url(f"{server}/reports")
            page.select_option("select[name=period]", "week")
            page.fill("input[name=date]", "2026-11-18")
            page.click("#report-form button[type=submit]")
            page.wait_for_selector("#chart-volume canvas")
            for chart in ("chart-service-level", "chart-volume", "chart-times"):
                box = page.locator(f"#{chart} canvas").bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100
            # the volume chart really drew lines: some canvas pixels are not blank
            inked = page.evaluate("""() => {
                const c = document.querySelector('#chart-volume canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                return n; }""")
            assert inked > 1000
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("#report-queues tr[data-queue=cards]").count() == 1
            with page.expect_download() as download:
                page.click("a.csv[data-table=queues]")
            assert Path(download.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")
            page.screenshot(path=str(SHOTS / f"reports-week-{lang}.png"), full_page=False)
            page.select_option("select[name=period]", "day")
            page.click("#report-form button[type=submit]")
            page.wait_for_selector("#chart-service-level canvas")
            page.screenshot(path=str(SHOTS / f"reports-day-{lang}.png"), full_page=False)
            assert errors == []
        finally:
            browser.close()
