"""`contactops kpis` with outbound work: the RPC, contacts-per-hour, conversion and promise
fields computed from a scripted event log and imported payments, in all and by agent/team,
JSON and table; the inbound fields as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from app.cli import main
from app.db import make_engine
from app.eventlog import SqlEventStore
from app.models import Agent, Customer, Product, ServiceStandard
from routing.events import (
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    OfferRecorded,
    PromiseToPay,
)
from tests.qa.test_outbound_kpis import _call

DAY = datetime(2024, 3, 4, 1, 0, tzinfo=UTC).timestamp()  # 10:00 in Seoul


def _script() -> list[Event]:
    """Agent a1 (team sales): 3 dials, 2 connects (1 RPC with a sale, 1 third party).
    Agent a2 (team collections): 3 dials, 2 connects (both RPC, 2 promises), 1 no answer.
    One inbound call answered by a1."""
    ev: list[Event] = []
    ev += _call("o1", DAY, "a1", "tele", party="right_party")
    ev.insert(-1, OfferRecorded(DAY + 100, "o1", "a1", "card", result="accepted",
                                customer_id="1", amount=1e6))
    ev += _call("o2", DAY + 400, "a1", "tele", party="third_party")
    ev += _call("o3", DAY + 800, "a1", "tele", result="busy")
    ev += _call("o4", DAY + 900, "a2", "coll", party="right_party")
    ev.insert(-1, PromiseToPay(DAY + 1000, "o4", "a2", "2", 300_000.0, "2024-03-08", "12"))
    ev += _call("o5", DAY + 1300, "a2", "coll", party="right_party")
    ev.insert(-1, PromiseToPay(DAY + 1400, "o5", "a2", "3", 100_000.0, "2099-01-01"))
    ev += _call("o6", DAY + 1700, "a2", "coll", result="no_answer")
    ev += [ContactArrived(DAY + 50, "in1", "general"), ContactAnswered(DAY + 55, "in1", "a1"),
           ContactEnded(DAY + 155, "in1", "a1")]
    ev += _call("o9", DAY + 86_400, "a1", "tele", party="right_party")  # the next day: out
    return ev


@pytest.fixture
def stored(database_url: str, tmp_path: Path) -> str:
    assert main(["db", "--url", database_url, "upgrade"]) == 0
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add_all([Agent(login="a1", name="A1", team="sales"),
                         Agent(login="a2", name="A2", team="collections"),
                         Customer(id=2, name="Kim"), Customer(id=3, name="Lee")])
        session.flush()
        session.add(Product(id=12, customer_id=2, kind="loan", name="Loan"))
        session.commit()
    SqlEventStore(engine).append(sorted(_script(), key=lambda e: e.at))
    engine.dispose()
    payments = tmp_path / "payments.csv"
    payments.write_text("product_id,paid_on,amount\n12,2024-03-09,200000\n", encoding="utf-8")
    assert main(["import", "payments", str(payments), "--url", database_url]) == 0
    return database_url


def _kpis(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["kpis", "--from", "2024-03-04", "--to", "2024-03-04", "--url", url,
                 *extra]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_outbound_fields_in_all_and_by_agent(stored: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    report = _kpis(stored, capsys, "--by", "agent", "--json")
    every = report["all"]
    assert isinstance(every, dict)
    assert (every["offered"], every["answered"]) == (1, 1)  # the inbound call, as before
    hours = (4 * 300 + 2 * 20) / 3600  # four connects' ring + handle, two failed dials' ring
    assert {k: every[k] for k in (
        "outbound_dials", "outbound_connects", "right_party_contacts", "third_party_contacts",
        "wrong_party_contacts", "party_unknown", "outbound_sales", "promises_to_pay",
        "promises_kept", "promises_broken", "promises_pending")} == {
        "outbound_dials": 6, "outbound_connects": 4, "right_party_contacts": 3,
        "third_party_contacts": 1, "wrong_party_contacts": 0, "party_unknown": 0,
        "outbound_sales": 1, "promises_to_pay": 2, "promises_kept": 0,
        "promises_broken": 1, "promises_pending": 1}
    assert every["outbound_work_hours"] == pytest.approx(hours)
    assert every["contacts_per_hour"] == pytest.approx(4 / hours)
    assert every["rpc_per_hour"] == pytest.approx(3 / hours)
    assert every["right_party_rate"] == pytest.approx(0.75)
    assert every["conversion"] == pytest.approx(1 / 3)
    assert every["promise_to_pay_rate"] == pytest.approx(2 / 3)
    assert every["promise_kept_ratio"] == 0.0
    assert every["kept_amount_ratio"] == pytest.approx(200_000 / 300_000)
    groups = report["groups"]
    assert isinstance(groups, dict) and sorted(groups) == ["a1", "a2"]
    a1, a2 = groups["a1"], groups["a2"]
    assert (a1["answered"], a1["right_party_contacts"], a1["conversion"]) == (1, 1, 1.0)
    assert a1["promise_to_pay_rate"] == 0.0 and a1["promise_kept_ratio"] is None
    assert a2["offered"] == 0  # an outbound-only agent is a group too, with its other KPIs
    assert a2["outbound_positive_ratio"] == 0.0 and a1["outbound_positive_ratio"] == 0.5
    assert (a2["right_party_rate"], a2["promise_to_pay_rate"]) == (1.0, 1.0)
    assert a2["contacts_per_hour"] == pytest.approx(2 / (620 / 3600))


def test_outbound_by_team_and_blank_by_queue(stored: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    teams = _kpis(stored, capsys, "--by", "team", "--json")["groups"]
    assert isinstance(teams, dict)
    assert teams["collections"]["promises_to_pay"] == 2
    assert teams["sales"]["outbound_sales"] == 1
    queues = _kpis(stored, capsys, "--by", "queue", "--json")["groups"]
    assert isinstance(queues, dict) and list(queues) == ["general"]
    assert queues["general"]["right_party_contacts"] is None


def test_the_table_shows_the_outbound_block(stored: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["kpis", "--from", "2024-03-04", "--to", "2024-03-04", "--url", stored]) == 0
    out = capsys.readouterr().out
    assert "Outbound (telesales and collections)" in out
    line = next(x for x in out.splitlines() if x.startswith("all ") and "75.0%" in x)
    assert line.split()[1:5] == ["6", "4", "3", "75.0%"]


def test_the_standards_report_reads_the_outbound_figures(stored: str) -> None:
    from datetime import date

    from app.standards_store import standards_report

    engine = make_engine(stored)
    with Session(engine) as session:
        session.add(ServiceStandard(kpi="promise_to_pay_rate", year=2024, scope="team",
                                    scope_id="collections", target=0.5, warn=0.4, alert=0.3))
        session.commit()
        center = standards_report(session, date(2024, 3, 4), date(2024, 3, 4))
        teams = standards_report(session, date(2024, 3, 4), date(2024, 3, 4), "team")
    engine.dispose()
    actual = {(x.group, x.segment, x.evaluation.kpi): x.evaluation.actual for x in center.lines}
    assert actual[("center", "all", "right_party_rate")] == pytest.approx(0.75)
    assert actual[("center", "all", "conversion")] == pytest.approx(1 / 3)
    assert actual[("center", "all", "contacts_per_hour")] == pytest.approx(4 / (1240 / 3600))
    assert [(x.group, x.evaluation.actual, x.evaluation.level) for x in teams.lines] == [
        ("collections", 1.0, "ok")]  # a team line only where a standard applies
