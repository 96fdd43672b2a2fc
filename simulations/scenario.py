"""Scenario specification: parsed and checked once, at the edge, naming the JSON path at fault.

:func:`parse_scenario` turns the JSON form documented in ``docs/scenario.md`` into a
frozen :class:`Scenario`; every error is a :class:`ScenarioError` (a ``ValueError``)
whose message starts with the JSON path, e.g. ``queues[0].aht_seconds must be > 0, got -1``.

The dataclasses are in :mod:`simulations.scenario_model`, the JSON readers in
:mod:`simulations.scenario_json`, the queue, agent and routing parts in
:mod:`simulations.scenario_queues`, :mod:`simulations.scenario_agents` and
:mod:`simulations.scenario_routing`, the checks over the whole scenario in
:mod:`simulations.scenario_checks`; this module reads the top level, runs the checks,
and re-exports the public names (``from simulations.scenario import Scenario,
ScenarioError`` keeps working).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from simulations.scenario_agents import (
    COUNTS_GROUP,
    MAX_AGENTS,
    parse_counts,
    parse_groups,
    parse_roster,
)
from simulations.scenario_checks import (
    MAX_CALLS_PER_REPLICATION,
    check_agent_count,
    check_options_take_effect,
    check_served,
    check_size,
    resolve_preferred,
)
from simulations.scenario_json import (
    MAX_SECONDS,
    ScenarioError,
    path_error,
    read_choice,
    read_list,
    read_number,
    read_object,
    read_seconds,
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
from simulations.scenario_routing import parse_routing

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
    names: dict[str, str] = {}
    if "agents_per_interval" in top:
        counts = parse_counts(top["agents_per_interval"], "agents_per_interval", n)
        groups = (AgentGroup(COUNTS_GROUP, all_skills, counts),)
        names[COUNTS_GROUP] = "agents_per_interval"
        check_agent_count(groups, "agents_per_interval")
    if "agent_groups" in top:
        groups += parse_groups(top["agent_groups"], "agent_groups", n, all_skills, names)
        check_agent_count(groups, "agent_groups")
    taken = {aid: names[g.name] for g in groups for aid in g.agent_ids()}
    roster = parse_roster(top["roster"], "roster", all_skills, taken) if "roster" in top else ()
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
    interval_minutes = read_number(
        top["interval_minutes"], "interval_minutes", gt=0, le=MAX_SECONDS / 60
    )
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
    queues = resolve_preferred(queues, groups, roster)
    ring, policy = parse_routing(top.get("routing", {}), "routing")
    check_contact_options(queues, policy)
    scenario = Scenario(
        interval_minutes=interval_minutes,
        queues=queues,
        groups=groups,
        roster=roster,
        service_level_threshold_seconds=read_seconds(
            top.get("service_level_threshold_seconds", 20), "service_level_threshold_seconds", ge=0
        ),
        short_abandon_seconds=read_seconds(
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
    check_size(scenario)
    counts_key = next(
        (k for k in ("agents_per_interval", "agent_groups") if k in top and groups), None
    )
    check_served(scenario, counts_key)
    check_options_take_effect(scenario)
    return scenario
