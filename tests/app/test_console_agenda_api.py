"""The agent's agenda and preview dialing (app/api/console_agenda.py, app/preview_dial.py):
ordering (managed customers first), the contact rules' verdict and a refusal naming its rule,
the dial's events in order, a connected dial to a recorded sale that closes the lead as won,
a failed dial's retry, and the access log rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session, select

from app.cli import main
from app.live.robot_customers import RobotCustomers
from app.models import (
    Agent,
    ContactHistory,
    Customer,
    CustomerAccess,
    CustomerPhone,
    EventRecord,
    Lead,
)
from app.queries import CENTER_TZ
from qa.dials import count_dials
from tests.app.live_helpers import T0, as_user, live_client

#: 2025-11-25 10:00 in Seoul (a Tuesday): inside the telemarketing hours 08:00-21:00
OPEN = T0 + 9 * 3600.0
#: 2025-11-25 22:00 in Seoul: outside them
LATE = T0 + 21 * 3600.0
DAY = datetime.fromtimestamp(OPEN, UTC).astimezone(CENTER_TZ).date()


def _robots(answer_rate: float, *, busy: float = 0.0) -> Any:
    def prepare(app: Any) -> None:
        app.state.robot_customers = RobotCustomers(
            rng=np.random.default_rng(3), answer_rate=answer_rate, machine_rate=0.0,
            busy_rate=busy, answer_after_seconds=(4.0, 4.0))
    return prepare


def _leads(client: Any) -> dict[str, int]:
    """Four customers: two managed by agent01 (one gold, one platinum), one lead of agent01's
    own, one of agent02's; a consent-less one."""
    with Session(client.app.state.engine) as session:
        me = session.exec(select(Agent).where(Agent.login == "agent01")).one()
        other = session.exec(select(Agent).where(Agent.login == "agent02")).one()
        rows = [
            Customer(id=21, name="박서준", value_tier="silver", marketing_consent=True),
            Customer(id=22, name="이하은", value_tier="gold", marketing_consent=True,
                     relationship_manager_id=me.id),
            Customer(id=23, name="최도윤", value_tier="platinum", marketing_consent=True,
                     relationship_manager_id=me.id),
            Customer(id=24, name="정유나", value_tier="gold", marketing_consent=False,
                     relationship_manager_id=me.id),
            Customer(id=25, name="강지호", value_tier="gold", marketing_consent=True),
        ]
        session.add_all(rows)
        session.commit()
        for c in rows:
            session.add(CustomerPhone(customer_id=c.id, number=f"+8210000000{c.id}"))
        made = datetime.fromtimestamp(T0, UTC)
        leads = {
            "own": Lead(customer_id=21, offer="fund", created_by=me.id, created_at=made,
                        due_on=DAY - timedelta(days=3)),
            "gold": Lead(customer_id=22, offer="credit_card", created_by=other.id,
                         created_at=made, due_on=DAY),
            "platinum": Lead(customer_id=23, offer="fund", created_by=other.id,
                             created_at=made, due_on=DAY, note="maturing deposit"),
            "no_consent": Lead(customer_id=24, offer="fund", created_by=me.id,
                               created_at=made, due_on=DAY - timedelta(days=1)),
            "theirs": Lead(customer_id=25, offer="fund", created_by=other.id,
                           created_at=made, due_on=DAY),
            "later": Lead(customer_id=22, offer="fund", created_by=me.id,
                          created_at=made, due_on=DAY + timedelta(days=2)),
        }
        session.add_all(leads.values())
        session.commit()
        return {k: int(v.id) for k, v in leads.items()}  # type: ignore[arg-type]


def _events(client: Any, contact_id: str) -> list[tuple[str, dict[str, Any]]]:
    with Session(client.app.state.engine) as session:
        rows = session.exec(select(EventRecord).where(EventRecord.contact_id == contact_id)
                            .order_by(EventRecord.seq)).all()  # type: ignore[arg-type]
        return [(r.type, r.payload) for r in rows]


def _run_until(client: Any, at: float, clock: Any) -> None:
    from app.live import get_services

    clock.set(at)
    center = get_services(client.app).center
    client.portal.call(center.run_until, at)


def test_the_agenda_orders_managed_customers_first_with_the_rules_verdict(
        database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, _clock):
        ids = _leads(client)
        as_user(client, "agent01")
        r = client.get("/api/console/agenda")
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        # managed first (earliest due, then the higher tier), then the agent's own lead;
        # not agent02's lead, not tomorrow's
        assert [i["key"] for i in items] == [
            f"lead-{ids['no_consent']}", f"lead-{ids['platinum']}", f"lead-{ids['gold']}",
            f"lead-{ids['own']}"]
        assert [i["managed"] for i in items] == [True, True, True, False]
        first, platinum = items[0], items[1]
        assert (first["allowed"], [x["rule"] for x in first["refusals"]]) == (
            False, ["marketing_consent"])
        assert (platinum["customer_name"], platinum["tier"], platinum["reason"],
                platinum["allowed"], platinum["last_contact"]) == (
            "최도윤", "platinum", "maturing deposit", True, None)
        with Session(client.app.state.engine) as session:
            logged = session.exec(select(CustomerAccess)).all()
        assert sorted(a.customer_id for a in logged) == [21, 22, 23, 24]
        assert {(a.action, a.reason) for a in logged} == {("read", "agenda")}


