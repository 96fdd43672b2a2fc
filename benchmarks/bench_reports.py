"""The /qa and report pages over 90 days of a 56,000-contacts-a-day center, on PostgreSQL.

    python benchmarks/bench_reports.py [--days 90] [--per-day 56000] [--requests 10]
                                       [--before-requests 3]

Creates ``contactops_bench_<random>`` on 127.0.0.1:5432 (user postgres, admin db ``test``),
migrates it, bulk-loads ``days x per-day`` inbound interaction rows ending today (COPY; 12
queues, the six tiers, 92 % answered, 7 % abandoned, 1 % still waiting or cut; waits
exponential with a 12 s mean, handle times lognormal around 3 minutes), and drops it at the end.

Times each page through the FastAPI app (TestClient, a QA analyst logged in), p50 and p99
over ``--requests`` requests (``--before-requests`` on the rows path):

* **before**: the rows path (``app.report_figures.USE_SUMMARIES = False`` for /qa, as before
  the summaries; the whole span marked stale for the reports, so they read rows too);
* ``contactops db rebuild-summaries`` (timed);
* **after**: the summaries.

Prints the figures and the before/after ratio of the p50s; also checks the two /qa pages
show the same figures.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"
QUEUES = ("cards", "deposits", "loans", "fx", "collections", "mortgages", "insurance",
          "funds", "business", "online", "complaints", "general")
TIER_P = {"private_banker": 0.02, "platinum": 0.06, "gold": 0.15, "silver": 0.22,
          "core": 0.5, "inactive": 0.05}


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"contactops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def day_rows(rng: np.random.Generator, day_start: datetime, n: int, first_id: int,
             now: datetime) -> str:
    """One day's rows as COPY text (tab-separated)."""
    import pandas as pd

    # arrivals over the center's opening hours (08:00-20:00 KST = 23:00-11:00 UTC)
    arrived = day_start + pd.to_timedelta(8 * 3600 + rng.uniform(0, 12 * 3600, n), unit="s")
    arrived = arrived.round("us")
    wait = pd.to_timedelta(np.round(rng.exponential(12.0, n), 6), unit="s")
    fate = rng.random(n)
    answered = fate < 0.92
    abandoned = (fate >= 0.92) & (fate < 0.99)
    talk = rng.lognormal(np.log(150), 0.5, n)
    wrap = rng.uniform(5, 40, n)
    past = arrived + wait + pd.to_timedelta(talk + wrap, unit="s") < now
    answered &= past
    open_rows = ~(answered | abandoned)
    frame = pd.DataFrame({
        "contact_id": [f"b{first_id + i}" for i in range(n)],
        "queue": rng.choice(QUEUES, n),
        "direction": "inbound",
        "tier": rng.choice(list(TIER_P), n, p=list(TIER_P.values())),
        "agent_id": np.where(answered, rng.integers(1, 400, n).astype(str), "\\N"),
        "arrived_at": arrived.strftime("%Y-%m-%d %H:%M:%S.%f+00"),
        "answered_at": np.where(answered, (arrived + wait).strftime("%Y-%m-%d %H:%M:%S.%f+00"),
                                "\\N"),
        "ended_at": np.where(abandoned, (arrived + wait).strftime("%Y-%m-%d %H:%M:%S.%f+00"),
                             np.where(answered, (arrived + wait + pd.to_timedelta(
                                 talk, unit="s")).round("us").strftime(
                                 "%Y-%m-%d %H:%M:%S.%f+00"), "\\N")),
        "outcome": np.where(answered, "answered", np.where(abandoned, "abandoned",
                                                          np.where(fate > 0.995, "interrupted",
                                                                   "waiting"))),
        "handle_seconds": np.where(answered, np.round(talk + wrap, 3).astype(str), "\\N"),
    })
    frame.loc[open_rows, "agent_id"] = "\\N"
    buffer = io.StringIO()
    frame.to_csv(buffer, sep="\t", header=False, index=False)
    return buffer.getvalue()


COLUMNS = ("contact_id", "queue", "direction", "tier", "agent_id", "arrived_at", "answered_at",
           "ended_at", "outcome", "handle_seconds")


def load(dsn: str, days: int, per_day: int, now: datetime) -> int:
    import psycopg

    from app.queries import start_of_center_day

    rng = np.random.default_rng(2026)
    total = 0
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY interaction ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for d in range(days - 1, -1, -1):
                start = start_of_center_day(now, d)
                copy.write(day_rows(rng, start, per_day, total, now))
                total += per_day
                sys.stderr.write(f"\rloaded {total:,} rows")
        conn.commit()
        cur.execute("ANALYZE interaction")
    sys.stderr.write("\n")
    return total


