"""evaluate_roster: coverage of a hand-edited roster and every rule it breaks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wfm.roster_cases import DAY, exact_roster, shift, tiny
from wfm.roster_checks import evaluate_roster
from wfm.roster_problem import parse_roster_problem


def rules_broken(
    problem: dict[str, Any], shifts: list[dict[str, Any]]
) -> set[tuple[str, str, str]]:
    result = evaluate_roster(parse_roster_problem(problem), shifts)
    return {(v.agent, v.date, v.rule) for v in result.violations}


def test_exact_roster_covers_the_requirement_with_no_violation() -> None:
    result = evaluate_roster(parse_roster_problem(tiny()), exact_roster())
    data = result.to_json()
    assert data["violations"] == []
    assert data["coverage"]["general"] == [float(x) for x in DAY * 5]
    assert data["under_coverage"] == {"general": 0.0} and data["over_coverage"] == {"general": 0.0}


def test_partial_intervals_count_their_share_of_minutes() -> None:
    roster = exact_roster()
    roster[0] = shift("A", 0, "08:30", "10:30", "13:30")  # off the start grid, half intervals
    result = evaluate_roster(parse_roster_problem(tiny()), roster)
    cov = result.coverage.coverage["general"][:24]
    assert cov[8:14].tolist() == [0.5, 2.0, 1.5, 1.5, 1.0, 1.5]  # 08:30-10:30, 11:30-13:30 + B
    assert result.coverage.under["general"] == pytest.approx(1.0)
    assert result.coverage.over["general"] == pytest.approx(1.0)
    assert {v.rule for v in result.violations} == {"start_window"}


def test_swapping_two_agents_keeps_every_rule() -> None:
    roster = exact_roster()
    roster[0]["agent"], roster[1]["agent"] = "B", "A"
    assert rules_broken(tiny(), roster) == set()


def test_break_moved_outside_its_window() -> None:
    roster = exact_roster()
    roster[0] = shift("A", 0, "08:00", "08:30", "13:00", brk_end="09:30")
    assert rules_broken(tiny(), roster) == {("A", "2027-01-04", "activity_window")}


def test_shift_rules() -> None:
    roster = exact_roster()
    roster[2] = shift("A", 1, "11:00", "13:00", "16:00")  # start after 10:00
    roster[3]["end"] = "2027-01-05T15:00"  # B lasts 6 h
    broken = rules_broken(tiny(), roster)
    assert broken == {("A", "2027-01-05", "start_window"), ("B", "2027-01-05", "shift_length")}


def test_time_off_unavailable_and_skill() -> None:
    problem = tiny()
    problem["agents"][0]["time_off"] = ["2027-01-05"]
    problem["agents"][1]["unavailable"] = [{"weekday": "wed", "from": "13:00", "to": "15:00"}]
    roster = exact_roster()
    roster[4]["work"] = [{"skill": "vip", "start": "2027-01-06T08:00", "end": "2027-01-06T10:00"}]
    broken = rules_broken(problem, roster)
    assert broken == {
        ("A", "2027-01-05", "time_off"),
        ("B", "2027-01-06", "unavailable"),
        ("A", "2027-01-06", "skill"),
    }


def test_rest_consecutive_days_and_days_per_week() -> None:
    problem = tiny(rules={"min_rest_hours": 20, "max_consecutive_days": 3})
    roster = [s for s in exact_roster() if s["agent"] == "A"]
    broken = rules_broken(problem, roster)
    # A: 08:00-13:00 each day leaves 19 h; B works no day (3 to 5 required)
    assert {r for _, _, r in broken} == {"min_rest", "max_consecutive_days", "days_per_week"}
    assert ("A", "2027-01-07", "max_consecutive_days") in broken
    assert ("B", "2027-01-04", "days_per_week") in broken


def test_one_shift_a_day_and_unknown_agent() -> None:
    roster = [
        *exact_roster(),
        shift("A", 0, "10:00", "12:00", "15:00"),
        shift("Z", 0, "08:00", "10:00", "13:00"),
    ]
    broken = rules_broken(tiny(rules={}), roster)
    assert ("A", "2027-01-04", "one_shift_a_day") in broken
    assert ("Z", "2027-01-04", "unknown_agent") in broken


def test_week_rules() -> None:
    problem = tiny(
        start="2027-01-04",
        days=7,
        required={"general": [0] * 24 * 7},
        rules={"min_days_off_in_a_row": 2, "max_weekend_days": 1},
    )
    problem["agents"][0]["max_minutes_per_week"] = 600
    days = [0, 2, 4, 5, 6]  # Mon, Wed, Fri, Sat, Sun: no two days off in a row
    roster = [shift("A", d, "08:00", "10:00", "13:00") for d in days]
    roster += [shift("B", d, "08:00", "10:00", "13:00") for d in range(5)]
    broken = rules_broken(problem, roster)
    assert broken == {
        ("A", "2027-01-04", "min_days_off_in_a_row"),
        ("A", "2027-01-04", "max_weekend_days"),
        ("A", "2027-01-04", "minutes_per_week"),  # 5 x 240 paid minutes > 600
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start", "monday", r"^shifts\[0\]\.start: not a local ISO time"),
        ("end", "2027-01-04T07:00", r"^shifts\[0\]\.end: must be after start"),
        ("agent", 3, r"^shifts\[0\]\.agent: must be a non-empty string"),
        ("activities", "none", r"^shifts\[0\]\.activities: must be a list of objects"),
    ],
)
def test_malformed_shift_names_the_field(field: str, value: object, message: str) -> None:
    roster = exact_roster()
    roster[0][field] = value
    with pytest.raises(ValueError, match=message):
        evaluate_roster(parse_roster_problem(tiny()), roster)
