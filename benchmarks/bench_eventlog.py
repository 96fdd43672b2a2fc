"""Event log and live center throughput: how fast events are made durable.

    python benchmarks/bench_eventlog.py [--postgres URL]

Prints, for SQLite (a temporary file, WAL, synchronous=FULL) and PostgreSQL when
reachable (a database of its own on 127.0.0.1:5432, created and dropped, as in
``bench_seed.py``; or the empty schema ``--postgres URL`` points at): the latency of one append of a typical command's events (4 events in one
transaction: p50, p99) and the events per second of a stream of such appends.
A bank's peak is about 5 events per second (15,000 calls a day, ~8 events a call,
a third of them in the peak hours), so anything above a few hundred is ample.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_seed import postgres_database
from sqlmodel import SQLModel

from app.db import make_engine
from app.eventlog import KEPT_CONTACTS, SqlEventStore
from routing.events import (
    AgentStateChanged,
    ContactArrived,
    ContactOffered,
    ContactQueued,
)

N_APPENDS = 500
LONG_EVENTS = 400


def batch(i: int) -> list:  # type: ignore[type-arg]
    t = 1_764_000_000.0 + i
    cid = f"bench-{i}"
    return [
        ContactArrived(at=t, contact_id=cid, queue="deposits", tier="gold", customer_id=str(i)),
        ContactQueued(at=t, contact_id=cid, queue="deposits", priority=2),
        ContactOffered(at=t, contact_id=cid, agent_id="agent01", queue="deposits"),
        AgentStateChanged(at=t, agent_id="agent01", state="reserved", previous="ready"),
    ]


def run(name: str, url: str) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    store = SqlEventStore(engine, source="bench")
    latencies = []
    start = time.perf_counter()
    for i in range(N_APPENDS):
        t0 = time.perf_counter()
        store.append(batch(i))
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    latencies.sort()
    p99 = latencies[int(0.99 * len(latencies)) - 1]
    print(f"{name:10s} append of 4 events: p50 {statistics.median(latencies) * 1e3:6.2f} ms, "
          f"p99 {p99 * 1e3:6.2f} ms; {4 * N_APPENDS / wall:8.0f} events/s")
    t0 = time.perf_counter()
    n = sum(1 for _ in store.replay())
    print(f"{name:10s} replay: {n / (time.perf_counter() - t0):8.0f} events/s")
    for kept in (0, KEPT_CONTACTS):  # 0: every append folds the contact again from the log
        long_contact(name, SqlEventStore(engine, source="bench", kept_contacts=kept), kept)
    engine.dispose()


def long_contact(name: str, store: SqlEventStore, kept: int) -> None:
    """One event per append to one contact that already has many events (a long call
    with holds and transfers): the cost of rebuilding its row as its history grows."""
    cid = f"long-{kept}"
    t = 1_765_000_000.0
    store.append([ContactArrived(at=t, contact_id=cid, queue="deposits", tier="gold")])
    start = time.perf_counter()
    for i in range(LONG_EVENTS):
        store.append([ContactQueued(at=t + i, contact_id=cid, queue="deposits", priority=2)])
    wall = time.perf_counter() - start
    how = "fold from the log" if kept == 0 else "incremental fold"
    print(f"{name:10s} {LONG_EVENTS} appends to one contact ({how:17s}): "
          f"{wall / LONG_EVENTS * 1e3:6.2f} ms per append")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (an empty schema)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{tmp}/bench.db")
    if args.postgres:
        run("postgresql", args.postgres)
        return
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        print("(PostgreSQL not reachable on 127.0.0.1:5432: not measured)")
        return
    with postgres_database() as url:
        run("postgresql", url)


if __name__ == "__main__":
    main()
