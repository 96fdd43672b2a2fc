"""`contactops forecast` and `contactops forecast backtest` end to end (in process)."""

from __future__ import annotations

import csv
import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.cli import main
from wfm.history import synthetic_history

ROOT = Path(__file__).resolve().parents[2]


def _bank_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "anonymous_bank_intervals", ROOT / "benchmarks" / "anonymous_bank_intervals.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bank_csv(anonymous_bank_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bank") / "bank_30.csv"
    with open(out, "w", newline="") as handle:
        _bank_module().convert(anonymous_bank_path, 30, handle)
    return out


@pytest.fixture(scope="module")
def around_the_clock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 24×7 synthetic series, 15-minute rows, timestamps with a +09:00 offset."""
    h = synthetic_history(
        np.random.default_rng(4),
        date(2025, 3, 3),
        35,
        15,
        daily_calls=4000.0,
        weekday_factors=(1.2, 1.1, 1.0, 1.0, 1.1, 0.8, 0.7),
        open_minutes=(0, 1440),
    )
    out = tmp_path_factory.mktemp("sync") / "h.csv"
    with open(out, "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["start", "offered"])
        for i, d in enumerate(h.days):
            for j, s in enumerate(h.interval_starts(d)):
                w.writerow([s.isoformat(timespec="seconds") + "+09:00", int(h.offered[i, j])])
    return out


def test_bank_conversion_counts_every_non_phantom_call(bank_csv: Path) -> None:
    rows = read_rows(bank_csv)
    assert sum(int(r["offered"]) for r in rows) == 27162 + 5904
    assert rows[0]["start"] == "1999-02-01T00:00:00"
    assert all(r["aht_seconds"] == "" or float(r["aht_seconds"]) >= 0 for r in rows)


def test_forecast_on_the_bank_month(bank_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "fc.csv"
    code = main(
        [
            "forecast",
            str(bank_csv),
            "--interval-minutes",
            "30",
            "--start",
            "1999-03-01",
            "--days",
            "7",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = read_rows(out)
    assert list(rows[0]) == ["start", "offered", "offered_low", "offered_high", "aht_seconds"]
    assert len(rows) == 7 * 48
    expected = [datetime(1999, 3, 1) + timedelta(minutes=30 * i) for i in range(7 * 48)]
    assert [r["start"] for r in rows] == [e.isoformat(timespec="seconds") for e in expected]
    for r in rows:
        assert 0 <= float(r["offered_low"]) <= float(r["offered"]) <= float(r["offered_high"])
    weekly = sum(float(r["offered"]) for r in rows)
    assert 5500 < weekly < 9500  # the month runs ~7,800 offered calls a week


def test_forecast_hourly_within_history_uses_days_before_start(
    bank_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fc.csv"
    assert (
        main(
            [
                "forecast",
                str(bank_csv),
                "--interval-minutes",
                "60",
                "--start",
                "1999-02-22",
                "--days",
                "7",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(read_rows(out)) == 7 * 24


def test_forecast_24x7_keeps_the_time_zone(around_the_clock: Path, tmp_path: Path) -> None:
    out = tmp_path / "fc.csv"
    assert (
        main(
            [
                "forecast",
                str(around_the_clock),
                "--interval-minutes",
                "60",
                "--start",
                "2025-04-07",
                "--days",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = read_rows(out)
    assert len(rows) == 72 and "aht_seconds" not in rows[0]
    assert rows[0]["start"] == "2025-04-07T00:00:00+09:00"
    assert all(float(r["offered"]) > 0 for r in rows)
    monday = sum(float(r["offered"]) for r in rows[:24])
    assert monday == pytest.approx(4800, rel=0.1)


def test_backtest_prints_wape_per_method(
    around_the_clock: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "forecast",
                "backtest",
                str(around_the_clock),
                "--interval-minutes",
                "60",
                "--horizon-days",
                "7",
                "--origins",
                "2",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    for method in ("seasonal_naive", "ha_4w", "weekday_mean", "factor"):
        assert method in text
    assert "chosen" in text and "rel. to HA-4w" in text


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    return err


def test_error_paths(
    tmp_path: Path, around_the_clock: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "m.csv"
    missing.write_text("start,calls\n2025-01-01T00:00,1\n")
    assert "missing the column 'offered'" in _error(
        ["forecast", str(missing), "--days", "1"], capsys
    )
    bad = tmp_path / "b.csv"
    bad.write_text("start,offered\n2025-01-01T00:00,1\n2025-13-01T00:00,1\n")
    assert "row 3: unparsable timestamp" in _error(["forecast", str(bad), "--days", "1"], capsys)
    assert "divide the day" in _error(
        ["forecast", str(around_the_clock), "--interval-minutes", "25", "--days", "1"], capsys
    )
    short = tmp_path / "s.csv"
    short.write_text("start,offered\n" + "".join(f"2025-01-0{d}T10:00,5\n" for d in range(1, 6)))
    assert "at least 7 calendar days" in _error(["forecast", str(short), "--days", "1"], capsys)
    assert "too little history" in _error(["forecast", "backtest", str(short)], capsys)
    assert "not found" in _error(["forecast", str(tmp_path / "nope.csv"), "--days", "1"], capsys)
    assert "--start" in _error(["forecast", str(around_the_clock), "--start", "07/04/2025"], capsys)
    assert "history CSV is required" in _error(["forecast", "backtest"], capsys)


@pytest.fixture(scope="module")
def weekday_history() -> list[tuple[datetime, int]]:
    """Weekdays 07:00-21:00, 15-minute rows (closed hours and weekends absent), 5 weeks."""
    h = synthetic_history(
        np.random.default_rng(7),
        date(2024, 9, 30),
        33,  # Monday 30 Sep to Friday 1 Nov
        15,
        daily_calls=4600.0,
        weekday_factors=(1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0),
        open_minutes=(7 * 60, 21 * 60),
        aht_seconds=None,
    )
    rows = []
    for i, d in enumerate(h.days):
        for j, s in enumerate(h.interval_starts(d)):
            if d.weekday() < 5 and 7 * 60 <= s.hour * 60 + s.minute < 21 * 60:
                rows.append((s, int(h.offered[i, j])))
    return rows


def _write_rows(path: Path, rows: list[tuple[str, int]]) -> Path:
    with open(path, "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["start", "offered"])
        w.writerows(rows)
    return path


def _day_totals(rows: list[dict[str, str]], key_length: int = 10) -> dict[str, float]:
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["start"][:key_length]] = totals.get(r["start"][:key_length], 0.0) + float(
            r["offered"]
        )
    return totals


def test_history_cut_partway_through_its_last_day(
    weekday_history: list[tuple[datetime, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Cut at noon on the last Friday: that afternoon is unknown, not closed (was ~half)."""
    cut = datetime(2024, 11, 1, 12, 0)
    rows = [(s.isoformat(timespec="minutes"), c) for s, c in weekday_history if s < cut]
    history = _write_rows(tmp_path / "partial.csv", rows)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(history), "--days", "7", "--out", str(out)]) == 0
    assert "2024-11-01 is only partly observed" in capsys.readouterr().err
    got = read_rows(out)
    assert got[0]["start"] == "2024-11-02T00:00"  # the day after the last observed day
    totals = _day_totals(got)
    friday, monday = totals["2024-11-08"], totals["2024-11-04"]
    assert friday == pytest.approx(4600, rel=0.08)
    assert friday == pytest.approx(monday, rel=0.08)
    assert totals["2024-11-02"] == totals["2024-11-03"] == 0  # weekends stay closed


