"""The wallboard's bands from the service standards, ahead of the goals' defaults."""

from __future__ import annotations

from dashboards.standard_thresholds import StandardThresholds
from dashboards.thresholds import Band, ChainedThresholds, GoalThresholds
from qa.standards import Standard
from routing.events import ServiceLevelGoal

GOAL = ServiceLevelGoal(20.0, 0.8)


def test_standards_first_then_goals() -> None:
    standards = [
        Standard("service_level", 0.8, 0.78, 0.7, 2026),
        Standard("service_level", 0.9, 0.88, 0.85, 2026, segment="vip"),
        Standard("asa_seconds", 10, 12, 20, 2026, quarter=4),
        Standard("abandon_rate", 0.01, 0.02, 0.03, 2026, scope="team", scope_id="t1"),
    ]
    chain = ChainedThresholds((StandardThresholds(standards, 2026, 4), GoalThresholds()))
    assert chain.band("service_level", GOAL, "deposits", "general") == Band(0.78, 0.7, True)
    assert chain.band("service_level", GOAL, "deposits", "vip") == Band(0.88, 0.85, True)
    assert chain.band("service_level", GOAL, None, None) == Band(0.78, 0.7, True)
    assert chain.band("asa_seconds", GOAL) == Band(12, 20)
    # a team's standard is not the floor's; the longest wait has no standard: the goals'
    assert chain.band("abandon_rate", GOAL) == GoalThresholds().band("abandon_rate", GOAL)
    assert chain.band("longest_wait_seconds", GOAL) == GoalThresholds().band(
        "longest_wait_seconds", GOAL)
    # another quarter: the yearly SL standard still applies, the Q4 ASA one does not
    q1 = StandardThresholds(standards, 2026, 1)
    assert q1.band("asa_seconds", GOAL) is None
    assert q1.band("service_level", GOAL, None, "vip") == Band(0.88, 0.85, True)
