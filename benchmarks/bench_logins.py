"""Logins under attack while an agent works: server memory and the agent's latency.

    python benchmarks/bench_logins.py [--logins 200] [--wrong 0.9] [--mode both|default|open]

Starts a real uvicorn server (one process, as ``contactops serve`` runs it) on loopback on
a free port, with a fresh SQLite database holding 20 users whose passwords are hashed with
the production argon2id parameters (64 MiB each) and one agent with a managed customer.
The agent logs in, then works without pause (console state, its managed customer's record,
``/api/me``) while ``--logins`` clients log in at once, ``--wrong`` of them with a wrong
password, each with its own connection. The server's resident memory (``VmRSS``, sampled
every 20 ms) and the agent's request latencies are printed.

Two runs (``--mode both``):

* ``default``: the shipped settings; all attempts come from 127.0.0.1, so the per-address
  limit (50 failures a minute) refuses most of them before any hash;
* ``open``: the login limits raised out of the way (every attempt reaches the hash slots),
  so what bounds memory is the number of hashes at once (``password_hash_slots``, 2).

Targets (issue 7): peak RSS under 500 MiB and agent p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = 20
PASSWORD = "correct horse battery staple"
SECRET = "bench-logins-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(database_url: str) -> int:
    """Users with production hashes; the agent's managed customer id."""
    from sqlmodel import Session

    from app.auth.passwords import hash_password
    from app.db import make_engine
    from app.models import Agent, Customer, Product, User
    from app.testing import create_schema

    create_schema(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            agent = Agent(login="agent01", name="Agent 01")
            session.add(agent)
            session.flush()
            hashed = hash_password(PASSWORD)  # one hash: same parameters for every user
            session.add(User(username="agent01", password_hash=hashed, role="agent",
                             agent_id=agent.id))
            for i in range(USERS):
                session.add(User(username=f"user{i:02d}", password_hash=hashed, role="qa"))
            customer = Customer(name="김민지", relationship_manager_id=agent.id)
            session.add(customer)
            session.flush()
            session.add(Product(customer_id=customer.id, kind="deposit", name="예금",
                                balance_krw=1_000_000))
            session.commit()
            assert customer.id is not None
            return customer.id
    finally:
        engine.dispose()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_mib(self.pid))
            except OSError:
                return
            time.sleep(0.02)


async def login(client: httpx.AsyncClient, username: str, password: str) -> int:
    await client.get("/login")
    token = client.cookies.get("contactops_csrf") or ""
    data = {"username": username, "password": password, "csrf_token": token}
    try:
        response = await client.post("/login", data=data)
    except httpx.RemoteProtocolError:
        # the server closed the kept-alive connection (5 s idle) while this client process,
        # busy with 200 others, was slow to send the form: send it again on a new one
        response = await client.post("/login", data=data)
    return response.status_code


async def one_attacker(base: str, i: int, wrong: bool) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        password = f"guess-{i}" if wrong else PASSWORD
        return await login(client, f"user{i % USERS:02d}", password)


async def agent_work(base: str, customer_id: int, stop: Any, ready: Any) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        assert await login(client, "agent01", PASSWORD) == 303
        client.headers["X-CSRF-Token"] = client.cookies.get("contactops_csrf") or ""
        urls = ["/api/console/state", f"/api/customers/{customer_id}", "/api/me"]
        n = 0
        while not stop.is_set() or n < 30:
            started = time.perf_counter()
            response = await client.get(urls[n % len(urls)])
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"agent request {urls[n % 3]}: {response.status_code}")
            n += 1
            if n == 5:
                ready.set()
            await asyncio.sleep(0.01)
    return latencies


def agent_process(base: str, customer_id: int, stop: Any, ready: Any, out: Any) -> None:
    """The agent in a process of its own, so its timings hold no wait for the attackers'
    client loop."""
    out.put(asyncio.run(agent_work(base, customer_id, stop, ready)))


async def attack(base: str, logins: int, wrong: float) -> tuple[Counter[int], float]:
    started = time.perf_counter()
    n_wrong = round(logins * wrong)
    statuses = await asyncio.gather(
        *(one_attacker(base, i, i < n_wrong) for i in range(logins))
    )
    return Counter(statuses), time.perf_counter() - started


def storm(base: str, customer_id: int, logins: int, wrong: float
          ) -> tuple[list[float], Counter[int], float]:
    ctx = multiprocessing.get_context("spawn")
    stop, ready, out = ctx.Event(), ctx.Event(), ctx.Queue()
    agent = ctx.Process(target=agent_process, args=(base, customer_id, stop, ready, out))
    agent.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the agent did not start working")
        statuses, elapsed = asyncio.run(attack(base, logins, wrong))
        stop.set()
        latencies: list[float] = out.get(timeout=120)
    finally:
        stop.set()
        agent.join(30)
    return latencies, statuses, elapsed


def run(mode: str, logins: int, wrong: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        customer_id = seed(url)
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTACTOPS_DATABASE_URL": url,
               "CONTACTOPS_SECRET_KEY": SECRET, "CONTACTOPS_DEMO_MODE": "false",
               # the agent here reads its customer far faster than a person would
               "CONTACTOPS_CUSTOMER_READS_PER_10_MINUTES": "100000"}
        if mode == "open":
            env["CONTACTOPS_LOGIN_ATTEMPTS_PER_MINUTE"] = "100000"
            env["CONTACTOPS_ACCOUNT_LOCKOUT_FAILURES"] = "10000"
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, cwd=tmp,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("server did not start")
                time.sleep(0.1)
            idle = rss_mib(server.pid)
            sampler = Sampler(server.pid)
            sampler.start()
            load = os.getloadavg()[0]
            latencies, statuses, elapsed = storm(base, customer_id, logins, wrong)
            sampler.stop.set()
            sampler.join()
        finally:
            server.terminate()
            server.wait(10)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"[{mode}] {logins} concurrent logins ({round(logins * wrong)} wrong) in {elapsed:.1f} s: "
          + ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items())))
    print(f"[{mode}] machine load average before the run: {load:.1f} ({os.cpu_count()} cores)")
    print(f"[{mode}] server RSS idle {idle:.0f} MiB, peak {sampler.peak:.0f} MiB (target < 500)")
    print(f"[{mode}] agent: {len(latencies)} requests, p50 {p(0.5):.1f} ms, "
          f"p95 {p(0.95):.1f} ms, max {latencies[-1]:.1f} ms (target p95 < 200)")
    return {"peak_rss_mib": sampler.peak, "agent_p95_ms": p(0.95)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=200, help="concurrent logins (max 2000)")
    parser.add_argument("--wrong", type=float, default=0.9, help="share with a wrong password")
    parser.add_argument("--mode", choices=("both", "default", "open"), default="both")
    args = parser.parse_args()
    if not 1 <= args.logins <= 2000:
        parser.error("--logins must be between 1 and 2000")
    if not 0 <= args.wrong <= 1:
        parser.error("--wrong must be between 0 and 1")
    ok = True
    for mode in (("default", "open") if args.mode == "both" else (args.mode,)):
        figures = run(mode, args.logins, args.wrong)
        ok &= figures["peak_rss_mib"] < 500 and figures["agent_p95_ms"] < 200
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
