"""Event-to-browser latency of the wallboard: an event in, the websocket message out at the client.

    python benchmarks/bench_wallboard.py [--agents 200] [--queues 20] [--rate 50]
        [--clients 200] [--seconds 30] [--redis redis://127.0.0.1:6379/0]

A fresh SQLite database with ``--queues`` queues, ``--agents`` agents and a supervisor; one
server process (``contactops serve``, uvicorn, no demo telephony) on a free port; ``--clients``
wallboard websockets (one supervisor session) in this process; events posted one by one to
``POST /api/events`` at ``--rate`` a second, a day's mix (calls arriving in every queue,
answered by agents who go talking and wrap up, some abandoning). Each event's ``at`` is
the wall-clock time just before it is posted; a client notes ``time received − at`` for
every event message. Prints p50/p95/p99/max over every (event, client) pair, messages
missed, the deltas' mean size, and the posting side's own latency (POST round trip).
The target (issue 11): p95 < 1 s at 200 agents, 20 queues, 50 events/s, 200 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages

from sqlmodel import Session, select

from app.models import Agent, AgentSkill, Queue
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings

COMPRESSION: str | None = os.environ.get("BENCH_COMPRESSION", "deflate") or None
LAUNCHER = "import sys\nfrom app.cli import main\nsys.exit(main())\n"
#: the server under cProfile, written out when uvicorn re-raises its SIGTERM at the end
PROFILED_LAUNCHER = """import cProfile, os, signal, sys
from app.cli import main
profile = cProfile.Profile()
def dump(*_):
    profile.disable()
    profile.dump_stats(%(path)r)
    os._exit(0)
signal.signal(signal.SIGTERM, dump)
profile.enable()
main()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(url: str, agents: int, queues: int) -> tuple[list[str], list[str]]:
    app = make_app(make_settings(url))
    names = [f"q{i:02d}" for i in range(queues)]
    logins = [f"agent{i:03d}" for i in range(agents)]
    with Session(app.state.engine) as session:
        for q in names:
            session.add(Queue(name=q, skill=q))
        session.commit()
    for login in logins:
        create_user(app, login, "agent")
    create_user(app, "sup", "supervisor")
    with Session(app.state.engine) as session:
        for i, agent in enumerate(session.exec(select(Agent)).all()):
            session.add(AgentSkill(agent_id=agent.id, skill=names[i % queues], proficiency=3))
        session.commit()
    app.state.engine.dispose()
    return names, logins


