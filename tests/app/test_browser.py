"""A real browser logs in through the form and sees the agent console (headless Chromium)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.testing import create_user, make_app, make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    """uvicorn serving the app on a free 127.0.0.1 port, in a thread; yields the base URL."""
    import uvicorn

    app = make_app(make_settings(sqlite_url))
    create_user(app, "agent01", "agent", "agent01 password", site="busan")
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def test_login_through_the_form_shows_the_agent_console(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server}/agent")  # not logged in: sent to the login form
            assert "/login" in page.url
            page.fill("input[name=username]", "agent01")
            page.fill("input[name=password]", "wrong password")
            page.click("form[action='/login'] button[type=submit]")
            assert page.locator("p.error").is_visible()
            page.fill("input[name=password]", "agent01 password")
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{server}/agent")
            assert page.locator("h1").first.inner_text() == "상담원 콘솔"
            assert "Agent agent01" in page.locator("#profile").inner_text()
            assert "부산" in page.locator("#profile").inner_text()
            # the language switch in the header
            page.select_option("form.lang select[name=locale]", "en")
            page.click("form.lang button[type=submit]")
            page.wait_for_url(f"{server}/agent")
            assert page.locator("h1").first.inner_text() == "Agent console"
            # log out through the header form (CSRF token included)
            page.click("form.logout button[type=submit]")
            page.wait_for_url(f"{server}/login")
        finally:
            browser.close()
