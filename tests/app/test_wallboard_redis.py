"""Several server processes serve one wallboard through Redis (issue 11).

Two uvicorn processes (``contactops serve``) on free ports, the same database and the same
Redis, with a channel prefix of this test run's own: an event posted to the first appears
on the wallboard socket of the second, as an event and in its figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from app.models import Queue
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings
from tests.app.test_browser import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis]


def _start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    code = "import sys; from app.cli import main; sys.exit(main())"
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", str(port)], cwd=ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT)


def _wait_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


@pytest.fixture
def two_servers(
    sqlite_url: str, redis_url: str, redis_prefix: str, tmp_path: Path,
) -> Iterator[tuple[str, str]]:
    app = make_app(make_settings(sqlite_url))
    with Session(app.state.engine) as session:
        session.add(Queue(name="deposits", skill="deposits"))
        session.commit()
    create_user(app, "sup", "supervisor")
    app.state.engine.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTACTOPS_DATABASE_URL": sqlite_url,
           "CONTACTOPS_REDIS_URL": redis_url, "CONTACTOPS_REDIS_CHANNEL_PREFIX": redis_prefix,
           "CONTACTOPS_SECRET_KEY": secrets.token_urlsafe(32), "CONTACTOPS_DEMO_MODE": "false",
           "CONTACTOPS_LIVE_CENTER": "false"}
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"server-{p}.log" for p in ports]
    procs = [_start(p, env, log) for p, log in zip(ports, logs, strict=True)]
    try:
        for port, proc, log in zip(ports, procs, logs, strict=True):
            _wait_up(port, proc, log)
        yield f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[1]}"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _login(host: str) -> httpx.Client:
    client = httpx.Client(base_url=f"http://{host}", timeout=30)
    client.get("/login")
    token = client.cookies.get("contactops_csrf") or ""
    r = client.post("/login", data={"username": "sup", "password": TEST_PASSWORD,
                                    "csrf_token": token})
    assert r.status_code == 303, r.text[:200]
    client.headers["X-CSRF-Token"] = client.cookies.get("contactops_csrf") or ""
    return client


async def _watch(host: str, cookies: str, post: object) -> tuple[dict, dict]:  # type: ignore[type-arg]
    import websockets

    from dashboards.deltas import apply_delta

    headers = {"Cookie": cookies, "Origin": f"http://{host}"}
    async with websockets.connect(f"ws://{host}/ws/wallboard", additional_headers=headers) as ws:
        picture = json.loads(await ws.recv())
        assert picture["type"] == "snapshot"
        await asyncio.to_thread(post)  # type: ignore[arg-type]
        seen: dict = {}  # type: ignore[type-arg]
        async with asyncio.timeout(20):
            while True:
                message = json.loads(await ws.recv())
                if message["type"] == "event" and message["event"]["contact_id"] == "redis-1":
                    seen = message
                elif message["type"] == "delta":
                    picture = apply_delta(picture, message)
                deposits = {q["queue"]: q for q in picture["queues"]}["deposits"]
                if seen and deposits["waiting"] == 1:
                    return seen, picture


def test_an_event_posted_to_one_server_shows_on_the_others_wallboard(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    poster, watcher = _login(first), _login(second)
    cookies = "; ".join(f"{k}={v}" for k, v in watcher.cookies.items())

    def post() -> None:
        event = {"type": "contact_arrived", "at": time.time(), "contact_id": "redis-1",
                 "queue": "deposits", "tier": "platinum"}
        r = poster.post("/api/events", json=event)
        assert r.status_code == 201, r.text

    seen, picture = asyncio.run(_watch(second, cookies, post))
    assert seen["event"]["queue"] == "deposits" and seen["seq"] >= 1
    assert picture["waiting"] == 1  # the second server's figures hold the first's event
    poster.close()
    watcher.close()
