"""Inbound/outbound blending: how many idle agents to keep for inbound calls.

The policy is Bhulai and Koole's (2003, "A queueing model for call blending in call
centers", IEEE Trans. Automatic Control 48(8)): outbound work that can wait is started only
while more than a threshold ``T`` of agents is idle (and no inbound call waits), and the
best ``T`` depends on the number of agents and on the inbound load. Here ``T`` is the
smallest reserve whose predicted loss of inbound service level, against an inbound-only
center with the same agents, is at most a margin (:func:`blend_threshold`), re-read as the
inbound forecast changes through the day, and corrected by the service level measured so
far (:class:`ReserveFeedback`).

The model (:func:`service_level_loss`)
--------------------------------------
Inbound calls arrive Poisson (rate ``λ``); every job, inbound or outbound, takes an
exponential time of mean ``1/μ`` (the AHT); inbound callers wait with exponential patience
(rate ``θ``; Erlang A after Garnett, Mandelbaum and Reiman 2002). Count ``x`` = agents busy
(with anything) plus inbound calls waiting. Inbound arrivals raise ``x`` by one; it falls
at rate ``d(x) = min(x, c)μ + max(x − c, 0)θ``, whatever the job that ended. In the
inbound-only center ``x`` lives on ``0, 1, …`` and its stationary law ``π`` is Erlang A's:
``π(x + 1)/π(x) = λ / d(x + 1)``. With outbound work always at hand and started the
moment more than ``T`` agents are idle, ``x`` never stays below ``c − T``: the same
birth-death chain reflected at ``c − T``, so its law is ``π`` restricted to
``x ≥ c − T`` and renormalised. An arriving call waits when ``x ≥ c`` (PASTA), and once
it waits both chains are the same above ``c``. Hence, with ``S = 1 − P(wait)·(1 − h)``
the service level (``h`` = the chance that a waiting call is answered within ``τ``)::

    P_T(wait) = P(wait) / P(x ≥ c − T)
    loss(T)   = S_only − S_T = (1 − S_only) · (1 / P(x ≥ c − T) − 1)

The model is the worst case for inbound of the real dialler (outbound work there starts
after a dial and a ring, not at once), so the reserve it gives is a safe start that the
measured feedback then corrects. Pure: numpy and the standard library only.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: the chain is cut where the stationary mass left is below this (far out in the queue)
_TAIL_EPSILON = 1e-12
#: at most this many states beyond ``c`` (the queue) are kept
_MAX_QUEUE_STATES = 2000
#: integration steps per second of the answered-within-τ equations (rates stay below ~10/s)
_STEPS_PER_SECOND = 20


@dataclass(frozen=True, slots=True)
class BlendModel:
    """The inbound-only center's chain for ``agents`` agents at one inbound load.

    ``pi`` is the stationary law of ``x`` (busy agents plus waiting calls), ``service_level``
    the inbound-only service level within ``threshold_seconds`` (answered within τ over
    offered, abandoned calls counted as not answered in time)."""

    agents: int
    pi: npt.NDArray[np.float64]
    service_level: float
    calls_per_second: float
    aht_seconds: float
    #: θ, 1 / the mean patience (0: callers never hang up)
    abandon_rate: float

    @property
    def wait_probability(self) -> float:
        """P(an arriving call waits) in the inbound-only center (Erlang A's)."""
        return float(self.pi[self.agents:].sum())

    def loss(self, reserve: int) -> float:
        """The inbound service level lost by a blend that keeps ``reserve`` agents idle:
        ``(1 − S_only)(1 / P(x ≥ c − T) − 1)`` (module docstring)."""
        if reserve < 0:
            raise ValueError(f"reserve must be >= 0, got {reserve!r}")
        low = max(self.agents - reserve, 0)
        if low == 0:
            return 0.0  # every agent kept for inbound: the inbound-only center
        kept = float(self.pi[low:].sum())
        if kept <= 0.0:
            return 1.0 - self.service_level
        return (1.0 - self.service_level) * (1.0 / kept - 1.0)


    def idle_time_used(self, reserve: int) -> float:
        """The share of the inbound-only center's idle agent-time that outbound work takes
        in the idealised blend with ``reserve`` (outbound always at hand, started at once).

        Agents are idle, on inbound or on outbound: ``c = E[idle] + B_in + B_out``, with the
        inbound busy agents ``B_in = (λ − θ E[queue]) / μ`` (the calls not abandoned) and
        expectations over ``π`` restricted to ``x ≥ c − T``; the share is ``B_out`` over the
        inbound-only center's ``c − B_in``. The calls the blend lets abandon free agents
        too, and count here as outbound time: the most any threshold policy of this model
        uses at this reserve; a real dialler, which waits for a ring, uses less."""
        if reserve < 0:
            raise ValueError(f"reserve must be >= 0, got {reserve!r}")
        c = self.agents
        x = np.arange(len(self.pi))
        idle, queue = np.maximum(c - x, 0), np.maximum(x - c, 0)

        def busy_and_idle(pi: npt.NDArray[np.float64]) -> tuple[float, float]:
            served = self.calls_per_second - self.abandon_rate * float(queue[-len(pi):] @ pi)
            return served * self.aht_seconds, float(idle[-len(pi):] @ pi)

        inbound_only, _ = busy_and_idle(self.pi)
        free = c - inbound_only
        low = max(c - reserve, 0)
        kept = self.pi[low:] / float(self.pi[low:].sum())
        inbound, idle_kept = busy_and_idle(kept)
        return max(0.0, (c - idle_kept - inbound) / free) if free > 0 else 0.0

    def best_within(self, max_loss: float) -> tuple[int, float]:
        """The reserve of :func:`blend_threshold` for ``max_loss`` and the idle time it uses
        (:meth:`idle_time_used`): the frontier of the threshold policy at this load."""
        reserve = next(t for t in range(self.agents + 1) if self.loss(t) <= max_loss)
        return reserve, self.idle_time_used(reserve)


def _check(agents: int, calls_per_second: float, aht_seconds: float,
           patience_seconds: float | None, threshold_seconds: float) -> None:
    if agents < 1:
        raise ValueError(f"agents must be >= 1, got {agents!r}")
    if not calls_per_second >= 0:
        raise ValueError(f"calls_per_second must be >= 0, got {calls_per_second!r}")
    if not aht_seconds > 0:
        raise ValueError(f"aht_seconds must be > 0, got {aht_seconds!r}")
    if patience_seconds is not None and not patience_seconds > 0:
        raise ValueError(f"patience_seconds must be > 0 or None, got {patience_seconds!r}")
    if not threshold_seconds >= 0:
        raise ValueError(f"threshold_seconds must be >= 0, got {threshold_seconds!r}")


@functools.lru_cache(maxsize=512)
def blend_model(agents: int, calls_per_second: float, aht_seconds: float,
                patience_seconds: float | None, threshold_seconds: float) -> BlendModel:
    """The inbound-only chain (Erlang A; Erlang C when ``patience_seconds`` is None).

    ``π`` is built in logs (``log π(x+1) = log π(x) + log λ − log d(x+1)``), so it stays
    finite for hundreds of agents; the queue is cut when its remaining mass is negligible
    (or after ``_MAX_QUEUE_STATES`` states: an overloaded center without patience)."""
    _check(agents, calls_per_second, aht_seconds, patience_seconds, threshold_seconds)
    mu = 1.0 / aht_seconds
    theta = 0.0 if patience_seconds is None else 1.0 / patience_seconds
    lam = max(calls_per_second, 1e-300)
    logs = [0.0]
    x = 0
    while True:
        x += 1
        rate = min(x, agents) * mu + max(x - agents, 0) * theta
        logs.append(logs[-1] + math.log(lam) - math.log(rate))
        if x >= agents and (x - agents >= _MAX_QUEUE_STATES
                            or (lam < rate and logs[-1] - max(logs) < math.log(_TAIL_EPSILON))):
            break
    log_pi = np.array(logs)
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    waiting = pi[agents:]
    within = answered_within(agents * mu, theta, len(waiting), threshold_seconds)
    service_level = 1.0 - float(waiting.sum()) + float(waiting @ within)
    return BlendModel(agents, pi, min(max(service_level, 0.0), 1.0), calls_per_second,
                      aht_seconds, theta)


def answered_within(served_rate: float, theta: float, positions: int,
                     tau: float) -> npt.NDArray[np.float64]:
    """``u[j]`` = P(a call that finds ``j`` calls ahead of it, all agents busy, is answered
    within ``tau``). Backward equations (RK4), ``u_{-1} ≡ 1``::

        u_j' = (cμ + jθ)(u_{j−1} − u_j) − θ u_j,   u_j(0) = 0
    """
    u = np.zeros(positions)
    if tau <= 0 or positions == 0:
        return u
    rates = served_rate + theta * np.arange(positions)
    steps = max(1, math.ceil(tau * _STEPS_PER_SECOND * max(1.0, float(rates[-1]) / 5.0)))
    dt = tau / steps

    def slope(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        ahead = np.concatenate(([1.0], v[:-1]))
        return np.asarray(rates * (ahead - v) - theta * v, dtype=np.float64)

    for _ in range(steps):
        k1 = slope(u)
        k2 = slope(u + 0.5 * dt * k1)
        k3 = slope(u + 0.5 * dt * k2)
        k4 = slope(u + dt * k3)
        u = u + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return np.clip(u, 0.0, 1.0)


def service_level_loss(agents: int, calls_per_second: float, aht_seconds: float,
                       patience_seconds: float | None, threshold_seconds: float,
                       reserve: int) -> float:
    """Predicted inbound service level lost, against the inbound-only center, by blending
    with ``reserve`` agents kept idle (module docstring)."""
    return blend_model(agents, calls_per_second, aht_seconds, patience_seconds,
                       threshold_seconds).loss(reserve)


@functools.lru_cache(maxsize=4096)
def blend_threshold(agents: int, calls_per_second: float, aht_seconds: float,
                    patience_seconds: float | None, threshold_seconds: float,
                    max_loss: float) -> int:
    """The smallest reserve ``T`` (0 to ``agents``) whose predicted service-level loss is at
    most ``max_loss`` (``T = agents``, no outbound at all, loses nothing)."""
    if not 0 <= max_loss <= 1:
        raise ValueError(f"max_loss must be between 0 and 1, got {max_loss!r}")
    model = blend_model(agents, calls_per_second, aht_seconds, patience_seconds,
                        threshold_seconds)
    # P(x >= c - T) rises with T, so the loss falls: the first T that fits is the answer
    tail = np.cumsum(model.pi[::-1])[::-1]  # tail[x] = P(X >= x)
    not_in_time = 1.0 - model.service_level
    for reserve in range(agents + 1):
        kept = float(tail[agents - reserve])
        if kept > 0 and not_in_time * (1.0 / kept - 1.0) <= max_loss:
            return reserve
    return agents


@dataclass(slots=True)
class ReserveFeedback:
    """The measured correction of the reserve (an integral controller on the service level).

    Every inbound call that ends (answered or abandoned) adds ``goal − within`` to the
    ``deficit``, where ``goal`` is the inbound-only service level predicted for that moment
    less the allowed margin, and ``within`` is 1 if it was answered within the threshold:
    the deficit is how many calls the blended center is behind its goal so far. The
    reserve is raised by one agent per ``calls_per_agent`` calls behind and lowered by one
    per ``calls_per_agent`` calls ahead, between ``-max_lower`` and ``max_raise``.
    ``calls_per_agent = 4``: about one hour of a 20-agent center running half a point
    behind moves the reserve by one; a smaller value chases noise, a larger one reacts after
    the harm is done."""

    calls_per_agent: float = 4.0
    max_raise: int = 10
    max_lower: int = 6
    deficit: float = 0.0

    def __post_init__(self) -> None:
        if not self.calls_per_agent > 0:
            raise ValueError(f"calls_per_agent must be > 0, got {self.calls_per_agent!r}")
        if self.max_raise < 0 or self.max_lower < 0:
            raise ValueError("max_raise and max_lower must be >= 0")

    def observe(self, answered_within: bool, goal: float) -> None:
        """One inbound call ended: answered within the threshold or not (abandoned, late)."""
        self.deficit += goal - (1.0 if answered_within else 0.0)

    def offset(self) -> int:
        """Agents to add to the model's reserve (negative: fewer)."""
        steps = math.floor(self.deficit / self.calls_per_agent)
        return max(-self.max_lower, min(self.max_raise, steps))
