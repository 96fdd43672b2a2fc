"""The knowledge base beside the call in a real browser (headless Debian Chromium): a call on
the deposits queue brings its suggested articles, the contact reason the agent picks brings
the reason's articles first, a Korean search with a particle finds the article and opens it
in place, Back returns to the results; the console stays one screen at 1366×768. Screenshots
in en and ko go to /tmp/shots-kb/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.seed.kb_articles import seed_kb
from app.testing import TEST_PASSWORD, make_app, make_settings
from tests.app.live_helpers import arrive_call, include_live_routes, seed_bank, switch_language
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-kb")


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[str, object]]:
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    seed_bank(app)
    seed_kb(app.state.engine)
    for url in serve_in_thread(app):
        yield url, app


def test_an_agent_finds_and_opens_articles_beside_the_call(console) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = console
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            _log_in(page, server, "agent01", TEST_PASSWORD)
            page.wait_for_url(f"{server}/agent")
            switch_language(page, "en")
            panel = page.locator("#kb-panel")
            expect(panel).to_contain_text("Suggestions appear when a call comes in")
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            button("Ready").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            arrive_call(app, "c1", customer_id=None)
            button("Answer").click()
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=5000)
            # the deposits queue's articles, in the console's language
            expect(panel).to_contain_text("Suggested for this call", timeout=5000)
            expect(panel.locator("button.kb-link").first).to_be_visible()
            expect(panel).to_contain_text("Time deposit terms")
            # the contact reason's articles come first
            page.select_option("select[name=contact-reason]", "password_reset")
            expect(panel.locator("button.kb-link").first).to_have_text(
                "Resetting an online banking password", timeout=5000)
            page.screenshot(path=str(SHOTS / "console-en-suggested.png"))
            # search by Alt+K, in Korean with a particle; the hit is highlighted
            page.keyboard.press("Alt+k")
            expect(page.locator("#kb-panel input[type=search]")).to_be_focused()
            page.keyboard.type("중도상환수수료를")
            first = panel.locator("button.kb-link").first
            expect(first).to_have_text("대출 중도상환수수료 안내", timeout=5000)
            expect(first.locator("mark")).to_have_text("중도상환수수료")
            first.click()
            article = panel.locator("article.kb-article")
            expect(article.get_by_role("heading", name="대출 중도상환수수료 안내")).to_be_focused()
            expect(article).to_contain_text("100,000,000 × 1.2% × (2 ÷ 3) = 800,000원")
            page.screenshot(path=str(SHOTS / "console-en-article.png"))
            # one screen: nothing scrolls at 1366×768
            assert page.evaluate("document.documentElement.scrollHeight") <= 768
            article.get_by_role("button", name="← Back to the list").click()
            expect(panel.locator("button.kb-link").first).to_be_focused()
            # English search, stemmed
            page.fill("#kb-panel input[type=search]", "lost cards")
            page.keyboard.press("Enter")
            expect(panel.locator("h3")).to_have_text("Search results", timeout=5000)
            expect(panel.locator("button.kb-link").first).to_contain_text("ost card")
            switch_language(page, "ko")
            expect(page.locator("#kb-panel h2")).to_have_text("지식 베이스")
            page.fill("#kb-panel input[type=search]", "정기예금을")
            expect(panel.locator("h3")).to_have_text("검색 결과", timeout=5000)
            expect(panel.locator("button.kb-link mark").first).to_have_text("정기예금")
            page.screenshot(path=str(SHOTS / "console-ko-search.png"))
            assert page.evaluate("document.documentElement.scrollHeight") <= 768
            assert errors == []
        finally:
            browser.close()


def test_a_supervisor_edits_an_article_on_the_kb_page(console) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, _ = console  # seed_bank made the supervisor "sup"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            _log_in(page, server, "sup", TEST_PASSWORD)
            page.goto(f"{server}/kb")
            expect(page.locator("#kb-results li")).to_have_count(36, timeout=5000)
            page.fill("#kb-find input[name=q]", "카드 분실")
            page.click("#kb-find button[type=submit]")
            first = page.locator("#kb-results button.kb-link").first
            expect(first).to_contain_text("카드 분실", timeout=5000)
            first.click()
            expect(page.locator("#kb-form input[name=title]")).to_have_value(re.compile("카드 분실"))
            title = page.locator("#kb-form input[name=title]").input_value()
            page.fill("#kb-form input[name=title]", title + " (2026 개정)")
            page.click("#kb-save")
            expect(page.locator("#kb-form-status")).not_to_be_empty(timeout=5000)
            expect(page.locator("#kb-versions li")).to_have_count(2)
            expect(page.locator("#kb-results li", has_text="(2026 개정)")).to_have_count(1)
            page.fill("#kb-form input[name=title]", "")
            page.click("#kb-save")
            expect(page.locator("#kb-form-error")).to_contain_text("title")
            page.screenshot(path=str(SHOTS / "kb-editor.png"))
            assert errors == [] or all("422" in e for e in errors)
        finally:
            browser.close()
