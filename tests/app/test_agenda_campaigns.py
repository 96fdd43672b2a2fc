"""Campaign list entries on the agent's agenda (app/agenda.py ``campaign_entries``): the
agent's managed customers' entries and the unassigned pool beside the leads, the reason code
labelled in both languages, a connected dial that works the entry (``done``), a busy line that
leaves it open for the retry; two agents' agendas holding disjoint claims on the pool."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from app.models import Agent, Campaign, CampaignListEntry, Customer
from app.pages.console_labels import console_labels
from app.pool_claims import ClaimPolicy, pool_counts
from tests.app.live_helpers import as_user, live_client
from tests.app.test_console_agenda_api import DAY, OPEN, _leads, _robots, _run_until


def _entries(client: Any) -> dict[str, int]:
    """Two list entries today: customer 23 (managed by agent01) on the deposit campaign,
    customer 25 (nobody's) in the pool; one of agent02's managed customers is not agent01's."""
    now = datetime.fromtimestamp(OPEN, UTC)
    with Session(client.app.state.engine) as session:
        me = session.exec(select(Agent).where(Agent.login == "agent01")).one()
        other = session.exec(select(Agent).where(Agent.login == "agent02")).one()
        campaign = Campaign(name="Deposit renewals", type="telesales", created_at=now,
                            updated_at=now, priority=200)
        session.add(campaign)
        session.commit()
        assert campaign.id is not None
        rows = {
            "managed": CampaignListEntry(campaign_id=campaign.id, list_date=DAY, customer_id=23,
                                         agent_id=me.id, score=0.9, rank=1,
                                         reason="deposit_maturing", built_at=now),
            "pool": CampaignListEntry(campaign_id=campaign.id, list_date=DAY, customer_id=25,
                                      agent_id=None, score=0.5, rank=2,
                                      reason="tier_upgrade", built_at=now),
            "theirs": CampaignListEntry(campaign_id=campaign.id, list_date=DAY,
                                        customer_id=21, agent_id=other.id, score=0.7, rank=3,
                                        reason="birthday", built_at=now),
        }
        session.add_all(rows.values())
        session.commit()
        return {k: int(v.id) for k, v in rows.items()}  # type: ignore[arg-type]


def test_campaign_entries_join_the_agenda_and_a_sale_works_the_entry(database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, clock):
        _leads(client)
        ids = _entries(client)
        as_user(client, "agent01")
        client.post("/api/console/login")
        items = client.get("/api/console/agenda").json()["items"]
        campaign = [i for i in items if i["source"] == "campaign"]
        assert [(i["key"], i["managed"], i["offer"], i["reason"]) for i in campaign] == [
            (f"campaign-{ids['managed']}", True, "deposit_maturing", "Deposit renewals"),
            (f"campaign-{ids['pool']}", False, "tier_upgrade", "Deposit renewals")]
        assert all(i["allowed"] for i in campaign)
        key = f"campaign-{ids['managed']}"
        assert client.post("/api/console/ready").json()["state"] == "ready"
        r = client.post(f"/api/console/agenda/items/{key}/dial")
        assert r.status_code == 202, r.text
        _run_until(client, OPEN + 4.0, clock)
        assert client.get("/api/console/state").json()["state"] == "talking"
        assert client.post("/api/console/offers", json={
            "offer": "fund", "result": "accepted", "amount_krw": 1_000_000}).status_code == 201
        clock.advance(60)
        client.post("/api/console/hangup")
        assert client.post("/api/console/wrapup", json={"disposition": "sale"}).json()[
            "state"] == "ready"
        with Session(client.app.state.engine) as session:
            worked = session.get(CampaignListEntry, ids["managed"])
            assert worked is not None and worked.status == "done"
        keys = [i["key"] for i in client.get("/api/console/agenda").json()["items"]]
        assert key not in keys and f"campaign-{ids['pool']}" in keys


def test_a_busy_campaign_entry_stays_open_for_the_retry(database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(0.0, busy=1.0)) as (
            client, clock):
        _leads(client)
        ids = _entries(client)
        key = f"campaign-{ids['pool']}"
        as_user(client, "agent01")
        client.post("/api/console/login")
        assert client.post(f"/api/console/agenda/items/{key}/dial").status_code == 202
        _run_until(client, OPEN + 2.0, clock)
        r = client.post("/api/console/agenda/dial/record")
        assert r.status_code == 200 and r.json()["result"] == "busy", r.text
        with Session(client.app.state.engine) as session:
            entry = session.get(CampaignListEntry, ids["pool"])
            assert entry is not None and entry.status == "open"
        item = next(i for i in client.get("/api/console/agenda").json()["items"]
                    if i["key"] == key)
        assert [x["rule"] for x in item["refusals"]] == ["retry_interval"]


def test_reason_codes_are_labelled_in_both_languages() -> None:
    ko, en = console_labels("ko")["reason"], console_labels("en")["reason"]
    assert ko["deposit_maturing"] == "예금 만기 도래" and en["tier_upgrade"] == (
        "Tier upgrade candidate")
    assert all(text != code and ":" not in text for code, text in ko.items())


def _pool_of_three(client: Any) -> list[int]:
    """Three pool entries today (customers nobody manages), the best scored first."""
    now = datetime.fromtimestamp(OPEN, UTC)
    with Session(client.app.state.engine) as session:
        session.add(Customer(id=26, name="윤서아", value_tier="core", marketing_consent=True))
        session.flush()
        campaign = Campaign(name="Tier upgrades", type="telesales", created_at=now,
                            updated_at=now, priority=100)
        session.add(campaign)
        session.commit()
        assert campaign.id is not None
        rows = [CampaignListEntry(campaign_id=campaign.id, list_date=DAY, customer_id=cid,
                                  agent_id=None, score=score, rank=rank,
                                  reason="tier_upgrade", built_at=now)
                for rank, (cid, score) in enumerate([(25, 0.9), (26, 0.8), (21, 0.7)], 1)]
        session.add_all(rows)
        session.commit()
        return [int(r.id) for r in rows]  # type: ignore[arg-type]


def _pool_keys(client: Any) -> list[str]:
    return [i["key"] for i in client.get("/api/console/agenda").json()["items"]
            if i["source"] == "campaign"]


def _batch_of_two(app: Any) -> None:
    _robots(0.0)(app)
    app.state.settings.pool_batch_size = 2


def test_two_agents_see_disjoint_pool_entries_and_cannot_dial_each_others(
        database_url: str) -> None:
    with live_client(database_url, start=OPEN, prepare=_batch_of_two) as (client, _clock):
        _leads(client)
        ids = [f"campaign-{i}" for i in _pool_of_three(client)]
        as_user(client, "agent01")
        client.post("/api/console/login")
        assert _pool_keys(client) == ids[:2]  # a batch of two, best scored first
        as_user(client, "agent02")
        client.post("/api/console/login")
        assert _pool_keys(client) == ids[2:]  # what is left
        for method, path in (("GET", f"/api/console/agenda/items/{ids[0]}"),
                             ("POST", f"/api/console/agenda/items/{ids[0]}/dial")):
            r = client.request(method, path)
            assert r.status_code == 409, r.text
            assert "claimed by agent agent01" in r.json()["detail"]
        with Session(client.app.state.engine) as session:  # the supervisor's counts
            counts = pool_counts(session, DAY, datetime.fromtimestamp(OPEN, UTC),
                                 ClaimPolicy())
            assert (counts.claimed, counts.unclaimed) == ([("agent01", 2), ("agent02", 1)], 0)
        as_user(client, "agent01")
        assert client.post("/api/console/logout").status_code == 200
        as_user(client, "agent02")
        items = client.get("/api/console/agenda?claim=false").json()["items"]
        assert [(i["key"], i["pool"]) for i in items if i["source"] == "campaign"] == [
            (ids[2], True)]  # a read only: no claim
        assert _pool_keys(client) == [ids[0], ids[2]]  # agent01's claims went back
        assert client.get(f"/api/console/agenda/items/{ids[0]}").status_code == 200
        as_user(client, "agent01")  # logged out: handed no pool work
        assert _pool_keys(client) == []
