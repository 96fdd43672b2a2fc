"""Coaching follow-ups and each point's before/after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from qa.coaching import QuestionScore, follow_up_due, follow_up_status, point_progress, split_due


def test_follow_up_falls_due_a_calendar_month_later() -> None:
    assert follow_up_due(date(2026, 12, 15)) == date(2027, 1, 15)
    assert follow_up_due(date(2027, 1, 31)) == date(2027, 2, 28)
    assert follow_up_due(date(2028, 1, 31)) == date(2028, 2, 29)
    assert follow_up_due(date(2027, 3, 10), months=3) == date(2027, 6, 10)
    with pytest.raises(ValueError, match="months must be 1-12"):
        follow_up_due(date(2027, 1, 1), months=0)


@dataclass
class F:
    name: str
    due_on: date
    done: bool = False


def test_due_today_and_overdue() -> None:
    today = date(2027, 2, 10)
    assert follow_up_status(date(2027, 2, 10), False, today) == "due_today"
    assert follow_up_status(date(2027, 2, 9), False, today) == "overdue"
    assert follow_up_status(date(2027, 2, 11), False, today) == "upcoming"
    assert follow_up_status(date(2027, 2, 9), True, today) == "done"
    items = [F("a", date(2027, 2, 8)), F("b", date(2027, 2, 10)), F("c", date(2027, 1, 2)),
             F("d", date(2027, 2, 1), done=True), F("e", date(2027, 3, 1))]
    due, overdue = split_due(items, today)
    assert [f.name for f in due] == ["b"]
    assert [f.name for f in overdue] == ["c", "a"]


def at(day: int) -> datetime:
    return datetime(2027, 1, day, 10, tzinfo=UTC)


def test_point_progress_before_and_after() -> None:
    scores = [QuestionScore(at(3), 0.0), QuestionScore(at(5), 0.5), QuestionScore(at(10), 1.0),
              QuestionScore(at(12), None), QuestionScore(at(20), 1.0), QuestionScore(at(22), 0.5)]
    p = point_progress("needs", at(10), scores)  # the coached contact (day 10) counts before
    assert (p.before_mean, p.before_n) == (pytest.approx(100 * 1.5 / 3), 3)
    assert (p.after_mean, p.after_n) == (75.0, 2)
    assert p.improved is True and p.change == pytest.approx(25.0)
    worse = point_progress("needs", at(21), scores)  # before: 0, .5, 1, 1; after: .5
    assert (worse.before_n, worse.after_n) == (4, 1)
    assert worse.before_mean == pytest.approx(100 * 2.5 / 4) and worse.after_mean == 50.0
    assert worse.improved is False and worse.change == pytest.approx(-12.5)
    unknown = point_progress("needs", at(30), scores)
    assert unknown.after_n == 0 and unknown.improved is None
