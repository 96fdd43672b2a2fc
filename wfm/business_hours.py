"""Business hours and holidays per site: when a site of the center takes calls.

A site's opening hours are given per *day type*: ``weekday`` (Monday to Friday at once),
each weekday separately (``mon`` ... ``fri``, which override ``weekday`` for that day),
``sat``, ``sun`` and ``holiday``. A day type holds zero or more time ranges
``HH:MM-HH:MM`` in the center's local time (``00:00`` to ``24:00``, start before end, no
two overlapping); an empty list means closed that day. Holidays are dates with a name,
for one site or for every site (``site=None``); on a holiday the ``holiday`` day type
applies (closed unless one is given).

Rules (what a bank's center manager expects):

- a site with no hours at all is *unrestricted* (open around the clock but on its
  holidays): a center that has not set its hours yet keeps taking calls;
- a site with hours but no entry for a day type is closed on such days (a ``mon`` ... ``fri``
  day falls back to ``weekday`` first);
- ranges never cross midnight: an overnight shift is two ranges, ``22:00-24:00`` one day
  and ``00:00-02:00`` the next (an overnight range is refused, naming the field);
- a queue (or the whole center) is open when at least one of the sites serving it is open;
  a queue may also have its own hours (an optional override, read like a site's), which
  narrow that further (a foreign-exchange desk that closes at 16:00).

Times: a naive datetime is the center's local wall clock; an aware one is converted to
:attr:`BusinessHours.time_zone` first (the bank's centers are in Korea, ``Asia/Seoul``,
which has no daylight saving). Nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal, get_args
from zoneinfo import ZoneInfo

DayType = Literal["weekday", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"]
DAY_TYPES: tuple[DayType, ...] = get_args(DayType)
WEEKDAY_TYPES: tuple[DayType, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIME_ZONE = "Asia/Seoul"
MINUTES_PER_DAY = 1440
#: the furthest :func:`next_opening` looks ahead (a site closed for longer has no opening)
MAX_LOOKAHEAD_DAYS = 400
MAX_RANGES_PER_DAY = 12
MAX_NAME_LENGTH = 80


class HoursError(ValueError):
    """Invalid business hours; ``field`` names the part at fault (``hours.sat[1].start``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class TimeRange:
    """``[start_minute, end_minute)`` of a local day, 0 <= start < end <= 1440."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise HoursError("range", f"need 0 <= start < end <= 1440 minutes, got "
                                      f"{self.start_minute}-{self.end_minute}")

    def contains(self, minute: float) -> bool:
        return self.start_minute <= minute < self.end_minute

    def text(self) -> str:
        return f"{format_hhmm(self.start_minute)}-{format_hhmm(self.end_minute)}"


@dataclass(frozen=True, slots=True)
class Holiday:
    """A day a site (``site=None``: every site) follows its ``holiday`` hours."""

    day: date
    name: str
    site: str | None = None


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per site and day type, and the holidays (see the module docstring)."""

    sites: Mapping[str, Mapping[DayType, tuple[TimeRange, ...]]] = field(default_factory=dict)
    holidays: tuple[Holiday, ...] = ()
    time_zone: str = DEFAULT_TIME_ZONE
    #: a queue's own hours (optional override), within its sites' hours: a queue is open
    #: when one of its sites is and its own hours of that day type (if it has some; else it
    #: follows its sites) say so too
    queues: Mapping[str, Mapping[DayType, tuple[TimeRange, ...]]] = field(default_factory=dict)

    def holiday_of(self, site: str, day: date) -> Holiday | None:
        for h in self.holidays:
            if h.day == day and (h.site is None or h.site == site):
                return h
        return None

    def holiday_dates(self, sites: Iterable[str] | None = None) -> frozenset[date]:
        """Dates that are holidays of every one of ``sites`` (None: holidays of all sites)."""
        if sites is None:
            return frozenset(h.day for h in self.holidays if h.site is None)
        wanted = set(sites)
        if not wanted:
            return frozenset()
        return frozenset(
            d for d in {h.day for h in self.holidays}
            if all(self.holiday_of(s, d) is not None for s in wanted)
        )


# --- parsing and validation ----------------------------------------------------------------


def parse_hhmm(text: str, field: str) -> int:
    """Minutes since midnight of ``HH:MM`` (00:00 to 24:00); :class:`HoursError` names ``field``."""
    parts = text.strip().split(":") if isinstance(text, str) else []
    if (len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts)):
        raise HoursError(field, f"must be HH:MM, got {str(text)[:20]!r}")
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise HoursError(field, f"must be between 00:00 and 24:00, got {text.strip()!r}")
    return hours * 60 + minutes


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_ranges(ranges: Sequence[Sequence[str]], field: str) -> tuple[TimeRange, ...]:
    """Validated ranges from ``[("09:00", "12:00"), ...]``, sorted by start.

    Each start must be before its end (an overnight range is refused: split it at midnight)
    and no two ranges may overlap; :class:`HoursError` names ``field[i].start`` or ``.end``.
    """
    if len(ranges) > MAX_RANGES_PER_DAY:
        raise HoursError(field, f"at most {MAX_RANGES_PER_DAY} ranges a day, got {len(ranges)}")
    out: list[tuple[TimeRange, int]] = []
    for i, pair in enumerate(ranges):
        if len(pair) != 2:
            raise HoursError(f"{field}[{i}]", "must be a start and an end")
        start = parse_hhmm(pair[0], f"{field}[{i}].start")
        end = parse_hhmm(pair[1], f"{field}[{i}].end")
        if start == MINUTES_PER_DAY:
            raise HoursError(f"{field}[{i}].start", "must be before 24:00")
        if end <= start:
            raise HoursError(
                f"{field}[{i}].end",
                f"must be after the start ({pair[0]}); a range over midnight is two ranges, "
                "one ending at 24:00 and one starting at 00:00 the next day")
        out.append((TimeRange(start, end), i))
    out.sort(key=lambda r: r[0].start_minute)
    for (before, _), (after, j) in pairwise(out):
        if after.start_minute < before.end_minute:
            raise HoursError(f"{field}[{j}].start",
                             f"{after.text()} overlaps {before.text()}")
    return tuple(r for r, _ in out)


