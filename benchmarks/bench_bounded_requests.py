"""Bounded work (issue 7): how long the requests that ran forever take now, and what a long
computation costs the rest of the server.

    python benchmarks/bench_bounded_requests.py [--deadline 5]

On a real server (``contactops serve`` in a child process, SQLite, a planner logged in):

1. the issue's staffing request (``max_occupancy`` 1e-300 at 10,000 Erlangs): before, a thread
   at 100 % CPU forever; now a 422 naming ``max_occupancy``;
2. ``max_occupancy`` 0.001 at 1,000 Erlangs (before: about 20 s counting to 10⁶ agents);
3. a legitimate but long Erlang A request (20,000 intervals of patient callers): stopped at
   the deadline (``--deadline`` seconds) with a 503; meanwhile ``/api/health`` is timed (p50,
   p95) to show the other requests are not slowed;
4. the same request with a client that leaves after 2 s: seconds until its child is gone;
5. SIGTERM while that request computes: seconds until the server process has ended.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.testing import TEST_SECRET_KEY, create_user, login, make_app, make_settings

CONTACTOPS = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())"]
ISSUE = {"intervals": [{"start": "2025-01-01 09:00", "offered": 100000}],
         "interval_minutes": 30, "max_occupancy": 1e-300}


def long_request(n: int = 20_000) -> dict[str, Any]:
    start = datetime(2025, 1, 1)
    rows = [{"start": (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M"),
             "offered": 100 + (i % 500) * 10} for i in range(n)]
    return {"intervals": rows, "patience_mean_seconds": 1e5, "service_level_target": 0.8}


def children(pid: int) -> set[int]:
    out: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, deadline: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CONTACTOPS_DATABASE_URL": url, "CONTACTOPS_SECRET_KEY": TEST_SECRET_KEY,
           "CONTACTOPS_CPU_DEADLINE_SECONDS": str(deadline), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([*CONTACTOPS, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def planner(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    login(client, "plan")  # type: ignore[arg-type]
    return client


def timed_post(client: httpx.Client, body: dict[str, Any], **kw: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    try:
        response: Any = client.post("/api/wfm/staffing", json=body, **kw)
    except httpx.HTTPError as exc:
        response = type(exc).__name__
    return time.perf_counter() - t0, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=5.0, help="CPU deadline (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        app = make_app(make_settings(url))
        create_user(app, "plan", "planner")
        app.state.engine.dispose()
        server, base = start_server(url, args.deadline)
        try:
            run(base, server, args.deadline)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


def run(base: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    client = planner(base)
    seconds, response = timed_post(client, ISSUE)
    print(f"1. issue's request (max_occupancy 1e-300): {response.status_code} in {seconds:.3f} s"
          f" ({response.json()['errors'][0]['field']})")
    floor = {**ISSUE, "intervals": [{"start": "2025-01-01 09:00", "offered": 10000}],
             "max_occupancy": 0.001}
    seconds, response = timed_post(client, floor)
    print(f"2. max_occupancy 0.001 at 1,000 Erlangs: {response.status_code},"
          f" {response.json()['intervals'][0]['agents']:,} agents in {seconds:.3f} s")

    health: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            while not stop.is_set():
                t0 = time.perf_counter()
                c.get("/api/health")
                health.append(time.perf_counter() - t0)
                stop.wait(0.05)

    idle = []
    with httpx.Client(base_url=base, timeout=30) as c:
        for _ in range(40):
            t0 = time.perf_counter()
            c.get("/api/health")
            idle.append(time.perf_counter() - t0)
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    seconds, response = timed_post(client, long_request())
    stop.set()
    thread.join()
    print(f"3. Erlang A, 20,000 patient intervals: {response.status_code} after {seconds:.1f} s"
          f" (deadline {deadline:g} s); /api/health meanwhile p50 {_ms(health, 50)},"
          f" p95 {_ms(health, 95)} (idle p50 {_ms(idle, 50)}, p95 {_ms(idle, 95)})")

    leaver = planner(base)
    before = children(server.pid)
    timed_post(leaver, long_request(), timeout=2.0)
    t0 = time.perf_counter()
    while children(server.pid) - before and time.perf_counter() - t0 < 30:
        time.sleep(0.02)
    print(f"4. client gone after 2 s: its computation ended {time.perf_counter() - t0:.2f} s later")

    worker = threading.Thread(target=lambda: timed_post(planner(base), long_request()),
                              daemon=True)
    worker.start()
    time.sleep(1.5)
    t0 = time.perf_counter()
    server.send_signal(signal.SIGTERM)
    server.wait(60)
    print(f"5. SIGTERM while computing: the server ended {time.perf_counter() - t0:.2f} s later")


def _ms(samples: list[float], q: int) -> str:
    if len(samples) < 2:
        return "n/a"
    return f"{statistics.quantiles(samples, n=100)[q - 1] * 1000:.0f} ms"


if __name__ == "__main__":
    main()
