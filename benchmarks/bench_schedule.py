"""Rosters from ``wfm.schedule``: against pyworkforce, and a bank's week against an LP bound.

``python benchmarks/bench_schedule.py`` prints:

1. One day of 48 half-hour intervals: the requirement (Erlang C, 80 % in 20 s, AHT 120 s, the
   intraday shape of the Anonymous Bank's 1999 arrivals scaled to 15,000 calls a day) covered by
   pyworkforce's ``MinRequiredResources`` (fewest shifts that never fall short) and by
   ``build_schedule`` given as many agents as pyworkforce used, with the same shift types
   (each start x lunch placement a pyworkforce shift): under and over coverage of both.
2. A week of 15-minute intervals for 200 agents (160 full time FT9 of the issue, 40 part time
   PT5; rules: 11 h rest, at most 5 days in a row, 2 days off in a row; some time off) on
   ``--workers`` CP-SAT workers within ``--time-limit`` seconds: every rule checked with
   ``evaluate_roster``, under-coverage against the independent LP bound
   (:mod:`wfm.schedule_bound`), and the gap as a share of the total requirement; the time one
   ``evaluate_roster`` call takes (the planner page calls it on every edit).

The requirement's shape only comes from /work/shared/data/anonymous_bank_1999, within opening hours
07:00-22:00 (a flat
profile when the file is absent).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from wfm.roster_checks import evaluate_roster
from wfm.roster_problem import parse_roster_problem
from wfm.schedule import Schedule, build_schedule
from wfm.schedule_bound import under_coverage_bound
from wfm.staffing import staff_intervals

ARRIVALS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "anonymous_bank_1999"
    / "arrivals_1999_6min.csv"
)
if not ARRIVALS.exists():
    ARRIVALS = Path("/work/shared/data/anonymous_bank_1999/arrivals_1999_6min.csv")


OPEN_FROM, OPEN_TO = 7, 22  # the center's opening hours (the shift types cover them)


def half_hour_profile() -> np.ndarray:
    """Mean arrivals per half hour of the day, per weekday (7 x 48), from the 1999 data."""
    sums = np.zeros((7, 48))
    open_hours = np.zeros(48)
    open_hours[OPEN_FROM * 2 : OPEN_TO * 2] = 1  # calls outside go to the VRU
    days = np.zeros(7)
    if not ARRIVALS.exists():
        return np.ones((7, 48)) * open_hours
    seen: set[date] = set()
    with ARRIVALS.open(newline="") as fh:
        for row in csv.DictReader(fh):
            t = datetime.fromisoformat(row["start"])
            sums[t.weekday(), (t.hour * 60 + t.minute) // 30] += float(row["offered"])
            if t.date() not in seen:
                seen.add(t.date())
                days[t.weekday()] += 1
    out: np.ndarray = sums / np.maximum(days, 1)[:, None] * open_hours
    return out


def required(calls: np.ndarray, interval_minutes: int, aht: float = 120.0) -> list[float]:
    plan = staff_intervals(
        calls,
        interval_minutes * 60,
        np.full(len(calls), aht),
        service_level_target=0.8,
        threshold_seconds=20,
    )
    return [float(x) for x in plan.agents]


SHIFT_TYPES: list[dict[str, Any]] = [
    {
        "name": "FT9",
        "earliest_start": "07:00",
        "latest_start": "13:00",
        "start_step_minutes": 15,
        "length_minutes": 540,
        "activities": [
            {
                "kind": "break",
                "length_minutes": 15,
                "earliest_offset_minutes": 90,
                "latest_offset_minutes": 150,
                "paid": True,
            },
            {
                "kind": "lunch",
                "length_minutes": 60,
                "earliest_offset_minutes": 180,
                "latest_offset_minutes": 300,
                "paid": False,
            },
        ],
    },
    {
        "name": "PT5",
        "earliest_start": "08:00",
        "latest_start": "16:00",
        "start_step_minutes": 15,
        "length_minutes": 300,
        "activities": [
            {
                "kind": "break",
                "length_minutes": 15,
                "earliest_offset_minutes": 105,
                "latest_offset_minutes": 195,
                "paid": True,
            },
        ],
    },
]

DAY_TYPES: list[dict[str, Any]] = [  # half-hour grid for the pyworkforce comparison
    {
        "name": "FT9",
        "earliest_start": "07:00",
        "latest_start": "13:00",
        "start_step_minutes": 30,
        "length_minutes": 540,
        "activities": [
            {
                "kind": "lunch",
                "length_minutes": 60,
                "earliest_offset_minutes": 180,
                "latest_offset_minutes": 300,
                "step_minutes": 30,
                "paid": False,
            },
        ],
    },
    {
        "name": "PT4",
        "earliest_start": "08:00",
        "latest_start": "17:00",
        "start_step_minutes": 30,
        "length_minutes": 240,
        "activities": [],
    },
]


def one_day(workers: int, time_limit: float) -> None:
    from pyworkforce.scheduling import MinRequiredResources

    profile = half_hour_profile()[2]  # a Wednesday
    calls = profile / profile.sum() * 15_000
    need = required(calls, 30)
    problem = parse_roster_problem(
        {
            "start": "2027-01-06",
            "days": 1,
            "interval_minutes": 30,
            "required": {"general": need},
            "shift_types": DAY_TYPES,
            "agents": [{"id": "X", "skills": ["general"], "days_per_week": 1}],
        }
    )
    coverage: dict[str, list[int]] = {}
    for st in problem.shift_types.values():
        for start in st.starts():
            for offsets in st.placements:
                row = np.zeros(48 * 30 + 1)
                for lo, hi in st.work_segments(start, offsets):
                    row[lo : min(hi, 48 * 30)] = 1
                per = row[: 48 * 30].reshape(48, 30).mean(axis=1)
                coverage[f"{st.name}_{start}_{offsets}"] = [int(x) for x in per]
    started = time.perf_counter()
    pwf = MinRequiredResources(
        num_days=1,
        periods=48,
        shifts_coverage=coverage,
        required_resources=[[int(x) for x in need]],
        max_period_concurrency=10_000,
        max_shift_concurrency=10_000,
        max_search_time=time_limit,
        num_search_workers=workers,
    ).solve()
    pwf_seconds = time.perf_counter() - started
    cov = np.zeros(48)
    shifts = 0
    for item in pwf["resources_shifts"]:
        cov += item["resources"] * np.array(coverage[item["shift"]])
        shifts += item["resources"]
    req = np.array(need)
    pwf_under, pwf_over = np.clip(req - cov, 0, None).sum(), np.clip(cov - req, 0, None).sum()
    agents = [{"id": f"A{i:03d}", "skills": ["general"], "days_per_week": 1} for i in range(shifts)]
    problem = parse_roster_problem(
        {
            "start": "2027-01-06",
            "days": 1,
            "interval_minutes": 30,
            "required": {"general": need},
            "shift_types": DAY_TYPES,
            "agents": agents,
            "time_limit_seconds": time_limit,
            "num_workers": workers,
        }
    )
    result = build_schedule(problem)
    assert isinstance(result, Schedule)
    print(
        f"one day, 48 half-hour intervals, {req.sum():.0f} agent-intervals required, peak {req.max():.0f}"
    )
    print(
        f"  pyworkforce MinRequiredResources: {pwf['status']}, {shifts} shifts, under {pwf_under:.1f}, over {pwf_over:.1f} agent-intervals ({pwf_seconds:.1f} s)"
    )
    print(
        f"  wfm.schedule with {shifts} agents:  {result.status}, {len(result.shifts)} shifts, under {result.coverage.under['general']:.1f}, over {result.coverage.over['general']:.1f} agent-intervals ({result.wall_seconds:.1f} s)"
    )


def week_problem(
    agents: int, rng: np.random.Generator, time_limit: float, workers: int
) -> dict[str, Any]:
    profile = half_hour_profile()  # weekday x half hour
    start = date(2027, 1, 4)  # a Monday
    calls = np.concatenate(
        [np.repeat(profile[(start.toordinal() + d - 1) % 7] / 2, 2) for d in range(7)]
    )
    work_hours = (agents * 0.8 * 5 * 7.75 + agents * 0.2 * 5 * 4.75) * 0.97
    # scale the calls so that the requirement takes about 97 % of the agents' work
    lo, hi = 1.0, 200.0
    for _ in range(30):
        mid = (lo + hi) / 2
        need = required(calls * mid, 15)
        lo, hi = (mid, hi) if sum(need) / 4 < work_hours else (lo, mid)
    need = required(calls * lo, 15)
    people = []
    for i in range(agents):
        full = i < int(agents * 0.8)
        person: dict[str, Any] = {
            "id": f"A{i:03d}",
            "skills": ["general"],
            "shift_types": ["FT9" if full else "PT5"],
            "days_per_week": 5,
            "part_time": not full,
        }
        if rng.random() < 0.1:
            person["time_off"] = [
                date.fromordinal(start.toordinal() + int(rng.integers(0, 7))).isoformat()
            ]
        if not full:
            person["max_minutes_per_week"] = 5 * 300
        people.append(person)
    return {
        "start": start.isoformat(),
        "days": 7,
        "interval_minutes": 15,
        "required": {"general": need},
        "shift_types": SHIFT_TYPES,
        "agents": people,
        "rules": {"min_rest_hours": 11, "max_consecutive_days": 5, "min_days_off_in_a_row": 2},
        "time_limit_seconds": time_limit,
        "num_workers": workers,
    }


def week(agents: int, workers: int, time_limit: float) -> int:
    data = week_problem(agents, np.random.default_rng(0), time_limit, workers)
    problem = parse_roster_problem(data)
    total = float(problem.required["general"].sum())
    started = time.perf_counter()
    bound = under_coverage_bound(problem)
    bound_seconds = time.perf_counter() - started
    result = build_schedule(problem)
    if not isinstance(result, Schedule):
        print(f"week: infeasible: {result.reasons}")
        return 1
    shifts = result.to_json()["shifts"]
    assert isinstance(shifts, list)
    timings, cpu = [], []
    for _ in range(9):
        t, c = time.perf_counter(), time.process_time()
        evaluation = evaluate_roster(problem, shifts)
        timings.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    under = result.coverage.under["general"]
    gap = under - bound.under_coverage
    print(
        f"week, {agents} agents, 7 x 96 intervals, {total:.0f} agent-intervals required (peak {problem.required['general'].max():.0f})"
    )
    print(
        f"  solver: {result.status} in {result.wall_seconds:.1f} s (limit {time_limit:g} s, {workers} workers), {len(result.shifts)} shifts"
    )
    print(f"  rule violations (evaluate_roster): {len(evaluation.violations)}")
    print(
        f"  under-coverage {under:.1f}, LP lower bound {bound.under_coverage:.1f} ({bound.columns} columns, {bound_seconds:.1f} s)"
    )
    print(
        f"  above the bound: {gap:.1f} agent-intervals = {100 * gap / total:.3f} % of the requirement (aim <= 1 %)"
    )
    print(
        f"  over-coverage {result.coverage.over['general']:.1f}; objective {result.objective:.0f}, solver bound {result.best_bound:.0f}, gap {result.gap:.2%}"
    )
    print(
        f"  evaluate_roster on {len(shifts)} shifts: wall best {min(timings) * 1000:.1f} ms,"
        f" median {sorted(timings)[4] * 1000:.1f} ms; CPU best {min(cpu) * 1000:.1f} ms"
        " (CPU time is what the machine's load does not inflate)"
    )
    return 0 if not evaluation.violations else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--day-time-limit", type=float, default=30.0)
    args = parser.parse_args(argv)
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]}")
    one_day(args.workers, args.day_time_limit)
    return week(args.agents, args.workers, args.time_limit)


if __name__ == "__main__":
    sys.exit(main())
