"""Adherence over a center's day, and a schedule simulation of a day on the process pool and Dask.

``python benchmarks/bench_workforce.py [--agents 200] [--replications 10]`` prints:

* the time :func:`wfm.adherence.measure_adherence` takes for ``--agents`` agents with a
  9-hour shift (break, lunch) and about 200 state changes each, scripted to work straight
  through their break and lunch (so adherence is about 86 % and conformance above 100 %);
* a schedule simulation (:mod:`simulations.roster_scenario`) of one day, 30-minute
  intervals, a roster of ``--agents`` agents in staggered shifts and a forecast that keeps them
  around 85 % busy: wall time of ``--replications`` replications on the local process pool and
  on an in-process ``distributed.LocalCluster`` (when dask is installed), with the day's
  service level; the two must agree figure for figure (same seeds).
"""

from __future__ import annotations

import argparse
import functools
import time
from datetime import date, datetime, timedelta

import numpy as np

from routing.events import AgentStateChanged
from simulations.replications import run_replications
from simulations.roster_scenario import Rehearsal, roster_scenario
from simulations.scenario import parse_scenario
from wfm.adherence import Activity, ScheduledShift, measure_adherence

DAY = date(2027, 1, 4)
AHT = 180.0


def adherence_case(
    agents: int, rng: np.random.Generator
) -> tuple[list[ScheduledShift], list[AgentStateChanged]]:
    shifts, events = [], []
    for i in range(agents):
        start = (7 * 60 + 15 * (i % 24)) * 60.0
        brk, lunch = start + 7200, start + 4 * 3600
        shifts.append(
            ScheduledShift(
                f"a{i}",
                start,
                start + 9 * 3600,
                (Activity("break", brk, brk + 900), Activity("lunch", lunch, lunch + 3600)),
            )
        )
        t = start + rng.normal(0, 120)
        events.append(
            AgentStateChanged(at=t - 60, agent_id=f"a{i}", state="not_ready", reason="login")
        )
        while t < start + 9 * 3600:
            events.append(AgentStateChanged(at=t, agent_id=f"a{i}", state="ready"))
            t += rng.exponential(300)
            events.append(AgentStateChanged(at=t, agent_id=f"a{i}", state="talking"))
            t += rng.exponential(AHT)
            events.append(AgentStateChanged(at=t, agent_id=f"a{i}", state="wrap_up"))
            t += 20
        events.append(AgentStateChanged(at=t, agent_id=f"a{i}", state="logged_out"))
    return shifts, events


def _iso(start: datetime, minutes: int) -> str:
    return (start + timedelta(minutes=minutes)).isoformat(timespec="minutes")


def roster(agents: int) -> list[dict[str, object]]:
    origin = datetime.combine(DAY, datetime.min.time())
    out = []
    for i in range(agents):
        start = origin + timedelta(hours=7, minutes=30 * (i % 12))
        iso = functools.partial(_iso, start)
        out.append(
            {
                "agent": f"a{i:03d}",
                "shift_type": "FT9",
                "start": iso(0),
                "end": iso(540),
                "activities": [
                    {"kind": "break", "start": iso(120), "end": iso(135)},
                    {"kind": "lunch", "start": iso(240), "end": iso(300)},
                ],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    shifts, events = adherence_case(args.agents, rng)
    t0 = time.perf_counter()
    report = measure_adherence(shifts, events, start=0.0, end=86400.0, tolerance_seconds=300)
    t1 = time.perf_counter()
    live = measure_adherence(shifts, events, start=0.0, end=86400.0, now=12 * 3600.0)
    t2 = time.perf_counter()
    (team,) = report.teams
    print(
        f"adherence: {args.agents} agents, {len(events):,} state changes: day report {t1 - t0:.3f} s,"
        f" live view {t2 - t1:.3f} s; team adherence {team.adherence:.3f},"
        f" conformance {team.conformance:.3f}, out now {len(live.out_now())}"
    )

    per_hour = np.array(
        [
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            120,
            500,
            800,
            900,
            900,
            700,
            800,
            900,
            900,
            800,
            600,
            300,
            100,
            0,
            0,
            0,
            0,
        ]
    )
    per_hour = per_hour * 3.6 * args.agents / 200  # peak ~ 85 % of what the agents on duty can take
    calls = tuple(float(x) / 2 for x in np.repeat(per_hour, 2))
    scenario = parse_scenario(
        roster_scenario(roster(args.agents), Rehearsal(DAY, 1, 30, calls, AHT, 120.0))
    )
    t0 = time.perf_counter()
    local, _ = run_replications(scenario, args.replications, seed=1)
    t1 = time.perf_counter()
    print(
        f"schedule simulation: {args.agents} agents, {sum(calls):,.0f} calls expected a day,"
        f" {args.replications} replications on the process pool: {t1 - t0:.1f} s;"
        f" SL {local['summary']['service_level']:.3f} {local['summary_ci']['service_level']},"
        f" P(abandon) {local['summary']['p_abandon']:.3f}"
    )
    try:
        import distributed
    except ImportError:
        print("dask: not installed (pip install -e '.[dask]')")
        return
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        t0 = time.perf_counter()
        dask_doc, _ = run_replications(
            scenario, args.replications, seed=1, dask_address=cluster.scheduler_address
        )
        t1 = time.perf_counter()
    print(
        f"  on a LocalCluster (2 worker processes): {t1 - t0:.1f} s; same figures: {dask_doc == local}"
    )


if __name__ == "__main__":
    main()
