"""/ws/wallboard: snapshot then deltas, one shared picture, resumption without a gap after a
reconnect and after a server restart (a fresh snapshot, the same figures: never doubled)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.live import get_services
from app.live.center import ManualClock
from app.testing import make_app, make_settings
from routing.engine import ContactSpec
from tests.app.live_helpers import T0, as_user, include_live_routes, live_client, submit
from tests.app.test_ws import Picture


def _calls(client: TestClient, prefix: str, n: int) -> None:
    for i in range(n):
        submit(client, lambda e, t, i=i: e.arrive(ContactSpec(f"{prefix}{i}", "deposits", "core"), t))


def _seqs(ws, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    out: list[int] = []
    while len(out) < n:
        message = ws.receive_json()
        for item in message.get("items", [message]):  # an ``events`` frame holds several
            if item["type"] == "event":
                out.append(item["seq"])
    return out


def test_a_reconnect_resumes_after_the_last_seq_seen(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, _clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            first = ws.receive_json()
            assert first["type"] == "snapshot" and first["version"] >= 1
            _calls(client, "a", 2)
            seen = _seqs(ws, 4)
        assert seen == list(range(seen[0], seen[0] + 4))
        _calls(client, "b", 3)  # while the client is away
        last = get_services(client.app).store.last_seq()
        assert last > seen[-1] + 3
        with client.websocket_connect(f"/ws/wallboard?after={seen[-1]}") as ws:
            snap = ws.receive_json()
            assert snap["type"] == "snapshot" and snap["seq"] == last
            replayed = _seqs(ws, last - seen[-1])
        assert replayed == list(range(seen[-1] + 1, last + 1))  # no gap, no repeat
        assert client.get("/ws/wallboard?after=-1").status_code in (403, 404, 422)


def test_every_socket_shares_one_picture_and_gets_deltas(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as a, \
                client.websocket_connect("/ws/wallboard") as b:
            one, two = Picture(a), Picture(b)
            one.receive()
            two.receive()
            _calls(client, "c", 1)
            clock.advance(30)
            want = lambda s: s["waiting"] == 1 and s["longest_wait_seconds"] >= 30
            got_a, got_b = one.until(want), two.until(want)
            assert got_a["queues"] == got_b["queues"]
            assert any(m["type"] == "delta" for m in [one.receive(), one.receive()])


def test_after_a_restart_a_fresh_snapshot_with_the_same_figures(sqlite_url: str) -> None:
    with live_client(sqlite_url) as (client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        _calls(client, "d", 1)
        clock.advance(5)
        client.post("/api/console/answer")
        clock.advance(60)
        client.post("/api/console/hangup")
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            before = ws.receive_json()
        epoch, seq = before["epoch"], before["seq"]
    app = make_app(make_settings(sqlite_url))  # the server restarts on the same database
    include_live_routes(app)
    app.state.live_clock = ManualClock(T0 + 120)
    with TestClient(app, follow_redirects=False) as client:
        as_user(client, "sup")
        with client.websocket_connect(f"/ws/wallboard?after={seq - 2}") as ws:
            after = ws.receive_json()
            replayed = _seqs(ws, 2)
        client.portal.call(get_services(app).center.stop)  # type: ignore[union-attr]
    assert after["type"] == "snapshot" and after["epoch"] != epoch
    assert replayed == [seq - 1, seq]
    for segment in ("vip", "general", "all"):  # replayed from the log once: not doubled
        assert after["totals"][segment]["offered"] == before["totals"][segment]["offered"]
        assert after["totals"][segment]["answered"] == before["totals"][segment]["answered"]
    assert after["totals"]["general"]["answered"] == 1
