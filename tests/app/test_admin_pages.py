"""/admin and /audit: the forms change what the API changes, every change audited; roles
guarded; the dynamic labels the pages show are in the catalogs."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.customer_policy import RELATIONSHIP_BASES, STATED_REASONS
from app.models import AdminAudit, Agent, AgentSkill, Customer, Queue, User
from app.testing import TEST_PASSWORD, create_user, login, make_client, make_settings
from tests.app.auth.test_authenticate import _login
from tests.app.live_helpers import as_user
from tests.app.test_i18n import msgids


def _form(client: TestClient, url: str, **data: str):  # type: ignore[no-untyped-def]
    token = client.headers.get("X-CSRF-Token", "")
    return client.post(url, data={"csrf_token": token, **data})


def _user(app: FastAPI, name: str) -> User:
    with Session(app.state.engine) as session:
        return session.exec(select(User).where(User.username == name)).one()


def test_admin_page_forms_change_and_audit(database_url: str) -> None:
    with make_client(make_settings(database_url, account_lockout_failures=2)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "admin", "admin")
        create_user(app, "aud", "auditor")
        create_user(app, "agent01", "agent")
        with Session(app.state.engine) as session:
            session.add(Queue(name="deposits", skill="deposits",
                              service_level_goals={"core": {"target": 0.8, "threshold_seconds": 20}}))
            session.add(Agent(login="a77", name="Spare"))
            session.commit()
        for ip in ("10.8.0.1", "10.8.0.2"):
            asyncio.run(_login(app, "agent01", "guess", ip))
        login(client, "admin")
        page = client.get("/admin")
        assert page.status_code == 200
        assert 'data-user="agent01"' in page.text and 'data-alert="account_locked"' in page.text
        uid = _user(app, "agent01").id
        assert _form(client, f"/admin/users/{uid}/unlock").status_code == 303
        assert asyncio.run(_login(app, "agent01", TEST_PASSWORD, "10.8.0.3")) == 303
        made = _form(client, "/admin/users", username="qa7", password="long enough pw", role="qa")
        assert made.status_code == 303 and made.headers["location"] == "/admin?done=created"
        taken = _form(client, "/admin/users", username="QA7", password="long enough pw", role="qa")
        assert taken.status_code == 409 and "taken" in taken.text
        short = _form(client, f"/admin/users/{uid}/password", password="short")
        assert short.status_code == 422
        assert _form(client, f"/admin/users/{uid}/password", password="new long pw").status_code == 303
        assert _form(client, f"/admin/users/{uid}/active", active="0").status_code == 303
        assert _user(app, "agent01").active is False
        with Session(app.state.engine) as session:
            spare = session.exec(select(Agent).where(Agent.login == "a77")).one()
            queue = session.exec(select(Queue)).one()
        for bad in ("99999999999999999999", "-1", "x"):
            refused = _form(client, f"/admin/users/{uid}/assign", role="agent", agent_id=bad)
            assert refused.status_code == 422 and "agent_id" in refused.text
        assert _form(client, f"/admin/users/{uid}/assign", role="root").status_code == 422
        assigned = _form(client, f"/admin/users/{uid}/assign", role="supervisor",
                         agent_id=str(spare.id))
        assert assigned.status_code == 303
        assert (_user(app, "agent01").role, _user(app, "agent01").agent_id) == ("supervisor", spare.id)
        goals = _form(client, f"/admin/queues/{queue.id}/goals", target_gold="0.9",
                      threshold_gold="15")
        assert goals.status_code == 303
        bad = _form(client, f"/admin/queues/{queue.id}/goals", target_gold="7", threshold_gold="15")
        assert bad.status_code == 422
        skills = _form(client, f"/admin/agents/{spare.id}/skills", skill_deposits="4")
        assert skills.status_code == 303
        unknown = _form(client, f"/admin/agents/{spare.id}/skills", skill_mortgages="4")
        assert unknown.status_code == 422 and "no queue serves it" in unknown.text
        assert 'data-agent="a77"' in client.get("/admin").text
        with Session(app.state.engine) as session:
            assert [(s.skill, s.proficiency) for s in session.exec(
                select(AgentSkill).where(AgentSkill.agent_id == spare.id))] == [("deposits", 4)]
            stored = session.get(Queue, queue.id)
            assert stored is not None and stored.service_level_goals["gold"] == {
                "target": 0.9, "threshold_seconds": 15}
            assert stored.service_level_goals["core"]["target"] == 0.8
            actions = [a.action for a in session.exec(select(AdminAudit).order_by(AdminAudit.id))]  # type: ignore[arg-type]
        assert actions == ["user.unlock", "user.create", "user.reset_password", "user.disable",
                           "user.assign", "queue.goals", "agent.skills"]
        assert client.get("/audit").status_code == 403  # admins do not read the audit trails
        as_user(client, "aud")
        audit = client.get("/audit")
        assert audit.status_code == 200 and audit.text.count("admin</td>") >= 7
        assert client.get("/admin").status_code == 403


def test_audit_page_searches_the_access_log(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "sup", "supervisor")
        create_user(app, "aud", "auditor")
        with Session(app.state.engine) as session:
            customer = Customer(name="고객")
            session.add(customer)
            session.commit()
            cid = customer.id
        login(client, "sup")
        client.get(f"/api/customers/{cid}")
        as_user(client, "aud")
        everything = client.get("/audit")
        assert everything.status_code == 200 and "<td>sup</td>" in everything.text
        assert 'href="/api/audit/access-log.csv"' in everything.text
        nobody = client.get("/audit", params={"username": "agent09", "action": "", "day": ""})
        assert nobody.status_code == 200 and "<td>sup</td>" not in nobody.text
        filtered = client.get("/audit", params={"username": "sup", "action": "read"})
        assert "access-log.csv?username=sup&amp;action=read" in filtered.text
        assert client.get("/audit", params={"action": "drop"}).status_code == 422


def test_nav_and_homes_for_the_new_roles(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "aud", "auditor")  # type: ignore[arg-type]
        create_user(client.app, "admin", "admin")  # type: ignore[arg-type]
        login(client, "aud")
        assert client.get("/").headers["location"] == "/audit"
        assert 'href="/audit"' in client.get("/audit").text
        as_user(client, "admin")
        page = client.get("/admin").text
        assert 'href="/admin"' in page and 'href="/audit"' not in page


def test_labels_shown_on_the_pages_are_translated() -> None:
    shown = {"account_locked", "customer_read_rate", "read", "list", "lookup", "write",
             "administration", "denied", "auditor"}
    shown |= set(STATED_REASONS) | set(RELATIONSHIP_BASES)
    shown |= {"user.create", "user.enable", "user.disable", "user.reset_password", "user.unlock",
              "user.assign", "alert.acknowledge", "queue.goals", "agent.skills"}
    assert shown - msgids("ko") == set()
