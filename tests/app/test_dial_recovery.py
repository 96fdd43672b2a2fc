"""Dials left ringing by a stopped server (app/dial_recovery.py): two agents' dials ring
(a lead and a claimed pool entry), the server stops; a new app on the same database closes
each with one ``DialResult(abandoned)``, writes the dial rows the rules read (no re-dial for
72 hours), moves the lead and skips the entry, and leaves the agents free to dial again; a
second restart appends and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.dial_recovery import RESULT_AT_RESTART, closing_result
from app.live import get_services
from app.live.center import ManualClock
from app.models import (
    CampaignListEntry,
    ContactHistory,
    CustomerAccess,
    EventRecord,
    Interaction,
    Lead,
)
from app.queries import as_utc
from app.testing import make_app, make_settings
from routing.events import DialAttempted
from tests.app.live_helpers import as_user, include_live_routes, live_client
from tests.app.test_agenda_campaigns import _pool_of_three
from tests.app.test_console_agenda_api import DAY, OPEN, _leads, _robots

#: the ring timeout of the robot customers (app.live.robot_customers)
RING = 25.0


@contextmanager
def _restarted(database_url: str, at: float) -> Iterator[TestClient]:
    """A new app on the same database, started (lifespan) at ``at``: a restarted server."""
    app = make_app(make_settings(database_url))
    include_live_routes(app)
    app.state.live_clock = ManualClock(at)
    with TestClient(app, follow_redirects=False) as client:
        yield client
        client.portal.call(get_services(app).center.stop)  # type: ignore[union-attr]


def _rows(client: Any) -> tuple[list[tuple[str, dict[str, Any]]], list[ContactHistory]]:
    with Session(client.app.state.engine) as session:
        results = session.exec(select(EventRecord).where(EventRecord.type == "dial_result")
                               .order_by(col(EventRecord.seq))).all()
        history = session.exec(select(ContactHistory).order_by(col(ContactHistory.id))).all()
        return [(str(r.contact_id), r.payload) for r in results], list(history)


def _ring_two_dials(database_url: str) -> tuple[int, int, list[str]]:
    """agent01 dials a lead, agent02 a pool entry; both ring when the server stops.
    Returns the lead's id, the entry's id and the two dials' contact ids."""
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, _clock):
        lead = _leads(client)["platinum"]
        entry = _pool_of_three(client)[0]
        dials = []
        for login, key in (("agent01", f"lead-{lead}"), ("agent02", f"campaign-{entry}")):
            as_user(client, login)
            client.post("/api/console/login")
            r = client.post(f"/api/console/agenda/items/{key}/dial")
            assert r.status_code == 202, r.text
            dials.append(r.json()["contact_id"])
        with Session(client.app.state.engine) as session:
            claimed = session.get(CampaignListEntry, entry)
            assert claimed is not None and claimed.claimed_by is not None
    return lead, entry, dials


def test_a_restart_closes_dials_left_ringing_once(database_url: str) -> None:
    lead_id, entry_id, dials = _ring_two_dials(database_url)
    restart = OPEN + 600.0
    with _restarted(database_url, restart) as client:
        results, history = _rows(client)
        assert [c for c, _ in results] == dials
        assert {p["result"] for _, p in results} == {RESULT_AT_RESTART} == {"abandoned"}
        assert [p["at"] for _, p in results] == [OPEN + RING] * 2  # when the ring ended
        assert [p["attempt"] for _, p in results] == [1, 1]
        assert [(h.customer_id, h.reason, h.outcome, h.handled_by) for h in history] == [
            (23, f"dial:lead-{lead_id}", "abandoned", "agent01"),
            (25, f"dial:campaign-{entry_id}", "abandoned", "agent02")]
        assert {as_utc(h.at) for h in history} == {datetime.fromtimestamp(OPEN + RING, UTC)}
        with Session(client.app.state.engine) as session:
            lead = session.get(Lead, lead_id)
            entry = session.get(CampaignListEntry, entry_id)
            assert lead is not None and lead.status == "open"
            assert lead.due_on == DAY + timedelta(days=3)  # 72 hours after an abandoned call
            assert entry is not None and entry.status == "skipped"  # nothing more today
            outcomes = session.exec(select(Interaction.outcome).where(
                col(Interaction.contact_id).in_(dials))).all()
            assert outcomes == ["abandoned", "abandoned"]
            access = session.exec(select(CustomerAccess).where(
                CustomerAccess.username == "restart")).all()
            assert sorted(a.customer_id or 0 for a in access) == [23, 25]
        # the agents are free: no dial of theirs rings, and they may dial again
        as_user(client, "agent01")
        assert client.post("/api/console/login").status_code == 200
        assert client.get("/api/console/agenda/dial").json() is None
        keys = [i["key"] for i in client.get("/api/console/agenda").json()["items"]]
        assert f"lead-{lead_id}" not in keys  # due in three days
        r = client.post(f"/api/console/agenda/items/lead-{lead_id}/dial")
        assert r.status_code == 404, r.text
    with _restarted(database_url, restart + 60.0) as client:
        again, history_again = _rows(client)
        assert again == results and len(history_again) == len(history)


def test_the_closing_result_is_never_after_the_restart() -> None:
    dial = DialAttempted(100.0, "P1-1", "lead-7", "23", "agent01", "preview")
    assert closing_result(dial, 2, now=110.0, ring_seconds=RING).at == 110.0
    late = closing_result(dial, 2, now=1000.0, ring_seconds=RING)
    assert (late.at, late.result, late.attempt, late.agent_id) == (
        125.0, "abandoned", 2, "agent01")
