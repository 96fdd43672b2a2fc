"""Checks over the whole scenario, after its parts were read: every error names a JSON path.

* **Size**: expected calls, agents and the horizon fit one replication.
* **Preferred agents**: each queue's ``preferred_agents`` names (agent ids, group names,
  roster entries) resolve to agent ids.
* **Served**: every queue with callers (or receiving transfers) can be taken by some
  agent: the skill at ``min_proficiency``, or an expansion step's skill; each expansion
  step adds somebody; each site of a ``site_mix`` is some agent's site and, without
  overflow, has agents for the queue.
* **Nobody waits forever unseen**: a queue whose callers never abandon (patience
  ``null``) needs an agent who can take it on duty after the horizon, i.e. a counted
  agent in the last interval (they stay until every caller is done; roster shifts end).
  Otherwise the callers still waiting then would never be served. (Callers who cannot
  abandon for another reason, accepted callbacks and transferred callers, and are left
  when the roster has gone home are reported as *unserved*: :mod:`qa.kpis`.)
* **Options take effect**: ``routing.policy.overflow_after_seconds`` needs a queue with
  a ``site_mix`` (only callers with a site wait for their site's agents);
  ``routing.policy.preferred_agent_wait_seconds`` needs a queue with preferred agents;
  ``engine: "fast"`` needs a scenario the fast path can run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from simulations.scenario_agents import MAX_AGENTS
from simulations.scenario_json import MAX_SECONDS, path_error
from simulations.scenario_model import AgentGroup, QueueSpec, RosterAgent, Scenario

#: Sanity limit (one replication must fit in memory): expected calls.
MAX_CALLS_PER_REPLICATION = 20_000_000


@dataclass(frozen=True)
class _Agents:
    """Agents alike for these checks: skills, site, and whether they stay after the horizon."""

    skills: tuple[tuple[str, int], ...]
    site: str
    stays: bool


def _agents(s: Scenario) -> list[_Agents]:
    out = [
        _Agents(g.skills, g.site, g.agents_per_interval[-1] > 0)
        for g in s.groups
        if max(g.agents_per_interval) > 0
    ]
    return out + [_Agents(a.skills, a.site, False) for a in s.roster]


def check_agent_count(groups: Iterable[AgentGroup], key: str) -> None:
    """The groups' agents (the most on duty at once in each) fit the limit; run before any
    agent id is made."""
    agents = sum(max(g.agents_per_interval, default=0) for g in groups)
    if agents > MAX_AGENTS:
        raise path_error(key, f"asks for {agents:,} agents, more than {MAX_AGENTS:,}")


def check_size(s: Scenario) -> None:
    total = sum(sum(q.calls_per_interval) for q in s.queues)
    if total > MAX_CALLS_PER_REPLICATION:
        raise path_error(
            "queues",
            f"expect {total:,.0f} calls per replication, more than the limit "
            f"{MAX_CALLS_PER_REPLICATION:,}",
        )
    if s.horizon_seconds > MAX_SECONDS:
        raise path_error(
            "interval_minutes",
            f"× {s.n_intervals} intervals makes a horizon of {s.horizon_seconds:g} s, "
            f"more than the limit {MAX_SECONDS:g} s",
        )


# --- preferred agents --------------------------------------------------------------------


def resolve_preferred(
    queues: tuple[QueueSpec, ...], groups: Iterable[AgentGroup], roster: Iterable[RosterAgent]
) -> tuple[QueueSpec, ...]:
    """Each queue's ``preferred_agents`` as agent ids: an agent id, else a group name (all
    its agents), else a roster entry's ``agent_id`` (all ``count`` agents of it)."""
    ids: dict[str, list[str]] = {}
    by_group = {g.name: g.agent_ids() for g in groups}
    by_entry: dict[str, list[str]] = {}
    for members in by_group.values():
        ids.update((a, [a]) for a in members)
    for a in roster:
        ids[a.agent_id] = [a.agent_id]
        by_entry.setdefault(a.entry_id or a.agent_id, []).append(a.agent_id)
    out = []
    for i, q in enumerate(queues):
        found: dict[str, None] = {}
        for j, name in enumerate(q.preferred_agents):
            members = ids.get(name) or by_group.get(name) or by_entry.get(name) or []
            if not members:
                raise path_error(
                    f"queues[{i}].preferred_agents[{j}]",
                    f"{name!r} is no agent id, agent group or roster entry (with agents)",
                )
            found.update(dict.fromkeys(members))
        out.append(dataclasses.replace(q, preferred_agents=tuple(found)))
    return tuple(out)


# --- served -----------------------------------------------------------------------------


