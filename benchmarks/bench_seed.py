"""Seeding speed: N customers (default 1,000,000) into a fresh PostgreSQL database.

    python benchmarks/bench_seed.py [--customers N] [--sqlite]

Creates ``contactops_bench_<random>`` on 127.0.0.1:5432 (user postgres, admin db ``test``),
migrates it, seeds the demo bank with a progress bar on stderr, prints rows per table and
rows/s, and drops the database. ``--sqlite`` seeds a temporary SQLite file instead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"contactops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()

    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.seed import seed_demo
    from app.seed.progress import ProgressBar

    database = sqlite_database() if args.sqlite else postgres_database()
    with database as url:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        summary = seed_demo(engine, customers=args.customers, progress=ProgressBar(),
                            today=date(2026, 11, 25))
        seconds = time.perf_counter() - started
        engine.dispose()
    backend = "sqlite" if args.sqlite else "postgresql"
    print(f"seed of {args.customers:,} customers on {backend}: {seconds:.1f} s")
    for table, rows in summary.rows.items():
        print(f"  {table:<16} {rows:>12,}")
    print(f"  {'total':<16} {summary.total_rows:>12,} rows, {summary.total_rows / seconds:,.0f} rows/s, "
          f"{args.customers / seconds:,.0f} customers/s")


if __name__ == "__main__":
    main()
