"""/api/standards: roles, 422 naming the field, set (create or replace) with the admin audit,
the report of actual against target (JSON and CSV), the wallboard's bands following a change
(SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.eventlog import SqlEventStore
from app.live.wallboard import live_wallboard, set_standards
from app.models import AdminAudit
from app.standards_store import load_standards
from app.testing import create_user, login, logout, make_client, make_settings
from dashboards.thresholds import Band
from routing.events import (
    ComplaintRecorded,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    OfferRecorded,
    ServiceLevelGoal,
    WrapUpEnded,
)
from routing.policy import QueueConfig

DAY = datetime(2026, 5, 4, 1, 0, tzinfo=UTC).timestamp()  # 10:00 in Seoul, Q2 2026
SL = {"kpi": "service_level", "year": 2026, "target": 0.8, "warn": 0.8, "alert": 0.7,
      "threshold_seconds": 20}


def _calls() -> list[Event]:
    """4 general calls answered by ag1 (team-1) after 5, 10, 30 and 40 s (SL 2/4 within 20 s),
    one abandoned; a cross-sell sold on c0; a complaint on c1."""
    out: list[Event] = []
    for i, wait in enumerate((5.0, 10.0, 30.0, 40.0)):
        at, cid = DAY + 600 * i, f"c{i}"
        out += [ContactArrived(at, cid, "deposits", "core", customer_id=str(i)),
                ContactAnswered(at + wait, cid, "ag1", "deposits"),
                ContactEnded(at + wait + 100, cid, "ag1", "deposits"),
                WrapUpEnded(at + wait + 120, cid, "ag1", "done", "card")]
    out += [OfferRecorded(DAY + 50, "c0", "ag1", "card", "cross_sell", "made"),
            OfferRecorded(DAY + 60, "c0", "ag1", "card", "cross_sell", "accepted"),
            ComplaintRecorded(DAY + 700, "c1", "fees", "ag1"),
            ContactArrived(DAY + 3000, "c9", "deposits", "core"),
            ContactAbandoned(DAY + 3010, "c9", "deposits")]
    return sorted(out, key=lambda e: e.at)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(database_url)) as c:
        app = c.app
        for name, role in (("plan", "planner"), ("qa1", "qa"), ("sup", "supervisor"),
                           ("boss", "admin")):
            create_user(app, name, role)
        create_user(app, "ag1", "agent")
        SqlEventStore(app.state.engine).append(_calls())  # type: ignore[attr-defined]
        yield c


def _as(client: TestClient, name: str) -> TestClient:
    logout(client)
    login(client, name)
    return client


def test_roles(client: TestClient) -> None:
    _as(client, "sup")
    assert client.get("/api/standards").status_code == 200
    assert client.put("/api/standards", json=SL).status_code == 403
    _as(client, "ag1")
    assert client.get("/api/standards").status_code == 403
    assert client.get("/api/standards/report?from=2026-05-04&to=2026-05-04").status_code == 403
    for name in ("plan", "qa1", "boss"):
        _as(client, name)
        assert client.put("/api/standards", json=SL).status_code == 200, name


@pytest.mark.parametrize(("change", "field"), [
    ({"kpi": "speed"}, "body.kpi"),
    ({"warn": 0.9}, "body.warn"),  # warn above the target of a higher-is-better KPI
    ({"target": 1.5, "warn": 1.5}, "body.target"),
    ({"quarter": 5}, "body.quarter"),
    ({"year": 1999}, "body.year"),
    ({"scope": "agent", "scope_id": "nobody"}, "body.scope_id"),
    ({"scope": "team", "scope_id": ""}, "body.scope_id"),
    ({"kpi": "asa_seconds", "target": 10, "warn": 15, "alert": 20}, "body.threshold_seconds"),
    ({"alert": "NaN"}, "body.alert"),
    ({"extra": 1}, "body.extra"),
])
def test_bad_input_is_a_422_naming_the_field(client: TestClient, change: dict, field: str
                                             ) -> None:  # type: ignore[type-arg]
    _as(client, "plan")
    r = client.put("/api/standards", json={**SL, **change})
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.text


def test_set_replaces_the_same_key_and_is_audited(client: TestClient) -> None:
    _as(client, "plan")
    first = client.put("/api/standards", json=SL).json()
    second = client.put("/api/standards", json={**SL, "target": 0.85, "warn": 0.82}).json()
    assert first["id"] == second["id"] and second["target"] == 0.85
    q2 = client.put("/api/standards", json={**SL, "quarter": 2, "target": 0.9, "warn": 0.9})
    team = client.put("/api/standards", json={**SL, "scope": "team", "scope_id": "team-1"})
    assert q2.status_code == team.status_code == 200
    rows = client.get("/api/standards?year=2026").json()
    assert len(rows) == 3 and {r["scope"] for r in rows} == {"center", "team"}
    assert client.delete(f"/api/standards/{team.json()['id']}").status_code == 204
    assert client.delete("/api/standards/999999").status_code == 404
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        audit = session.exec(select(AdminAudit).where(AdminAudit.actor == "plan")).all()
    assert [a.action for a in audit].count("standard.set") == 4
    assert "standard.delete" in [a.action for a in audit]
    assert any(a.target == "service_level/all/2026/center" for a in audit)


def test_report_actual_against_target_json_and_csv(client: TestClient) -> None:
    _as(client, "plan")
    client.put("/api/standards", json=SL)
    client.put("/api/standards", json={"kpi": "abandon_rate", "year": 2026, "quarter": 2,
                                       "target": 0.03, "warn": 0.05, "alert": 0.25})
    client.put("/api/standards", json={"kpi": "cross_sell_per_call", "year": 2026,
                                       "target": 0.3, "warn": 0.2, "alert": 0.1,
                                       "scope": "agent", "scope_id": "ag1"})
    _as(client, "sup")
    r = client.get("/api/standards/report?from=2026-05-04&to=2026-05-04")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["year"], body["quarter"], body["from"]) == (2026, 2, "2026-05-04")
    lines = {(x["segment"], x["kpi"]): x for x in body["lines"]}
    sl = lines[("all", "service_level")]
    assert sl["actual"] == pytest.approx(2 / 5)  # 2 of 5 offered within 20 s
    assert (sl["target"], sl["level"], sl["met"]) == (0.8, "alert", False)
    ab = lines[("all", "abandon_rate")]
    assert ab["actual"] == pytest.approx(1 / 5) and ab["level"] == "warn"
    assert lines[("all", "complaint_ratio")]["actual"] == pytest.approx(1 / 4)
    assert lines[("all", "complaint_ratio")]["target"] is None
    assert lines[("vip", "service_level")]["actual"] is None  # no VIP caller
    agents = client.get("/api/standards/report?from=2026-05-04&to=2026-05-04&scope=agent")
    # ag1: the agent's own standard, and the center's where it has none
    by_kpi = {x["kpi"]: x for x in agents.json()["lines"] if x["group"] == "ag1"}
    cross = by_kpi["cross_sell_per_call"]
    assert cross["actual"] == pytest.approx(1 / 4)
    assert (cross["level"], cross["standard_scope"]) == ("ok", "agent")
    assert by_kpi["service_level"]["standard_scope"] == "center"
    r = client.get("/api/standards/report.csv?from=2026-05-04&to=2026-05-04")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    row = next(x for x in rows if x["kpi"] == "service_level" and x["segment"] == "all")
    assert (float(row["actual"]), row["level"], row["target"]) == (0.4, "alert", "0.8")


def test_report_bad_period(client: TestClient) -> None:
    _as(client, "sup")
    r = client.get("/api/standards/report?from=2026-05-04&to=2026-05-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.to"
    r = client.get("/api/standards/report?from=2020-01-01&to=2026-05-01")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.to"
    assert client.get("/api/standards/report?from=x&to=2026-05-01").status_code == 422


def test_the_wallboard_bands_follow_the_standards(client: TestClient) -> None:
    board = live_wallboard({"deposits": QueueConfig("deposits", "deposits")})
    goal = ServiceLevelGoal(20.0, 0.8)
    before = board.thresholds.band("abandon_rate", goal, None, None)
    year = datetime.now(UTC).year
    _as(client, "plan")
    client.put("/api/standards", json={"kpi": "abandon_rate", "year": year, "target": 0.02,
                                       "warn": 0.03, "alert": 0.04})
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert set_standards(board, load_standards(session))
    after = board.thresholds.band("abandon_rate", goal, None, None)
    assert after == Band(0.03, 0.04) != before


def test_the_live_wallboard_reads_the_stored_standards_and_follows_a_change(
        client: TestClient) -> None:
    from app.live.services import get_services

    year = datetime.now(UTC).year
    goal = ServiceLevelGoal(20.0, 0.8)
    _as(client, "plan")
    client.put("/api/standards", json={"kpi": "abandon_rate", "year": year, "target": 0.02,
                                       "warn": 0.03, "alert": 0.04})
    services = get_services(client.app)  # built now: its wallboard reads the stored standards
    assert services.wallboard.thresholds.band("abandon_rate", goal, None, None) == Band(0.03,
                                                                                         0.04)
    client.put("/api/standards", json={"kpi": "abandon_rate", "year": year, "target": 0.02,
                                       "warn": 0.035, "alert": 0.06})
    assert services.wallboard.thresholds.band("abandon_rate", goal, "deposits", "vip") == Band(
        0.035, 0.06)
    now = datetime.now(UTC).timestamp()
    board = services.wallboard
    for seq, event in enumerate([  # 1 of 2 general callers hung up: abandonment 50 %
            ContactArrived(now - 60, "w1", "deposits", "core"),
            ContactAbandoned(now - 50, "w1", "deposits"),
            ContactArrived(now - 40, "w2", "deposits", "core"),
            ContactAnswered(now - 35, "w2", "ag1", "deposits")], start=10_000):
        board.apply(seq, event)
    assert board.snapshot(now)["totals"]["general"]["levels"]["abandon_rate"] == "alert"
    client.put("/api/standards", json={"kpi": "abandon_rate", "year": year, "target": 0.02,
                                       "warn": 0.4, "alert": 0.6})
    assert board.snapshot(now + 1)["totals"]["general"]["levels"]["abandon_rate"] == "warn"