def test_a_refused_dial_names_its_rule_and_records_only_the_refusal(
        database_url: str) -> None:
    with live_client(database_url, start=LATE, prepare=_robots(1.0)) as (client, _clock):
        ids = _leads(client)
        as_user(client, "agent01")
        client.post("/api/console/login")
        key = f"lead-{ids['platinum']}"
        item = next(i for i in client.get("/api/console/agenda").json()["items"]
                    if i["key"] == key)
        assert [x["rule"] for x in item["refusals"]] == ["calling_hours"]
        assert item["refusals"][0]["until"].startswith("2025-11-25T23:00")  # 08:00 in Seoul
        r = client.post(f"/api/console/agenda/items/{key}/dial")
        assert r.status_code == 409, r.text
        assert [x["rule"] for x in r.json()["refusals"]] == ["calling_hours"]
        assert "calling_hours" in r.json()["detail"]
        with Session(client.app.state.engine) as session:
            dials = session.exec(select(EventRecord).where(
                EventRecord.type.in_(["dial_attempted", "dial_result"]))).all()  # type: ignore[attr-defined]
            rows = session.exec(select(ContactHistory)).all()
        assert dials == []
        assert [(h.customer_id, h.reason, h.outcome) for h in rows] == [
            (23, key.replace("lead-", "dial:lead-"), "refused:calling_hours")]
        # a refusal is no contact: the agenda still shows none
        item = next(i for i in client.get("/api/console/agenda").json()["items"]
                    if i["key"] == key)
        assert item["last_contact"] is None
        assert client.get("/api/console/agenda/dial").json() is None