def parse_range_text(text: str, field: str) -> tuple[TimeRange, ...]:
    """Ranges from ``"09:00-12:00, 13:00-18:00"`` (blank or ``closed``: none)."""
    cleaned = text.strip()
    if cleaned.lower() in ("", "closed", "-"):
        return ()
    pairs: list[Sequence[str]] = []
    for i, part in enumerate(cleaned.split(",")):
        bits = part.split("-")
        if len(bits) != 2:
            raise HoursError(f"{field}[{i}]", f"must be HH:MM-HH:MM, got {part.strip()[:20]!r}")
        pairs.append((bits[0], bits[1]))
    return parse_ranges(pairs, field)


def check_holiday(holiday: Holiday, field: str = "holiday") -> Holiday:
    name = holiday.name.strip()
    if not name:
        raise HoursError(f"{field}.name", "must not be blank")
    if len(name) > MAX_NAME_LENGTH:
        raise HoursError(f"{field}.name", f"at most {MAX_NAME_LENGTH} characters")
    return Holiday(holiday.day, name, holiday.site)


# --- questions ------------------------------------------------------------------------------


def _local(hours: BusinessHours, when: datetime) -> datetime:
    if when.tzinfo is None:
        return when
    return when.astimezone(ZoneInfo(hours.time_zone)).replace(tzinfo=None)


def is_restricted(hours: BusinessHours, site: str) -> bool:
    """True when ``site`` has opening hours (a site without any is open around the clock)."""
    return bool(hours.sites.get(site))


