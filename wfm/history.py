"""Interval history: reading, checking and regularising calls offered per interval.

A contact center's history is a table ``start, offered[, aht_seconds]`` with one row per
interval (closed intervals may be absent). :class:`IntervalHistory` puts it on a regular
grid of whole days, ``offered[day, slot]``, with absent intervals counted as 0 calls, which
is what "closed intervals may be absent" means. Rows finer than the requested interval are
summed (AHT weighted by calls); rows that are not on the grid, duplicated starts, and
non-finite or absurd values (more than :data:`MAX_OFFERED` calls in one row, an AHT over
:data:`MAX_AHT_SECONDS`) are errors naming the row.

Coverage: a file's history is observed from its first row's start to its last row's end;
a database history (``coverage=`` in :func:`from_records`) over the window it was queried
for, whatever the first and last call. Inside the coverage, absent intervals are 0 calls. An
interval outside it (after the last row, or before the first) is *not observed*, which is
not the same as closed. The first/last day of a file is *partial*, left out of the grid
(listed in :attr:`IntervalHistory.partial_days`) so that it is not taken for a quiet day,
only when the history really stops (or starts) inside it: when its unobserved intervals
would have had a material part of its calls, both in share and in number. With ``m`` the
mean calls of the days of the same weekday (or, with none, the other days) in those
intervals, scaled by the day's observed calls over theirs (``(seen + 1) / (their seen + 1)``),
the day is partial when those intervals hold more than :data:`PARTIAL_DAY_SHARE` (5 %) of
such a day's calls *and* a whole day would show no call there with probability ``e**-m``
below :data:`PARTIAL_DAY_P` (1 %, ``m > 4.6``). A day cut at noon is partial; a 24×7 month
whose last rows stop at 23:44 on a Sunday (0.5 % of a Sunday's calls unseen) or whose first
5-minute row is at 00:10 is whole: the few calls unseen matter less than losing the day.
Quiet intervals absent inside the coverage are zeros whatever the day's usual pattern.

A file whose rows stop at the end of a day keeps the days after it that are closed in its
pattern: the grid is extended, by up to six days, through the following days whose weekday
is closed, i.e. occurs in the history without a single call (a Monday-to-Friday history
ending on a Friday covers its weekend). Saturday and Sunday are also closed when they do not
occur at all but Monday to Friday all had calls: a week of rows of a Monday-to-Friday center
is seven calendar days, a week. (Other weekdays that never occur are unknown, not closed.)

Sanity limits (a mistyped year must not allocate gigabytes): a history may span at most
:data:`MAX_HISTORY_DAYS` days (five years: the daily models use two, calendar effects gain
from a few more holidays; five years of 5-minute intervals are 0.5 M cells), and a file may
not have more than :data:`MAX_GAP_DAYS` consecutive days without a row (four weeks is longer
than any closure of a bank's contact center: such a gap is missing data, not closed days).
Starts must lie in the years :data:`MIN_YEAR` to :data:`MAX_YEAR` (a row dated 9999-12-31
left no room for the day after it in the calendar, and broke the reader).

Timestamps are ISO 8601 (``2024-03-04T09:00:00``, ``2024-03-04 09:00``, optionally with a
UTC offset or ``Z``). Days, opening hours and holidays are those of the center's local time:
timestamps with an offset are converted to the local zone (``time_zone``, default
:data:`DEFAULT_TIME_ZONE`), naive timestamps are taken as local already. The grid holds
naive local times; the form of the input (separator, seconds, offset) is remembered so that
forecasts can be written back in the same form (:meth:`IntervalHistory.format_start`): naive
input is written naive; input whose offsets are the local zone's is written with the local
offset of each instant (daylight saving included); input with one other fixed offset (e.g.
UTC ``Z``) is written in that offset.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

MINUTES_PER_DAY = 24 * 60
SECONDS_PER_DAY = 86_400
FloatArray = npt.NDArray[np.float64]
DEFAULT_TIME_ZONE = "Asia/Seoul"
MAX_OFFERED = 1e7  # calls in one interval row; more is a corrupt file, not a contact center
MAX_AHT_SECONDS = 86_400.0  # a handle time over a day is a corrupt value
MAX_HISTORY_DAYS = 1830  # five years (module docstring)
MAX_GAP_DAYS = 28  # consecutive days without a row inside a file (module docstring)
MIN_YEAR, MAX_YEAR = 1900, 2999  # years a start may have (module docstring)
PARTIAL_DAY_P = 0.01  # a first/last day is partial when its gap has P(no call) below this
PARTIAL_DAY_SHARE = 0.05  # ... and holds more than this share of such a day's calls
LEADING_EMPTY_DAYS = 7  # a database window's first week without a call: the queue was new
MAX_CLOSED_TAIL_DAYS = 6  # closed days kept after a file's last row (module docstring)
_EPOCH = date(1970, 1, 1)


def resolve_time_zone(time_zone: str | tzinfo | None) -> tzinfo:
    """A tzinfo from an IANA name (``Asia/Seoul``), ``UTC``, or a tzinfo; ValueError if unknown."""
    if time_zone is None:
        time_zone = DEFAULT_TIME_ZONE
    if isinstance(time_zone, tzinfo):
        return time_zone
    name = str(time_zone).strip()
    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {time_zone!r} (use an IANA name such as Asia/Seoul)"
        ) from None


def check_interval_minutes(interval_minutes: object) -> int:
    """Return ``interval_minutes`` as an int, or raise ValueError naming the field.

    Allowed: 5 to 60 minutes, dividing the day (1440 minutes) exactly.
    """
    try:
        minutes: int = int(interval_minutes)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValueError(f"interval_minutes must be an integer, got {interval_minutes!r}") from None
    if minutes != interval_minutes and not isinstance(interval_minutes, str):
        raise ValueError(f"interval_minutes must be an integer, got {interval_minutes!r}")
    if not 5 <= minutes <= 60 or MINUTES_PER_DAY % minutes:
        raise ValueError(
            f"interval_minutes must be 5 to 60 and divide the day (1440 minutes), got {minutes}"
        )
    return minutes


@dataclass(frozen=True)
class TimestampForm:
    """How the input wrote its timestamps, so output can be written the same way."""

    sep: str = "T"
    timespec: str = "seconds"
    tz: tzinfo | None = None  # zone of the output (None: naive)
    zulu: bool = False  # UTC written as "Z" rather than "+00:00"
    zone: tzinfo | None = None  # local zone of naive grid times (None: they carry ``tz``)

    def instant(self, start: datetime, fold: int = 0) -> datetime:
        """A naive local grid time as the output's aware time (unchanged if already aware)."""
        if start.tzinfo is not None or self.tz is None:
            return start
        local = start.replace(tzinfo=self.zone or self.tz, fold=fold)
        return local.astimezone(self.tz)

    def local_folds(self, start: datetime) -> tuple[int, ...]:
        """Folds of a naive local time that exist: ``(0,)``; ``()`` in a daylight-saving gap;
        ``(0, 1)`` when the wall-clock hour happens twice (the end of daylight saving)."""
        if start.tzinfo is not None or self.zone is None:
            return (0,)
        first, second = (start.replace(tzinfo=self.zone, fold=f) for f in (0, 1))
        if first.utcoffset() == second.utcoffset():
            return (0,)
        back = first.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
        return (0, 1) if back == start else ()

    def format(self, start: datetime, fold: int = 0) -> str:
        text = self.instant(start, fold).isoformat(sep=self.sep, timespec=self.timespec)
        return text[:-6] + "Z" if self.zulu and text.endswith("+00:00") else text


