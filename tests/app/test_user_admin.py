"""User administration through the API: create, disable, reset, unlock, assign; every change
in the admin audit log (visible to auditors); roles guarded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlmodel import Session, select

from app.alerts import raise_alert
from app.models import AdminAudit, Agent
from app.testing import TEST_PASSWORD, create_user, login, make_client, make_settings
from tests.app.auth.test_authenticate import _login
from tests.app.live_helpers import as_user


def test_admin_changes_are_audited_and_visible_to_auditors(database_url: str) -> None:
    settings = make_settings(database_url, account_lockout_failures=2)
    with make_client(settings) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "admin", "admin")
        create_user(app, "aud", "auditor")
        target = create_user(app, "agent01", "agent")
        with Session(app.state.engine) as session:
            spare = Agent(login="a99", name="Spare")
            session.add(spare)
            session.commit()
            spare_id = spare.id
        login(client, "admin")
        made = client.post("/api/users", json={"username": "New.User", "role": "qa",
                                               "password": "long enough pw"})
        assert made.status_code == 201 and made.json()["username"] == "new.user"
        uid = target.id
        # locked out from two addresses, then unlocked by the admin
        for ip in ("10.9.0.1", "10.9.0.2"):
            assert asyncio.run(_login(app, "agent01", "guess", ip)) == 401
        assert asyncio.run(_login(app, "agent01", TEST_PASSWORD, "10.9.0.3")) == 429
        users = {u["username"]: u for u in client.get("/api/users").json()}
        assert users["agent01"]["locked"] is True
        assert client.get("/api/admin/alerts").json()[0]["kind"] == "account_locked"
        assert client.post(f"/api/users/{uid}/unlock").json()["locked"] is False
        assert asyncio.run(_login(app, "agent01", TEST_PASSWORD, "10.9.0.3")) == 303
        assert client.patch(f"/api/users/{uid}", json={"active": False}).json()["active"] is False
        assert asyncio.run(_login(app, "agent01", TEST_PASSWORD, "10.9.0.4")) == 401
        assert client.patch(f"/api/users/{uid}", json={"active": True}).status_code == 200
        assert client.post(f"/api/users/{uid}/password",
                           json={"password": "another long one"}).status_code == 204
        assigned = client.patch(f"/api/users/{uid}", json={"role": "supervisor",
                                                           "agent_id": spare_id}).json()
        assert (assigned["role"], assigned["agent_id"]) == ("supervisor", spare_id)
        me = client.get("/api/me").json()["id"]
        assert client.patch(f"/api/users/{me}", json={"active": False}).status_code == 409
        assert client.get("/api/admin/alerts").json() == []  # the unlock dealt with the alert
        with Session(app.state.engine) as session:
            raise_alert(session, "customer_read_rate", "sup", "too many reads", datetime.now(UTC))
        alert_id = client.get("/api/admin/alerts").json()[0]["id"]
        assert client.post(f"/api/admin/alerts/{alert_id}/acknowledge").status_code == 200
        assert client.get("/api/admin/alerts").json() == []
        with Session(app.state.engine) as session:
            actions = [a.action for a in session.exec(select(AdminAudit).order_by(AdminAudit.id))]  # type: ignore[arg-type]
        assert actions == ["user.create", "user.unlock", "user.disable", "user.enable",
                           "user.reset_password", "user.assign", "alert.acknowledge"]
        as_user(client, "aud")
        log = client.get("/api/audit/admin-log").json()
        assert log["total"] == 7 and log["items"][0]["actor"] == "admin"
        assert all("password" not in str(i["detail"]) for i in log["items"])


def test_administration_is_for_admins(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        for name, role in (("sup", "supervisor"), ("aud", "auditor"), ("agent01", "agent")):
            create_user(client.app, name, role)  # type: ignore[arg-type]
        for name in ("sup", "aud", "agent01"):
            as_user(client, name)
            assert client.get("/api/users").status_code == 403
            assert client.post("/api/users/1/unlock").status_code == 403
            assert client.patch("/api/users/1", json={"active": False}).status_code == 403
        as_user(client, "aud")
        assert client.get("/api/admin/alerts").status_code == 403
        as_user(client, "sup")
        assert client.get("/api/admin/alerts").status_code == 200
