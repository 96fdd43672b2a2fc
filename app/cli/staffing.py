"""`contactops staffing FORECAST.csv ... --out REQUIRED.csv`: required agents per interval.

Reads a forecast (``start,offered,offered_low,offered_high[,aht_seconds]``), staffs every
interval with Erlang C (or Erlang A when ``--patience`` is given) through
:func:`wfm.staffing.staff_intervals`, and writes
``start,offered,aht_seconds,agents,scheduled_agents,service_level,asa_seconds,occupancy``
(plus ``p_abandon`` under Erlang A). The interval length is inferred from the smallest gap
between consecutive starts unless ``--interval-minutes`` is given.
"""

from __future__ import annotations

import argparse
import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np

from app.cli import CliError
from wfm.staffing import StaffingPlan, staff_intervals

REQUIRED_COLUMNS = ("start", "offered")


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
    aht_seconds: np.ndarray


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    forecast = read_forecast(args.forecast, args.aht)
    interval_seconds = (
        args.interval_minutes * 60.0
        if args.interval_minutes is not None
        else _infer_interval_seconds(forecast.times)
    )
    plan = staff_intervals(
        forecast.offered,
        interval_seconds,
        forecast.aht_seconds,
        service_level_target=args.service_level,
        threshold_seconds=args.threshold,
        asa_target_seconds=args.asa_target,
        abandon_target=args.abandon_target,
        patience_mean_seconds=args.patience,
        max_occupancy=args.max_occupancy,
        shrinkage=args.shrinkage,
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
    """Parse ``start,offered,...[,aht_seconds]``; errors name the line and the column."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise CliError(
                f"{path}: missing column(s) {', '.join(missing)} (have: {', '.join(columns) or 'none'})"
            )
        has_aht = "aht_seconds" in columns
        if not has_aht and default_aht is None:
            raise CliError(
                f"{path}: no aht_seconds column; give the handle time with --aht SECONDS"
            )
        starts: list[str] = []
        times: list[datetime] = []
        offered: list[float] = []
        aht: list[float] = []
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            start = row.get("start", "")
            try:
                times.append(datetime.fromisoformat(start))
            except ValueError:
                raise CliError(
                    f"{path}: line {line}: column start: not an ISO timestamp: {start!r}"
                ) from None
            starts.append(start)
            offered.append(_number(path, line, "offered", row.get("offered", ""), zero_ok=True))
            if has_aht and row.get("aht_seconds", "") != "":
                aht.append(_number(path, line, "aht_seconds", row["aht_seconds"], zero_ok=False))
            elif default_aht is not None:
                aht.append(default_aht)
            else:
                raise CliError(
                    f"{path}: line {line}: column aht_seconds is empty and no --aht was given"
                )
    if not starts:
        raise CliError(f"{path}: no intervals (the file has a header but no rows)")
    return Forecast(starts, times, np.array(offered), np.array(aht))


def _number(path: Path, line: int, column: str, text: str, *, zero_ok: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CliError(f"{path}: line {line}: column {column}: not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        bound = ">= 0" if zero_ok else "> 0"
        raise CliError(f"{path}: line {line}: column {column} must be {bound}, got {text!r}")
    return value


def _infer_interval_seconds(times: list[datetime]) -> float:
    """Smallest positive gap between consecutive starts (closed intervals may be absent)."""
    # naive timestamps are read as UTC so that a daylight-saving change cannot bend a gap
    stamps = sorted((t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp() for t in times)
    gaps = [b - a for a, b in pairwise(stamps) if b > a]
    if not gaps:
        raise CliError(
            "cannot infer the interval from a single start time; give --interval-minutes"
        )
    return float(min(gaps))


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
        fh = path.open("w", newline="", encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    with fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for i, start in enumerate(forecast.starts):
            row = [
                start,
                _fmt(forecast.offered[i]),
                _fmt(forecast.aht_seconds[i]),
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
