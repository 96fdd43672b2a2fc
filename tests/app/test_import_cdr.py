"""`contactops import cdr FILE.csv`: the documented call-detail CSV through the live store,
idempotent, bad rows named by line and column, times with and without a zone."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import make_engine
from app.importers import cdr
from app.models import EventRecord, Interaction

SAMPLE = Path(__file__).parents[1] / "data" / "cdr_sample.csv"
SEOUL = ZoneInfo("Asia/Seoul")


def _rows(url: str) -> list[tuple[str, str | None, float | None]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Interaction.contact_id, Interaction.disposition,
                                   Interaction.handle_seconds)
                            .order_by(Interaction.contact_id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _events(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(EventRecord)).scalar_one()
    engine.dispose()
    return int(n)


@pytest.fixture
def empty_db(database_url: str) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    return database_url


def test_import_twice_changes_nothing(empty_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["import", "cdr", str(SAMPLE), "--url", empty_db, "--tz", "Asia/Seoul"]
    assert main(args) == 0
    first = capsys.readouterr()
    assert "imported 5 calls, skipped 0" in first.out and "5/5" in first.err
    rows = _rows(empty_db)
    assert [r[0] for r in rows] == [f"cdr-PBX-20261201-000{i}" for i in range(1, 6)]
    assert rows[0][1:] == ("resolved", 211.0 + 25)  # talk and wrap-up
    assert rows[1][1:] == (None, None)
    assert _events(empty_db) == 4 + 2 + 4 + 4 + 2
    assert main(args) == 0
    assert "imported 0 calls, skipped 5" in capsys.readouterr().out
    assert _rows(empty_db) == rows and _events(empty_db) == 16


def test_kpis_after_import(empty_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "cdr", str(SAMPLE), "--url", empty_db, "--tz", "Asia/Seoul",
                 "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["kpis", "--from", "2026-12-01", "--to", "2026-12-01", "--threshold", "20",
                 "--short-abandon", "5", "--by", "tier", "--json", "--url", empty_db]) == 0
    report = json.loads(capsys.readouterr().out)
    waits = {}  # straight from the CSV: answered - start, or end - start for an abandon
    with SAMPLE.open(newline="") as fh:
        for row in csv.DictReader(fh):
            start = cdr.parse_time(row["start_time"], SEOUL, 0, "start_time")
            end = row["answered_time"] or row["end_time"]
            waits[row["call_id"]] = (row["outcome"], row["tier"],
                                     cdr.parse_time(end, SEOUL, 0, "end") - start)
    vip = [w for o, t, w in waits.values() if t in ("private_banker", "platinum")]
    assert report["groups"]["vip"]["offered"] == len(vip) == 2
    assert report["groups"]["vip"]["asa_seconds"] == pytest.approx(sum(vip) / 2)
    general = report["groups"]["general"]
    assert (general["offered"], general["answered"], general["abandoned"]) == (3, 1, 2)
    assert general["service_level"]["excluding_short_abandons"] == pytest.approx(0 / (3 - 1))
    assert report["all"]["asa_seconds"] == pytest.approx((4 + 31 + 3) / 3)


def test_times_with_and_without_zone_read_the_same() -> None:
    text = SAMPLE.read_text()
    zoned = text.replace("2026-12-01 09:03:30", "2026-12-01T09:03:30+09:00").replace(
        "2026-12-01 09:03:33", "2026-12-01T09:03:33+09:00").replace(
        "2026-12-01 09:05:00", "2026-12-01T00:05:00Z")
    assert zoned != text
    plain = cdr.read_batch(iter(text.splitlines(True)), SEOUL)
    assert cdr.read_batch(iter(zoned.splitlines(True)), ZoneInfo("UTC")).calls == plain.calls
    in_utc = cdr.read_batch(iter(text.splitlines(True)), ZoneInfo("UTC"))
    moved = [c for c, p in zip(in_utc.calls, plain.calls, strict=True) if c != p]
    assert [c.contact_id for c in moved] == ["cdr-PBX-20261201-0004"]  # the one without zone
    assert moved[0].events[0].at - plain.calls[3].events[0].at == 9 * 3600


LINES = SAMPLE.read_text().splitlines(True)
ROW = LINES[1].rstrip("\n").split(",")


def _with(**change: str) -> str:
    names = LINES[0].strip().split(",")
    values = dict(zip(names, ROW, strict=True))
    values.update({"call_id": "PBX-X", **change})
    return ",".join(values[n] for n in names) + "\n"


@pytest.mark.parametrize("bad, field", [
    (_with(outcome="lost"), "outcome"),
    (_with(start_time="yesterday"), "start_time"),
    (_with(start_time="2026-13-01T09:00:00+09:00"), "start_time"),
    (_with(tier="diamond"), "tier"),
    (_with(answered_time="2026-12-01T08:59:00+09:00"), "answered_time"),
    (_with(end_time="2026-12-01T09:00:06+09:00"), "end_time"),
    (_with(agent=""), "agent"),
    (_with(wrap_up_seconds="-3"), "wrap_up_seconds"),
    (_with(customer_id="12a"), "customer_id"),
    (_with(caller_number="call me"), "caller_number"),
    (_with(call_id="PBX-20261201-0001"), "call_id"),
    (_with(outcome="abandoned"), "answered_time"),
    (LINES[1].rstrip("\n") + ",extra\n", "columns"),
])
def test_a_bad_row_is_one_line_naming_it_and_nothing_is_imported(
    bad: str, field: str, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    path = tmp_path / "calls.csv"
    path.write_text("".join([*LINES, bad]))
    assert main(["import", "cdr", str(path), "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert f"line {len(LINES) + 1}: field {field}:" in err and err.count("\n") == 1, err
    assert _events(sqlite_url) == 0


@pytest.mark.parametrize("content, message", [
    ("", "line 0: field file: the file is empty"),
    ("call_id,start_time,queue,outcome\n", "line 1: field header: missing column 'end_time'"),
    ("1796083200|1.1|deposits|NONE|ENTERQUEUE||0101|1\n", "line 1: field header: unknown column"),
    ("call_id,call_id,start_time,queue,outcome,end_time\n", "a column named twice"),
])
def test_an_empty_or_wrong_file_says_so(
    content: str, message: str, sqlite_url: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(content)
    assert main(["import", "cdr", str(path), "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_a_header_only_file_imports_nothing(sqlite_url: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    path = tmp_path / "calls.csv"
    path.write_text(LINES[0])
    assert main(["import", "cdr", str(path), "--url", sqlite_url]) == 0
    assert "imported 0 calls, skipped 0" in capsys.readouterr().out
