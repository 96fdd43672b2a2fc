"""wfm.intervals: contacts bucketed by interval of arrival, AHT per interval."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from wfm.intervals import bucket_contacts, interval_start


def test_intervals_are_aligned_to_midnight_and_aht_counts_known_handle_times() -> None:
    day = datetime(2026, 3, 2)
    contacts = [
        (day.replace(hour=9, minute=0), 200.0),
        (day.replace(hour=9, minute=29, second=59), 100.0),
        (day.replace(hour=9, minute=30), None),  # abandoned: offered, no handle time
        (day.replace(hour=9, minute=45), 0.0),  # no usable handle time
        (day.replace(hour=8, minute=10), 60.0),
    ]
    totals = bucket_contacts(contacts, 30)
    assert totals.starts == [day.replace(hour=8), day.replace(hour=9),
                             day.replace(hour=9, minute=30)]
    assert totals.offered == [1.0, 2.0, 2.0]
    assert totals.aht_seconds[:2] == [60.0, 150.0] and math.isnan(totals.aht_seconds[2])
    assert interval_start(day.replace(hour=23, minute=59), 45) == day.replace(hour=23, minute=15)


def test_bad_interval_is_refused() -> None:
    for bad in (0, -15, 24 * 60 + 1):
        with pytest.raises(ValueError, match="interval_minutes"):
            bucket_contacts([], bad)
    assert bucket_contacts([], 15).starts == []
