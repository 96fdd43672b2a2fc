"""Simulated calls per second on one M/M/c model: our fast path, our general path, Ciw, SimPy.

    python benchmarks/bench_simulation.py [--hours 24] [--repeat 3]

Model (the issue's example, run longer): arrivals 810 calls/hour (Poisson), exponential
handle time with mean 240 s, c = 60 agents, no abandonment (M/M/60, load 54 Erlangs).
Every simulator runs the same horizon; the table prints the best of ``--repeat`` runs,
the calls served and the mean wait so one can see they simulate the same thing (the
Erlang C value is printed for reference). Then the fast path on a bank week
(15,000 calls a day for 7 days, the issue's target). Then callbacks on the general
path: P(abandon) with and without callers accepting the engine's callback offer, at
the same staffing and seeds (M/M/20+M, 300 calls/h, AHT 240 s, patience 120 s, offer
when the expected wait is over 10 s, acceptance 0.8), and the general path's speed with
holds and transfers.

Times are process CPU seconds (``time.process_time``): every simulator here is single
threaded, so on an idle machine they equal wall time, and on a shared machine they are
not inflated by other people's jobs.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ciw
import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages

from qa.kpis import abandonment_rate, average_speed_of_answer, count_contacts
from simulations.center import simulate_center
from simulations.fcfs import simulate_fcfs
from simulations.scenario import parse_scenario
from wfm import erlang

RATE_PER_HOUR, AHT, AGENTS = 810.0, 240.0, 60


def scenario(hours: int, engine: str) -> dict:
    return {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [RATE_PER_HOUR] * hours,
                "aht_seconds": AHT,
                "patience_mean_seconds": None,
            }
        ],
        "agents_per_interval": [AGENTS],
        "engine": engine,
    }


def run_fast(hours: int, seed: int) -> tuple[int, float]:
    out = simulate_fcfs(parse_scenario(scenario(hours, "fast")), np.random.default_rng(seed))
    c = count_contacts(out.table, 20.0)
    return c.answered, average_speed_of_answer(c)


def run_general(hours: int, seed: int) -> tuple[int, float]:
    out = simulate_center(parse_scenario(scenario(hours, "general")), np.random.default_rng(seed))
    c = count_contacts(out.table, 20.0)
    return c.answered, average_speed_of_answer(c)


def run_ciw(hours: int, seed: int) -> tuple[int, float]:
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=RATE_PER_HOUR / 3600.0)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT)],
        number_of_servers=[AGENTS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours * 3600.0)
    waits = [r.waiting_time for r in sim.get_all_records()]
    return len(waits), float(np.mean(waits))


def run_simpy(hours: int, seed: int) -> tuple[int, float]:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    waits: list[float] = []

    def caller(env: simpy.Environment) -> object:
        arrived = env.now
        with agents.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(AHT))

    def source(env: simpy.Environment) -> object:
        horizon = hours * 3600.0
        while True:
            yield env.timeout(rng.exponential(3600.0 / RATE_PER_HOUR))
            if env.now >= horizon:
                return
            env.process(caller(env))

    env.process(source(env))
    env.run()
    return len(waits), float(np.mean(waits))


def best(
    fn: Callable[[int, int], tuple[int, float]], hours: int, repeat: int
) -> tuple[float, int, float]:
    times, result = [], (0, 0.0)
    for r in range(repeat):
        t = time.process_time()
        result = fn(hours, r)
        times.append(time.process_time() - t)
    return min(times), *result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    load = RATE_PER_HOUR * AHT / 3600.0
    print(
        f"M/M/{AGENTS}, {RATE_PER_HOUR:.0f} calls/h, AHT {AHT:.0f} s ({load:.0f} Erlangs), {args.hours} h; "
        f"Erlang C mean wait of answered = {float(erlang.average_speed_of_answer(load, AGENTS, AHT)):.2f} s"
    )
    print(
        f"| {'simulator':<34} | {'seconds':>8} | {'calls':>7} | {'calls/s':>10} | {'mean wait s':>11} |"
    )
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 9}|{'-' * 12}|{'-' * 13}|")
    rows = [
        ("contactops fast path (FCFS heap)", run_fast),
        ("contactops general path (engine)", run_general),
        (f"Ciw {ciw.__version__}", run_ciw),
        (f"SimPy {simpy.__version__}", run_simpy),
    ]
    for name, fn in rows:
        secs, calls, wait = best(fn, args.hours, args.repeat)
        print(f"| {name:<34} | {secs:8.3f} | {calls:7d} | {calls / secs:10,.0f} | {wait:11.2f} |")
    week = {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [15000 / 24] * (24 * 7),
                "aht_seconds": 150,
                "aht_distribution": "lognormal",
                "aht_cv": 1.0,
                "patience_mean_seconds": 180,
            }
        ],
        "agents_per_interval": [30],
    }
    s = parse_scenario(week)
    t = time.process_time()
    out = simulate_fcfs(s, np.random.default_rng(0))
    secs = time.process_time() - t
    print(
        f"\nbank week on the fast path (15,000 calls/day x 7, lognormal handle, patience): "
        f"{len(out.table):,} calls in {secs:.2f} s ({len(out.table) / secs:,.0f} calls/s)"
    )
    t = time.process_time()
    out = simulate_center(s, np.random.default_rng(0))
    secs = time.process_time() - t
    print(
        f"bank week on the general path: {len(out.table):,} calls in {secs:.2f} s "
        f"({len(out.table) / secs:,.0f} calls/s)"
    )
    callbacks(args.repeat)


def callback_scenario(acceptance: float, hours: int = 8) -> dict:
    return {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [300] * hours,
                "aht_seconds": 240,
                "patience_mean_seconds": 120,
                "callback_acceptance_probability": acceptance,
            }
        ],
        "agents_per_interval": [20],
        "routing": {"policy": {"callback_offer_wait_seconds": 10}},
    }


def callbacks(repeat: int) -> None:
    seeds = range(max(repeat, 1) * 4)
    print("\ncallbacks (general path, 8 h of M/M/20+M at 300 calls/h, offer over 10 s EWT):")
    for acceptance in (0.0, 0.5, 0.8):
        s = parse_scenario(callback_scenario(acceptance))
        p, waits, accepted = [], [], []
        for seed in seeds:
            out = simulate_center(s, np.random.default_rng(seed))
            p.append(abandonment_rate(count_contacts(out.table, 20.0)))
            cb = out.callbacks
            accepted.append(cb.accepted)
            if cb.answered:
                waits.append(cb.wait_seconds / cb.answered)
        wait = f"{np.mean(waits):.0f} s" if waits else "-"
        print(
            f"  acceptance {acceptance:.1f}: P(abandon) {np.mean(p):.3%} over {len(p)} seeds, "
            f"callbacks accepted {np.mean(accepted):.0f}/replication, callback wait {wait}"
        )
    data = copy.deepcopy(callback_scenario(0.0, hours=24))
    data["queues"].append({"name": "cards", "calls_per_interval": [0], "aht_seconds": 180})
    data["queues"][0].update(
        hold_probability=0.2, hold_mean_seconds=30, transfer_probability=0.1, transfer_to="cards"
    )
    data["agents_per_interval"] = [22]
    s = parse_scenario(data)
    t = time.process_time()
    out = simulate_center(s, np.random.default_rng(0))
    secs = time.process_time() - t
    print(
        f"  general path with holds (20 %) and transfers (10 %), 24 h: {len(out.table):,} calls "
        f"in {secs:.2f} s ({len(out.table) / secs:,.0f} calls/s, {out.n_events:,} events)"
    )


if __name__ == "__main__":
    main()