@dataclass(frozen=True)
class IntervalHistory:
    """Calls offered (and AHT where known) on a regular grid of whole days.

    Attributes
    ----------
    first_day : date
        Day of row 0.
    interval_minutes : int
        Length of one interval; ``slots_per_day = 1440 // interval_minutes``.
    offered : ndarray, shape (days, slots_per_day)
        Calls offered; absent intervals are 0.
    aht_seconds : ndarray or None
        Average handle time per interval, NaN where unknown (no answered calls or no column).
    form : TimestampForm
        Form of the input timestamps.
    partial_days : tuple of date
        First/last days of the input that were only partly observed and are left out.
    coverage_end : datetime or None
        End of the last observed interval (naive local time), when read from rows.
    """

    first_day: date
    interval_minutes: int
    offered: FloatArray
    aht_seconds: FloatArray | None = None
    form: TimestampForm = field(default_factory=TimestampForm)
    partial_days: tuple[date, ...] = ()
    coverage_end: datetime | None = None

    def __post_init__(self) -> None:
        check_interval_minutes(self.interval_minutes)
        if self.offered.ndim != 2 or self.offered.shape[1] != self.slots_per_day:
            raise ValueError(
                f"offered must have shape (days, {self.slots_per_day}), got {self.offered.shape}"
            )
        if np.any(~np.isfinite(self.offered)) or np.any(self.offered < 0):
            raise ValueError("offered must be finite and >= 0")

    @property
    def slots_per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def n_days(self) -> int:
        return int(self.offered.shape[0])

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.n_days - 1)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.n_days)]

    def until(self, day: date) -> IntervalHistory:
        """The history of the days strictly before ``day``."""
        n = (day - self.first_day).days
        if n <= 0:
            raise ValueError(f"no history before {day.isoformat()}")
        n = min(n, self.n_days)
        aht = None if self.aht_seconds is None else self.aht_seconds[:n]
        end = datetime(day.year, day.month, day.day)
        coverage = self.coverage_end
        return _replace(
            self,
            offered=self.offered[:n],
            aht_seconds=aht,
            partial_days=tuple(d for d in self.partial_days if d < day),
            coverage_end=None if coverage is None else min(coverage, end),
        )

    @property
    def observed_last_day(self) -> date:
        """The last day with any observed interval (a partial last day included)."""
        if self.coverage_end is None:
            return self.last_day
        return max(self.last_day, (self.coverage_end - timedelta(microseconds=1)).date())

    def aggregate(self, interval_minutes: int) -> IntervalHistory:
        """The same history on longer intervals (sums of calls, call-weighted AHT)."""
        minutes = check_interval_minutes(interval_minutes)
        if minutes == self.interval_minutes:
            return self
        if minutes % self.interval_minutes:
            raise ValueError(
                f"interval_minutes must be a multiple of the history's interval"
                f" ({self.interval_minutes} minutes), got {minutes}"
            )
        k = minutes // self.interval_minutes
        shape = (self.n_days, self.slots_per_day // k, k)
        offered = self.offered.reshape(shape).sum(axis=2)
        aht = None
        if self.aht_seconds is not None:
            known = np.isfinite(self.aht_seconds) & (self.offered > 0)
            work = np.where(known, self.aht_seconds * self.offered, 0.0).reshape(shape).sum(axis=2)
            weight = np.where(known, self.offered, 0.0).reshape(shape).sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                aht = np.where(weight > 0, work / np.where(weight > 0, weight, 1), np.nan)
        return _replace(self, interval_minutes=minutes, offered=offered, aht_seconds=aht)

    def interval_starts(self, day: date) -> list[datetime]:
        """Wall-clock start of every interval of ``day``: naive local times when the input's
        zone is known (:meth:`format_start` converts them), else with the input's tzinfo."""
        tz = None if self.form.zone is not None else self.form.tz
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        step = timedelta(minutes=self.interval_minutes)
        return [midnight + i * step for i in range(self.slots_per_day)]

    def format_start(self, start: datetime) -> str:
        return self.form.format(start)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``datetime.fromisoformat``); raise ValueError if not."""
    value = text.strip()
    if not value:
        raise ValueError("empty timestamp")
    parsed = datetime.fromisoformat(value)
    if len(value) == 10:  # a bare date is not an interval start
        raise ValueError(f"timestamp without a time: {value!r}")
    return parsed


def timestamp_form(text: str, parsed: datetime | None = None) -> TimestampForm:
    """The form of one ISO timestamp as written (separator, precision, zone)."""
    value = text.strip()
    parsed = parsed or parse_timestamp(value)
    sep = value[10] if len(value) > 10 else "T"
    time_part = value[11:]
    timespec = (
        "minutes"
        if len(time_part) >= 5 and (len(time_part) == 5 or time_part[5] != ":")
        else "seconds"
    )
    zulu = value.upper().endswith("Z")
    return TimestampForm(sep=sep, timespec=timespec, tz=parsed.tzinfo, zulu=zulu)


def _infer_interval(starts: Sequence[datetime]) -> int:
    minutes = sorted({(s.hour * 60 + s.minute) for s in starts})
    gaps = np.diff(np.array(minutes)) if len(minutes) > 1 else np.array([60])
    gap = int(np.gcd.reduce(gaps.astype(int))) if len(gaps) else 60
    candidates = [m for m in range(5, 61) if MINUTES_PER_DAY % m == 0 and m <= max(gap, 5)]
    return (
        max(c for c in candidates if gap % c == 0) if any(gap % c == 0 for c in candidates) else 5
    )


def from_records(
    starts: Sequence[datetime],
    offered: Sequence[float],
    aht_seconds: Sequence[float] | None = None,
    interval_minutes: int | None = None,
    form: TimestampForm | None = None,
    first_row: int = 1,
    check_duplicates: bool = True,
    coverage: tuple[datetime, datetime] | None = None,
) -> IntervalHistory:
    """Build an :class:`IntervalHistory` from rows; rows finer than the interval are summed.

    ``starts`` are naive local times. ``interval_minutes=None`` infers the interval from the
    times of day present (the largest allowed length dividing every gap). AHT of an
    aggregated interval is the call-weighted mean of its rows' AHT (rows without AHT do not
    count). Two rows with the same start are an error (two overlapping exports concatenated
    would otherwise be summed); ``check_duplicates=False`` leaves that to the caller (who
    checked instants, e.g. the repeated hour at the end of daylight saving).

    ``coverage = (since, until)`` (naive local times) says which window the rows were taken
    from, e.g. a database query: the grid covers that window's days, every interval in it is
    observed (no partial days, no closed-day extension), and a window opening with
    :data:`LEADING_EMPTY_DAYS` or more days without a call starts at the first call's day
    (the queue was not in use yet). Without it, coverage is inferred from the rows and a
    partly observed first or last day is left out (see the module docstring).
    """
    if len(starts) == 0:
        raise ValueError("history is empty: no rows")
    if len(offered) != len(starts) or (aht_seconds is not None and len(aht_seconds) != len(starts)):
        raise ValueError("starts, offered and aht_seconds must have the same length")
    if check_duplicates:
        check_unique_starts(starts, first_row)
    data_minutes = _infer_interval(starts)
    minutes = data_minutes if interval_minutes is None else check_interval_minutes(interval_minutes)
    if minutes % data_minutes:
        raise ValueError(
            f"interval_minutes must be a multiple of the data's interval ({data_minutes} minutes),"
            f" got {minutes}"
        )
    calls = np.asarray(offered, dtype=float)
    bad_calls = ~np.isfinite(calls) | (calls < 0) | (calls > MAX_OFFERED)
    if np.any(bad_calls):
        row = int(np.flatnonzero(bad_calls)[0])
        raise ValueError(
            f"row {row + first_row}: offered must be a number >= 0 and at most"
            f" {MAX_OFFERED:g} per interval, got {float(calls[row]):g}"
        )
    days = np.array([(s.date() - _EPOCH).days for s in starts])
    tod = np.array([s.hour * 60 + s.minute for s in starts])
    if any(s.second or s.microsecond for s in starts) or np.any(tod % data_minutes):
        bad = next(
            i for i, s in enumerate(starts) if s.second or s.microsecond or (tod[i] % data_minutes)
        )
        raise ValueError(
            f"row {bad + first_row}: start {starts[bad].isoformat()} is not on a grid of"
            f" {data_minutes} minutes from midnight"
        )
    if coverage is None:
        first, last = int(days.min()), int(days.max())
        _check_span(first, last)
        _check_gaps(days)
        _check_years(starts, first_row)
        coverage_start = min(starts)
        coverage_end = max(starts) + timedelta(minutes=data_minutes)
    else:
        coverage_start, coverage_end, first, last = _window(coverage, starts, days, first_row)
    n_days = last - first + 1
    slots = MINUTES_PER_DAY // minutes
    grid = np.zeros((n_days, slots))
    idx_day, idx_slot = days - first, tod // minutes
    np.add.at(grid, (idx_day, idx_slot), calls)
    aht_grid = None
    if aht_seconds is not None:
        aht_grid = _aht_grid(
            np.asarray(aht_seconds, dtype=float), calls, grid, idx_day, idx_slot, first_row
        )
    first_day = _EPOCH + timedelta(days=first)
    if coverage is None:
        keep = _complete_days(grid, first_day, minutes, coverage_start, coverage_end)
    else:
        keep = np.ones(n_days, dtype=bool)
    partial = tuple(first_day + timedelta(days=i) for i in range(n_days) if not keep[i])
    lo, hi = int(np.argmax(keep)), n_days - int(np.argmax(keep[::-1]))
    grid = grid[lo:hi]
    aht_grid = None if aht_grid is None else aht_grid[lo:hi]
    first_day += timedelta(days=lo)
    if coverage is None and keep[-1]:
        extra = _closed_tail_days(grid, first_day)
        if extra:
            grid = np.vstack([grid, np.zeros((extra, slots))])
            if aht_grid is not None:
                aht_grid = np.vstack([aht_grid, np.full((extra, slots), np.nan)])
            end = first_day + timedelta(days=len(grid))
            coverage_end = datetime(end.year, end.month, end.day)
    return IntervalHistory(
        first_day,
        minutes,
        grid,
        aht_grid,
        form or TimestampForm(),
        partial_days=partial,
        coverage_end=coverage_end,
    )


def _aht_grid(
    aht: FloatArray,
    calls: FloatArray,
    grid: FloatArray,
    idx_day: np.ndarray,
    idx_slot: np.ndarray,
    first_row: int,
) -> FloatArray:
    """Call-weighted AHT per grid cell (NaN where no answered call has a known AHT)."""
    absurd = np.isfinite(aht) & (aht > MAX_AHT_SECONDS) | np.isinf(aht)
    if np.any(absurd):
        row = int(np.flatnonzero(absurd)[0])
        raise ValueError(
            f"row {row + first_row}: aht_seconds must be at most {MAX_AHT_SECONDS:g},"
            f" got {float(aht[row]):g}"
        )
    known = np.isfinite(aht) & (aht > 0) & (calls > 0)
    work = np.zeros_like(grid)
    weight = np.zeros_like(grid)
    np.add.at(work, (idx_day[known], idx_slot[known]), aht[known] * calls[known])
    np.add.at(weight, (idx_day[known], idx_slot[known]), calls[known])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(
            np.where(weight > 0, work / np.where(weight > 0, weight, 1), np.nan), dtype=float
        )


def _check_years(starts: Sequence[datetime], first_row: int) -> None:
    """ValueError naming the first row whose start is outside MIN_YEAR..MAX_YEAR."""
    for i, start in enumerate(starts):
        if not MIN_YEAR <= start.year <= MAX_YEAR:
            raise ValueError(
                f"row {i + first_row}: start {start.isoformat()} must be in the years"
                f" {MIN_YEAR} to {MAX_YEAR} (a mistyped year?)"
            )


def _check_span(first: int, last: int) -> None:
    """ValueError when the rows span more than :data:`MAX_HISTORY_DAYS` days."""
    n_days = last - first + 1
    if n_days > MAX_HISTORY_DAYS:
        a, b = (_EPOCH + timedelta(days=d) for d in (first, last))
        raise ValueError(
            f"history spans {n_days:,} days ({a} to {b}); at most {MAX_HISTORY_DAYS} days"
            " (five years) are accepted: check the dates (a mistyped year?) or keep the recent"
            " years"
        )


def _check_gaps(days: np.ndarray) -> None:
    """ValueError naming the first run of more than :data:`MAX_GAP_DAYS` days without a row."""
    present = np.unique(days)
    gaps = np.diff(present) - 1
    long = np.flatnonzero(gaps > MAX_GAP_DAYS)
    if long.size:
        i = int(long[0])
        a = _EPOCH + timedelta(days=int(present[i]) + 1)
        b = _EPOCH + timedelta(days=int(present[i + 1]) - 1)
        raise ValueError(
            f"history has no rows from {a} to {b} ({int(gaps[i])} days): a gap of more than"
            f" {MAX_GAP_DAYS} days is missing data, not closed days; check the dates or keep"
            " only the rows after the gap"
        )


def _window(
    coverage: tuple[datetime, datetime],
    starts: Sequence[datetime],
    days: np.ndarray,
    first_row: int,
) -> tuple[datetime, datetime, int, int]:
    """Coverage bounds and first/last grid day (days since 1970) of a known window."""
    since, until = coverage
    if not since < until:
        raise ValueError(f"coverage must start before it ends, got {since} to {until}")
    outside = [i for i, s in enumerate(starts) if not since <= s < until]
    if outside:
        i = outside[0]
        raise ValueError(
            f"row {i + first_row}: start {starts[i].isoformat()} is outside the coverage"
            f" {since.isoformat()} to {until.isoformat()}"
        )
    first = (since.date() - _EPOCH).days
    last = ((until - timedelta(microseconds=1)).date() - _EPOCH).days
    _check_span(first, last)
    if int(days.min()) - first >= LEADING_EMPTY_DAYS:
        first = int(days.min())
        day = _EPOCH + timedelta(days=first)
        since = datetime(day.year, day.month, day.day)
    return since, until, first, last


class RowError(ValueError):
    """A ValueError about one input row: ``index`` is its 0-based position in the input, so
    that an adapter can name it (a CSV line, a JSON array element)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def check_same_form(starts: Sequence[datetime], labels: Sequence[str] | None = None) -> None:
    """:class:`RowError` at the first start whose form (naive, or with a UTC offset) differs
    from the first one's: mixed forms have no common clock to compare them on. ``labels``
    (the starts as written) are quoted in the message, else ISO forms."""
    aware = [s.tzinfo is not None and s.utcoffset() is not None for s in starts]
    for i, a in enumerate(aware):
        if a != aware[0]:
            this, first = ("has no", "has one") if aware[0] else ("has a", "has none")
            text = labels[i] if labels is not None else starts[i].isoformat()
            raise RowError(
                i,
                f"start {text} {this} UTC offset but the first start {first}:"
                " the timestamps mix naive and offset forms",
            )


