"""Erlang weights of under-coverage: what one more agent buys in each interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.wfm.roster_cases import tiny
from wfm.erlang_c import erlang_c
from wfm.roster_problem import parse_roster_problem
from wfm.roster_weights import under_weights
from wfm.schedule import Schedule, build_schedule


def one_day(calls: list[float] | None) -> dict[str, object]:
    need = [0.0] * 24
    need[8] = need[14] = 1.0
    data = tiny(days=1, required={"general": need})
    data["agents"] = [{"id": "A", "skills": ["general"], "shift_types": ["D5"], "days_per_week": 1}]
    if calls is not None:
        data.update(
            offered_calls={"general": calls},
            aht_seconds={"general": 180},
            service_level_threshold_seconds=20,
        )
    return data


def sl(calls: float, agents: int, aht: float = 180.0, t: float = 20.0) -> float:
    """Erlang C service level written out: 1 - C(n, A) exp(-(n - A) t / AHT)."""
    a = calls * aht / 3600
    if agents <= a:
        return 0.0
    return 1.0 - float(erlang_c(a, agents)) * math.exp(-(agents - a) * t / aht)


def test_flat_without_calls() -> None:
    p = parse_roster_problem(one_day(None))
    assert under_weights(p, "general").tolist() == [100.0] * 24


def test_weights_follow_the_service_level_one_agent_buys() -> None:
    calls = [0.0] * 24
    calls[8], calls[14] = 1.0, 10.0
    p = parse_roster_problem(one_day(calls))
    w = under_weights(p, "general")
    m8, m14 = 1.0 * sl(1.0, 1), 10.0 * sl(10.0, 1)
    assert w[8] == pytest.approx(100 * m8 / ((m8 + m14) / 2))
    assert w[14] == pytest.approx(100 * m14 / ((m8 + m14) / 2))
    assert np.mean(w[[8, 14]]) == pytest.approx(100.0)
    assert w[0] == 100.0  # intervals that need nobody keep the plain weight (never counted)


def test_the_roster_serves_the_interval_where_an_agent_matters_more() -> None:
    calls = [0.0] * 24
    calls[8], calls[14] = 1.0, 10.0
    result = build_schedule(parse_roster_problem(one_day(calls)))
    assert isinstance(result, Schedule)
    (shift,) = result.shifts
    assert shift.start == 10 * 60  # 10:00-15:00 covers 14:00, not 08:00
    assert result.coverage.coverage["general"][14] == 1.0
    calls[8], calls[14] = 10.0, 1.0
    result = build_schedule(parse_roster_problem(one_day(calls)))
    assert isinstance(result, Schedule)
    assert result.shifts[0].start == 8 * 60


def test_call_fields_are_checked() -> None:
    data = one_day([1.0] * 24)
    data["aht_seconds"] = {"general": 0}
    with pytest.raises(ValueError, match=r"^aht_seconds\.general: must be a number of seconds"):
        parse_roster_problem(data)
    data = one_day([1.0] * 23)
    with pytest.raises(ValueError, match=r"^offered_calls\.general: needs days \* 1440"):
        parse_roster_problem(data)
