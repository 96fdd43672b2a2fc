"""The auditor's API: search and CSV export of the access log, the admin audit log; auditors
only (admins too are kept out)."""

from __future__ import annotations

import csv
import io

from fastapi import FastAPI
from sqlmodel import Session

from app.models import Customer
from app.testing import create_user, login, make_client, make_settings
from tests.app.live_helpers import as_user


def test_auditor_searches_and_exports_the_access_log(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        for name, role in (("sup", "supervisor"), ("aud", "auditor"), ("admin", "admin"),
                           ("agent01", "agent")):
            create_user(app, name, role)
        with Session(app.state.engine) as session:
            customer = Customer(name="=HYPERLINK(\"x\")")  # a name that is a formula
            session.add(customer)
            session.commit()
            cid = customer.id
        login(client, "sup")
        client.get(f"/api/customers/{cid}", params={"reason": "complaint",
                                                    "reason_text": "=cmd|' /C calc'!A0"})
        as_user(client, "agent01")
        client.get(f"/api/customers/{cid}")  # refused, and logged
        for name in ("sup", "admin", "agent01"):
            as_user(client, name)
            assert client.get("/api/audit/access-log").status_code == 403
            assert client.get("/api/audit/access-log.csv").status_code == 403
        as_user(client, "aud")
        everything = client.get("/api/audit/access-log").json()
        assert everything["total"] == 2
        assert [i["username"] for i in everything["items"]] == ["agent01", "sup"]  # newest first
        sup_rows = client.get("/api/audit/access-log", params={"username": "SUP"}).json()
        assert sup_rows["total"] == 1 and sup_rows["items"][0]["reason"] == "complaint"
        refused = client.get("/api/audit/access-log", params={"allowed": "false"}).json()
        assert [i["username"] for i in refused["items"]] == ["agent01"]
        by_customer = client.get("/api/audit/access-log", params={"customer_id": cid}).json()
        assert by_customer["total"] == 2
        assert client.get("/api/audit/access-log", params={"action": "drop"}).status_code == 422
        exported = client.get("/api/audit/access-log.csv", params={"username": "sup"})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert len(rows) == 1 and rows[0]["customer_id"] == str(cid)
        assert rows[0]["reason_text"].startswith("'=")  # no formula reaches a spreadsheet


def test_search_bounds_are_field_errors(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "aud", "auditor")  # type: ignore[arg-type]
        login(client, "aud")
        for field, value in (("since", "0001-01-01T00:00:00+14:00"), ("until", "9999-12-31T23:59:59-14:00"),
                             ("customer_id", "0"), ("username", "x" * 41)):
            response = client.get("/api/audit/access-log", params={field: value})
            assert response.status_code == 422, (field, response.text)
            assert response.json()["errors"][0]["field"] == f"query.{field}"
        assert client.get("/audit", params={"day": "0001-01-01"}).status_code == 422
        assert client.get("/audit", params={"day": "2026-12-04"}).status_code == 200
        ok = client.get("/api/audit/access-log", params={"since": "2026-01-01", "until": "2027-01-01"})
        assert ok.status_code == 200
