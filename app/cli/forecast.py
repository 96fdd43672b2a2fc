"""`contactops forecast`: interval forecasts from a history CSV, and their backtest.

Two forms (the first word after "forecast" decides which):

    contactops forecast HISTORY.csv --interval-minutes M --start YYYY-MM-DD --days D --out FORECAST.csv
    contactops forecast backtest HISTORY.csv [--interval-minutes M] [--horizon-days D] [--origins K]

The forecast CSV has start,offered,offered_low,offered_high[,aht_seconds] for every
interval of the days asked for (closed ones 0), timestamps in the input's form. When
--start falls inside the history, only the days before it are used (a forecast "as of"
that day). offered_low and offered_high bound an 80 % prediction interval.

The method is chosen by a backtest over the last eight weeks of the history, at the
horizon you ask for (--days, up to 28): each candidate forecasts days it has not seen and
the one with the smallest error (WAPE) wins. The backtest table compares every method
with HA-4w, the mean of the same weekday and interval over the last four ordinary weeks.

Days, opening hours and holidays are the center's local ones: timestamps with a UTC offset
(or Z) are converted to --time-zone (default Asia/Seoul); naive timestamps are local
already. Pick the holiday calendar of the center's country with --country (KR for Korea,
IL for Israel, ...). Output timestamps carry each instant's own offset (daylight saving
included); input with one fixed offset that is not the local zone's (e.g. Z) is written in
that offset. A local time skipped by daylight saving is left out; a repeated one is written
twice (once per offset). A history that stops (or starts) partway through a day leaves that
day out: its unobserved intervals are unknown, not closed (a note says so). A file ending
on the last open day of its week keeps the closed days after it (a Monday-to-Friday week
is seven days). By default the forecast starts the day after the last observed day. A week
of history is the least that can be forecast (shorter is refused when the file is read);
methods needing more are skipped by the backtest with a note. Histories spanning more than
five years, or with more than four weeks without a row, are refused with a one-line error.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date, timedelta
from pathlib import Path

from app.cli import CliError
from app.wfm_history import one_blas_thread


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "forecast",
        help="forecast calls per interval from a history CSV (or: forecast backtest HISTORY.csv)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target", metavar="HISTORY.csv | backtest", help="history CSV, or 'backtest'"
    )
    parser.add_argument(
        "history", nargs="?", metavar="HISTORY.csv", help="history CSV (with 'backtest')"
    )
    parser.add_argument(
        "--interval-minutes",
        type=int,
        default=None,
        help="interval length, 5-60 dividing the day (default: the history's)",
    )
    parser.add_argument(
        "--start",
        default=None,
        help="first day to forecast, YYYY-MM-DD (default: day after history)",
    )
    parser.add_argument(
        "--days", type=int, default=7, help="days to forecast, 1 to 366 (default 7)"
    )
    parser.add_argument("--out", default=None, help="output CSV (default: standard output)")
    parser.add_argument(
        "--horizon-days",
        type=int,
        default=None,
        help="days ahead each backtest forecast covers, 1 to 366 (default: --days up to 28 when"
        " forecasting, 7 for 'backtest')",
    )
    parser.add_argument(
        "--origins",
        type=int,
        default=None,
        help="how many past days the backtest forecasts from, 1 to 52 (default: enough to"
        " cover eight weeks)",
    )
    parser.add_argument(
        "--country",
        default="KR",
        help="public holidays of this country, ISO code (KR Korea, IL Israel, ...) or 'none'"
        " (default KR)",
    )
    parser.add_argument(
        "--method",
        default=None,
        help="use this method instead of the backtest's choice (seasonal_naive, ha_4w,"
        " weekday_mean, factor, profile, ets, sarima, combination)",
    )
    parser.add_argument(
        "--time-zone",
        default=None,
        help="the center's local time zone, IANA name (default Asia/Seoul); used for"
        " timestamps with an offset or Z; naive timestamps are taken as local",
    )
    parser.set_defaults(func=run)


def _load(  # type: ignore[no-untyped-def]
    path_text: str | None, interval_minutes: int | None, time_zone: str | None = None
):
    from wfm.history import read_history_csv, resolve_time_zone

    if not path_text:
        raise CliError("a history CSV is required")
    try:
        zone = resolve_time_zone(time_zone)
    except ValueError as exc:
        raise CliError(f"--time-zone: {exc}") from None
    path = Path(path_text)
    if not path.is_file():
        raise CliError(f"history file not found: {path}")
    try:
        history = read_history_csv(path, interval_minutes, zone)
    except UnicodeDecodeError:
        raise CliError(f"{path}: not a UTF-8 text CSV") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from None
    for day in history.partial_days:
        print(
            f"note: {path}: {day} is only partly observed; left out of the history",
            file=sys.stderr,
        )
    from wfm.forecast import check_forecastable

    try:
        check_forecastable(history)
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from None
    return history


MAX_AUTO_HORIZON_DAYS = 28  # --days beyond four weeks is backtested four weeks ahead


def _spec(args: argparse.Namespace, horizon_days: int):  # type: ignore[no-untyped-def]
    from wfm.forecast import ForecastSpec

    country = None if str(args.country).lower() in ("", "none") else args.country
    try:
        return ForecastSpec(
            interval_minutes=args.interval_minutes,
            horizon_days=args.horizon_days or horizon_days,
            origins=args.origins,
            country=country,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    if args.interval_minutes is not None:
        from wfm.history import check_interval_minutes

        try:
            check_interval_minutes(args.interval_minutes)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    if args.target == "backtest":
        return _backtest(args)
    if args.history is not None:
        raise CliError(f"unexpected argument {args.history!r} (did you mean 'forecast backtest'?)")
    return _forecast(args)


def _backtest(args: argparse.Namespace) -> int:
    from wfm.forecast import run_backtest

    spec = _spec(args, 7)
    history = _load(args.history, args.interval_minutes, args.time_zone)
    if history.n_days < spec.min_history_days + 1:
        raise CliError(
            f"too little history for a backtest: {history.n_days} days"
            f" (need more than {spec.min_history_days})"
        )
    with one_blas_thread():
        result = run_backtest(spec, history)
    if result is None:
        raise CliError("too little history for a backtest")
    print(
        f"history {history.first_day} to {history.last_day},"
        f" {history.interval_minutes}-minute intervals"
    )
    print(result.table())
    return 0


def _forecast(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= 366:
        raise CliError(f"--days must be from 1 to 366, got {args.days}")
    spec = _spec(args, min(args.days, MAX_AUTO_HORIZON_DAYS))
    if args.out and not Path(args.out).resolve().parent.is_dir():
        raise CliError(f"cannot write {args.out}: No such file or directory")
    history = _load(args.target, args.interval_minutes, args.time_zone)
    if args.start is None:
        start = history.observed_last_day + timedelta(days=1)
    else:
        try:
            start = date.fromisoformat(args.start)
        except ValueError:
            raise CliError(f"--start must be a date YYYY-MM-DD, got {args.start!r}") from None
    try:
        if start <= history.last_day:
            history = history.until(start)
        with one_blas_thread():
            fitted = spec.fit(history)
        result = fitted.forecast(start, args.days, method=args.method)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    rows = result.output_rows()
    columns = ["start", "offered", "offered_low", "offered_high"]
    if result.aht_seconds is not None:
        columns.append("aht_seconds")
    if args.out:
        try:
            with open(args.out, "w", newline="", encoding="utf-8") as handle:
                _write(handle, columns, rows)
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(
            f"wrote {len(rows)} intervals ({args.days} days, method {result.method}) to {args.out}",
            file=sys.stderr,
        )
    else:
        _write(sys.stdout, columns, rows)
    return 0


def _write(handle, columns: list[str], rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
