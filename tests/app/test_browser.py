"""A real browser logs in through the form and sees the agent console; a supervisor's
wallboard follows an agent over the websocket and forces its state (headless Chromium)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.i18n import get_translations
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
    app = make_app(make_settings(sqlite_url))
    create_user(app, "agent01", "agent", "agent01 password", site="busan")
    yield from serve_in_thread(app)


@pytest.fixture
def supervised_server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "agent01", "agent", "agent01 password")
    create_user(app, "sup01", "supervisor", "sup01 password")
    yield from serve_in_thread(app)


def serve_in_thread(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

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


def _log_in(page, server: str, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")


def test_supervisor_sees_the_agent_live_and_forces_its_state(supervised_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    server = supervised_server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            board = browser.new_context().new_page()
            board.on("pageerror", lambda e: errors.append(str(e)))
            board.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            _log_in(board, server, "sup01", "sup01 password")
            board.wait_for_url(f"{server}/wallboard")
            sync_api.expect(board.locator("#live .link")).to_contain_text("실시간", timeout=5000)
            row = board.locator("#agent-table tr[data-agent=agent01]")
            state = row.locator(".st")
            # the agent logs in on the console; the board hears it over the websocket
            console = browser.new_context().new_page()
            _log_in(console, server, "agent01", "agent01 password")
            console.wait_for_url(f"{server}/agent")
            console.click("button[data-action=login]")
            # the state's word is the catalog's (the wallboard shows no text of its own)
            sync_api.expect(state).to_have_text(
                get_translations("ko").gettext("not_ready"), timeout=5000)
            # the supervisor makes the agent ready; the agent's console follows
            row.locator("button[data-action=ready]").click()
            sync_api.expect(state).to_have_text("대기", timeout=5000)
            # who forced it: AgentStateChanged.actor, not words glued onto the reason
            sync_api.expect(row.locator("td").nth(2)).to_have_text("sup01 조치", timeout=5000)
            sync_api.expect(console.locator("#sp-state")).to_have_text("대기", timeout=5000)
            assert row.locator("button[data-action=ready]").is_disabled()
            assert errors == []
        finally:
            browser.close()
