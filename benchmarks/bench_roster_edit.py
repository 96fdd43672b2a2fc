"""A planner's hand edit of a roster, measured: ``python benchmarks/bench_roster_edit.py``.

Builds a week for ``--agents`` agents (five 9-hour shifts each, the demo's shift type and
rules) in a fresh SQLite database, then times, through the HTTP API (FastAPI TestClient, so
JSON both ways and the database read included):

* ``POST /api/wfm/rosters/versions/{id}/evaluate`` — what the page sends after every drag;
* ``PUT  /api/wfm/rosters/versions/{id}/shifts`` — saving the draft;
* ``published_shifts`` over a day — what the console and adherence read.

Prints the median and 95th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from app.models import RosterVersion
from app.roster_chain import DEFAULT_RULES, DEFAULT_SHIFT_TYPES
from app.rosters import publish, published_shifts
from app.testing import create_user, login, make_client, make_settings

START = date(2027, 1, 4)


def week(agents: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    per_day = 48
    required = [0.0] * (7 * per_day)
    for d in range(5):
        for i in range(18, 36):  # 09:00-18:00
            required[d * per_day + i] = agents * 0.6
    problem = {
        "start": START.isoformat(), "days": 7, "interval_minutes": 30,
        "required": {"general": required}, "shift_types": list(DEFAULT_SHIFT_TYPES),
        "agents": [{"id": f"a{i:04d}", "skills": ["general"], "shift_types": ["FT9"],
                    "days_per_week": 5} for i in range(agents)],
        "rules": dict(DEFAULT_RULES),
    }
    shifts = []
    for i in range(agents):
        for d in range(5):
            day = START + timedelta(days=d)
            start = datetime(day.year, day.month, day.day, 8 + i % 3)

            def at(minutes: int, start: datetime = start) -> str:
                return (start + timedelta(minutes=minutes)).isoformat(timespec="minutes")

            shifts.append({
                "agent": f"a{i:04d}", "shift_type": "FT9", "start": at(0), "end": at(540),
                "activities": [{"kind": "break", "start": at(120), "end": at(135)},
                               {"kind": "lunch", "start": at(240), "end": at(300)}],
            })
    return problem, shifts


def timed(fn: Any, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    problem, shifts = week(args.agents)
    with tempfile.TemporaryDirectory() as tmp, make_client(
        make_settings(f"sqlite:///{Path(tmp) / 'bench.db'}")
    ) as client:
        create_user(client.app, "plan", "planner")  # type: ignore[arg-type]
        login(client, "plan")
        v = client.post("/api/wfm/rosters", json={"name": "bench", "problem": problem,
                                                   "shifts": shifts}).json()
        url = f"/api/wfm/rosters/versions/{v['id']}"
        moved = [dict(s) for s in shifts]

        def evaluate() -> None:
            assert client.post(url + "/evaluate", json={"shifts": moved}).status_code == 200

        def save() -> None:
            assert client.put(url + "/shifts", json={"shifts": moved}).status_code == 200

        print(f"roster edit: {args.agents} agents, {len(shifts)} shifts over 7 days, 30-minute intervals")
        for name, fn in (("evaluate (every drag)", evaluate), ("save draft", save)):
            median, p95 = timed(fn, args.repeat)
            print(f"  {name:24s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
        engine = client.app.state.engine  # type: ignore[attr-defined]
        with Session(engine) as session:
            version = session.get(RosterVersion, v["id"])
            assert version is not None
            publish(session, version, None, datetime.now(UTC))
            day = datetime(2027, 1, 5)
            median, p95 = timed(lambda: published_shifts(session, day, day + timedelta(days=1)),
                                args.repeat)
            print(f"  {'published_shifts (a day)':24s} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
