"""Websockets: the wallboard's snapshot then live events; the agent console's offers and state."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from routing.engine import ContactSpec
from tests.app.live_helpers import as_user, live_client, submit


def _receive_until(ws, kind: str, limit: int = 30) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message in {limit}")


def test_wallboard_snapshot_then_live_updates(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            snap = ws.receive_json()
            assert snap["type"] == "snapshot"
            assert {a["agent_id"]: a["state"] for a in snap["agents"]}["agent01"] == "ready"
            assert snap["agent_states"]["ready"] == 1
            submit(client, lambda e, t: e.arrive(ContactSpec("v1", "deposits", "platinum"), t))
            submit(client, lambda e, t: e.arrive(ContactSpec("g1", "deposits", "core"), t))
            seen = [_receive_until(ws, "event")["event"]["type"] for _ in range(6)]
            assert seen[:3] == ["contact_arrived", "contact_queued", "contact_offered"]
            clock.advance(8)
            snap = _receive_until(ws, "snapshot")
            deposits = {q["queue"]: q for q in snap["queues"]}["deposits"]
            assert deposits["waiting"] == 2  # one ringing, one queued: both still wait
            assert deposits["longest_wait_seconds"] == pytest.approx(8.0)
            # qa.kpis convention: a contact is offered once its wait ended (answer or abandon)
            assert deposits["segments"]["vip"]["offered"] == 0
            assert deposits["segments"]["general"]["service_level"] is None


def test_wallboard_counts_sl_and_abandonment_apart(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        submit(client, lambda e, t: e.arrive(ContactSpec("v1", "deposits", "platinum"), t))
        submit(client, lambda e, t: e.arrive(ContactSpec("g1", "deposits", "core"), t))
        clock.advance(12)
        client.post("/api/console/answer")  # VIP answered after 12 s: outside its 10 s
        clock.advance(30)
        submit(client, lambda e, t: e.abandon("g1", t))
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            snap = ws.receive_json()
        vip, general = snap["totals"]["vip"], snap["totals"]["general"]
        assert vip["answered"] == 1 and vip["service_level"] == 0.0
        assert vip["asa_seconds"] == pytest.approx(12.0)
        assert general["abandoned"] == 1 and general["abandon_rate"] == 1.0


def test_agent_socket_gets_offer_and_state(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "agent01")
        client.post("/api/console/login")
        with client.websocket_connect("/ws/agent") as ws:
            first = ws.receive_json()
            assert first["type"] == "state" and first["state"] == "not_ready"
            client.post("/api/console/ready")
            assert _receive_until(ws, "state")["state"] == "ready"
            submit(client, lambda e, t: e.arrive(
                ContactSpec("c1", "deposits", "gold", customer_id="42"), t))
            offer = _receive_until(ws, "offer")
            assert offer["contact"]["contact_id"] == "c1"
            assert offer["contact"]["customer_id"] == "42"
            client.post("/api/console/answer")
            assert _receive_until(ws, "state")["state"] in ("reserved", "talking")


def test_sockets_refuse_wrong_roles(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _):
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/wallboard") as ws:
            ws.receive_json()
        as_user(client, "agent01")
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/wallboard") as ws:
            ws.receive_json()
        as_user(client, "sup")
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/agent") as ws:
            ws.receive_json()
