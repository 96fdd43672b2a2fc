"""/campaigns shows each campaign's outbound results today and over the last 30 days
(app/campaign_results.py): dials, connects, RPCs, contacts per hour, conversion for
telesales, promises for collections."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from sqlmodel import Session

from app.campaign_lists import CENTER_ZONE
from app.campaign_results import campaign_results
from app.eventlog import SqlEventStore
from app.models import Campaign, CampaignListEntry
from app.testing import create_user, login, make_client, make_settings
from routing.events import Event, OfferRecorded, PromiseToPay
from tests.qa.test_outbound_kpis import _call


def _seed(engine: object, today: date) -> None:
    now = datetime.now(UTC)
    start = datetime.combine(today, time.min, CENTER_ZONE).timestamp()
    with Session(engine) as s:  # type: ignore[call-overload]
        tele = Campaign(name="Renewals", type="telesales", created_at=now, updated_at=now)
        coll = Campaign(name="Arrears", type="collections", created_at=now, updated_at=now)
        s.add_all([tele, coll])
        s.flush()
        entries = [CampaignListEntry(campaign_id=c.id, list_date=today, customer_id=i,
                                     score=1.0, rank=i, reason="x", built_at=now)
                   for i, c in enumerate([tele, tele, coll, coll], start=1)]
        s.add_all(entries)
        s.commit()
        keys = [f"campaign-{e.id}" for e in entries]
    ev: list[Event] = []
    ev += _call("t1", start + 60, "a1", keys[0], party="right_party")
    ev.insert(-1, OfferRecorded(start + 100, "t1", "a1", "card", result="accepted"))
    ev += _call("t2", start + 500, "a1", keys[1], result="no_answer")
    ev += _call("c1", start + 900, "a2", keys[2], party="right_party")
    ev.insert(-1, PromiseToPay(start + 1000, "c1", "a2", "3", 1000.0, "2099-01-01"))
    ev += _call("c0", start - 10 * 86_400, "a2", keys[3], party="wrong_party")  # 10 days ago
    SqlEventStore(engine).append(sorted(ev, key=lambda e: e.at))  # type: ignore[arg-type]


def test_results_per_campaign_today_and_30_days(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        today = now.astimezone(CENTER_ZONE).date()
        _seed(engine, today)
        with Session(engine) as s:
            results = {r.name: r for r in campaign_results(s, now, CENTER_ZONE)}
        assert list(results) == ["Arrears", "Renewals"]
        renewals, arrears = results["Renewals"], results["Arrears"]
        assert (renewals.today["outbound_dials"], renewals.today["outbound_connects"],
                renewals.today["right_party_contacts"], renewals.today["conversion"]) == (
            2, 1, 1, 1.0)
        assert arrears.today["outbound_dials"] == 1 and arrears.last_days["outbound_dials"] == 2
        assert (arrears.last_days["right_party_rate"], arrears.today["promises_to_pay"],
                arrears.today["promise_to_pay_rate"]) == (0.5, 1, 1.0)
        assert arrears.today["contacts_per_hour"] == 12.0  # 1 connect in 300 s of work

        create_user(client.app, "sup", "supervisor", locale="en")  # type: ignore[arg-type]
        login(client, "sup")
        page = client.get("/campaigns")
        assert page.status_code == 200 and 'id="outbound-results"' in page.text
        rows = re.findall(r'<tr data-campaign="Arrears".*?</tr>', page.text, re.DOTALL)
        cells = [re.findall(r"<td>([^<]*)</td>", r) for r in rows]
        assert cells == [["Today", "1", "1", "1", "100.0 %", "12.0", "–", "1 (100.0 %)", "–"],
                         ["Last 30 days", "2", "2", "1", "50.0 %", "12.0", "–", "1 (100.0 %)",
                          "–"]]
        create_user(client.app, "boss", "admin")  # type: ignore[arg-type]
        login(client, "boss")
        assert "아웃바운드 성과" in client.get("/campaigns").text


def test_no_dials_says_so(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "sup", "supervisor", locale="en")  # type: ignore[arg-type]
        login(client, "sup")
        assert "No dials in the last 30 days." in client.get("/campaigns").text
