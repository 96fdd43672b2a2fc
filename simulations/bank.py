"""The bank's week as a scenario, and the value-routing experiment on it.

The week (DESIGN.md's scale): 15,000 inbound calls a day on average, open 08:00–20:00 in
half-hour intervals (the seven days are simulated back to back, nights left out), an
intraday curve with a morning and an afternoon peak and a weekly curve (Monday busiest,
Sunday quietest) averaging 1. Handle time lognormal (mean 150 s talk, CV 1) plus 30 s
wrap-up; exponential patience (mean 180 s). Callers' tiers: 1 % private_banker, 4 %
platinum (the 5 % VIP), 10 % gold, 20 % silver, 55 % core, 10 % inactive.

Staffing per interval follows the square-root rule ``n = ceil(R + beta sqrt(R))``
(:func:`square_root_staffing`); :func:`calibrate_beta` picks ``beta`` so that a single
FIFO queue gives the wanted overall service level (about 80 % in 20 s). (Erlang C
staffing for 80 % overshoots by far here: with patience the FIFO queue reaches ~97 %.)

The experiment runs the same callers (common random numbers: the same seed) through the
same engine under two policies: ``fifo`` (every tier rank 0: one first-come-first-served
line) and ``value`` (the engine's tier ranks with ageing, ``A`` seconds per level).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qa.counts import count_contacts
from qa.kpis import abandonment_rate, average_speed_of_answer, service_level
from routing.events import TIERS, VIP_TIERS
from simulations.center import simulate_center
from simulations.scenario import parse_scenario

TIER_MIX = {
    "private_banker": 0.01,
    "platinum": 0.04,
    "gold": 0.10,
    "silver": 0.20,
    "core": 0.55,
    "inactive": 0.10,
}

#: Share of a day's calls per half hour, 08:00–20:00 (24 intervals): peaks at 10–11 and 14–15.
_INTRADAY = np.array(
    [2, 3, 4.5, 5.5, 6, 6, 5.5, 5, 4, 4, 5, 5.5, 5.5, 5.5, 5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1.2, 1.0]
)
#: Monday … Sunday, mean 1.
_WEEKLY = np.array([1.25, 1.1, 1.05, 1.0, 1.1, 0.85, 0.65])


def bank_calls(days: int = 7, calls_per_day: float = 15000.0) -> list[float]:
    """Expected calls per half hour over ``days`` days (week curve repeated)."""
    day = _INTRADAY / _INTRADAY.sum()
    weekly = _WEEKLY / _WEEKLY.mean()
    return [float(calls_per_day * weekly[d % 7] * x) for d in range(days) for x in day]


def intraday_steps(mean_calls_per_hour: float, open_hhmm: str = "09:00",
                   close_hhmm: str = "18:00") -> list[dict[str, Any]]:
    """The bank's intraday curve between ``open_hhmm`` and ``close_hhmm`` (whole half hours
    inside 08:00-20:00) as ``inbound.calls_per_hour`` steps of an outbound scenario
    (``[{"from": "09:00", "calls_per_hour": ...}, ...]``), scaled so that their mean is
    ``mean_calls_per_hour``: the morning and afternoon peaks of a blended team's inbound."""
    first, last = (_half_hour(open_hhmm), _half_hour(close_hhmm))
    if not 0 <= first < last <= len(_INTRADAY):
        raise ValueError(f"{open_hhmm}-{close_hhmm} is not within 08:00-20:00")
    shares = _INTRADAY[first:last]
    scale = mean_calls_per_hour / float(shares.mean())
    return [{"from": f"{8 + (first + i) // 2:02d}:{30 * ((first + i) % 2):02d}",
             "calls_per_hour": round(float(x) * scale, 3)} for i, x in enumerate(shares)]


def _half_hour(hhmm: str) -> int:
    """The index of the half hour starting at ``hhmm`` in the 08:00-20:00 curve."""
    hh, mm = int(hhmm[:2]), int(hhmm[3:])
    if mm not in (0, 30):
        raise ValueError(f"{hhmm} is not on a half hour")
    return (hh - 8) * 2 + mm // 30


