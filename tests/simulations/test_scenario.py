"""Scenario parsing: the issue's example, richer fields, and errors that name the JSON path."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from simulations.scenario import ScenarioError, parse_scenario

EXAMPLE: dict[str, Any] = {
    "interval_minutes": 60,
    "service_level_threshold_seconds": 20,
    "queues": [
        {
            "name": "general",
            "calls_per_interval": [810, 810],
            "aht_seconds": 240,
            "aht_distribution": "exponential",
            "patience_mean_seconds": 120,
        }
    ],
    "agents_per_interval": [60, 60],
}


def with_(path: str, value: Any) -> dict[str, Any]:
    """EXAMPLE with one field set (``a.b[0].c``); value ``...`` deletes it."""
    data = copy.deepcopy(EXAMPLE)
    parts = path.replace("]", "").replace("[", ".").split(".")
    obj: Any = data
    for p in parts[:-1]:
        obj = obj[int(p)] if p.isdigit() else obj[p]
    last = parts[-1]
    if value is ...:
        del obj[last]
    else:
        obj[int(last) if last.isdigit() else last] = value
    return data


def test_issue_example() -> None:
    s = parse_scenario(EXAMPLE)
    assert s.n_intervals == 2 and s.interval_seconds == 3600
    q = s.queues[0]
    assert q.handle.kind == "exponential" and q.handle.mean == 240
    assert q.patience.kind == "exponential" and q.patience.mean == 120
    assert s.groups[0].agents_per_interval == (60, 60)
    assert s.fast_path_ok() and s.uses_fast_path()
    assert s.tiers == ("core",)


def test_null_patience_means_nobody_abandons() -> None:
    s = parse_scenario(with_("queues[0].patience_mean_seconds", None))
    assert s.queues[0].patience.kind == "never"
    assert math.isinf(s.queues[0].patience.mean)


def test_richer_fields() -> None:
    data = {
        "interval_minutes": 30,
        "queues": [
            {
                "name": "general",
                "calls_per_hour": 100,
                "aht_seconds": 200,
                "aht_distribution": "lognormal",
                "aht_cv": 0.7,
                "patience_distribution": "empirical",
                "patience_samples": [10, 50, 90],
                "tier_mix": {"platinum": 1, "core": 3},
                "wrap_up_seconds": 10,
            },
            {
                "name": "cards",
                "skill": "cards",
                "calls_per_hour": [10, 20],
                "aht_distribution": "empirical",
                "aht_samples": [100, 200],
            },
        ],
        "agent_groups": [
            {"name": "g", "skills": {"general": 5, "cards": 2}, "agents_per_interval": [3, 4]}
        ],
        "roster": [
            {
                "agent_id": "x",
                "count": 2,
                "skills": ["cards"],
                "site": "busan",
                "shifts": [
                    {
                        "day": 1,
                        "start": "22:00",
                        "end": "06:00",
                        "breaks": [{"start": "02:00", "end": "02:30"}],
                    }
                ],
            }
        ],
        "routing": {"ring_seconds": 2},
    }
    s = parse_scenario(data)
    assert s.queues[0].calls_per_interval == (50.0, 50.0)
    assert s.queues[0].tier_mix == (("platinum", 0.25), ("core", 0.75))
    assert s.queues[1].handle.mean == 150
    assert [a.agent_id for a in s.roster] == ["x-0", "x-1"]
    sh = s.roster[0].shifts[0]
    assert (sh.start, sh.end) == ((1440 + 1320) * 60, (1440 + 1800) * 60)
    assert sh.breaks == (((1440 + 1560) * 60, (1440 + 1590) * 60),)
    assert s.tiers == ("platinum", "core")
    assert not s.fast_path_ok()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("queues[0].aht_seconds", -1, "queues[0].aht_seconds must be > 0, got -1"),
        ("queues[0].aht_seconds", ..., "queues[0].aht_seconds is required"),
        (
            "queues[0].aht_seconds",
            "240",
            "queues[0].aht_seconds must be a finite number, got '240'",
        ),
        (
            "queues[0].calls_per_interval[1]",
            -5,
            "queues[0].calls_per_interval[1] must be >= 0, got -5",
        ),
        ("queues[0].aht_distribution", "gamma", "queues[0].aht_distribution must be one of"),
        (
            "queues[0].patience_mean_seconds",
            0,
            "queues[0].patience_mean_seconds must be > 0, got 0",
        ),
        ("queues[0].tier_mix", {"diamond": 1}, "queues[0].tier_mix.diamond is not a tier"),
        ("queues[0].colour", "red", "queues[0].colour is not a known field"),
        ("queues", [], "queues must not be empty"),
        ("interval_minutes", 0, "interval_minutes must be > 0, got 0"),
        ("interval_minutes", ..., "interval_minutes is required"),
        ("agents_per_interval", [60, 60, 60], "agents_per_interval must have 1 or 2 entries"),
        ("agents_per_interval", [60, -1], "agents_per_interval[1] must be >= 0, got -1"),
        ("agents_per_interval", [60, 1.5], "agents_per_interval[1] must be an integer, got 1.5"),
        ("agents_per_interval", ..., "agents_per_interval is required"),
        ("service_level_definition", "x", "service_level_definition must be one of"),
        ("routing", {"policy": {"warp": 9}}, "routing.policy.warp is not a known field"),
        ("engine", "quantum", "engine must be one of"),
        ("routing", {"policy": {"selection": "random"}}, "routing.policy.selection must be"),
        (
            "routing",
            {"ring_seconds": 30},
            "routing.ring_seconds must be < routing.policy.ring_timeout_seconds (20), got 30",
        ),
        (
            "queues[0].calls_per_interval",
            [1e9, 1e9],
            "queues expect 2,000,000,000 calls per replication",
        ),
        ("agents_per_interval", [10**6], "agents_per_interval asks for 1,000,000 agents"),
        ("bogus", 1, "bogus is not a known field"),
        (
            "queues[0].calls_per_hour",
            810,
            "queues[0].calls_per_hour cannot be given with calls_per_interval",
        ),
    ],
)
def test_errors_name_the_path(path: str, value: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(with_(path, value))
    assert str(err.value).startswith(message)


def test_null_patience_needs_agents_at_the_end() -> None:
    data = with_("queues[0].patience_mean_seconds", None)
    data["agents_per_interval"] = [60, 0]
    with pytest.raises(
        ScenarioError, match="agents_per_interval must have agents in the last interval"
    ):
        parse_scenario(data)


def test_roster_errors() -> None:
    base = {k: v for k, v in EXAMPLE.items() if k != "agents_per_interval"}
    bad_break = {
        **base,
        "roster": [
            {
                "shifts": [
                    {
                        "start": "09:00",
                        "end": "12:00",
                        "breaks": [{"start": "13:00", "end": "13:30"}],
                    }
                ]
            }
        ],
    }
    with pytest.raises(
        ScenarioError, match=r"roster\[0\]\.shifts\[0\]\.breaks\[0\] must lie inside"
    ):
        parse_scenario(bad_break)
    bad_time = {**base, "roster": [{"shifts": [{"start": "9h", "end": "12:00"}]}]}
    with pytest.raises(
        ScenarioError, match=r"roster\[0\]\.shifts\[0\]\.start must be minutes or 'HH:MM'"
    ):
        parse_scenario(bad_time)
    no_skill = {**base, "roster": [{"skills": ["cards"], "shifts": [{"start": 0, "end": 60}]}]}
    with pytest.raises(ScenarioError, match=r"queues\[0\]\.skill 'general' is held by no agent"):
        parse_scenario(no_skill)


def test_not_an_object() -> None:
    with pytest.raises(ScenarioError, match="scenario must be an object"):
        parse_scenario([1, 2])


def test_one_number_stands_for_every_interval() -> None:
    """docs/scenario.md: calls_per_interval and agents_per_interval may be one number."""
    from simulations.scenario import parse_scenario

    base = {
        "interval_minutes": 60,
        "service_level_threshold_seconds": 20,
        "queues": [{"name": "general", "calls_per_interval": [810, 810, 700],
                    "aht_seconds": 240, "patience_mean_seconds": 120}],
        "agents_per_interval": 60,
    }
    s = parse_scenario(base)
    assert s.groups[0].agents_per_interval == (60, 60, 60)
    base["queues"][0]["calls_per_interval"] = 810
    base["agents_per_interval"] = [60, 61]
    s = parse_scenario(base)
    assert s.queues[0].calls_per_interval == (810.0, 810.0)
    assert s.groups[0].agents_per_interval == (60, 61)
