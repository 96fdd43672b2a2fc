"""The ``routing`` part of a scenario's JSON form: the ring time and the engine's policy.

Every field of ``routing.policy`` (the fields of :class:`routing.policy.RoutingPolicy`)
is read here with its own type and bounds, so a bad value is an error naming its path
(``routing.policy.ring_timeout_seconds must be a finite number, got '10'``), never the
engine's internal failure. A field the engine gains later, not known here, is passed on
to :class:`~routing.policy.RoutingPolicy`; if the engine refuses it the error still
names ``routing.policy``.

Whether an option can take effect in the scenario at all (overflow needs callers with a
site, the preferred-agent window needs callers with a preferred agent) is checked with
the rest of the scenario in :mod:`simulations.scenario_checks`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from typing import Any

from routing.events import TIERS
from routing.policy import SelectionRule
from simulations.scenario_json import (
    ScenarioError,
    path_error,
    read_choice,
    read_int,
    read_object,
    read_seconds,
    reject_unknown,
)

#: Largest tier rank (``rank · ageing_seconds_per_level`` must stay a finite float).
MAX_RANK = 1_000_000

SELECTIONS: tuple[str, ...] = typing.get_args(SelectionRule)


def _seconds_or_null(*, gt: float | None = None, ge: float | None = None) -> Callable[[Any, str], Any]:
    def read(v: Any, path: str) -> float | None:
        return None if v is None else read_seconds(v, path, gt=gt, ge=ge)

    return read


def _seconds(*, ge: float) -> Callable[[Any, str], Any]:
    def read(v: Any, path: str) -> float:
        if v is None:
            raise path_error(path, "must be a number of seconds, not null")
        return read_seconds(v, path, ge=ge)

    return read


def _tier_rank(v: Any, path: str) -> dict[str, int]:
    """A rank (integer 0 .. MAX_RANK, lower served first) for every tier."""
    obj = read_object(v, path)
    for tier in obj:
        if tier not in TIERS:
            raise path_error(f"{path}.{tier}", f"is not a tier (tiers: {list(TIERS)})")
    ranks = {}
    for tier in TIERS:
        if tier not in obj:
            raise path_error(f"{path}.{tier}", f"is required (every tier needs a rank: {list(TIERS)})")
        ranks[tier] = read_int(obj[tier], f"{path}.{tier}", ge=0, le=MAX_RANK)
    return ranks


def _selection(v: Any, path: str) -> str:
    return read_choice(v, SELECTIONS, path)


#: One reader per RoutingPolicy field: the JSON value -> the value the engine gets.
POLICY_READERS: Mapping[str, Callable[[Any, str], Any]] = {
    "ring_timeout_seconds": _seconds_or_null(gt=0),
    "tier_rank": _tier_rank,
    "ageing_seconds_per_level": _seconds_or_null(gt=0),
    "preferred_agent_wait_seconds": _seconds(ge=0),
    "selection": _selection,
    "overflow_after_seconds": _seconds_or_null(ge=0),
    "callback_offer_wait_seconds": _seconds_or_null(gt=0),
}


def parse_policy(v: Any, p: str) -> dict[str, Any]:
    """The policy's fields, typed and checked; an engine of this policy can be built."""
    from routing.engine import RoutingPolicy

    obj = read_object(v, p)
    reject_unknown(obj, {f.name for f in dataclasses.fields(RoutingPolicy)}, p)
    policy = {}
    for key, value in obj.items():
        reader = POLICY_READERS.get(key)
        policy[key] = value if reader is None else reader(value, f"{p}.{key}")
    try:
        RoutingPolicy(**policy)
    except (TypeError, ValueError) as exc:  # a field this module does not know yet
        raise ScenarioError(f"{p} is refused by the routing engine: {exc}") from None
    return policy


def parse_routing(v: Any, p: str) -> tuple[float, dict[str, Any]]:
    """``(ring_seconds, policy)``; the ring time must be under the policy's ring timeout."""
    from routing.engine import RoutingPolicy

    obj = read_object(v, p)
    reject_unknown(obj, {"ring_seconds", "policy"}, p)
    ring = read_seconds(obj.get("ring_seconds", 0), f"{p}.ring_seconds", ge=0)
    policy = parse_policy(obj.get("policy", {}), f"{p}.policy")
    timeout = RoutingPolicy(**policy).ring_timeout_seconds
    if timeout is not None and ring >= timeout:
        raise path_error(
            f"{p}.ring_seconds",
            f"must be < routing.policy.ring_timeout_seconds ({timeout:g}), got {ring:g}",
        )
    return ring, policy
