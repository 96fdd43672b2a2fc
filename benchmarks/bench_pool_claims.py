"""Claims on the unassigned pool and the start's search for dials left ringing, timed.

    python benchmarks/bench_pool_claims.py [--pool P] [--agents A] [--days D] [--dials N]
                                           [--backend both|postgresql|sqlite]

1. Pool claims (:func:`app.pool_claims.claim_batch`): a day's list with P pool entries
   (default 100,000: the unassigned share of a 4-million-customer bank's list) over three
   campaigns; A agents (default 70) each claim a batch of 10, one after another; prints the
   p50/p99/max milliseconds of one top-up.
2. The start (:func:`app.dial_recovery.dials_left_ringing`): an event log of D days (default
   7: the look-back) of N dials a day (default 41,000: the bank's outbound day), each a
   ``dial_attempted`` and a ``dial_result``, plus two other events per dial, and three dials
   left ringing in the last minute; prints the seconds the search takes and what it found.

Databases: a fresh ``contactops_bench_<random>`` on 127.0.0.1:5432 and a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_seed import postgres_database, sqlite_database

DAY = date(2026, 12, 8)
NOW = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)  # 10:30 in Seoul


def seed_pool(url: str, pool: int, agents: int) -> None:
    from sqlalchemy import insert

    from app.db import make_engine
    from app.models import Agent, Campaign, CampaignListEntry

    rng = np.random.default_rng(5)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Agent.__table__), [  # type: ignore[attr-defined]
            {"id": a + 1, "login": f"agent{a:03d}", "name": f"Agent {a}", "site": "seoul",
             "team": "t1", "career_level": 1, "active": True} for a in range(agents)])
        conn.execute(insert(Campaign.__table__), [  # type: ignore[attr-defined]
            {"id": c, "name": f"c{c}", "type": "telesales", "country": "KR", "rules": {},
             "priority": 100 * c, "active": True, "dial_mode": "preview", "created_by": "",
             "created_at": NOW, "updated_by": "", "updated_at": NOW} for c in (1, 2, 3)])
        scores = rng.random(pool)
        for start in range(0, pool, 10_000):
            conn.execute(insert(CampaignListEntry.__table__), [  # type: ignore[attr-defined]
                {"campaign_id": 1 + i % 3, "list_date": DAY, "customer_id": i + 1,
                 "agent_id": None, "score": float(scores[i]), "rank": i + 1,
                 "reason": "birthday", "reason_params": {}, "status": "open",
                 "built_at": NOW} for i in range(start, min(pool, start + 10_000))])
    engine.dispose()


def time_claims(url: str, agents: int) -> None:
    from sqlmodel import Session

    from app.db import make_engine
    from app.pool_claims import ClaimPolicy, claim_batch

    engine = make_engine(url)
    policy = ClaimPolicy(batch=10)
    times = []
    with Session(engine) as session:
        for a in range(1, agents + 1):
            started = time.perf_counter()
            got = claim_batch(session, a, DAY, NOW, policy)
            times.append((time.perf_counter() - started) * 1000)
            assert got == 10, got
    engine.dispose()
    ms = np.array(times)
    print(f"  claim_batch (10 of the pool) x {agents}: p50 {np.percentile(ms, 50):.1f} ms, "
          f"p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms")


def seed_log(url: str, days: int, dials: int) -> float:
    """The event log; returns the ``now`` of the start (a minute after the last dial)."""
    from sqlalchemy import insert

    from app.db import make_engine
    from app.models import EventRecord
    from routing.events import DialAttempted, DialResult

    engine = make_engine(url)
    start = NOW.timestamp() - days * 86_400.0
    step = 86_400.0 / dials
    table = EventRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for d in range(days):
            rows = []
            for k in range(dials):
                at = start + d * 86_400.0 + k * step
                cid = f"P{d}-{k}"
                rows.append({"type": "dial_attempted", "at": at, "contact_id": cid,
                             "agent_id": "agent001", "payload": {}, "source": "live"})
                rows.append({"type": "agent_state_changed", "at": at, "contact_id": None,
                             "agent_id": "agent001", "payload": {}, "source": "live"})
                rows.append({"type": "dial_result", "at": at + 20, "contact_id": cid,
                             "agent_id": "agent001", "payload": {}, "source": "live"})
                rows.append({"type": "contact_ended", "at": at + 200, "contact_id": cid,
                             "agent_id": "agent001", "payload": {}, "source": "live"})
            for i in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[i:i + 20_000])
        last = start + days * 86_400.0
        for n in range(3):
            event = DialAttempted(last + n, f"R-{n}", f"lead-{n}", str(n + 1), "agent002",
                                  "preview")
            conn.execute(insert(table), [{"type": "dial_attempted", "at": event.at,
                                          "contact_id": event.contact_id,
                                          "agent_id": event.agent_id,
                                          "payload": event.to_json(), "source": "live"}])
        assert DialResult.type_name == "dial_result"
    engine.dispose()
    return last + 60.0


def time_start(url: str, now: float, days: int) -> None:
    from app.db import make_engine
    from app.dial_recovery import LOOKBACK_DAYS, dials_left_ringing

    engine = make_engine(url)
    started = time.perf_counter()
    found = dials_left_ringing(engine, now - LOOKBACK_DAYS * 86_400.0)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(f"  dials_left_ringing over {days} days of log: {seconds:.2f} s, found "
          f"{[e.contact_id for _, e in found]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=70)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--dials", type=int, default=41_000)
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    args = parser.parse_args()
    from app.dbmigrate import upgrade

    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        database = postgres_database() if backend == "postgresql" else sqlite_database()
        with database as url:
            upgrade(url)
            print(f"{backend}: pool {args.pool}, {args.agents} agents; log {args.days} days "
                  f"x {args.dials} dials")
            seed_pool(url, args.pool, args.agents)
            time_claims(url, args.agents)
            now = seed_log(url, args.days, args.dials)
            time_start(url, now, args.days)


if __name__ == "__main__":
    main()
