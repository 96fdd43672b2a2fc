"""PROBLEM.json parsing: the issue's form, the added fields, and errors naming the JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wfm.roster_cases import tiny
from wfm.roster_problem import MAX_AGENTS, days_bounds, minutes_bounds, parse_roster_problem

ISSUE_EXAMPLE: dict[str, Any] = {
    "start": "2027-01-04",
    "days": 7,
    "interval_minutes": 15,
    "required": {"general": [0, 0, 3, 5] * (7 * 96 // 4)},
    "shift_types": [
        {
            "name": "FT9",
            "earliest_start": "07:00",
            "latest_start": "13:00",
            "start_step_minutes": 15,
            "length_minutes": 540,
            "activities": [
                {
                    "kind": "break",
                    "length_minutes": 15,
                    "earliest_offset_minutes": 90,
                    "latest_offset_minutes": 150,
                    "paid": True,
                },
                {
                    "kind": "lunch",
                    "length_minutes": 60,
                    "earliest_offset_minutes": 180,
                    "latest_offset_minutes": 300,
                    "paid": False,
                },
            ],
        }
    ],
    "agents": [
        {
            "id": "A001",
            "skills": ["general"],
            "shift_types": ["FT9"],
            "days_per_week": 5,
            "time_off": ["2027-01-06"],
        }
    ],
    "rules": {"min_rest_hours": 11, "max_consecutive_days": 5},
    "time_limit_seconds": 60,
}


def test_issue_example() -> None:
    p = parse_roster_problem(ISSUE_EXAMPLE)
    assert p.days == 7 and p.n_intervals == 672 and p.intervals_per_day == 96
    assert p.required["general"][:4].tolist() == [0, 0, 3, 5]
    agent = p.agents[0]
    assert agent.time_off == frozenset({2}) and agent.days_per_week == 5
    assert p.rules.min_rest_minutes == 660 and p.rules.max_consecutive_days == 5
    assert p.shift_types["FT9"].activities[1].paid is False
    assert p.time_limit_seconds == 60 and p.num_workers == 0


def test_added_fields() -> None:
    data = tiny(rules={"min_rest_hours": 12, "min_days_off_in_a_row": 2, "max_weekend_days": 1})
    data["agents"][0].update(
        min_minutes_per_week=600,
        max_minutes_per_week=1500,
        part_time=True,
        unavailable=[
            {"weekday": "tue", "from": "18:00", "to": "02:00"},
            {"date": "2027-01-08", "from": "08:00", "to": "09:00"},
        ],
        preferences={"days_off": ["fri"], "earliest_start": "09:00"},
    )
    p = parse_roster_problem(data)
    a = p.agents[0]
    assert a.part_time and (a.min_minutes_per_week, a.max_minutes_per_week) == (600, 1500)
    # Tuesday 18:00 to Wednesday 02:00, and Friday 08:00-09:00, in minutes from the start
    assert a.unavailable == ((1440 + 1080, 2 * 1440 + 120), (4 * 1440 + 480, 4 * 1440 + 540))
    assert a.preferences.days_off == frozenset({4}) and a.preferences.earliest_start_minutes == 540
    assert p.rules.min_days_off_in_a_row == 2 and p.rules.max_weekend_days == 1


def test_block_bounds() -> None:
    assert days_bounds(5, 7) == (5, 5)
    assert days_bounds(5, 5) == (3, 5)  # a 5-day horizon is part of a week
    assert days_bounds(5, 1) == (0, 1)
    p = parse_roster_problem(tiny())
    assert minutes_bounds(p.agents[0], 7) == (None, None)


def _agents(n: int) -> list[dict[str, Any]]:
    return [{"id": f"A{i}", "skills": ["general"], "days_per_week": 5} for i in range(n)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "agents": [
                    {"id": "A", "skills": ["general"], "shift_types": ["PT4"], "days_per_week": 5}
                ]
            },
            "agents[0].shift_types: unknown shift type 'PT4'",
        ),
        (
            {"required": {"general": [1, 2]}},
            "required.general: needs days * 1440 / interval_minutes = 120 numbers, got 2",
        ),
        ({"days": 0}, "days: must be between 1 and 42"),
        ({"days": 43}, "days: must be between 1 and 42"),
        ({"interval_minutes": 7}, "interval_minutes: must divide 1440"),
        ({"start": "2027-13-01"}, "start: not a date YYYY-MM-DD"),
        ({"agents": _agents(MAX_AGENTS + 1)}, f"agents: at most {MAX_AGENTS} entries"),
        ({"agents": []}, "agents: must not be empty"),
        ({"time_limit_seconds": -1}, "time_limit_seconds: must be > 0"),
        ({"rules": {"min_rest_hours": "11"}}, "rules.min_rest_hours: must be a number"),
        ({"num_workers": 1.5}, "num_workers: must be a whole number"),
    ],
)
def test_errors_name_the_path(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse_roster_problem(tiny(**change))
    assert str(info.value).startswith(message), str(info.value)


def test_nested_errors_name_the_path() -> None:
    data = tiny()
    data["required"]["general"][30] = -1
    with pytest.raises(ValueError, match=r"^required\.general\[30\]: must be a number between 0"):
        parse_roster_problem(data)
    data = tiny()
    data["shift_types"][0]["activities"][0]["latest_offset_minutes"] = 400
    with pytest.raises(
        ValueError, match=r"^shift_types\[0\]\.activities\[0\]\.latest_offset_minutes"
    ):
        parse_roster_problem(data)
    data = tiny()
    data["agents"][1]["time_off"] = ["tomorrow"]
    with pytest.raises(ValueError, match=r"^agents\[1\]\.time_off\[0\]: not a date"):
        parse_roster_problem(data)
    data = tiny()
    data["agents"][1]["id"] = "A"
    with pytest.raises(ValueError, match=r"^agents\[1\]\.id: duplicate agent 'A'"):
        parse_roster_problem(data)
    data = tiny()
    data["shift_types"][0]["start_step_minutes"] = 1
    data["shift_types"][0]["latest_start"] = "23:00"
    with pytest.raises(ValueError, match=r"^shift_types\[0\]: 901 starts, at most 96"):
        parse_roster_problem(data)
