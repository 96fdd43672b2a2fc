"""The agent's day panel (``GET /api/console/day``'s database work), p50/p99 latency.

    python benchmarks/bench_console_day.py [--contacts N] [--agents A] [--reads K] [--backend both|postgresql|sqlite]

Seeds a busy day into a fresh database (``contactops_bench_<random>`` on 127.0.0.1:5432,
and a temporary SQLite file): N inbound contacts (default 15,000, the bank's day) spread
over A agents (default 100) from 09:00 to 18:00, each with its arrival, offer, answer, end
and wrap-up events in the live event log, and an accepted offer on one call in ten. Then
times :func:`app.agent_day.agent_day` (the agent's contacts of the day from the log, their
events, :func:`qa.agent_day.agent_day_figures`, the published shifts and the QA feedback
waiting) for K random agents (default 300) at 18:00, and prints p50/p99/max in
milliseconds and the figures of one agent.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_seed import postgres_database, sqlite_database


def seed(url: str, contacts: int, agents: int, rng: np.random.Generator) -> float:
    """The day's events; returns 18:00 of that day (Unix seconds)."""
    from sqlalchemy import insert

    from app.db import make_engine
    from app.models import EventRecord
    from app.queries import CENTER_TZ
    from routing.events import (
        ContactAnswered,
        ContactArrived,
        ContactEnded,
        ContactOffered,
        OfferRecorded,
        WrapUpEnded,
    )

    day = datetime(2026, 12, 4, 9, 0, tzinfo=CENTER_TZ).timestamp()
    arrivals = np.sort(rng.uniform(day, day + 9 * 3600, contacts))
    rows = []
    for i, at in enumerate(arrivals):
        cid, agent = f"c{i}", f"agent{int(rng.integers(agents)):03d}"
        talk, wrap = float(rng.exponential(120)), float(rng.exponential(20))
        events = [
            ContactArrived(at=at, contact_id=cid, queue="deposits", customer_id=str(i)),
            ContactOffered(at=at + 5, contact_id=cid, agent_id=agent, queue="deposits"),
            ContactAnswered(at=at + 8, contact_id=cid, agent_id=agent, queue="deposits"),
            ContactEnded(at=at + 8 + talk, contact_id=cid, agent_id=agent, queue="deposits"),
            WrapUpEnded(at=at + 8 + talk + wrap, contact_id=cid, agent_id=agent),
        ]
        if i % 10 == 0:
            events.append(OfferRecorded(at=at + 60, contact_id=cid, agent_id=agent,
                                        offer="card", result="accepted"))
        rows.extend({"type": e.type_name, "at": e.at, "contact_id": cid,
                     "agent_id": getattr(e, "agent_id", None), "payload": e.to_json(),
                     "source": "live"} for e in events)
    engine = make_engine(url)
    table = EventRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(table), rows[start:start + 5000])
    engine.dispose()
    return day + 9 * 3600


def run(url: str, args: argparse.Namespace) -> None:
    from datetime import UTC

    from sqlmodel import Session

    from app.agent_day import agent_day
    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.models import Agent

    rng = np.random.default_rng(7)
    upgrade(url)
    started = time.perf_counter()
    end = seed(url, args.contacts, args.agents, rng)
    print(f"  seeded {args.contacts:,} contacts over {args.agents} agents "
          f"in {time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    now = datetime.fromtimestamp(end, UTC)
    times, last = [], None
    with Session(engine) as session:
        for _ in range(args.reads):
            n = int(rng.integers(args.agents))
            agent = Agent(id=n + 1, login=f"agent{n:03d}", name="bench")
            t0 = time.perf_counter()
            last = agent_day(session, agent, now)
            times.append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    ms = np.array(times)
    print(f"  agent_day: p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
          f"max {ms.max():.1f} ms over {args.reads} reads")
    if last is not None:
        f = last.figures
        print(f"  e.g. {f.agent}: handled {f.handled}, AHT {f.aht_seconds:.0f} s, "
              f"talk {f.talk_seconds / 60:.0f} min, sales {f.sales}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=15_000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    args = parser.parse_args()
    if not (1 <= args.contacts <= 1_000_000 and 1 <= args.agents <= 10_000
            and 1 <= args.reads <= 100_000):
        parser.error("contacts 1..1,000,000, agents 1..10,000, reads 1..100,000")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        print(backend)
        database = sqlite_database() if backend == "sqlite" else postgres_database()
        with database as url:
            run(url, args)


if __name__ == "__main__":
    main()
