"""`contactops schedule PROBLEM.json --out ROSTER.json` through app.cli.main and a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.wfm.roster_cases import tiny
from wfm.roster_checks import evaluate_roster
from wfm.roster_problem import parse_roster_problem


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_writes_the_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path / "problem.json", tiny())
    out = tmp_path / "roster.json"
    assert main(["schedule", str(src), "--out", str(out)]) == 0
    assert "optimal: 10 shifts for 2 agents" in capsys.readouterr().out
    roster = json.loads(out.read_text())
    assert roster["status"] == "optimal" and roster["gap"] == 0
    assert {
        "objective",
        "best_bound",
        "shifts",
        "coverage",
        "under_coverage",
        "over_coverage",
    } <= set(roster)
    problem = parse_roster_problem(tiny())
    assert evaluate_roster(problem, roster["shifts"]).violations == ()


def test_infeasible_exits_non_zero_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tiny()
    data["agents"][0]["time_off"] = ["2027-01-04", "2027-01-05", "2027-01-06"]
    src = write(tmp_path / "problem.json", data)
    out = tmp_path / "roster.json"
    assert main(["schedule", str(src), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    reason = "agent A: 3 days required, 2 available after time off in the week from 2027-01-04"
    assert err == f"contactops schedule: infeasible: {reason}"
    roster = json.loads(out.read_text())
    assert roster["status"] == "infeasible" and roster["reasons"] == [reason]


@pytest.mark.parametrize(
    ("content", "out", "message"),
    [
        (None, "roster.json", "file not found"),
        ("{not json", "roster.json", "not valid JSON (Expecting property name"),
        ("[" * 100_000 + "]" * 100_000, "roster.json", "JSON nested too deeply"),
        ("[1, 2]", "roster.json", "must hold a JSON object"),
        ('{"start": "2027-01-04"}', "roster.json", "days: required"),
        ("TINY", "/dev/full", "cannot write /dev/full: No space left on device"),
        ("TINY", "missing-dir/roster.json", "cannot write"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, out: str, message: str
) -> None:
    src = tmp_path / "problem.json"
    if content == "TINY":
        write(src, tiny())
    elif content is not None:
        src.write_text(content, encoding="utf-8")
    target = out if out.startswith("/") else str(tmp_path / out)
    assert main(["schedule", str(src), "--out", target]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("contactops schedule: error: ") and message in err


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(tmp_path), "--out", str(tmp_path / "r.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_field_error_names_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tiny()
    data["agents"][1]["shift_types"] = ["PT4"]
    src = write(tmp_path / "problem.json", data)
    assert main(["schedule", str(src), "--out", str(tmp_path / "r.json")]) == 2
    assert "agents[1].shift_types: unknown shift type 'PT4'" in capsys.readouterr().err


def test_subprocess(tmp_path: Path) -> None:
    src = write(tmp_path / "problem.json", tiny())
    out = tmp_path / "roster.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from app.cli import main; sys.exit(main())",
            "schedule",
            str(src),
            "--out",
            str(out),
            "--time-limit",
            "10",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["status"] == "optimal"
