"""Routing configuration: queues, skill expansion, service-level goals and the policy.

Priority with ageing
--------------------
Each tier has a base rank (``RoutingPolicy.tier_rank``; by default the index
in :data:`routing.events.TIERS`: private_banker 0 … inactive 5; lower is
served first). A contact that arrived at ``since`` has at time ``t`` the
effective priority

    p(t) = rank − (t − since) / A,      A = ageing_seconds_per_level

so every ``A`` seconds of waiting lifts it one tier: a core caller (rank 4)
who has waited ``2·A`` seconds longer than a gold caller (rank 2) ties with
them, and overtakes them after that. Lower ``p`` is served first; ties go to
the earlier arrival, then to the earlier arrival sequence number.

Because ``p_i(t) < p_j(t)  ⇔  rank_i·A + since_i < rank_j·A + since_j``, the
order between two waiting contacts never changes with ``t``; the engine
therefore sorts by the time-invariant key ``(rank·A + since, since, order)``
(:func:`priority_key`) and needs no re-sorting as contacts age. With
``ageing_seconds_per_level=None`` tiers are strict: key ``(rank, since, order)``.

Skill expansion and overflow
----------------------------
A queue serves skill ``skill`` at ``min_proficiency`` or better from the start.
Each :class:`ExpansionStep` adds another pool (a skill at a minimum
proficiency: the same skill at a lower level, or a backup skill) once the
contact has waited ``after_seconds``. A contact with a ``site`` is served by
agents of that site only, until it has waited ``overflow_after_seconds``;
then the other sites' agents become eligible too. Widening never changes a
contact's place: it only adds agents.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from routing.events import DEFAULT_SERVICE_LEVEL_GOALS, TIERS, ServiceLevelGoal

SelectionRule = Literal["proficiency_then_longest_idle", "longest_idle"]

#: What an agent or the dialler records for a callback dial that did not reach the
#: customer (the failure results of :class:`routing.events.DialResult`).
CallbackDialFailure = Literal["no_answer", "busy", "machine", "invalid"]
CALLBACK_DIAL_FAILURES: tuple[CallbackDialFailure, ...] = ("no_answer", "busy", "machine", "invalid")
#: Failures not worth another dial: the number does not work.
FINAL_DIAL_FAILURES: frozenset[str] = frozenset({"invalid"})


@dataclass(frozen=True, slots=True)
class ExpansionStep:
    """After ``after_seconds`` of waiting, agents with ``skill`` ≥ ``min_proficiency`` are eligible too."""

    after_seconds: float
    skill: str
    min_proficiency: int = 1

    def __post_init__(self) -> None:
        if not (self.after_seconds > 0 and math.isfinite(self.after_seconds)):
            raise ValueError(f"after_seconds must be > 0 and finite, got {self.after_seconds!r}")
        _check_proficiency("min_proficiency", self.min_proficiency)


def _default_goals() -> Mapping[str, ServiceLevelGoal]:
    return DEFAULT_SERVICE_LEVEL_GOALS


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """A queue: the skill it needs, its expansion steps, its SL goals and an AHT estimate.

    ``aht_seconds`` only feeds :meth:`RoutingEngine.expected_wait_seconds`.
    """

    name: str
    skill: str
    min_proficiency: int = 1
    expansion: tuple[ExpansionStep, ...] = ()
    service_level_goals: Mapping[str, ServiceLevelGoal] = field(default_factory=_default_goals)
    aht_seconds: float = 180.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name must not be empty")
        if not self.skill:
            raise ValueError(f"queue {self.name}: skill must not be empty")
        _check_proficiency("min_proficiency", self.min_proficiency)
        object.__setattr__(self, "expansion", tuple(self.expansion))
        afters = [s.after_seconds for s in self.expansion]
        if afters != sorted(afters):
            raise ValueError(f"queue {self.name}: expansion steps must be in after_seconds order")
        unknown = set(self.service_level_goals) - set(TIERS)
        if unknown:
            raise ValueError(f"queue {self.name}: service_level_goals has unknown tier {min(unknown)!r}")
        if not self.aht_seconds > 0:
            raise ValueError(f"aht_seconds must be > 0, got {self.aht_seconds!r}")

    def goal_for(self, tier: str) -> ServiceLevelGoal:
        """The SL goal of ``tier`` (the default goal when the queue sets none; the goals
        live in :class:`routing.events.ServiceLevelGoals`, the table every part reads)."""
        return self.service_level_goals.get(tier, DEFAULT_SERVICE_LEVEL_GOALS[tier])

    def pools(self) -> tuple[tuple[float, str, int], ...]:
        """``(after_seconds, skill, min_proficiency)`` for the base pool and every step."""
        base = ((0.0, self.skill, self.min_proficiency),)
        return base + tuple((s.after_seconds, s.skill, s.min_proficiency) for s in self.expansion)

    def threshold_for(self, skills: Mapping[str, int]) -> float | None:
        """How long a contact must wait before an agent with ``skills`` may take it; None = never."""
        for after, skill, min_proficiency in self.pools():
            if skills.get(skill, 0) >= min_proficiency:
                return after
        return None


def _default_ranks() -> Mapping[str, int]:
    return MappingProxyType({tier: i for i, tier in enumerate(TIERS)})


@dataclass(frozen=True)
class RoutingPolicy:
    """Engine-wide routing rules.

    ring_timeout_seconds
        An offered contact not answered within this time goes back to its
        place and the agent goes not_ready (reason ``ring_no_answer``). None = wait forever.
    tier_rank
        Base priority per tier, lower served first (default: order of ``TIERS``).
    ageing_seconds_per_level
        ``A`` in ``p(t) = rank − wait/A`` (module docstring). None = strict tiers.
    preferred_agent_wait_seconds
        A contact whose preferred agent (relationship manager) is logged in
        waits for that agent alone for up to this long after arrival, then
        goes to everyone eligible. 0 = offer to the preferred agent only if ready now.
    selection
        Choice among eligible ready agents: ``proficiency_then_longest_idle``
        (highest proficiency in the matching skill, then longest idle) or
        ``longest_idle``.
    overflow_after_seconds
        A contact with a site is served by the other sites' agents after this
        wait. None = never overflow.
    callback_offer_wait_seconds
        When a contact arriving cannot be offered at once and the expected
        wait exceeds this, ``arrive`` emits ``CallbackOffered``. None = never offer.
    direct_transfer_wait_seconds
        A contact transferred to an agent who is not ready waits for that agent
        at most this long, then goes back to its queue at its original place
        (``ContactTransferTimedOut``). None = wait until the agent frees or logs
        out. Default 30 s: longer than the ring timeout, so a colleague finishing
        a short wrap-up still takes the call, and short enough that the caller is
        not kept on hold for someone on a break.
    callback_max_attempts
        Dials of one callback in all (the first included). A dial that does not
        reach the customer (``no_answer``, ``busy``, ``machine``) is retried until
        this many were made, then the callback is closed as failed. Default 3,
        the usual dialler setting: three tries spread over a quarter of an hour.
    callback_retry_delay_seconds
        How long after a failed dial the callback is offered again (it keeps its
        place: arrival time and sequence number). Default 300 s: a customer who
        did not pick up is rarely back at the phone within a minute or two.
    """

    ring_timeout_seconds: float | None = 20.0
    tier_rank: Mapping[str, int] = field(default_factory=_default_ranks)
    ageing_seconds_per_level: float | None = 60.0
    preferred_agent_wait_seconds: float = 30.0
    selection: SelectionRule = "proficiency_then_longest_idle"
    overflow_after_seconds: float | None = 60.0
    callback_offer_wait_seconds: float | None = None
    direct_transfer_wait_seconds: float | None = 30.0
    callback_max_attempts: int = 3
    callback_retry_delay_seconds: float = 300.0

    def __post_init__(self) -> None:
        _check_positive_or_none("ring_timeout_seconds", self.ring_timeout_seconds)
        _check_positive_or_none("direct_transfer_wait_seconds", self.direct_transfer_wait_seconds)
        delay = self.callback_retry_delay_seconds
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (
            delay > 0 and math.isfinite(delay)
        ):
            raise ValueError(f"callback_retry_delay_seconds must be > 0 and finite, got {delay!r}")
        attempts = self.callback_max_attempts
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"callback_max_attempts must be an integer >= 1, got {attempts!r}")
        _check_positive_or_none("ageing_seconds_per_level", self.ageing_seconds_per_level)
        _check_positive_or_none("callback_offer_wait_seconds", self.callback_offer_wait_seconds)
        if self.overflow_after_seconds is not None and not self.overflow_after_seconds >= 0:
            raise ValueError(
                f"overflow_after_seconds must be >= 0 or None, got {self.overflow_after_seconds!r}"
            )
        if not self.preferred_agent_wait_seconds >= 0:
            raise ValueError(
                "preferred_agent_wait_seconds must be >= 0, "
                f"got {self.preferred_agent_wait_seconds!r}"
            )
        if self.selection not in ("proficiency_then_longest_idle", "longest_idle"):
            raise ValueError(
                "selection must be 'proficiency_then_longest_idle' or 'longest_idle', "
                f"got {self.selection!r}"
            )
        missing = set(TIERS) - set(self.tier_rank)
        if missing:
            raise ValueError(f"tier_rank lacks tier {min(missing)!r}")

    def priority_key(self, tier: str, since: float, order: int) -> tuple[float, float, int]:
        """The time-invariant sort key of a contact; smaller is served first (module docstring)."""
        rank = self.tier_rank[tier]
        if self.ageing_seconds_per_level is None:
            return (float(rank), since, order)
        return (rank * self.ageing_seconds_per_level + since, since, order)

    def effective_priority(self, tier: str, waited_seconds: float) -> float:
        """``p = rank − waited/A`` (``rank`` alone without ageing); for display and tests."""
        rank = self.tier_rank[tier]
        if self.ageing_seconds_per_level is None:
            return float(rank)
        return rank - waited_seconds / self.ageing_seconds_per_level


def _check_proficiency(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValueError(f"{name} must be an integer from 1 to 5, got {value!r}")


def _check_positive_or_none(name: str, value: float | None) -> None:
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be > 0 and finite, or None, got {value!r}")
