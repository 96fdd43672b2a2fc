"""Business hours and holidays per site (wfm/business_hours.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from wfm.business_hours import (
    BusinessHours,
    Holiday,
    HoursError,
    TimeRange,
    any_open,
    day_type_of,
    is_open,
    next_opening,
    open_intervals,
    open_mask,
    parse_hhmm,
    parse_range_text,
    parse_ranges,
    public_holidays,
    zero_when_closed,
)

NINE_SIX = (TimeRange(9 * 60, 18 * 60),)
CHUSEOK = date(2026, 9, 25)  # a Friday
HOURS = BusinessHours(
    sites={
        "seoul": {"weekday": NINE_SIX, "sat": (), "holiday": ()},
        "busan": {"weekday": parse_ranges([("09:00", "12:00"), ("13:00", "18:00")], "w"),
                  "fri": parse_ranges([("09:00", "17:00")], "f"),
                  "sat": parse_ranges([("09:00", "13:00")], "s")},
    },
    holidays=(Holiday(CHUSEOK, "추석"), Holiday(date(2026, 12, 4), "창립기념일", "busan")),
)


def test_weekday_ranges_and_closed_days() -> None:
    monday = date(2026, 11, 30)
    assert is_open(HOURS, "seoul", datetime(2026, 11, 30, 9, 0))
    assert not is_open(HOURS, "seoul", datetime(2026, 11, 30, 8, 59, 59))
    assert is_open(HOURS, "seoul", datetime(2026, 11, 30, 17, 59))
    assert not is_open(HOURS, "seoul", datetime(2026, 11, 30, 18, 0))  # end excluded
    assert not is_open(HOURS, "busan", datetime(2026, 11, 30, 12, 30))  # lunch gap
    assert open_intervals(HOURS, "busan", monday)[1].text() == "13:00-18:00"
    assert day_type_of(HOURS, "busan", date(2026, 11, 27)) == "fri"  # fri overrides weekday
    assert not is_open(HOURS, "busan", datetime(2026, 11, 27, 17, 30))
    assert not is_open(HOURS, "seoul", datetime(2026, 11, 28, 10, 0))  # Saturday closed
    assert is_open(HOURS, "busan", datetime(2026, 11, 28, 10, 0))  # Saturday morning
    assert not is_open(HOURS, "busan", datetime(2026, 11, 29, 10, 0))  # Sunday: no entry


def test_holidays_close_every_site_or_one() -> None:
    assert day_type_of(HOURS, "seoul", CHUSEOK) == "holiday"
    assert not is_open(HOURS, "seoul", datetime(2026, 9, 25, 10, 0))
    assert not is_open(HOURS, "busan", datetime(2026, 9, 25, 10, 0))  # no holiday hours
    assert not is_open(HOURS, "busan", datetime(2026, 12, 4, 10, 0))  # busan's own day
    assert is_open(HOURS, "seoul", datetime(2026, 12, 4, 10, 0))
    assert any_open(HOURS, ["seoul", "busan"], datetime(2026, 12, 4, 10, 0))
    assert not any_open(HOURS, ["busan"], datetime(2026, 12, 4, 10, 0))
    assert HOURS.holiday_dates(["seoul", "busan"]) == {CHUSEOK}
    assert HOURS.holiday_dates(["busan"]) == {CHUSEOK, date(2026, 12, 4)}


def test_unconfigured_site_is_open_around_the_clock() -> None:
    assert is_open(HOURS, "daegu", datetime(2026, 9, 24, 3, 0))
    assert not is_open(HOURS, "daegu", datetime(2026, 9, 25, 12, 0))  # but on holidays
    assert is_open(BusinessHours(), "seoul", datetime(2026, 11, 29, 23, 59))
    assert any_open(BusinessHours(), [], datetime(2026, 11, 29, 23, 59))


def test_aware_times_are_read_in_the_center_zone_which_has_no_dst() -> None:
    # 00:30 UTC is 09:30 in Seoul, all year round (no daylight saving)
    assert is_open(HOURS, "seoul", datetime(2026, 11, 30, 0, 30, tzinfo=UTC))
    assert is_open(HOURS, "seoul", datetime(2026, 7, 1, 0, 30, tzinfo=UTC))
    assert not is_open(HOURS, "seoul", datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # 18:30


def test_next_opening() -> None:
    friday_evening = datetime(2026, 11, 27, 19, 0)
    assert next_opening(HOURS, "seoul", friday_evening) == datetime(2026, 11, 30, 9, 0)
    assert next_opening(HOURS, "busan", friday_evening) == datetime(2026, 11, 28, 9, 0)
    assert next_opening(HOURS, "busan", datetime(2026, 11, 30, 12, 10)) == datetime(
        2026, 11, 30, 13, 0)
    assert next_opening(HOURS, "seoul", datetime(2026, 9, 24, 20, 0)) == datetime(
        2026, 9, 28, 9, 0)  # Chuseok Friday and the weekend skipped
    inside = datetime(2026, 11, 30, 10, 15)
    assert next_opening(HOURS, "seoul", inside) == inside
    never = BusinessHours(sites={"x": {"weekday": ()}})
    assert next_opening(never, "x", inside) is None


@pytest.mark.parametrize(
    ("ranges", "field"),
    [
        ([("9:00", "18:00")], "d[0].start"),
        ([("09:00", "25:00")], "d[0].end"),
        ([("09:00", "24:30")], "d[0].end"),
        ([("09:60", "18:00")], "d[0].start"),
        ([("18:00", "09:00")], "d[0].end"),  # backwards
        ([("22:00", "02:00")], "d[0].end"),  # overnight: two ranges instead
        ([("09:00", "09:00")], "d[0].end"),
        ([("24:00", "24:00")], "d[0].start"),
        ([("13:00", "18:00"), ("09:00", "13:30")], "d[0].start"),  # overlap (sorted)
    ],
)
def test_invalid_ranges_name_the_field(ranges: list[tuple[str, str]], field: str) -> None:
    with pytest.raises(HoursError) as info:
        parse_ranges(ranges, "d")
    assert info.value.field == field


def test_valid_ranges_and_text_form() -> None:
    assert parse_hhmm("24:00", "x") == 1440 and parse_hhmm("00:00", "x") == 0
    night = parse_ranges([("22:00", "24:00"), ("00:00", "02:00")], "d")
    assert [r.text() for r in night] == ["00:00-02:00", "22:00-24:00"]
    assert parse_range_text("09:00-12:00, 13:00-18:00", "d")[1].text() == "13:00-18:00"
    assert parse_range_text("closed", "d") == () and parse_range_text("", "d") == ()
    with pytest.raises(HoursError, match=r"d\[1\]"):
        parse_range_text("09:00-12:00, 13:00", "d")


def test_open_mask_and_zero_demand_when_closed() -> None:
    mask = open_mask(HOURS, ["busan"], date(2026, 11, 30), 60)
    assert [h for h, m in enumerate(mask) if m] == [9, 10, 11, 13, 14, 15, 16, 17]
    half = open_mask(HOURS, ["seoul", "busan"], date(2026, 11, 30), 30)
    assert sum(half) == 18  # 09:00-18:00, the lunch gap covered by Seoul
    starts = [datetime(2026, 9, 24, 10), datetime(2026, 9, 25, 10), datetime(2026, 9, 24, 20)]
    assert zero_when_closed(HOURS, ["seoul", "busan"], starts, [5.0, 5.0, 5.0], 30) == [
        5.0, 0.0, 0.0]  # Chuseok and the evening require nobody
    with pytest.raises(HoursError, match="interval_minutes"):
        open_mask(HOURS, [], date(2026, 11, 30), 7)


def test_korean_public_holidays_offline() -> None:
    found = {h.day: h.name for h in public_holidays([2026, 2027])}
    assert found[date(2026, 2, 17)] == "설날" and found[date(2026, 9, 25)] == "추석"
    assert date(2027, 9, 15) in found and date(2027, 2, 7) in found
    assert all(h.site is None for h in public_holidays([2026]))


def test_a_queues_own_hours_narrow_its_sites() -> None:
    from dataclasses import replace

    from wfm.business_hours import queue_is_open, queue_ranges

    fx = replace(HOURS, queues={"fx": {"weekday": parse_ranges([("09:00", "16:00")], "q"),
                                       "sat": ()}})
    sites = ["seoul", "busan"]
    monday = datetime(2026, 11, 30, 15, 0)
    assert queue_is_open(fx, "fx", sites, monday)
    assert not queue_is_open(fx, "fx", sites, datetime(2026, 11, 30, 16, 30))  # fx closes
    assert queue_is_open(fx, "deposits", sites, datetime(2026, 11, 30, 16, 30))  # no override
    assert not queue_is_open(fx, "fx", sites, datetime(2026, 11, 30, 8, 0))  # sites closed
    assert not queue_is_open(fx, "fx", sites, datetime(2026, 11, 28, 10, 0))  # fx: no Saturday
    assert queue_ranges(fx, "fx", date(2026, 11, 29)) is None  # Sunday: follows the sites
    assert queue_ranges(fx, "fx", CHUSEOK) is None
    mask = open_mask(fx, sites, date(2026, 11, 30), 60, "fx")
    assert [h for h, m in enumerate(mask) if m] == list(range(9, 16))


def test_next_opening_of_a_queue() -> None:
    from dataclasses import replace

    from wfm.business_hours import next_queue_opening

    fx = replace(HOURS, queues={"fx": {"weekday": parse_ranges([("10:00", "16:00")], "q"),
                                       "sat": ()}})
    sites = ["seoul", "busan"]
    friday = datetime(2026, 11, 27, 16, 30)  # the sites are open, fx is not
    assert next_queue_opening(fx, "fx", sites, friday) == datetime(2026, 11, 30, 10, 0)
    assert next_queue_opening(fx, "deposits", sites, friday) == friday
    assert next_queue_opening(fx, "fx", sites, datetime(2026, 11, 30, 9, 0)) == datetime(
        2026, 11, 30, 10, 0)


def test_the_centers_own_holidays_are_holidays_of_the_forecast() -> None:
    from wfm.calendar import day_features
    from wfm.forecast import ForecastSpec

    days = [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)]
    own = HOURS.holiday_dates(["busan"]) | {date(2026, 11, 18)}
    features = day_features(days, "KR", own)
    assert features["holiday"].tolist() == [False, True, False]
    assert features["after_holiday"].tolist() == [False, False, True]
    assert day_features(days, "KR")["holiday"].tolist() == [False, False, False]
    spec = ForecastSpec(extra_holidays=frozenset(own))
    assert spec != ForecastSpec() and hash(spec) is not None  # its own fit in the cache
