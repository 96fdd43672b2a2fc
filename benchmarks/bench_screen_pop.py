"""Screen pop: the customer lookup by caller number, p50/p99 latency.

    python benchmarks/bench_screen_pop.py [--customers N] [--lookups K] [--backend both|postgresql|sqlite]

When a call is offered, the agent console looks the caller up by the number in E.164
form: the matching phone (``ix_customerphone_number``), the customer (primary key), all
of the customer's phones (``ix_customerphone_customer_id``) and products
(``ix_product_customer_id``), in one statement. This script seeds N customers (default
1,000,000) into a fresh database (``contactops_bench_<random>`` on 127.0.0.1:5432, and a
temporary SQLite file), runs K random lookups (default 2,000) of existing numbers on one
connection, prints p50/p99/max in milliseconds, and drops the databases.

Two paths are timed: the single joined statement above, and, when the web layer provides
it, the agent console's own screen pop (``app.queries.customer_ids_by_phone`` then
``customer_record(..., contacts_limit=10)``: four indexed queries through a SQLModel
session, with the latest contact history), for at most ``--app-budget-seconds``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.engine import Connection

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_seed import postgres_database, sqlite_database


def screen_pop_query() -> Select:  # type: ignore[type-arg]
    """Customer, all its phones and its products for the caller's number (``:number``)."""
    from app.models import Customer, CustomerPhone, Product

    hit = (select(CustomerPhone.customer_id)
           .where(CustomerPhone.number == bindparam("number")).limit(1))
    hit = hit.scalar_subquery()
    phones = CustomerPhone.__table__.alias("phones")  # type: ignore[attr-defined]
    return (
        select(
            Customer.id, Customer.name, Customer.value_tier, Customer.lifecycle_stage,
            Customer.segment, Customer.marketing_consent, Customer.do_not_call,
            Customer.relationship_manager_id, phones.c.number, phones.c.kind,
            Product.kind, Product.name, Product.balance_krw, Product.maturity_date,
        )
        .join(phones, phones.c.customer_id == Customer.id)
        .outerjoin(Product, and_(Product.customer_id == Customer.id))
        .where(Customer.id == hit)
    )


def sample_numbers(conn: Connection, k: int, rng: np.random.Generator) -> list[str]:
    from sqlalchemy import func

    from app.models import CustomerPhone

    n = conn.execute(select(func.max(CustomerPhone.id))).scalar_one()
    ids = rng.integers(1, n + 1, size=k).tolist()
    rows = conn.execute(select(CustomerPhone.id, CustomerPhone.number)
                        .where(CustomerPhone.id.in_(ids))).all()
    by_id = dict(rows)
    return [by_id[i] for i in ids]


def percentiles(label: str, seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return (f"  {label:<34} p50 {np.percentile(ms, 50):7.3f} ms  p99 {np.percentile(ms, 99):7.3f} ms"
            f"  max {ms.max():7.3f} ms")


def time_app_screen_pop(engine, numbers: list[str],  # type: ignore[no-untyped-def]
                        budget_seconds: float) -> list[float] | None:
    try:
        from app.queries import customer_ids_by_phone, customer_record
    except ImportError:
        return None
    from sqlmodel import Session

    latencies: list[float] = []
    deadline = time.perf_counter() + budget_seconds
    with Session(engine) as session:
        for i, number in enumerate([*numbers[:5], *numbers]):
            if time.perf_counter() > deadline:
                break
            t0 = time.perf_counter()
            records = [customer_record(session, cid, 10) for cid in customer_ids_by_phone(session, number)]
            elapsed = time.perf_counter() - t0
            session.expunge_all()
            assert records, number
            if i >= 5:  # the first 5 warm up
                latencies.append(elapsed)
    return latencies


def run(url: str, customers: int, lookups: int, label: str, budget_seconds: float) -> None:
    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.seed import seed_demo
    from app.seed.progress import ProgressBar

    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    seed_demo(engine, customers=customers, progress=ProgressBar(), today=date(2026, 11, 25))
    seed_seconds = time.perf_counter() - started
    rng = np.random.default_rng(1)
    with engine.connect() as conn:
        numbers = sample_numbers(conn, lookups, rng)
        query = screen_pop_query()
        for number in numbers[:50]:  # warm up caches and the statement cache
            conn.execute(query, {"number": number}).all()
        latencies = []
        for number in numbers:
            t0 = time.perf_counter()
            rows = conn.execute(query, {"number": number}).all()
            latencies.append(time.perf_counter() - t0)
            assert rows, number
    print(f"{label}: {customers:,} customers (seeded in {seed_seconds:.1f} s)")
    print(percentiles(f"one joined statement, {len(latencies):,} lookups", latencies),
          flush=True)
    app_latencies = time_app_screen_pop(engine, numbers, budget_seconds)
    engine.dispose()
    if app_latencies:
        print(percentiles(f"app.queries screen pop, {len(app_latencies):,} lookups",
                          app_latencies), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument("--app-budget-seconds", type=float, default=60.0,
                        help="time allowed for the app.queries path (it can be slow)")
    args = parser.parse_args()
    if args.backend in ("both", "postgresql"):
        with postgres_database() as url:
            run(url, args.customers, args.lookups, "postgresql", args.app_budget_seconds)
    if args.backend in ("both", "sqlite"):
        with sqlite_database() as url:
            run(url, args.customers, args.lookups, "sqlite", args.app_budget_seconds)


if __name__ == "__main__":
    main()
