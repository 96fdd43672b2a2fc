"""The commands of issue 7 that hung or ended in a traceback: each now ends (in a fresh
process, with a generous time limit: a hang fails the test and the process is killed) with
one line on standard error and exit code 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTACTOPS = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())"]
TIME_LIMIT = 60  # seconds; each command takes well under one now
SCENARIO = {
    "interval_minutes": 60, "service_level_threshold_seconds": 20,
    "queues": [{"name": "general", "calls_per_interval": [81], "aht_seconds": 240,
                "aht_distribution": "exponential", "patience_mean_seconds": 120}],
    "agents_per_interval": [6],
}


def contactops(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*CONTACTOPS, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIME_LIMIT, check=False)


def _history(path: Path, days: int = 56, year: int = 2025) -> Path:
    start = datetime(year, 1, 1)
    rows = [f"{(start + timedelta(hours=i)).strftime('%Y-%m-%d %H:%M')},{10 + i % 7}"
            for i in range(24 * days)]
    path.write_text("start,offered\n" + "\n".join(rows) + "\n")
    return path


def _forecast(path: Path, offered: str = "100") -> Path:
    path.write_text("start,offered,offered_low,offered_high,aht_seconds\n"
                    f"2025-01-01 09:00,{offered},90,110,180\n2025-01-01 09:30,100,90,110,180\n")
    return path


def _one_line_error(result: subprocess.CompletedProcess[str], command: str, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"contactops {command}: error: "), lines
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_staffing_with_an_absurd_occupancy_ends_with_one_line(tmp_path: Path) -> None:
    """Hung forever: the occupancy floor of 1e-300 was counted to one agent at a time."""
    result = contactops("staffing", str(_forecast(tmp_path / "f.csv")), "--service-level", "0.8",
                        "--threshold", "20", "--max-occupancy", "1e-300", "--out", "r.csv",
                        cwd=tmp_path)
    _one_line_error(result, "staffing", "max_occupancy 1e-300")


def test_staffing_to_a_full_disk_is_one_line(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    result = contactops("staffing", str(_forecast(tmp_path / "f.csv")), "--service-level", "0.8",
                        "--threshold", "20", "--out", "/dev/full", cwd=tmp_path)
    _one_line_error(result, "staffing", "cannot write /dev/full")


@pytest.mark.parametrize("command", ["forecast", "staffing"])
def test_a_field_over_128_kib_is_one_line(tmp_path: Path, command: str) -> None:
    if command == "forecast":
        history = _history(tmp_path / "h.csv").read_text().splitlines()
        history[5] = history[5].split(",")[0] + "," + "1" * (140 * 1024)
        (tmp_path / "big.csv").write_text("\n".join(history) + "\n")
        args = ["forecast", "big.csv", "--interval-minutes", "60", "--days", "1", "--out", "o.csv"]
    else:
        _forecast(tmp_path / "big.csv", "1" * (140 * 1024))
        args = ["staffing", "big.csv", "--service-level", "0.8", "--threshold", "20",
                "--out", "o.csv"]
    _one_line_error(contactops(*args, cwd=tmp_path), command, "field larger than field limit")


def test_a_history_dated_9999_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text(
        "start,offered\n" + "".join(f"9999-12-31 {h:02d}:00,10\n" for h in range(24)))
    result = contactops("forecast", "h.csv", "--interval-minutes", "60", "--days", "1",
                        "--out", "o.csv", cwd=tmp_path)
    _one_line_error(result, "forecast", "must be in the years 1900 to 2999")


def test_forecast_to_a_full_disk_is_one_line(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    _history(tmp_path / "h.csv", days=28)
    result = contactops("forecast", "h.csv", "--interval-minutes", "60", "--days", "1",
                        "--method", "seasonal_naive", "--out", "/dev/full", cwd=tmp_path)
    _one_line_error(result, "forecast", "/dev/full")


def test_simulate_on_deeply_nested_json_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text("[" * 100_000 + "]" * 100_000)
    result = contactops("simulate", "s.json", "--replications", "1", cwd=tmp_path)
    _one_line_error(result, "simulate", "nested too deeply")


@pytest.mark.parametrize(("option", "value"), [("--replications", "1000000"),
                                                ("--workers", "100000")])
def test_simulate_counts_have_a_maximum(tmp_path: Path, option: str, value: str) -> None:
    """--replications 1000000 grew without bound."""
    (tmp_path / "s.json").write_text(json.dumps(SCENARIO))
    args = ["simulate", "s.json", "--replications", "2", option, value]
    _one_line_error(contactops(*args, cwd=tmp_path), "simulate", f"{option} must be at most")


@pytest.mark.parametrize("out", ["--out", "--events-out"])
def test_simulate_to_a_full_disk_is_one_line(tmp_path: Path, out: str) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    (tmp_path / "s.json").write_text(json.dumps(SCENARIO))
    result = contactops("simulate", "s.json", "--replications", "2", "--workers", "1",
                        out, "/dev/full", cwd=tmp_path)
    _one_line_error(result, "simulate", "cannot write /dev/full")


def test_demo_customers_have_a_maximum(tmp_path: Path) -> None:
    result = contactops("demo", "--customers", "5000000", "--no-serve", cwd=tmp_path)
    assert result.returncode == 2 and "must be at most 4,000,000" in result.stderr


def test_the_readme_documents_every_maximum() -> None:
    """The maxima of the counts a user gives, as the README's "Limits" table states them."""
    from app.api.wfm import MAX_INTERVAL_LOAD_ERLANGS
    from app.cli.demo import MAX_CUSTOMERS
    from app.cli.simulate import MAX_REPLICATIONS, MAX_WORKERS
    from app.cli.staffing import MAX_INTERVALS
    from wfm.history import MAX_HISTORY_DAYS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    limits = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    for figure in (f"{MAX_REPLICATIONS:,} replications", f"{MAX_WORKERS} workers",
                   f"{MAX_CUSTOMERS:,} customers", f"{MAX_INTERVALS:,} intervals a file",
                   f"{MAX_INTERVAL_LOAD_ERLANGS:,.0f} Erlangs", f"{MAX_HISTORY_DAYS:,} days"):
        assert figure in limits, figure
