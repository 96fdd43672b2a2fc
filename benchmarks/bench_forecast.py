"""Rolling-origin backtest of the interval forecast methods: WAPE tables.

Series:

* the Anonymous Bank, February 1999 (real, call by call, converted by
  ``benchmarks/anonymous_bank_intervals.py``), at 60, 30, 15 and 5 minutes; and each of its
  six service types alone at 30 minutes (from 760 calls a day for ``PS`` down to 5 for
  ``PE``: real series from busy to sparse);
* demo-like histories built with the demo seed's own volume model (``app.seed.history``:
  09:00–18:00, Monday peak, weekends a tenth, Korean holidays at 6 %, paydays +30 %),
  8 weeks ending 2025-10-20 (Chuseok inside) and 16 weeks, for all queues together and for
  the small ``fx`` queue (6 % of calls);
* the demo database itself: ``app.seed.seed_demo`` into a temporary SQLite file (8 weeks
  ending yesterday, six queues), each queue aggregated by ``app.wfm_history`` as the planner
  API does;
* a 24×7 synthetic series with 3 % weekly growth;
* a low-volume synthetic queue (5 calls a day, weekdays 07:00-21:00) and a Monday-to-Friday
  queue with only two weeks of history.

For each: WAPE per method, WAPE relative to the seasonal naive (< 1 beats it), the method the
backtest chooses, and on the last ``horizon`` days (model fitted on the days before them) the
empirical coverage of the 80 % prediction interval, the share of intervals that had calls
but an upper bound of 0 ("missed"), and the call-weighted AHT error. The last line is the
mean WAPE of the chosen methods over all series.

Run: ``python benchmarks/bench_forecast.py`` (about a minute).
"""

from __future__ import annotations

import importlib.util
import io
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wfm.forecast import ForecastSpec, run_backtest
from wfm.history import IntervalHistory, read_history_csv, synthetic_history

BANK = ROOT.parent / "shared" / "data" / "anonymous_bank_1999" / "data_anonymous_bank_february.txt"


