"""Bursts of concurrent requests against a real server on 127.0.0.1: no 500, no freeze,
and 201 exactly when the events are stored.

The request pool is made deliberately small (2 connections, 2 s wait) so that a burst
exhausts it: before the fix every request kept its connection while it awaited the live
center, which then could not get one to store the events, and the server froze (requests
timed out, ``/api/health`` stopped answering, ``QueuePool limit`` 500s). Every request is
bounded: a fixed number of them, each with a client timeout of :data:`CLIENT_TIMEOUT_SECONDS`
(a request that takes longer counts as a failure; no timing is asserted otherwise).
"""

from __future__ import annotations

import concurrent.futures as cf
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlmodel import Session

from app.models import EventRecord, Queue
from app.testing import create_user, login, make_app, make_settings

AGENTS = 24
EVENT_THREADS = 16
EVENT_REQUESTS_PER_THREAD = 3
CLIENT_TIMEOUT_SECONDS = 30.0
SMALL_POOL = {"database_pool_size": 2, "database_max_overflow": 0,
              "database_pool_timeout_seconds": 2.0}
ANSWERED = {200, 201, 503}  # 503: busy, nothing stored (or, for the console, kept); never 500


@contextmanager
def running_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on an ephemeral 127.0.0.1 port in a thread (lifespan on)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(CLIENT_TIMEOUT_SECONDS)
        sock.close()


def _client(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=CLIENT_TIMEOUT_SECONDS)
    login(client, username)  # type: ignore[arg-type]  (an httpx.Client is enough)
    return client


def _status(send: Callable[[], httpx.Response]) -> int | str:
    try:
        return send().status_code
    except httpx.HTTPError as exc:  # a timeout is the freeze this test is about
        return type(exc).__name__


@contextmanager
def health_probe(base: str) -> Iterator[list[int | str]]:
    """GET /api/health every 0.2 s while the burst runs; yields the statuses seen."""
    seen: list[int | str] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT_SECONDS) as client:
            while not stop.is_set():
                seen.append(_status(lambda: client.get("/api/health")))
                stop.wait(0.2)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(CLIENT_TIMEOUT_SECONDS + 1)


