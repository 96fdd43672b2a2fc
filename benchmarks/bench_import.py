"""Calls per second of `contactops import anonbank` storing the February file, one event at a
time (:meth:`app.eventlog.SqlEventStore.append`, the path before) and in bulk
(:meth:`~app.eventlog.SqlEventStore.append_many`, what the importer uses), each into a
fresh database, and a second import (nothing stored).

Usage::

    python benchmarks/bench_import.py [--calls N] [--url postgresql+psycopg://.../db]

``--url`` must name an empty, throwaway PostgreSQL database (the tables are emptied between
runs); without it a fresh SQLite file each run. ``--calls`` takes the first N calls (default:
the whole month).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC
from pathlib import Path

from app.cli import main as cli
from app.cli.importer import BATCH, import_calls, read_file
from app.db import make_engine
from app.eventlog import SqlEventStore

FEBRUARY = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" /
            "anonymous_bank_1999" / "data_anonymous_bank_february.txt")
if not FEBRUARY.exists():
    FEBRUARY = Path("/work/shared/data/anonymous_bank_1999/data_anonymous_bank_february.txt")


def _empty(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in ("interaction_summary", "interaction_summary_stale", "interaction",
                      "event_log"):
            conn.exec_driver_sql(f"DELETE FROM {table}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=0)
    parser.add_argument("--url")
    args = parser.parse_args()
    batch = read_file("anonbank", FEBRUARY, UTC)
    calls = batch.calls[:args.calls] if args.calls else batch.calls
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("append (one row per event)", "append_many (bulk)"):
            url = args.url or f"sqlite:///{tmp}/{label.split()[0]}.db"
            cli(["db", "--url", url, "upgrade"])
            _empty(url)
            engine = make_engine(url)
            store = SqlEventStore(engine, source="import")
            write = store.append if label.startswith("append ") else store.append_many
            started = time.perf_counter()
            for i in range(0, len(calls), BATCH):
                write(e for c in calls[i:i + BATCH] for e in c.events)
            took = time.perf_counter() - started
            print(f"{engine.dialect.name:10s} {label:28s} {len(calls):6d} calls "
                  f"{took:7.1f} s  {len(calls) / took:8.0f} calls/s", flush=True)
            if label.startswith("append_many"):
                started = time.perf_counter()
                imported, skipped = import_calls(engine, calls)
                print(f"{engine.dialect.name:10s} second import: {imported} stored, "
                      f"{skipped} skipped in {time.perf_counter() - started:.1f} s")
            engine.dispose()


if __name__ == "__main__":
    main()