def test_a_preview_dial_to_a_recorded_sale_closes_the_lead_as_won(
        database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, clock):
        ids = _leads(client)
        key = f"lead-{ids['platinum']}"
        as_user(client, "agent01")
        client.post("/api/console/login")
        assert client.post("/api/console/ready").json()["state"] == "ready"
        preview = client.get(f"/api/console/agenda/items/{key}")
        assert preview.status_code == 200, preview.text
        assert preview.json()["item"]["customer_name"] == "최도윤"
        r = client.post(f"/api/console/agenda/items/{key}/dial")
        assert r.status_code == 202, r.text
        cid = r.json()["contact_id"]
        assert client.get("/api/console/state").json()["reason"] == "preview_dialing"
        assert client.post(f"/api/console/agenda/items/{key}/dial").status_code == 409
        assert client.get("/api/console/agenda/dial").json()["result"] is None
        _run_until(client, OPEN + 4.0, clock)  # the robot customer answers after 4 s
        state = client.get("/api/console/state").json()
        assert (state["state"], state["contact"]["contact_id"],
                state["contact"]["direction"]) == ("talking", cid, "outbound")
        assert client.get("/api/console/agenda/dial").json()["result"] == "connected"
        sale = client.post("/api/console/offers", json={
            "offer": "fund", "result": "accepted", "amount_krw": 5_000_000})
        assert sale.status_code == 201, sale.text
        clock.advance(60)
        assert client.post("/api/console/hangup").json()["state"] == "wrap_up"
        r = client.post("/api/console/wrapup", json={"disposition": "sale"})
        assert r.json()["state"] == "ready", r.text
        types = [t for t, _ in _events(client, cid)]
        assert types[:4] == ["dial_attempted", "dial_result", "contact_arrived",
                             "contact_queued"]
        assert types.index("contact_answered") < types.index("offer_recorded") < types.index(
            "contact_ended") < types.index("wrap_up_ended")
        attempted, result = _events(client, cid)[0][1], _events(client, cid)[1][1]
        assert (attempted["mode"], attempted["campaign"], attempted["customer_id"],
                attempted["agent_id"]) == ("preview", key, "23", "agent01")
        assert (result["result"], result["attempt"]) == ("connected", 1)
        with Session(client.app.state.engine) as session:
            lead = session.get(Lead, ids["platinum"])
            assert lead is not None and lead.status == "won"
            rows = session.exec(select(ContactHistory).where(ContactHistory.customer_id == 23)
                                .order_by(ContactHistory.id)).all()  # type: ignore[arg-type]
            access = session.exec(select(CustomerAccess).where(
                CustomerAccess.customer_id == 23)).all()
        assert [(h.reason, h.outcome) for h in rows] == [
            ("offer:fund", "accepted"), ("", "sale"), (f"dial:{key}", "connected")]
        assert ("read", "agenda") in {(a.action, a.reason) for a in access}
        assert ("write", "agenda") in {(a.action, a.reason) for a in access}
        # the lead left the agenda; the dial counts as connected
        assert key not in [i["key"] for i in client.get("/api/console/agenda").json()["items"]]
        assert client.get("/api/console/agenda/dial").json() is None
        counts = count_dials([p["result"] for t, p in _events(client, cid) if t == "dial_result"])
        assert counts[0].connected == 1
    # `contactops kpis` counts the dialled call: reached, with an accepted offer
    capsys.readouterr()
    assert main(["kpis", "--from", "2025-11-25", "--to", "2025-11-25", "--url", database_url,
                 "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["all"]
    assert figures["outbound_positive_ratio"] == 1.0


def test_a_busy_line_is_recorded_and_the_lead_waits_for_the_retry_interval(
        database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(0.0, busy=1.0)) as (
            client, clock):
        ids = _leads(client)
        key = f"lead-{ids['gold']}"
        as_user(client, "agent01")
        client.post("/api/console/login")
        assert client.get("/api/console/state").json()["state"] == "not_ready"
        cid = client.post(f"/api/console/agenda/items/{key}/dial").json()["contact_id"]
        assert client.post("/api/console/agenda/dial/record").status_code == 409  # ringing
        _run_until(client, OPEN + 2.0, clock)  # busy after 2 s
        # the next dial waits until this one is recorded
        other = client.post(f"/api/console/agenda/items/lead-{ids['platinum']}/dial")
        assert other.status_code == 409 and "record the result" in other.json()["detail"]
        state = client.get("/api/console/state").json()
        assert (state["state"], state["reason"], state["contact"]) == ("not_ready", None, None)
        r = client.post("/api/console/agenda/dial/record")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["result"], body["lead_status"], body["due_on"]) == ("busy", "open",
                                                                         str(DAY))
        # busy: retry after 15 minutes (the KR telesales rules)
        assert body["next_allowed"].startswith("2025-11-25T01:15:02")
        assert [t for t, _ in _events(client, cid)] == ["dial_attempted", "dial_result"]
        item = next(i for i in client.get("/api/console/agenda").json()["items"]
                    if i["key"] == key)
        assert [x["rule"] for x in item["refusals"]] == ["retry_interval"]
        assert item["last_contact"] is not None
        assert client.post(f"/api/console/agenda/items/{key}/dial").status_code == 409
        with Session(client.app.state.engine) as session:
            rows = session.exec(select(ContactHistory).where(ContactHistory.customer_id == 22)
                                .order_by(ContactHistory.id)).all()  # type: ignore[arg-type]
        assert [(h.reason, h.outcome) for h in rows] == [
            (f"dial:{key}", "busy"), (f"dial:{key}", "refused:retry_interval")]


def test_errors_are_clear(database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, _clock):
        ids = _leads(client)
        as_user(client, "agent01")
        # logged out: cannot dial (and nothing is stored)
        key = f"lead-{ids['platinum']}"
        assert client.post(f"/api/console/agenda/items/{key}/dial").status_code == 409
        assert client.get(f"/api/console/agenda/items/lead-{ids['theirs']}").status_code == 404
        assert client.get("/api/console/agenda/items/nonsense").status_code == 422
        assert client.post("/api/console/agenda/dial/record").status_code == 409
        as_user(client, "sup")
        assert client.get("/api/console/agenda").status_code == 403


def test_the_last_allowed_attempt_failing_loses_the_lead(database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(0.0, busy=1.0)) as (
            client, clock):
        ids = _leads(client)
        key = f"lead-{ids['gold']}"
        with Session(client.app.state.engine) as session:
            for n in range(5):  # KR telesales: 6 attempts per campaign at most
                session.add(ContactHistory(
                    customer_id=22, channel="outbound", reason=f"dial:{key}",
                    outcome="no_answer", at=datetime(2025, 11, 10 + n, 1, tzinfo=UTC)))
            session.commit()
        as_user(client, "agent01")
        client.post("/api/console/login")
        dial = client.post(f"/api/console/agenda/items/{key}/dial").json()
        _run_until(client, OPEN + 2.0, clock)
        events = _events(client, dial["contact_id"])
        assert [(t, p.get("attempt")) for t, p in events] == [
            ("dial_attempted", None), ("dial_result", 6)]
        body = client.post("/api/console/agenda/dial/record").json()
        assert (body["result"], body["lead_status"], body["next_allowed"]) == (
            "busy", "lost", None)
        assert key not in [i["key"] for i in client.get("/api/console/agenda").json()["items"]]



def test_the_agendas_day_is_the_centers_day_before_utcs_midnight(sqlite_url: str) -> None:
    """At 03:00 in Seoul it is still the day before in UTC: the agenda is the center's."""
    early = T0 + 3 * 3600.0
    with live_client(sqlite_url, start=early, prepare=_robots(1.0)) as (client, _clock):
        _leads(client)
        as_user(client, "agent01")
        r = client.get("/api/console/agenda")
        assert r.status_code == 200, r.text
        assert r.json()["day"] == DAY.isoformat()
        assert datetime.fromtimestamp(early, UTC).date() < DAY
