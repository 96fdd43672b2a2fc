"""Scenario specification: parsed and checked once, at the edge, naming the JSON path at fault.

:func:`parse_scenario` turns the JSON form documented in ``docs/scenario.md`` into a
frozen :class:`Scenario`; every error is a :class:`ScenarioError` (a ``ValueError``)
whose message starts with the JSON path, e.g. ``queues[0].aht_seconds must be > 0, got -1``.

The dataclasses are in :mod:`simulations.scenario_model`, the JSON readers in
:mod:`simulations.scenario_json`, the queue and agent parts in
:mod:`simulations.scenario_queues` and :mod:`simulations.scenario_agents`; this module
reads the top level and the routing part, checks the whole, and re-exports the public
names (``from simulations.scenario import Scenario, ScenarioError`` keeps working).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from simulations.scenario_agents import parse_counts, parse_groups, parse_roster
from simulations.scenario_json import (
    ScenarioError,
    path_error,
    read_choice,
    read_list,
    read_number,
    read_object,
    reject_unknown,
)
from simulations.scenario_model import (
    SL_DEFINITIONS,
    AgentGroup,
    EngineChoice,
    QueueSpec,
    RosterAgent,
    Scenario,
    Shift,
)
from simulations.scenario_queues import check_contact_options, parse_queue

__all__ = [
    "MAX_AGENTS",
    "MAX_CALLS_PER_REPLICATION",
    "SL_DEFINITIONS",
    "AgentGroup",
    "EngineChoice",
    "QueueSpec",
    "RosterAgent",
    "Scenario",
    "ScenarioError",
    "Shift",
    "parse_scenario",
]

# --- routing ---------------------------------------------------------------------------


def _routing(v: Any, p: str) -> tuple[float, dict[str, Any]]:
    obj = read_object(v, p)
    reject_unknown(obj, {"ring_seconds", "policy"}, p)
    ring = read_number(obj.get("ring_seconds", 0), f"{p}.ring_seconds", ge=0)
    policy = dict(read_object(obj.get("policy", {}), f"{p}.policy"))
    from routing.engine import RoutingPolicy

    known = {f.name for f in dataclasses.fields(RoutingPolicy)}
    reject_unknown(policy, known, f"{p}.policy")
    try:
        built = RoutingPolicy(**policy)
    except (TypeError, ValueError) as exc:  # the engine's own checks name the field
        raise ScenarioError(f"{p}.policy.{exc}") from None
    timeout = built.ring_timeout_seconds
    if timeout is not None and ring >= timeout:
        raise path_error(
            f"{p}.ring_seconds",
            f"must be < routing.policy.ring_timeout_seconds ({timeout:g}), got {ring:g}",
        )
    return ring, policy


#: Sanity limits (one replication must fit in memory): expected calls and agents.
MAX_CALLS_PER_REPLICATION = 20_000_000
MAX_AGENTS = 100_000


def _check_size(s: Scenario) -> None:
    total = sum(sum(q.calls_per_interval) for q in s.queues)
    if total > MAX_CALLS_PER_REPLICATION:
        raise path_error(
            "queues",
            f"expect {total:,.0f} calls per replication, more than the limit "
            f"{MAX_CALLS_PER_REPLICATION:,}",
        )
    agents = sum(max(g.agents_per_interval) for g in s.groups) + len(s.roster)
    if agents > MAX_AGENTS:
        raise path_error(
            "agents_per_interval", f"asks for {agents:,} agents, more than {MAX_AGENTS:,}"
        )


_TOP_FIELDS = {
    "interval_minutes",
    "service_level_threshold_seconds",
    "short_abandon_seconds",
    "service_level_definition",
    "queues",
    "agents_per_interval",
    "agent_groups",
    "roster",
    "routing",
    "engine",
    "name",
    "description",
}


def _horizon_intervals(top: Mapping[str, Any], queues: tuple[QueueSpec, ...]) -> int:
    """The number of intervals: the forecast's length, else the longest agent-count list."""
    lengths = [len(q.calls_per_interval) for q in queues]
    if max(lengths) > 1:  # the forecast sets the horizon; agent lists must follow it
        return max(lengths)
    if isinstance(top.get("agents_per_interval"), list):
        lengths.append(len(top["agents_per_interval"]))
    for g in top.get("agent_groups", []) if isinstance(top.get("agent_groups"), list) else []:
        if isinstance(g, Mapping) and isinstance(g.get("agents_per_interval"), list):
            lengths.append(len(g["agents_per_interval"]))
    return max(lengths)


