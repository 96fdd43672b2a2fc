"""Scenario specification: parsed and checked once, at the edge, naming the JSON path at fault.

:func:`parse_scenario` turns the JSON form documented in ``docs/scenario.md`` into a
frozen :class:`Scenario`; every error is a :class:`ScenarioError` (a ``ValueError``)
whose message starts with the JSON path, e.g. ``queues[0].aht_seconds must be > 0, got -1``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
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


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; the message names the JSON path."""


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

    @property
    def has_contact_options(self) -> bool:
        """Callbacks, holds or transfers: only the general path simulates them."""
        return (
            self.callback_acceptance_probability > 0
            or self.hold_probability > 0
            or self.transfer_probability > 0
        )


@dataclass(frozen=True)
class AgentGroup:
    """``agents_per_interval[k]`` identical agents logged in during interval ``k``."""

    name: str
    skills: tuple[tuple[str, int], ...]
    agents_per_interval: tuple[int, ...]
    site: str = "seoul"


@dataclass(frozen=True)
class Shift:
    """Seconds from the scenario start: logged in ``[start, end)`` except during breaks."""

    start: float
    end: float
    breaks: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class RosterAgent:
    agent_id: str
    skills: tuple[tuple[str, int], ...]
    shifts: tuple[Shift, ...]
    site: str = "seoul"


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
        )

    def uses_fast_path(self) -> bool:
        if self.engine == "fast":
            return True
        return self.engine == "auto" and self.fast_path_ok()


# --- reading JSON with paths ---------------------------------------------------------


