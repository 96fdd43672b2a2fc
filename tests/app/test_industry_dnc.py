"""The industry do-not-call list (app/industry_dnc.py, ``contactops import dnc``): the file's
formats, a bad line named with nothing stored, a re-import that makes the list equal to the
file (twice = no change), several lists, and the agenda refusing a listed number."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from app.cli import main
from app.importers.calls import RowError
from app.industry_dnc import listed, read_numbers
from app.models import IndustryDoNotCall
from tests.app.live_helpers import as_user, live_client
from tests.app.test_console_agenda_api import OPEN, _leads, _robots


def _stored(url: str) -> set[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return {(r.source, r.number) for r in session.exec(select(IndustryDoNotCall))}
    finally:
        engine.dispose()


def test_numbers_are_read_as_people_write_them() -> None:
    lines = ["\ufeffnumber,registered_on\n", "010-1234-5678,2025-01-02\n", "\n",
             "# a comment\n", "+82 10 2222 3333\n", "０１０－４４４４－５５５５\n",
             "010-1234-5678\n"]
    assert read_numbers(lines) == {"+821012345678", "+821022223333", "+821044445555"}


def test_a_bad_line_is_named() -> None:
    with pytest.raises(RowError, match=r"line 3: field number: not a phone number: '12ab'"):
        read_numbers(["number\n", "010-1234-5678\n", "12ab\n"])


def test_import_makes_the_list_equal_to_the_file(database_url: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    first = tmp_path / "dnc.csv"
    first.write_text("number\n010-1111-2222\n010-3333-4444\n", encoding="utf-8")
    assert main(["import", "dnc", str(first), "--url", database_url]) == 0
    assert "2 numbers (2 added, 0 removed, 0 kept)" in capsys.readouterr().out
    assert main(["import", "dnc", str(first), "--url", database_url]) == 0
    assert "(0 added, 0 removed, 2 kept)" in capsys.readouterr().out
    second = tmp_path / "dnc2.csv"
    second.write_text("010-3333-4444\n010-5555-6666\n", encoding="utf-8")
    assert main(["import", "dnc", str(second), "--url", database_url]) == 0
    assert "(1 added, 1 removed, 1 kept)" in capsys.readouterr().out
    other = tmp_path / "tps.txt"
    other.write_text("+44 20 7946 0000\n+821055556666\n", encoding="utf-8")
    assert main(["import", "dnc", str(other), "--list", "GB-TPS", "--url",
                 database_url]) == 0
    assert _stored(database_url) == {
        ("KR-financial", "+821033334444"), ("KR-financial", "+821055556666"),
        ("GB-TPS", "+442079460000"), ("GB-TPS", "+821055556666")}
    engine = create_engine(database_url)
    with Session(engine) as session:
        assert listed(session, ["+821055556666", "+821011112222", ""]) == {"+821055556666"}
    engine.dispose()


def test_a_bad_file_stores_nothing(sqlite_url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "--url", sqlite_url, "upgrade"]) == 0
    bad = tmp_path / "dnc.csv"
    bad.write_text("010-1111-2222\nnot-a-number-1\n", encoding="utf-8")
    assert main(["import", "dnc", str(bad), "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert "line 2: field number" in err and "nothing imported" in err
    assert "Traceback" not in err
    assert _stored(sqlite_url) == set()
    assert main(["import", "dnc", str(tmp_path / "missing.csv"), "--url", sqlite_url]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["import", "dnc", str(bad), "--list", " ", "--url", sqlite_url]) == 2
    assert "--list" in capsys.readouterr().err


def test_the_agenda_refuses_a_number_on_an_industry_list(database_url: str,
                                                         tmp_path: Path) -> None:
    with live_client(database_url, start=OPEN, prepare=_robots(1.0)) as (client, _clock):
        ids = _leads(client)
        from datetime import UTC, datetime

        from app.industry_dnc import replace_list
        replace_list(client.app.state.engine, "KR-financial", {"+821000000023"},
                     datetime.now(UTC))
        as_user(client, "agent01")
        client.post("/api/console/login")
        key = f"lead-{ids['platinum']}"
        item = next(i for i in client.get("/api/console/agenda").json()["items"]
                    if i["key"] == key)
        assert (item["allowed"], [x["rule"] for x in item["refusals"]]) == (
            False, ["do_not_call"])
        assert "industry do-not-call list" in item["refusals"][0]["detail"]
        r = client.post(f"/api/console/agenda/items/{key}/dial")
        assert r.status_code == 409 and [x["rule"] for x in r.json()["refusals"]] == [
            "do_not_call"]
        other = next(i for i in client.get("/api/console/agenda").json()["items"]
                     if i["key"] == f"lead-{ids['gold']}")
        assert other["allowed"] is True