def _stretch_to_horizon(
    top: Mapping[str, Any], queues: tuple[QueueSpec, ...], n: int
) -> tuple[QueueSpec, ...]:
    """Repeat a single volume figure over the ``n`` intervals; any other length must be ``n``."""
    for i, q in enumerate(queues):
        if len(q.calls_per_interval) == 1:  # one figure for every interval
            queues = (
                queues[:i]
                + (dataclasses.replace(q, calls_per_interval=q.calls_per_interval * n),)
                + queues[i + 1 :]
            )
        elif len(q.calls_per_interval) != n:
            key = (
                "calls_per_interval"
                if "calls_per_interval" in top["queues"][i]
                else "calls_per_hour"
            )
            raise path_error(
                f"queues[{i}].{key}",
                f"must have 1 or {n} entries (one per interval), got {len(q.calls_per_interval)}",
            )
    return queues


def _agents(
    top: Mapping[str, Any], queues: tuple[QueueSpec, ...], n: int
) -> tuple[tuple[AgentGroup, ...], tuple[RosterAgent, ...]]:
    """The agent groups (``agents_per_interval``, then ``agent_groups``) and the roster; an
    agent given no skills holds every queue's skill at level 3."""
    all_skills = tuple(dict.fromkeys((q.skill, 3) for q in queues))
    groups: tuple[AgentGroup, ...] = ()
    if "agents_per_interval" in top:
        counts = parse_counts(top["agents_per_interval"], "agents_per_interval", n)
        groups = (AgentGroup("agents", all_skills, counts),)
    if "agent_groups" in top:
        groups += parse_groups(top["agent_groups"], "agent_groups", n, all_skills)
    roster = parse_roster(top["roster"], "roster", all_skills) if "roster" in top else ()
    if not groups and not roster:
        raise path_error("agents_per_interval", "is required (or agent_groups, or roster)")
    return groups, roster


def parse_scenario(data: Any) -> Scenario:
    """Check the JSON form of a scenario and build a :class:`Scenario`.

    Raises :class:`ScenarioError` naming the JSON path of the first problem.
    """
    top = read_object(data, "scenario")
    reject_unknown(top, _TOP_FIELDS, "")
    if "interval_minutes" not in top:
        raise path_error("interval_minutes", "is required")
    interval_minutes = read_number(top["interval_minutes"], "interval_minutes", gt=0)
    isec = interval_minutes * 60.0
    if "queues" not in top:
        raise path_error("queues", "is required")
    queues = tuple(
        parse_queue(q, f"queues[{i}]", isec)
        for i, q in enumerate(read_list(top["queues"], "queues"))
    )
    names = [q.name for q in queues]
    if len(set(names)) != len(names):
        raise path_error("queues", f"names must be unique, got {names}")
    n = _horizon_intervals(top, queues)
    queues = _stretch_to_horizon(top, queues, n)
    groups, roster = _agents(top, queues, n)
    ring, policy = _routing(top.get("routing", {}), "routing")
    check_contact_options(queues, policy)
    scenario = Scenario(
        interval_minutes=interval_minutes,
        queues=queues,
        groups=groups,
        roster=roster,
        service_level_threshold_seconds=read_number(
            top.get("service_level_threshold_seconds", 20), "service_level_threshold_seconds", ge=0
        ),
        short_abandon_seconds=read_number(
            top.get("short_abandon_seconds", 5), "short_abandon_seconds", ge=0
        ),
        service_level_definition=read_choice(
            top.get("service_level_definition", "answered_of_offered"),
            SL_DEFINITIONS,
            "service_level_definition",
        ),
        ring_seconds=ring,
        policy=policy,
        engine=read_choice(top.get("engine", "auto"), ("auto", "fast", "general"), "engine"),  # type: ignore[arg-type]
    )
    _check_size(scenario)
    _check_served(scenario)
    return scenario


def _check_served(s: Scenario) -> None:
    """Every queue's skill is held by somebody, and calls left at the end can finish."""
    held = {sk for g in s.groups for sk, _ in g.skills} | {
        sk for a in s.roster for sk, _ in a.skills
    }
    targets = {q.transfer_to for q in s.queues if q.transfer_probability > 0}
    for i, q in enumerate(s.queues):
        if q.skill not in held and (sum(q.calls_per_interval) > 0 or q.name in targets):
            raise path_error(f"queues[{i}].skill", f"{q.skill!r} is held by no agent")
    if s.engine == "fast" and not s.fast_path_ok():
        raise path_error(
            "engine",
            "'fast' needs one queue, one tier, agents_per_interval, no routing options "
            "and no callbacks, holds or transfers",
        )
    no_patience = any(q.patience.kind == "never" for q in s.queues)
    if no_patience and not s.roster and sum(g.agents_per_interval[-1] for g in s.groups) == 0:
        raise path_error(
            "agents_per_interval",
            "must have agents in the last interval when patience is null "
            "(calls left at the end are served by the last interval's agents)",
        )
