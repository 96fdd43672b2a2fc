"""An agent works a preview lead from the agenda to a recorded sale, in a real browser (headless
Debian Chromium): logs in, sees the agenda (managed customer first, a refused lead naming its
rule), opens the lead, dials, the robot customer answers, records the offer accepted, hangs
up, wraps up with a disposition; then the lead is won, the dial and the sale are in the event
log and `contactops kpis` counts the reached customer's sale. Two agents' agendas hold
disjoint batches of the unassigned pool (app/pool_claims.py). Screenshots at 1366×768 in en and
ko go to /tmp/shots-agenda/.

The live center runs on a clock shifted to 10:30 in Seoul today (inside the telemarketing
hours), so the contact rules allow the dial whenever the test runs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session, select

from app.cli import main
from app.live.robot_customers import RobotCustomers
from app.models import (
    Agent,
    Campaign,
    CampaignListEntry,
    ContactHistory,
    Customer,
    CustomerPhone,
    EventRecord,
    Lead,
    Product,
)
from app.queries import CENTER_TZ
from app.testing import make_app, make_settings
from tests.app.live_helpers import include_live_routes, open_console, seed_bank, switch_language
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = Path("/tmp/shots-agenda")


class ShiftedClock:
    """The wall clock moved by ``offset`` seconds (the live center's clock)."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset


def _shift_to_morning() -> tuple[ShiftedClock, date]:
    """A clock at 10:30 in Seoul today (center-local), and that day."""
    day = datetime.now(CENTER_TZ).date()
    target = datetime(day.year, day.month, day.day, 10, 30, tzinfo=CENTER_TZ).timestamp()
    return ShiftedClock(target - time.time()), day


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[tuple[str, Any, date, dict[str, int]]]:
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    clock, day = _shift_to_morning()
    app.state.live_clock = clock
    app.state.robot_customers = RobotCustomers(
        rng=np.random.default_rng(1), answer_rate=1.0, answer_after_seconds=(2.0, 2.0))
    seed_bank(app)
    with Session(app.state.engine) as session:
        me = session.exec(select(Agent).where(Agent.login == "agent01")).one()
        session.add(Customer(id=17, name="김민지", value_tier="gold", segment="affluent",
                             marketing_consent=True, relationship_manager_id=me.id,
                             birth_date=date(1968, 4, 2)))
        session.add(Customer(id=18, name="정유나", value_tier="platinum",
                             marketing_consent=False))
        session.add(CustomerPhone(customer_id=17, number="+821012345678"))
        session.add(CustomerPhone(customer_id=18, number="+821087654321"))
        session.add(Product(customer_id=17, kind="deposit", name="정기예금 12개월",
                            balance_krw=30_000_000, maturity_date=day + timedelta(days=12)))
        made = datetime.now(UTC) - timedelta(days=7)
        won = Lead(customer_id=17, offer="time_deposit_renewal", kind="retention",
                   created_by=me.id, created_at=made, due_on=day, note="만기 예금 재예치 상담")
        refused = Lead(customer_id=18, offer="fund", created_by=me.id, created_at=made,
                       due_on=day - timedelta(days=1))
        session.add_all([won, refused])
        session.commit()
        ids = {"won": int(won.id), "refused": int(refused.id)}  # type: ignore[arg-type]
    for url in serve_in_thread(app):
        yield url, app, day, ids


def test_an_agent_works_a_preview_lead_from_the_agenda_to_a_recorded_sale(desk) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, app, _day, ids = desk
    won, refused = f"lead-{ids['won']}", f"lead-{ids['refused']}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page, errors = open_console(browser, server)
            button = lambda name: page.get_by_role("button", name=name, exact=True)
            button("Log in").click()
            expect(page.locator("#sp-state")).to_have_text("not ready", timeout=5000)
            agenda = page.locator("#agenda")
            rows = agenda.locator("li[data-key]")
            expect(rows).to_have_count(2, timeout=5000)
            assert "null" not in agenda.inner_text()  # no preview open: nothing printed for it
            # the managed customer first; the other refused by its rule
            expect(rows.nth(0)).to_have_attribute("data-key", won)
            expect(rows.nth(0)).to_contain_text("my customer")
            expect(rows.nth(0)).to_contain_text("can dial now")
            expect(rows.nth(1)).to_contain_text("refused by no marketing consent")
            # a refused dial names its rule
            rows.nth(1).get_by_role("button", name="Preview").click()
            expect(agenda.locator("#agenda-preview")).to_contain_text("정유나", timeout=5000)
            agenda.get_by_role("button", name="Dial").click()
            expect(agenda.locator("#agenda-dial-note")).to_have_text(
                "Dial refused by no marketing consent", timeout=5000)
            # the lead worth calling: preview, dial, the robot customer answers
            rows.nth(0).get_by_role("button", name="Preview").click()
            preview = agenda.locator("#agenda-preview")
            expect(preview).to_contain_text("김민지", timeout=5000)
            expect(preview).to_contain_text("Deposit renewal")
            page.screenshot(path=str(SHOTS / "agenda-en-preview.png"))
            agenda.get_by_role("button", name="Dial").click()
            expect(agenda.locator("#agenda-dial-note")).to_contain_text("Calling 김민지",
                                                                        timeout=5000)
            expect(page.locator("#sp-state")).to_have_text("talking", timeout=10000)
            expect(agenda.locator("#agenda-dial-note")).to_contain_text("Connected",
                                                                        timeout=5000)
            offer = page.locator("#offers li[data-offer=time_deposit_renewal]")
            expect(offer).to_be_visible(timeout=5000)
            offer.get_by_role("button", name="Accepted").click()
            expect(offer).to_contain_text("✓ Accepted", timeout=5000)
            page.screenshot(path=str(SHOTS / "agenda-en-talking.png"))
            button("Hang up").click()
            expect(page.locator("#sp-state")).to_have_text("wrap-up", timeout=5000)
            page.select_option("select[name=disposition]", "sale")
            button("Wrap up").click()
            expect(page.locator("#sp-state")).to_have_text("ready", timeout=5000)
            # the won lead left the agenda
            expect(rows).to_have_count(1, timeout=5000)
            expect(rows.nth(0)).to_have_attribute("data-key", refused)
            switch_language(page, "ko")
            agenda = page.locator("#agenda")
            expect(agenda.locator("li[data-key]")).to_have_count(1, timeout=5000)
            expect(agenda).to_contain_text("발신 목록")
            expect(agenda.locator("li[data-key]").first).to_contain_text("마케팅 동의 없음")
            agenda.get_by_role("button", name="미리 보기").click()
            expect(agenda.locator("#agenda-preview")).to_contain_text("펀드", timeout=5000)
            page.screenshot(path=str(SHOTS / "agenda-ko-preview.png"))
            # the refused dial's 409 is the browser's only complaint
            assert errors == [("Failed to load resource: the server responded with a status "
                               "of 409 (Conflict)")]
        finally:
            browser.close()
    with Session(app.state.engine) as session:
        lead = session.get(Lead, ids["won"])
        assert lead is not None and lead.status == "won"
        untouched = session.get(Lead, ids["refused"])
        assert untouched is not None and untouched.status == "open"
        rows = session.exec(select(ContactHistory).where(ContactHistory.customer_id == 17)
                            .order_by(ContactHistory.id)).all()  # type: ignore[arg-type]
        events = session.exec(select(EventRecord).order_by(EventRecord.seq)).all()  # type: ignore[arg-type]
    assert [(r.reason, r.outcome) for r in rows] == [
        ("offer:time_deposit_renewal", "accepted"), ("", "sale"),
        (f"dial:{won}", "connected")]
    dials = [(e.type, e.payload.get("mode") or e.payload.get("result"), e.payload["campaign"])
             for e in events if e.type in ("dial_attempted", "dial_result")]
    assert dials == [("dial_attempted", "preview", won), ("dial_result", "connected", won)]
    sale = [e for e in events if e.type == "offer_recorded"]
    assert [(e.payload["offer"], e.payload["result"]) for e in sale] == [
        ("time_deposit_renewal", "accepted")]
    # the KPIs see the sale: the one reached outbound customer accepted
    at = datetime.fromtimestamp(events[-1].at, UTC).date().isoformat()
    out = SHOTS / "kpis.json"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["kpis", "--from", at, "--to", at, "--url", str(app.state.engine.url),
                     "--json"]) == 0
    out.write_text(buffer.getvalue())
    assert json.loads(buffer.getvalue())["all"]["outbound_positive_ratio"] == 1.0


