"""The wallboard in a real browser (headless Chromium): it updates as calls arrive, and after
the server restarts it resumes from the last event it saw, with no gap (issue 11).

The server is a ``contactops serve`` process (so it can be stopped and started again on the
same port and database); calls are posted to ``POST /api/events`` as a PBX would.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.models import Queue
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.app.test_wallboard_redis import ROOT, _start, _wait_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path(os.environ.get("CONTACTOPS_SHOTS", "/tmp/shots-wall"))


class Server:
    def __init__(self, url: str, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTACTOPS_DATABASE_URL": url,
                    "CONTACTOPS_SECRET_KEY": secrets.token_urlsafe(32),
                    "CONTACTOPS_DEMO_MODE": "false", "CONTACTOPS_LIVE_CENTER": "false",
                    "CONTACTOPS_DEFAULT_LOCALE": "en"}
        self.proc: Any = None
        self.runs = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.runs += 1
        log = self.tmp / f"server-{self.runs}.log"
        self.proc = _start(self.port, self.env, log)
        _wait_up(self.port, self.proc, log)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    app = make_app(make_settings(sqlite_url))
    with Session(app.state.engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.commit()
    create_user(app, "sup", "supervisor", locale="en")
    app.state.engine.dispose()
    running = Server(sqlite_url, tmp_path)
    running.start()
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.stop()


def _post(page: Any, base: str, contact: str) -> None:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    r = page.request.post(base + "/api/events", headers={"X-CSRF-Token": token}, data={
        "type": "contact_arrived", "at": time.time(), "contact_id": contact,
        "queue": "deposits", "tier": "core"})
    assert r.status == 201, r.text()


def _until(check: Any, timeout: float = 30.0) -> None:
    """Poll ``check()`` (the page's CSP forbids Playwright's evaluated predicates)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen in {timeout} s: {check.__doc__ or check}")
        time.sleep(0.2)


def _center_hm(at: float) -> str:
    return time.strftime("%H:%M", time.gmtime(at + 9 * 3600))  # Asia/Seoul: UTC+9, no DST


def _ticker(page: Any) -> list[tuple[int, str]]:
    items = page.locator("#live .ticker li").evaluate_all(
        "els => els.map(e => [Number(e.dataset.seq), e.dataset.type])")
    return sorted((int(s), str(t)) for s, t in items)


def test_wallboard_follows_calls_and_resumes_after_a_restart(server: Server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900},
                                    timezone_id="America/New_York")  # not the center's zone
            page.goto(server.base + "/login")
            page.fill("input[name=username]", "sup")
            page.fill("input[name=password]", TEST_PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.goto(server.base + "/wallboard")
            page.wait_for_selector("#queue-table tr[data-queue=deposits]")
            waiting = page.locator("#queue-table tr[data-queue=deposits] td.waiting")
            assert waiting.inner_text() == "0"

            _post(page, server.base, "web-1")  # a call arrives: ticker, then the figures
            page.wait_for_selector("#live .ticker li[data-type=contact_arrived]")
            _until(lambda: waiting.inner_text() == "1")
            first = _ticker(page)
            assert first[-1][1] == "contact_arrived"
            # times on the center's clock (Asia/Seoul), whatever the browser's zone
            shown = page.locator("#live .ticker li").first.inner_text()[:5]
            assert shown in {_center_hm(time.time()), _center_hm(time.time() - 5)}
            page.screenshot(path=str(SHOTS / "browser-before-restart.png"), full_page=True)

            server.stop()
            state = page.locator("#live .state")
            _until(lambda: "reconnecting" in state.inner_text())
            server.start()
            api = browser.new_context()  # post from another session while the board reconnects
            api_page = api.new_page()
            api_page.goto(server.base + "/login")
            api_page.fill("input[name=username]", "sup")
            api_page.fill("input[name=password]", TEST_PASSWORD)
            api_page.click("form[action='/login'] button[type=submit]")
            api_page.goto(server.base + "/wallboard?wall=1")
            _post(api_page, server.base, "web-2")
            _until(lambda: len(_ticker(page)) >= 2 and "resumed" in state.inner_text(), 60)
            after = _ticker(page)
            seqs = [s for s, _ in after]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no repeat
            assert after[-1][1] == "contact_arrived" and after[-1][0] > first[-1][0]
            # the restarted server's figures: web-1 was left open by the old run (closed as
            # interrupted, not waiting any more), web-2 waits: never doubled, never stale
            _until(lambda: waiting.inner_text() == "1")
            page.screenshot(path=str(SHOTS / "browser-after-restart.png"), full_page=True)
            api_page.screenshot(path=str(SHOTS / "browser-wall-en.png"), full_page=True)
            api.close()
        finally:
            browser.close()
