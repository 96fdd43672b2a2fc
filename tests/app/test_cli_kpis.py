"""`contactops kpis`: figures of stored calls, per group, JSON and table, bad arguments."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.cli import main
from app.db import make_engine
from app.eventlog import SqlEventStore
from app.models import Agent
from routing.events import ContactAbandoned, ContactAnswered, ContactArrived, ContactEnded, Event

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()


def _calls() -> list[Event]:
    """4 calls (T = 20, S = 5): VIP answered after 10 s, VIP abandoned after 25 s,
    general answered after 30 s, general abandoned after 3 s."""
    out: list[Event] = []
    for i, (tier, wait, answered) in enumerate(
        [("platinum", 10.0, True), ("private_banker", 25.0, False),
         ("core", 30.0, True), ("silver", 3.0, False)]
    ):
        at, cid = DAY + 100 * i, f"c{i}"
        out.append(ContactArrived(at=at, contact_id=cid, queue="general", tier=tier))
        if answered:
            out.append(ContactAnswered(at=at + wait, contact_id=cid, agent_id="agent01",
                                       queue="general"))
            out.append(ContactEnded(at=at + wait + 60, contact_id=cid, agent_id="agent01",
                                    queue="general"))
        else:
            out.append(ContactAbandoned(at=at + wait, contact_id=cid, queue="general"))
    # a call of the next day, outside the period
    out.append(ContactArrived(at=DAY + 86_400, contact_id="late", queue="general"))
    out.append(ContactAbandoned(at=DAY + 86_401, contact_id="late", queue="general"))
    return out


@pytest.fixture
def stored(database_url: str) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(Agent(login="agent01", name="Agent 01", site="busan"))
        session.commit()
    SqlEventStore(engine).append(_calls())
    engine.dispose()
    return database_url


def _kpis(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    code = main(["kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--threshold", "20",
                 "--short-abandon", "5", "--url", url, *extra])
    assert code == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_kpis_by_tier_json(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = _kpis(stored, capsys, "--by", "tier", "--json")
    all_calls = report["all"]
    assert isinstance(all_calls, dict)
    contract = ("offered", "answered", "abandoned", "abandon_rate", "asa_seconds", "service_level")
    assert {k: all_calls[k] for k in contract} == {
        "offered": 4, "answered": 2, "abandoned": 2, "abandon_rate": 0.5, "asa_seconds": 20.0,
        "service_level": {
            "answered_of_offered": 0.25,
            "answered_of_answered": 0.5,
            "excluding_abandoned_within_threshold": pytest.approx(1 / 3),
            "abandoned_within_threshold_as_met": 0.5,
            "excluding_short_abandons": pytest.approx(1 / 3),
        },
    }
    groups = report["groups"]
    assert isinstance(groups, dict)
    vip, general = groups["vip"], groups["general"]
    assert (vip["offered"], vip["answered"], vip["abandoned"]) == (2, 1, 1)
    assert vip["asa_seconds"] == 10.0
    assert vip["service_level"]["answered_of_offered"] == 0.5
    assert vip["service_level"]["excluding_abandoned_within_threshold"] == 0.5
    assert (general["offered"], general["answered"], general["abandoned"]) == (2, 1, 1)
    assert general["asa_seconds"] == 30.0
    assert general["service_level"]["answered_of_offered"] == 0.0
    assert general["service_level"]["excluding_short_abandons"] == 0.0
    assert general["service_level"]["abandoned_within_threshold_as_met"] == 0.5


def test_kpis_other_groupings_and_table(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    by_queue = _kpis(stored, capsys, "--by", "queue", "--json")
    assert list(by_queue["groups"]) == ["general"]  # type: ignore[call-overload]
    # the answering agent's login and site; calls no agent answered are "none"
    by_agent = _kpis(stored, capsys, "--by", "agent", "--json")["groups"]
    assert {k: g["offered"] for k, g in by_agent.items()} == {  # type: ignore[attr-defined]
        "agent01": 2, "none": 2}
    by_site = _kpis(stored, capsys, "--by", "site", "--json")["groups"]
    assert by_site["busan"]["answered"] == 2  # type: ignore[index]
    assert by_site["none"]["abandoned"] == 2  # type: ignore[index]
    by_interval = _kpis(stored, capsys, "--by", "interval", "--json")
    assert list(by_interval["groups"]) == ["2026-03-02T09:00"]  # type: ignore[call-overload]
    assert main(["kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--by", "tier",
                 "--url", stored]) == 0
    table = capsys.readouterr().out
    assert "offered" in table and "vip" in table and "25.0%" in table


@pytest.mark.parametrize("argv, message", [
    (["--from", "2026-13-01", "--to", "2026-03-02"], "--from must be a date"),
    (["--from", "2026-03-02", "--to", "yesterday"], "--to must be a date"),
    (["--from", "2026-03-03", "--to", "2026-03-02"], "is before --from"),
    (["--from", "2026-03-02", "--to", "2026-03-02", "--threshold", "-1"], "--threshold"),
])
def test_kpis_bad_arguments(
    argv: list[str], message: str, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpis", *argv, "--url", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_kpis_count_the_outbound_dials_apart(database_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Dials (the live center's campaign dialling writes them) are counted per campaign,
    never among the inbound calls offered."""
    from routing.events import DialAttempted, DialResult

    assert main(["db", "--url", database_url, "upgrade"]) == 0
    engine = make_engine(database_url)
    events: list[Event] = [*_calls()]
    for i, result in enumerate(["connected", "connected", "abandoned", "no_answer"]):
        at, cid = DAY + 5_000 + 60 * i, f"AD1-{i}"
        events.append(DialAttempted(at, cid, "Collections", str(i), None, "progressive"))
        if result == "connected":  # the customer on the line, an agent takes them
            events.append(ContactArrived(at=at + 9, contact_id=cid, queue="collections",
                                         direction="outbound"))
            events.append(ContactAnswered(at=at + 9, contact_id=cid, agent_id="agent01",
                                          queue="collections"))
        events.append(DialResult(at + 9, cid, "Collections", result, None, 1))  # type: ignore[arg-type]
    SqlEventStore(engine).append(events)
    engine.dispose()
    capsys.readouterr()  # what the upgrade printed
    report = _kpis(database_url, capsys, "--json")
    dials = report["dials"]
    assert isinstance(dials, dict) and isinstance(report["all"], dict)
    assert report["all"]["offered"] == 4  # the inbound calls only
    figures = dials["campaigns"]["Collections"]
    assert (figures["dials"], figures["connected"], figures["abandoned"],
            figures["no_answer"]) == (4, 2, 1, 1)
    assert figures["connect_rate"] == 0.5
    assert figures["dialler_abandon_rate"] == pytest.approx(1 / 3)
    assert dials["all"]["dials"] == 4
    table = _kpis_table(database_url, capsys)
    assert "Outbound dials" in table and "Collections" in table


def _kpis_table(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--url", url]) == 0
    return capsys.readouterr().out