def interval_spacing_seconds(
    starts: Sequence[datetime], labels: Sequence[str] | None = None
) -> float | None:
    """The interval length of a sequence of interval starts, in seconds (None for one start).

    The spacing is the most common positive gap between consecutive starts in time order
    (the smallest of equally common ones); it must divide the day and every gap must be a
    whole multiple of it (closed intervals may be absent). Starts must all be naive or all
    carry an offset (naive ones are compared as wall-clock times read as UTC, so that a
    daylight-saving change cannot bend a gap). Errors are :class:`RowError` naming the start
    (quoted from ``labels``, the starts as written, when given).
    """
    check_same_form(starts, labels)
    text = list(labels) if labels is not None else [s.isoformat() for s in starts]
    stamps = [_instant(s) for s in starts]
    order = sorted(range(len(stamps)), key=stamps.__getitem__)
    seen: dict[float, int] = {}
    for i in order:
        if stamps[i] in seen:
            raise RowError(i, f"duplicate start {text[i]} (same instant as another start)")
        seen[stamps[i]] = i
    gaps = [stamps[b] - stamps[a] for a, b in pairwise(order)]
    if not gaps:
        return None
    counts: dict[float, int] = {}
    for gap in gaps:
        counts[gap] = counts.get(gap, 0) + 1
    spacing = min(counts, key=lambda g: (-counts[g], g))
    if spacing != round(spacing) or SECONDS_PER_DAY % round(spacing):
        raise RowError(
            order[gaps.index(spacing) + 1],
            f"starts are {spacing / 60:g} minutes apart, which does not divide the day"
            " (1440 minutes); the interval must be e.g. 5, 10, 15, 30 or 60 minutes",
        )
    for k, gap in enumerate(gaps):
        if gap % spacing:
            i = order[k + 1]
            raise RowError(
                i,
                f"start {text[i]} is off the {spacing / 60:g}-minute grid of the other starts",
            )
    return float(spacing)