def _bank(app: Any, agents: int) -> None:
    with Session(app.state.engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.commit()
    for i in range(agents):
        create_user(app, f"agent{i + 1:02d}", "agent")
    create_user(app, "sup", "supervisor")


def _logged(app: Any) -> list[tuple[int, str | None, str | None, dict[str, Any]]]:
    """The event log, read after the server stopped (the engine is disposed again)."""
    try:
        with app.state.engine.connect() as conn:
            rows = conn.execute(select(  # type: ignore[call-overload]
                EventRecord.seq, EventRecord.contact_id, EventRecord.agent_id,
                EventRecord.payload)).all()
    finally:
        app.state.engine.dispose()
    return [tuple(r) for r in rows]


def test_a_burst_of_agents_does_not_freeze_the_server(database_url: str) -> None:
    app = make_app(make_settings(database_url, **SMALL_POOL))
    _bank(app, AGENTS)
    with running_server(app) as base:
        clients = [_client(base, f"agent{i + 1:02d}") for i in range(AGENTS)]
        try:
            for client in clients:  # set-up, one at a time
                assert client.post("/api/console/login").status_code == 200
            with health_probe(base) as health, cf.ThreadPoolExecutor(AGENTS) as pool:
                ready = list(pool.map(
                    lambda c: _status(lambda: c.post("/api/console/ready")), clients))
                not_ready = list(pool.map(lambda c: _status(
                    lambda: c.post("/api/console/not-ready", json={"reason": "break"})), clients))
                states = list(pool.map(
                    lambda c: _status(lambda: c.get("/api/console/state")), clients))
            after = httpx.get(base + "/api/health", timeout=CLIENT_TIMEOUT_SECONDS).status_code
        finally:
            for client in clients:
                client.close()
    print(f"\nconsole burst of {AGENTS} agents: ready {Counter(ready)}, not-ready "
          f"{Counter(not_ready)}, state {Counter(states)}, health during {Counter(health)}")
    for name, got in (("ready", ready), ("not-ready", not_ready), ("state", states)):
        assert set(got) <= ANSWERED, f"{name}: {Counter(got)}"
    assert set(health) <= {200, 503} and health, Counter(health)
    assert after == 200
    logged = _logged(app)
    for i, (r, n) in enumerate(zip(ready, not_ready, strict=True)):
        moves = [p["state"] for _, _, agent, p in logged if agent == f"agent{i + 1:02d}"
                 and p["type"] == "agent_state_changed"]
        if r == 200:  # a 200 is stored
            assert "ready" in moves, (i, moves)
        if n == 200:
            assert moves[-1] == "not_ready" and moves.count("not_ready") >= 2, (i, moves)


def _fail_every_third_append(app: Any) -> None:
    """The center's writer refuses every third batch as if the database were down (before
    anything is written), with no retry, so the burst gets 503s among its 201s."""
    from sqlalchemy.exc import OperationalError

    center = app.state.live.center
    real_append = center.store.append
    calls = {"n": 0}

    def append(events):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real_append(events)

    center.append_retry_seconds = ()
    center.store.append = append


@pytest.mark.parametrize("store", ["up", "flaky"])
def test_a_burst_of_posted_events_is_201_exactly_when_stored(database_url: str,
                                                             store: str) -> None:
    app = make_app(make_settings(database_url, **SMALL_POOL))
    _bank(app, 1)
    with running_server(app) as base:
        if store == "flaky":
            _fail_every_third_append(app)
        clients = [_client(base, "sup") for _ in range(EVENT_THREADS)]

        def post(index: int) -> tuple[list[str], int | str, list[int]]:
            client = clients[index % EVENT_THREADS]
            ids = [f"burst-{index}-a", f"burst-{index}-b"]
            now = time.time()
            body = [{"type": "contact_arrived", "at": now, "contact_id": cid,
                     "queue": "deposits"} for cid in ids]
            try:
                response = client.post("/api/events", json=body)
            except httpx.HTTPError as exc:
                return ids, type(exc).__name__, []
            seqs = response.json().get("seqs", []) if response.status_code == 201 else []
            return ids, response.status_code, seqs

        try:
            total = EVENT_THREADS * EVENT_REQUESTS_PER_THREAD
            with health_probe(base) as health, cf.ThreadPoolExecutor(EVENT_THREADS) as pool:
                results = list(pool.map(post, range(total)))
        finally:
            for client in clients:
                client.close()
    statuses = Counter(status for _, status, _ in results)
    print(f"\nevents burst ({store} store): {total} requests from {EVENT_THREADS} threads: "
          f"{statuses}, health during {Counter(health)}")
    assert set(statuses) <= {201, 503}, statuses
    if store == "flaky":
        assert statuses[503] and statuses[201], statuses  # both answers were exercised
    assert set(health) <= {200, 503} and health, Counter(health)
    by_contact = {cid: seq for seq, cid, _, _ in _logged(app) if cid}
    for ids, status, seqs in results:
        if status == 201:
            assert [by_contact.get(cid) for cid in ids] == seqs, (ids, seqs)
        else:
            assert not any(cid in by_contact for cid in ids), (ids, status)


def test_requests_get_503_while_the_pool_is_held(sqlite_url: str) -> None:
    """Every pooled connection taken: requests get 503 within the pool timeout, none hangs."""
    app = make_app(make_settings(sqlite_url, database_pool_size=1,
                                 database_max_overflow=0, database_pool_timeout_seconds=0.5))
    _bank(app, 1)
    with running_server(app) as base:
        client = _client(base, "sup")
        held = app.state.engine.connect()  # the whole pool
        try:
            me = _status(lambda: client.get("/api/me"))
            posted = client.post("/api/events", json={
                "type": "contact_arrived", "at": time.time(), "contact_id": "held-1",
                "queue": "deposits"})
            health = _status(lambda: httpx.get(base + "/api/health", timeout=10))
        finally:
            held.close()
            client.close()
    assert me == 503
    assert posted.status_code == 503
    assert posted.json()["detail"] == "database busy; nothing stored; retry"
    assert posted.headers["retry-after"]
    assert health == 503  # degraded, but it answers
    assert "held-1" not in {cid for _, cid, _, _ in _logged(app)}
