"""`contactops import queue-log FILE`: Asterisk's queue log through the live store,
idempotent, bad lines named, and the KPIs equal to a computation straight from the file."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import make_engine
from app.importers import queue_log
from app.models import EventRecord, Interaction

SAMPLE = Path(__file__).parents[1] / "data" / "queue_log_sample.txt"
DAY = "2026-12-01"


def _count(url: str, table: type, **where: str) -> int:
    engine = make_engine(url)
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(getattr(table, name) == value)
    with engine.connect() as conn:
        n = conn.execute(query).scalar_one()
    engine.dispose()
    return int(n)


@pytest.fixture
def empty_db(database_url: str) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    return database_url


def test_import_twice_changes_nothing(empty_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "queue-log", str(SAMPLE), "--url", empty_db]) == 0
    first = capsys.readouterr()
    assert "imported 7 calls, 7 agent state changes, skipped 0" in first.out
    assert "left out 1 calls still open at the end of the file" in first.out
    assert "7/7" in first.err  # the progress bar
    rows, events = _count(empty_db, Interaction), _count(empty_db, EventRecord)
    assert rows == 7 and events == 31 + 7  # the calls (7+2+8+2+5+2+5), the agents
    assert _count(empty_db, EventRecord, type="agent_state_changed") == 7
    assert main(["import", "queue-log", str(SAMPLE), "--url", empty_db]) == 0
    assert "imported 0 calls, 0 agent state changes, skipped 7" in capsys.readouterr().out
    assert (_count(empty_db, Interaction), _count(empty_db, EventRecord)) == (rows, events)


def _independent(path: Path, t: float, s: float) -> dict[str, dict[str, float]]:
    """Straight from the lines: a call's arrival queue and time from its first ENTERQUEUE,
    its wait from that to its first CONNECT (answered) or to ABANDON / EXIT* (abandoned);
    calls with neither are open and left out."""
    first: dict[str, tuple[str, float]] = {}
    ends: dict[str, tuple[str, float]] = {}
    for line in path.read_text().splitlines():
        at, callid, queue, _agent, event, *_ = line.split("|")
        if event == "ENTERQUEUE":
            first.setdefault(callid, (queue, float(at)))
        elif event == "CONNECT" and callid in first:
            ends.setdefault(callid, ("A", float(at)))
        elif event in ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY") and callid in first:
            ends.setdefault(callid, ("B", float(at)))
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for callid, (kind, end) in ends.items():
        queue, start = first[callid]
        wait = end - start
        for group in ("all", queue):
            g = sums[group]
            g["N"] += 1
            if kind == "A":
                g["A"] += 1
                g["wait_A"] += wait
                g["A_T"] += wait <= t
            else:
                g["B"] += 1
                g["B_T"] += wait <= t
                g["B_S"] += wait < s
    return sums


def test_kpis_equal_an_independent_computation(
    empty_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "queue-log", str(SAMPLE), "--url", empty_db, "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["kpis", "--from", DAY, "--to", DAY, "--threshold", "20", "--short-abandon",
                 "5", "--by", "queue", "--json", "--url", empty_db]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = _independent(SAMPLE, 20.0, 5.0)
    assert set(report["groups"]) == {"deposits", "cards"}  # by arrival queue
    assert expected["all"]["N"] == 7
    for group, figures in [("all", report["all"]), *report["groups"].items()]:
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


def test_the_events_of_a_transferred_call() -> None:
    batch = queue_log.read_batch(iter(SAMPLE.read_text().splitlines(True)), UTC)
    call = next(c for c in batch.calls if c.contact_id == "ql-1796083240.14")
    kinds = [type(e).__name__ for e in call.events]
    assert kinds == ["ContactArrived", "ContactOffered", "ContactAnswered", "ContactTransferred",
                     "ContactOffered", "ContactAnswered", "ContactEnded", "WrapUpEnded"]
    transfer = call.events[3]
    assert transfer.target_queue == "loans" and transfer.agent_id == "park"  # type: ignore[attr-defined]
    out = next(c for c in batch.calls if c.contact_id == "ql-1796083520.21")
    assert [type(e).__name__ for e in out.events][-2:] == ["ContactEnded", "WrapUpEnded"]
    assert out.events[-1].at == 1796083700  # transferred out of the center: ends there
    states = [(e.agent_id, e.state) for e in batch.agent_events]
    assert states.count(("kim", "not_ready")) == 1  # PAUSE in two queues: one change


def _iso(line: str, zone: str | None) -> str:
    at, rest = line.split("|", 1)
    moment = datetime.fromtimestamp(float(at), UTC)
    if zone is None:
        return f"{moment:%Y-%m-%d %H:%M:%S}|{rest}"
    return f"{moment.astimezone(ZoneInfo(zone)).isoformat()}|{rest}"


@pytest.mark.parametrize("zone, tz", [("Asia/Seoul", "UTC"), (None, "UTC")])
def test_times_with_and_without_zone_read_the_same(zone: str | None, tz: str) -> None:
    lines = SAMPLE.read_text().splitlines(True)
    plain = queue_log.read_batch(iter(lines), UTC)
    iso = queue_log.read_batch(iter(_iso(x, zone) for x in lines), ZoneInfo(tz))
    assert iso.calls == plain.calls and iso.agent_events == plain.agent_events


def test_a_time_without_zone_is_read_on_the_tz_clock(sqlite_url: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    lines = SAMPLE.read_text().splitlines(True)
    path = tmp_path / "seoul.log"
    path.write_text("".join(_iso(x, None) for x in lines))  # UTC wall times, no zone
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    assert main(["import", "queue-log", str(path), "--url", sqlite_url, "--tz", "Asia/Seoul",
                 "--no-progress"]) == 0
    capsys.readouterr()
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        first = conn.execute(select(func.min(EventRecord.at))).scalar_one()
    engine.dispose()
    assert first == 1796083195 - 9 * 3600  # the same wall time read in Seoul: 9 h earlier


GOOD = SAMPLE.read_text().splitlines(True)


@pytest.mark.parametrize("bad, field", [
    ("17960832xx|1796083999.1|deposits|NONE|ENTERQUEUE||0101|1\n", "time"),
    ("1796083999|1796083999.1|deposits\n", "columns"),
    ("1796083999|1796083999.1|deposits|NONE|enter queue||0101|1\n", "event"),
    ("1796083999|1796083800.23|deposits|PJSIP/kim|COMPLETEAGENT|1|1|1\n", "event"),  # waiting
    ("1796083999|1796083999.1|dep osits|NONE|ENTERQUEUE||0101|1\n", "queue"),
    ("1796083999|1796083800.23|deposits|PJSIP/k!m|CONNECT|1|x|1\n", "agent"),
    ("1796083999|" + "9" * 40 + "|deposits|NONE|ENTERQUEUE||0101|1\n", "callid"),
    ("4200000000|1796083999.1|deposits|NONE|ENTERQUEUE||0101|1\n", "time"),
])
def test_a_bad_line_is_one_line_naming_it_and_nothing_is_imported(
    bad: str, field: str, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    path = tmp_path / "queue_log"
    path.write_text("".join([*GOOD, bad]))
    assert main(["import", "queue-log", str(path), "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert f"line {len(GOOD) + 1}: field {field}:" in err and err.count("\n") == 1, err
    assert "nothing imported" in err
    assert _count(sqlite_url, EventRecord) == 0


@pytest.mark.parametrize("content, message", [
    ("", "field file: the file is empty"),
    ("\n\n", "field file: the file is empty"),
    ("call_id,start_time,queue\nA1,2026-12-01T09:00:00+09:00,deposits\n",
     "line 1: field columns: expected time|callid|queue|agent|event"),
    (b"\xff\xfe1|2|3".decode("latin-1"), "not UTF-8"),
])
def test_an_empty_or_wrong_file_says_so(
    content: str, message: str, sqlite_url: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(content.encode("latin-1"))
    assert main(["import", "queue-log", str(path), "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_a_missing_file_or_zone_says_so(sqlite_url: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "queue-log", str(tmp_path / "nope"), "--url", sqlite_url]) == 2
    assert "nope: no such file" in capsys.readouterr().err
    assert main(["import", "queue-log", str(SAMPLE), "--tz", "Mars/Base", "--url",
                 sqlite_url]) == 2
    assert "--tz: unknown time zone" in capsys.readouterr().err
