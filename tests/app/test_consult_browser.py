"""Consult transfer between two agents in a real browser (headless Debian Chromium), driven
by role and accessible name: agent01 answers, chooses "Consult first" and transfers to
agent02 with a note; agent02 is offered the consult with the note and answers; agent01
cancels once (and resumes), consults again and completes the transfer; agent02 then has the
caller and the note. Screenshots at 1366×768 (en, ko) go to /tmp/shots-consult/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.testing import TEST_PASSWORD
from tests.app.live_helpers import arrive_call, switch_language
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in
from tests.app.test_desk_browser import NAMES, desk  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-consult")


def test_a_consult_transfer_between_two_agents(desk) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app = desk
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            pages = {}
            for login in ("agent01", "agent02"):
                context = browser.new_context(viewport={"width": 1366, "height": 768},
                                              locale="en-GB")
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console",
                        lambda m: errors.append(m.text) if m.type == "error" else None)
                _log_in(page, server, login, TEST_PASSWORD)
                page.wait_for_url(f"{server}/agent")
                switch_language(page, "en")
                pages[login] = page
            first, colleague = pages["agent01"], pages["agent02"]

            def button(page, name: str):  # type: ignore[no-untyped-def]
                return page.get_by_role("button", name=name, exact=True)

            def state(page):  # type: ignore[no-untyped-def]
                return page.locator("#sp-state")

            for page in (first, colleague):
                for name in NAMES:  # the softphone's buttons keep exactly their names
                    expect(button(page, name)).to_have_count(1)
                # the consult's controls appear only during a consult (one screen at 1366x768)
                expect(page.locator("#sp-consult-row")).to_be_hidden()
                button(page, "Log in").click()
                expect(state(page)).to_have_text("not ready", timeout=5000)
            button(first, "Ready").click()
            expect(state(first)).to_have_text("ready", timeout=5000)
            arrive_call(app, "c1")
            expect(button(first, "Answer")).to_be_enabled(timeout=5000)
            button(first, "Answer").click()
            expect(state(first)).to_have_text("talking", timeout=5000)
            button(colleague, "Ready").click()
            expect(state(colleague)).to_have_text("ready", timeout=5000)

            # consult first: the caller goes on hold, the colleague is rung with the note
            first.select_option("select[name=transfer-kind]", "agent")
            first.fill("input[name=transfer-target]", "agent02")
            first.fill("input[name=transfer-note]", "asks about the deposit renewal")
            first.get_by_role("combobox", name="Transfer mode").select_option("consult")
            button(first, "Transfer").click()
            expect(state(first)).to_have_text("on hold", timeout=5000)
            expect(first.locator("#sp-consult")).to_contain_text("Consulting agent02")
            expect(button(first, "Resume")).to_be_disabled()
            expect(button(first, "Complete transfer")).to_be_disabled()  # not answered yet
            expect(button(first, "Cancel consult")).to_be_enabled()
            expect(colleague.locator("#sp-consult")).to_contain_text(
                "Consult request from agent01", timeout=5000)
            expect(colleague.locator("#sp-consult")).to_contain_text(
                "asks about the deposit renewal")
            expect(colleague.locator("#sp-pop")).to_contain_text("김민지", timeout=5000)
            colleague.screenshot(path=str(SHOTS / "consult-en-offered.png"))
            button(colleague, "Answer").click()
            expect(state(colleague)).to_have_text("talking", timeout=5000)
            expect(button(colleague, "Hold")).to_be_disabled()
            expect(button(first, "Complete transfer")).to_be_enabled(timeout=5000)
            first.screenshot(path=str(SHOTS / "consult-en-consulting.png"))

            # cancel: the colleague is free again, the caller still on hold with agent01
            button(first, "Cancel consult").click()
            expect(state(colleague)).to_have_text("ready", timeout=5000)
            expect(first.locator("#sp-consult")).to_contain_text("still on hold")
            expect(button(first, "Resume")).to_be_enabled(timeout=5000)
            button(first, "Resume").click()
            expect(state(first)).to_have_text("talking", timeout=5000)

            # consult again (the mode stays) and complete the transfer
            first.fill("input[name=transfer-note]", "renewal: 12 months")
            first.keyboard.press("Alt+t")  # Transfer by its shortcut, in consult mode
            expect(state(colleague)).to_have_text(re.compile("ringing"), timeout=5000)
            button(colleague, "Answer").click()
            expect(button(first, "Complete transfer")).to_be_enabled(timeout=5000)
            button(first, "Complete transfer").click()
            expect(state(first)).to_have_text("wrap-up", timeout=5000)
            expect(colleague.locator("#sp-consult")).to_be_hidden(timeout=5000)
            expect(colleague.locator("#sp-contact")).to_contain_text("renewal: 12 months")
            expect(button(colleague, "Hold")).to_be_enabled()
            button(first, "Wrap up").click()
            expect(state(first)).to_have_text("ready", timeout=5000)
            button(colleague, "Hang up").click()
            expect(state(colleague)).to_have_text("wrap-up", timeout=5000)
            button(colleague, "Wrap up").click()
            expect(state(colleague)).to_have_text("ready", timeout=5000)

            # the Korean console: the mode choice and the consult buttons are translated
            switch_language(first, "ko")
            # (hidden until a consult; translated in the page all the same)
            assert first.locator("#sp-consult-row button").first.inner_text() == "전환 완료"
            expect(first.get_by_role("combobox", name="전환 방식")).to_have_value("blind")
            arrive_call(app, "c2")
            expect(first.get_by_role("button", name="응답", exact=True)).to_be_enabled(timeout=5000)
            first.get_by_role("button", name="응답", exact=True).click()
            first.get_by_role("combobox", name="전환 방식").select_option("consult")
            first.select_option("select[name=transfer-kind]", "agent")
            first.fill("input[name=transfer-target]", "agent02")
            first.fill("input[name=transfer-note]", "VIP 고객입니다")
            first.get_by_role("button", name="호 전환", exact=True).click()
            expect(first.locator("#sp-consult")).to_contain_text("협의 중", timeout=5000)
            first.screenshot(path=str(SHOTS / "consult-ko-consulting.png"))
            assert errors == []
        finally:
            browser.close()