def day_type_of(hours: BusinessHours, site: str, day: date) -> DayType:
    """The day type whose hours ``site`` follows on ``day`` (holiday first)."""
    if hours.holiday_of(site, day) is not None:
        return "holiday"
    own = WEEKDAY_TYPES[day.weekday()]
    table = hours.sites.get(site, {})
    if day.weekday() < 5 and own not in table:
        return "weekday"
    return own


def open_intervals(hours: BusinessHours, site: str, day: date) -> tuple[TimeRange, ...]:
    """The local ranges ``site`` is open on ``day`` (``00:00-24:00`` when unrestricted and
    not a holiday of the site)."""
    if not is_restricted(hours, site) and hours.holiday_of(site, day) is None:
        return (TimeRange(0, MINUTES_PER_DAY),)
    return tuple(hours.sites.get(site, {}).get(day_type_of(hours, site, day), ()))


def is_open(hours: BusinessHours, site: str, local_datetime: datetime) -> bool:
    """Whether ``site`` takes calls at ``local_datetime`` (naive: center-local)."""
    when = _local(hours, local_datetime)
    minute = when.hour * 60 + when.minute + (when.second + when.microsecond / 1e6) / 60
    return any(r.contains(minute) for r in open_intervals(hours, site, when.date()))


def any_open(hours: BusinessHours, sites: Iterable[str], local_datetime: datetime) -> bool:
    """Whether at least one of ``sites`` is open (no sites: the center is not split by site,
    so it is open unless every configured site is closed)."""
    chosen = list(sites) or list(hours.sites)
    if not chosen:
        return True
    return any(is_open(hours, s, local_datetime) for s in chosen)


def _queue_view(hours: BusinessHours) -> BusinessHours:
    """The queues' own hours read as sites (with the holidays of every site)."""
    return BusinessHours(hours.queues, tuple(h for h in hours.holidays if h.site is None),
                         hours.time_zone)


def queue_ranges(hours: BusinessHours, queue: str, day: date) -> tuple[TimeRange, ...] | None:
    """``queue``'s own ranges on ``day``, or None when it has none for that day type (it
    follows its sites). ``mon`` ... ``fri`` fall back to ``weekday``; a holiday of every site
    reads ``holiday``."""
    own = hours.queues.get(queue)
    if not own:
        return None
    day_type = day_type_of(_queue_view(hours), queue, day)
    return tuple(own[day_type]) if day_type in own else None


def queue_is_open(
    hours: BusinessHours, queue: str, sites: Iterable[str], local_datetime: datetime
) -> bool:
    """Whether ``queue`` takes calls: one of ``sites`` (those serving it) open
    (:func:`any_open`) and, where the queue has its own hours that day, those open too."""
    if not any_open(hours, sites, local_datetime):
        return False
    when = _local(hours, local_datetime)
    own = queue_ranges(hours, queue, when.date())
    minute = when.hour * 60 + when.minute + (when.second + when.microsecond / 1e6) / 60
    return own is None or any(r.contains(minute) for r in own)


def next_opening(hours: BusinessHours, site: str, local_datetime: datetime) -> datetime | None:
    """The first moment at or after ``local_datetime`` when ``site`` is open (naive, local).

    ``local_datetime`` itself when open; None when no opening within
    :data:`MAX_LOOKAHEAD_DAYS` days.
    """
    when = _local(hours, local_datetime)
    if is_open(hours, site, when):
        return when
    minute = when.hour * 60 + when.minute + (when.second + when.microsecond / 1e6) / 60
    day = when.date()
    for offset in range(MAX_LOOKAHEAD_DAYS + 1):
        current = day + timedelta(days=offset)
        for r in open_intervals(hours, site, current):
            if offset or r.start_minute >= minute:
                return datetime.combine(current, time()) + timedelta(minutes=r.start_minute)
    return None


