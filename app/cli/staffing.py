"""`contactops staffing FORECAST.csv ... --out REQUIRED.csv`: required agents per interval.

Reads a forecast (``start,offered,offered_low,offered_high[,aht_seconds]``), staffs every
interval with Erlang C (or Erlang A when ``--patience`` is given) through
:func:`wfm.staffing.staff_intervals`, and writes
``start,offered,aht_seconds,agents,scheduled_agents,service_level,asa_seconds,occupancy``
(plus ``p_abandon`` under Erlang A). The interval length is the forecast's own spacing: the
most common gap between consecutive starts (closed intervals may be absent, so larger gaps
are allowed if they are whole multiples of it; :func:`wfm.history.interval_spacing_seconds`).
It must divide the day; every start must lie on that grid; a repeated start is an error, and
so is a file mixing naive starts with starts carrying a UTC offset. ``--interval-minutes`` is
needed only for a one-row forecast, and must agree with the spacing of the file when given.

An interval with 0 calls offered needs 0 agents whatever its handle time: its
``aht_seconds`` may be 0 or empty (a closed interval), and is written back as given.
"""

from __future__ import annotations

import argparse
import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from app.cli import CliError
from wfm.history import RowError, check_same_form, interval_spacing_seconds
from wfm.staffing import StaffingPlan, StaffingTargets, staff_intervals

