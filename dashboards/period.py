"""The wallboard's period: what "today" means for its figures.

Two kinds, chosen by the center (settings ``wallboard_day_start_hour`` /
``wallboard_window_minutes``):

* :class:`DayReset`: the day starts at a configured hour of the center's clock (``hour``
  in ``time_zone``, 0 = midnight); the figures count the contacts that *arrived* since the
  last such start (qa's convention: a contact belongs to the interval it arrived in).
* :class:`SlidingWindow`: the contacts that arrived in the last ``minutes`` minutes,
  moving in steps of :attr:`SlidingWindow.step_seconds` (the wallboard keeps its counts in
  arrival buckets of that length, so a bucket leaves the window whole).

Both answer :meth:`start` (the first instant counted at ``now``) and
:attr:`bucket_seconds` (how the arrivals are bucketed). ``now`` is always an argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

#: The chart's interval, and the day mode's arrival bucket: the planner's 15 minutes.
DAY_BUCKET_SECONDS = 900.0


class Period(Protocol):
    @property
    def kind(self) -> Literal["day", "window"]: ...

    @property
    def bucket_seconds(self) -> float: ...

    def start(self, now: float) -> float: ...


@dataclass(frozen=True)
class DayReset:
    """The day from ``hour`` o'clock in ``time_zone`` (the last such instant at or before now)."""

    hour: int = 0
    time_zone: str = "Asia/Seoul"
    kind: Literal["day", "window"] = "day"

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour must be 0..23, got {self.hour!r}")
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    @property
    def bucket_seconds(self) -> float:
        return DAY_BUCKET_SECONDS

    def start(self, now: float) -> float:
        zone = ZoneInfo(self.time_zone)
        local = datetime.fromtimestamp(now, UTC).astimezone(zone)
        begin = local.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        if begin > local:
            begin = (begin - timedelta(days=1)).replace(hour=self.hour)
        return begin.timestamp()


@dataclass(frozen=True)
class SlidingWindow:
    """The last ``minutes`` minutes, in steps of ``step_seconds`` (the arrival bucket)."""

    minutes: float = 60.0
    step_seconds: float = 60.0
    kind: Literal["day", "window"] = "window"

    def __post_init__(self) -> None:
        if not 1 <= self.minutes <= 24 * 60:
            raise ValueError(f"minutes must be 1..1440, got {self.minutes!r}")
        if not 0 < self.step_seconds <= self.minutes * 60:
            raise ValueError(f"step_seconds must be in (0, minutes*60], got {self.step_seconds!r}")

    @property
    def bucket_seconds(self) -> float:
        return self.step_seconds

    def start(self, now: float) -> float:
        """The start of the oldest bucket inside the window: ``floor((now - W) / s) * s + s``
        rounded so that whole buckets are counted (the window is ``W`` long at most)."""
        step = self.step_seconds
        return (math.floor((now - self.minutes * 60.0) / step) + 1) * step


@dataclass(frozen=True)
class Forever:
    """No reset: everything folded in counts (tests, simulations over one run)."""

    kind: Literal["day", "window"] = "day"

    @property
    def bucket_seconds(self) -> float:
        return DAY_BUCKET_SECONDS

    def start(self, now: float) -> float:
        return -math.inf