def _check_pools(i: int, q: QueueSpec, agents: list[_Agents]) -> None:
    """Somebody can take the queue, and every expansion step adds somebody."""
    p = f"queues[{i}]"
    if not any(q.can_take(a.skills) for a in agents):
        if not any(dict(a.skills).get(q.skill, 0) for a in agents):
            raise path_error(f"{p}.skill", f"{q.skill!r} is held by no agent")
        raise path_error(
            f"{p}.min_proficiency",
            f"{q.min_proficiency}: no agent holds {q.skill!r} at {q.min_proficiency} or above "
            "(nor an expansion step's skill)",
        )
    pools = q.pools()
    for j in range(1, len(pools)):
        _, skill, level = pools[j]
        adds = [
            a
            for a in agents
            if dict(a.skills).get(skill, 0) >= level
            and not any(dict(a.skills).get(sk, 0) >= lv for _, sk, lv in pools[:j])
        ]
        if not adds:
            raise path_error(
                f"{p}.expansion[{j - 1}]",
                f"has no effect: no agent holds {skill!r} at {level} or above who is not "
                "eligible before it",
            )


def _check_sites(i: int, q: QueueSpec, agents: list[_Agents], overflow: bool) -> None:
    sites = sorted({a.site for a in agents})
    for site, _ in q.site_mix:
        p = f"queues[{i}].site_mix.{site}"
        if site not in sites:
            raise path_error(p, f"is no agent's site (sites: {sites})")
        if not overflow and not any(a.site == site and q.can_take(a.skills) for a in agents):
            raise path_error(
                p,
                f"has no agent who can take queue {q.name!r} and "
                "routing.policy.overflow_after_seconds is null: its callers would never be served",
            )


def _check_stays(
    i: int, q: QueueSpec, agents: list[_Agents], overflow: bool, counts_key: str | None
) -> None:
    """Patience null: an agent who can take the queue stays after the horizon (per site
    when the callers wait for their own site forever)."""
    sites: list[str | None] = [None] if overflow or not q.site_mix else [s for s, _ in q.site_mix]
    for site in sites:
        if any(
            a.stays and q.can_take(a.skills) and (site is None or a.site == site) for a in agents
        ):
            continue
        who = "an agent who can take it" + ("" if site is None else f" of site {site!r}")
        if counts_key is None:
            raise path_error(
                f"queues[{i}].patience_mean_seconds",
                f"is null (nobody abandons) but only roster agents can take queue {q.name!r}, "
                "and roster shifts end: callers still waiting after the last shift would never "
                f"be served (give a patience, or agents_per_interval / agent_groups with {who} "
                "in the last interval)",
            )
        raise path_error(
            counts_key,
            f"must have agents in the last interval when patience is null: queues[{i}] "
            f"({q.name!r}) needs {who} on duty then (calls left at the end are served by the "
            "last interval's agents)",
        )


def check_served(s: Scenario, counts_key: str | None) -> None:
    """The *served* and *nobody waits forever* checks (module docstring). ``counts_key``:
    the JSON key of the counted agents (``agents_per_interval`` or ``agent_groups``), if any."""
    agents = _agents(s)
    overflow = _overflows(s.policy)
    targets = {q.transfer_to for q in s.queues if q.transfer_probability > 0}
    for i, q in enumerate(s.queues):
        has_calls = sum(q.calls_per_interval) > 0
        if not has_calls and q.name not in targets:
            continue
        _check_pools(i, q, agents)
        _check_sites(i, q, agents, overflow)
        if has_calls and q.patience.kind == "never":
            _check_stays(i, q, agents, overflow, counts_key)


def _overflows(policy: Mapping[str, Any]) -> bool:
    """Callers with a site are served by the other sites after a while (engine default 60 s)."""
    from routing.engine import RoutingPolicy

    return RoutingPolicy(**dict(policy)).overflow_after_seconds is not None


# --- options take effect ------------------------------------------------------------------


def check_options_take_effect(s: Scenario) -> None:
    if "overflow_after_seconds" in s.policy and not any(q.site_mix for q in s.queues):
        raise path_error(
            "routing.policy.overflow_after_seconds",
            "has no effect: no queue has a site_mix (only callers with a site wait for "
            "agents of their own site, then overflow)",
        )
    if "preferred_agent_wait_seconds" in s.policy and not any(
        q.preferred_agent_share > 0 for q in s.queues
    ):
        raise path_error(
            "routing.policy.preferred_agent_wait_seconds",
            "has no effect: no queue has a preferred_agent_share",
        )
    if s.engine == "fast" and not s.fast_path_ok():
        raise path_error(
            "engine",
            "'fast' needs one queue, one tier, agents_per_interval, no routing options "
            "and no callbacks, holds or transfers",
        )
