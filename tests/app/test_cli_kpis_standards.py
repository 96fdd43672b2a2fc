"""`contactops kpis`: --by team and the service standards' other KPIs as added fields of every
group (figures computed here by hand), the readable table, bad --fcr-days."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.cli import main
from app.db import make_engine
from app.eventlog import SqlEventStore
from app.models import Agent
from routing.events import (
    AgentStateChanged,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactTransferred,
    Event,
    OfferRecorded,
    SelfServiceEnded,
    SurveyAnswered,
    WrapUpEnded,
)

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
CONTRACT = ("offered", "answered", "abandoned", "abandon_rate", "asa_seconds", "service_level")


def _events() -> list[Event]:
    """a1 (team red) answers c0 and c1, a2 (team blue) answers c2; c0 and c2 are customer 7
    with the reason 'card' (c2 repeats c0 the next day... within 7 days, so c0 is not
    resolved); c1 is transferred; one cross-sell sold on c0; surveys 5 (c0) and 3 (c2); two
    self-service ends, one completed. a1 is busy 100 s of 400 s available."""
    out: list[Event] = [
        AgentStateChanged(DAY - 100, "a1", "ready"),
        AgentStateChanged(DAY + 10, "a1", "talking"),
        AgentStateChanged(DAY + 110, "a1", "ready"),
        AgentStateChanged(DAY + 300, "a1", "not_ready"),
    ]
    for cid, at, agent, customer, reason in (("c0", DAY, "a1", "7", "card"),
                                             ("c1", DAY + 1000, "a1", "8", "fees"),
                                             ("c2", DAY + 3600, "a2", "7", "card")):
        out += [ContactArrived(at, cid, "general", "core", customer_id=customer),
                ContactAnswered(at + 10, cid, agent, "general")]
        if cid == "c1":
            out += [ContactTransferred(at + 50, cid, agent, "general"),
                    ContactAnswered(at + 60, cid, "a2", "general"),
                    ContactEnded(at + 110, cid, "a2", "general"),
                    WrapUpEnded(at + 120, cid, "a2", None, reason),
                    WrapUpEnded(at + 120, cid, agent, None, None)]
        else:
            out += [ContactEnded(at + 110, cid, agent, "general"),
                    WrapUpEnded(at + 130, cid, agent, "done", reason)]
    out += [OfferRecorded(DAY + 30, "c0", "a1", "card", "cross_sell", "made"),
            OfferRecorded(DAY + 40, "c0", "a1", "card", "cross_sell", "accepted"),
            SurveyAnswered(DAY + 500, "c0", 5), SurveyAnswered(DAY + 4000, "c2", 3),
            SelfServiceEnded(DAY + 5, "s1", "general", True, 30.0),
            SelfServiceEnded(DAY + 6, "s2", "general", False, 30.0)]
    return sorted(out, key=lambda e: e.at)


@pytest.fixture
def stored(database_url: str) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(Agent(login="a1", name="A1", team="red"))
        session.add(Agent(login="a2", name="A2", team="blue"))
        session.commit()
    SqlEventStore(engine).append(_events())
    engine.dispose()
    return database_url


def _kpis(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    code = main(["kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--threshold", "20",
                 "--short-abandon", "5", "--url", url, *extra])
    assert code == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_by_team_with_the_other_kpis(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = _kpis(stored, capsys, "--by", "team", "--json")
    every = report["all"]
    assert {k: every[k] for k in CONTRACT[:3]} == {"offered": 3, "answered": 3, "abandoned": 0}
    assert every["offers_per_call"] == every["cross_sell_per_call"] == pytest.approx(1 / 3)
    assert every["transfer_rate"] == pytest.approx(1 / 3)
    assert every["first_contact_resolution"] == pytest.approx(2 / 3)  # c0 repeated by c2
    assert every["satisfaction_mean"] == 4.0 and every["satisfaction_top_two_box"] == 0.5
    assert every["self_service_ratio"] == 0.5
    # handle: c0 100 talk + 20 wrap; c1 a1 40 talk + 70 wrap, a2 50 talk + 10 wrap; c2 like c0
    assert every["aht_seconds"] == pytest.approx((120 + 170 + 120) / 3)
    assert every["talk_time_ratio"] == pytest.approx(290 / 410)
    assert every["occupancy"] == pytest.approx(100 / 400)
    groups = report["groups"]
    assert set(groups) == {"red", "blue"}  # the team of the agent who first answered
    red, blue = groups["red"], groups["blue"]
    assert (red["offered"], blue["offered"]) == (2, 1)
    assert red["first_contact_resolution"] == 0.5 and blue["first_contact_resolution"] == 1.0
    assert red["cross_sell_per_call"] == 0.5 and red["occupancy"] == pytest.approx(0.25)
    assert red["self_service_ratio"] is None  # a self-service end has no team
    assert all(k in red for k in CONTRACT)


def test_table_and_bad_fcr_days(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--by", "team",
                 "--url", stored]) == 0
    text = capsys.readouterr().out
    assert "Service standards' other KPIs" in text and "FCR" in text
    assert any(line.startswith("red") and "50.0%" in line for line in text.splitlines())
    assert main(["kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--fcr-days", "0",
                 "--url", stored]) != 0
    assert "--fcr-days" in capsys.readouterr().err
