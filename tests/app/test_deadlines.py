"""Bounded work over HTTP (issue 7): absurd targets are a 422, long computations stop at
their deadline or when the client leaves, and the server stops on SIGTERM while one runs.

Every request has a generous client timeout (a request that hangs, as the staffing request
with ``max_occupancy`` 1e-300 did, fails the test instead of the run); no timing is asserted
otherwise. "Nothing left running" is checked on the app's worker count and, for the server
process, on the process table.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.testing import create_user, login, make_app, make_settings
from tests.app.test_concurrency import running_server

CLIENT_TIMEOUT = 30.0
CONTACTOPS = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())"]
ISSUE_REQUEST = {  # kept a thread at 100 % CPU forever before the fix
    "intervals": [{"start": "2025-01-01 09:00", "offered": 100000}],
    "interval_minutes": 30,
    "max_occupancy": 1e-300,
}


def erlang_a_rows(n: int) -> dict[str, Any]:
    """A legitimate but long Erlang A request: ``n`` intervals of very patient callers
    (the quadrature path), about 3 ms of CPU per interval."""
    start = datetime(2025, 1, 1)
    rows = [{"start": (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M"),
             "offered": 100 + (i % 500) * 10} for i in range(n)]
    return {"intervals": rows, "patience_mean_seconds": 1e5, "service_level_target": 0.8}


@contextmanager
def _planner(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=CLIENT_TIMEOUT, follow_redirects=False) as client:
        login(client, "plan")  # type: ignore[arg-type]
        yield client


def _wait_until(condition: Any, seconds: float) -> bool:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (ISSUE_REQUEST, "max_occupancy"),
        ({**ISSUE_REQUEST, "max_occupancy": 1e-9}, "max_occupancy"),
        ({**ISSUE_REQUEST, "patience_mean_seconds": 60, "max_occupancy": 1e-300},
         "max_occupancy"),
    ],
)
def test_absurd_targets_are_a_422_naming_the_field(
    sqlite_url: str, body: dict[str, Any], field: str
) -> None:
    app = make_app(make_settings(sqlite_url))
    create_user(app, "plan", "planner")
    with running_server(app) as base, _planner(base) as client:
        response = client.post("/api/wfm/staffing", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"] == ["body", field]
        assert app.state.cpu_work.running == 0


def test_a_low_occupancy_target_jumps_to_its_floor(sqlite_url: str) -> None:
    """max_occupancy 0.001 at 1,000 Erlangs took 20 s (counting to a million agents)."""
    app = make_app(make_settings(sqlite_url))
    create_user(app, "plan", "planner")
    body = {**ISSUE_REQUEST, "intervals": [{"start": "2025-01-01 09:00", "offered": 10000}],
            "max_occupancy": 0.001}
    with running_server(app) as base, _planner(base) as client:
        response = client.post("/api/wfm/staffing", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["intervals"][0]["agents"] == 1_000_000


def test_a_computation_past_its_deadline_is_stopped_with_503(sqlite_url: str) -> None:
    app = make_app(make_settings(sqlite_url, cpu_deadline_seconds=1.0))
    create_user(app, "plan", "planner")
    with running_server(app) as base, _planner(base) as client:
        response = client.post("/api/wfm/staffing", json=erlang_a_rows(20_000))
        assert response.status_code == 503, response.text
        assert "longer than 1 s" in response.json()["detail"]
        assert response.headers["retry-after"]
        assert app.state.cpu_work.running == 0
        assert client.get("/api/health").status_code == 200


def test_a_client_that_leaves_stops_its_computation(sqlite_url: str) -> None:
    app = make_app(make_settings(sqlite_url, cpu_deadline_seconds=120.0))
    create_user(app, "plan", "planner")
    with running_server(app) as base, _planner(base) as client:
        body = erlang_a_rows(20_000)  # about a minute of CPU
        with pytest.raises(httpx.ReadTimeout):
            client.post("/api/wfm/staffing", json=body, timeout=3.0)
        assert _wait_until(lambda: app.state.cpu_work.running == 0, 10.0), "still computing"


def test_busy_workers_answer_503_not_a_queue_without_end(sqlite_url: str) -> None:
    """With one worker busy past the slot wait, the next request is a 503 with Retry-After."""
    app = make_app(make_settings(sqlite_url, cpu_workers=1, cpu_deadline_seconds=60.0))
    app.state.cpu_work.slot_wait_seconds = 0.5
    create_user(app, "plan", "planner")
    with running_server(app) as base, _planner(base) as first, _planner(base) as second:
        long = threading.Thread(
            target=lambda: _ignore(lambda: first.post(
                "/api/wfm/staffing", json=erlang_a_rows(20_000), timeout=4.0)),
            daemon=True)
        long.start()
        assert _wait_until(lambda: app.state.cpu_work.running == 1, 10.0)
        response = second.post("/api/wfm/staffing", json={
            "intervals": [{"start": "2025-01-01 09:00", "offered": 100}],
            "interval_minutes": 30})
        assert response.status_code == 503 and response.headers["retry-after"]
        long.join(CLIENT_TIMEOUT)
        assert _wait_until(lambda: app.state.cpu_work.running == 0, 10.0)


def _ignore(call: Any) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass


# ----------------------------------------------------------------------------- SIGTERM


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    """Every process whose parent chain leads to ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table in /proc")
def test_the_server_stops_on_sigterm_while_a_computation_runs(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = make_app(make_settings(sqlite_url))  # migrated database and a planner
    create_user(app, "plan", "planner")
    app.state.engine.dispose()
    port = _free_port()
    env = {**os.environ, "CONTACTOPS_DATABASE_URL": sqlite_url,
           "CONTACTOPS_SECRET_KEY": make_settings(sqlite_url).secret_key,
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([*CONTACTOPS, "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        started = _wait_until(lambda: server.poll() is not None or _answers(base), 60.0)
        assert started and server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
        with _planner(base) as client:
            worker = threading.Thread(target=lambda: _ignore(lambda: client.post(
                "/api/wfm/staffing", json=erlang_a_rows(20_000))), daemon=True)
            worker.start()
            # the fork server and the computing child
            assert _wait_until(lambda: len(_descendants(server.pid)) >= 2, 20.0)
            children = _descendants(server.pid)
            time.sleep(0.5)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)  # TimeoutExpired: the server did not stop
            assert _wait_until(lambda: not any(_alive(p) for p in children), 10.0), children
            worker.join(CLIENT_TIMEOUT)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_forecast_fit_past_its_deadline_is_stopped_and_the_fit_cache_stays_in_the_server(
    sqlite_url: str,
) -> None:
    """POST /api/wfm/forecast fits in a killable child: past the deadline it is a 503 and no
    child is left; a fit that came back is kept by the server, so asking again (another
    first day, the same history) needs no child at all, whatever the deadline."""
    from tests.app.test_planner import history_csv

    app = make_app(make_settings(sqlite_url, cpu_deadline_seconds=60.0))
    create_user(app, "plan", "planner")
    with running_server(app) as base, _planner(base) as client:
        res = client.post("/api/wfm/history/upload",
                          files={"file": ("h.csv", history_csv(days=700), "text/csv")})
        assert res.status_code == 201, res.text
        history_id = res.json()["history_id"]
        app.state.cpu_work.deadline_seconds = 0.0  # any child is past its deadline
        late = client.post("/api/wfm/forecast", json={"history_id": history_id,
                                                      "interval_minutes": 60})
        assert late.status_code == 503, late.text
        assert "longer than" in late.json()["detail"] and late.headers["retry-after"]
        assert app.state.cpu_work.running == 0
        app.state.cpu_work.deadline_seconds = 60.0
        first = client.post("/api/wfm/forecast", json={"history_id": history_id,
                                                       "interval_minutes": 60, "days": 3})
        assert first.status_code == 200, first.text
        app.state.cpu_work.deadline_seconds = 0.0
        first_day = date.fromisoformat(first.json()["intervals"][0]["start"][:10])
        again = client.post("/api/wfm/forecast", json={
            "history_id": history_id, "interval_minutes": 60, "days": 3,
            "start": (first_day + timedelta(days=1)).isoformat()})
        assert again.status_code == 200, again.text  # the cached fit: no child, no deadline
        assert again.json()["intervals"][0]["start"] > first.json()["intervals"][0]["start"]
        assert again.json()["backtest"] == first.json()["backtest"]
        assert app.state.cpu_work.running == 0