def _instant(start: datetime) -> float:
    """Seconds of a start; naive ones read as UTC (wall-clock gaps, see above)."""
    return (start if start.tzinfo else start.replace(tzinfo=UTC)).timestamp()


def check_unique_starts(starts: Sequence[datetime], first_row: int = 1) -> None:
    """Raise ValueError naming the first row whose start repeats an earlier row's."""
    seen: dict[datetime, int] = {}
    for i, start in enumerate(starts):
        if start in seen:
            raise ValueError(
                f"row {i + first_row}: duplicate start {start.isoformat()} (same as row"
                f" {seen[start] + first_row}); remove the repeated rows (overlapping exports?)"
            )
        seen[start] = i


def _complete_days(
    grid: FloatArray,
    first_day: date,
    minutes: int,
    coverage_start: datetime,
    coverage_end: datetime,
) -> np.ndarray:
    """Which days of the grid were observed whole (the first/last may not be).

    The first day is observed from ``coverage_start``, the last until ``coverage_end``; days
    in between are observed whole (absent rows there are intervals without calls). An end
    day is partial when its unobserved intervals would very likely have had calls
    (:func:`_cut_inside`). A history of a single day is kept as it is.
    """
    n_days, slots = grid.shape
    keep = np.ones(n_days, dtype=bool)
    if n_days < 2:
        return keep
    slot_start = np.arange(slots) * minutes
    ends = [
        (0, slot_start < coverage_start.hour * 60 + coverage_start.minute),
        (n_days - 1, _unobserved_after(slot_start, minutes, first_day, n_days, coverage_end)),
    ]
    for i, unobserved in ends:
        if not unobserved.any():
            continue
        others = np.array([j for j in range(n_days) if j != i and keep[j]])
        same = others[(others - i) % 7 == 0] if len(others) else others
        reference = grid[same if len(same) else others]
        if len(reference) and _cut_inside(reference, grid[i], unobserved):
            keep[i] = False
    if not keep.any():  # two partial days and nothing else: keep what there is
        keep[:] = True
    return keep