@pytest.fixture
def pool_desk(sqlite_url: str) -> Iterator[tuple[str, Any, list[str]]]:
    """Five customers nobody manages on today's list (the pool), best scored first; each
    agent's agenda holds a batch of two."""
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    clock, day = _shift_to_morning()
    app.state.live_clock = clock
    app.state.settings.pool_batch_size = 2
    seed_bank(app)
    now = datetime.now(UTC)
    names = ["한지우", "오세린", "문태오", "배수아", "신하람"]
    with Session(app.state.engine) as session:
        campaign = Campaign(name="Tier upgrades", type="telesales", created_at=now,
                            updated_at=now, priority=100)
        session.add(campaign)
        for cid, name in enumerate(names, start=31):
            session.add(Customer(id=cid, name=name, value_tier="gold", marketing_consent=True))
            session.add(CustomerPhone(customer_id=cid, number=f"+8210555500{cid}"))
        session.flush()
        assert campaign.id is not None
        rows = [CampaignListEntry(campaign_id=campaign.id, list_date=day, customer_id=cid,
                                  score=1.0 - rank / 10, rank=rank, reason="tier_upgrade",
                                  built_at=now)
                for rank, cid in enumerate(range(31, 36), start=1)]
        session.add_all(rows)
        session.commit()
        keys = [f"campaign-{r.id}" for r in rows]
    for url in serve_in_thread(app):
        yield url, app, keys


