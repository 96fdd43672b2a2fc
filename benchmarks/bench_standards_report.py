"""Service standards report and ``contactops kpis``' added figures: time over a period.

    python benchmarks/bench_standards_report.py [--days 30] [--per-day 5000] [--postgres]
        [--rows] [--kpis]

Writes ``days x per-day`` inbound interaction rows (answered 85 %, with talk time, transfers,
offers and sales, complaints, surveys, customers who call again for the same reason) and 20
agents in two teams with a bulk insert (past the event store, so the span is marked stale as
a bulk writer must), times ``contactops db rebuild-summaries``
(:func:`app.report_summaries.rebuild_summaries`, which fills the standards report's summaries,
:mod:`app.outcome_summaries`), then prints the seconds of
:func:`app.standards_store.standards_report` from the summaries (center, by team, by agent).
``--rows`` also times the row-by-row path (``from_rows=True``: minutes at 90 x 56,000) and
checks both give the same lines; ``--kpis`` times :func:`app.kpi_period.extra_figures` (all,
by team: the rows; its periods are UTC days, the summaries center days). SQLite in a temporary
file by default; ``--postgres`` on a database of its own on 127.0.0.1:5432 (created and
dropped).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from bench_seed import postgres_database, sqlite_database
from sqlalchemy import Connection, insert
from sqlmodel import Session

from app import dbmigrate
from app.db import make_engine
from app.kpi_period import extra_figures
from app.models import Agent, Interaction
from app.report_summaries import mark_span_stale, rebuild_summaries
from app.seed.standards import seed_standards
from app.standards_store import center_bounds, standards_report

FIRST = date(2026, 4, 1)


def rows_of_day(rng: np.random.Generator, day: date, n: int, agent_ids: list[int]
                ) -> list[dict[str, object]]:
    start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=0)
    arrived = np.sort(rng.uniform(0, 9 * 3600, n))
    waits = rng.exponential(15, n)
    answered = rng.random(n) < 0.85
    talk = rng.gamma(4, 45, n)
    out = []
    for i in range(n):
        at = start + timedelta(seconds=float(arrived[i]))
        ok = bool(answered[i])
        end = at + timedelta(seconds=float(waits[i] + (talk[i] if ok else 0)))
        out.append({
            "contact_id": f"b{day:%m%d}-{i}", "queue": "deposits", "direction": "inbound",
            "tier": "platinum" if i % 20 == 0 else "core",
            "agent_id": agent_ids[i % len(agent_ids)] if ok else None, "arrived_at": at,
            "answered_at": at + timedelta(seconds=float(waits[i])) if ok else None,
            "ended_at": end, "outcome": "answered" if ok else "abandoned",
            "handle_seconds": float(talk[i] + 20) if ok else None,
            "talk_seconds": float(talk[i]) if ok else None,
            "transfers": int(i % 17 == 0), "reason": ("card", "fees", "loan")[i % 3],
            "customer_key": str(int(rng.integers(1, 40 * n))),
            "offers_made": int(i % 3 == 0), "cross_sell_sales": int(i % 9 == 0),
            "up_sell_sales": int(i % 23 == 0), "sales": int(i % 9 == 0) + int(i % 23 == 0),
            "sales_amount": 0.0, "complaints": int(i % 150 == 0),
            "survey_score": int(i % 5) + 1 if i % 4 == 0 else None,
        })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=5000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rows", action="store_true", help="also the row-by-row path")
    parser.add_argument("--kpis", action="store_true", help="also kpis' added figures")
    args = parser.parse_args()
    database: AbstractContextManager[str] = (postgres_database() if args.postgres
                                             else sqlite_database())
    with database as url:
        dbmigrate.upgrade(url)
        engine = make_engine(url)
        rng = np.random.default_rng(1)
        with Session(engine) as session:
            agents = [Agent(login=f"agent{i:02d}", name=f"A{i}", team=f"team-{i % 2 + 1}")
                      for i in range(20)]
            session.add_all(agents)
            session.commit()
            ids = [a.id or 0 for a in agents]
        started = time.perf_counter()
        with engine.begin() as conn:
            seed_standards(conn, FIRST, {})
            for d in range(args.days):
                rows = rows_of_day(rng, FIRST + timedelta(days=d), args.per_day, ids)
                if args.postgres:  # COPY: the writing is not what is measured
                    _copy(conn, rows)
                else:
                    conn.execute(insert(Interaction), rows)
            mark_span_stale(conn, datetime.combine(FIRST, datetime.min.time(), UTC),
                            datetime.combine(FIRST + timedelta(days=args.days),
                                             datetime.min.time(), UTC))
        n = args.days * args.per_day
        print(f"{'postgresql' if args.postgres else 'sqlite'}: {n:,} rows written in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        t0 = time.perf_counter()
        rebuild_summaries(engine)
        print(f"rebuild-summaries (both summaries)  {time.perf_counter() - t0:7.1f} s",
              flush=True)
        last = FIRST + timedelta(days=args.days - 1)
        start, end = center_bounds(FIRST, last)
        with Session(engine) as session:
            timings: list[tuple[str, Callable[[], object]]] = [
                ("standards report, center", lambda: standards_report(session, FIRST, last)),
                ("standards report, by team",
                 lambda: standards_report(session, FIRST, last, "team")),
                ("standards report, by agent",
                 lambda: standards_report(session, FIRST, last, "agent")),
            ]
            if args.rows:
                timings += [
                    ("  rows: center", lambda: standards_report(session, FIRST, last,
                                                                from_rows=True)),
                    ("  rows: by team", lambda: standards_report(session, FIRST, last, "team",
                                                                 from_rows=True)),
                ]
            if args.kpis:
                timings += [
                    ("kpis added figures, all", lambda: extra_figures(session, start, end, None)),
                    ("kpis added figures, by team",
                     lambda: extra_figures(session, start, end, "team")),
                ]
            results = {}
            for label, call in timings:
                t0 = time.perf_counter()
                results[label] = call()
                seconds = time.perf_counter() - t0
                print(f"{label:32s} {seconds:7.2f} s   {n / seconds:12,.0f} rows/s", flush=True)
            if args.rows:
                same = [_figures(results["standards report, center"]),
                        _figures(results["  rows: center"])]
                print("center lines the same both ways (figures to 1e-9):",
                      _close(*same))
        engine.dispose()


def _copy(conn: Connection, rows: list[dict[str, object]]) -> None:
    columns = list(rows[0])
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
            f"COPY interaction ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _figures(report: object) -> list[tuple[object, ...]]:
    return [(x.group, x.segment, x.evaluation.kpi, x.evaluation.actual)
            for x in report.lines]  # type: ignore[attr-defined]


def _close(a: list[tuple[object, ...]], b: list[tuple[object, ...]]) -> bool:
    if [x[:3] for x in a] != [x[:3] for x in b]:
        return False
    return all((math.isnan(x[3]) and math.isnan(y[3])) or math.isclose(x[3], y[3], rel_tol=1e-9)
               for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