def test_utc_history_uses_local_days_and_writes_utc(
    weekday_history: list[tuple[datetime, int]], tmp_path: Path
) -> None:
    """Z timestamps: days/holidays in Seoul time; output in Z for the right instants."""
    zone = ZoneInfo("Asia/Seoul")
    rows = [
        (s.replace(tzinfo=zone).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), c)
        for s, c in weekday_history
    ]
    history = _write_rows(tmp_path / "z.csv", rows)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(history), "--days", "7", "--out", str(out)]) == 0
    got = read_rows(out)
    # the history's last Friday is followed by its closed weekend (part of the history), so
    # the forecast starts on Monday 2024-11-04 00:00 in Seoul
    assert got[0]["start"] == "2024-11-03T15:00:00Z"
    local = [
        {**r, "start": datetime.fromisoformat(r["start"]).astimezone(zone).isoformat()} for r in got
    ]
    totals = _day_totals(local)
    assert totals["2024-11-09"] == totals["2024-11-10"] == 0  # Seoul weekend
    assert totals["2024-11-04"] == pytest.approx(4600, rel=0.08)
    open_hours = {r["start"][11:13] for r in local if float(r["offered"]) > 0}
    assert min(open_hours) == "07" and max(open_hours) == "20"


def test_history_input_errors(
    weekday_history: list[tuple[datetime, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [(s.isoformat(timespec="minutes"), c) for s, c in weekday_history[:200]]
    doubled = _write_rows(tmp_path / "dup.csv", rows + rows[:3])
    err = _error(["forecast", str(doubled), "--days", "1"], capsys)
    assert "row 202: duplicate start 2024-09-30T07:00:00 (same as row 2)" in err
    huge = _write_rows(tmp_path / "huge.csv", [(s, int(c * 1e300)) for s, c in rows])
    err = _error(["forecast", str(huge), "--days", "1"], capsys)
    assert "huge.csv: row 2: offered must be a number >= 0 and at most 1e+07" in err
    good = _write_rows(tmp_path / "ok.csv", rows)
    err = _error(["forecast", str(good), "--out", str(tmp_path / "no" / "fc.csv")], capsys)
    assert err.endswith("No such file or directory") and "cannot write" in err
    err = _error(["forecast", str(good), "--time-zone", "Mars/Base"], capsys)
    assert "unknown time zone 'Mars/Base'" in err


def test_one_week_of_a_monday_to_friday_center(
    weekday_history: list[tuple[datetime, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 5: one week (rows Monday to Friday) is enough; two weeks give a backtest."""
    week = [
        (s.isoformat(timespec="minutes"), c)
        for s, c in weekday_history
        if s < datetime(2024, 10, 5)
    ]
    history = _write_rows(tmp_path / "week.csv", week)  # Monday 30 Sep to Friday 4 Oct
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(history), "--days", "7", "--out", str(out)]) == 0
    got = read_rows(out)
    assert got[0]["start"] == "2024-10-07T00:00"  # after the closed weekend
    totals = _day_totals(got)
    assert totals["2024-10-07"] == pytest.approx(4600, rel=0.1)
    assert totals["2024-10-12"] == totals["2024-10-13"] == 0
    two = [(s, c) for s, c in weekday_history if s < datetime(2024, 10, 12)]
    history = _write_rows(tmp_path / "two.csv", [(s.isoformat(), c) for s, c in two])
    capsys.readouterr()
    assert main(["forecast", "backtest", str(history)]) == 0
    table = capsys.readouterr().out
    assert "note: factor: skipped: needs 14 days" in table and "weekday_mean" in table


def test_far_apart_dates_are_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 3: a two-row history from year 1 to year 9999 exhausted memory."""
    far = _write_rows(
        tmp_path / "far.csv", [("0001-01-01T09:00:00", 1), ("9999-12-31T09:55:00", 2)]
    )
    err = _error(["forecast", str(far), "--days", "1"], capsys)
    assert "history spans 3,652,059 days" in err and "at most 1830 days" in err
    assert "history spans" in _error(["forecast", "backtest", str(far)], capsys)


def test_help_speaks_to_planners(capsys: pytest.CaptureFixture[str]) -> None:
    """No Sphinx markup in the help; every option explained."""
    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    text = capsys.readouterr().out
    for markup in (":mod:", ":func:", ":data:", ":meth:", "``"):
        assert markup not in text
    assert "HA-4w" in text and "--country" in text and "IL" in text
    import argparse

    from app.cli.forecast import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub.choices["forecast"]._actions:
        assert action.help, action.dest
