"""The scenario a simulation runs: frozen dataclasses, built only by
:func:`simulations.scenario.parse_scenario` (which checks the JSON form first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from routing.events import TIERS
from simulations.distributions import Distribution

EngineChoice = Literal["auto", "fast", "general"]
SL_DEFINITIONS = (
    "answered_of_offered",
    "answered_of_answered",
    "excluding_abandoned_within_threshold",
    "abandoned_within_threshold_as_met",
    "excluding_short_abandons",
)


@dataclass(frozen=True)
class QueueSpec:
    name: str
    skill: str
    calls_per_interval: tuple[float, ...]
    handle: Distribution
    patience: Distribution
    tier_mix: tuple[tuple[str, float], ...] = (("core", 1.0),)
    wrap_up_seconds: float = 0.0
    #: P(a caller offered a callback by the engine accepts it).
    callback_acceptance_probability: float = 0.0
    #: P(the agent puts the caller on hold once during the talk); hold ~ Exp(mean).
    hold_probability: float = 0.0
    hold_mean_seconds: float = 0.0
    #: P(the agent transfers the caller to queue ``transfer_to`` at the end of the talk).
    transfer_probability: float = 0.0
    transfer_to: str | None = None
    #: The base pool's minimum proficiency in ``skill`` (1–5), and the skill-expansion
    #: steps ``(after_seconds, skill, min_proficiency)`` in ``after_seconds`` order
    #: (``routing.policy.QueueConfig.min_proficiency`` / ``ExpansionStep``).
    min_proficiency: int = 1
    expansion: tuple[tuple[float, str, int], ...] = ()
    #: Share of the callers per site, ``(site, share)`` normalised; empty: callers have no
    #: site (every site's agents serve them from the start).
    site_mix: tuple[tuple[str, float], ...] = ()
    #: P(a caller has a preferred agent); that agent is drawn uniformly from
    #: ``preferred_agents`` (agent ids, resolved by the parser).
    preferred_agent_share: float = 0.0
    preferred_agents: tuple[str, ...] = ()

    @property
    def has_contact_options(self) -> bool:
        """Callbacks, holds or transfers: only the general path simulates them."""
        return (
            self.callback_acceptance_probability > 0
            or self.hold_probability > 0
            or self.transfer_probability > 0
        )

    @property
    def has_routing_options(self) -> bool:
        """Skill expansion, caller sites or preferred agents: the general path only."""
        return bool(self.expansion or self.site_mix or self.preferred_agent_share > 0)

    def pools(self) -> tuple[tuple[float, str, int], ...]:
        """``(after_seconds, skill, min_proficiency)`` of the base pool and every step."""
        return ((0.0, self.skill, self.min_proficiency), *self.expansion)

    def can_take(self, skills: tuple[tuple[str, int], ...]) -> bool:
        """An agent with ``skills`` is eligible for this queue (at once or after a step)."""
        held = dict(skills)
        return any(held.get(skill, 0) >= level for _, skill, level in self.pools())


@dataclass(frozen=True)
class AgentGroup:
    """``agents_per_interval[k]`` identical agents logged in during interval ``k``; agent
    ``j`` is ``{name}-{j}``."""

    name: str
    skills: tuple[tuple[str, int], ...]
    agents_per_interval: tuple[int, ...]
    site: str = "seoul"

    def agent_ids(self) -> list[str]:
        return [f"{self.name}-{j}" for j in range(max(self.agents_per_interval, default=0))]


@dataclass(frozen=True)
class Shift:
    """Seconds from the scenario start: logged in ``[start, end)`` except during breaks."""

    start: float
    end: float
    breaks: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class RosterAgent:
    """A named agent; ``entry_id`` is the roster entry's ``agent_id`` (which names all
    ``count`` agents of an entry, ``{entry_id}-{c}``)."""

    agent_id: str
    skills: tuple[tuple[str, int], ...]
    shifts: tuple[Shift, ...]
    site: str = "seoul"
    entry_id: str = ""


@dataclass(frozen=True)
class Scenario:
    interval_minutes: float
    queues: tuple[QueueSpec, ...]
    groups: tuple[AgentGroup, ...] = ()
    roster: tuple[RosterAgent, ...] = ()
    service_level_threshold_seconds: float = 20.0
    short_abandon_seconds: float = 5.0
    service_level_definition: str = "answered_of_offered"
    ring_seconds: float = 0.0
    policy: Mapping[str, Any] = field(default_factory=dict)
    engine: EngineChoice = "auto"

    @property
    def interval_seconds(self) -> float:
        return self.interval_minutes * 60.0

    @property
    def n_intervals(self) -> int:
        return len(self.queues[0].calls_per_interval)

    @property
    def horizon_seconds(self) -> float:
        return self.n_intervals * self.interval_seconds

    @property
    def tiers(self) -> tuple[str, ...]:
        used = {t for q in self.queues for t, w in q.tier_mix if w > 0}
        return tuple(t for t in TIERS if t in used)

    @property
    def offers_callbacks(self) -> bool:
        """The engine's policy offers callbacks (``callback_offer_wait_seconds`` is set)."""
        return self.policy.get("callback_offer_wait_seconds") is not None

    def fast_path_ok(self) -> bool:
        """One queue, one tier, one agent group, no routing options: plain FCFS M/G/n+G."""
        return (
            len(self.queues) == 1
            and len(self.tiers) == 1
            and len(self.groups) == 1
            and not self.roster
            and not self.policy
            and self.ring_seconds == 0
            and not self.queues[0].has_contact_options
            and not self.queues[0].has_routing_options
        )

    def uses_fast_path(self) -> bool:
        if self.engine == "fast":
            return True
        return self.engine == "auto" and self.fast_path_ok()
