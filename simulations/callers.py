"""The callers of one replication: drawn from the scenario, or scripted.

Either way the general path (:mod:`simulations.center`) sees one :class:`Callers`
table, merged over queues in arrival order; caller ``i`` is contact ``c{i}``.

* :func:`draw_callers`: per queue, :func:`simulations.arrivals.draw_contacts` (arrival
  epochs, handle times, patiences, tiers, in that fixed draw order), queue after queue;
  then, after every queue's draws, the routing hints of the queues that have them, queue
  after queue: each caller's site from the queue's ``site_mix``, then whether the caller
  has a preferred agent (``preferred_agent_share``) and which (uniform over
  ``preferred_agents``); then a stable merge by arrival time. Drawing the hints last
  keeps the callers of a scenario without them exactly as before, and the same seed
  gives the same callers whatever the routing policy (paired comparisons, e.g. of
  ``overflow_after_seconds``).
* :func:`scripted_callers`: fixed :class:`ScriptedContact` s (tests, replaying a log),
  stably sorted by arrival time; nothing is drawn for them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.events import TIERS
from simulations.arrivals import draw_contacts
from simulations.scenario import QueueSpec, Scenario


@dataclass(frozen=True, slots=True)
class ScriptedContact:
    """One fixed caller: arrives at ``arrived_at`` (seconds from the scenario start) in
    ``queue`` with value ``tier``; talks ``handle_seconds`` once answered (on the first
    leg: a transferred leg draws its new queue's handle time); hangs up unanswered after
    ``patience_seconds`` (``inf``: never). ``site`` and ``preferred_agent_id`` are the
    engine's routing hints (``routing.engine.ContactSpec``)."""

    arrived_at: float
    queue: str
    tier: str = "core"
    handle_seconds: float = 0.0
    patience_seconds: float = math.inf
    site: str | None = None
    preferred_agent_id: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.arrived_at) and self.arrived_at >= 0):
            raise ValueError(f"arrived_at must be finite and >= 0, got {self.arrived_at!r}")
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if not (math.isfinite(self.handle_seconds) and self.handle_seconds >= 0):
            raise ValueError(f"handle_seconds must be finite and >= 0, got {self.handle_seconds!r}")
        if not self.patience_seconds >= 0:
            raise ValueError(f"patience_seconds must be >= 0, got {self.patience_seconds!r}")
        if self.site is not None and not self.site:
            raise ValueError("site must not be empty (None: no site)")
        if self.preferred_agent_id is not None and not self.preferred_agent_id:
            raise ValueError("preferred_agent_id must not be empty (None: no preferred agent)")


@dataclass(frozen=True)
class Callers:
    """All callers of all queues as columns, in arrival order; caller ``i`` is ``c{i}``."""

    arrived_at: list[float]
    handle: list[float]
    patience: list[float]
    queue: list[int]
    tier: list[str]
    site: list[str | None]
    preferred_agent: list[str | None]

    def __len__(self) -> int:
        return len(self.arrived_at)


def draw_callers(scenario: Scenario, rng: np.random.Generator) -> Callers:
    """Draw every queue's callers (see the module docstring for the draw order)."""
    parts = []
    for q in scenario.queues:
        tiers = [t for t, _ in q.tier_mix]
        d = draw_contacts(
            q.calls_per_interval,
            scenario.interval_seconds,
            q.handle,
            q.patience,
            [w for _, w in q.tier_mix],
            rng,
        )
        parts.append((d, tiers))
    sites, preferred = [], []
    for q, (d, _) in zip(scenario.queues, parts, strict=True):
        s, pa = _routing_hints(q, len(d.arrived_at), rng)
        sites.append(s)
        preferred.append(pa)
    arrived = np.concatenate([d.arrived_at for d, _ in parts])
    order = np.argsort(arrived, kind="stable")
    qidx = np.concatenate([np.full(len(d.arrived_at), i) for i, (d, _) in enumerate(parts)])
    tier_names = np.concatenate(
        [np.asarray(tiers, dtype=object)[d.tier_index] for d, tiers in parts]
    )
    return Callers(
        arrived[order].tolist(),
        np.concatenate([d.handle_seconds for d, _ in parts])[order].tolist(),
        np.concatenate([d.patience_seconds for d, _ in parts])[order].tolist(),
        qidx[order].tolist(),
        tier_names[order].tolist(),
        np.concatenate(sites)[order].tolist(),
        np.concatenate(preferred)[order].tolist(),
    )


def _routing_hints(
    q: QueueSpec, n: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Sites and preferred agents of a queue's ``n`` callers (``None``: none); draws only
    for the hints the queue has."""
    sites = np.full(n, None, dtype=object)
    if q.site_mix:
        names = np.asarray([site for site, _ in q.site_mix], dtype=object)
        sites = names[rng.choice(len(names), size=n, p=[w for _, w in q.site_mix])]
    preferred = np.full(n, None, dtype=object)
    if q.preferred_agent_share > 0:
        has = rng.random(n) < q.preferred_agent_share
        agents = np.asarray(q.preferred_agents, dtype=object)
        preferred[has] = agents[rng.integers(len(agents), size=int(has.sum()))]
    return sites, preferred


def scripted_callers(contacts: Sequence[ScriptedContact], queue_names: Sequence[str]) -> Callers:
    """The scripted contacts, stably sorted by arrival; a queue not in the scenario is an
    error naming the contact (``contacts[3].queue ...``)."""
    index = {name: i for i, name in enumerate(queue_names)}
    for i, c in enumerate(contacts):
        if c.queue not in index:
            raise ValueError(f"contacts[{i}].queue {c.queue!r} is not a scenario queue {list(index)}")
    ordered = sorted(contacts, key=lambda c: c.arrived_at)
    return Callers(
        [c.arrived_at for c in ordered],
        [c.handle_seconds for c in ordered],
        [c.patience_seconds for c in ordered],
        [index[c.queue] for c in ordered],
        [c.tier for c in ordered],
        [c.site for c in ordered],
        [c.preferred_agent_id for c in ordered],
    )
