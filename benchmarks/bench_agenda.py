"""The agent's agenda (``GET /api/console/agenda``'s database and rules work), p50/p99 latency.

    python benchmarks/bench_agenda.py [--agents A] [--book B] [--leads L] [--reads K] [--backend both|postgresql|sqlite]

Seeds a fresh database (``contactops_bench_<random>`` on 127.0.0.1:5432, and a temporary
SQLite file) with A agents (default 70) each managing B customers (default 600: the bank's
40,000 potential-VIP customers), L open leads (default 20,000) due over the last and next 15
days on random customers (half created by the customer's manager), each customer with a phone
and a lead with two past dials in its contact history. Then times
:func:`app.agenda.build_agenda` (the sources' leads, the customers, their dial history, last
contacts and the contact rules' verdict per item) for K random agents (default 200) at 10:30
in Seoul, and prints p50/p99/max in milliseconds and the items of the last agenda.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_seed import postgres_database, sqlite_database

DAY = date(2026, 12, 8)
TIERS = ("private_banker", "platinum", "gold", "silver", "core")


def seed(url: str, agents: int, book: int, leads: int, rng: np.random.Generator) -> None:
    from sqlalchemy import insert

    from app.db import make_engine
    from app.models import Agent, ContactHistory, Customer, CustomerPhone, Lead

    n = agents * book
    made = datetime(2026, 11, 1, tzinfo=UTC)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Agent.__table__), [  # type: ignore[attr-defined]
            {"id": a + 1, "login": f"agent{a:03d}", "name": f"Agent {a}", "site": "seoul",
             "team": "t1", "career_level": 1, "active": True} for a in range(agents)])
        for start in range(0, n, 5000):
            ids = range(start + 1, min(n, start + 5000) + 1)
            conn.execute(insert(Customer.__table__), [  # type: ignore[attr-defined]
                {"id": i, "name": f"고객{i}", "value_tier": TIERS[i % len(TIERS)],
                 "lifecycle_stage": "mature", "segment": "mass", "annual_revenue_krw": 0,
                 "marketing_consent": i % 7 != 0, "do_not_call": i % 50 == 0,
                 "time_zone": "Asia/Seoul", "home_branch": "",
                 "relationship_manager_id": (i - 1) // book + 1} for i in ids])
            conn.execute(insert(CustomerPhone.__table__), [  # type: ignore[attr-defined]
                {"customer_id": i, "number": f"+8210{i:08d}", "kind": "mobile"} for i in ids])
        customers = rng.integers(1, n + 1, leads)
        lead_rows = []
        for k, c in enumerate(customers):
            manager = (int(c) - 1) // book + 1
            lead_rows.append({
                "id": k + 1, "customer_id": int(c), "offer": "fund", "kind": "cross_sell",
                "created_by": manager if k % 2 else int(rng.integers(1, agents + 1)),
                "created_at": made, "due_on": DAY + timedelta(days=int(rng.integers(-15, 16))),
                "status": "open", "source_contact_id": "", "note": ""})
        conn.execute(insert(Lead.__table__), lead_rows)  # type: ignore[attr-defined]
        history = []
        for row in lead_rows:
            for back, result in ((3, "no_answer"), (2, "busy")):
                history.append({
                    "customer_id": row["customer_id"], "channel": "outbound",
                    "at": datetime(2026, 12, 8 - back, 2, 0, tzinfo=UTC),
                    "reason": f"dial:lead-{row['id']}", "notes": "", "outcome": result,
                    "handled_by": "bench"})
        for start in range(0, len(history), 5000):
            conn.execute(insert(ContactHistory.__table__), history[start:start + 5000])  # type: ignore[attr-defined]
    engine.dispose()


def run(url: str, args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.agenda import build_agenda
    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.models import Agent
    from app.queries import CENTER_TZ

    rng = np.random.default_rng(7)
    upgrade(url)
    started = time.perf_counter()
    seed(url, args.agents, args.book, args.leads, rng)
    print(f"  seeded {args.agents * args.book:,} customers, {args.leads:,} leads "
          f"in {time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    now = datetime(DAY.year, DAY.month, DAY.day, 10, 30, tzinfo=CENTER_TZ)
    times, sizes, last = [], [], []
    with Session(engine) as session:
        for _ in range(args.reads):
            agent = session.get(Agent, int(rng.integers(1, args.agents + 1)))
            assert agent is not None
            t0 = time.perf_counter()
            last = build_agenda(session, agent, now, ring_seconds=25.0)
            times.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(last))
    engine.dispose()
    ms = np.array(times)
    print(f"  build_agenda: p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
          f"max {ms.max():.1f} ms over {args.reads} agendas of {np.mean(sizes):.0f} items "
          f"on average")
    allowed = sum(1 for i in last if i.decision.allowed)
    print(f"  e.g. the last: {len(last)} items, {allowed} allowed, "
          f"{sum(1 for i in last if i.managed)} managed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=70)
    parser.add_argument("--book", type=int, default=600)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    args = parser.parse_args()
    if not (1 <= args.agents <= 1000 and 1 <= args.book <= 10_000
            and 1 <= args.leads <= 1_000_000 and 1 <= args.reads <= 100_000):
        parser.error("agents 1..1,000, book 1..10,000, leads 1..1,000,000, reads 1..100,000")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        print(backend)
        database = sqlite_database() if backend == "sqlite" else postgres_database()
        with database as url:
            run(url, args)


if __name__ == "__main__":
    main()
