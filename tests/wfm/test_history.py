"""Reading and regularising interval history (wfm/history.py): coverage, duplicates, zones."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from wfm.history import (
    MAX_OFFERED,
    IntervalHistory,
    TimestampForm,
    from_records,
    read_history_csv,
)


def _weekday_rows(days: int, first: date = date(2024, 9, 2), cut: datetime | None = None):  # type: ignore[no-untyped-def]
    """Weekdays 07:00-21:00 in 15-minute rows (closed hours and weekends absent)."""
    starts, calls = [], []
    for i in range(days):
        d = first + timedelta(days=i)
        if d.weekday() >= 5:
            continue
        for slot in range(7 * 4, 21 * 4):
            s = datetime(d.year, d.month, d.day) + timedelta(minutes=15 * slot)
            if cut is not None and s >= cut:
                return starts, calls
            starts.append(s)
            calls.append(10.0 + slot % 5)
    return starts, calls


def _csv(starts: list[str], calls: list[float]) -> io.StringIO:
    lines = ["start,offered"] + [f"{s},{c:g}" for s, c in zip(starts, calls, strict=True)]
    return io.StringIO("\n".join(lines) + "\n")


# ------------------------------------------------------------------ coverage (partial days)


def test_history_cut_at_noon_leaves_the_partial_last_day_out() -> None:
    starts, calls = _weekday_rows(26, cut=datetime(2024, 9, 27, 12, 0))  # a Friday
    h = from_records(starts, calls)
    assert h.last_day == date(2024, 9, 26)
    assert h.partial_days == (date(2024, 9, 27),)
    assert h.coverage_end == datetime(2024, 9, 27, 12, 0)
    assert h.observed_last_day == date(2024, 9, 27)
    # no day in the grid looks like a half-closed Friday
    fridays = h.offered[[i for i, d in enumerate(h.days) if d.weekday() == 4]]
    assert np.all(fridays.sum(axis=1) == fridays[0].sum())


def test_complete_last_day_ending_at_closing_time_is_kept() -> None:
    """Rows stop at 20:45 every day: the hours after it were never open, so not partial."""
    starts, calls = _weekday_rows(26)
    h = from_records(starts, calls)
    friday = h.days.index(date(2024, 9, 27))
    assert h.partial_days == ()
    assert h.offered[friday].sum() == h.offered[friday - 7].sum()
    assert h.offered[friday, : 7 * 4].sum() == 0 and h.offered[friday, 21 * 4 :].sum() == 0
    # the closed weekend after the last Friday is part of the history (issue 5)
    assert h.last_day == date(2024, 9, 29) and not h.offered[friday + 1 :].any()


def test_history_starting_partway_through_a_day_leaves_that_day_out() -> None:
    starts, calls = _weekday_rows(26)
    keep = [i for i, s in enumerate(starts) if s >= datetime(2024, 9, 2, 13, 0)]
    h = from_records([starts[i] for i in keep], [calls[i] for i in keep])
    assert h.first_day == date(2024, 9, 3) and h.partial_days == (date(2024, 9, 2),)


def test_around_the_clock_cut_at_noon() -> None:
    first = datetime(2024, 1, 1)
    starts = [first + timedelta(minutes=30 * k) for k in range(22 * 48 + 24)]
    h = from_records(starts, [5.0] * len(starts))
    assert h.n_days == 22 and h.partial_days == (date(2024, 1, 23),)
    # a trailing zero row still counts as observed: the day is whole
    starts2 = [first + timedelta(minutes=30 * k) for k in range(22 * 48)]
    h2 = from_records(starts2, [5.0] * (len(starts2) - 1) + [0.0])
    assert h2.n_days == 22 and h2.partial_days == ()


def test_until_and_aggregate_keep_coverage() -> None:
    starts, calls = _weekday_rows(26, cut=datetime(2024, 9, 27, 12, 0))
    h = from_records(starts, calls)
    assert h.aggregate(60).partial_days == h.partial_days
    cut = h.until(date(2024, 9, 20))
    assert cut.last_day == date(2024, 9, 19) and cut.partial_days == ()
    assert cut.observed_last_day == date(2024, 9, 19)


# ------------------------------------------------------------------ duplicates and values


def test_duplicate_rows_are_an_error_naming_the_row() -> None:
    text = _csv(["2024-01-01T00:00", "2024-01-01T00:30", "2024-01-01T00:00"], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"row 4: duplicate start 2024-01-01T00:00:00 .*row 2"):
        read_history_csv(text)
    with pytest.raises(ValueError, match="row 3: duplicate start"):
        from_records([datetime(2024, 1, 1), datetime(2024, 1, 1)], [1.0, 1.0], first_row=2)


def test_same_instant_written_with_two_offsets_is_a_duplicate() -> None:
    text = _csv(["2024-01-01T09:00+09:00", "2024-01-01T00:00Z"], [1.0, 1.0])
    with pytest.raises(ValueError, match="row 3: duplicate start"):
        read_history_csv(text)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1e300", r"row 3: offered must be a number >= 0 and at most 1e\+07"),
        ("inf", "row 3: offered must be a number >= 0"),
        ("nan", "row 3: offered must be a number >= 0"),
        (f"{MAX_OFFERED * 2:g}", "row 3: offered"),
    ],
)
def test_absurd_offered_values_name_the_row(cell: str, message: str) -> None:
    text = io.StringIO(f"start,offered\n2024-01-01T00:00,1\n2024-01-01T00:30,{cell}\n")
    with pytest.raises(ValueError, match=message):
        read_history_csv(text)


def test_absurd_aht_names_the_row() -> None:
    text = io.StringIO("start,offered,aht_seconds\n2024-01-01T00:00,1,1e300\n")
    with pytest.raises(ValueError, match="row 2: aht_seconds must be at most"):
        read_history_csv(text)


# ------------------------------------------------------------------ time zones


def _utc_rows(days: int) -> tuple[list[str], list[float]]:
    """Weekday 09:00-18:00 Seoul, written in UTC with Z."""
    starts, calls = [], []
    for i in range(days):
        d = date(2024, 9, 2) + timedelta(days=i)
        if d.weekday() >= 5:
            continue
        for slot in range(9 * 2, 18 * 2):
            local = datetime(d.year, d.month, d.day, tzinfo=ZoneInfo("Asia/Seoul"))
            s = (local + timedelta(minutes=30 * slot)).astimezone(UTC)
            starts.append(s.strftime("%Y-%m-%dT%H:%M:%SZ"))
            calls.append(7.0)
    return starts, calls


def test_utc_history_is_read_on_local_days_and_written_back_in_utc() -> None:
    starts, calls = _utc_rows(21)
    h = read_history_csv(_csv(starts, calls))
    assert h.first_day == date(2024, 9, 2) and h.partial_days == ()
    open_slots = np.flatnonzero(h.offered[0])
    assert open_slots[0] == 18 and open_slots[-1] == 35  # 09:00-17:30 local
    assert all(d.weekday() < 5 for d in h.days if h.offered[h.days.index(d)].sum())
    local = h.interval_starts(date(2024, 9, 23))[18]
    assert local == datetime(2024, 9, 23, 9, 0)
    assert h.format_start(local) == "2024-09-23T00:00:00Z"


def test_naive_history_is_local_and_written_naive() -> None:
    h = read_history_csv(_csv(["2024-01-01T00:00", "2024-01-01T00:30"], [1.0, 1.0]))
    assert h.form.tz is None
    assert h.format_start(datetime(2024, 1, 2, 9, 0)) == "2024-01-02T09:00"  # input form


def test_daylight_saving_offsets_are_per_instant() -> None:
    zone = ZoneInfo("America/New_York")
    first = datetime(2024, 3, 4, tzinfo=UTC)
    starts = [(first + timedelta(hours=k)).astimezone(zone) for k in range(24 * 14)]
    text = _csv([s.isoformat() for s in starts], [3.0] * len(starts))
    h = read_history_csv(text, time_zone="America/New_York")
    assert h.form.tz is zone
    assert h.format_start(datetime(2024, 3, 9, 12, 0)) == "2024-03-09T12:00:00-05:00"
    assert h.format_start(datetime(2024, 3, 11, 12, 0)) == "2024-03-11T12:00:00-04:00"
    assert h.form.local_folds(datetime(2024, 3, 10, 2, 30)) == ()  # skipped hour
    assert h.form.local_folds(datetime(2024, 11, 3, 1, 30)) == (0, 1)  # repeated hour
    assert h.form.format(datetime(2024, 11, 3, 1, 30), fold=1) == "2024-11-03T01:30:00-05:00"
    # the day of the change has 23 hours of rows; it is a whole day, not a partial one
    assert h.offered[h.days.index(date(2024, 3, 10))].sum() == 23 * 3.0


def test_unknown_time_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Base'"):
        read_history_csv(_csv(["2024-01-01T00:00Z"], [1.0]), time_zone="Mars/Base")


def test_mixed_naive_and_offset_timestamps_are_an_error() -> None:
    with pytest.raises(ValueError, match="row 3: .* mixes timestamps"):
        read_history_csv(_csv(["2024-01-01T00:00Z", "2024-01-01T00:30"], [1.0, 1.0]))


def test_default_form_keeps_the_old_behaviour() -> None:
    h = IntervalHistory(
        date(2024, 1, 1),
        60,
        np.ones((1, 24)),
        form=TimestampForm(tz=timezone(timedelta(hours=9))),
    )
    start = h.interval_starts(date(2024, 1, 1))[9]
    assert h.format_start(start) == "2024-01-01T09:00:00+09:00"


# ------------------------------------------------------------------ review 3: coverage


def _quiet_nights(minutes: int, days: int, seed: int = 0) -> tuple[list[datetime], list[float]]:
    """24×7 rows with busy days and nights of about 1 call an hour; rows only where calls
    came ("closed intervals may be absent"), as a bank's export at 5 or 15 minutes is."""
    rng = np.random.default_rng(seed)
    starts, calls = [], []
    for i in range(days):
        d = datetime(2024, 3, 4) + timedelta(days=i)
        for slot in range(1440 // minutes):
            hour = slot * minutes // 60
            rate = (60.0 if 8 <= hour < 20 else 1.0) * minutes / 60
            c = float(rng.poisson(rate))
            if c:
                starts.append(d + timedelta(minutes=slot * minutes))
                calls.append(c)
    return starts, calls


@pytest.mark.parametrize("minutes", [5, 15])
def test_quiet_intervals_absent_at_the_ends_do_not_make_a_day_partial(minutes: int) -> None:
    """Issue 2: a full day whose first/last quiet intervals had no call is a whole day."""
    starts, calls = _quiet_nights(minutes, 28)
    # no call in the first and the last 20 minutes of the month (quiet, not cut off)
    quiet = [
        i
        for i, s in enumerate(starts)
        if datetime(2024, 3, 4, 0, 20) <= s < datetime(2024, 3, 31, 23, 40)
    ]
    starts, calls = [starts[i] for i in quiet], [calls[i] for i in quiet]
    h = from_records(starts, calls)
    assert h.partial_days == () and h.n_days == 28
    assert h.first_day == date(2024, 3, 4) and h.last_day == date(2024, 3, 31)
    # ... while a day really cut off (at 14:00) is still left out
    cut = [i for i, s in enumerate(starts) if s < datetime(2024, 3, 31, 14, 0)]
    h2 = from_records([starts[i] for i in cut], [calls[i] for i in cut])
    assert h2.partial_days == (date(2024, 3, 31),) and h2.last_day == date(2024, 3, 30)


@pytest.mark.parametrize("minutes", [5, 15])
def test_bank_month_keeps_every_day(anonymous_bank_path, minutes: int) -> None:  # type: ignore[no-untyped-def]
    """Issue 2 on the real data: at 15 minutes 28 Feb (a full Sunday) was dropped, at
    5 minutes 1 and 28 Feb."""
    import importlib.util

    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location(
        "abi", root / "benchmarks" / "anonymous_bank_intervals.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    h = read_history_csv(io.StringIO(module.convert_to_text(anonymous_bank_path, minutes)))
    assert h.partial_days == () and h.n_days == 28
    assert (h.first_day, h.last_day) == (date(1999, 2, 1), date(1999, 2, 28))


def test_known_window_covers_every_day_of_it() -> None:
    """Issue 1: a database window is observed whole, whatever its first and last call."""
    starts, calls = _quiet_nights(30, 42)
    keep = [
        i for i, s in enumerate(starts) if datetime(2024, 3, 5, 3) <= s < datetime(2024, 4, 13, 20)
    ]
    window = (datetime(2024, 3, 4), datetime(2024, 4, 15))  # 42 days, Monday to Sunday
    h = from_records([starts[i] for i in keep], [calls[i] for i in keep], coverage=window)
    assert (h.first_day, h.last_day, h.n_days) == (date(2024, 3, 4), date(2024, 4, 14), 42)
    assert h.partial_days == () and h.observed_last_day == date(2024, 4, 14)
    assert h.offered[0].sum() == 0 and h.offered[-1].sum() == 0  # observed: no calls
    # a window opening with a week or more without calls starts at the first call's day
    late = [i for i in keep if starts[i] >= datetime(2024, 3, 20)]
    h2 = from_records([starts[i] for i in late], [calls[i] for i in late], coverage=window)
    assert h2.first_day == date(2024, 3, 20) and h2.last_day == date(2024, 4, 14)
    with pytest.raises(ValueError, match="outside the coverage"):
        from_records([datetime(2024, 5, 1)], [1.0], coverage=window)


# ------------------------------------------------------------------ review 3: sanity limits


@pytest.mark.parametrize("minutes", [5, 60])
def test_far_apart_dates_are_a_clear_error(minutes: int) -> None:
    """Issue 3: rows dated 0001-01-01 and 9999-12-31 tried to allocate 7.84 GiB."""
    text = io.StringIO(
        f"start,offered\n0001-01-01T09:00:00,1\n9999-12-31T09:{60 - minutes:02d}:00,2\n"
    )
    with pytest.raises(ValueError, match=r"history spans 3,652,059 days .* at most 1830 days"):
        read_history_csv(text)


def test_long_gap_without_rows_is_a_clear_error() -> None:
    text = io.StringIO("start,offered\n2020-01-01T09:00,1\n2022-01-03T09:00,2\n")
    with pytest.raises(ValueError, match=r"no rows from 2020-01-02 to 2022-01-02 \(732 days\)"):
        read_history_csv(text)
    # a fortnight without rows (a closure) is accepted: those days are closed
    starts, calls = _weekday_rows(40)
    keep = [
        i for i, s in enumerate(starts) if not date(2024, 9, 16) <= s.date() < date(2024, 9, 30)
    ]
    h = from_records([starts[i] for i in keep], [calls[i] for i in keep])
    assert h.offered[h.days.index(date(2024, 9, 18))].sum() == 0


# ------------------------------------------------------------------ review 3: closed tail


def test_a_monday_to_friday_week_is_seven_calendar_days() -> None:
    """Issue 5: the closed weekend after the last Friday belongs to the history."""
    starts, calls = _weekday_rows(5)  # Monday 2 to Friday 6 September
    h = from_records(starts, calls)
    assert (h.first_day, h.last_day, h.n_days) == (date(2024, 9, 2), date(2024, 9, 8), 7)
    # other weekdays never seen are unknown, not closed: Wednesday to Sunday stays 5 days
    starts2 = [s + timedelta(days=2) for s in starts]
    h2 = from_records(starts2, calls)
    assert (h2.first_day, h2.last_day, h2.n_days) == (date(2024, 9, 4), date(2024, 9, 8), 5)


@pytest.mark.parametrize("year", ["9999", "0001", "1899", "3000"])
def test_a_start_outside_the_supported_years_is_a_value_error_naming_the_row(year: str) -> None:
    """Issue 7: a history dated 9999-12-31 overflowed the calendar (a 500 on upload)."""
    rows = "".join(f"{year}-12-{d:02d}T{h:02d}:00,10\n" for d in range(20, 32) for h in range(24))
    with pytest.raises(ValueError, match=r"row \d+: start .* must be in the years 1900 to 2999"):
        read_history_csv(io.StringIO("start,offered\n" + rows))
