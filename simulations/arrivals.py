"""Arrival times: a non-homogeneous Poisson process, piecewise constant per interval.

In interval ``k`` of length ``L`` seconds with expected ``c_k`` calls (a forecast) the
number of arrivals is ``Poisson(c_k)`` and, given the count, the arrival times are
independent and uniform on ``[k L, (k+1) L)`` (the order-statistics property of the
Poisson process; Ross, *Stochastic Processes*, thm 2.3.1). Sorting the uniforms gives the
arrival epochs. A rate ``r`` per hour is the forecast ``c_k = r L / 3600``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulations.distributions import Distribution


def poisson_arrivals(
    calls_per_interval: Sequence[float] | npt.NDArray[np.float64],
    interval_seconds: float,
    rng: np.random.Generator,
) -> npt.NDArray[np.float64]:
    """Sorted arrival epochs (seconds from the start) for expected counts per interval."""
    expected = np.asarray(calls_per_interval, dtype=np.float64)
    if np.any(expected < 0):
        raise ValueError("calls_per_interval must be >= 0")
    counts = rng.poisson(expected)
    starts = np.repeat(np.arange(len(expected), dtype=np.float64) * interval_seconds, counts)
    times = starts + rng.random(int(counts.sum())) * interval_seconds
    # uniforms within an interval are unsorted, intervals are already in order
    times.sort(kind="stable")
    return times


@dataclass(frozen=True)
class ContactDraws:
    """Everything random about one queue's callers, drawn up front (columns, arrival order).

    Draw order (fixed, so the fast and general paths see the same callers from one seed):
    arrival epochs, handle times, patiences, then tiers (only when the mix has > 1 tier).
    """

    arrived_at: npt.NDArray[np.float64]
    handle_seconds: npt.NDArray[np.float64]
    patience_seconds: npt.NDArray[np.float64]
    tier_index: npt.NDArray[np.int64]


def draw_contacts(
    calls_per_interval: Sequence[float],
    interval_seconds: float,
    handle: Distribution,
    patience: Distribution,
    tier_weights: Sequence[float],
    rng: np.random.Generator,
) -> ContactDraws:
    arrived = poisson_arrivals(calls_per_interval, interval_seconds, rng)
    n = len(arrived)
    handle_s = handle.sample(rng, n)
    patience_s = patience.sample(rng, n)
    if len(tier_weights) > 1:
        tiers = rng.choice(len(tier_weights), size=n, p=np.asarray(tier_weights)).astype(np.int64)
    else:
        tiers = np.zeros(n, dtype=np.int64)
    return ContactDraws(arrived, handle_s, patience_s, tiers)
