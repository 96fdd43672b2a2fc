"""POST/GET /api/events: external events stored (201 after commit), replayed in order; 422 names the field."""

from __future__ import annotations

import pytest

from app.live import get_services
from tests.app.live_helpers import as_user, live_client

ARRIVED = {"type": "contact_arrived", "at": 1_764_000_001.5, "contact_id": "pbx-1",
           "queue": "deposits", "tier": "gold"}


def test_append_then_replay(database_url: str) -> None:
    with live_client(database_url) as (client, _):
        as_user(client, "sup")
        r = client.post("/api/events", json=[ARRIVED, {
            "type": "contact_abandoned", "at": 1_764_000_031.0, "contact_id": "pbx-1",
            "queue": "deposits"}])
        assert r.status_code == 201, r.text
        seqs = r.json()["seqs"]
        assert len(seqs) == 2 and seqs[1] == seqs[0] + 1
        assert client.post("/api/events", json=ARRIVED | {"contact_id": "pbx-2"}).status_code == 201
        page = client.get("/api/events", params={"after_seq": seqs[0] - 1, "limit": 2}).json()
        got = [e["event"] for e in page["events"]]
        assert [e["seq"] for e in page["events"]] == seqs
        assert got[0] == ARRIVED | {"direction": "inbound", "customer_id": None,
                                    "preferred_agent_id": None, "site": None}
        assert got[1]["type"] == "contact_abandoned" and got[1]["at"] == 1_764_000_031.0
        assert page["last_seq"] == seqs[1] + 1
        board = get_services(client.app).wallboard.snapshot(1_764_000_040.0)
        assert board["totals"]["general"]["abandoned"] == 1  # published like the engine's own


@pytest.mark.parametrize("body,field", [
    (ARRIVED | {"at": "soon"}, "at"),
    ({k: v for k, v in ARRIVED.items() if k != "contact_id"}, "contact_id"),
    (ARRIVED | {"colour": "red"}, "colour"),
    (ARRIVED | {"type": "contact_teleported"}, "type"),
    (ARRIVED | {"contact_id": "x" * 41}, "contact_id"),
    ([ARRIVED, ARRIVED | {"queue": {"a": 1}}], "1.queue"),
    ([], "body"),
    ("nope", "body"),
])
def test_bad_events_are_422_and_nothing_is_stored(sqlite_url: str, body: object, field: str) -> None:
    _check_422(sqlite_url, json_body=body, field=field)


@pytest.mark.parametrize("raw,field", [
    (b'{"type": "contact_arrived", "at": NaN, "contact_id": "c", "queue": "q"}', "at"),
    (b'{"type": "contact_arrived", "at": Infinity, "contact_id": "c", "queue": "q"}', "at"),
    (b'{"type": "contact_arrived", "at": 1e12, "contact_id": "c", "queue": "q"}', "at"),
    (b'{"type": "contact_arrived", "at": -5, "contact_id": "c", "queue": "q"}', "at"),
    (b'{"type": "dial_attempted", "at": 1, "contact_id": "c", "campaign": "x", "agent_id": 1e999}',
     "agent_id"),
    (b'{"type": "contact_arrived", "at": 1764000001, "contact_id": "c\\ud800", "queue": "q"}',
     "contact_id"),
])
def test_non_finite_numbers_are_422(sqlite_url: str, raw: bytes, field: str) -> None:
    _check_422(sqlite_url, raw=raw, field=field)


def _check_422(sqlite_url: str, *, field: str, json_body: object = None, raw: bytes | None = None) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        before = client.get("/api/events").json()["last_seq"]
        if raw is not None:
            r = client.post("/api/events", content=raw, headers={"content-type": "application/json"})
        else:
            r = client.post("/api/events", json=json_body)
        assert r.status_code == 422, r.text
        assert any(e["field"].endswith(field) for e in r.json()["errors"]), r.json()
        assert client.get("/api/events").json()["last_seq"] == before


