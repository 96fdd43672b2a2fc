"""The wallboard's coaching panel: follow-ups due today and overdue.

The app reads the open follow-ups due by today from the database now and then
(:func:`app.qa_coaching.due_follow_ups`) and hands them in as :class:`FollowUpItem` s;
:class:`CoachingPanel` (called with ``now``) sorts them with :func:`qa.coaching.split_due` (the rule the
center head's page uses) on the center's day at ``now``, so a follow-up due today turns
overdue at the center's midnight without a new read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from qa.coaching import split_due

#: Follow-ups listed by name at most (the counts cover them all).
LISTED = 8


@dataclass(frozen=True, slots=True)
class FollowUpItem:
    """One open follow-up: whose, when due, how many points it re-checks."""

    follow_up_id: int
    agent: str
    due_on: date
    points: int = 0

    @property
    def done(self) -> bool:
        return False  # only open follow-ups are handed in


@dataclass
class CoachingPanel:
    """``items`` (set by the app); ``panel(now)`` (calling it) the figures on ``zone``'s day."""

    zone: str = "UTC"
    items: Sequence[FollowUpItem] = field(default_factory=list)
    listed: int = LISTED

    def today(self, now: float) -> date:
        return datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(self.zone)).date()

    def __call__(self, now: float) -> dict[str, Any]:
        """``due_today`` and ``overdue`` counts, and the first :attr:`listed` of them
        (overdue first, oldest first), each with its days overdue."""
        today = self.today(now)
        due_today, overdue = split_due(self.items, today)
        rows = [{"follow_up_id": f.follow_up_id, "agent": f.agent,
                 "due_on": f.due_on.isoformat(), "days_overdue": (today - f.due_on).days,
                 "points": f.points}
                for f in [*overdue, *due_today][:self.listed]]
        return {"today": today.isoformat(), "due_today": len(due_today),
                "overdue": len(overdue), "items": rows}
