"""Value routing pays: the bank's week under one FIFO queue and under value routing.

    python benchmarks/value_routing.py [--replications 4] [--days 7] [--seed 2026]

The same callers (common random numbers: replication r uses the same seed under both
policies) at the same staffing. Staffing: square-root rule with ``beta`` calibrated so
that the single FIFO queue gives about 80 % in 20 s overall (on separate seeds). Value
routing: the engine's tier ranks (private_banker 0 … inactive 5) with ageing of 60 s a
level. Figures: means over replications ± the 95 % t half-width.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from simulations.bank import bank_week_scenario, calibrate_beta, value_routing_figures
from simulations.results import mean_ci


def _job(args: tuple[str, int, float, int]) -> tuple[str, dict[str, float]]:
    policy, days, beta, seed = args
    return policy, value_routing_figures(bank_week_scenario(policy, days=days, beta=beta), seed)


def _fmt(values: list[float], pct: bool) -> str:
    m, lo, hi = mean_ci(values)
    half = 0.0 if lo is None or hi is None else (hi - lo) / 2
    return f"{m:7.1%} ±{half:5.1%}" if pct else f"{m:6.2f} ±{half:5.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=4)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--target", type=float, default=0.80)
    args = ap.parse_args()
    t0 = time.perf_counter()
    beta = calibrate_beta(args.target, days=args.days)
    data = bank_week_scenario("fifo", days=args.days, beta=beta)
    calls, agents = sum(data["queues"][0]["calls_per_interval"]), data["agents_per_interval"]
    print(
        f"bank week: {args.days} days, {calls:,.0f} calls expected, 5% VIP callers; square-root staffing "
        f"beta = {beta:+.3f}: {sum(agents) / 2:,.0f} agent-hours, {min(agents)}-{max(agents)} agents "
        f"per half hour (calibrated in {time.perf_counter() - t0:.1f} s)"
    )
    seeds = [
        int(s.generate_state(1)[0])
        for s in np.random.SeedSequence(args.seed).spawn(args.replications)
    ]
    jobs = [(p, args.days, beta, s) for s in seeds for p in ("fifo", "value")]
    t1 = time.perf_counter()
    with ProcessPoolExecutor() as ex:
        results = list(ex.map(_job, jobs))
    wall = time.perf_counter() - t1
    by: dict[str, list[dict[str, float]]] = {"fifo": [], "value": []}
    for policy, figs in results:
        by[policy].append(figs)
    n_calls = sum(f["calls"] for _, f in results)
    print(
        f"{len(jobs)} runs on the general path, {n_calls:,.0f} calls in {wall:.1f} s "
        f"({n_calls / wall:,.0f} calls/s on all cores)\n"
    )
    rows = [
        ("VIP SL 10 s", "vip_sl10", True),
        ("VIP SL 20 s", "vip_sl20", True),
        ("VIP ASA s", "vip_asa", False),
        ("VIP abandoned", "vip_abandon", True),
        ("general SL 20 s", "general_sl20", True),
        ("general SL 10 s", "general_sl10", True),
        ("general ASA s", "general_asa", False),
        ("general abandoned", "general_abandon", True),
        ("all SL 20 s", "all_sl20", True),
        ("all ASA s", "all_asa", False),
        ("all abandoned", "all_abandon", True),
    ]
    print(f"| {'figure':<18} | {'single FIFO queue':>17} | {'value routing':>17} |")
    print(f"|{'-' * 20}|{'-' * 19}|{'-' * 19}|")
    for label, key, pct in rows:
        f = _fmt([r[key] for r in by["fifo"]], pct)
        v = _fmt([r[key] for r in by["value"]], pct)
        print(f"| {label:<18} | {f:>17} | {v:>17} |")
    vip = np.mean([r["vip_sl10"] for r in by["value"]])
    gen = np.mean([r["general_sl20"] for r in by["value"]])
    print(
        f"\ngoal VIP >= 90% in 10 s: {'met' if vip >= 0.9 else 'NOT met'} ({vip:.1%}); "
        f"general >= 80% in 20 s: {'met' if gen >= 0.8 else 'NOT met'} ({gen:.1%})"
    )


if __name__ == "__main__":
    main()