def test_two_agents_agendas_hold_disjoint_pool_entries(pool_desk) -> None:  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    server, _app, keys = pool_desk
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            shown: dict[str, list[str]] = {}
            for login in ("agent01", "agent02"):
                page, errors = open_console(browser, server, login)
                rows = page.locator("#agenda li[data-key]")
                expect(page.locator("#agenda")).to_contain_text("No calls due today.",
                                                                timeout=5000)
                page.get_by_role("button", name="Log in", exact=True).click()  # then a batch
                expect(rows).to_have_count(2, timeout=5000)
                expect(rows.nth(0)).to_contain_text("from the pool")
                shown[login] = [str(rows.nth(i).get_attribute("data-key")) for i in range(2)]
                page.screenshot(path=str(SHOTS / f"agenda-en-pool-{login}.png"))
                assert errors == []
            # the best two to the first agent, the next two to the second, in score order
            assert shown == {"agent01": keys[:2], "agent02": keys[2:4]}
            # agent02 cannot open agent01's entry: a 409 naming the holder
            page.evaluate("k => fetch('/api/console/agenda/items/' + k)"
                          ".then(r => r.json()).then(b => { window.refused = b.detail; })",
                          keys[0])
            page.wait_for_function("window.refused !== undefined", timeout=5000)
            assert "claimed by agent agent01" in page.evaluate("window.refused")
            switch_language(page, "ko")  # the same batch, labelled in Korean
            rows = page.locator("#agenda li[data-key]")
            expect(rows).to_have_count(2, timeout=5000)
            expect(rows.nth(0)).to_contain_text("풀 배정")
            expect(rows.nth(0)).to_have_attribute("data-key", keys[2])
            page.screenshot(path=str(SHOTS / "agenda-ko-pool-agent02.png"))
        finally:
            browser.close()
