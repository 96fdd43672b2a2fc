"""Interval history: reading, checking and regularising calls offered per interval.

A contact center's history is a table ``start, offered[, aht_seconds]`` with one row per
interval (closed intervals may be absent). :class:`IntervalHistory` puts it on a regular
grid of whole days, ``offered[day, slot]``, with absent intervals counted as 0 calls, which
is what "closed intervals may be absent" means. Rows finer than the requested interval are
summed (AHT weighted by calls); rows that are not on the grid are an error.

Timestamps are ISO 8601 (``2024-03-04T09:00:00``, ``2024-03-04 09:00``, optionally with a
UTC offset). Days run from midnight to midnight in the wall-clock time of the input; the
form of the input (separator, seconds, offset) is remembered so that forecasts can be
written back in the same form (:meth:`IntervalHistory.format_start`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np
import numpy.typing as npt

MINUTES_PER_DAY = 24 * 60
FloatArray = npt.NDArray[np.float64]


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
    tz: tzinfo | None = None
    zulu: bool = False  # UTC written as "Z" rather than "+00:00"

    def format(self, start: datetime) -> str:
        text = start.isoformat(sep=self.sep, timespec=self.timespec)
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
    """

    first_day: date
    interval_minutes: int
    offered: FloatArray
    aht_seconds: FloatArray | None = None
    form: TimestampForm = field(default_factory=TimestampForm)

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
        return IntervalHistory(
            self.first_day, self.interval_minutes, self.offered[:n], aht, self.form
        )

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
        return IntervalHistory(self.first_day, minutes, offered, aht, self.form)

    def interval_starts(self, day: date) -> list[datetime]:
        """Wall-clock start of every interval of ``day`` (with the input's time zone)."""
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.form.tz)
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
) -> IntervalHistory:
    """Build an :class:`IntervalHistory` from rows; rows finer than the interval are summed.

    ``interval_minutes=None`` infers the interval from the times of day present (the largest
    allowed length dividing every gap). AHT of an aggregated interval is the call-weighted
    mean of its rows' AHT (rows without AHT do not count).
    """
    if len(starts) == 0:
        raise ValueError("history is empty: no rows")
    if len(offered) != len(starts) or (aht_seconds is not None and len(aht_seconds) != len(starts)):
        raise ValueError("starts, offered and aht_seconds must have the same length")
    data_minutes = _infer_interval(starts)
    minutes = data_minutes if interval_minutes is None else check_interval_minutes(interval_minutes)
    if minutes % data_minutes:
        raise ValueError(
            f"interval_minutes must be a multiple of the data's interval ({data_minutes} minutes),"
            f" got {minutes}"
        )
    calls = np.asarray(offered, dtype=float)
    if np.any(~np.isfinite(calls)) or np.any(calls < 0):
        row = int(np.flatnonzero(~np.isfinite(calls) | (calls < 0))[0]) + first_row
        raise ValueError(f"row {row}: offered must be a number >= 0")
    days = np.array([(s.date() - date(1970, 1, 1)).days for s in starts])
    tod = np.array([s.hour * 60 + s.minute for s in starts])
    if any(s.second or s.microsecond for s in starts) or np.any(tod % data_minutes):
        bad = next(
            i for i, s in enumerate(starts) if s.second or s.microsecond or (tod[i] % data_minutes)
        )
        raise ValueError(
            f"row {bad + first_row}: start {starts[bad].isoformat()} is not on a grid of"
            f" {data_minutes} minutes from midnight"
        )
    first = int(days.min())
    n_days = int(days.max()) - first + 1
    slots = MINUTES_PER_DAY // minutes
    grid = np.zeros((n_days, slots))
    idx_day, idx_slot = days - first, tod // minutes
    np.add.at(grid, (idx_day, idx_slot), calls)
    aht_grid = None
    if aht_seconds is not None:
        aht = np.asarray(aht_seconds, dtype=float)
        known = np.isfinite(aht) & (aht > 0) & (calls > 0)
        work = np.zeros_like(grid)
        weight = np.zeros_like(grid)
        np.add.at(work, (idx_day[known], idx_slot[known]), aht[known] * calls[known])
        np.add.at(weight, (idx_day[known], idx_slot[known]), calls[known])
        with np.errstate(invalid="ignore", divide="ignore"):
            aht_grid = np.where(weight > 0, work / np.where(weight > 0, weight, 1), np.nan)
    first_day = date(1970, 1, 1) + timedelta(days=first)
    return IntervalHistory(first_day, minutes, grid, aht_grid, form or TimestampForm())


def read_history_csv(
    source: str | Path | io.TextIOBase | Iterable[str], interval_minutes: int | None = None
) -> IntervalHistory:
    """Read ``start,offered[,aht_seconds]`` CSV (header required) into an IntervalHistory.

    ``source`` is a path or an open text file. Errors name the row (the header is row 1)
    and the column. Empty ``aht_seconds`` cells mean unknown.
    """
    if isinstance(source, (str, Path)):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            return read_history_csv(handle, interval_minutes)
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
    starts: list[datetime] = []
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
        starts.append(start.replace(tzinfo=None))
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
    if not starts:
        raise ValueError("history CSV has no data rows")
    return from_records(
        starts, offered, aht if i_aht is not None else None, interval_minutes, form, first_row=2
    )


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
