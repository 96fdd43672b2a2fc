"""`contactops staffing` through app.cli.main and once through a subprocess."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from wfm.staffing import required_agents, required_agents_erlang_a

HEADER = "start,offered,offered_low,offered_high"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def forecast(tmp_path: Path) -> Path:
    # 30-minute intervals with a closed hour (09:30 missing) and a zero interval
    return write(
        tmp_path / "forecast.csv",
        f"{HEADER},aht_seconds\n"
        "2026-01-05T09:00:00,100,80,120,180\n"
        "2026-01-05T10:00:00,0,0,0,180\n"
        "2026-01-05T10:30:00,250.5,200,300,200\n",
    )


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_erlang_c(forecast: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "required.csv"
    code = main(
        [
            "staffing",
            str(forecast),
            "--service-level",
            "0.8",
            "--threshold",
            "20",
            "--shrinkage",
            "0.3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "30 min" in capsys.readouterr().out
    rows = read(out)
    assert list(rows[0]) == [
        "start",
        "offered",
        "aht_seconds",
        "agents",
        "scheduled_agents",
        "service_level",
        "asa_seconds",
        "occupancy",
    ]
    assert [r["start"] for r in rows] == [
        "2026-01-05T09:00:00",
        "2026-01-05T10:00:00",
        "2026-01-05T10:30:00",
    ]
    assert rows[0]["agents"] == "14" and rows[0]["scheduled_agents"] == "20"
    assert rows[0]["service_level"] == "0.888350"
    assert (rows[1]["agents"], rows[1]["scheduled_agents"]) == ("0", "0")
    expected = required_agents(250.5, 1800, 200, 0.8, 20, shrinkage=0.3)
    assert int(rows[2]["agents"]) == expected.agents
    assert float(rows[2]["occupancy"]) == pytest.approx(expected.occupancy, abs=1e-6)


def test_erlang_a_with_abandon_target(forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "required.csv"
    code = main(
        [
            "staffing",
            str(forecast),
            "--service-level",
            "0.8",
            "--threshold",
            "20",
            "--patience",
            "120",
            "--abandon-target",
            "0.03",
            "--interval-minutes",
            "30",
            "--max-occupancy",
            "0.9",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    rows = read(out)
    assert "p_abandon" in rows[0]
    expected = required_agents_erlang_a(
        100,
        1800,
        180,
        120,
        service_level_target=0.8,
        threshold_seconds=20,
        abandon_target=0.03,
        max_occupancy=0.9,
    )
    assert int(rows[0]["agents"]) == expected.agents
    assert float(rows[0]["p_abandon"]) <= 0.03


def test_aht_option_and_asa_target(tmp_path: Path) -> None:
    src = write(
        tmp_path / "f.csv", f"{HEADER}\n2026-01-05 09:00,100,80,120\n2026-01-05 09:15,50,40,60\n"
    )
    out = tmp_path / "r.csv"
    assert (
        main(
            [
                "staffing",
                str(src),
                "--service-level",
                "0.8",
                "--threshold",
                "20",
                "--aht",
                "90",
                "--asa-target",
                "5",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = read(out)
    assert rows[0]["aht_seconds"] == "90"
    assert float(rows[0]["asa_seconds"]) <= 5.0
    assert float(rows[0]["occupancy"]) == pytest.approx(10.0 / int(rows[0]["agents"]), abs=1e-6)


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            "start,offered\n2026-01-05T09:00,10\n",
            [],
            "no aht_seconds column; give the handle time with --aht",
        ),
        ("begin,offered\n2026-01-05T09:00,10\n", ["--aht", "180"], "missing column(s) start"),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,ten,1,1,180\n2026-01-05T09:30,1,1,1,180\n",
            [],
            "line 2: column offered: not a number: 'ten'",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n2026-01-05T09:30,-4,1,1,180\n",
            [],
            "line 3: column offered must be >= 0",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\nyesterday,1,1,1,180\n",
            [],
            "line 3: column start: not an ISO timestamp: 'yesterday'",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,0\n2026-01-05T09:30,1,1,1,180\n",
            [],
            "line 2: column aht_seconds must be > 0",
        ),
        (f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n", [], "cannot infer the interval"),
        (f"{HEADER},aht_seconds\n", [], "no intervals"),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n",
            ["--interval-minutes", "15", "--abandon-target", "0.05"],
            "--abandon-target needs --patience",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n",
            ["--interval-minutes", "15", "--shrinkage", "1.5"],
            "--shrinkage must be a fraction between 0 and 1, got 1.5",
        ),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, extra: list[str], message: str
) -> None:
    src = write(tmp_path / "f.csv", content)
    out = tmp_path / "r.csv"
    code = main(
        [
            "staffing",
            str(src),
            "--service-level",
            "0.8",
            "--threshold",
            "20",
            "--out",
            str(out),
            *extra,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


def test_bad_target_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "staffing",
                str(tmp_path / "nope.csv"),
                "--service-level",
                "0.8",
                "--threshold",
                "20",
                "--out",
                str(tmp_path / "r.csv"),
            ]
        )
        == 2
    )
    assert "nope.csv" in capsys.readouterr().err
    assert (
        main(
            [
                "staffing",
                str(tmp_path / "nope.csv"),
                "--service-level",
                "80",
                "--threshold",
                "20",
                "--out",
                str(tmp_path / "r.csv"),
            ]
        )
        == 2
    )
    assert "--service-level must be a fraction between 0 and 1, got 80" in capsys.readouterr().err


def test_subprocess(forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "required.csv"
    cmd = [
        sys.executable,
        "-c",
        "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))",
        "staffing",
        str(forecast),
        "--service-level",
        "0.8",
        "--threshold",
        "20",
        "--out",
        str(out),
    ]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert read(out)[0]["agents"] == "14"
    bad = subprocess.run(
        [*cmd[:4], str(tmp_path / "missing.csv"), *cmd[5:]],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "missing.csv" in bad.stderr


def _staff(path: Path, out: Path, *extra: str) -> int:
    argv = ["staffing", str(path), "--service-level", "0.8", "--threshold", "20"]
    return main([*argv, "--out", str(out), *extra])


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Errno" not in err and err.count("\n") == 1
    return err


QUARTER_HOURS = (
    f"{HEADER},aht_seconds\n"
    "2026-01-05T09:00,100,1,1,180\n"
    "2026-01-05T09:15,100,1,1,180\n"
    "2026-01-05T09:30,100,1,1,180\n"
    "2026-01-05T10:30,100,1,1,180\n"  # a closed hour in between is fine
)


def test_interval_is_the_forecasts_own_spacing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path / "f.csv", QUARTER_HOURS)
    out = tmp_path / "r.csv"
    assert _staff(src, out) == 0 and "15 min" in capsys.readouterr().out
    assert _staff(src, out, "--interval-minutes", "15") == 0
    capsys.readouterr()
    assert _staff(src, tmp_path / "r60.csv", "--interval-minutes", "60") == 2
    err = _one_line_error(capsys)
    assert "--interval-minutes 60 disagrees with" in err and "15 minutes apart" in err
    assert not (tmp_path / "r60.csv").exists()


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            (
                f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n2026-01-05T09:07,1,1,1,180\n"
                "2026-01-05T09:14,1,1,1,180\n"
            ),
            [],
            "7 minutes apart, which does not divide the day",
        ),
        (
            (
                f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n2026-01-05T09:15,1,1,1,180\n"
                "2026-01-05T09:30,1,1,1,180\n2026-01-05T09:37,1,1,1,180\n"
            ),
            [],
            "line 5: start 2026-01-05T09:37 is off the 15-minute grid",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n2026-01-05T09:00,1,1,1,180\n",
            [],
            "line 3: duplicate start 2026-01-05T09:00 (same instant as line 2)",
        ),
        (
            (
                f"{HEADER},aht_seconds\n2026-01-05T09:00+09:00,1,1,1,180\n"
                "2026-01-05T00:30Z,1,1,1,180\n2026-01-05T00:00Z,1,1,1,180\n"
            ),
            [],
            "line 4: duplicate start 2026-01-05T00:00Z (same instant as line 2)",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,180\n",
            ["--interval-minutes", "7"],
            "--interval-minutes must divide the day (1440 minutes), got 7",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1e300,1,1,180\n2026-01-05T09:30,1,1,1,180\n",
            [],
            "line 2: column offered must be at most 1e+07, got '1e300'",
        ),
        (
            f"{HEADER},aht_seconds\n2026-01-05T09:00,1,1,1,1e300\n2026-01-05T09:30,1,1,1,180\n",
            [],
            "line 2: column aht_seconds must be at most 86400",
        ),
    ],
)
def test_spacing_duplicates_and_absurd_values(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    extra: list[str],
    message: str,
) -> None:
    src = write(tmp_path / "f.csv", content)
    assert _staff(src, tmp_path / "r.csv", *extra) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "r.csv").exists()


def test_unreadable_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path / "f.csv", QUARTER_HOURS)
    assert _staff(tmp_path / "missing.csv", tmp_path / "r.csv") == 2
    assert f"{tmp_path / 'missing.csv'}: file not found" in _one_line_error(capsys)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(QUARTER_HOURS.replace("start", "d\xe9but").encode("latin-1"))
    assert _staff(latin, tmp_path / "r.csv") == 2
    assert f"{latin}: not a UTF-8 text CSV" in _one_line_error(capsys)
    assert _staff(tmp_path, tmp_path / "r.csv") == 2
    assert f"cannot read {tmp_path}" in _one_line_error(capsys)
    assert _staff(src, tmp_path / "no" / "r.csv") == 2
    assert "cannot write" in _one_line_error(capsys)


@pytest.mark.parametrize("cell", ["0", ""])
def test_closed_intervals_need_no_handle_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str
) -> None:
    """Issue 8: '...,0,0,0,0' gave "column aht_seconds must be > 0"; a blank cell needed --aht."""
    src = write(
        tmp_path / "f.csv",
        f"{HEADER},aht_seconds\n"
        f"2024-03-04T08:00:00,0,0,0,{cell}\n"
        "2024-03-04T08:30:00,10,8,12,180\n"
        f"2024-03-04T09:00:00,0,0,0,{cell}\n",
    )
    out = tmp_path / "r.csv"
    assert _staff(src, out) == 0, capsys.readouterr().err
    rows = read(out)
    assert [r["agents"] for r in rows] == ["0", "3", "0"]
    assert rows[0]["aht_seconds"] == cell and rows[1]["aht_seconds"] == "180"
    assert rows[1]["agents"] == str(required_agents(10, 1800, 180, 0.8, 20).agents)
    # a row with calls still needs its handle time
    bad = write(tmp_path / "b.csv", f"{HEADER},aht_seconds\n2024-03-04T08:00:00,5,4,6,0\n")
    assert _staff(bad, out, "--interval-minutes", "30") == 2
    assert "line 2: column aht_seconds must be > 0" in _one_line_error(capsys)


def test_mixed_naive_and_offset_starts_name_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11: was 'starts are 510 minutes apart, which does not divide the day'."""
    src = write(
        tmp_path / "f.csv",
        "start,offered,aht_seconds\n2024-03-04T08:00:00,5,180\n2024-03-04T08:30:00+09:00,10,180\n",
    )
    assert _staff(src, tmp_path / "r.csv") == 2
    err = _one_line_error(capsys)
    assert "line 3: start 2024-03-04T08:30:00+09:00 has a UTC offset" in err
    assert "mix naive and offset forms" in err and "divide the day" not in err
