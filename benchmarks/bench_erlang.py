"""Erlang staffing benchmark: ours beside pyworkforce's ErlangC on the same inputs.

    python benchmarks/bench_erlang.py

1. required agents at 16,667 Erlangs (166,670 calls per 30 min, AHT 180 s, 80 % in 20 s);
2. Erlang A staffing at 1,667 Erlangs (patience 120 s): SL target, and abandonment <= 3 %;
   and with patient callers (patience 1e4 s and 1e6 s: the integral route, x = n/r > 1e3);
3. a week of 15-minute intervals for 20 queues (672 x 20 = 13,440 staffing computations),
   vectorised (Erlang C and Erlang A) and, for pyworkforce, one interval at a time.

pyworkforce's ``required_positions`` steps one agent at a time from ``round(A + 1)`` and
recomputes Erlang B from scratch at each step (O(n) each), so large loads take long; it is
given a time budget and skipped beyond it. Its ``asa`` argument is the SL threshold.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wfm.staffing import (
    required_agents,
    required_agents_erlang_a,
    required_agents_fractional,
    staff_intervals,
)

PYWORKFORCE_BUDGET_SECONDS = 120.0


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """Best wall time over ``repeat`` runs (seconds) and the last result."""
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def pyworkforce_required(
    calls: float, aht_s: float, interval_s: float, target: float, t_s: float
) -> int:
    from pyworkforce.queuing import ErlangC

    ec = ErlangC(transactions=calls, aht=aht_s / 60, asa=t_s / 60, interval=interval_s / 60)
    return int(ec.required_positions(service_level=target, max_occupancy=1.0)["raw_positions"])


def try_pyworkforce(fn: Callable[[], Any], repeat: int = 1) -> str:
    try:
        import pyworkforce  # noqa: F401
    except ImportError:
        return "pyworkforce not installed"
    try:
        dt, out = timed(fn, repeat)
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        return f"pyworkforce failed: {type(exc).__name__}: {exc}"
    return f"pyworkforce {fmt(dt)} -> {out}"


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms" if seconds < 10 else f"{seconds:9.1f} s "


def bench_large_erlang_c() -> None:
    print("1. Erlang C, 16,667 Erlangs (166,670 calls / 30 min, AHT 180 s, 80% in 20 s)")
    dt, res = timed(lambda: required_agents(166_670, 1800, 180, 0.8, 20))
    print(f"   ours        {fmt(dt)} -> {res.agents} agents, SL {res.service_level:.4f}")
    for calls, label in (
        (16_670, "1,667 Erlangs"),
        (166_670, "16,667 Erlangs"),
        (1_000_000, "100,000 Erlangs"),
    ):
        ours = required_agents(calls, 1800, 180, 0.8, 20).agents
        est = _pyworkforce_estimate(calls * 180 / 1800)
        if est > PYWORKFORCE_BUDGET_SECONDS:
            print(f"   {label}: pyworkforce skipped (estimated {est:.0f} s > budget)")
            continue
        print(
            f"   {label}: ours {ours}; "
            + try_pyworkforce(lambda c=calls: pyworkforce_required(c, 180, 1800, 0.8, 20))
        )


def _pyworkforce_estimate(load: float) -> float:
    """Seconds pyworkforce would take: ~(steps from A+1) x n Python iterations at ~60 ns."""
    steps = max(1.0, 0.6 * math.sqrt(load))
    return steps * (load + steps) * 6e-8


def bench_erlang_a() -> None:
    print("2. Erlang A, 1,667 Erlangs (AHT 180 s, patience 120 s)")
    for label, kwargs in (
        ("80% in 20 s", {"service_level_target": 0.8, "threshold_seconds": 20}),
        ("abandon <= 3%", {"abandon_target": 0.03}),
        (
            "80% in 20 s and abandon <= 3%",
            {"service_level_target": 0.8, "threshold_seconds": 20, "abandon_target": 0.03},
        ),
    ):
        dt, res = timed(lambda kw=kwargs: required_agents_erlang_a(16_670, 1800, 180, 120, **kw))
        print(
            f"   {label:32s} {fmt(dt)} -> {res.agents} agents, SL {res.service_level:.4f}, "
            f"P(ab) {res.p_abandon:.4f}"
        )
    for patience in (1e4, 1e6):
        dt, res = timed(
            lambda p=patience: required_agents_erlang_a(
                16_670, 1800, 180, p, service_level_target=0.8, threshold_seconds=20
            )
        )
        print(
            f"   patience {patience:.0e} s, 80% in 20 s{'':9s} {fmt(dt)} -> {res.agents} agents, "
            f"SL {res.service_level:.4f}, P(ab) {res.p_abandon:.2e}"
        )
    print("   pyworkforce: no Erlang A")


def week_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2026)
    slots = np.arange(672) % 96
    daily = np.clip(np.sin((slots - 28) / 96 * 2 * np.pi * 0.9), 0, None)  # open ~07:00-21:00
    sizes = rng.uniform(20, 600, size=20)  # peak calls per 15 min per queue
    calls = np.round(sizes[:, None] * daily[None, :] * rng.uniform(0.9, 1.1, size=(20, 672)), 1)
    aht = rng.uniform(120, 360, size=20)[:, None] * np.ones((1, 672))
    return calls.ravel(), aht.ravel()


def bench_week() -> None:
    calls, aht = week_inputs()
    live = int((calls > 0).sum())
    print(
        f"3. a week of 15-min intervals x 20 queues = {calls.size} intervals ({live} open), "
        f"loads up to {float((calls * aht / 900).max()):.0f} Erlangs"
    )
    dt, plan = timed(
        lambda: staff_intervals(calls, 900, aht, service_level_target=0.8, threshold_seconds=20),
        repeat=3,
    )
    print(f"   ours, Erlang C vectorised   {fmt(dt)} -> {int(plan.agents.sum())} agent-intervals")
    dt1, loop = timed(
        lambda: [required_agents(c, 900, h, 0.8, 20).agents for c, h in zip(calls, aht)], repeat=1
    )
    print(
        f"   ours, Erlang C one by one   {fmt(dt1)} (same: {bool(np.array_equal(loop, plan.agents))})"
    )
    dt, plan_a = timed(
        lambda: staff_intervals(
            calls,
            900,
            aht,
            service_level_target=0.8,
            threshold_seconds=20,
            abandon_target=0.03,
            patience_mean_seconds=120.0,
        ),
        repeat=3,
    )
    print(f"   ours, Erlang A vectorised   {fmt(dt)} -> {int(plan_a.agents.sum())} agent-intervals")

    dt, frac = timed(lambda: required_agents_fractional(calls, 900, aht, 0.8, 20).sum(), repeat=1)
    print(
        f"   ours, fractional agents     {fmt(dt)} -> {frac:.1f} agent-intervals "
        f"(rounding each interval up first adds {int(plan.agents.sum()) - frac:.0f})"
    )

    def theirs() -> str:
        out = [pyworkforce_required(c, h, 900, 0.8, 20) if c > 0 else 0 for c, h in zip(calls, aht)]
        same = int(np.sum(np.array(out) == plan.agents))
        return f"{sum(out)} agent-intervals, {same}/{calls.size} equal to ours"

    print("   " + try_pyworkforce(theirs))


def main() -> None:
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}")
    bench_large_erlang_c()
    bench_erlang_a()
    bench_week()


if __name__ == "__main__":
    main()