def bank_history(interval_minutes: int) -> IntervalHistory:
    spec = importlib.util.spec_from_file_location(
        "abi", ROOT / "benchmarks" / "anonymous_bank_intervals.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return read_history_csv(io.StringIO(module.convert_to_text(BANK, interval_minutes)))


def bank_type_history(service_type: str, interval_minutes: int = 30) -> IntervalHistory:
    """One service type of the bank month (PHANTOM calls dropped), as the converter does."""
    import csv
    from collections import defaultdict
    from datetime import datetime

    offered: dict[datetime, int] = defaultdict(int)
    with open(BANK, newline="", encoding="latin-1") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["outcome"].strip() == "PHANTOM" or row["type"].strip() != service_type:
                continue
            day = datetime.strptime(row["date"].strip(), "%y%m%d")
            h, m, _s = (int(x) for x in row["vru_exit"].strip().split(":"))
            offered[
                day + timedelta(minutes=(h * 60 + m) // interval_minutes * interval_minutes)
            ] += 1
    text = "start,offered\n" + "".join(f"{t.isoformat()},{c}\n" for t, c in sorted(offered.items()))
    return read_history_csv(io.StringIO(text))


def demo_history(today: date, weeks: int, share: float, seed: int = 0) -> IntervalHistory:
    """Poisson calls with the demo seed's means (see app/seed/history.py)."""
    from app.seed import history as demo

    days = [today - timedelta(days=k) for k in range(weeks * 7, 0, -1)]
    factors = demo.day_factors(days)
    slots = 48
    offered = np.zeros((len(days), slots))
    first = demo.OPEN_HOUR * 2
    rng = np.random.default_rng(seed)
    for i, f in enumerate(factors):
        mean = demo.WEEKDAY_CALLS * share * demo.INTRADAY * f / demo.WEEKDAY_FACTOR[1]
        offered[i, first : first + len(demo.INTRADAY)] = rng.poisson(mean)
    return IntervalHistory(days[0], 30, offered)


def seeded_demo_histories(interval_minutes: int = 30) -> dict[str, IntervalHistory]:
    """The real demo history: seed a throw-away SQLite database with ``app.seed.seed_demo``
    (8 weeks ending yesterday) and aggregate each queue as the planner API does."""
    import tempfile
    from datetime import UTC, datetime

    from sqlmodel import Session

    from app.db import make_engine
    from app.queries import CENTER_TZ
    from app.seed import seed_demo
    from app.testing import create_schema
    from app.wfm_history import history_from_interactions, history_queues

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        create_schema(url)
        engine = make_engine(url)
        try:
            seed_demo(engine, customers=2000, password="demo")
            today = datetime.now(UTC).astimezone(CENTER_TZ).date()
            until = datetime(today.year, today.month, today.day, tzinfo=CENTER_TZ)
            with Session(engine) as session:
                return {
                    q: history_from_interactions(session, q, interval_minutes, until, 56)
                    for q in history_queues(session)
                }
        finally:
            engine.dispose()


def holdout(spec: ForecastSpec, history: IntervalHistory) -> str:
    """80 % interval coverage (open intervals) and call-weighted AHT error on the last days."""
    h = spec.horizon_days
    cut = history.first_day + timedelta(days=history.n_days - h)
    fc = spec.fit(history.until(cut)).forecast(cut, h)
    actual = history.offered[-h:].ravel()
    open_ = fc.offered_high > 0
    inside = (actual >= fc.offered_low) & (actual <= fc.offered_high)
    missed = int(((actual > 0) & ~open_).sum())
    text = (
        f"80 % interval coverage on the last {h} days: {inside[open_].mean():.2f};"
        f" missed {missed}/{int((actual > 0).sum())}"
    )
    if fc.aht_seconds is not None and history.aht_seconds is not None:
        real = history.aht_seconds[-h:].ravel()
        ok = np.isfinite(real) & (actual > 0)
        err = np.abs(fc.aht_seconds[ok] - real[ok]) * actual[ok]
        text += f"; AHT error (call-weighted) {err.sum() / (real[ok] * actual[ok]).sum():.1%}"
    return text


CHOSEN_WAPE: dict[str, float] = {}


def report(name: str, history: IntervalHistory, spec: ForecastSpec) -> None:
    t0 = time.perf_counter()
    bt = run_backtest(spec, history)
    seconds = time.perf_counter() - t0
    total = history.offered.sum()
    print(
        f"\n## {name}: {history.first_day} to {history.last_day}, {history.interval_minutes}-minute"
        f" intervals, {total:,.0f} calls"
    )
    if bt is None:
        print("too short for a backtest")
        return
    print(bt.table())
    CHOSEN_WAPE[name] = bt.wape[bt.chosen]
    try:
        text = holdout(spec, history)
    except ValueError as exc:  # e.g. the hold-out leaves too little history
        text = f"no hold-out: {exc}"
    print(f"{text}   (backtest {seconds:.1f} s)")


def main() -> int:
    spec = ForecastSpec(horizon_days=7, origins=3)
    if BANK.exists():
        for minutes in (60, 30, 15, 5):
            report(f"Anonymous Bank ({minutes} min)", bank_history(minutes), spec)
        for service in ("PS", "NW", "NE", "TT", "IN", "PE"):
            report(f"Anonymous Bank, type {service} (30 min)", bank_type_history(service), spec)
    else:
        print(f"(Anonymous Bank data not found at {BANK})")
    for queue, history in seeded_demo_histories().items():
        report(f"seeded demo database, queue {queue}", history, spec)
    for weeks in (8, 16):
        report(
            f"demo-like, all queues, {weeks} weeks",
            demo_history(date(2025, 10, 20), weeks, 1.0),
            spec,
        )
        report(
            f"demo-like, fx queue, {weeks} weeks",
            demo_history(date(2025, 10, 20), weeks, 0.06, 1),
            spec,
        )
    growing = synthetic_history(
        np.random.default_rng(9),
        date(2025, 1, 6),
        10 * 7,
        60,
        daily_calls=6000.0,
        weekday_factors=(1.2, 1.1, 1.0, 1.0, 1.1, 0.8, 0.7),
        open_minutes=(0, 1440),
        growth_per_week=0.03,
        aht_seconds=None,
    )
    report("synthetic 24x7, +3 %/week", growing, spec)
    weekdays = (1.25, 1.05, 1.0, 0.95, 1.05, 0.0, 0.0)
    low = synthetic_history(
        np.random.default_rng(12),
        date(2024, 4, 1),
        8 * 7,
        30,
        daily_calls=5.0,
        weekday_factors=weekdays,
        open_minutes=(7 * 60, 21 * 60),
    )
    report("synthetic low volume, 5 calls a day", low, spec)
    two_weeks = synthetic_history(
        np.random.default_rng(13),
        date(2024, 3, 4),
        12,  # Monday to the second Friday; the weekend after it is absent, as in a file
        30,
        weekday_factors=weekdays,
        open_minutes=(7 * 60, 21 * 60),
    )
    report("synthetic Monday-Friday, two weeks", from_grid(two_weeks), spec)
    print(
        f"\nmean WAPE of the chosen methods over {len(CHOSEN_WAPE)} series:"
        f" {np.mean(list(CHOSEN_WAPE.values())):.4f}"
    )
    return 0


def from_grid(history: IntervalHistory) -> IntervalHistory:
    """The history as a file would give it: rows only where calls were offered."""
    rows = ["start,offered"]
    for i, day in enumerate(history.days):
        for j, start in enumerate(history.interval_starts(day)):
            if history.offered[i, j] > 0:
                rows.append(f"{start.isoformat()},{history.offered[i, j]:g}")
    return read_history_csv(io.StringIO("\n".join(rows) + "\n"))


if __name__ == "__main__":
    sys.exit(main())