def open_ranges(
    hours: BusinessHours, sites: Iterable[str], day: date, queue: str | None = None
) -> list[TimeRange]:
    """The ranges of ``day`` when at least one of ``sites`` is open (no sites: every
    configured site; none configured: all day), cut to the ``queue``'s own hours if it has
    some that day (possibly overlapping one another, unsorted)."""
    chosen = list(sites) or list(hours.sites)
    ranges = ([r for s in chosen for r in open_intervals(hours, s, day)] if chosen
              else [TimeRange(0, MINUTES_PER_DAY)])
    own = None if queue is None else queue_ranges(hours, queue, day)
    if own is None:
        return ranges
    return [TimeRange(max(a.start_minute, b.start_minute), min(a.end_minute, b.end_minute))
            for a in ranges for b in own
            if max(a.start_minute, b.start_minute) < min(a.end_minute, b.end_minute)]


def next_queue_opening(
    hours: BusinessHours, queue: str, sites: Iterable[str], local_datetime: datetime
) -> datetime | None:
    """The first moment at or after ``local_datetime`` when ``queue`` takes calls
    (:func:`queue_is_open`), naive local; None when not within :data:`MAX_LOOKAHEAD_DAYS`."""
    chosen = list(sites)
    when = _local(hours, local_datetime)
    if queue_is_open(hours, queue, chosen, when):
        return when
    minute = when.hour * 60 + when.minute + (when.second + when.microsecond / 1e6) / 60
    for offset in range(MAX_LOOKAHEAD_DAYS + 1):
        current = when.date() + timedelta(days=offset)
        starts = sorted(r.start_minute for r in open_ranges(hours, chosen, current, queue)
                        if offset or r.start_minute >= minute)
        if starts:
            return datetime.combine(current, time()) + timedelta(minutes=starts[0])
    return None


def open_mask(
    hours: BusinessHours, sites: Iterable[str], day: date, interval_minutes: int,
    queue: str | None = None,
) -> list[bool]:
    """Per interval of ``day`` (``1440 / interval_minutes`` of them): is at least one of
    ``sites`` open during some part of it (no sites: every configured site), and the
    ``queue``'s own hours too when it has some."""
    if interval_minutes <= 0 or MINUTES_PER_DAY % interval_minutes:
        raise HoursError("interval_minutes", f"must divide 1440, got {interval_minutes}")
    slots = MINUTES_PER_DAY // interval_minutes
    ranges = open_ranges(hours, sites, day, queue)
    out = []
    for k in range(slots):
        lo, hi = k * interval_minutes, (k + 1) * interval_minutes
        out.append(any(r.start_minute < hi and lo < r.end_minute for r in ranges))
    return out


def public_holidays(years: Iterable[int], country: str = "KR",
                    language: str = "ko") -> tuple[Holiday, ...]:
    """The public holidays of ``country`` in ``years`` for every site, named in ``language``
    (from the ``holidays`` package, offline: for Korea 설날 and 추석 with the days either side
    and the substitute days)."""
    import holidays

    table = holidays.country_holidays(country, years=sorted(set(years)), language=language)
    return tuple(Holiday(d, str(name)[:MAX_NAME_LENGTH]) for d, name in sorted(table.items()))


def zero_when_closed(
    hours: BusinessHours, sites: Iterable[str], starts: Sequence[datetime],
    values: Sequence[float], interval_minutes: int, queue: str | None = None,
) -> list[float]:
    """``values`` (demand per interval starting at ``starts``) with 0 wherever every one of
    ``sites`` (or the ``queue``'s own hours) is closed for the whole interval
    (:func:`open_mask`): a closed interval or a closed holiday requires nobody, whatever
    the forecast says."""
    chosen = list(sites)
    masks: dict[date, list[bool]] = {}
    out = []
    for start, value in zip(starts, values, strict=True):
        local = _local(hours, start)
        day = local.date()
        if day not in masks:
            masks[day] = open_mask(hours, chosen, day, interval_minutes, queue)
        slot = (local.hour * 60 + local.minute) // interval_minutes
        out.append(float(value) if masks[day][slot] else 0.0)
    return out
