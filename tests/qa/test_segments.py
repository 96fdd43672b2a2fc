"""VIP and general callers."""

from __future__ import annotations

from qa.segments import SEGMENTS, VIP_TIERS, segment_of
from routing.events import TIERS
from routing.policy import DEFAULT_SERVICE_LEVEL_GOALS


def test_vip_is_the_two_top_tiers_everyone_else_is_general() -> None:
    assert VIP_TIERS == TIERS[:2] == ("private_banker", "platinum")
    assert [segment_of(t) for t in TIERS] == ["vip", "vip", "general", "general", "general",
                                              "general"]
    assert segment_of("someone new") == "general" and SEGMENTS == ("vip", "general")


def test_the_vip_tiers_are_those_routing_holds_to_the_vip_goal() -> None:
    vip_goal = DEFAULT_SERVICE_LEVEL_GOALS["private_banker"]
    assert {t for t, g in DEFAULT_SERVICE_LEVEL_GOALS.items() if g == vip_goal} == set(VIP_TIERS)
