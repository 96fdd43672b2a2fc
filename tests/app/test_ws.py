"""Websockets: the wallboard's snapshot then live events; the agent console's offers and state."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio
import pytest
from starlette.websockets import WebSocketDisconnect

from dashboards.deltas import apply_delta
from routing.engine import ContactSpec
from tests.app.live_helpers import T0, as_user, live_client, submit

_QUEUED: dict[int, list[dict]] = {}  # type: ignore[type-arg]


def _receive(ws) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The next message; the events of an ``events`` frame one at a time."""
    queued = _QUEUED.setdefault(id(ws), [])
    if queued:
        return queued.pop(0)
    message = ws.receive_json()
    if message["type"] == "events":  # several events gathered in one frame
        queued.extend(message["items"])
        return queued.pop(0)  # type: ignore[no-any-return]
    return message  # type: ignore[no-any-return]


def _receive_until(ws, kind: str, limit: int = 30) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(limit):
        message = _receive(ws)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message in {limit}")


class Picture:
    """The wallboard as a client holds it: the snapshot, then its deltas applied."""

    def __init__(self, ws) -> None:  # type: ignore[no-untyped-def]
        self.ws = ws
        self.state: dict = {}  # type: ignore[type-arg]
        self.events: list[dict] = []  # type: ignore[type-arg]

    def receive(self) -> dict:  # type: ignore[type-arg]
        message = _receive(self.ws)
        if message["type"] == "snapshot":
            self.state = message
        elif message["type"] == "delta":
            self.state = apply_delta(self.state, message)
        elif message["type"] == "event":
            self.events.append(message)
        return message

    def until(self, check, limit: int = 40) -> dict:  # type: ignore[no-untyped-def, type-arg]
        for _ in range(limit):
            if self.receive()["type"] in ("snapshot", "delta") and check(self.state):
                return self.state
        raise AssertionError(f"not seen in {limit} messages: {self.state}")


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
            board = Picture(ws)
            board.state = snap
            snap = board.until(lambda s: s["at"] >= T0 + 8)
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


# --- a socket dies with its session -------------------------------------------------------


async def _receive_within(ws, seconds: float):  # type: ignore[no-untyped-def]
    with anyio.fail_after(seconds):
        return await ws._send_rx.receive()  # what TestClient's receive() awaits, bounded


def _closed_by_server(ws, limit: int = 20, seconds: float = 5.0) -> int:  # type: ignore[no-untyped-def]
    """Read until the server closes the socket; its close code. Fails (never hangs) when
    ``limit`` messages or ``seconds`` of silence pass first."""
    for _ in range(limit):
        try:
            message = ws.portal.call(_receive_within, ws, seconds)
        except TimeoutError:
            raise AssertionError(f"the socket was still open after {seconds} s of silence") from None
        if message["type"] == "websocket.close":
            return int(message.get("code", 1000))
    raise AssertionError(f"the socket was still open after {limit} messages")


@pytest.fixture
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.api.ws

    monkeypatch.setattr(app.api.ws, "SESSION_CHECK_SECONDS", 0.2, raising=False)


def _csrf(client):  # type: ignore[no-untyped-def]
    return {"csrf_token": client.headers.get("X-CSRF-Token", "")}


def test_logout_closes_the_wallboard_socket(sqlite_url: str, quick_checks: None) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            assert ws.receive_json()["type"] == "snapshot"
            assert client.post("/logout", data=_csrf(client)).status_code == 303
            assert _closed_by_server(ws) == 1008


def test_password_reset_closes_the_agent_socket(sqlite_url: str, quick_checks: None) -> None:
    from app.testing import TEST_PASSWORD, create_user

    with live_client(sqlite_url) as (client, _):
        create_user(client.app, "boss", "admin")
        as_user(client, "agent01")
        with client.websocket_connect("/ws/agent") as ws:
            assert ws.receive_json()["type"] == "state"
            agent_cookies = dict(client.cookies)
            as_user(client, "boss")
            users = {u["username"]: u["id"] for u in client.get("/api/users").json()}
            r = client.post(f"/api/users/{users['agent01']}/password",
                            json={"password": TEST_PASSWORD + " new"})
            assert r.status_code == 204, r.text
            assert _closed_by_server(ws) == 1008
        client.cookies.clear()
        client.cookies.update(agent_cookies)
        assert client.get("/api/me").status_code == 401  # the same session, refused by HTTP too


def test_expired_session_closes_the_socket(sqlite_url: str, quick_checks: None) -> None:
    from sqlalchemy import update

    from app.models import UserSession

    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            ws.receive_json()
            with client.app.state.engine.begin() as conn:  # the session's time is up
                conn.execute(update(UserSession).values(expires_at=datetime(2000, 1, 1, tzinfo=UTC)))
            assert _closed_by_server(ws) == 1008


def test_a_live_session_keeps_its_socket(sqlite_url: str, quick_checks: None) -> None:
    with live_client(sqlite_url) as (client, _):
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            kinds = [ws.receive_json()["type"] for _ in range(3)]  # ~2 s: ~10 checks passed
        assert kinds == ["snapshot", "delta", "delta"]  # the picture moves on by deltas