def square_root_staffing(
    calls: list[float], interval_seconds: float, aht_seconds: float, beta: float
) -> list[int]:
    """``n = ceil(R + beta sqrt(R))`` per interval, ``R`` the offered load in Erlangs.

    The square-root safety-staffing rule (Halfin & Whitt 1981; Borst, Mandelbaum &
    Reiman 2004, *Dimensioning large call centers*, Oper. Res. 52): one knob ``beta``
    sets the same quality of service across interval sizes; with abandonment ``beta``
    may be 0 or below.
    """
    out = []
    for c in calls:
        load = c * aht_seconds / interval_seconds
        out.append(max(math.ceil(load + beta * math.sqrt(load)), 1))
    return out


def bank_week_scenario(
    policy: str = "value",
    *,
    days: int = 7,
    calls_per_day: float = 15000.0,
    beta: float = 0.0,
    ageing_seconds_per_level: float = 60.0,
) -> dict[str, Any]:
    """The scenario JSON (docs/scenario.md) of the bank's week under ``fifo`` or ``value``."""
    if policy not in ("fifo", "value"):
        raise ValueError(f"policy must be 'fifo' or 'value', got {policy!r}")
    talk, wrap, interval = 150.0, 30.0, 30
    calls = bank_calls(days, calls_per_day)
    agents = square_root_staffing(calls, interval * 60.0, talk + wrap, beta)
    ranks = {t: 0 for t in TIERS} if policy == "fifo" else {t: i for i, t in enumerate(TIERS)}
    return {
        "name": f"bank week ({policy})",
        "interval_minutes": interval,
        "service_level_threshold_seconds": 20,
        "queues": [
            {
                "name": "general",
                "calls_per_interval": calls,
                "aht_seconds": talk,
                "aht_distribution": "lognormal",
                "aht_cv": 1.0,
                "wrap_up_seconds": wrap,
                "patience_mean_seconds": 180,
                "tier_mix": TIER_MIX,
            }
        ],
        "agents_per_interval": agents,
        "routing": {
            "policy": {"tier_rank": ranks, "ageing_seconds_per_level": ageing_seconds_per_level}
        },
        "engine": "general",
    }


def fifo_service_level(data: dict[str, Any], seeds: list[int]) -> float:
    """Mean overall SL(20 s) of the scenario's callers in one FCFS line (the fast path).

    Under equal tier ranks the engine serves first come first served, so the fast path
    gives exactly the FIFO outcome (same seed, same callers).
    """
    from simulations.fcfs import simulate_fcfs

    one = dict(data, queues=[dict(data["queues"][0], tier_mix={"core": 1})], engine="fast")
    one.pop("routing", None)
    scenario = parse_scenario(one)
    sls = [
        service_level(count_contacts(simulate_fcfs(scenario, np.random.default_rng(s)).table, 20.0))
        for s in seeds
    ]
    return float(np.mean(sls))


def calibrate_beta(
    target: float = 0.80,
    *,
    days: int = 7,
    seeds: tuple[int, ...] = (101, 102),
    lo: float = -1.0,
    hi: float = 1.5,
    steps: int = 12,
) -> float:
    """Bisection on ``beta`` for a FIFO overall SL(20 s) of ``target`` (on separate seeds)."""
    for _ in range(steps):
        mid = (lo + hi) / 2
        sl = fifo_service_level(bank_week_scenario("fifo", days=days, beta=mid), list(seeds))
        lo, hi = (mid, hi) if sl < target else (lo, mid)
    return hi


def value_routing_figures(
    data: dict[str, Any], seed: np.random.SeedSequence | int
) -> dict[str, float]:
    """One replication: SL, ASA and abandonment of VIP and general callers, and overall."""
    scenario = parse_scenario(data)
    run = simulate_center(scenario, np.random.default_rng(seed))
    t = run.table
    tiers = np.asarray(t.tiers, dtype=object)[t.tier_index]
    vip = np.isin(tiers, VIP_TIERS)
    out: dict[str, float] = {"calls": float(len(t))}
    for name, mask in (("vip", vip), ("general", ~vip), ("all", np.ones(len(t), bool))):
        c10, c20 = count_contacts(t, 10.0, 5.0, mask), count_contacts(t, 20.0, 5.0, mask)
        out[f"{name}_sl10"] = service_level(c10)
        out[f"{name}_sl20"] = service_level(c20)
        out[f"{name}_asa"] = average_speed_of_answer(c20)
        out[f"{name}_abandon"] = abandonment_rate(c20)
    out["agent_hours"] = float(
        sum(scenario.groups[0].agents_per_interval) * scenario.interval_minutes / 60
    )
    return out