REQUIRED_COLUMNS = ("start", "offered")
MAX_OFFERED = 1e7  # calls in one interval; more is a corrupt file
MAX_AHT_SECONDS = 86_400.0  # a handle time over a day is a corrupt value
MAX_INTERVALS = 100_000  # rows of one forecast: over 5 years of 30-minute intervals (README)
SECONDS_PER_DAY = 86_400


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "staffing",
        help="required agents per interval from a forecast (Erlang C / Erlang A)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("forecast", metavar="FORECAST.csv", type=Path)
    parser.add_argument(
        "--service-level",
        type=float,
        required=True,
        metavar="TARGET",
        help="share of calls answered within the threshold, e.g. 0.8",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        required=True,
        metavar="SECONDS",
        help="service-level threshold in seconds, e.g. 20",
    )
    parser.add_argument(
        "--patience",
        type=float,
        metavar="SECONDS",
        help="mean caller patience: use Erlang A (M/M/n+M) instead of Erlang C",
    )
    parser.add_argument(
        "--interval-minutes",
        type=float,
        metavar="M",
        help="interval length (default: inferred from the start column)",
    )
    parser.add_argument(
        "--aht",
        type=float,
        metavar="SECONDS",
        help="handle time when the forecast has no aht_seconds column",
    )
    parser.add_argument("--max-occupancy", type=float, default=1.0, metavar="X")
    parser.add_argument("--shrinkage", type=float, default=0.0, metavar="S")
    goal = parser.add_mutually_exclusive_group()
    goal.add_argument(
        "--asa-target",
        type=float,
        metavar="SECONDS",
        help="also require mean wait over all calls <= SECONDS",
    )
    goal.add_argument(
        "--abandon-target",
        type=float,
        metavar="P",
        help="also require P(abandon) <= P (needs --patience)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="REQUIRED.csv")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class Forecast:
    starts: list[str]
    times: list[datetime]
    offered: np.ndarray
    aht_seconds: np.ndarray  # NaN where a row without calls gave no handle time
    lines: list[int] | None = None  # CSV line of each row (header = line 1)
    aht_text: list[str] | None = None  # aht_seconds as written, for rows without calls


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    forecast = read_forecast(args.forecast, args.aht)
    interval_seconds = interval_seconds_of(forecast, args.interval_minutes, args.forecast)
    targets = StaffingTargets(
        service_level_target=args.service_level,
        threshold_seconds=args.threshold,
        asa_target_seconds=args.asa_target,
        abandon_target=args.abandon_target,
        max_occupancy=args.max_occupancy,
        shrinkage=args.shrinkage,
    )
    plan = staff_intervals(
        forecast.offered,
        interval_seconds,
        np.where(np.isfinite(forecast.aht_seconds), forecast.aht_seconds, 1.0),  # 0 calls
        targets=targets,
        patience_mean_seconds=args.patience,
    )
    write_required(args.out, forecast, plan)
    print(
        f"staffed {len(plan)} intervals of {interval_seconds / 60:g} min "
        f"({'Erlang A' if args.patience is not None else 'Erlang C'}); "
        f"peak {int(plan.agents.max()) if len(plan) else 0} agents -> {args.out}"
    )
    return 0


def _check_options(args: argparse.Namespace) -> None:
    def fraction(
        flag: str, value: float | None, *, zero_ok: bool = False, one_ok: bool = False
    ) -> None:
        if value is None:
            return
        lo = value >= 0 if zero_ok else value > 0
        hi = value <= 1 if one_ok else value < 1
        if not (math.isfinite(value) and lo and hi):
            raise CliError(f"{flag} must be a fraction between 0 and 1, got {value:g}")

    def positive(flag: str, value: float | None, *, zero_ok: bool = False) -> None:
        if value is None:
            return
        if not (math.isfinite(value) and (value >= 0 if zero_ok else value > 0)):
            raise CliError(f"{flag} must be {'>= 0' if zero_ok else '> 0'}, got {value:g}")

    fraction("--service-level", args.service_level)
    fraction("--max-occupancy", args.max_occupancy, one_ok=True)
    fraction("--shrinkage", args.shrinkage, zero_ok=True)
    fraction("--abandon-target", args.abandon_target)
    positive("--threshold", args.threshold, zero_ok=True)
    positive("--patience", args.patience)
    positive("--interval-minutes", args.interval_minutes)
    positive("--aht", args.aht)
    positive("--asa-target", args.asa_target)
    if args.abandon_target is not None and args.patience is None:
        raise CliError("--abandon-target needs --patience (abandonment is modelled by Erlang A)")


def read_forecast(path: Path, default_aht: float | None) -> Forecast:
    """Parse ``start,offered,...[,aht_seconds]``; errors name the file, line and column."""
    try:
        return _read_forecast(path, default_aht)
    except FileNotFoundError:
        raise CliError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not a UTF-8 text CSV") from None
    except csv.Error as exc:
        raise CliError(f"{path}: not a readable CSV ({exc})") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_forecast(path: Path, default_aht: float | None) -> Forecast:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise CliError(
                f"{path}: missing column(s) {', '.join(missing)} (have: {', '.join(columns) or 'none'})"
            )
        has_aht = "aht_seconds" in columns
        starts: list[str] = []
        times: list[datetime] = []
        offered: list[float] = []
        aht: list[float] = []
        aht_text: list[str] = []
        lines: list[int] = []
        seen: dict[float | datetime, int] = {}
        for line, raw in enumerate(reader, start=2):
            if line - 1 > MAX_INTERVALS:
                raise CliError(f"{path}: more than {MAX_INTERVALS:,} intervals; split the file")
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            start = row.get("start", "")
            try:
                times.append(datetime.fromisoformat(start))
            except ValueError:
                raise CliError(
                    f"{path}: line {line}: column start: not an ISO timestamp: {start!r}"
                ) from None
            lines.append(line)
            starts.append(start)
            _check_form(path, times, starts, lines)
            key = _instant(times[-1])
            if key in seen:
                raise CliError(
                    f"{path}: line {line}: duplicate start {start} (same instant as line"
                    f" {seen[key]}); each interval must appear once"
                )
            seen[key] = line
            calls = _number(
                path, line, "offered", row.get("offered", ""), zero_ok=True, top=MAX_OFFERED
            )
            offered.append(calls)
            cell = row.get("aht_seconds", "") if has_aht else ""
            aht_text.append(cell)
            aht.append(_handle_time(path, line, calls, cell, has_aht, default_aht))
    if not starts:
        raise CliError(f"{path}: no intervals (the file has a header but no rows)")
    return Forecast(starts, times, np.array(offered), np.array(aht), lines, aht_text)


def _check_form(path: Path, times: list[datetime], starts: list[str], lines: list[int]) -> None:
    """The newest start has the form (naive or with an offset) of the first one."""
    try:
        check_same_form([times[0], times[-1]], [starts[0], starts[-1]])
    except RowError as exc:
        raise CliError(f"{path}: line {lines[-1]}: {exc}") from None


def _handle_time(
    path: Path, line: int, calls: float, cell: str, has_aht: bool, default_aht: float | None
) -> float:
    """The row's AHT: its cell, else ``--aht``; NaN for a row without calls that has none
    (0 or empty: 0 calls need 0 agents whatever the handle time)."""
    if calls == 0:
        if cell == "":
            return default_aht if default_aht is not None else math.nan
        value = _number(path, line, "aht_seconds", cell, zero_ok=True, top=MAX_AHT_SECONDS)
        return value if value > 0 else (default_aht if default_aht is not None else math.nan)
    if cell != "":
        return _number(path, line, "aht_seconds", cell, zero_ok=False, top=MAX_AHT_SECONDS)
    if default_aht is not None:
        return default_aht
    if not has_aht:
        raise CliError(f"{path}: no aht_seconds column; give the handle time with --aht SECONDS")
    raise CliError(f"{path}: line {line}: column aht_seconds is empty and no --aht was given")


def _number(
    path: Path, line: int, column: str, text: str, *, zero_ok: bool, top: float = math.inf
) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CliError(f"{path}: line {line}: column {column}: not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        bound = ">= 0" if zero_ok else "> 0"
        raise CliError(f"{path}: line {line}: column {column} must be {bound}, got {text!r}")
    if value > top:
        raise CliError(
            f"{path}: line {line}: column {column} must be at most {top:g}, got {text!r}"
        )
    return value


def _instant(t: datetime) -> float:
    """Seconds of a start; naive timestamps are read as UTC, so that a daylight-saving
    change cannot bend a gap."""
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


def interval_seconds_of(
    forecast: Forecast, interval_minutes: float | None, path: Path | str = "forecast"
) -> float:
    """The forecast's interval length in seconds, checked against ``--interval-minutes``.

    The spacing is :func:`wfm.history.interval_spacing_seconds` (the most common gap between
    consecutive starts; every gap a whole multiple of it; dividing the day). One row:
    ``interval_minutes`` is needed.
    """
    given = None
    if interval_minutes is not None:
        given = float(interval_minutes) * 60.0
        if given != round(given) or SECONDS_PER_DAY % round(given):
            raise CliError(
                f"--interval-minutes must divide the day (1440 minutes), got {interval_minutes:g}"
            )
    lines = forecast.lines or list(range(2, len(forecast.times) + 2))
    try:
        spacing = interval_spacing_seconds(forecast.times, forecast.starts)
    except RowError as exc:
        raise CliError(f"{path}: line {lines[exc.index]}: {exc}") from None
    if spacing is None:
        if given is None:
            raise CliError(
                f"{path}: cannot infer the interval from a single start time;"
                " give --interval-minutes"
            )
        return given
    if given is not None and given != spacing:
        raise CliError(
            f"--interval-minutes {interval_minutes:g} disagrees with {path}, whose starts are"
            f" {spacing / 60:g} minutes apart (leave the option out to use the file's spacing)"
        )
    return spacing


def write_required(path: Path, forecast: Forecast, plan: StaffingPlan) -> None:
    columns = [
        "start",
        "offered",
        "aht_seconds",
        "agents",
        "scheduled_agents",
        "service_level",
        "asa_seconds",
        "occupancy",
    ]
    if plan.p_abandon is not None:
        columns.append("p_abandon")
    try:
        with path.open("w", newline="", encoding="utf-8") as fh:
            _write_rows(fh, columns, forecast, plan)
    except OSError as exc:  # cannot open, disk full (/dev/full), ...: one line
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_rows(fh: Any, columns: list[str], forecast: Forecast, plan: StaffingPlan) -> None:
    writer = csv.writer(fh)
    writer.writerow(columns)
    for i, start in enumerate(forecast.starts):
        aht = forecast.aht_seconds[i]
        given = forecast.aht_text[i] if forecast.aht_text is not None else ""
        row = [
            start,
            _fmt(forecast.offered[i]),
            _fmt(aht) if np.isfinite(aht) and (forecast.offered[i] > 0 or not given) else given,
            int(plan.agents[i]),
            int(plan.scheduled_agents[i]),
            f"{plan.service_level[i]:.6f}",
            f"{plan.asa_seconds[i]:.3f}",
            f"{plan.occupancy[i]:.6f}",
        ]
        if plan.p_abandon is not None:
            row.append(f"{plan.p_abandon[i]:.6f}")
        writer.writerow(row)


def _fmt(x: float) -> str:
    return f"{x:.10g}"
