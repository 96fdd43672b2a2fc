"""wfm.accuracy: a forecast against the calls that came, per day, with its WAPE."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from wfm.accuracy import compare
from wfm.history import IntervalHistory


def test_each_day_gets_its_wape_and_days_beyond_history_wait() -> None:
    calls = np.zeros((3, 24))
    calls[:, 9:18] = 10.0
    history = IntervalHistory(date(2025, 3, 3), 60, calls)
    starts = [datetime(2025, 3, 4) + timedelta(hours=h) for h in range(48)]  # 4 and 5 March
    offered = [12.0 if 9 <= s.hour < 18 else 0.0 for s in starts]
    offered[24 + 9] = 10.0  # 5 March, 09:00 exactly right
    days = compare(starts, offered, history)
    assert [d.day for d in days] == [date(2025, 3, 4), date(2025, 3, 5)]
    assert days[0].wape == pytest.approx(9 * 2 / 90)
    assert days[1].wape == pytest.approx(8 * 2 / 90)
    assert days[0].forecast_calls == 108 and days[0].actual_calls == 90
    later = [datetime(2025, 3, 6) + timedelta(hours=h) for h in range(24)]
    assert compare(later, [1.0] * 24, history) == []  # 6 March: not known yet


def test_a_day_without_calls_has_no_wape() -> None:
    history = IntervalHistory(date(2025, 3, 3), 60, np.zeros((1, 24)))
    (day,) = compare([datetime(2025, 3, 3, 9)], [3.0], history)
    assert day.wape is None and day.actual_calls == 0


def test_lengths_must_agree() -> None:
    history = IntervalHistory(date(2025, 3, 3), 60, np.zeros((1, 24)))
    with pytest.raises(ValueError, match="differ in length"):
        compare([datetime(2025, 3, 3, 9)], [], history)