def _cut_inside(reference: FloatArray, day: FloatArray, unobserved: np.ndarray) -> bool:
    """Whether ``day`` is cut off: its ``unobserved`` intervals hold more than
    :data:`PARTIAL_DAY_SHARE` of the reference days' calls and, scaled to the day's observed
    calls (plus one call each, so that a quiet observed part neither vanishes nor explodes),
    more calls than a whole day could plausibly show none of (``e**-m <`` :data:`PARTIAL_DAY_P`).
    """
    missing = float(reference[:, unobserved].sum(axis=1).mean())
    total = float(reference.sum(axis=1).mean())
    if total <= 0 or missing <= PARTIAL_DAY_SHARE * total:
        return False
    seen = float(day[~unobserved].sum())
    expected = missing * (seen + 1.0) / (total - missing + 1.0)
    return expected > -math.log(PARTIAL_DAY_P)


def _closed_tail_days(grid: FloatArray, first_day: date) -> int:
    """Days after the grid's last day whose weekday is closed (at most
    :data:`MAX_CLOSED_TAIL_DAYS`): closed days the file had no rows for (module docstring)."""
    if not grid.any():
        return 0
    totals = grid.sum(axis=1)
    weekday = (first_day.weekday() + np.arange(len(grid))) % 7
    open_weekdays = set(weekday[totals > 0].tolist())
    closed = set(weekday.tolist()) - open_weekdays
    if open_weekdays >= {0, 1, 2, 3, 4}:
        closed |= {5, 6} - set(weekday.tolist())  # the weekend of a Monday-to-Friday week
    last = int(weekday[-1])
    extra = 0
    while extra < MAX_CLOSED_TAIL_DAYS and (last + extra + 1) % 7 in closed:
        extra += 1
    return extra


