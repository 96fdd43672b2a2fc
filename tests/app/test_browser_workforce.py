"""A real browser on the workforce pages of issue 10C (headless Chromium, 1366×768):
intraday, schedule simulation (what-if), the supervisor's adherence view and the agent's
own schedule in the console, in Korean and in English. Screenshots go to
``$CONTACTOPS_SCREENSHOTS`` when set (else the test's temporary directory)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session

from app.eventlog import SqlEventStore
from app.models import Interaction
from app.queries import CENTER_TZ
from app.rosters import create_roster, publish
from app.testing import create_user, make_app, make_settings
from routing.events import AgentStateChanged
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, _log_in, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
PASSWORD = "workforce password"
N_AGENTS = 8


def local(moment: datetime) -> str:
    return moment.astimezone(CENTER_TZ).replace(tzinfo=None).isoformat(timespec="minutes")


def seed(app: object, now: datetime) -> None:
    engine = app.state.engine  # type: ignore[attr-defined]
    rng = np.random.default_rng(4)
    today = now.astimezone(CENTER_TZ).date()
    rows = []
    for k in range(21, -1, -1):
        d = today - timedelta(days=k)
        for hour in range(24):
            rate = 24 if 9 <= hour < 18 else 4
            for n in range(int(rng.poisson(rate))):
                at = datetime(d.year, d.month, d.day, hour, int(rng.integers(60)), tzinfo=CENTER_TZ)
                if at >= now:
                    continue
                rows.append(
                    Interaction(
                        contact_id=f"c{k}-{hour}-{n}",
                        queue="deposits",
                        arrived_at=at.astimezone(UTC),
                        answered_at=at.astimezone(UTC) + timedelta(seconds=8),
                        handle_seconds=240.0,
                    )
                )
    first = now.replace(minute=0) - timedelta(hours=3)
    shifts = []
    for i in range(N_AGENTS):
        start = first + timedelta(minutes=30 * i)
        brk = start + timedelta(hours=2)
        lunch = start + timedelta(hours=4)
        shifts.append(
            {
                "agent": f"agent{i:02d}",
                "shift_type": "FT9",
                "start": local(start),
                "end": local(start + timedelta(hours=9)),
                "activities": [
                    {
                        "kind": "break",
                        "start": local(brk),
                        "end": local(brk + timedelta(minutes=15)),
                    },
                    {
                        "kind": "lunch",
                        "start": local(lunch),
                        "end": local(lunch + timedelta(hours=1)),
                    },
                ],
            }
        )
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()
        version = create_roster(
            session,
            name="week",
            start_day=today - timedelta(days=1),
            days=3,
            problem={},
            roster={"status": "feasible", "shifts": shifts},
            user_id=None,
            now=now,
        )
        publish(session, version, None, now)
    events = []
    for i in range(N_AGENTS):
        agent, start = f"agent{i:02d}", first + timedelta(minutes=30 * i)
        if start > now:
            continue
        events.append(
            AgentStateChanged(
                at=start.timestamp() - 60, agent_id=agent, state="not_ready", reason="login"
            )
        )
        events.append(AgentStateChanged(at=start.timestamp() + 30, agent_id=agent, state="ready"))
    # agent01 went on a break 20 minutes ago though the roster says work; agent03 never came
    events = [e for e in events if e.agent_id != "agent03"]
    events.append(
        AgentStateChanged(
            at=now.timestamp() - 1200, agent_id="agent01", state="not_ready", reason="break"
        )
    )
    SqlEventStore(engine).append(sorted(events, key=lambda e: e.at))


@pytest.fixture
def server(sqlite_url: str) -> Iterator[str]:
    app = make_app(make_settings(sqlite_url, simulation_workers=1))
    for locale in ("ko", "en"):
        create_user(app, f"plan_{locale}", "planner", PASSWORD, locale=locale)
        create_user(app, f"sup_{locale}", "supervisor", PASSWORD, locale=locale)
    for i in range(N_AGENTS):
        create_user(app, f"agent{i:02d}", "agent", PASSWORD, locale="ko" if i % 2 == 0 else "en")
    seed(app, datetime.now(UTC).replace(second=0, microsecond=0))
    yield from serve_in_thread(app)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("CONTACTOPS_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_workforce_pages(server: str, shots: Path, locale: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []

            def page_for(user: str):  # type: ignore[no-untyped-def]
                page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                _log_in(page, server, user, PASSWORD)
                return page

            planner = page_for(f"plan_{locale}")
            planner.goto(f"{server}/planner/intraday")
            planner.wait_for_selector("#intraday-table tbody tr", timeout=60_000)
            planner.wait_for_selector("#chart-agents .main-svg")
            assert planner.locator("#intraday-summary").inner_text()
            planner.screenshot(path=str(shots / f"intraday-{locale}.png"), full_page=True)

            planner.goto(f"{server}/planner/whatif")
            today = datetime.now(UTC).astimezone(CENTER_TZ).date()
            planner.fill("#start", today.isoformat())  # the seeded roster runs around now
            planner.fill("#replications", "3")
            planner.select_option("#interval_minutes", "60")
            planner.locator(".scenario[data-scenario='B'] .extra").fill("3")
            planner.click("#run-whatif")
            done = planner.locator("#whatif-summary tbody tr").first
            try:
                done.wait_for(timeout=120_000)
            except sync_api.TimeoutError:
                raise AssertionError(planner.locator("#status").inner_text()) from None
            planner.wait_for_selector("#chart-sl .main-svg")
            assert planner.locator("#whatif-summary tbody tr").count() == 6
            planner.screenshot(path=str(shots / f"whatif-{locale}.png"), full_page=True)

            boss = page_for(f"sup_{locale}")
            boss.goto(f"{server}/wallboard/adherence")
            out_now = boss.locator("#out-now tbody").inner_text()
            assert "agent01" in out_now and "agent03" in out_now
            boss.screenshot(path=str(shots / f"adherence-{locale}.png"), full_page=True)

            agent = page_for("agent00" if locale == "ko" else "agent01")
            agent.goto(f"{server}/agent")
            agent.wait_for_selector("#my-day #day-shift")  # the agent's day (agent_day.js)
            assert agent.locator("#next-break").count() == 1
            agent.screenshot(path=str(shots / f"agent-{locale}.png"))
            assert errors == []
        finally:
            browser.close()
