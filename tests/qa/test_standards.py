"""qa.standards: validation naming the field, most-specific resolution, verdicts."""

from __future__ import annotations

import math
from datetime import date

import pytest

from qa.standards import Standard, evaluate, period_of, quarter_of, resolve

SL = {"kpi": "service_level", "target": 0.8, "warn": 0.8, "alert": 0.7, "year": 2026}


def test_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="^kpi: "):
        Standard("speed", 1, 1, 1, 2026)
    with pytest.raises(ValueError, match="^warn: .*better higher"):
        Standard("service_level", 0.8, 0.9, 0.7, 2026)
    with pytest.raises(ValueError, match="^warn: .*better lower"):
        Standard("abandon_rate", 0.03, 0.02, 0.05, 2026)
    with pytest.raises(ValueError, match="^target: "):
        Standard("abandon_rate", 1.5, 2, 3, 2026)
    with pytest.raises(ValueError, match="^quarter: "):
        Standard(**SL, quarter=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^scope_id: "):
        Standard(**SL, scope="team")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^threshold_seconds: "):
        Standard("asa_seconds", 10, 15, 20, 2026, threshold_seconds=20)
    with pytest.raises(ValueError, match="^target: "):
        Standard("asa_seconds", math.nan, 15, 20, 2026)


def test_most_specific_wins() -> None:
    center_year = Standard(**SL)  # type: ignore[arg-type]
    center_q2 = Standard(**{**SL, "target": 0.85, "warn": 0.85}, quarter=2)  # type: ignore[arg-type]
    team_year = Standard(**{**SL, "target": 0.75, "warn": 0.75}, scope="team",  # type: ignore[arg-type]
                         scope_id="t1")
    agent_year = Standard(**{**SL, "target": 0.9, "warn": 0.9}, scope="agent",  # type: ignore[arg-type]
                          scope_id="a1")
    vip_year = Standard(**{**SL, "target": 0.9, "warn": 0.9}, segment="vip")  # type: ignore[arg-type]
    pool = [center_year, center_q2, team_year, agent_year, vip_year]
    assert resolve(pool, "service_level", 2026, 1) is center_year
    assert resolve(pool, "service_level", 2026, 2) is center_q2  # quarter > year
    assert resolve(pool, "service_level", 2026, None) is center_year  # yearly report
    assert resolve(pool, "service_level", 2026, 2, team="t1") is team_year  # team > center
    assert resolve(pool, "service_level", 2026, 2, team="t1", agent="a1") is agent_year
    assert resolve(pool, "service_level", 2026, 2, team="t2", agent="a2") is center_q2
    assert resolve(pool, "service_level", 2026, 1, segment="vip") is vip_year
    assert resolve(pool, "service_level", 2025, 1) is None
    assert resolve(pool, "asa_seconds", 2026, 1) is None


def test_levels_and_attainment() -> None:
    sl = Standard("service_level", 0.8, 0.75, 0.7, 2026)
    assert [sl.level(x) for x in (0.9, 0.8, 0.75, 0.74, 0.7, 0.69)] == [
        "ok", "ok", "ok", "warn", "warn", "alert"]
    assert sl.level(math.nan) is None
    ab = Standard("abandon_rate", 0.03, 0.05, 0.08, 2026)
    assert [ab.level(x) for x in (0.0, 0.05, 0.06, 0.08, 0.09)] == [
        "ok", "ok", "warn", "warn", "alert"]
    (e_sl, e_ab, e_none) = evaluate([sl, ab], {"service_level": 0.78, "abandon_rate": 0.02,
                                               "asa_seconds": 12.0, "unknown": 1.0}, 2026, 3)
    assert (e_sl.level, e_sl.met, e_sl.attainment) == ("ok", False, pytest.approx(0.78 / 0.8))
    assert (e_ab.level, e_ab.met, e_ab.attainment) == ("ok", True, pytest.approx(1.5))
    assert (e_none.kpi, e_none.standard, e_none.level, e_none.met) == (
        "asa_seconds", None, None, None)


def test_period_of() -> None:
    assert quarter_of(date(2026, 4, 1)) == 2
    assert period_of(date(2026, 4, 1), date(2026, 6, 30)) == (2026, 2)
    assert period_of(date(2026, 3, 1), date(2026, 4, 30)) == (2026, None)
