"""The ``queues`` part of a scenario's JSON form: volumes, handle and patience
distributions, tier mix, the contact options (callbacks, holds, transfers) and the
routing options (minimum proficiency, skill expansion, caller sites, preferred agents).

Errors name the JSON path (:mod:`simulations.scenario_json`). What needs the agents
(are the expansion skills held, are the preferred agents known) is checked in
:mod:`simulations.scenario_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from routing.events import TIERS
from simulations.distributions import Distribution
from simulations.scenario_json import (
    path_error,
    read_choice,
    read_int,
    read_list,
    read_number,
    read_object,
    read_probability,
    read_seconds,
    read_str,
    reject_unknown,
)
from simulations.scenario_model import QueueSpec

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
    "min_proficiency",
    "expansion",
    "site_mix",
    "preferred_agent_share",
    "preferred_agents",
}

#: Largest coefficient of variation of a lognormal handle time (observed talk times have
#: CV around 1; far beyond 100 the draws overflow a float).
MAX_CV = 100.0
#: Largest weight in a tier or site mix (weights are normalised; the bound keeps their sum
#: finite).
MAX_WEIGHT = 1e9


def _probability(q: Mapping[str, Any], key: str, p: str) -> float:
    return read_probability(q.get(key, 0), f"{p}.{key}")


def _samples(v: Any, path: str) -> tuple[float, ...]:
    return tuple(read_seconds(x, f"{path}[{i}]", ge=0) for i, x in enumerate(read_list(v, path)))


def _handle(q: Mapping[str, Any], p: str) -> Distribution:
    kind = read_choice(
        q.get("aht_distribution", "exponential"),
        ("exponential", "lognormal", "empirical", "deterministic"),
        f"{p}.aht_distribution",
    )
    if kind == "empirical":
        if "aht_samples" not in q:
            raise path_error(f"{p}.aht_samples", "is required when aht_distribution is empirical")
        return Distribution("empirical", samples=_samples(q["aht_samples"], f"{p}.aht_samples"))
    if "aht_seconds" not in q:
        raise path_error(f"{p}.aht_seconds", "is required")
    mean = read_seconds(q["aht_seconds"], f"{p}.aht_seconds", gt=0)
    cv = read_number(q.get("aht_cv", 1.0), f"{p}.aht_cv", gt=0, le=MAX_CV)
    return Distribution(kind, mean, cv)  # type: ignore[arg-type]


def _patience(q: Mapping[str, Any], p: str) -> Distribution:
    kind = read_choice(
        q.get("patience_distribution", "exponential"),
        ("exponential", "empirical", "deterministic"),
        f"{p}.patience_distribution",
    )
    if kind == "empirical":
        if "patience_samples" not in q:
            raise path_error(f"{p}.patience_samples", "is required when patience is empirical")
        return Distribution(
            "empirical", samples=_samples(q["patience_samples"], f"{p}.patience_samples")
        )
    mean = q.get("patience_mean_seconds")
    if mean is None:
        return Distribution("never")
    return Distribution(kind, read_seconds(mean, f"{p}.patience_mean_seconds", gt=0))  # type: ignore[arg-type]


def _tier_mix(v: Any, p: str) -> tuple[tuple[str, float], ...]:
    obj = read_object(v, p)
    if not obj:
        raise path_error(p, "must not be empty")
    mix = []
    for tier, w in obj.items():
        if tier not in TIERS:
            raise path_error(f"{p}.{tier}", f"is not a tier (tiers: {list(TIERS)})")
        mix.append((tier, read_number(w, f"{p}.{tier}", ge=0, le=MAX_WEIGHT)))
    total = sum(w for _, w in mix)
    if total <= 0:
        raise path_error(p, "weights must sum to > 0")
    return tuple((t, w / total) for t, w in mix)


def _calls(q: Mapping[str, Any], p: str, interval_seconds: float) -> tuple[float, ...]:
    if "calls_per_interval" in q and "calls_per_hour" in q:
        raise path_error(
            f"{p}.calls_per_hour", "cannot be given with calls_per_interval (give one of them)"
        )
    if "calls_per_interval" in q:
        raw = q["calls_per_interval"]
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raw = [raw]  # one number: the same volume in every interval
        v = read_list(raw, f"{p}.calls_per_interval")
        return tuple(read_number(x, f"{p}.calls_per_interval[{i}]", ge=0) for i, x in enumerate(v))
    if "calls_per_hour" in q:
        v = q["calls_per_hour"]
        rates = v if isinstance(v, list) else [v]
        path = f"{p}.calls_per_hour"
        return tuple(
            read_number(x, f"{path}[{i}]" if isinstance(v, list) else path, ge=0)
            * interval_seconds
            / 3600.0
            for i, x in enumerate(read_list(rates, path))
        )
    raise path_error(f"{p}.calls_per_interval", "is required (or calls_per_hour)")


def parse_queue(q: Any, p: str, interval_seconds: float) -> QueueSpec:
    q = read_object(q, p)
    reject_unknown(q, _QUEUE_FIELDS, p)
    name = read_str(q.get("name"), f"{p}.name")
    return QueueSpec(
        name=name,
        skill=read_str(q.get("skill", name), f"{p}.skill"),
        calls_per_interval=_calls(q, p, interval_seconds),
        handle=_handle(q, p),
        patience=_patience(q, p),
        tier_mix=_tier_mix(q.get("tier_mix", {"core": 1}), f"{p}.tier_mix"),
        wrap_up_seconds=read_seconds(q.get("wrap_up_seconds", 0), f"{p}.wrap_up_seconds", ge=0),
        **_contact_options(q, p),
        **_routing_options(q, p),
    )


def _proficiency(v: Any, path: str) -> int:
    return read_int(v, path, ge=1, le=5)


def _expansion(v: Any, p: str) -> tuple[tuple[float, str, int], ...]:
    steps: list[tuple[float, str, int]] = []
    for i, raw in enumerate(read_list(v, p, nonempty=False)):
        sp = f"{p}[{i}]"
        step = read_object(raw, sp)
        reject_unknown(step, {"after_seconds", "skill", "min_proficiency"}, sp)
        if "after_seconds" not in step:
            raise path_error(f"{sp}.after_seconds", "is required")
        after = read_seconds(step["after_seconds"], f"{sp}.after_seconds", gt=0)
        if steps and after < steps[-1][0]:
            raise path_error(
                f"{sp}.after_seconds",
                f"must be >= the step before ({steps[-1][0]:g}): steps go in time order",
            )
        steps.append((
            after,
            read_str(step.get("skill"), f"{sp}.skill"),
            _proficiency(step.get("min_proficiency", 1), f"{sp}.min_proficiency"),
        ))
    return tuple(steps)


def _site_mix(v: Any, p: str) -> tuple[tuple[str, float], ...]:
    obj = read_object(v, p)
    if not obj:
        raise path_error(p, "must not be empty")
    mix = [
        (read_str(site, p), read_number(w, f"{p}.{site}", ge=0, le=MAX_WEIGHT))
        for site, w in obj.items()
    ]
    total = sum(w for _, w in mix)
    if total <= 0:
        raise path_error(p, "weights must sum to > 0")
    return tuple((site, w / total) for site, w in mix if w > 0)


def _routing_options(q: Mapping[str, Any], p: str) -> dict[str, Any]:
    """Minimum proficiency, expansion steps, caller sites and preferred agents of one queue
    (agent names are resolved, and checked against the agents, later)."""
    share = _probability(q, "preferred_agent_share", p)
    names: tuple[str, ...] = ()
    if "preferred_agents" in q:
        path = f"{p}.preferred_agents"
        raw = read_list(q["preferred_agents"], path)
        names = tuple(read_str(x, f"{path}[{i}]") for i, x in enumerate(raw))
        if share == 0:
            raise path_error(path, "has no effect with preferred_agent_share 0")
    elif share > 0:
        raise path_error(f"{p}.preferred_agents", "is required when preferred_agent_share > 0")
    return {
        "min_proficiency": _proficiency(q.get("min_proficiency", 1), f"{p}.min_proficiency"),
        "expansion": _expansion(q.get("expansion", []), f"{p}.expansion"),
        "site_mix": _site_mix(q["site_mix"], f"{p}.site_mix") if "site_mix" in q else (),
        "preferred_agent_share": share,
        "preferred_agents": names,
    }


def _contact_options(q: Mapping[str, Any], p: str) -> dict[str, Any]:
    """Callback acceptance, hold and transfer fields of one queue (targets checked later)."""
    hold_p = _probability(q, "hold_probability", p)
    hold_mean = 0.0
    if "hold_mean_seconds" in q or hold_p > 0:
        if "hold_mean_seconds" not in q:
            raise path_error(f"{p}.hold_mean_seconds", "is required when hold_probability > 0")
        hold_mean = read_seconds(q["hold_mean_seconds"], f"{p}.hold_mean_seconds", gt=0)
    transfer_p = _probability(q, "transfer_probability", p)
    target = q.get("transfer_to")
    if target is not None:
        target = read_str(target, f"{p}.transfer_to")
    elif transfer_p > 0:
        raise path_error(f"{p}.transfer_to", "is required when transfer_probability > 0")
    return {
        "callback_acceptance_probability": _probability(q, "callback_acceptance_probability", p),
        "hold_probability": hold_p,
        "hold_mean_seconds": hold_mean,
        "transfer_probability": transfer_p,
        "transfer_to": target,
    }


def check_contact_options(queues: tuple[QueueSpec, ...], policy: Mapping[str, Any]) -> None:
    """Transfer targets exist and differ from the queue; no certain transfer loop; callbacks
    need the engine's offer (``routing.policy.callback_offer_wait_seconds``)."""
    index = {q.name: i for i, q in enumerate(queues)}
    for i, q in enumerate(queues):
        p = f"queues[{i}]"
        if q.transfer_to is not None and q.transfer_to not in index:
            raise path_error(f"{p}.transfer_to", f"{q.transfer_to!r} is not a queue (queues: {list(index)})")
        if q.transfer_to == q.name:
            raise path_error(f"{p}.transfer_to", "must name another queue")
        if q.callback_acceptance_probability > 0 and policy.get("callback_offer_wait_seconds") is None:
            raise path_error(
                f"{p}.callback_acceptance_probability",
                "needs routing.policy.callback_offer_wait_seconds (the engine offers callbacks "
                "only when it is set)",
            )
    for i in range(len(queues)):  # follow certain transfers (probability 1): no loop
        seen, j = {i}, i
        while queues[j].transfer_probability >= 1:
            j = index[queues[j].transfer_to or ""]
            if j in seen:
                raise path_error(
                    f"queues[{i}].transfer_probability",
                    "of 1 makes a transfer loop that never ends",
                )
            seen.add(j)