def test_query_bounds_and_roles(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        assert client.get("/api/events").status_code == 401
        as_user(client, "agent01")
        assert client.get("/api/events").status_code == 403
        as_user(client, "sup")
        assert client.get("/api/events", params={"limit": 0}).status_code == 422
        assert client.get("/api/events", params={"after_seq": -1}).status_code == 422
        assert client.get("/api/events", params={"after_seq": "x"}).status_code == 422
        r = client.post("/api/events", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422


# --- semantic checks at the edge --------------------------------------------------------

STATE = {"type": "agent_state_changed", "at": 1_764_000_001.0, "agent_id": "agent01",
         "state": "ready", "previous": "not_ready"}
WRAPPED = {"type": "wrap_up_ended", "at": 1_764_000_001.0, "contact_id": "pbx-1",
           "agent_id": "agent01"}


@pytest.mark.parametrize("body,field", [
    (ARRIVED | {"tier": "diamond"}, "tier"),
    (STATE | {"state": "dancing"}, "state"),
    (STATE | {"previous": "dancing"}, "previous"),
    (WRAPPED | {"disposition": "x" * 1_000_000}, "disposition"),
    (WRAPPED | {"disposition": "x" * 41}, "disposition"),
    (ARRIVED | {"at": 1.0}, "at"),  # 1970: would show a 56-year wait on the wallboard
    (ARRIVED | {"at": 1_764_000_000.0 - 25 * 3600}, "at"),  # more than 24 h before the clock
    (ARRIVED | {"at": 1_764_000_000.0 + 301}, "at"),  # more than 5 min ahead of the clock
    ({"type": "contact_queued", "at": 1_764_000_001.0, "contact_id": "pbx-1",
      "queue": "deposits", "priority": 10**30}, "priority"),
    ({"type": "contact_queued", "at": 1_764_000_001.0, "contact_id": "pbx-1",
      "queue": "deposits", "priority": 10**7}, "priority"),
    ({"type": "contact_queued", "at": 1_764_000_001.0, "contact_id": "pbx-1",
      "queue": "deposits", "priority": "1"}, "priority"),
    (ARRIVED | {"queue": "cards"}, "queue"),  # no such queue in the database
    (ARRIVED | {"queue": ""}, "queue"),
    ({"type": "contact_abandoned", "at": 1_764_000_001.0, "contact_id": "pbx-1",
      "queue": "nowhere"}, "queue"),
    (ARRIVED | {"direction": "sideways"}, "direction"),
    (ARRIVED | {"contact_id": 10**30}, "contact_id"),
    (ARRIVED | {"contact_id": "a\u0000b"}, "contact_id"),
    ([ARRIVED, ARRIVED | {"tier": "diamond"}], "1.tier"),
])
def test_meaningless_events_are_422_naming_the_field(database_url: str, body: object,
                                                      field: str) -> None:
    _check_422(database_url, json_body=body, field=field)


def test_valid_edge_cases_are_accepted(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        for body in (STATE, WRAPPED | {"disposition": "sold"},
                     ARRIVED | {"at": 1_764_000_000.0 - 23 * 3600},
                     ARRIVED | {"at": 1_764_000_000.0 + 299, "contact_id": "pbx-2"},
                     {"type": "contact_ended", "at": 1_764_000_001.0, "contact_id": "pbx-1"}):
            r = client.post("/api/events", json=body)
            assert r.status_code == 201, (body, r.text)


def test_posted_events_never_reach_the_engine(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        assert client.post("/api/events", json=ARRIVED).status_code == 201
        engine = get_services(client.app).center.engine
        assert engine.waiting_contacts() == [] and engine.next_deadline() is None
        board = get_services(client.app).wallboard.snapshot(1_764_000_010.0)
        assert "dancing" not in repr(board)


def test_deeply_nested_body_is_422(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        r = client.post("/api/events", content=b"[" * 3000 + b"]" * 3000,
                        headers={"content-type": "application/json"})
        assert r.status_code == 422 and "nested too deeply" in r.text


def test_store_refusal_is_422_and_outage_503_drops_the_events(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import DataError, OperationalError

    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        services = get_services(client.app)
        services.center.append_retry_seconds = (0.0,)
        writer = services.center.store  # the center's own store (its own engine)
        real_append = writer.append
        before = client.get("/api/events").json()["last_seq"]

        def refuse(events):  # type: ignore[no-untyped-def]
            raise DataError("INSERT INTO event_log (payload) VALUES (?)", ("secret",), Exception("x"))

        monkeypatch.setattr(writer, "append", refuse)
        r = client.post("/api/events", json=ARRIVED)
        assert r.status_code == 422 and "INSERT" not in r.text and "secret" not in r.text

        def down(events):  # type: ignore[no-untyped-def]
            raise OperationalError("SELECT 1", ("secret",), Exception("database is locked"))

        monkeypatch.setattr(writer, "append", down)
        r = client.post("/api/events", json=ARRIVED | {"contact_id": "pbx-2"})
        assert r.status_code == 503 and "will not be stored" in r.json()["detail"]
        assert "SELECT" not in r.text and "secret" not in r.text

        monkeypatch.setattr(writer, "append", real_append)
        r = client.post("/api/events", json=ARRIVED | {"contact_id": "pbx-3"})
        assert r.status_code == 201, r.text
        page = client.get("/api/events", params={"after_seq": before}).json()["events"]
        assert [e["event"].get("contact_id") for e in page] == ["pbx-3"]  # nothing queued


# --- no phantom agents, contacts or sites -------------------------------------------------


@pytest.mark.parametrize("body,field", [
    (STATE | {"agent_id": "agent999"}, "agent_id"),  # not an agent of the database
    (WRAPPED | {"agent_id": "ghost"}, "agent_id"),
    ({"type": "contact_transferred", "at": 1_764_000_001.0, "contact_id": "pbx-1",
      "agent_id": "agent01", "target_agent_id": "nobody"}, "target_agent_id"),
    (ARRIVED | {"preferred_agent_id": "agent999"}, "preferred_agent_id"),
    (ARRIVED | {"contact_id": ""}, "contact_id"),
    (ARRIVED | {"contact_id": "a b"}, "contact_id"),
    (ARRIVED | {"contact_id": "pbx/1"}, "contact_id"),
    (STATE | {"agent_id": ""}, "agent_id"),
    (STATE | {"agent_id": "agent 01"}, "agent_id"),
    (ARRIVED | {"customer_id": ""}, "customer_id"),
    (ARRIVED | {"site": "mars"}, "site"),
    (ARRIVED | {"site": ""}, "site"),
    ({"type": "dial_attempted", "at": 1_764_000_001.0, "contact_id": "o1", "campaign": "",
      "agent_id": "agent01"}, "campaign"),
    ([ARRIVED, STATE | {"agent_id": "agent999"}], "1.agent_id"),
])
def test_phantom_agents_bad_ids_and_unknown_sites_are_422(database_url: str, body: object,
                                                          field: str) -> None:
    _check_422(database_url, json_body=body, field=field)


def test_unknown_agent_is_named_and_the_wallboard_shows_no_phantom(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        r = client.post("/api/events", json=STATE | {"agent_id": "agent999"})
        assert r.status_code == 422
        assert "agent999" in r.json()["detail"] and "body.agent_id" in r.json()["detail"]
        board = get_services(client.app).wallboard.snapshot(1_764_000_010.0)
        assert "agent999" not in {a["agent_id"] for a in board["agents"]}


def test_real_agents_ids_and_sites_are_accepted(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        for body in (STATE | {"agent_id": "agent02"},
                     ARRIVED | {"contact_id": "pbx:2024.01_x-9", "site": "busan",
                                "customer_id": "42", "preferred_agent_id": "agent01"},
                     {"type": "contact_transferred", "at": 1_764_000_001.0,
                      "contact_id": "pbx:2024.01_x-9", "agent_id": "agent01",
                      "target_agent_id": "agent02"}):
            r = client.post("/api/events", json=body)
            assert r.status_code == 201, (body, r.text)
