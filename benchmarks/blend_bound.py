"""The most idle time outbound calls can take within a loss of inbound service level, over
every blending policy (not only thresholds), in the idealised model of
:mod:`telesales.blending`.

    python benchmarks/blend_bound.py [--agents 20 30 50] [--max-loss 0.01]

The model: inbound calls Poisson at the rate of the forecast's step, every call (inbound or
outbound) exponential with mean 180 s and not interruptible, inbound patience exponential
(120 s), answered within 20 s counted as in service level; outbound calls always at hand and
started the moment the policy wants (no dial, no ring: the dialler's real losses come on
top). A policy chooses, after every event, how many outbound calls to start (only while no
inbound call waits). Per forecast step this is a constrained Markov decision problem whose
stationary policies are the points of a linear program over state-action frequencies
(Altman 1999, *Constrained Markov decision processes*, ch. 4): the state is ``(i, o)``,
inbound calls in the system and outbound calls in progress; ``p`` the time share of each
state after the decision, ``y`` the rate of each decision (from the state an event leads to,
to the state after starting outbound calls). Maximise the mean outbound calls in progress,
summed over the day's steps, subject to the day's call-weighted service level being at least
the inbound-only one less ``--max-loss``. Its optimum bounds every policy of the model
(randomised and state-dependent ones included); :func:`telesales.blending_plan.plan_day` gives
the best per-step threshold rule, for comparison. Prints both, per team size, for the bank's
mix of the blending benchmark (``bench_outbound.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulations.bank import intraday_steps
from telesales.blending import answered_within, blend_model
from telesales.blending_plan import plan_day

AHT, PATIENCE, TAU = 180.0, 120.0, 20.0
#: inbound calls waiting beyond which arrivals are refused in the LP (their chance is below
#: 1e-12 at these loads; refused calls count as not answered in time: the bound is safe)
QUEUE_CAP = 40


def _step_lp(agents: int, rate: float) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, int]:
    """One step's balance equations ``A [p; y] = b``, the outbound calls in progress and the
    answered-in-time chance of each state, and the number of states."""
    c, mu, theta = agents, 1.0 / AHT, 1.0 / PATIENCE
    u = answered_within(c * mu, theta, QUEUE_CAP + 1, TAU)
    # the balance equations are homogeneous in the rates: count time in AHTs (scaling)
    mu, theta, rate = 1.0, AHT / PATIENCE, rate * AHT
    states = [(i, o) for o in range(c + 1) for i in range(c - o + QUEUE_CAP + 1)]
    index = {s: n for n, s in enumerate(states)}
    outbound = np.array([o for _, o in states], dtype=float)
    within = np.array([1.0 if i < c - o else float(u[i - (c - o)]) if i - (c - o) < QUEUE_CAP
                       else 0.0 for i, o in states])
    pairs = [(index[(i, o)], index[(i, o + k)]) for i, o in states
             for k in range(max(c - o - i, 0) + 1)]
    n, m = len(states), len(pairs)
    rows, cols, vals = [], [], []
    out_rate = np.zeros(n)
    for src, (i, o) in enumerate(states):
        busy_in, queue = min(i, c - o), max(i - (c - o), 0)
        moves = [((i - 1, o), busy_in * mu + queue * theta), ((i, o - 1), o * mu)]
        if (i + 1, o) in index:
            moves.append(((i + 1, o), rate))
        for dst, r in moves:
            if r > 0:
                out_rate[src] += r
                rows.append(n + index[dst])  # inflow into pre-decision state dst
                cols.append(src)
                vals.append(-r)
    for src in range(n):  # post-decision balance: out = the decisions that lead here
        rows.append(src)
        cols.append(src)
        vals.append(out_rate[src])
    for k, (pre, post) in enumerate(pairs):
        rows += [post, n + pre]
        cols += [n + k, n + k]
        vals += [-1.0, 1.0]
    rows += [2 * n] * n  # the time shares sum to one
    cols += list(range(n))
    vals += [1.0] * n
    a = sp.csr_matrix((vals, (rows, cols)), shape=(2 * n + 1, n + m))
    return a, outbound, within, n


def lp_bound(agents: int, steps: list[tuple[float, float]], max_loss: float) -> float:
    """The LP's optimum: outbound agent-time over the inbound-only idle agent-time, for
    equal-length ``steps`` of ``(start, calls per second)`` (module docstring)."""
    blocks, objective, sl_row, rhs, free = [], [], [], [], 0.0
    weights = np.array([rate for _, rate in steps]) / sum(rate for _, rate in steps)
    goal = 0.0
    for (_, rate), w in zip(steps, weights, strict=True):
        a, outbound, within, n = _step_lp(agents, rate)
        m = a.shape[1] - n
        blocks.append(a)
        objective.append(np.concatenate([-outbound, np.zeros(m)]))
        sl_row.append(np.concatenate([-w * within, np.zeros(m)]))
        rhs.append(np.concatenate([np.zeros(a.shape[0] - 1), [1.0]]))
        model = blend_model(agents, rate, AHT, PATIENCE, TAU)
        x = np.arange(len(model.pi))
        free += float(np.maximum(agents - x, 0) @ model.pi)
        goal += w * model.service_level
    res = linprog(np.concatenate(objective), A_ub=sp.csr_matrix(np.concatenate(sl_row)),
                  b_ub=[-(goal - max_loss)], A_eq=sp.block_diag(blocks, format="csr"),
                  b_eq=np.concatenate(rhs), bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"linear program: {res.message}")
    return float(-res.fun / free)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, nargs="+", default=[20, 30, 50])
    ap.add_argument("--max-loss", type=float, default=0.01)
    args = ap.parse_args()
    print(f"bank mix (inbound mean = half the agents, bank's intraday curve 09:00-18:00), "
          f"idle time outbound may take within {args.max_loss * 100:g} point of service level")
    print(f"{'agents':>6}{'any policy (LP)':>17}{'threshold per step':>20}{'seconds':>9}")
    for agents in args.agents:
        raw = intraday_steps(agents * 0.5 * 20)
        steps = [(int(s["from"][:2]) * 3600.0 + int(s["from"][3:]) * 60.0,
                  s["calls_per_hour"] / 3600.0) for s in raw]
        started = time.perf_counter()
        bound = lp_bound(agents, steps, args.max_loss)
        rule = plan_day(agents, steps, 9 * 3600.0, 18 * 3600.0, AHT, PATIENCE, TAU,
                        args.max_loss).predicted_idle_time_used
        print(f"{agents:>6}{bound:>17.1%}{rule:>20.1%}{time.perf_counter() - started:>9.1f}",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
