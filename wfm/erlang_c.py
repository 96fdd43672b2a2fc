"""Erlang C: the probability that a call waits, service level, average speed of answer and
occupancy of the M/M/n queue, from the Erlang B recursion of :mod:`wfm.erlang_b`.

Erlang C (M/M/n, probability that a call waits), for ``x > A``::

    C = x B / (x - A (1 - B)) = x / ((x - A)/B + A)          (C = 1 when x <= A)

Service level and average speed of answer (all calls, FCFS)::

    SL(t) = P(W <= t) = 1 - C exp(-(n - A) t / AHT)
    ASA   = E[W]      = C AHT / (n - A)
    occupancy         = A / n

When ``n <= A`` the queue is unstable: ``P(wait) = 1``, ``SL = 0``, ``ASA = inf``.

References: G. Koole, "Call Center Optimization" (2013), ch. 4.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wfm.erlang_b import (
    ArrayLike,
    FloatArray,
    as_output,
    check_agents,
    check_load,
    check_non_negative,
    check_positive,
    inverse_erlang_b_arrays,
    inverse_erlang_b_scalar,
)

__all__ = [
    "asa_arrays",
    "average_speed_of_answer",
    "erlang_c",
    "erlang_c_arrays",
    "occupancy",
    "service_level",
    "service_level_arrays",
]


def _erlang_c_from_inverse_b(load: FloatArray, x: FloatArray, inv_b: FloatArray) -> FloatArray:
    """``C = x / ((x - A)/B + A)`` for ``x > A``; 1 otherwise (0 where ``1/B`` is inf)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        c = x / ((x - load) * inv_b + load)
    stable = x > load
    c = np.where(stable, c, 1.0)
    c = np.where(stable & np.isinf(inv_b), 0.0, c)
    return np.asarray(c, dtype=np.float64)


def erlang_c_arrays(load: FloatArray, x: FloatArray) -> FloatArray:
    load, x = np.broadcast_arrays(load, x)
    if load.ndim == 0:
        inv_b = np.asarray(inverse_erlang_b_scalar(float(load), float(x)))
    else:
        inv_b = inverse_erlang_b_arrays(load, x)
    return _erlang_c_from_inverse_b(load, x, inv_b)


def erlang_c(offered_load_erlangs: ArrayLike, agents: ArrayLike) -> Any:
    """Erlang C: probability that a call waits in M/M/n, ``C = nB / (n - A(1 - B))``.

    ``agents`` may be real (continued Erlang C through the incomplete-gamma form of B);
    ``C = 1`` when ``agents <= A`` (unstable queue). Vectorised.
    """
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    x = check_agents("agents", agents)
    return as_output(erlang_c_arrays(load, x), offered_load_erlangs, agents)


def service_level_arrays(
    load: FloatArray, x: FloatArray, aht: FloatArray, t: FloatArray
) -> FloatArray:
    c = erlang_c_arrays(load, x)
    with np.errstate(over="ignore"):
        sl = 1.0 - c * np.exp(-(x - load) * t / aht)
    return np.asarray(np.where(x > load, sl, 0.0), dtype=np.float64)


def service_level(
    offered_load_erlangs: ArrayLike,
    agents: ArrayLike,
    aht_seconds: ArrayLike,
    threshold_seconds: ArrayLike,
) -> Any:
    """Erlang C service level ``P(W <= t) = 1 - C exp(-(n - A) t / AHT)``; 0 when ``n <= A``."""
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    x = check_agents("agents", agents)
    aht = check_positive("aht_seconds", aht_seconds)
    t = check_non_negative("threshold_seconds", threshold_seconds)
    return as_output(
        service_level_arrays(load, x, aht, t),
        offered_load_erlangs,
        agents,
        aht_seconds,
        threshold_seconds,
    )


def asa_arrays(load: FloatArray, x: FloatArray, aht: FloatArray) -> FloatArray:
    c = erlang_c_arrays(load, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = c * aht / (x - load)
    return np.asarray(np.where(x > load, asa, np.inf), dtype=np.float64)


def average_speed_of_answer(
    offered_load_erlangs: ArrayLike, agents: ArrayLike, aht_seconds: ArrayLike
) -> Any:
    """Erlang C mean wait over all calls, ``ASA = C AHT / (n - A)`` seconds; inf if ``n <= A``."""
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    x = check_agents("agents", agents)
    aht = check_positive("aht_seconds", aht_seconds)
    return as_output(asa_arrays(load, x, aht), offered_load_erlangs, agents, aht_seconds)


def occupancy(offered_load_erlangs: ArrayLike, agents: ArrayLike) -> Any:
    """Erlang C agent occupancy ``A / n`` (capped at 1: beyond it the queue grows)."""
    load = check_load("offered_load_erlangs", offered_load_erlangs)
    x = check_agents("agents", agents, positive=True)
    return as_output(np.minimum(load / x, 1.0), offered_load_erlangs, agents)

