"""Coaching: improvement points tied to form questions, a follow-up a month later, and
whether the agent's scores on those questions improved.

* :func:`follow_up_due` — the follow-up falls due ``months`` calendar months after the
  session (default 1, the bank's "re-checked a month later"); a day that does not exist in
  the target month becomes that month's last day (31 January + 1 month = 28 or 29 February).
* :func:`follow_up_status` — ``done`` once completed; else ``overdue`` when ``today`` is after
  the due day, ``due_today`` on it, ``upcoming`` before it. :func:`split_due` sorts open
  follow-ups into due today and overdue (what the center head and the wallboard show).
* :func:`point_progress` — for one point (one question), the agent's credit on that
  question in evaluations of contacts *before* the session's moment and *after* it: the
  mean credit in points out of 100 (``100 * fraction``, :mod:`qa.evaluations` rule 1) and
  the number of evaluations ``n`` on each side. Answers N/A are left out. ``improved`` is
  ``after mean > before mean`` when both sides have at least one score, else None (not
  known yet). The moment compared is the contact's time, not the scoring time: what
  counts is how the agent worked after being coached.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol, TypeVar

FollowUpStatus = Literal["done", "overdue", "due_today", "upcoming"]
#: Longest follow-up delay a session may set, in months.
MAX_FOLLOW_UP_MONTHS = 12


def follow_up_due(opened_on: date, months: int = 1) -> date:
    """The day the follow-up falls due: ``months`` calendar months after ``opened_on``."""
    if not isinstance(months, int) or not 1 <= months <= MAX_FOLLOW_UP_MONTHS:
        raise ValueError(f"months must be 1-{MAX_FOLLOW_UP_MONTHS}, got {months!r}")
    index = opened_on.month - 1 + months
    year, month = opened_on.year + index // 12, index % 12 + 1
    day = min(opened_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def follow_up_status(due_on: date, done: bool, today: date) -> FollowUpStatus:
    if done:
        return "done"
    if today > due_on:
        return "overdue"
    return "due_today" if today == due_on else "upcoming"


class FollowUpLike(Protocol):
    @property
    def due_on(self) -> date: ...

    @property
    def done(self) -> bool: ...


F = TypeVar("F", bound=FollowUpLike)


def split_due(follow_ups: Iterable[F], today: date) -> tuple[list[F], list[F]]:
    """``(due_today, overdue)`` among the open follow-ups; overdue ones oldest first."""
    due_today: list[F] = []
    overdue: list[F] = []
    for f in follow_ups:
        status = follow_up_status(f.due_on, f.done, today)
        if status == "due_today":
            due_today.append(f)
        elif status == "overdue":
            overdue.append(f)
    overdue.sort(key=lambda f: f.due_on)
    return due_today, overdue


@dataclass(frozen=True, slots=True)
class QuestionScore:
    """One evaluation's credit on a question: the contact's time and the fraction (None: N/A)."""

    contact_at: datetime
    fraction: float | None


@dataclass(frozen=True, slots=True)
class PointProgress:
    question_id: str
    before_mean: float | None
    before_n: int
    after_mean: float | None
    after_n: int

    @property
    def improved(self) -> bool | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean > self.before_mean

    @property
    def change(self) -> float | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean


def _mean_points(values: Sequence[float]) -> float | None:
    return 100.0 * sum(values) / len(values) if values else None


def point_progress(
    question_id: str, coached_at: datetime, scores: Iterable[QuestionScore]
) -> PointProgress:
    """Mean credit (points of 100) and ``n`` before and after ``coached_at`` (module doc).

    A contact exactly at ``coached_at`` (the coached contact itself) counts as before.
    """
    before: list[float] = []
    after: list[float] = []
    for s in scores:
        if s.fraction is None:
            continue
        (after if s.contact_at > coached_at else before).append(s.fraction)
    return PointProgress(question_id, _mean_points(before), len(before),
                         _mean_points(after), len(after))
