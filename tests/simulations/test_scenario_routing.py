"""The routing part of a scenario: every policy field typed and bounded, errors naming it."""

from __future__ import annotations

import math
from typing import Any

import pytest

from routing.events import TIERS
from simulations.scenario import ScenarioError, parse_scenario
from tests.simulations.test_scenario import with_

RANKS = {t: i for i, t in enumerate(TIERS)}


def policy(**fields: Any) -> dict[str, Any]:
    return with_("routing", {"policy": fields})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ring_timeout_seconds": "10"},
         "routing.policy.ring_timeout_seconds must be a finite number, got '10'"),
        ({"ring_timeout_seconds": 0}, "routing.policy.ring_timeout_seconds must be > 0, got 0"),
        ({"preferred_agent_wait_seconds": None},
         "routing.policy.preferred_agent_wait_seconds must be a number of seconds, not null"),
        ({"preferred_agent_wait_seconds": "30"},
         "routing.policy.preferred_agent_wait_seconds must be a finite number, got '30'"),
        ({"ageing_seconds_per_level": -1},
         "routing.policy.ageing_seconds_per_level must be > 0, got -1"),
        ({"overflow_after_seconds": [1]},
         "routing.policy.overflow_after_seconds must be a finite number, got [1]"),
        ({"callback_offer_wait_seconds": 1e308},
         "routing.policy.callback_offer_wait_seconds must be <= 1e+09, got 1e+308"),
        ({"selection": 3}, "routing.policy.selection must be one of"),
        ({"tier_rank": {**RANKS, "core": math.nan}},
         "routing.policy.tier_rank.core must be an integer, got nan"),
        ({"tier_rank": {**RANKS, "core": "3"}},
         "routing.policy.tier_rank.core must be an integer, got '3'"),
        ({"tier_rank": {**RANKS, "core": 1.5}},
         "routing.policy.tier_rank.core must be an integer, got 1.5"),
        ({"tier_rank": {**RANKS, "core": -1}}, "routing.policy.tier_rank.core must be >= 0"),
        ({"tier_rank": {**RANKS, "core": 10**30}},
         "routing.policy.tier_rank.core must be <= 1000000"),
        ({"tier_rank": {**RANKS, "diamond": 0}}, "routing.policy.tier_rank.diamond is not a tier"),
        ({"tier_rank": {"core": 0}}, "routing.policy.tier_rank.private_banker is required"),
        ({"tier_rank": [0, 1]}, "routing.policy.tier_rank must be an object"),
    ],
)
def test_policy_errors_name_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(policy(**fields))
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_policy_values_reach_the_engine_typed() -> None:
    from simulations.scenario_routing import parse_policy

    got = parse_policy(
        {"ring_timeout_seconds": None, "tier_rank": {**RANKS, "core": 0.0}, "selection": "longest_idle"},
        "routing.policy",
    )
    assert got["ring_timeout_seconds"] is None
    assert got["tier_rank"]["core"] == 0 and isinstance(got["tier_rank"]["core"], int)
    s = parse_scenario(policy(ageing_seconds_per_level=None, tier_rank={t: 0 for t in TIERS}))
    assert s.policy == {"ageing_seconds_per_level": None, "tier_rank": {t: 0 for t in TIERS}}


def test_ring_time_must_stay_under_the_timeout() -> None:
    data = with_("routing", {"ring_seconds": 5, "policy": {"ring_timeout_seconds": 5}})
    with pytest.raises(ScenarioError, match=r"routing\.ring_seconds must be < routing\.policy"):
        parse_scenario(data)
    data["routing"]["policy"]["ring_timeout_seconds"] = None  # no timeout: any ring time
    assert parse_scenario(data).ring_seconds == 5


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"overflow_after_seconds": 0}, "routing.policy.overflow_after_seconds has no effect"),
        ({"overflow_after_seconds": None}, "routing.policy.overflow_after_seconds has no effect"),
        ({"preferred_agent_wait_seconds": 10},
         "routing.policy.preferred_agent_wait_seconds has no effect"),
    ],
)
def test_options_without_effect_are_refused(fields: dict[str, Any], message: str) -> None:
    """They used to be accepted and change nothing (the callers had no site, no preferred
    agent): the same results for overflow 0, 600 or null."""
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(policy(**fields))
