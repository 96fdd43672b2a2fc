"""Checks over the whole scenario: served queues, nobody left waiting forever unseen,
routing options that take effect, unique agent ids, sizes. Each error names a JSON path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulations.scenario import ScenarioError, parse_scenario
from tests.simulations.test_scenario import EXAMPLE

#: The reviewer's roster_null.json: 5 agents 00:00-02:00, 4 h of 100 calls/h, patience null.
ROSTER_NULL: dict[str, Any] = {
    "interval_minutes": 60,
    "queues": [{"name": "general", "calls_per_interval": [100, 100, 100, 100],
                "aht_seconds": 120, "patience_mean_seconds": None}],
    "roster": [{"agent_id": "kim", "count": 5,
                "shifts": [{"day": 0, "start": "00:00", "end": "02:00"}]}],
}

SITES: dict[str, Any] = {
    "interval_minutes": 60,
    "queues": [{"name": "general", "calls_per_interval": [400, 400], "aht_seconds": 240,
                "patience_mean_seconds": 120, "site_mix": {"seoul": 0.5, "busan": 0.5}}],
    "agent_groups": [
        {"name": "s", "site": "seoul", "agents_per_interval": [20, 20]},
        {"name": "b", "site": "busan", "agents_per_interval": [10, 10]},
    ],
}

SKILLS: dict[str, Any] = {
    "interval_minutes": 60,
    "queues": [
        {"name": "general", "calls_per_interval": [100], "aht_seconds": 200,
         "patience_mean_seconds": 100},
        {"name": "cards", "calls_per_interval": [20], "aht_seconds": 200,
         "patience_mean_seconds": 100, "min_proficiency": 3,
         "expansion": [{"after_seconds": 20, "skill": "general", "min_proficiency": 2}]},
    ],
    "agent_groups": [
        {"name": "gen", "skills": {"general": 3}, "agents_per_interval": [8]},
        {"name": "card", "skills": {"cards": 4}, "agents_per_interval": [2]},
    ],
}


def error(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data)
    text = str(err.value)
    assert "\n" not in text
    return text


# --- every caller can be served, or abandons -------------------------------------------


def test_roster_with_null_patience_is_refused() -> None:
    """Callers arriving after the roster went home, with patience null, used to vanish
    (0 offered in intervals 2-3, no error)."""
    assert error(copy.deepcopy(ROSTER_NULL)).startswith(
        "queues[0].patience_mean_seconds is null (nobody abandons) but only roster agents "
        "can take queue 'general', and roster shifts end"
    )


def test_roster_with_null_patience_is_fine_with_counted_agents_at_the_end() -> None:
    data = copy.deepcopy(ROSTER_NULL)
    data["agent_groups"] = [{"name": "late", "agents_per_interval": [0, 0, 5, 5]}]
    assert parse_scenario(data).roster
    data["agent_groups"][0]["agents_per_interval"] = [5, 5, 5, 0]
    assert error(data).startswith("agent_groups must have agents in the last interval when "
                                  "patience is null: queues[0] ('general') needs an agent")
    data["queues"][0]["patience_mean_seconds"] = 300  # callers give up: nobody stays unseen
    assert parse_scenario(data).roster


def test_null_patience_needs_an_agent_of_that_queue_at_the_end() -> None:
    """Per queue: agents in the last interval who cannot take the queue do not count."""
    data = copy.deepcopy(SKILLS)
    data["queues"][0]["patience_mean_seconds"] = None
    data["agent_groups"][0]["agents_per_interval"] = [8, 0]
    data["queues"][0]["calls_per_interval"] = [100, 100]
    assert error(data).startswith("agent_groups must have agents in the last interval when "
                                  "patience is null: queues[0] ('general')")


def test_sites_without_overflow_need_their_own_agents_at_the_end() -> None:
    data = copy.deepcopy(SITES)
    data["queues"][0]["patience_mean_seconds"] = None
    data["agent_groups"][1]["agents_per_interval"] = [10, 0]
    data["routing"] = {"policy": {"overflow_after_seconds": None}}
    assert "needs an agent who can take it of site 'busan' on duty then" in error(data)
    data["routing"]["policy"]["overflow_after_seconds"] = 30  # busan callers overflow
    assert parse_scenario(data).queues[0].site_mix == (("seoul", 0.5), ("busan", 0.5))


# --- routing options take effect ------------------------------------------------------


def test_site_mix_names_agent_sites() -> None:
    data = copy.deepcopy(SITES)
    data["queues"][0]["site_mix"] = {"Seoul": 1}
    assert error(data) == "queues[0].site_mix.Seoul is no agent's site (sites: ['busan', 'seoul'])"
    data["queues"][0]["site_mix"] = {"busan": 1}
    data["agent_groups"][1]["skills"] = ["loans"]
    data["routing"] = {"policy": {"overflow_after_seconds": None}}
    assert error(data).startswith("queues[0].site_mix.busan has no agent who can take queue")


def test_min_proficiency_and_expansion_are_checked_against_the_agents() -> None:
    data = copy.deepcopy(SKILLS)
    assert parse_scenario(data).queues[1].pools() == ((0.0, "cards", 3), (20.0, "general", 2))
    data["queues"][1]["min_proficiency"] = 5
    data["queues"][1]["expansion"] = []
    assert error(data).startswith(
        "queues[1].min_proficiency 5: no agent holds 'cards' at 5 or above"
    )
    data = copy.deepcopy(SKILLS)
    data["queues"][1]["expansion"][0]["min_proficiency"] = 4
    assert error(data).startswith("queues[1].expansion[0] has no effect: no agent holds 'general'")
    data["queues"][1]["expansion"] = [{"after_seconds": 20, "skill": "cards", "min_proficiency": 4}]
    assert error(data).startswith("queues[1].expansion[0] has no effect")  # all already eligible
    data["queues"][1]["expansion"] = [
        {"after_seconds": 30, "skill": "general"}, {"after_seconds": 10, "skill": "general"}
    ]
    assert error(data).startswith("queues[1].expansion[1].after_seconds must be >= the step before")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_proficiency": 0}, "queues[1].min_proficiency must be >= 1, got 0"),
        ({"min_proficiency": 6}, "queues[1].min_proficiency must be <= 5, got 6"),
        ({"expansion": [{"skill": "general"}]}, "queues[1].expansion[0].after_seconds is required"),
        ({"expansion": [{"after_seconds": 0, "skill": "general"}]},
         "queues[1].expansion[0].after_seconds must be > 0, got 0"),
        ({"expansion": [{"after_seconds": 5, "skill": "general", "level": 2}]},
         "queues[1].expansion[0].level is not a known field"),
        ({"site_mix": {}}, "queues[1].site_mix must not be empty"),
        ({"site_mix": {"seoul": -1}}, "queues[1].site_mix.seoul must be >= 0, got -1"),
        ({"preferred_agent_share": 0.5}, "queues[1].preferred_agents is required when"),
        ({"preferred_agents": ["card"]},
         "queues[1].preferred_agents has no effect with preferred_agent_share 0"),
        ({"preferred_agent_share": 0.5, "preferred_agents": ["nobody"]},
         "queues[1].preferred_agents[0] 'nobody' is no agent id, agent group or roster entry"),
        ({"preferred_agent_share": 1.5, "preferred_agents": ["card"]},
         "queues[1].preferred_agent_share must be <= 1, got 1.5"),
    ],
)
def test_routing_option_errors_name_the_path(change: dict[str, Any], message: str) -> None:
    data = copy.deepcopy(SKILLS)
    data["queues"][1].update(change)
    assert error(data).startswith(message)


def test_preferred_agents_resolve_ids_groups_and_roster_entries() -> None:
    data = copy.deepcopy(SKILLS)
    data["roster"] = [
        {"agent_id": "rm", "count": 2, "skills": ["other"], "shifts": [{"start": 0, "end": 60}]},
        {"agent_id": "kim", "skills": ["other"], "shifts": [{"start": 0, "end": 60}]},
    ]
    data["queues"][1].update(preferred_agent_share=0.3,
                             preferred_agents=["rm", "kim", "card", "gen-3", "rm-1"])
    data["routing"] = {"policy": {"preferred_agent_wait_seconds": 45}}
    q = parse_scenario(data).queues[1]
    assert q.preferred_agents == ("rm-0", "rm-1", "kim", "card-0", "card-1", "gen-3")
    assert not parse_scenario(data).fast_path_ok()


# --- agent ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        ({"agent_groups": [{"name": "a", "agents_per_interval": [3]},
                           {"name": "a", "agents_per_interval": [2]}]},
         "agent_groups[1].name 'a' is already the name of agent_groups[0]"),
        ({"agents_per_interval": [2], "agent_groups": [{"name": "agents", "agents_per_interval": [1]}]},
         "agent_groups[0].name 'agents' is already the name of agents_per_interval"),
        ({"agents_per_interval": [2],
          "roster": [{"agent_id": "agents-0", "shifts": [{"start": 0, "end": 60}]}]},
         "roster[0].agent_id 'agents-0' is already the id of an agent of agents_per_interval"),
        ({"agent_groups": [{"name": "g", "agents_per_interval": [2]}],
          "roster": [{"agent_id": "g", "count": 2, "shifts": [{"start": 0, "end": 60}]}]},
         ("roster[0].agent_id 'g' (with count) makes 'g-0', which is already the id of an "
          "agent of agent_groups[0]")),
        ({"roster": [{"agent_id": "x", "shifts": [{"start": 0, "end": 60}]},
                     {"agent_id": "x", "shifts": [{"start": 60, "end": 90}]}]},
         "roster[1].agent_id 'x' is already the id of an agent of roster[0]"),
    ],
)
def test_duplicate_agent_ids_name_the_entry(agents: dict[str, Any], message: str) -> None:
    """They used to fail at run time (DuplicateId from the engine), with no JSON path."""
    data = {k: v for k, v in EXAMPLE.items() if k != "agents_per_interval"}
    data["queues"] = [dict(EXAMPLE["queues"][0], calls_per_interval=[10, 10])]
    assert error({**data, **agents}) == message


# --- sizes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("aht_seconds", 1e308, "queues[0].aht_seconds must be <= 1e+09, got 1e+308"),
        ("aht_seconds", 10**400, "queues[0].aht_seconds must be a finite number, got 1000"),
        ("patience_mean_seconds", 1e308, "queues[0].patience_mean_seconds must be <= 1e+09"),
        ("wrap_up_seconds", 1e300, "queues[0].wrap_up_seconds must be <= 1e+09"),
        ("hold_mean_seconds", 1e300, "queues[0].hold_mean_seconds must be <= 1e+09"),
        ("aht_samples", [10, 1e300], "queues[0].aht_samples[1] must be <= 1e+09"),
        ("aht_cv", 1e200, "queues[0].aht_cv must be <= 100, got 1e+200"),
        ("tier_mix", {"core": 1e308, "gold": 1e308}, "queues[0].tier_mix.core must be <= 1e+09"),
    ],
)
def test_durations_are_bounded(path: str, value: Any, message: str) -> None:
    """``aht_seconds: 1e308`` used to fail mid-run with 'cannot convert float NaN to integer'."""
    data = copy.deepcopy(EXAMPLE)
    q = data["queues"][0]
    if path == "aht_samples":
        q["aht_distribution"] = "empirical"
    if path == "aht_cv":
        q["aht_distribution"] = "lognormal"
    if path == "hold_mean_seconds":
        q["hold_probability"] = 0.5
    q[path] = value
    assert error(data).startswith(message)


def test_the_horizon_is_bounded() -> None:
    data = copy.deepcopy(EXAMPLE)
    data["interval_minutes"] = 1e7
    assert error(data).startswith("interval_minutes × 2 intervals makes a horizon of 1.2e+09 s")
    data["interval_minutes"] = 1e306
    assert error(data).startswith("interval_minutes must be <= ")


def test_agent_counts_are_bounded_before_any_agent_is_made() -> None:
    base = {k: v for k, v in EXAMPLE.items() if k != "agents_per_interval"}
    shift = [{"start": 0, "end": 60}]
    assert error({**base, "roster": [{"count": 10**9, "shifts": shift}]}).startswith(
        "roster[0].count must be <= 100000"
    )
    many = [{"agent_id": f"r{i}", "count": 60_000, "shifts": shift} for i in range(2)]
    assert error({**base, "roster": many}).startswith("roster[1].count makes more than 100,000")
    groups = [{"name": "g", "agents_per_interval": [10**12]}]
    assert error({**base, "agent_groups": groups}).startswith(
        "agent_groups asks for 1,000,000,000,000 agents"
    )