def event_stream(queues: list[str], agents: list[str], rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """Endless events of a busy center: arrive, then answer (agent talking), end, wrap up
    (agent ready), or abandon; interleaved across calls."""
    pending: list[tuple[int, dict[str, object]]] = []  # (due step, event without at)
    step, n = 0, 0
    free = list(agents)
    while True:
        if not pending or rng.random() < 0.3:
            n += 1
            cid = f"b{n}"
            q = queues[int(rng.integers(len(queues)))]
            tier = "platinum" if rng.random() < 0.1 else "core"
            pending.append((step, {"type": "contact_arrived", "contact_id": cid, "queue": q,
                                   "tier": tier}))
            if free and rng.random() < 0.85:
                a = free.pop(int(rng.integers(len(free))))
                d = step + int(rng.integers(1, 20))
                pending += [
                    (d, {"type": "contact_answered", "contact_id": cid, "agent_id": a, "queue": q}),
                    (d, {"type": "agent_state_changed", "agent_id": a, "state": "talking",
                         "previous": "ready"}),
                    (d + 40, {"type": "contact_ended", "contact_id": cid, "agent_id": a, "queue": q}),
                    (d + 40, {"type": "agent_state_changed", "agent_id": a, "state": "wrap_up",
                              "previous": "talking"}),
                    (d + 50, {"type": "wrap_up_ended", "contact_id": cid, "agent_id": a}),
                    (d + 50, {"type": "agent_state_changed", "agent_id": a, "state": "ready",
                              "previous": "wrap_up", "_free": a}),
                ]
            else:
                pending.append((step + int(rng.integers(5, 30)),
                                {"type": "contact_abandoned", "contact_id": cid, "queue": q}))
        pending.sort(key=lambda p: p[0])
        due, event = pending.pop(0)
        step = max(step, due) + 1
        if "_free" in event:
            free.append(str(event.pop("_free")))
        yield event


class Client:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.events = 0
        self.delta_bytes = 0
        self.deltas = 0
        self.snapshot_bytes = 0


async def watch(url: str, headers: dict[str, str], client: Client, stop: asyncio.Event,
                ready: asyncio.Event) -> None:
    import websockets

    async with websockets.connect(url, additional_headers=headers, max_size=2**24,
                                  compression=COMPRESSION) as ws:
        first = await ws.recv()
        client.snapshot_bytes = len(first)
        ready.set()
        while not stop.is_set():
            try:
                async with asyncio.timeout(1.0):
                    raw = await ws.recv()
            except TimeoutError:
                continue
            received = time.time()
            if raw.startswith('{"type": "event'):  # one event, or several queued at once
                message = json.loads(raw)
                for item in message.get("items", [message]):
                    client.latencies.append(received - item["event"]["at"])
                    client.events += 1
            else:
                client.deltas += 1
                client.delta_bytes += len(raw)


async def run(args: argparse.Namespace, host: str, cookies: str) -> tuple[list[Client], list[float], int]:
    headers = {"Cookie": cookies, "Origin": f"http://{host}"}
    clients = [Client() for _ in range(args.clients)]
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in clients]
    tasks = []
    for c, r in zip(clients, readies, strict=True):  # connect a few at a time
        tasks.append(asyncio.create_task(watch(f"ws://{host}/ws/wallboard", headers, c, stop, r)))
        if len(tasks) % 20 == 0:
            await asyncio.sleep(0.2)
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(2)  # let the sockets settle on deltas
    queues = [f"q{i:02d}" for i in range(args.queues)]
    agents = [f"agent{i:03d}" for i in range(args.agents)]
    stream = event_stream(queues, agents, np.random.default_rng(1))
    posted: list[float] = []
    sent = 0
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=30,
                                 headers={"Cookie": cookies, "X-CSRF-Token": args.csrf}) as http:
        start = time.monotonic()
        interval = 1.0 / args.rate

        async def post(event: dict[str, object]) -> None:
            t0 = time.time()
            r = await http.post("/api/events", json={**event, "at": t0})
            if r.status_code != 201:
                raise RuntimeError(f"{r.status_code} {r.text[:300]}")
            posted.append(time.time() - t0)

        inflight: set[asyncio.Task[None]] = set()
        while time.monotonic() - start < args.seconds:
            due = start + sent * interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            task = asyncio.create_task(post(next(stream)))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            sent += 1
        await asyncio.gather(*inflight)
    await asyncio.sleep(3)  # the last messages arrive
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return clients, posted, sent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--queues", type=int, default=20)
    ap.add_argument("--rate", type=float, default=50.0, help="events posted per second")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--redis", default=None, help="serve through Redis pub/sub at this URL")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-wallboard-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    seed(url, args.agents, args.queues)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONTACTOPS_DATABASE_URL": url,
           "CONTACTOPS_SECRET_KEY": secrets.token_urlsafe(32), "CONTACTOPS_DEMO_MODE": "false",
           "CONTACTOPS_LIVE_CENTER": "false"}
    if args.redis:
        env |= {"CONTACTOPS_REDIS_URL": args.redis,
                "CONTACTOPS_REDIS_CHANNEL_PREFIX": f"bench-{secrets.token_hex(4)}:"}
    log = (tmp / "server.log").open("wb")
    profile = os.environ.get("BENCH_PROFILE")  # a cProfile output file for the server
    launcher = tmp / "serve.py"
    launcher.write_text(PROFILED_LAUNCHER % {"path": profile} if profile else LAUNCHER)
    server = subprocess.Popen([sys.executable, str(launcher), "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://{host}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"server did not start; see {tmp / 'server.log'}")
            time.sleep(0.3)
        with httpx.Client(base_url=f"http://{host}", timeout=30) as http:
            http.get("/login")
            r = http.post("/login", data={"username": "sup", "password": TEST_PASSWORD,
                                          "csrf_token": http.cookies.get("contactops_csrf") or ""})
            assert r.status_code == 303, r.text[:200]
            cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
            args.csrf = http.cookies.get("contactops_csrf") or ""
        clients, posted, sent = asyncio.run(run(args, host, cookies))
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    lat = np.array([x for c in clients for x in c.latencies]) * 1000
    expected = sent * len(clients)
    got = sum(c.events for c in clients)
    deltas = sum(c.deltas for c in clients)
    print(f"wallboard latency, event posted -> websocket message at the client: {args.agents} agents, "
          f"{args.queues} queues, {args.rate:g} events/s for {args.seconds:g} s, {args.clients} clients"
          f"{' (Redis)' if args.redis else ''}")
    print(f"  events posted {sent}, messages expected {expected}, received {got} "
          f"(missed {expected - got})")
    if lat.size:
        p50, p95, p99 = np.percentile(lat, [50, 95, 99])
        print(f"  latency ms: p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}  max {lat.max():.0f}"
              f"   -> p95 {'<' if p95 < 1000 else '>='} 1 s")
    post = np.array(posted) * 1000
    print(f"  POST /api/events round trip ms: p50 {np.percentile(post, 50):.0f}  "
          f"p95 {np.percentile(post, 95):.0f}")
    print(f"  snapshot {np.mean([c.snapshot_bytes for c in clients]) / 1024:.0f} KiB; deltas "
          f"{deltas} ({sum(c.delta_bytes for c in clients) / max(1, deltas) / 1024:.1f} KiB mean)")


if __name__ == "__main__":
    main()
