"""dashboards.period: the day from a configured hour of the center's clock; a sliding window."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dashboards.period import DayReset, SlidingWindow
from dashboards.wallboard import WallboardState
from routing.events import ContactAbandoned, ContactArrived

SEOUL = ZoneInfo("Asia/Seoul")


def _at(*args: int) -> float:
    return datetime(*args, tzinfo=SEOUL).timestamp()  # type: ignore[misc]


def test_the_day_starts_at_the_configured_hour_in_the_center_zone() -> None:
    six = DayReset(6, "Asia/Seoul")
    assert six.start(_at(2026, 12, 4, 9, 30)) == _at(2026, 12, 4, 6)
    assert six.start(_at(2026, 12, 4, 5, 59)) == _at(2026, 12, 3, 6)
    assert DayReset(0, "Asia/Seoul").start(_at(2026, 12, 4, 0, 0)) == _at(2026, 12, 4)
    with pytest.raises(ValueError, match="hour"):
        DayReset(24)


def test_a_sliding_window_moves_in_whole_steps() -> None:
    w = SlidingWindow(minutes=30, step_seconds=60)
    assert w.start(10_000.0) == 8_220.0  # (floor((10000-1800)/60)+1)*60
    with pytest.raises(ValueError, match="minutes"):
        SlidingWindow(minutes=0)


def test_the_board_forgets_yesterday_at_the_reset() -> None:
    board = WallboardState(period=DayReset(6, "Asia/Seoul"))
    board.apply(1, ContactArrived(_at(2026, 12, 4, 5, 50), "c1", "q", "core"))
    board.apply(2, ContactAbandoned(_at(2026, 12, 4, 5, 51), "c1", "q"))
    assert board.snapshot(_at(2026, 12, 4, 5, 59))["totals"]["all"]["abandoned"] == 1
    after = board.snapshot(_at(2026, 12, 4, 6, 0))
    assert after["totals"]["all"]["offered"] == 0
    assert after["period"]["start"] == _at(2026, 12, 4, 6)
    assert after["chart"]["rows"] == []


def test_a_caller_waiting_across_the_reset_still_waits_but_counts_in_neither_day() -> None:
    board = WallboardState(period=DayReset(6, "Asia/Seoul"))
    board.apply(1, ContactArrived(_at(2026, 12, 4, 5, 58), "c2", "q", "core"))
    snap = board.snapshot(_at(2026, 12, 4, 6, 1))
    assert snap["waiting"] == 1 and snap["longest_wait_seconds"] == 180
    board.apply(2, ContactAbandoned(_at(2026, 12, 4, 6, 2), "c2", "q"))
    snap = board.snapshot(_at(2026, 12, 4, 6, 3))
    assert snap["waiting"] == 0 and snap["totals"]["all"]["offered"] == 0
    assert board.waiting() == []