def timed(client: object, url: str, n: int) -> tuple[float, float, str]:
    seconds, body = [], ""
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url)  # type: ignore[attr-defined]
        seconds.append(time.perf_counter() - t)
        if r.status_code != 200:
            raise SystemExit(f"{url}: {r.status_code} {r.text[:200]}")
        body = r.text
    seconds.sort()
    p99 = seconds[min(len(seconds) - 1, int(np.ceil(0.99 * len(seconds))) - 1)]
    return statistics.median(seconds), p99, body


def kpi_cells(html: str) -> list[str]:
    table = html.split('id="qa-kpis"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', table)


def main() -> None:
    import signal

    # a SIGTERM still drops the benchmark's database (the ``finally`` of postgres_database)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90, choices=range(1, 93), metavar="1..92")
    parser.add_argument("--per-day", type=int, default=56_000)
    parser.add_argument("--requests", type=int, default=10, choices=range(1, 51), metavar="1..50")
    parser.add_argument("--before-requests", type=int, default=3, choices=range(1, 51),
                        metavar="1..50", help="requests per page on the (slow) rows path")
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from sqlalchemy import insert

    from app import report_figures
    from app.dbmigrate import upgrade
    from app.models import InteractionSummaryStale
    from app.queries import CENTER_TZ, start_of_center_day
    from app.report_summaries import rebuild_summaries
    from app.testing import create_user, login, make_app, make_settings

    now = datetime.now(UTC)
    today = now.astimezone(CENTER_TZ).date()
    pages = {
        "/qa 90 days": f"/qa?days={args.days}",
        "/reports quarter": f"/reports?period=quarter&date={today}",
        "/reports month": f"/reports?period=month&date={today}",
        "/reports week": f"/reports?period=week&date={today}",
        "/reports day": f"/reports?period=day&date={today - timedelta(days=1)}",
        "CSV per day, quarter": f"/reports/export.csv?table=steps&period=quarter&date={today}",
    }
    with postgres_database() as name:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        upgrade(url)
        t = time.perf_counter()
        rows = load(f"host=127.0.0.1 port=5432 user=postgres dbname={name}", args.days,
                    args.per_day, now)
        print(f"loaded {rows:,} inbound rows ({args.days} days x {args.per_day:,}) in "
              f"{time.perf_counter() - t:.1f} s")
        app = make_app(make_settings(url))
        with TestClient(app) as client:
            engine = app.state.engine
            with engine.begin() as conn:  # a bulk load bypasses the store: mark it stale
                conn.execute(insert(InteractionSummaryStale.__table__),  # type: ignore[attr-defined]
                             {"first_at": start_of_center_day(now, args.days), "last_at": now})
            create_user(app, "bench-qa", "qa", locale="en")
            login(client, "bench-qa")
            results: dict[str, dict[str, tuple[float, float]]] = {"before": {}, "after": {}}
            bodies: dict[str, str] = {}
            for phase in ("before", "after"):
                if phase == "after":
                    t = time.perf_counter()
                    rebuild_summaries(engine)
                    print(f"contactops db rebuild-summaries: {time.perf_counter() - t:.1f} s")
                report_figures.USE_SUMMARIES = phase == "after"
                for label, page in pages.items():
                    if phase == "after":
                        client.get(page)  # warm (the rows path needs none: seconds a request)
                    n = args.requests if phase == "after" else args.before_requests
                    p50, p99, body = timed(client, page, n)
                    results[phase][label] = (p50, p99)
                    if label.startswith("/qa"):
                        bodies[phase] = body
            same = kpi_cells(bodies["before"]) == kpi_cells(bodies["after"])
            print(f"/qa figures before == after: {same} ({len(kpi_cells(bodies['after']))} "
                  "cells)")
    print(f"\n{'page':24} {'before p50':>11} {'p99':>8} {'after p50':>10} {'p99':>8} "
          f"{'ratio':>7}")
    for label in pages:
        b50, b99 = results["before"][label]
        a50, a99 = results["after"][label]
        print(f"{label:24} {b50:10.3f}s {b99:7.3f}s {a50:9.3f}s {a99:7.3f}s {b50 / a50:6.1f}x")
    if not same:
        raise SystemExit("the /qa figures differ between the rows and the summaries")


if __name__ == "__main__":
    main()
