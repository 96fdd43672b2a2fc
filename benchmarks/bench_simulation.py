"""Simulated calls per second on one M/M/c model: our fast path, our general path, Ciw, SimPy.

    python benchmarks/bench_simulation.py [--hours 24] [--repeat 3]

Model (issue 8's): arrivals 810 calls/hour (Poisson), exponential handle time with mean
240 s, c = 60 agents (load 54 Erlangs, rho = 0.9), exponential patience with mean 120 s
(M/M/60+M: a caller still waiting after their patience hangs up). Every simulator runs
the same horizon; the table prints the best of ``--repeat`` runs, the callers that
arrived, the share that abandoned and the mean wait of the answered, so one can see they
simulate the same thing (the Erlang A figures are printed for reference). Then the fast path on a bank week
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

from qa.counts import count_contacts
from qa.kpis import abandonment_rate, average_speed_of_answer
from simulations.center import simulate_center
from simulations.fcfs import simulate_fcfs
from simulations.scenario import parse_scenario
from wfm import erlang_a

RATE_PER_HOUR, AHT, AGENTS, PATIENCE = 810.0, 240.0, 60, 120.0


def scenario(hours: int, engine: str) -> dict:
    return {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [RATE_PER_HOUR] * hours,
                "aht_seconds": AHT,
                "patience_mean_seconds": PATIENCE,
            }
        ],
        "agents_per_interval": [AGENTS],
        "engine": engine,
    }


Figures = tuple[int, float, float]  # callers, P(abandon), mean wait of the answered


def run_fast(hours: int, seed: int) -> Figures:
    out = simulate_fcfs(parse_scenario(scenario(hours, "fast")), np.random.default_rng(seed))
    c = count_contacts(out.table, 20.0)
    return c.offered, abandonment_rate(c), average_speed_of_answer(c)


def run_general(hours: int, seed: int) -> Figures:
    out = simulate_center(parse_scenario(scenario(hours, "general")), np.random.default_rng(seed))
    c = count_contacts(out.table, 20.0)
    return c.offered, abandonment_rate(c), average_speed_of_answer(c)


def run_ciw(hours: int, seed: int) -> Figures:
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=RATE_PER_HOUR / 3600.0)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / PATIENCE)],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours * 3600.0)
    records = sim.get_all_records()
    served = [r.waiting_time for r in records if r.record_type == "service"]
    reneged = sum(r.record_type == "renege" for r in records)
    return len(records), reneged / max(len(records), 1), float(np.mean(served))


def run_simpy(hours: int, seed: int) -> Figures:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    waits: list[float] = []
    abandoned = [0]

    def caller(env: simpy.Environment) -> object:
        arrived = env.now
        with agents.request() as req:
            got = yield req | env.timeout(rng.exponential(PATIENCE))
            if req not in got:
                abandoned[0] += 1
                return
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
    n = len(waits) + abandoned[0]
    return n, abandoned[0] / max(n, 1), float(np.mean(waits))


def best(fn: Callable[[int, int], Figures], hours: int, repeat: int) -> tuple[float, Figures]:
    times, result = [], (0, 0.0, 0.0)
    for r in range(repeat):
        t = time.process_time()
        result = fn(hours, r)
        times.append(time.process_time() - t)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    load = RATE_PER_HOUR * AHT / 3600.0
    theory = erlang_a.erlang_a(load, AGENTS, AHT, PATIENCE)
    print(
        f"M/M/{AGENTS}+M, {RATE_PER_HOUR:.0f} calls/h, AHT {AHT:.0f} s ({load:.0f} Erlangs, "
        f"rho {load / AGENTS:.2f}), mean patience {PATIENCE:.0f} s, {args.hours} h; Erlang A: "
        f"P(abandon) = {theory.p_abandon:.2%}, "
        f"mean wait of the answered = {theory.mean_wait_answered_seconds:.2f} s"
    )
    print(
        f"| {'simulator':<34} | {'seconds':>8} | {'callers':>7} | {'calls/s':>10} "
        f"| {'abandoned':>9} | {'mean wait s':>11} |"
    )
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 9}|{'-' * 12}|{'-' * 11}|{'-' * 13}|")
    rows = [
        ("contactops fast path (FCFS heap)", run_fast),
        ("contactops general path (engine)", run_general),
        (f"Ciw {ciw.__version__}", run_ciw),
        (f"SimPy {simpy.__version__}", run_simpy),
    ]
    speed: dict[str, float] = {}
    for name, fn in rows:
        secs, (calls, abandoned, wait) = best(fn, args.hours, args.repeat)
        speed[name.split()[1] if name.startswith("contactops") else name.split()[0]] = calls / secs
        print(
            f"| {name:<34} | {secs:8.3f} | {calls:7d} | {calls / secs:10,.0f} "
            f"| {abandoned:9.2%} | {wait:11.2f} |"
        )
    print(
        f"general path: {speed['general'] / speed['Ciw']:.2f} x Ciw, "
        f"{speed['general'] / speed['SimPy']:.2f} x SimPy (calls/s, this run)"
    )
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