def _unobserved_after(
    slot_start: np.ndarray, minutes: int, first_day: date, n_days: int, coverage_end: datetime
) -> np.ndarray:
    """Slots of the last day that end after ``coverage_end`` (not, or not fully, observed)."""
    last = first_day + timedelta(days=n_days - 1)
    midnight = datetime(last.year, last.month, last.day)
    end_minute = (coverage_end - midnight).total_seconds() / 60.0
    return np.asarray(slot_start + minutes > end_minute + 1e-9)


def _local_starts(
    parsed: Sequence[datetime], zone: tzinfo, first_row: int
) -> tuple[list[datetime], tzinfo | None]:
    """Naive local times of the parsed starts, and the zone forecasts should be written in.

    Aware starts are converted to ``zone``. Output zone: None for naive input; ``zone`` when
    every offset is the local zone's at that instant; else the one fixed offset of the input
    (or ``zone`` if the offsets differ). Mixing naive and aware starts is an error.
    """
    aware = [p.tzinfo is not None and p.utcoffset() is not None for p in parsed]
    if not any(aware):
        return list(parsed), None
    if not all(aware):
        i = aware.index(not aware[0])
        raise ValueError(
            f"row {i + first_row}: start {parsed[i].isoformat()} mixes timestamps with and"
            " without a UTC offset"
        )
    local = [p.astimezone(zone) for p in parsed]
    if all(p.utcoffset() == q.utcoffset() for p, q in zip(parsed, local, strict=True)):
        out: tzinfo = zone
    else:
        offsets = {p.utcoffset() for p in parsed}
        only = next(iter(offsets))
        out = timezone(only) if len(offsets) == 1 and only is not None else zone
    return [q.replace(tzinfo=None) for q in local], out


