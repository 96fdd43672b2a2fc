"""In a real browser (headless Chromium): a QA analyst scores a contact chosen from the
interaction log, the agent disputes it, and a supervisor opens a coaching session on it and
records its follow-up. Korean and English; screenshots go to ``$CONTACTOPS_SCREENSHOTS``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import qa_evaluations
from app.models import Interaction, User
from app.seed.qa_forms import BANK_FORM
from app.testing import create_user, make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

#: every question answered; accuracy 3 of 5 misses its pass mark of 4, so the product
#: section (20 points) earns 0; cross-sell N/A. Earned 5+10 + 7.5+3.75 + 0 + 15+5 + 5+5 =
#: 56.25 of 80 possible = 70.3
ANSWERS = {"greeting": "yes", "identity_verified": "yes", "open_questions": "4",
           "active_listening": "4", "product_accuracy": "3", "clear_explanation": "4",
           "mandatory_disclosure": "yes", "recording_notice": "yes", "cross_sell_attempt": "na",
           "summary_check": "yes", "closing_greeting": "yes"}


@pytest.fixture
def qa_server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url))
    qa = create_user(app, "qa01", "qa", "qa01 password")
    create_user(app, "sup01", "supervisor", "sup01 password", locale="en")
    agent = create_user(app, "agent07", "agent", "agent07 password")
    now = datetime.now(UTC)
    with Session(app.state.engine) as session:
        for i, hours in enumerate((5, 3)):
            arrived = now - timedelta(hours=hours)
            session.add(Interaction(
                contact_id=f"in-demo-{i}", queue="loans", agent_id=agent.agent_id,
                arrived_at=arrived, answered_at=arrived + timedelta(seconds=8),
                ended_at=arrived + timedelta(seconds=240), outcome="answered",
                handle_seconds=270.0))
        session.commit()
        user = session.exec(select(User).where(User.id == qa.id)).one()
        qa_evaluations.create_form(session, user, "bank_inbound", BANK_FORM, now)
    yield from serve_in_thread(app)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CONTACTOPS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_qa_scores_a_contact_and_a_supervisor_opens_a_coaching_follow_up(qa_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            _log_in(page, qa_server, "qa01", "qa01 password")
            page.goto(f"{qa_server}/qa/evaluations")
            assert page.locator("h1").first.inner_text() == "상담 평가"
            assert page.locator("#qa-contacts tr[data-contact]").count() == 2
            page.click("tr[data-contact='in-demo-1'] button.qa-score")
            page.wait_for_url(re.compile(r".*/qa/evaluations/new\?.*"))
            assert page.locator(".qa-contact .qa-agent").inner_text() == "agent07"
            for question, value in ANSWERS.items():
                page.check(f"input[name=q_{question}][value='{value}']")
            page.fill("textarea[name=comment]", "상품 금리 안내가 부정확했습니다.")
            _shot(page, "browser-ko-qa-score")
            assert _fits(page)
            page.click("#qa-scoring button[type=submit]")
            page.wait_for_url("**/qa/evaluations/1")
            assert page.locator("#qa-total").inner_text() == "70.3"
            assert page.locator("tbody[data-section=product] .qa-fatal").inner_text() == "구간 0점"
            _shot(page, "browser-ko-qa-evaluation")

            page.context.clear_cookies()
            _log_in(page, qa_server, "agent07", "agent07 password")
            page.goto(f"{qa_server}/qa/my-evaluations")
            page.click("tr[data-evaluation='1'] a")
            page.fill(".qa-respond textarea", "금리 안내는 최신 고시 기준이었습니다.")
            page.click(".qa-respond button[value=dispute]")
            page.wait_for_url("**/qa/evaluations/1")
            assert page.locator("#qa-status").inner_text() == "이의 제기됨"

            page.context.clear_cookies()
            _log_in(page, qa_server, "sup01", "sup01 password")  # an English-speaking head
            page.goto(f"{qa_server}/qa/evaluations/1")
            page.click("#qa-open-coaching")
            page.wait_for_url(re.compile(r".*/qa/coaching/new\?.*"))
            assert page.locator("input[name=point][value=product_accuracy]").is_checked()
            for question in ("open_questions", "active_listening", "clear_explanation"):
                page.uncheck(f"input[name=point][value={question}]")
            page.fill("input[name=note_product_accuracy]", "Quote the posted rate and fees")
            assert page.input_value("input[name=months]") == "1"  # a month later by default
            _shot(page, "browser-en-coaching-new")
            page.click("#qa-coaching-form button[type=submit]")
            page.wait_for_selector("#qa-all-follow-ups")
            assert page.url.endswith("/qa/coaching?opened=1")
            row = page.locator("#qa-all-follow-ups tr[data-follow-up]")
            assert row.count() == 1
            assert "Accuracy of the product explanation" in row.inner_text()
            assert "Upcoming" in row.inner_text()
            _shot(page, "browser-en-coaching")
            assert _fits(page)
            page.goto(f"{qa_server}/qa/scorecards")
            card = page.locator("#qa-scorecards tr[data-agent=agent07]")
            assert "70.3" in card.inner_text()
            _shot(page, "browser-en-scorecards")
        finally:
            browser.close()
