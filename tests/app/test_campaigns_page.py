"""/campaigns: renders for supervisors and admins, refuses agents, saves a campaign (audited),
shows the field at fault when the rules are bad, shows today's counts and rebuilds them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.campaign_lists import CENTER_ZONE
from app.models import AdminAudit, Campaign, CampaignListEntry, Customer, Product
from app.testing import create_user, login, make_client, make_settings
from tests.app.test_i18n import msgids

RULES = {"targets": [{"rule": "deposit_maturing", "within_days": 30}]}


def _form(client: TestClient, url: str, **data: str):  # type: ignore[no-untyped-def]
    token = client.headers.get("X-CSRF-Token", "")
    return client.post(url, data={"csrf_token": token, **data})


def test_agents_are_refused(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent1", "agent")  # type: ignore[arg-type]
        login(client, "agent1")
        assert client.get("/campaigns").status_code == 403
        assert _form(client, "/campaigns", name="x", type="telesales",
                     rules=json.dumps(RULES)).status_code == 403
        assert _form(client, "/campaigns/rebuild").status_code == 403


def test_supervisor_creates_edits_and_rebuilds(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        create_user(app, "sup", "supervisor", locale="en")  # type: ignore[arg-type]
        login(client, "sup")
        page = client.get("/campaigns")
        assert page.status_code == 200 and "No campaigns yet." in page.text
        assert "Not enough past offers" in page.text

        created = _form(client, "/campaigns", name="Renewals", type="telesales", country="KR",
                        priority="300", dial_mode="preview", active="1", rules=json.dumps(RULES))
        assert created.status_code == 303
        engine = app.state.engine  # type: ignore[attr-defined]
        with Session(engine) as s:
            row = s.exec(select(Campaign)).one()
            assert (row.name, row.priority, row.active, row.created_by) == ("Renewals", 300, True,
                                                                            "sup")
            assert s.exec(select(AdminAudit.action)).all() == ["campaign_created"]
            today = datetime.now(UTC).astimezone(CENTER_ZONE).date()
            s.add(Customer(id=1, name="c1", marketing_consent=True))
            s.flush()
            s.add(Product(customer_id=1, kind="deposit", name="TD",
                          maturity_date=today + timedelta(days=3)))
            s.commit()
            campaign_id = row.id

        bad = _form(client, f"/campaigns/{campaign_id}", name="Renewals", type="telesales",
                    country="KR", priority="300", dial_mode="preview", active="1",
                    rules=json.dumps({"targets": [{"rule": "birthday", "within_days": 999}]}))
        assert bad.status_code == 422
        assert "rules.targets[0].within_days" in bad.text
        assert "999" in bad.text  # the form comes back as typed
        not_json = _form(client, "/campaigns", name="X", type="telesales", rules="{oops")
        assert not_json.status_code == 422 and "<code>rules</code>" in not_json.text
        clash = _form(client, "/campaigns", name="Renewals", type="service",
                      rules=json.dumps(RULES))
        assert clash.status_code == 422 and "<code>name</code>" in clash.text
        edited = _form(client, f"/campaigns/{campaign_id}", name="Renewals", type="telesales",
                       country="KR", priority="350", dial_mode="progressive", active="1",
                       rules=json.dumps(RULES))
        assert edited.status_code == 303
        assert _form(client, "/campaigns/999", name="Y", type="telesales",
                     rules=json.dumps(RULES)).status_code == 404

        assert _form(client, "/campaigns/rebuild").status_code == 303
        page = client.get("/campaigns")
        assert 'id="total-entries">1<' in page.text
        assert 'id="pool-unclaimed">1<' in page.text  # customer 1 has no manager: the pool
        assert "Deposit maturing" in page.text
        assert client.get(f"/campaigns?edit={campaign_id}").text.count("progressive") >= 2
        with Session(engine) as s:
            assert s.exec(select(AdminAudit.action).order_by(AdminAudit.id)).all() == [
                "campaign_created", "campaign_updated", "campaign_lists_rebuilt"]
            assert s.exec(select(CampaignListEntry.customer_id)).all() == [1]
            assert s.exec(select(Campaign.priority)).one() == 350


def test_admin_sees_it_in_korean(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "boss", "admin")  # type: ignore[arg-type]
        login(client, "boss")
        page = client.get("/campaigns")
        assert page.status_code == 200 and "새 캠페인" in page.text


def test_reason_labels_are_in_the_catalog() -> None:
    from app.pages.campaigns import REASON_LABELS
    from telesales.campaigns import DIAL_MODES
    from telesales.contact_rules import CAMPAIGN_TYPES

    needed = set(REASON_LABELS.values()) | set(CAMPAIGN_TYPES) | set(DIAL_MODES)
    assert needed - msgids("ko") == set()


def test_the_demo_shows_its_campaigns_and_the_model_lift(sqlite_url: str) -> None:
    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.seed import seed_demo

    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    seed_demo(engine, customers=3000, roster=False)
    engine.dispose()
    with make_client(make_settings(sqlite_url, demo_mode=True)) as client:
        create_user(client.app, "manager", "supervisor", locale="en")  # type: ignore[arg-type]
        login(client, "manager")
        page = client.get("/campaigns")
        assert page.status_code == 200
        assert "Deposit renewals" in page.text and "Collections 30+ days" in page.text
        assert 'id="lift"' in page.text
        assert page.text.count("<td>10</td>") >= 1  # the tenth decile's row