def read_history_csv(
    source: str | Path | io.TextIOBase | Iterable[str],
    interval_minutes: int | None = None,
    time_zone: str | tzinfo | None = None,
) -> IntervalHistory:
    """Read ``start,offered[,aht_seconds]`` CSV (header required) into an IntervalHistory.

    ``source`` is a path or an open text file. Errors name the row (the header is row 1)
    and the column. Empty ``aht_seconds`` cells mean unknown. ``time_zone`` (IANA name or
    tzinfo, default :data:`DEFAULT_TIME_ZONE`) is the center's local zone, into which
    timestamps with an offset are converted; naive timestamps are local already.
    """
    zone = resolve_time_zone(time_zone)
    if isinstance(source, (str, Path)):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            return read_history_csv(handle, interval_minutes, zone)
    reader = csv.reader(source)
    header = next(reader, None)
    if header is None:
        raise ValueError("history CSV is empty (expected a header start,offered[,aht_seconds])")
    names = [h.strip().lower() for h in header]
    for column in ("start", "offered"):
        if column not in names:
            raise ValueError(
                f"history CSV is missing the column {column!r} (header: {','.join(header)})"
            )
    i_start, i_off = names.index("start"), names.index("offered")
    i_aht = names.index("aht_seconds") if "aht_seconds" in names else None
    parsed: list[datetime] = []
    rows: list[int] = []
    offered: list[float] = []
    aht: list[float] = []
    form: TimestampForm | None = None
    for row_number, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) <= max(i_start, i_off):
            raise ValueError(f"row {row_number}: too few columns")
        try:
            start = parse_timestamp(row[i_start])
        except ValueError:
            raise ValueError(
                f"row {row_number}: unparsable timestamp in start: {row[i_start]!r}"
            ) from None
        if form is None:
            form = timestamp_form(row[i_start], start)
        parsed.append(start)
        rows.append(row_number)
        try:
            offered.append(float(row[i_off]))
        except ValueError:
            raise ValueError(f"row {row_number}: offered is not a number: {row[i_off]!r}") from None
        if i_aht is not None:
            cell = row[i_aht].strip() if len(row) > i_aht else ""
            try:
                aht.append(float(cell) if cell else float("nan"))
            except ValueError:
                raise ValueError(
                    f"row {row_number}: aht_seconds is not a number: {cell!r}"
                ) from None
    if not parsed or form is None:
        raise ValueError("history CSV has no data rows")
    _check_rows(parsed, rows)
    starts, out_zone = _local_starts(parsed, zone, 2)
    form = _replace(form, tz=out_zone, zone=zone if out_zone is not None else None)
    return _with_rows(
        starts, offered, aht if i_aht is not None else None, interval_minutes, form, rows
    )


