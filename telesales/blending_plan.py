"""A day's blending plan: one threshold per forecast step, the day's margin spent where it buys
the most outbound time.

:func:`telesales.blending.blend_threshold` gives every moment of the day the same margin of
service level. A day's target is the service level over all its calls, so a plan may lose
more in a trough, where a point of service level buys many idle agent-minutes, and less in
a peak, where it buys few (after the Lagrangian relaxation of a constrained Markov decision
problem, Altman 1999; Bhulai and Koole 2003 show a threshold on idle agents is optimal at
one load, so each step keeps a threshold). For a multiplier ``ν`` every step ``k`` (length
``d_k``, inbound rate ``λ_k``) takes::

    T_k(ν) = argmax_T  W_k(T) − ν λ_k L_k(T) / λ̄

with ``W_k(T)`` the agents' outbound work the threshold leaves room for
(:meth:`telesales.blending.BlendModel.idle_time_used` times the step's free agents),
``L_k(T)`` its loss of service level (:meth:`~telesales.blending.BlendModel.loss`) and
``λ̄`` the day's mean rate. The day's loss ``Σ d_k λ_k L_k(T_k) / Σ d_k λ_k`` falls as ``ν``
rises; :func:`plan_day` bisects for the smallest ``ν`` whose loss is within the margin, which
gives the most work any per-step threshold rule of the model gets within it (up to the
convex hull's corners). The model's premises (outbound work always at hand, exponential,
uninterruptible, as long as inbound work) are those of :mod:`telesales.blending`; its
``idle_time_used`` at the plan is the bound the benchmark prints.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from telesales.blending import BlendModel, blend_model

#: bisection steps over log ν (the bracket spans 1e-6 to 1e9: 50 steps is exact to 1e-6)
_BISECTIONS = 50


@dataclass(frozen=True, slots=True)
class BlendPlan:
    """Thresholds for one day: step ``k`` runs from ``starts[k]`` (seconds after midnight) to
    the next start, keeps ``reserves[k]`` agents idle for inbound, and is predicted to serve
    ``service_levels[k]`` inbound-only and to lose ``losses[k]`` of it."""

    starts: tuple[float, ...]
    reserves: tuple[int, ...]
    losses: tuple[float, ...]
    service_levels: tuple[float, ...]
    #: the day's predicted loss (call-weighted) and share of the idle time outbound takes
    predicted_loss: float
    predicted_idle_time_used: float
    #: τ, the service level's threshold: an agent whose wrap-up ends within it answers a
    #: call that arrives now in time, so :meth:`reserve` counts it as idle
    threshold_seconds: float = 20.0

    def step_at(self, second_of_day: float) -> int:
        return max(bisect.bisect_right(self.starts, second_of_day) - 1, 0)

    def reserve_at(self, second_of_day: float) -> int:
        return self.reserves[self.step_at(second_of_day)]

    def reserve(self, second_of_day: float, offset: int = 0,
                wrap_up_left_seconds: Sequence[float] = ()) -> int:
        """Ready agents to keep idle for inbound now: the step's threshold plus the
        feedback's ``offset``, less the agents in wrap-up that end it within τ (the model
        takes every job as one exponential; a wrap-up is short and certain, and such an
        agent answers a call that arrives now within the threshold). Never negative."""
        soon = sum(1 for left in wrap_up_left_seconds if left <= self.threshold_seconds)
        return max(0, self.reserve_at(second_of_day) + offset - soon)

    def goal_at(self, second_of_day: float) -> float:
        """The service level the plan aims at in the step of ``second_of_day``: the
        inbound-only one less the loss planned there (the feedback's goal)."""
        k = self.step_at(second_of_day)
        return self.service_levels[k] - self.losses[k]


@dataclass(frozen=True, slots=True)
class _Step:
    weight: float  # d_k λ_k / Σ d λ: the step's share of the day's calls
    free: float  # d_k × the inbound-only center's idle agents, agent-seconds
    loss: npt.NDArray[np.float64]  # L_k(T), T = 0..c
    work: npt.NDArray[np.float64]  # W_k(T) × d_k, agent-seconds
    model: BlendModel


def plan_day(agents: int, steps: Sequence[tuple[float, float]], open_seconds: float,
             close_seconds: float, aht_seconds: float, patience_seconds: float | None,
             threshold_seconds: float, max_loss: float) -> BlendPlan:
    """The plan for a day of ``steps`` ``(seconds after midnight, calls per second)``
    (the step in force at ``open_seconds`` is the first), between open and close, whose
    predicted call-weighted loss is at most ``max_loss`` (module docstring)."""
    if not 0 <= max_loss <= 1:
        raise ValueError(f"max_loss must be between 0 and 1, got {max_loss!r}")
    if not close_seconds > open_seconds:
        raise ValueError(f"close_seconds must be after open_seconds, got {close_seconds!r}")
    if not steps:
        raise ValueError("steps must hold at least one (start, calls per second)")
    spans = _spans(steps, open_seconds, close_seconds)
    parts = [_step(agents, rate, end - start, aht_seconds, patience_seconds, threshold_seconds)
             for start, end, rate in spans]
    total_calls = sum(p.weight for p in parts)
    parts = [_Step(p.weight / total_calls if total_calls else 0.0, p.free, p.loss, p.work,
                   p.model) for p in parts]
    lo, hi = math.log(1e-6), math.log(1e9)
    if _loss(parts, _choose(parts, math.exp(lo))) > max_loss:
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            if _loss(parts, _choose(parts, math.exp(mid))) <= max_loss:
                hi = mid
            else:
                lo = mid
        chosen = _choose(parts, math.exp(hi))
    else:
        chosen = _choose(parts, math.exp(lo))
    free = sum(p.free for p in parts)
    work = sum(float(p.work[t]) for p, t in zip(parts, chosen, strict=True))
    return BlendPlan(
        starts=tuple(start for start, _, _ in spans), reserves=tuple(chosen),
        losses=tuple(float(p.loss[t]) for p, t in zip(parts, chosen, strict=True)),
        service_levels=tuple(p.model.service_level for p in parts),
        predicted_loss=_loss(parts, chosen),
        predicted_idle_time_used=work / free if free > 0 else 0.0,
        threshold_seconds=threshold_seconds)


def _spans(steps: Sequence[tuple[float, float]], open_seconds: float,
           close_seconds: float) -> list[tuple[float, float, float]]:
    """``(start, end, rate)`` of the steps clipped to the day's hours."""
    starts = [s for s, _ in steps]
    if starts != sorted(starts):
        raise ValueError("steps must be in time order")
    out: list[tuple[float, float, float]] = []
    for i, (start, rate) in enumerate(steps):
        end = steps[i + 1][0] if i + 1 < len(steps) else math.inf
        lo, hi = max(start, open_seconds), min(end, close_seconds)
        if hi > lo:
            out.append((lo, hi, rate))
    return out


def _step(agents: int, rate: float, seconds: float, aht: float, patience: float | None,
          tau: float) -> _Step:
    model = blend_model(agents, rate, aht, patience, tau)
    x = np.arange(len(model.pi))
    free = float(np.maximum(agents - x, 0) @ model.pi)  # the inbound-only idle agents
    loss = np.array([model.loss(t) for t in range(agents + 1)])
    work = np.array([model.idle_time_used(t) for t in range(agents + 1)]) * free * seconds
    return _Step(rate * seconds, free * seconds, loss, work, model)


def _choose(parts: Sequence[_Step], nu: float) -> list[int]:
    """Every step's threshold for the multiplier ``nu`` (ties: the larger reserve)."""
    out = []
    scale = nu * sum(q.free for q in parts)
    for p in parts:
        value = p.work - scale * p.weight * p.loss
        out.append(int(len(value) - 1 - np.argmax(value[::-1])))
    return out


def _loss(parts: Sequence[_Step], chosen: Sequence[int]) -> float:
    return sum(p.weight * float(p.loss[t]) for p, t in zip(parts, chosen, strict=True))
