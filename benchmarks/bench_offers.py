"""Screen pop with next best offers on PostgreSQL: p50/p99 latency.

    python benchmarks/bench_offers.py [--customers N] [--lookups K] [--backend postgresql|sqlite]
                                      [--url URL [--seed]]

Seeds N customers (default 1,000,000; the demo seed with its life events and past offers,
no roster) into a fresh database (``contactops_bench_<random>`` on 127.0.0.1:5432 by
default), fits the propensity model once as the server does in the background
(:meth:`app.offers.OfferModelCache.refit`: the fit's time is printed apart), then for K
random callers (default 2,000) times, on one SQLModel session:

* ``offers``: :func:`app.offers.load_snapshot` (customer, products, latest contact history,
  life events) + :func:`telesales.offers.rank_offers`: what ``GET /api/console/offers`` does;
* ``screen pop alone``: the lookup and the record below, without offers (for comparison);
* ``screen pop with offers``: the lookup by number (:func:`app.queries.customer_ids_by_phone`),
  the screen pop's record (:func:`app.queries.customer_record`, 10 contacts), then the
  snapshot and the ranking, one after the other (the console makes the two requests in
  parallel, so this is the conservative sum);
* the same plus the access-log rows both requests write (two inserts and commits).

The first 20 lookups warm up and are not counted. Target: p99 < 50 ms at 1,000,000 customers.

``--url`` times an existing database instead (seeded by an earlier ``--url URL --seed``, which
migrates and seeds it and keeps it), so the lookups can be repeated without seeding again.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_screen_pop import percentiles, sample_numbers
from bench_seed import postgres_database, sqlite_database

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
WARM_UP = 20


def run(url: str, customers: int, lookups: int, label: str, seed: bool = True) -> None:
    from sqlmodel import Session

    from app.customer_access import AccessEntry, log_access
    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.models import User
    from app.offers import OfferModelCache, load_snapshot
    from app.queries import customer_ids_by_phone, customer_record
    from app.seed import seed_demo
    from app.seed.progress import ProgressBar
    from telesales.offers import rank_offers

    engine = make_engine(url)
    if seed:
        upgrade(url)
        started = time.perf_counter()
        summary = seed_demo(engine, customers=customers, progress=ProgressBar(), today=TODAY,
                            roster=False)
        print(f"{label}: {customers:,} customers seeded in {time.perf_counter() - started:.1f} s"
              f" ({summary.rows.get('customer_life_event', 0):,} life events, "
              f"{summary.rows.get('contacthistory', 0):,} contact history rows)", flush=True)
    else:
        print(f"{label}: the database as seeded before", flush=True)
    cache = OfferModelCache(engine)
    model = cache.refit(NOW)
    print(f"  propensity model: {model.source} on {model.outcomes:,} past offers, "
          f"{model.iterations} Newton steps, fit (query + solve) {cache.fit_seconds:.2f} s",
          flush=True)
    rng = np.random.default_rng(1)
    with engine.connect() as conn:
        numbers = sample_numbers(conn, lookups + WARM_UP, rng)
    user = User(id=1, username="agent01", password_hash="-", role="agent")
    offers_only: list[float] = []
    record_only: list[float] = []
    pop: list[float] = []
    pop_logged: list[float] = []
    shown = 0
    with Session(engine) as session:
        for i, number in enumerate(numbers):
            t0 = time.perf_counter()
            ids = customer_ids_by_phone(session, number)
            records = [customer_record(session, cid, 10) for cid in ids]
            t1 = time.perf_counter()
            rankings = []
            for cid in ids:
                snapshot = load_snapshot(session, cid)
                assert snapshot is not None
                rankings.append(rank_offers(snapshot, NOW, model))
            t2 = time.perf_counter()
            entry = AccessEntry("read", ("offers",), "current_contact")
            log_access(session, user, "127.0.0.1", ids, entry, NOW)
            log_access(session, user, "127.0.0.1", ids, entry, NOW)
            t3 = time.perf_counter()
            session.expunge_all()
            assert records and all(records), number
            if i < WARM_UP:
                continue
            shown += sum(len(r.offers) for r in rankings)
            offers_only.append(t2 - t1)
            record_only.append(t1 - t0)
            pop.append(t2 - t0)
            pop_logged.append(t3 - t0)
    engine.dispose()
    print(percentiles(f"screen pop alone (lookup + record), {len(record_only):,}", record_only))
    print(percentiles(f"offers (snapshot + ranking), {len(offers_only):,}", offers_only))
    print(percentiles(f"screen pop with offers, {len(pop):,}", pop))
    print(percentiles("  + access-log writes", pop_logged))
    print(f"  offers shown per caller: {shown / max(1, len(pop)):.2f} on average", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--url", help="an existing database (kept), instead of a fresh one")
    parser.add_argument("--seed", action="store_true", help="with --url: migrate and seed it")
    args = parser.parse_args()
    if not 1 <= args.customers <= 4_000_000:
        parser.error("--customers must be between 1 and 4,000,000")
    if not 1 <= args.lookups <= 100_000:
        parser.error("--lookups must be between 1 and 100,000")
    if args.url:
        run(args.url, args.customers, args.lookups, args.url.split(":")[0], seed=args.seed)
        return
    database = postgres_database if args.backend == "postgresql" else sqlite_database
    with database() as url:
        run(url, args.customers, args.lookups, args.backend)


if __name__ == "__main__":
    main()
