"""Reference queueing formulas for the simulation-versus-theory tests.

Erlang C comes from ``wfm.erlang``. Erlang A comes from ``wfm.erlang.erlang_a`` when
that module is there; until then from the M/M/n+M birth–death chain solved here
(Garnett, Mandelbaum & Reiman 2002: states ``k`` callers in system, birth ``λ``, death
``min(k, n) μ + max(k − n, 0) θ``; by PASTA ``P(wait) = P(K ≥ n)`` and
``P(abandon) = θ E[(K − n)^+] / λ``).
"""

from __future__ import annotations

import math

import numpy as np

from qa.agent_time import AgentTime
from qa.counts import count_contacts
from qa.kpis import service_level
from qa.records import ContactTable


def erlang_a_birth_death(
    load_erlangs: float, agents: int, aht_seconds: float, patience_seconds: float
) -> tuple[float, float]:
    """``(P(wait), P(abandon))`` of M/M/n+M from its stationary distribution."""
    lam, mu, theta = load_erlangs / aht_seconds, 1 / aht_seconds, 1 / patience_seconds
    kmax = agents + 2000
    logp = np.zeros(kmax + 1)
    for k in range(1, kmax + 1):
        death = min(k, agents) * mu + max(k - agents, 0) * theta
        logp[k] = logp[k - 1] + math.log(lam / death)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    k = np.arange(kmax + 1)
    p_wait = float(p[agents:].sum())
    p_abandon = float(theta * (np.maximum(k - agents, 0) * p).sum() / lam)
    return p_wait, p_abandon


def erlang_a(
    load_erlangs: float, agents: int, aht_seconds: float, patience_seconds: float
) -> tuple[float, float]:
    try:
        from wfm.erlang_a import erlang_a as wfm_erlang_a
    except ImportError:
        return erlang_a_birth_death(load_erlangs, agents, aht_seconds, patience_seconds)
    r = wfm_erlang_a(load_erlangs, agents, aht_seconds, patience_seconds)
    return float(r.p_wait), float(r.p_abandon)


def occupancy(
    load_erlangs: float, agents: int, aht_seconds: float, patience_seconds: float | None
) -> float:
    """Steady-state occupancy: carried load per agent, ``a (1 - P(abandon)) / n`` (Erlang A;
    with ``patience None`` Erlang C's ``a / n``): by Little's law the mean number of busy
    agents is the rate of answered calls times the mean handle time."""
    if patience_seconds is None:
        return load_erlangs / agents
    _, p_abandon = erlang_a(load_erlangs, agents, aht_seconds, patience_seconds)
    return load_erlangs * (1.0 - p_abandon) / agents


def interval_occupancy(agent_time: AgentTime, first: int, last: int | None = None) -> float:
    """``sum busy / sum available`` over the intervals ``first .. last`` (qa.kpis formula)."""
    busy = agent_time.busy_seconds[first:last]
    return float(busy.sum() / agent_time.available_seconds[first:last].sum())


def figures(table: ContactTable, threshold: float, start_seconds: float) -> dict[str, float]:
    """P(wait), SL(threshold), ASA and P(abandon) of the callers arriving after ``start_seconds``."""
    mask = table.arrived_at >= start_seconds
    c0 = count_contacts(table, 0.0, 0.0, mask)
    c = count_contacts(table, threshold, 0.0, mask)
    return {
        "p_wait": 1.0 - service_level(c0),
        "service_level": service_level(c),
        "asa": c.wait_answered_seconds / c.answered,
        "p_abandon": c.abandoned / c.offered,
    }


def z_score(samples: list[float], expected: float) -> float:
    """``(mean − expected) / (s / sqrt(R))`` over independent replications."""
    x = np.asarray(samples)
    return float((x.mean() - expected) / (x.std(ddof=1) / math.sqrt(len(x))))


def z_two(a: list[float], b: list[float]) -> float:
    """Two-sample z of the difference of means of independent replications."""
    x, y = np.asarray(a), np.asarray(b)
    se = math.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
    return float((x.mean() - y.mean()) / se)
