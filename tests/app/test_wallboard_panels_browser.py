"""The wallboard's sales, dials and coaching panels in a real browser (headless Chromium, 1366×768):
they show the day's cross-sell and up-sell per inbound call and the outbound positive-response
ratio as events are posted, and the coaching follow-ups due today and overdue, in the normal
and the big-screen mode, in English and Korean."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.adherence_feed import center_today
from app.models import Interaction, Queue
from app.seed.qa_forms import seed_qa
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.app.test_wallboard_browser import SHOTS, Server, _until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server whose database holds a queue, a supervisor (English), a Korean supervisor,
    three agents with a history, and the demo's QA seed: one coaching follow-up due today
    and one three days overdue."""
    app = make_app(make_settings(sqlite_url))
    engine = app.state.engine
    with Session(engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.commit()
    create_user(app, "sup", "supervisor", locale="en")
    create_user(app, "supko", "supervisor", locale="ko")
    create_user(engine, "qa01", "qa")
    create_user(engine, "supervisor01", "supervisor")
    agents = [create_user(engine, f"agent0{i}", "agent") for i in range(1, 4)]
    today = center_today(datetime.now(UTC))
    with Session(engine) as session:
        for day in range(1, 45):
            for n, agent in enumerate(agents):
                at = datetime.now(UTC) - timedelta(days=day, hours=n)
                session.add(Interaction(contact_id=f"h{day}-{n}", queue="deposits",
                                        agent_id=agent.agent_id, arrived_at=at,
                                        answered_at=at + timedelta(seconds=9),
                                        ended_at=at + timedelta(seconds=200),
                                        outcome="answered", handle_seconds=230.0))
        session.commit()
    assert seed_qa(engine, today, seed=1) > 0
    engine.dispose()
    running = Server(sqlite_url, tmp_path)
    running.start()
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.stop()


def _login(page: Any, base: str, user: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")


def _post(page: Any, base: str, events: list[dict[str, Any]]) -> None:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    r = page.request.post(base + "/api/events", headers={"X-CSRF-Token": token}, data=events)
    assert r.status == 201, r.text()


def _day(now: float) -> list[dict[str, Any]]:
    """Two answered inbound calls (one cross-sell accepted, one up-sell made only), two
    outbound dials (one connected, whose customer says yes)."""
    out: list[dict[str, Any]] = []
    for i, offer in enumerate([("cross_sell", "accepted"), ("up_sell", "made")]):
        cid = f"in-{i}"
        out += [
            {"type": "contact_arrived", "at": now + i, "contact_id": cid, "queue": "deposits"},
            {"type": "contact_answered", "at": now + i + 3, "contact_id": cid,
             "agent_id": "agent01", "queue": "deposits"},
            {"type": "offer_recorded", "at": now + i + 20, "contact_id": cid,
             "agent_id": "agent01", "offer": "card", "kind": offer[0], "result": offer[1]},
        ]
    for i, result in enumerate(["connected", "no_answer"]):
        cid = f"out-{i}"
        out += [{"type": "dial_attempted", "at": now + 30, "contact_id": cid,
                 "campaign": "cards", "agent_id": "agent02"},
                {"type": "dial_result", "at": now + 35, "contact_id": cid, "campaign": "cards",
                 "result": result}]
    out.append({"type": "offer_recorded", "at": now + 60, "contact_id": "out-0",
                "agent_id": "agent02", "offer": "card", "kind": "cross_sell",
                "result": "accepted"})
    return out


def test_the_sales_and_coaching_panels(server: Server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            _login(page, server.base, "sup")
            page.goto(server.base + "/wallboard")
            coaching = page.locator("#live section[data-panel=coaching]")
            coaching.wait_for(timeout=30_000)
            tiles = coaching.locator(".tile .value")
            _until(lambda: tiles.count() == 2 and tiles.nth(0).inner_text().startswith("1")
                   and tiles.nth(1).inner_text().startswith("1"))  # due today 1, overdue 1
            assert "3 days overdue" in coaching.locator(".follow-ups").inner_text()
            assert coaching.locator(".follow-ups li").count() == 2

            sales = page.locator("#live section[data-panel=sales]")
            assert sales.locator(".tile .value").first.inner_text().startswith("–")
            _post(page, server.base, _day(time.time() - 120))
            values = sales.locator(".tile .value")
            _until(lambda: values.nth(2).inner_text().startswith("100.0 %"))
            assert values.nth(0).inner_text().startswith("0.50")  # 1 cross-sell, 2 calls
            assert values.nth(1).inner_text().startswith("0.00")  # an up-sell made, not sold
            subs = sales.locator(".tile .sub").all_inner_texts()
            assert subs == ["1 sales on 2 answered inbound calls",
                            "0 sales on 2 answered inbound calls",
                            "1 positive of 1 connected outbound calls"]
            dials = page.locator("#live section[data-panel=dials] .tile .value")
            _until(lambda: dials.count() == 3)  # the dials panel: the two dials posted
            assert dials.all_inner_texts() == ["2", "1", "0.0 %"]
            assert page.locator("#live section[data-panel=dials] .tile .sub").all_inner_texts() \
                == ["1 connected of 2 ended", "cap 3.0 %"]
            sales.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "panels-en.png"))
            page.goto(server.base + "/wallboard?wall=1")
            page.locator("#live.wall section[data-panel=sales]").wait_for()
            page.locator("#live section[data-panel=coaching] .follow-ups").wait_for()
            page.locator("#live section[data-panel=sales]").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "panels-wall-en.png"))

            korean = browser.new_page(viewport={"width": 1366, "height": 768})
            _login(korean, server.base, "supko")
            korean.goto(server.base + "/wallboard?wall=1")
            ko_sales = korean.locator("#live section[data-panel=sales]")
            ko_sales.wait_for()
            _until(lambda: "판매" in ko_sales.locator("h2").inner_text())
            ko_coaching = korean.locator("#live section[data-panel=coaching] .follow-ups")
            ko_coaching.wait_for(timeout=30_000)
            assert "3일 경과" in ko_coaching.inner_text()
            ko_sales.scroll_into_view_if_needed()
            korean.screenshot(path=str(SHOTS / "panels-wall-ko.png"))
        finally:
            browser.close()


def test_big_screen_fits_1280_to_1920_in_korean(server: Server) -> None:
    """The wall's per-queue table (Korean: the longer labels) fits screens 1,280 to 1,920 px
    wide without a horizontal scroll, and its headers break between words only."""
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            _login(page, server.base, "supko")
            for width in (1280, 1920):
                page.set_viewport_size({"width": width, "height": 800})
                for path in ("/wallboard?wall=1", "/wallboard"):
                    page.goto(server.base + path)
                    page.wait_for_selector("#queue-table tr[data-queue=deposits]")
                    fit = page.evaluate(
                        "() => { const d = document.documentElement;"
                        " const t = document.querySelector('#queue-table');"
                        " const th = t.querySelector('th');"
                        " return [d.scrollWidth, d.clientWidth, t.getBoundingClientRect().right,"
                        " getComputedStyle(th).wordBreak]; }")
                    assert fit[0] <= fit[1], (width, path, fit)  # no horizontal scroll
                    assert fit[2] <= width, (width, path, fit)
                    assert fit[3] == "keep-all"  # 평균 처리 시간, never 처 / 리
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(server.base + "/wallboard?wall=1")
            page.wait_for_selector("#queue-table tr[data-queue=deposits]")
            page.screenshot(path=str(SHOTS / "wall-ko-1280.png"), full_page=True)
        finally:
            browser.close()
