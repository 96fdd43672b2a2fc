"""A planner opens a roster in a real browser, drags a shift and a break on the timeline, swaps
two agents, sees coverage and rule checks change at once, saves and publishes (headless
Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.models import RosterVersion
from app.rosters import create_roster
from app.testing import create_user, make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, serve_in_thread
from tests.app.test_rosters_api import problem, shift

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def roster_server(sqlite_url: str) -> Iterator[tuple[str, object, int]]:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "plan01", "planner", "plan01 password")
    with Session(app.state.engine) as session:
        v = create_roster(
            session, name="browser week", start_day=datetime(2027, 1, 4).date(), days=1,
            problem=problem(), roster={"status": "feasible", "shifts": [shift("agent01", 9), shift("agent02", 9)]},
            user_id=None, now=datetime.now(UTC),
        )
        version_id = v.id
    assert version_id is not None
    for url in serve_in_thread(app):
        yield url, app, version_id


def test_planner_moves_a_shift_and_a_break_swaps_agents_saves_and_publishes(
    roster_server: tuple[str, object, int],
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    server, app, version_id = roster_server
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server}/login")
            page.fill("input[name=username]", "plan01")
            page.fill("input[name=password]", "plan01 password")
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{server}/planner")
            page.goto(f"{server}/planner/roster?version={version_id}")
            under = page.locator("#total-under")
            expect(under).to_have_text("부족 0.5", timeout=10_000)  # two 15-minute breaks
            expect(page.locator("#total-viol")).to_have_text("위반 0")

            # drag agent02's shift one hour later: 09-10 goes short, 13-14 over
            bar = page.locator('g.tl-shift[data-agent="agent02"] rect[data-kind="shift"]')
            box = bar.bounding_box()
            assert box is not None
            per_minute = box["width"] / 240
            x, y = box["x"] + 10, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 30 * per_minute, y, steps=4)
            page.mouse.move(x + 60 * per_minute, y, steps=4)
            page.mouse.up()
            expect(under).to_have_text("부족 1.5", timeout=5_000)
            expect(page.locator("#total-over")).to_have_text("초과 1")
            expect(page.locator("#version-status")).to_contain_text("저장하지 않은 변경")

            # drag agent01's break 45 minutes earlier: out of its window, a rule is broken
            brk = page.locator('g.tl-shift[data-agent="agent01"] rect[data-activity="0"]')
            box = brk.bounding_box()
            assert box is not None
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x - 45 * per_minute, y, steps=5)
            page.mouse.up()
            expect(page.locator("#total-viol")).to_have_text("위반 1", timeout=5_000)
            expect(page.locator("#violations tbody")).to_contain_text("activity_window")

            # drop agent02's shift on agent01's row: the two swap their shifts of the day
            box = bar.bounding_box()
            assert box is not None
            x, y = box["x"] + 10, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x, y - 10, steps=3)
            page.mouse.move(x, y - 18, steps=3)
            page.mouse.up()
            moved_bar = page.locator('g.tl-shift[data-agent="agent01"][data-start="2027-01-04T10:00"]')
            expect(moved_bar).to_have_count(1, timeout=5_000)
            expect(page.locator("#violations tbody")).to_contain_text("agent02", timeout=5_000)
            expect(under).to_have_text("부족 1.5")

            page.click("#save-draft")
            expect(page.locator("#roster-message")).to_have_text("초안을 저장했습니다.", timeout=5_000)
            page.click("#publish")
            expect(page.locator("#version-status")).to_have_text("게시됨", timeout=5_000)
            expect(page.locator("#publish")).to_be_disabled()
            assert errors == []
        finally:
            browser.close()
    with Session(app.state.engine) as session:  # type: ignore[attr-defined]
        stored = session.get(RosterVersion, version_id)
        assert stored is not None and stored.status == "published" and stored.published_by
        starts = {s["agent"]: s["start"] for s in stored.roster["shifts"]}
        assert starts == {"agent01": "2027-01-04T10:00", "agent02": "2027-01-04T09:00"}
        breaks = {s["agent"]: s["activities"][0]["start"] for s in stored.roster["shifts"]}
        assert breaks["agent02"] == "2027-01-04T09:15"  # the moved break went with its shift
