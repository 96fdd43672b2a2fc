"""Under-coverage weights per interval: what one more agent buys there (Erlang C).

Without call figures every missing agent-interval weighs ``under_weight``. When the problem
gives the calls offered per interval and the handle time of a skill (``offered_calls``,
``aht_seconds``, ``service_level_threshold_seconds``), a missing agent in interval ``i``
costs the calls it would have answered within the threshold::

    m_i = calls_i * (SL(n_i, A_i) - SL(n_i - 1, A_i)),   A_i = calls_i * AHT / interval,

with ``n_i`` the required agents (rounded up) and ``SL`` the Erlang C service level
(:func:`wfm.erlang.service_level`). The weights are ``under_weight * m_i / mean(m)`` over the
intervals that require agents, floored at ``under_weight / 10`` so that no required interval
is ever left empty for free: the same total weight, moved to where an agent matters most.
"""

from __future__ import annotations

import numpy as np

from wfm.erlang_c import service_level
from wfm.roster_problem import RosterProblem

MIN_SHARE = 0.1  # the least weight an interval that needs agents keeps, as a share of the mean


def under_weights(problem: RosterProblem, skill: str) -> np.ndarray:
    """Weight of one missing agent-interval, per interval of ``skill``."""
    need = problem.requirement(skill)
    flat = np.full(problem.n_intervals, float(problem.under_weight))
    calls = problem.offered_calls.get(skill)
    aht = problem.aht_seconds.get(skill)
    if calls is None or aht is None:
        return flat
    interval = problem.interval_minutes * 60.0
    load = calls * aht / interval
    n = np.ceil(need)
    gain = np.zeros(problem.n_intervals)
    busy = n > 0
    t = problem.service_level_threshold_seconds
    upper = np.asarray(service_level(load[busy], n[busy], aht, t), dtype=float)
    lower = np.asarray(service_level(load[busy], np.maximum(n[busy] - 1, 0), aht, t), dtype=float)
    gain[busy] = calls[busy] * np.clip(upper - lower, 0.0, 1.0)
    mean = gain[busy].mean() if busy.any() else 0.0
    if mean <= 0:
        return flat
    weights: np.ndarray = problem.under_weight * np.maximum(gain / mean, MIN_SHARE)
    return np.where(busy, weights, float(problem.under_weight))
