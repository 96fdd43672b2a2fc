"""Outbound KPIs of a day of the reference bank's dialling: the fold in memory, and the
period read from the event log (what ``contactops kpis`` and ``/campaigns`` do).

    python benchmarks/bench_outbound_kpis.py [--dials N] [--days D] [--backend sqlite|postgresql|both]

Makes N dials a day (default 41,000, the bank's outbound day) for D days (default 1) over
8 hours by 200 agents, 35 % connected (half of them right-party, a tenth of those with a sale,
a fifth with a promise), as events: ``DialAttempted``, ``DialResult`` and for a connect
``ContactArrived``, ``ContactAnswered``, ``WrapUpEnded`` (with the party) and the outcome.
Prints the seconds of :func:`qa.outbound_kpis.fold_outbound` plus :func:`count_outbound` by
agent in memory, then stores the log (``SqlEventStore.append_many``) and times
:func:`app.outbound_period.outbound_report` (all and by agent) over the whole period.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_seed import postgres_database, sqlite_database

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 09:00 in Seoul


def make_events(dials: int, days: int, rng: np.random.Generator) -> list:  # type: ignore[type-arg]
    from routing.events import (
        ContactAnswered,
        ContactArrived,
        DialAttempted,
        DialResult,
        OfferRecorded,
        PromiseToPay,
        WrapUpEnded,
    )

    out: list = []  # type: ignore[type-arg]
    parties = ("right_party", "third_party", "wrong_party")
    for day in range(days):
        t0 = START.timestamp() + day * 86_400
        at = np.sort(rng.uniform(0, 8 * 3600, dials)) + t0
        for i, t in enumerate(at.tolist()):
            cid, agent = f"d{day}-{i}", f"agent{i % 200:03d}"
            customer = str(1 + int(rng.integers(0, 4_000_000)))
            connected = rng.random() < 0.35
            out += [DialAttempted(t, cid, "campaign-1", customer, agent, "preview"),
                    DialResult(t + 15, cid, "campaign-1",
                               "connected" if connected else "no_answer", agent)]
            if not connected:
                continue
            party = parties[0] if rng.random() < 0.5 else parties[int(rng.integers(1, 3))]
            out += [ContactArrived(t + 15, cid, "sales", direction="outbound",
                                   customer_id=customer),
                    ContactAnswered(t + 15, cid, agent)]
            if party == "right_party" and rng.random() < 0.1:
                out.append(OfferRecorded(t + 60, cid, agent, "card", result="accepted"))
            if party == "right_party" and rng.random() < 0.2:
                out.append(PromiseToPay(t + 90, cid, agent, customer, 100_000.0, "2026-03-20"))
            out.append(WrapUpEnded(t + 200, cid, agent, party=party))  # type: ignore[arg-type]
    return sorted(out, key=lambda e: e.at)


def run(url: str, events: list, days: int) -> None:  # type: ignore[type-arg]
    from sqlmodel import Session

    from app.db import make_engine
    from app.dbmigrate import upgrade
    from app.eventlog import SqlEventStore
    from app.outbound_period import outbound_report

    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    store = SqlEventStore(engine)
    for i in range(0, len(events), 20_000):
        store.append_many(events[i:i + 20_000])
    print(f"  stored {len(events):,} events in {time.perf_counter() - started:.1f} s")
    end = START + timedelta(days=days)
    with Session(engine) as session:
        started = time.perf_counter()
        report = outbound_report(session, START, end, end + timedelta(days=30), (None, "agent"))
        seconds = time.perf_counter() - started
    figures = report[None]["all"]
    print(f"  outbound_report all + by agent over {days} day(s): {seconds:.2f} s; "
          f"dials {figures['outbound_dials']:,}, RPC rate {figures['right_party_rate']:.3f}, "
          f"contacts/h {figures['contacts_per_hour']:.1f}, "
          f"kept ratio {figures['promise_kept_ratio']:.2f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dials", type=int, default=41_000)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    from qa.outbound_kpis import count_outbound, fold_outbound

    events = make_events(args.dials, args.days, np.random.default_rng(7))
    started = time.perf_counter()
    contacts = fold_outbound(events)
    by_agent = count_outbound(contacts, lambda c: c.group_agent)
    seconds = time.perf_counter() - started
    print(f"fold + count by agent in memory: {len(events):,} events, {len(contacts):,} contacts, "
          f"{len(by_agent)} agents: {seconds:.2f} s")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        print(backend)
        database = sqlite_database() if backend == "sqlite" else postgres_database()
        with database as url:
            run(url, events, args.days)


if __name__ == "__main__":
    main()
