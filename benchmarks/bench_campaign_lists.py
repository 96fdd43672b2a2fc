"""Campaign list building: the day's lists for N customers (default 4,000,000) on PostgreSQL.

    python benchmarks/bench_campaign_lists.py [--customers N] [--sqlite] [--keep | --url URL]

Creates ``contactops_bench_<random>`` on 127.0.0.1:5432, migrates it, and bulk-inserts a
bank in SQL (``generate_series``, a fixed ``setseed``): N customers (tiers, stages, consent
8 in 10, do-not-call 3 in 100, birth dates, 1 % managed by 70 relationship managers), a
deposit for 6 in 10 (maturities over the next year), a fund for 2 in 10, a loan for 2 in 10
(1 in 10 of them past due), a life event for 3 in 100 and a recent outbound call for 5 in
100. Then seven campaigns (those of the demo seed and four more, one per rule) and
:func:`app.campaign_lists.build_lists` of one day, twice (the second is a rebuild that
replaces the first). Prints seconds per campaign, the de-duplication and total, and the
list rows. The issue's target: under a minute for 4 M customers.

``--sqlite`` runs the same on a temporary SQLite file (use a smaller ``--customers``).
``--keep`` keeps the seeded PostgreSQL database and prints its URL; ``--url URL`` builds on
such a kept database again without seeding (drop it yourself afterwards).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_seed import PG, postgres_database, sqlite_database

DAY = date(2027, 3, 15)
NOW = datetime(2027, 3, 14, 21, 0, tzinfo=UTC)

CAMPAIGNS: list[dict[str, object]] = [
    {"name": "Collections 30+", "type": "collections", "priority": 900, "rules": {
        "targets": [{"rule": "delinquent_loan", "min_days_past_due": 30}],
        "cool_down_days": 3}},
    {"name": "Deposit renewals", "type": "telesales", "priority": 500, "rules": {
        "targets": [{"rule": "deposit_maturing", "within_days": 30}]}},
    {"name": "Tier upgrade", "type": "telesales", "priority": 400, "rules": {
        "targets": [{"rule": "tier_upgrade", "within_percent": 10}]}},
    {"name": "Life events", "type": "telesales", "priority": 300, "rules": {
        "targets": [{"rule": "life_event", "days_before": 30, "days_after": 60}]}},
    {"name": "Funds for growth customers", "type": "telesales", "priority": 200, "rules": {
        "targets": [{"rule": "min_propensity", "offer": "fund", "min": 0.05}],
        "filters": [{"rule": "lifecycle_stage", "stages": ["new", "growth"]}],
        "max_entries": 200000}},
    {"name": "Birthday calls", "type": "service", "priority": 100, "rules": {
        "targets": [{"rule": "birthday", "within_days": 7}]}},
    {"name": "Welcome calls", "type": "service", "priority": 50, "rules": {
        "targets": [{"rule": "lifecycle_stage", "stages": ["new"]}], "max_entries": 100000}},
]

SEED_SQL = [
    ("INSERT INTO agent (id, login, name, site, team, career_level, active) "
    "SELECT g, 'rm' || g, 'RM ' || g, 'seoul', 'vip', 3, true FROM generate_series(1, 70) g"),
    # tiers by share (0.3 %, 1.2 %, 5.5 %, 15 %, 50 %, 28 %), stages, consent, birth dates
    ("INSERT INTO customer (id, name, value_tier, lifecycle_stage, segment, annual_revenue_krw, "
    "marketing_consent, do_not_call, time_zone, home_branch, relationship_manager_id, "
    "birth_date, created_at) SELECT g, 'c' || g, CASE WHEN r < 0.003 THEN 'private_banker' "
    "WHEN r < 0.015 THEN 'platinum' WHEN r < 0.07 THEN 'gold' WHEN r < 0.22 THEN 'silver' "
    "WHEN r < 0.72 THEN 'core' ELSE 'inactive' END, CASE WHEN s < 0.08 THEN 'new' "
    "WHEN s < 0.3 THEN 'growth' WHEN s < 0.9 THEN 'mature' ELSE 'churn_risk' END, 'mass', 0, "
    "random() < 0.8, random() < 0.03, 'Asia/Seoul', '', "
    "CASE WHEN g % 100 = 0 THEN 1 + (g / 100) % 70 END, "
    "CASE WHEN random() < 0.97 THEN DATE '1940-01-01' + (random() * 25000)::int END, "
    "TIMESTAMPTZ '2020-01-01' FROM (SELECT g, random() AS r, random() AS s "
    "FROM generate_series(1, :n) g) x"),
    ("INSERT INTO product (customer_id, kind, name, balance_krw, opened_on, maturity_date, "
    "days_past_due) SELECT g, 'deposit', 'Time deposit', (exp(random() * 9.5) * 10000)::bigint, "
    "DATE '2025-01-01', DATE '2027-03-15' + (random() * 365)::int, 0 "
    "FROM generate_series(1, :n) g WHERE random() < 0.6"),
    ("INSERT INTO product (customer_id, kind, name, balance_krw, days_past_due) "
    "SELECT g, 'fund', 'Fund', (exp(random() * 9) * 10000)::bigint, 0 "
    "FROM generate_series(1, :n) g WHERE random() < 0.2"),
    ("INSERT INTO product (customer_id, kind, name, balance_krw, days_past_due) "
    "SELECT g, 'loan', 'Personal loan', 10000000, CASE WHEN random() < 0.1 "
    "THEN (random() * 120)::int ELSE 0 END FROM generate_series(1, :n) g WHERE random() < 0.2"),
    ("INSERT INTO customer_life_event (customer_id, kind, on_date, note, recorded_by) "
    "SELECT g, (ARRAY['marriage','child_birth','child_wedding','home_purchase','retirement'])"
    "[1 + (g % 5)], DATE '2027-03-15' + (random() * 360 - 180)::int, '', 'seed' "
    "FROM generate_series(1, :n) g WHERE random() < 0.03"),
    ("INSERT INTO contacthistory (customer_id, channel, at, reason, notes, outcome, handled_by) "
    "SELECT g, 'outbound', TIMESTAMPTZ '2027-03-14' - random() * INTERVAL '60 days', "
    "'campaign', '', 'no_answer', 'rm1' FROM generate_series(1, :n) g WHERE random() < 0.05"),
]


def seed_postgres(url: str, customers: int) -> float:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("SELECT setseed(0.42)"))
        for statement in SEED_SQL:
            connection.execute(text(statement), {"n": customers})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def seed_sqlite(url: str, customers: int) -> float:
    from app.db import make_engine
    from app.seed import seed_demo

    engine = make_engine(url)
    started = time.perf_counter()
    seed_demo(engine, customers=customers, today=DAY)
    engine.dispose()
    return time.perf_counter() - started


def add_campaigns(url: str) -> None:
    from sqlmodel import Session

    from app.db import make_engine
    from app.models import Campaign
    from telesales.campaigns import campaign_from_dict

    engine = make_engine(url)
    with Session(engine) as session:
        for data in CAMPAIGNS:
            spec = campaign_from_dict(data)
            session.add(Campaign(name=spec.name, type=spec.campaign_type, country=spec.country,
                                 rules=spec.rules.to_dict(), priority=spec.priority,
                                 created_by="bench", created_at=NOW, updated_by="bench",
                                 updated_at=NOW))
        session.commit()
    engine.dispose()


@contextmanager
def kept_postgres_database() -> Iterator[str]:
    import psycopg

    name = f"contactops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=4_000_000)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--url", help="a database kept by --keep: build only")
    args = parser.parse_args()

    from app.campaign_lists import build_lists
    from app.db import make_engine
    from app.dbmigrate import upgrade
    from telesales.propensity import prior_model

    database = (nullcontext(args.url) if args.url else sqlite_database() if args.sqlite
                else kept_postgres_database() if args.keep else postgres_database())
    with database as url:
        if not args.url:
            upgrade(url)
            seeded = (seed_sqlite if args.sqlite else seed_postgres)(url, args.customers)
            print(f"seeded {args.customers:,} customers in {seeded:.1f} s", flush=True)
            add_campaigns(url)
            if args.keep:
                print(f"kept: --url {url}", flush=True)
        engine = make_engine(url)
        for attempt in ("build", "rebuild"):
            started = time.perf_counter()
            results = build_lists(engine, DAY, NOW, prior_model())
            total = time.perf_counter() - started
            print(f"{attempt}:")
            for r in results:
                print(f"  {r.campaign:<28} {r.candidates:>9,} candidates {r.entries:>9,} "
                      f"entries {r.seconds:7.2f} s")
            rest = total - sum(r.seconds for r in results)
            print(f"  {'de-duplication and write':<28} {'':>30} {rest:7.2f} s")
            print(f"  total {sum(r.entries for r in results):,} list rows in {total:.1f} s "
                  f"for {args.customers:,} customers", flush=True)
        engine.dispose()


if __name__ == "__main__":
    main()
