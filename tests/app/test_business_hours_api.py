"""Business hours and holidays per site (issue 7): administered by admins through the API
and /admin, audited, read by planners and supervisors, and used by the planner's chain
(closed intervals and holidays require nobody) and the live center (a closed queue's
calls hear the closed message)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session, select

from app.business_hours import ClosedCheck, closed_message, load_hours
from app.db import make_engine
from app.models import AdminAudit, Agent, AgentSkill, Interaction, Queue, SiteHoliday, SiteHours
from app.queries import CENTER_TZ
from app.roster_chain import ChainSpec, requirement
from app.testing import create_schema, create_user, make_client, make_settings
from routing.engine import ContactSpec
from routing.events import SelfServiceEnded
from tests.app.live_helpers import as_user

WEEKDAYS = {"weekday": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": [["09:00", "13:00"]]}


def test_admin_sets_hours_and_holidays_audited_others_read_or_are_refused(
    database_url: str,
) -> None:
    with make_client(make_settings(database_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        for name, role in (("admin", "admin"), ("plan", "planner"), ("sup", "supervisor"),
                           ("aud", "auditor"), ("agent01", "agent")):
            create_user(app, name, role)
        as_user(client, "admin")
        assert client.get("/api/admin/business-hours").json()["sites"] == {
            "seoul": {}, "busan": {}}
        res = client.put("/api/admin/business-hours/busan", json={"days": WEEKDAYS})
        assert res.status_code == 200, res.text
        assert res.json()["sites"]["busan"]["sat"] == [["09:00", "13:00"]]
        res = client.put("/api/admin/business-hours/busan",
                         json={"days": {"sat": [], "sun": None}})
        assert res.status_code == 200 and res.json()["sites"]["busan"]["sat"] == []
        assert res.json()["sites"]["busan"]["weekday"] == WEEKDAYS["weekday"]  # kept
        res = client.post("/api/admin/holidays",
                          json={"day": "2026-09-25", "name": "추석", "site": None})
        assert res.status_code == 201, res.text
        holiday_id = res.json()["id"]
        again = client.post("/api/admin/holidays", json={"day": "2026-09-25", "name": "x"})
        assert again.status_code == 409
        with Session(app.state.engine) as session:
            hours = load_hours(session)
        assert hours.holiday_dates(["busan"]) == {date(2026, 9, 25)}
        assert hours.sites["busan"]["weekday"][1].text() == "13:00-18:00"

        for name in ("plan", "sup"):  # read, never change
            as_user(client, name)
            assert client.get("/api/admin/business-hours").status_code == 200
            assert [h["name"] for h in client.get("/api/admin/holidays").json()] == ["추석"]
            assert client.put("/api/admin/business-hours/seoul",
                              json={"days": WEEKDAYS}).status_code == 403
            assert client.post("/api/admin/holidays",
                               json={"day": "2026-10-09", "name": "한글날"}).status_code == 403
            assert client.delete(f"/api/admin/holidays/{holiday_id}").status_code == 403
        for name in ("aud", "agent01"):
            as_user(client, name)
            assert client.get("/api/admin/business-hours").status_code == 403
            assert client.get("/api/admin/holidays").status_code == 403

        as_user(client, "admin")
        assert client.delete(f"/api/admin/holidays/{holiday_id}").status_code == 204
        assert client.delete(f"/api/admin/holidays/{holiday_id}").status_code == 404
        assert client.get("/api/admin/holidays").json() == []
        as_user(client, "aud")
        log = client.get("/api/audit/admin-log").json()["items"]
        actions = [i["action"] for i in log]
        assert actions.count("hours.set") == 2
        assert actions.count("holiday.add") == 1 and actions.count("holiday.delete") == 1
        with Session(app.state.engine) as session:
            rows = list(session.exec(select(AdminAudit).where(
                AdminAudit.action == "hours.set").order_by(AdminAudit.id)))  # type: ignore[arg-type]
        assert rows[1].detail["before"]["sat"] == [["09:00", "13:00"]]
        assert rows[1].detail["after"] == {"sat": [], "sun": None}


BAD_HOURS: list[tuple[dict[str, Any], list[Any]]] = [
    ({"sat": [["09:00", "25:00"]]}, ["body", "days", "sat", 0, "end"]),
    ({"sat": [["18:00", "09:00"]]}, ["body", "days", "sat", 0, "end"]),  # overnight
    ({"weekday": [["09:00", "13:00"], ["12:00", "18:00"]]}, ["body", "days", "weekday", 1, "start"]),
    ({"sat": [["9am", "13:00"]]}, ["body", "days", "sat", 0, "start"]),
    ({"caturday": [["09:00", "13:00"]]}, ["body", "days", "caturday", "[key]"]),
    ({"sat": [["09:00"]]}, ["body", "days", "sat", 0]),
    ({}, ["body", "days"]),
]


def test_bad_hours_and_holidays_are_a_422_naming_the_field_and_store_nothing(
    sqlite_url: str,
) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "admin", "admin")  # type: ignore[arg-type]
        as_user(client, "admin")
        for days, loc in BAD_HOURS:
            res = client.put("/api/admin/business-hours/seoul", json={"days": days})
            assert res.status_code == 422, res.text
            assert res.json()["errors"][0]["loc"] == loc, days
        assert client.put("/api/admin/business-hours/daegu",
                          json={"days": WEEKDAYS}).status_code == 422
        for bad, field in (({"day": "2026-02-30", "name": "x"}, "day"),
                           ({"day": "2026-02-03", "name": ""}, "name"),
                           ({"day": "2026-02-03", "name": " "}, "name"),
                           ({"day": "2026-02-03", "name": "x", "site": "daegu"}, "site")):
            res = client.post("/api/admin/holidays", json=bad)
            assert res.status_code == 422 and res.json()["errors"][0]["loc"][-1] == field
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            assert session.exec(select(SiteHours)).all() == []
            assert session.exec(select(SiteHoliday)).all() == []
            assert session.exec(select(AdminAudit)).all() == []


def _bank(session: Session, first: date, weeks: int) -> None:
    """Two agents (Seoul, Busan) on queue ``deposits``; a call every 10 minutes 09:00-18:00
    on weekdays for ``weeks`` weeks from ``first``."""
    session.add(Queue(name="deposits", skill="deposits"))
    for login, site in (("agent01", "seoul"), ("agent02", "busan")):
        agent = Agent(login=login, name=login, site=site)
        session.add(agent)
        session.flush()
        session.add(AgentSkill(agent_id=agent.id or 0, skill="deposits", proficiency=3))
    n = 0
    for d in range(weeks * 7):
        day = first + timedelta(days=d)
        if day.weekday() >= 5:
            continue
        for minute in range(9 * 60, 18 * 60, 10):
            at = datetime(day.year, day.month, day.day, tzinfo=CENTER_TZ) + timedelta(
                minutes=minute + 3)
            n += 1
            session.add(Interaction(contact_id=f"c{n}", queue="deposits", arrived_at=at,
                                    answered_at=at + timedelta(seconds=10),
                                    ended_at=at + timedelta(seconds=190), outcome="answered",
                                    handle_seconds=180.0))
    session.commit()


def test_the_planners_demand_is_zero_on_a_holiday_and_when_closed(database_url: str) -> None:
    create_schema(database_url)
    engine = make_engine(database_url)
    start = date(2026, 11, 16)  # a Monday; Wednesday 18 becomes the bank's own holiday
    spec = ChainSpec(start=start, days=7, interval_minutes=60, method="ha_4w",
                     backtest_origins=1, history_days=28)
    with Session(engine) as session:
        _bank(session, start - timedelta(days=28), 4)
        before = requirement(session, spec, "deposits")
        now = datetime.now(UTC)
        for site in ("seoul", "busan"):
            session.add(SiteHours(site=site, day_type="weekday", ranges=[["10:00", "17:00"]],
                                  updated_at=now, updated_by="t"))
        session.add(SiteHoliday(day=date(2026, 11, 18), name="창립기념일"))
        session.commit()
        after = requirement(session, spec, "deposits")
    engine.dispose()
    wednesday = slice(2 * 24, 3 * 24)
    assert sum(before[wednesday]) > 0 and sum(after[wednesday]) == 0
    monday = after[0:24]
    assert before[9] > 0 and monday[9] == 0  # 09:00: history had calls, the site opens at 10
    assert monday[10] > 0 and monday[16] > 0 and monday[17] == 0
    assert sum(after) < sum(before)


def test_the_live_center_plays_the_closed_message_when_every_site_is_closed(
    sqlite_url: str,
) -> None:
    create_schema(sqlite_url)
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        _bank(session, date(2026, 11, 2), 0)
        now = datetime.now(UTC)
        session.add(SiteHours(site="seoul", day_type="weekday", ranges=[["09:00", "18:00"]],
                              updated_at=now, updated_by="t"))
        session.add(SiteHours(site="busan", day_type="weekday", ranges=[["09:00", "18:00"]],
                              updated_at=now, updated_by="t"))
        session.add(SiteHours(site="busan", day_type="sat", ranges=[["09:00", "13:00"]],
                              updated_at=now, updated_by="t"))
        session.commit()
    closed = ClosedCheck(engine)

    def at(*parts: int) -> float:
        return datetime(*parts, tzinfo=CENTER_TZ).timestamp()  # type: ignore[misc]

    assert not closed("deposits", at(2026, 12, 4, 10, 0))  # Friday morning
    assert closed("deposits", at(2026, 12, 4, 19, 0))  # Friday evening
    assert not closed("deposits", at(2026, 12, 5, 10, 0))  # Busan takes Saturday mornings
    assert closed("deposits", at(2026, 12, 6, 10, 0))  # Sunday
    demo = ClosedCheck(engine, lambda t: at(2026, 12, 4, 10, 0))  # the demo-day clock
    assert not demo("deposits", at(2026, 12, 6, 3, 0))
    saturday = at(2026, 12, 5, 10, 0)
    fresh = ClosedCheck(engine)
    assert not fresh("deposits", saturday)
    with Session(engine) as session:  # an admin closes Busan on Saturdays
        row = session.exec(select(SiteHours).where(SiteHours.day_type == "sat")).one()
        row.ranges = []
        session.add(row)
        session.commit()
    assert not fresh("deposits", saturday + 30)  # read under a minute ago: the old hours
    assert fresh("deposits", saturday + 90)

    async def in_the_live_loop() -> tuple[bool, bool]:
        live = ClosedCheck(engine)
        live("deposits", saturday - 120)
        with Session(engine) as session:
            session.add(SiteHoliday(day=date(2026, 12, 7), name="x"))
            session.commit()
        monday = at(2026, 12, 7, 10, 0)
        first = live("deposits", monday)  # the old hours answer while the new are read
        for _ in range(100):
            if not live.refreshing:
                break
            await asyncio.sleep(0.02)
        return first, live("deposits", monday + 1)

    assert asyncio.run(in_the_live_loop()) == (False, True)
    event = closed_message(ContactSpec(contact_id="c1", queue="deposits"), 5.0)
    assert isinstance(event, SelfServiceEnded) and not event.completed
    assert event.contact_id == "c1" and event.queue == "deposits"
    engine.dispose()


def test_the_planners_forecast_shows_no_demand_when_closed(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "plan", "planner")
        with Session(app.state.engine) as session:
            _bank(session, date(2026, 10, 19), 4)
        as_user(client, "plan")
        body = {"queue": "deposits", "start": "2026-11-16", "days": 7, "interval_minutes": 60,
                "history_days": 28, "method": "ha_4w"}
        before = client.post("/api/wfm/forecast", json=body)
        assert before.status_code == 200, before.text
        with Session(app.state.engine) as session:
            session.add(SiteHoliday(day=date(2026, 11, 18), name="창립기념일", site="seoul"))
            session.add(SiteHoliday(day=date(2026, 11, 19), name="창립기념일"))
            session.commit()
        after = client.post("/api/wfm/forecast", json=body)
        assert after.status_code == 200, after.text

    def day_total(res: Any, day: str) -> float:
        return sum(r["offered_high"] for r in res.json()["intervals"]
                   if r["start"].startswith(day))

    assert day_total(before, "2026-11-19") > 0 and day_total(after, "2026-11-19") == 0
    # Busan still opens on Seoul's own holiday: its demand stays
    assert day_total(after, "2026-11-18") == day_total(before, "2026-11-18") > 0


def test_a_pbx_asks_whether_a_queue_is_open(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "admin", "admin")
        create_user(app, "pbx", "supervisor")
        create_user(app, "clerk", "agent")
        with Session(app.state.engine) as session:
            _bank(session, date(2026, 11, 2), 0)
        as_user(client, "admin")
        for site in ("seoul", "busan"):
            assert client.put(f"/api/admin/business-hours/{site}", json={"days": {
                "weekday": [["09:00", "18:00"]]}}).status_code == 200
        as_user(client, "pbx")
        url = "/api/admin/business-hours/status"
        friday_night = client.get(url, params={"queue": "deposits", "at": "2026-12-04T19:00"})
        assert friday_night.status_code == 200, friday_night.text
        assert friday_night.json() == {"queue": "deposits", "sites": ["busan", "seoul"],
                                       "open": False, "next_opening": "2026-12-07T09:00"}
        utc_morning = client.get(url, params={"queue": "deposits",
                                              "at": "2026-12-04T01:00:00Z"})  # 10:00 in Seoul
        assert utc_morning.json()["open"] is True
        assert client.get(url, params={"queue": "x" * 41}).status_code == 422
        as_user(client, "clerk")
        assert client.get(url, params={"queue": "deposits"}).status_code == 403


def test_a_queue_with_hours_of_its_own(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        create_user(app, "admin", "admin")
        create_user(app, "plan", "planner")
        with Session(app.state.engine) as session:
            _bank(session, date(2026, 11, 2), 0)
        as_user(client, "admin")
        fx = {"days": {"weekday": [["09:00", "16:00"]], "sat": []}}
        assert client.put("/api/admin/business-hours/queues/nosuch", json=fx).status_code == 404
        res = client.put("/api/admin/business-hours/queues/deposits", json=fx)
        assert res.status_code == 200, res.text
        assert res.json()["queues"] == {"deposits": fx["days"]}
        bad = client.put("/api/admin/business-hours/queues/deposits",
                         json={"days": {"sun": [["17:00", "16:00"]]}})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["loc"] == ["body", "days", "sun", 0, "end"]
        closed = ClosedCheck(app.state.engine)
        four_thirty = datetime(2026, 12, 4, 16, 30, tzinfo=CENTER_TZ).timestamp()
        assert closed("deposits", four_thirty)  # the sites are open, the queue is not
        as_user(client, "plan")
        assert client.get("/api/admin/business-hours").json()["queues"]["deposits"]
        assert client.delete("/api/admin/business-hours/queues/deposits").status_code == 403
        as_user(client, "admin")
        assert client.delete("/api/admin/business-hours/queues/deposits").status_code == 204
        assert client.delete("/api/admin/business-hours/queues/deposits").status_code == 404
        assert not ClosedCheck(app.state.engine)("deposits", four_thirty)
        with Session(app.state.engine) as session:
            actions = [a.action for a in session.exec(select(AdminAudit))]
        assert actions == ["queue_hours.set", "queue_hours.clear"]
