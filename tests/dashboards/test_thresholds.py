"""dashboards.thresholds: bands from the goals and the settings, levels, a chain of sources."""

from __future__ import annotations

import math

import pytest

from dashboards.thresholds import Band, ChainedThresholds, GoalThresholds
from dashboards.wallboard import WallboardState
from routing.events import ContactAbandoned, ContactAnswered, ContactArrived, ServiceLevelGoal

VIP = ServiceLevelGoal(10.0, 0.9)
GENERAL = ServiceLevelGoal(20.0, 0.8)


def test_service_level_band_comes_from_the_goal() -> None:
    t = GoalThresholds(sl_alert_margin=0.05)
    band = t.band("service_level", VIP)
    assert (band.warn, band.alert, band.higher_is_better) == (0.9, pytest.approx(0.85), True)
    assert [band.level(x) for x in (0.95, 0.9, 0.87, 0.8, None, math.nan)] == [
        "ok", "ok", "warn", "alert", None, None]
    assert t.band("service_level", GENERAL).warn == 0.8  # another goal, another band


def test_waits_relative_to_the_goal_unless_configured() -> None:
    t = GoalThresholds()
    assert (t.band("asa_seconds", VIP).warn, t.band("asa_seconds", VIP).alert) == (10.0, 20.0)
    assert t.band("longest_wait_seconds", GENERAL).alert == 60.0
    fixed = GoalThresholds(asa_warn_seconds=15, asa_alert_seconds=25, abandon_warn=0.02,
                           abandon_alert=0.04, longest_wait_alert_seconds=90)
    assert fixed.band("asa_seconds", VIP) == Band(15, 25)
    assert fixed.band("abandon_rate", VIP).level(0.03) == "warn"
    assert fixed.band("longest_wait_seconds", GENERAL) == Band(20.0, 90)


def test_a_band_must_put_alert_beyond_warn() -> None:
    with pytest.raises(ValueError, match="alert"):
        Band(0.1, 0.05)
    with pytest.raises(ValueError, match="alert"):
        Band(0.8, 0.9, higher_is_better=True)


class _Standards:
    """What the service-standards table will look like behind the interface."""

    def band(self, kpi, goal, queue, segment):  # type: ignore[no-untyped-def]
        if kpi == "abandon_rate" and segment == "vip":
            return Band(0.01, 0.02)
        return None


def test_a_chain_asks_the_standards_first_then_the_goals() -> None:
    chain = ChainedThresholds((_Standards(), GoalThresholds()))
    assert chain.band("abandon_rate", VIP, None, "vip") == Band(0.01, 0.02)
    assert chain.band("abandon_rate", VIP, None, "general") == Band(0.05, 0.10)
    board = WallboardState(thresholds=chain)
    board.apply(1, ContactArrived(0, "v1", "q", "platinum"))
    board.apply(2, ContactAbandoned(30, "v1", "q"))
    for i in range(3, 63, 2):
        board.apply(i, ContactArrived(0, f"g{i}", "q", "core"))
        board.apply(i + 1, ContactAnswered(5, f"g{i}", "a", "q"))
    snap = board.snapshot(60)
    assert snap["totals"]["vip"]["levels"] == {
        "service_level": "alert", "asa_seconds": None, "abandon_rate": "alert"}
    assert snap["totals"]["general"]["levels"]["service_level"] == "ok"
    assert snap["queues"][0]["longest_wait_level"] == "ok"