def _fail(path: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{path} {msg}")


def _number(v: Any, path: str, *, gt: float | None = None, ge: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _fail(path, f"must be a finite number, got {v!r}")
    if gt is not None and not v > gt:
        raise _fail(path, f"must be > {gt:g}, got {v!r}")
    if ge is not None and not v >= ge:
        raise _fail(path, f"must be >= {ge:g}, got {v!r}")
    return float(v)


def _int(v: Any, path: str, *, ge: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise _fail(path, f"must be an integer, got {v!r}")
    if v < ge:
        raise _fail(path, f"must be >= {ge}, got {v!r}")
    return int(v)


def _str(v: Any, path: str) -> str:
    if not isinstance(v, str) or not v:
        raise _fail(path, f"must be a non-empty string, got {v!r}")
    return v


def _list(v: Any, path: str, *, nonempty: bool = True) -> list[Any]:
    if not isinstance(v, list):
        raise _fail(path, f"must be a list, got {v!r}")
    if nonempty and not v:
        raise _fail(path, "must not be empty")
    return v


def _obj(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _fail(path, f"must be an object, got {v!r}")
    return v


def _unknown(obj: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        where = f"{path}." if path else ""
        raise ScenarioError(f"{where}{extra[0]} is not a known field (known: {sorted(allowed)})")


def _choice(v: Any, options: Sequence[str], path: str) -> str:
    if v not in options:
        raise _fail(path, f"must be one of {list(options)}, got {v!r}")
    return str(v)


# --- queues -------------------------------------------------------------------------

_QUEUE_FIELDS = {
    "name",
    "skill",
    "calls_per_interval",
    "calls_per_hour",
    "aht_seconds",
    "aht_distribution",
    "aht_cv",
    "aht_samples",
    "patience_mean_seconds",
    "patience_distribution",
    "patience_samples",
    "tier_mix",
    "wrap_up_seconds",
    "callback_acceptance_probability",
    "hold_probability",
    "hold_mean_seconds",
    "transfer_probability",
    "transfer_to",
}


def _probability(q: Mapping[str, Any], key: str, p: str) -> float:
    value = _number(q.get(key, 0), f"{p}.{key}", ge=0)
    if value > 1:
        raise _fail(f"{p}.{key}", f"must be <= 1, got {q[key]!r}")
    return value


def _samples(v: Any, path: str) -> tuple[float, ...]:
    return tuple(_number(x, f"{path}[{i}]", ge=0) for i, x in enumerate(_list(v, path)))


def _handle(q: Mapping[str, Any], p: str) -> Distribution:
    kind = _choice(
        q.get("aht_distribution", "exponential"),
        ("exponential", "lognormal", "empirical", "deterministic"),
        f"{p}.aht_distribution",
    )
    if kind == "empirical":
        if "aht_samples" not in q:
            raise _fail(f"{p}.aht_samples", "is required when aht_distribution is empirical")
        return Distribution("empirical", samples=_samples(q["aht_samples"], f"{p}.aht_samples"))
    if "aht_seconds" not in q:
        raise _fail(f"{p}.aht_seconds", "is required")
    mean = _number(q["aht_seconds"], f"{p}.aht_seconds", gt=0)
    cv = _number(q.get("aht_cv", 1.0), f"{p}.aht_cv", gt=0)
    return Distribution(kind, mean, cv)  # type: ignore[arg-type]


def _patience(q: Mapping[str, Any], p: str) -> Distribution:
    kind = _choice(
        q.get("patience_distribution", "exponential"),
        ("exponential", "empirical", "deterministic"),
        f"{p}.patience_distribution",
    )
    if kind == "empirical":
        if "patience_samples" not in q:
            raise _fail(f"{p}.patience_samples", "is required when patience is empirical")
        return Distribution(
            "empirical", samples=_samples(q["patience_samples"], f"{p}.patience_samples")
        )
    mean = q.get("patience_mean_seconds")
    if mean is None:
        return Distribution("never")
    return Distribution(kind, _number(mean, f"{p}.patience_mean_seconds", gt=0))  # type: ignore[arg-type]


def _tier_mix(v: Any, p: str) -> tuple[tuple[str, float], ...]:
    obj = _obj(v, p)
    if not obj:
        raise _fail(p, "must not be empty")
    mix = []
    for tier, w in obj.items():
        if tier not in TIERS:
            raise _fail(f"{p}.{tier}", f"is not a tier (tiers: {list(TIERS)})")
        mix.append((tier, _number(w, f"{p}.{tier}", ge=0)))
    total = sum(w for _, w in mix)
    if total <= 0:
        raise _fail(p, "weights must sum to > 0")
    return tuple((t, w / total) for t, w in mix)


def _calls(q: Mapping[str, Any], p: str, interval_seconds: float) -> tuple[float, ...]:
    if "calls_per_interval" in q:
        v = _list(q["calls_per_interval"], f"{p}.calls_per_interval")
        return tuple(_number(x, f"{p}.calls_per_interval[{i}]", ge=0) for i, x in enumerate(v))
    if "calls_per_hour" in q:
        v = q["calls_per_hour"]
        rates = v if isinstance(v, list) else [v]
        path = f"{p}.calls_per_hour"
        return tuple(
            _number(x, f"{path}[{i}]" if isinstance(v, list) else path, ge=0)
            * interval_seconds
            / 3600.0
            for i, x in enumerate(_list(rates, path))
        )
    raise _fail(f"{p}.calls_per_interval", "is required (or calls_per_hour)")


def _queue(q: Any, p: str, interval_seconds: float) -> QueueSpec:
    q = _obj(q, p)
    _unknown(q, _QUEUE_FIELDS, p)
    name = _str(q.get("name"), f"{p}.name")
    return QueueSpec(
        name=name,
        skill=_str(q.get("skill", name), f"{p}.skill"),
        calls_per_interval=_calls(q, p, interval_seconds),
        handle=_handle(q, p),
        patience=_patience(q, p),
        tier_mix=_tier_mix(q.get("tier_mix", {"core": 1}), f"{p}.tier_mix"),
        wrap_up_seconds=_number(q.get("wrap_up_seconds", 0), f"{p}.wrap_up_seconds", ge=0),
        **_contact_options(q, p),
    )


def _contact_options(q: Mapping[str, Any], p: str) -> dict[str, Any]:
    """Callback acceptance, hold and transfer fields of one queue (targets checked later)."""
    hold_p = _probability(q, "hold_probability", p)
    hold_mean = 0.0
    if "hold_mean_seconds" in q or hold_p > 0:
        if "hold_mean_seconds" not in q:
            raise _fail(f"{p}.hold_mean_seconds", "is required when hold_probability > 0")
        hold_mean = _number(q["hold_mean_seconds"], f"{p}.hold_mean_seconds", gt=0)
    transfer_p = _probability(q, "transfer_probability", p)
    target = q.get("transfer_to")
    if target is not None:
        target = _str(target, f"{p}.transfer_to")
    elif transfer_p > 0:
        raise _fail(f"{p}.transfer_to", "is required when transfer_probability > 0")
    return {
        "callback_acceptance_probability": _probability(q, "callback_acceptance_probability", p),
        "hold_probability": hold_p,
        "hold_mean_seconds": hold_mean,
        "transfer_probability": transfer_p,
        "transfer_to": target,
    }


def _check_contact_options(queues: tuple[QueueSpec, ...], policy: Mapping[str, Any]) -> None:
    """Transfer targets exist and differ from the queue; no certain transfer loop; callbacks
    need the engine's offer (``routing.policy.callback_offer_wait_seconds``)."""
    index = {q.name: i for i, q in enumerate(queues)}
    for i, q in enumerate(queues):
        p = f"queues[{i}]"
        if q.transfer_to is not None and q.transfer_to not in index:
            raise _fail(f"{p}.transfer_to", f"{q.transfer_to!r} is not a queue (queues: {list(index)})")
        if q.transfer_to == q.name:
            raise _fail(f"{p}.transfer_to", "must name another queue")
        if q.callback_acceptance_probability > 0 and policy.get("callback_offer_wait_seconds") is None:
            raise _fail(
                f"{p}.callback_acceptance_probability",
                "needs routing.policy.callback_offer_wait_seconds (the engine offers callbacks "
                "only when it is set)",
            )
    for i in range(len(queues)):  # follow certain transfers (probability 1): no loop
        seen, j = {i}, i
        while queues[j].transfer_probability >= 1:
            j = index[queues[j].transfer_to or ""]
            if j in seen:
                raise _fail(
                    f"queues[{i}].transfer_probability", "of 1 makes a transfer loop that never ends"
                )
            seen.add(j)


# --- agents ---------------------------------------------------------------------------


def _skills(v: Any, p: str) -> tuple[tuple[str, int], ...]:
    if isinstance(v, list):
        return tuple((_str(s, f"{p}[{i}]"), 3) for i, s in enumerate(_list(v, p)))
    obj = _obj(v, p)
    if not obj:
        raise _fail(p, "must not be empty")
    out = []
    for s, level in obj.items():
        lv = _int(level, f"{p}.{s}", ge=1)
        if lv > 5:
            raise _fail(f"{p}.{s}", f"must be <= 5, got {level!r}")
        out.append((s, lv))
    return tuple(out)


def _counts(v: Any, p: str, n: int) -> tuple[int, ...]:
    counts = tuple(_int(x, f"{p}[{i}]") for i, x in enumerate(_list(v, p)))
    if len(counts) == 1:
        counts = counts * n
    if len(counts) != n:
        raise _fail(p, f"must have 1 or {n} entries (one per interval), got {len(counts)}")
    return counts


def _minutes(v: Any, p: str) -> float:
    """Minutes from the start of the day: a number, or ``"HH:MM"``."""
    if isinstance(v, str):
        try:
            hh, mm = v.split(":")
            h, m = int(hh), int(mm)
        except ValueError:
            raise _fail(p, f"must be minutes or 'HH:MM', got {v!r}") from None
        if not (0 <= h <= 24 and 0 <= m < 60):
            raise _fail(p, f"must be a time of day 'HH:MM', got {v!r}")
        return h * 60.0 + m
    return _number(v, p, ge=0)


def _span(obj: Mapping[str, Any], p: str, day_min: float) -> tuple[float, float]:
    start = _minutes(obj.get("start"), f"{p}.start")
    end = _minutes(obj.get("end"), f"{p}.end")
    if end <= start:
        end += 1440.0  # crosses midnight
    return (day_min + start) * 60.0, (day_min + end) * 60.0


def _shift(v: Any, p: str) -> Shift:
    obj = _obj(v, p)
    _unknown(obj, {"day", "start", "end", "breaks"}, p)
    day = _int(obj.get("day", 0), f"{p}.day") * 1440.0
    start, end = _span(obj, p, day)
    breaks = []
    for i, b in enumerate(_list(obj.get("breaks", []), f"{p}.breaks", nonempty=False)):
        bp = f"{p}.breaks[{i}]"
        bobj = _obj(b, bp)
        _unknown(bobj, {"start", "end"}, bp)
        bs, be = _span(bobj, bp, day)
        if bs < start:  # a break after midnight in a night shift
            bs, be = bs + 86400.0, be + 86400.0
        if not (start <= bs < be <= end):
            raise _fail(bp, "must lie inside its shift")
        breaks.append((bs, be))
    breaks.sort()
    for (_, e0), (s1, _) in itertools.pairwise(breaks):
        if s1 < e0:
            raise _fail(f"{p}.breaks", "must not overlap")
    return Shift(start, end, tuple(breaks))


def _roster(v: Any, p: str, all_skills: tuple[tuple[str, int], ...]) -> tuple[RosterAgent, ...]:
    agents: list[RosterAgent] = []
    for i, a in enumerate(_list(v, p)):
        ap = f"{p}[{i}]"
        obj = _obj(a, ap)
        _unknown(obj, {"agent_id", "skills", "site", "shifts", "count"}, ap)
        skills = _skills(obj["skills"], f"{ap}.skills") if "skills" in obj else all_skills
        site = _str(obj.get("site", "seoul"), f"{ap}.site")
        shifts = tuple(
            _shift(s, f"{ap}.shifts[{j}]")
            for j, s in enumerate(_list(obj.get("shifts"), f"{ap}.shifts"))
        )
        ordered = sorted(shifts, key=lambda s: s.start)
        for s0, s1 in itertools.pairwise(ordered):
            if s1.start < s0.end:
                raise _fail(f"{ap}.shifts", "must not overlap")
        base = _str(obj.get("agent_id", f"r{i}"), f"{ap}.agent_id")
        count = _int(obj.get("count", 1), f"{ap}.count", ge=1)
        for c in range(count):
            aid = base if count == 1 else f"{base}-{c}"
            agents.append(RosterAgent(aid, skills, tuple(ordered), site))
    ids = [a.agent_id for a in agents]
    if len(set(ids)) != len(ids):
        raise _fail(p, "agent ids must be unique")
    return tuple(agents)


def _groups(
    v: Any, p: str, n: int, all_skills: tuple[tuple[str, int], ...]
) -> tuple[AgentGroup, ...]:
    groups = []
    for i, g in enumerate(_list(v, p)):
        gp = f"{p}[{i}]"
        obj = _obj(g, gp)
        _unknown(obj, {"name", "skills", "site", "agents_per_interval"}, gp)
        groups.append(
            AgentGroup(
                name=_str(obj.get("name", f"g{i}"), f"{gp}.name"),
                skills=_skills(obj["skills"], f"{gp}.skills") if "skills" in obj else all_skills,
                agents_per_interval=_counts(
                    obj.get("agents_per_interval"), f"{gp}.agents_per_interval", n
                ),
                site=_str(obj.get("site", "seoul"), f"{gp}.site"),
            )
        )
    return tuple(groups)


# --- routing ---------------------------------------------------------------------------


def _routing(v: Any, p: str) -> tuple[float, dict[str, Any]]:
    obj = _obj(v, p)
    _unknown(obj, {"ring_seconds", "policy"}, p)
    ring = _number(obj.get("ring_seconds", 0), f"{p}.ring_seconds", ge=0)
    policy = dict(_obj(obj.get("policy", {}), f"{p}.policy"))
    from routing.engine import RoutingPolicy

    known = {f.name for f in dataclasses.fields(RoutingPolicy)}
    _unknown(policy, known, f"{p}.policy")
    try:
        built = RoutingPolicy(**policy)
    except (TypeError, ValueError) as exc:  # the engine's own checks name the field
        raise ScenarioError(f"{p}.policy.{exc}") from None
    timeout = built.ring_timeout_seconds
    if timeout is not None and ring >= timeout:
        raise _fail(
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
        raise _fail(
            "queues",
            f"expect {total:,.0f} calls per replication, more than the limit "
            f"{MAX_CALLS_PER_REPLICATION:,}",
        )
    agents = sum(max(g.agents_per_interval) for g in s.groups) + len(s.roster)
    if agents > MAX_AGENTS:
        raise _fail("agents_per_interval", f"asks for {agents:,} agents, more than {MAX_AGENTS:,}")


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


def parse_scenario(data: Any) -> Scenario:
    """Check the JSON form of a scenario and build a :class:`Scenario`.

    Raises :class:`ScenarioError` naming the JSON path of the first problem.
    """
    top = _obj(data, "scenario")
    _unknown(top, _TOP_FIELDS, "")
    if "interval_minutes" not in top:
        raise _fail("interval_minutes", "is required")
    interval_minutes = _number(top["interval_minutes"], "interval_minutes", gt=0)
    isec = interval_minutes * 60.0
    if "queues" not in top:
        raise _fail("queues", "is required")
    queues = tuple(
        _queue(q, f"queues[{i}]", isec) for i, q in enumerate(_list(top["queues"], "queues"))
    )
    names = [q.name for q in queues]
    if len(set(names)) != len(names):
        raise _fail("queues", f"names must be unique, got {names}")
    n = _horizon_intervals(top, queues)
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
            raise _fail(
                f"queues[{i}].{key}",
                f"must have 1 or {n} entries (one per interval), got {len(q.calls_per_interval)}",
            )
    all_skills = tuple(dict.fromkeys((q.skill, 3) for q in queues))
    groups: tuple[AgentGroup, ...] = ()
    if "agents_per_interval" in top:
        counts = _counts(top["agents_per_interval"], "agents_per_interval", n)
        groups = (AgentGroup("agents", all_skills, counts),)
    if "agent_groups" in top:
        groups += _groups(top["agent_groups"], "agent_groups", n, all_skills)
    roster = _roster(top["roster"], "roster", all_skills) if "roster" in top else ()
    if not groups and not roster:
        raise _fail("agents_per_interval", "is required (or agent_groups, or roster)")
    ring, policy = _routing(top.get("routing", {}), "routing")
    _check_contact_options(queues, policy)
    scenario = Scenario(
        interval_minutes=interval_minutes,
        queues=queues,
        groups=groups,
        roster=roster,
        service_level_threshold_seconds=_number(
            top.get("service_level_threshold_seconds", 20), "service_level_threshold_seconds", ge=0
        ),
        short_abandon_seconds=_number(
            top.get("short_abandon_seconds", 5), "short_abandon_seconds", ge=0
        ),
        service_level_definition=_choice(
            top.get("service_level_definition", "answered_of_offered"),
            SL_DEFINITIONS,
            "service_level_definition",
        ),
        ring_seconds=ring,
        policy=policy,
        engine=_choice(top.get("engine", "auto"), ("auto", "fast", "general"), "engine"),  # type: ignore[arg-type]
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
            raise _fail(f"queues[{i}].skill", f"{q.skill!r} is held by no agent")
    if s.engine == "fast" and not s.fast_path_ok():
        raise _fail(
            "engine",
            "'fast' needs one queue, one tier, agents_per_interval, no routing options "
            "and no callbacks, holds or transfers",
        )
    no_patience = any(q.patience.kind == "never" for q in s.queues)
    if no_patience and not s.roster and sum(g.agents_per_interval[-1] for g in s.groups) == 0:
        raise _fail(
            "agents_per_interval",
            "must have agents in the last interval when patience is null "
            "(calls left at the end are served by the last interval's agents)",
        )
