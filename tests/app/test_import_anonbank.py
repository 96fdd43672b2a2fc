"""`contactops import anonbank FILE`: events through the live store, idempotent, bad rows,
and the February month's KPIs against an independent computation from the CSV."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import make_engine
from app.models import EventRecord, Interaction

HEADER = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time"
          "\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver")
ROWS = [
    # VIP answered after 12 s in the queue
    ("AA0101\t1\t23317894\t2\tPS\t990201\t8:09:16\t8:09:22\t6\t8:09:22\t8:09:34\t12\tAGENT"
    "\t8:09:34\t8:11:34\t120\tDORIT"),
    # general, routed without queueing, answered at once
    ("AA0101\t2\t0\t0\tNW\t990201\t9:00:00\t9:00:10\t10\t0:00:00\t0:00:00\t0\tAGENT"
    "\t9:00:10\t9:01:00\t50\tTOVA"),
    # general abandoned after 30 s
    ("AA0102\t1\t0\t1\tPS\t990201\t9:10:00\t9:10:05\t5\t9:10:05\t9:10:35\t30\tHANG"
    "\t0:00:00\t0:00:00\t0\tNO_SERVER"),
    # phantom: left out
    ("AA0102\t2\t0\t0\tPS\t990201\t9:20:00\t9:20:05\t5\t9:20:05\t9:20:09\t4\tPHANTOM"
    "\t0:00:00\t0:00:00\t0\tNO_SERVER"),
]


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "calls.txt"
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    return path


def _stored(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        n_rows = conn.execute(select(func.count()).select_from(Interaction)).scalar_one()
        n_events = conn.execute(select(func.count()).select_from(EventRecord)).scalar_one()
    engine.dispose()
    return int(n_rows), int(n_events)


@pytest.fixture
def empty_db(database_url: str) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    return database_url


def test_import_twice_changes_nothing(
    empty_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ROWS)
    assert main(["import", "anonbank", str(path), "--url", empty_db]) == 0
    first = capsys.readouterr()
    assert "imported 3 calls" in first.out and "3/3" in first.err  # progress bar on stderr
    assert _stored(empty_db) == (3, 3 + 3 + 3 + 2)  # self-service, arrival, answer/end|abandon
    assert main(["import", "anonbank", str(path), "--url", empty_db]) == 0
    assert "imported 0 calls, skipped 3" in capsys.readouterr().out
    assert _stored(empty_db) == (3, 11)
    assert main(["kpis", "--from", "1999-02-01", "--to", "1999-02-01", "--by", "tier",
                 "--json", "--url", empty_db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["groups"]["vip"]["offered"] == 1
    assert report["groups"]["vip"]["asa_seconds"] == 12.0
    general = report["groups"]["general"]
    assert (general["offered"], general["answered"], general["abandoned"]) == (2, 1, 1)


@pytest.mark.parametrize("bad, field", [
    (("AA0103\t9\t0\t3\tPS\t990201\t9:10:00\t9:10:05\t5\t9:10:05\t9:10:35\t30\tHANG"
     "\t0:00:00\t0:00:00\t0\tNO_SERVER"), "priority"),
    (("AA0103\t9\t0\t0\tPS\t990231\t9:10:00\t9:10:05\t5\t9:10:05\t9:10:35\t30\tHANG"
     "\t0:00:00\t0:00:00\t0\tNO_SERVER"), "date"),
    (("AA0103\t9\t0\t0\tPS\t990201\t9:10:00\t9:10:05\t5\t9:10:05\t9:10:35\tx\tHANG"
     "\t0:00:00\t0:00:00\t0\tNO_SERVER"), "q_time"),
    (("AA0103\t9\t0\t0\tPS\t990201\t9:10:00\t9:10:05\t5\t9:1:05\t9:10:35\t30\tHANG"
     "\t0:00:00\t0:00:00\t0\tNO_SERVER"), "q_start"),
    (("AA0103\t9\t0\t0\tPS\t990201\t9:10:00\t9:10:05\t5\t9:10:05\t9:10:35\t30\tLOST"
     "\t0:00:00\t0:00:00\t0\tNO_SERVER"), "outcome"),
])
def test_bad_row_is_one_line_and_nothing_is_imported(
    bad: str, field: str, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    path = _write(tmp_path, [*ROWS, bad])
    assert main(["import", "anonbank", str(path), "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert f"row 5: field {field}:" in err and err.count("\n") == 1
    assert _stored(sqlite_url) == (0, 0)


# --- the real February month -------------------------------------------------------------

#: The test imports one week of February (Monday 1 to Sunday 7 1999) to stay inside the
#: test budget; the whole month's figures are in docs/importers.md (a manual run).
FIRST_DAY, LAST_DAY = "990201", "990207"


def _independent(path: Path, t: float, s: float) -> dict[str, dict[str, float]]:
    """Figures straight from the file with the csv module: answered = AGENT, abandoned =
    HANG, PHANTOM out; wait = q_time; VIP = priority 2."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if not FIRST_DAY <= row["date"] <= LAST_DAY or row["outcome"] == "PHANTOM":
                continue
            wait = float(row["q_time"])
            for group in ("all", "vip" if row["priority"] == "2" else "general"):
                g = sums[group]
                g["N"] += 1
                if row["outcome"] == "AGENT":
                    g["A"] += 1
                    g["wait_A"] += wait
                    g["A_T"] += wait <= t
                else:
                    g["B"] += 1
                    g["B_T"] += wait <= t
                    g["B_S"] += wait < s
    return sums


def _week_file(source: Path, tmp_path: Path) -> Path:
    out = tmp_path / "week.txt"
    with source.open(newline="") as fh, out.open("w", newline="") as dst:
        header = fh.readline()
        dst.write(header)
        for line in fh:
            if FIRST_DAY <= line.split("\t", 6)[5] <= LAST_DAY:
                dst.write(line)
    return out


def test_february_week_kpis_equal_an_independent_computation(
    anonymous_bank_path: Path, sqlite_url: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    week = _week_file(anonymous_bank_path, tmp_path)
    assert main(["import", "anonbank", str(week), "--url", sqlite_url, "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["kpis", "--from", "1999-02-01", "--to", "1999-02-07", "--threshold", "20",
                 "--short-abandon", "5", "--by", "tier", "--json", "--url", sqlite_url]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = _independent(anonymous_bank_path, 20.0, 5.0)
    assert expected["all"]["N"] > 5000  # a real week, not an empty selection
    for group, figures in [("all", report["all"]), ("vip", report["groups"]["vip"]),
                           ("general", report["groups"]["general"])]:
        e = expected[group]
        n, a, b = e["N"], e["A"], e["B"]
        assert (figures["offered"], figures["answered"], figures["abandoned"]) == (n, a, b)
        assert figures["abandon_rate"] == pytest.approx(b / n, rel=1e-12)
        assert figures["asa_seconds"] == pytest.approx(e["wait_A"] / a, rel=1e-12)
        sl = figures["service_level"]
        assert sl["answered_of_offered"] == pytest.approx(e["A_T"] / n, rel=1e-12)
        assert sl["answered_of_answered"] == pytest.approx(e["A_T"] / a, rel=1e-12)
        assert sl["excluding_abandoned_within_threshold"] == pytest.approx(
            e["A_T"] / (n - e["B_T"]), rel=1e-12)
        assert sl["abandoned_within_threshold_as_met"] == pytest.approx(
            (e["A_T"] + e["B_T"]) / n, rel=1e-12)
        assert sl["excluding_short_abandons"] == pytest.approx(
            e["A_T"] / (n - e["B_S"]), rel=1e-12)
