"""The live routing policy administered through the API (issue 7): admins only, 422s naming
the field, every change in the admin audit log (seen by auditors), and the live center's
policy built from the stored settings."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.live.routing_config import PRODUCTION_SELECTION, live_routing_policy
from app.models import AdminAudit
from app.routing_settings import stored_policy
from app.testing import create_user, make_client, make_settings
from tests.app.live_helpers import as_user

GOOD = {"selection": "longest_idle", "ring_timeout_seconds": 15.0,
        "ageing_seconds_per_level": None, "preferred_agent_wait_seconds": 45.0}


def test_admin_sets_the_policy_audited_and_the_live_policy_is_built_from_it(
    database_url: str,
) -> None:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "admin", "admin")
        create_user(app, "aud", "auditor")
        as_user(client, "admin")
        shown = client.get("/api/admin/routing-policy").json()
        assert shown["stored"] is False and shown["selection"] == PRODUCTION_SELECTION
        assert stored_policy(app.state.engine) is None
        res = client.put("/api/admin/routing-policy", json=GOOD)
        assert res.status_code == 200, res.text
        assert res.json()["stored"] and res.json()["updated_by"] == "admin"
        again = client.put("/api/admin/routing-policy",
                           json={**GOOD, "ring_timeout_seconds": 25.0})
        assert again.status_code == 200
        shown = client.get("/api/admin/routing-policy").json()
        assert shown["ring_timeout_seconds"] == 25.0 and shown["ageing_seconds_per_level"] is None
        policy = live_routing_policy(app.state.settings, stored_policy(app.state.engine))
        assert policy.selection == "longest_idle" and policy.ring_timeout_seconds == 25.0
        assert policy.ageing_seconds_per_level is None
        assert policy.preferred_agent_wait_seconds == 45.0
        with Session(app.state.engine) as session:
            rows = list(session.exec(select(AdminAudit).where(
                AdminAudit.action == "routing.policy")))
        assert len(rows) == 2 and rows[0].detail["before"] is None
        assert rows[1].detail["before"]["ring_timeout_seconds"] == 15.0
        assert rows[1].detail["after"]["ring_timeout_seconds"] == 25.0
        as_user(client, "aud")
        log = client.get("/api/audit/admin-log").json()
        assert [i["action"] for i in log["items"]].count("routing.policy") == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"selection": "random"}, "selection"),
        ({"ring_timeout_seconds": 0}, "ring_timeout_seconds"),
        ({"ring_timeout_seconds": 1e9}, "ring_timeout_seconds"),
        ({"ageing_seconds_per_level": -1}, "ageing_seconds_per_level"),
        ({"preferred_agent_wait_seconds": 601}, "preferred_agent_wait_seconds"),
        ({"preferred_agent_wait_seconds": "soon"}, "preferred_agent_wait_seconds"),
    ],
)
def test_bad_settings_are_a_422_naming_the_field_and_store_nothing(
    sqlite_url: str, change: dict[str, Any], field: str
) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "admin", "admin")  # type: ignore[arg-type]
        as_user(client, "admin")
        res = client.put("/api/admin/routing-policy", json={**GOOD, **change})
        assert res.status_code == 422, res.text
        assert res.json()["errors"][0]["loc"][-1] == field
        assert stored_policy(client.app.state.engine) is None  # type: ignore[attr-defined]


def test_only_admins_read_or_change_the_policy(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        for name, role in (("sup", "supervisor"), ("aud", "auditor"), ("agent01", "agent"),
                           ("plan", "planner")):
            create_user(client.app, name, role)  # type: ignore[arg-type]
        for name in ("sup", "aud", "agent01", "plan"):
            as_user(client, name)
            assert client.get("/api/admin/routing-policy").status_code == 403
            assert client.put("/api/admin/routing-policy", json=GOOD).status_code == 403
        assert stored_policy(client.app.state.engine) is None  # type: ignore[attr-defined]


def test_the_live_center_starts_with_the_stored_policy(sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    from app.live import start_live_center, stop_live_center
    from tests.app.test_live_center import _demo_app

    app = _demo_app(sqlite_url)
    with TestClient(app) as client:
        create_user(app, "admin", "admin")
        as_user(client, "admin")
        assert client.put("/api/admin/routing-policy", json=GOOD).status_code == 200
        client.portal.call(stop_live_center, app)  # the change applies at the next start
        services = client.portal.call(start_live_center, app)
        policy = services.center.engine.policy
        client.portal.call(stop_live_center, app)
    assert policy.selection == "longest_idle" and policy.ring_timeout_seconds == 15.0
    assert policy.ageing_seconds_per_level is None
    assert policy.preferred_agent_wait_seconds == 45.0


def test_the_admin_page_form_stores_the_policy_and_refuses_bad_values(sqlite_url: str) -> None:
    from tests.app.test_admin_pages import _form

    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "admin", "admin")  # type: ignore[arg-type]
        as_user(client, "admin")
        page = client.get("/admin").text
        assert 'id="routing"' in page and 'action="/admin/routing-policy"' in page
        bad = _form(client, "/admin/routing-policy", selection="longest_idle",
                    ring_timeout_seconds="9999", ageing_seconds_per_level="",
                    preferred_agent_wait_seconds="10")
        assert bad.status_code == 422 and "ring_timeout_seconds" in bad.text
        assert stored_policy(client.app.state.engine) is None  # type: ignore[attr-defined]
        res = _form(client, "/admin/routing-policy", selection="longest_idle",
                    ring_timeout_seconds="12", ageing_seconds_per_level="",
                    preferred_agent_wait_seconds="10")
        assert res.status_code == 303, res.text
        policy = stored_policy(client.app.state.engine)  # type: ignore[attr-defined]
        assert policy is not None and policy.ring_timeout_seconds == 12.0
        assert policy.ageing_seconds_per_level is None and policy.selection == "longest_idle"
