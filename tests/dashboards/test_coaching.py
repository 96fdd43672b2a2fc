"""dashboards.coaching: follow-ups due today and overdue on the center's day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dashboards.coaching import CoachingPanel, FollowUpItem


def _at(text: str) -> float:
    return datetime.fromisoformat(text).astimezone(UTC).timestamp()


ITEMS = [FollowUpItem(1, "kim", date(2026, 12, 4), 2),
         FollowUpItem(2, "lee", date(2026, 11, 20), 1),
         FollowUpItem(3, "park", date(2026, 12, 1), 3)]


def test_due_today_and_overdue_oldest_first() -> None:
    panel = CoachingPanel(zone="Asia/Seoul", items=ITEMS)
    out = panel(_at("2026-12-04T10:00:00+09:00"))
    assert (out["today"], out["due_today"], out["overdue"]) == ("2026-12-04", 1, 2)
    assert [(r["agent"], r["days_overdue"]) for r in out["items"]] == [
        ("lee", 14), ("park", 3), ("kim", 0)]
    assert out["items"][0] == {"follow_up_id": 2, "agent": "lee", "due_on": "2026-11-20",
                               "days_overdue": 14, "points": 1}


def test_today_is_the_centers_day_and_turns_at_its_midnight() -> None:
    panel = CoachingPanel(zone="Asia/Seoul", items=ITEMS)
    before = panel(_at("2026-12-04T23:59:00+09:00"))
    after = panel(_at("2026-12-05T00:00:00+09:00"))  # 15:00 UTC on the 4th
    assert (before["due_today"], before["overdue"]) == (1, 2)
    assert (after["today"], after["due_today"], after["overdue"]) == ("2026-12-05", 0, 3)


def test_an_empty_panel_and_the_listed_bound() -> None:
    assert CoachingPanel()(0) == {"today": "1970-01-01", "due_today": 0, "overdue": 0,
                                  "items": []}
    many = [FollowUpItem(i, f"a{i}", date(2026, 12, 1)) for i in range(20)]
    out = CoachingPanel(items=many, listed=8)(_at("2026-12-02T12:00:00+00:00"))
    assert out["overdue"] == 20 and len(out["items"]) == 8