def _check_rows(parsed: Sequence[datetime], rows: Sequence[int]) -> None:
    """Duplicates (as instants, or wall times when naive) named by their CSV row."""
    seen: dict[datetime, int] = {}
    for start, row in zip(parsed, rows, strict=True):
        if start in seen:
            raise ValueError(
                f"row {row}: duplicate start {start.isoformat()} (same as row {seen[start]});"
                " remove the repeated rows (overlapping exports?)"
            )
        seen[start] = row


def _with_rows(
    starts: list[datetime],
    offered: list[float],
    aht: list[float] | None,
    interval_minutes: int | None,
    form: TimestampForm,
    rows: Sequence[int],
) -> IntervalHistory:
    """:func:`from_records`, with errors naming the CSV row rather than the record index."""
    try:
        return from_records(
            starts, offered, aht, interval_minutes, form, first_row=0, check_duplicates=False
        )
    except ValueError as exc:
        text = str(exc)
        if text.startswith("row "):
            index, _, rest = text[4:].partition(":")
            if index.isdigit() and int(index) < len(rows):
                raise ValueError(f"row {rows[int(index)]}:{rest}") from None
        raise


def synthetic_history(
    rng: np.random.Generator,
    first_day: date,
    days: int,
    interval_minutes: int = 30,
    daily_calls: float = 2000.0,
    weekday_factors: Sequence[float] = (1.25, 1.05, 1.0, 0.95, 1.05, 0.45, 0.0),
    open_minutes: tuple[int, int] = (9 * 60, 18 * 60),
    day_factors: dict[date, float] | None = None,
    aht_seconds: float | None = 180.0,
    growth_per_week: float = 0.0,
) -> IntervalHistory:
    """A Poisson history with a weekly pattern and a two-peak intraday profile (demo data).

    Calls in interval ``s`` of day ``d``: Poisson with mean ``daily_calls × weekday_factors[wd]
    × day_factors.get(d, 1) × (1 + growth_per_week)^(d/7) × profile[s]``, the profile a
    mixture of two normal bumps (late morning, early afternoon) over the open minutes.
    Handle times: gamma-distributed around ``aht_seconds`` per interval.
    """
    minutes = check_interval_minutes(interval_minutes)
    slots = MINUTES_PER_DAY // minutes
    mid = (np.arange(slots) + 0.5) * minutes
    is_open = (mid >= open_minutes[0]) & (mid < open_minutes[1])
    span = max(open_minutes[1] - open_minutes[0], minutes)
    a, b = open_minutes[0] + 0.25 * span, open_minutes[0] + 0.6 * span
    shape = (
        np.exp(-0.5 * ((mid - a) / (0.15 * span)) ** 2)
        + 0.8 * np.exp(-0.5 * ((mid - b) / (0.2 * span)) ** 2)
        + 0.15
    ) * is_open
    profile = shape / shape.sum()
    day_factors = day_factors or {}
    offered = np.zeros((days, slots))
    for i in range(days):
        d = first_day + timedelta(days=i)
        mean = daily_calls * weekday_factors[d.weekday()] * day_factors.get(d, 1.0)
        mean *= (1 + growth_per_week) ** (i / 7)
        offered[i] = rng.poisson(mean * profile)
    aht = None
    if aht_seconds is not None:
        aht = np.where(offered > 0, rng.gamma(20.0, aht_seconds / 20.0, offered.shape), np.nan)
    return IntervalHistory(first_day, minutes, offered.astype(float), aht)
