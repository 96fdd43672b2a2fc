"""``/reports``: a period's figures, tables, chart data and CSV export (SQLite and PostgreSQL).

Calls go through the event store on two center days; every expected figure is worked out
below by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.eventlog import SqlEventStore
from app.models import Queue
from app.pages.reports import period_of
from app.testing import create_user, login, make_client, make_settings
from routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    WrapUpEnded,
)

#: 2026-11-18 (a Wednesday), 10:00 center time (KST, UTC+9) = 01:00 UTC
T0 = datetime(2026, 11, 18, 1, 0, tzinfo=UTC).timestamp()
DAY = 86_400.0


def _call(cid: str, at: float, queue: str, tier: str, wait: float, answered: bool,
          talk: float = 100.0, wrap: float = 20.0) -> list[Event]:
    ev: list[Event] = [ContactArrived(at, cid, queue, tier)]
    if not answered:
        return [*ev, ContactAbandoned(at + wait, cid, queue)]
    return [*ev, ContactAnswered(at + wait, cid, "agent01", queue),
            ContactEnded(at + wait + talk, cid, "agent01", queue),
            WrapUpEnded(at + wait + talk + wrap, cid, "agent01")]


def _events() -> list[Event]:
    """Wednesday: cards a1 (core, 8 s, within 20), a2 (core, 25 s, not within), a3 (platinum,
    12 s: the cards VIP goal is 15 s, within), b1 (core, abandoned after 3 s);
    loans l1 (platinum, 12 s: default VIP goal 10 s, not within). Thursday: cards a4 (core,
    20 s: exactly the goal, within; 10:30 center time)."""
    ev = [*_call("a1", T0, "cards", "core", 8.0, True),
          *_call("a2", T0 + 60, "cards", "core", 25.0, True, talk=200.0),
          *_call("a3", T0 + 120, "cards", "platinum", 12.0, True),
          *_call("b1", T0 + 180, "cards", "core", 3.0, False),
          *_call("l1", T0 + 240, "loans", "platinum", 12.0, True),
          *_call("a4", T0 + DAY + 1800, "cards", "core", 20.0, True)]
    return sorted(ev, key=lambda e: e.at)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        with Session(app.state.engine) as session:
            session.add(Queue(name="cards", skill="cards", service_level_goals={
                "platinum": {"threshold_seconds": 15, "target": 0.9}}))
            session.commit()
        SqlEventStore(app.state.engine).append(_events())
        for name, role in (("qa01", "qa"), ("sup01", "supervisor"), ("plan01", "planner"),
                           ("admin01", "admin"), ("agent01", "agent")):
            create_user(app, name, role, locale="en")
        create_user(app, "qako", "qa")
        yield client


def _cells(html: str, table: str, attr: str) -> dict[str, list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    out = {}
    for key, row in re.findall(rf'<tr {attr}="([^"]+)">(.*?)</tr>', body, re.DOTALL):
        out[key] = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)
    return out


def test_periods() -> None:
    wed = date(2026, 11, 18)
    assert (period_of("day", wed).first_day, period_of("day", wed).end_day) == (
        wed, date(2026, 11, 19))
    assert period_of("week", wed).first_day == date(2026, 11, 16)  # Monday
    assert period_of("month", wed).end_day == date(2026, 12, 1)
    q = period_of("quarter", wed)
    assert (q.first_day, q.end_day) == (date(2026, 10, 1), date(2027, 1, 1))
    assert period_of("month", date(2026, 12, 5)).end_day == date(2027, 1, 1)
    assert period_of("day", wed).since == datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def test_week_report_figures(client: TestClient) -> None:
    login(client, "qa01")
    r = client.get("/reports", params={"period": "week", "date": "2026-11-18"})
    assert r.status_code == 200
    queues = _cells(r.text, "report-queues", "data-queue")
    # cards: offered 5 (a1 a2 a3 b1 a4), answered 4, abandoned 1 (20 %); within: a1, a3, a4
    # -> 3/5 = 60 %; ASA (8+25+12+20)/4 = 16.25; AHT (120+220+120+120)/4 = 145
    assert queues["cards"] == ["5", "4", "1", "20.0 %", "60.0 %", "16.2", "145.0"]
    # loans: l1 12 s against the default VIP goal 10 s -> 0 %
    assert queues["loans"] == ["1", "1", "0", "0.0 %", "0.0 %", "12.0", "120.0"]
    groups = _cells(r.text, "report-groups", "data-group")
    assert groups["vip"][:5] == ["2", "2", "0", "0.0 %", "50.0 %"]  # a3 within, l1 not
    steps = _cells(r.text, "report-steps", "data-step")
    assert steps["2026-11-18"][:3] == ["5", "4", "1"]
    assert steps["2026-11-19"][:5] == ["1", "1", "0", "0.0 %", "100.0 %"]
    data = json.loads(r.text.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert len(data["x"]) == 7 and data["offered"][2:4] == [5, 1]
    assert data["service_level"][0] is None  # Monday: no call
    assert "/static/vendor/uplot/uPlot.iife.min.js" in r.text


def test_day_report_has_intervals(client: TestClient) -> None:
    login(client, "sup01")
    r = client.get("/reports", params={"period": "day", "date": "2026-11-18"})
    assert r.status_code == 200
    steps = _cells(r.text, "report-steps", "data-step")
    assert steps == {"10:00": ["5", "4", "1", "20.0 %", "40.0 %", "14.2", "145.0"]}
    data = json.loads(r.text.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert len(data["x"]) == 48 and data["grain"] == "interval"


def test_csv_export_has_a_bom_and_every_table(client: TestClient) -> None:
    login(client, "plan01")
    base = {"period": "week", "date": "2026-11-18"}
    r = client.get("/reports/export.csv", params={**base, "table": "queues"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Queue", "Offered", "Answered", "Abandoned"]
    assert rows[1] == ["cards", "5", "4", "1", "0.2000", "0.6000", "16.2500", "145.0000"]
    steps = list(csv.reader(io.StringIO(
        client.get("/reports/export.csv", params={**base, "table": "steps"}).text)))
    assert len(steps) == 1 + 7 and steps[1][1:4] == ["0", "0", "0"] and steps[1][5] == ""
    groups = list(csv.reader(io.StringIO(
        client.get("/reports/export.csv", params={**base, "table": "groups"}).text)))
    assert [g[0] for g in groups[1:]] == ["VIP", "General"]


def test_korean_csv_and_page(client: TestClient) -> None:
    login(client, "qako")
    r = client.get("/reports/export.csv", params={"table": "groups", "date": "2026-11-18"})
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("고객") or "인입" in text.splitlines()[0]
    page = client.get("/reports", params={"date": "2026-11-18"})
    assert "보고서" in page.text and "CSV 내려받기" in page.text


@pytest.mark.parametrize("user, status", [("agent01", 403), ("admin01", 200), ("sup01", 200)])
def test_roles(client: TestClient, user: str, status: int) -> None:
    login(client, user)
    assert client.get("/reports").status_code == status
    assert client.get("/reports/export.csv", params={"table": "steps"}).status_code == status
    nav = client.get("/").text if status == 200 else ""
    if status == 200:
        assert client.get("/reports").text.count('href="/reports"') == 1
    del nav


@pytest.mark.parametrize("params, field", [
    ({"period": "year"}, "period"), ({"date": "2026-13-01"}, "date"),
    ({"date": "1900-01-01"}, "date"), ({"queue": "x" * 41}, "queue"),
])
def test_bad_input_is_a_422_naming_the_field(client: TestClient, params: dict[str, str],
                                             field: str) -> None:
    login(client, "qa01")
    r = client.get("/reports", params=params, headers={"accept": "application/json"})
    assert r.status_code == 422 and field in r.text
    r = client.get("/reports/export.csv", params={"table": "nope"},
                   headers={"accept": "application/json"})
    assert r.status_code == 422 and "table" in r.text
