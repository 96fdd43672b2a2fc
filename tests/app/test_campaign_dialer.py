"""The live center dials a progressive campaign by itself, on a manual clock: dials placed
from today's list, never outside calling hours nor to a do-not-call number, entries settled,
dial rows written, abandonment counted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.campaign_dialing import pacing_figures
from app.live import get_services
from app.live.campaign_dialer import CampaignDialing
from app.live.center import ManualClock
from app.live.demo_agents import DemoAgents
from app.live.robot_customers import RobotCustomers
from app.models import (
    Agent,
    AgentSkill,
    Campaign,
    CampaignListEntry,
    ContactHistory,
    Customer,
    CustomerPhone,
    EventRecord,
    IndustryDoNotCall,
    Queue,
)
from app.queries import CENTER_TZ
from app.testing import create_user, make_app, make_settings

#: 2026-03-02 01:00 in Seoul (a Monday night: outside every calling hour)
NIGHT = datetime(2026, 3, 2, 1, 0, tzinfo=CENTER_TZ).timestamp()
#: the same day at 10:00
MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=CENTER_TZ).timestamp()
DAY = date(2026, 3, 2)
CUSTOMERS = 12
DNC_FLAG, DNC_LIST = 3, 4  # customer ids: the do-not-call flag, the industry list


def _seed(app: Any, agents: tuple[str, ...], mode: str) -> None:
    db = app.state.engine
    with Session(db) as session:
        session.add(Queue(name="collections", skill="collections"))
        session.commit()
    for name in agents:
        create_user(app, name, "agent")
    now = datetime.fromtimestamp(NIGHT, UTC)
    with Session(db) as session:
        for agent in session.exec(select(Agent)).all():
            session.add(AgentSkill(agent_id=agent.id, skill="collections", proficiency=3))
        campaign = Campaign(name="Collections 30+", type="collections", dial_mode=mode,
                            rules={}, created_at=now, updated_at=now)
        session.add(campaign)
        for i in range(1, CUSTOMERS + 1):
            session.add(Customer(id=i, name=f"Customer {i}", marketing_consent=True,
                                 do_not_call=i == DNC_FLAG))
            session.add(CustomerPhone(customer_id=i, number=f"+8210000000{i:02d}"))
        session.add(IndustryDoNotCall(source="kr", number=f"+8210000000{DNC_LIST:02d}",
                                      imported_at=now))
        session.commit()
        for i in range(1, CUSTOMERS + 1):
            session.add(CampaignListEntry(campaign_id=campaign.id, list_date=DAY, customer_id=i,
                                          score=1.0 / i, rank=i, reason="delinquent_loan",
                                          built_at=now))
        session.commit()


@contextmanager
def dialling(database_url: str, agents: tuple[str, ...] = ("agent01", "agent02"),
             mode: str = "progressive", answer_rate: float = 0.6,
             robots: bool = True) -> Iterator[tuple[TestClient, ManualClock, CampaignDialing]]:
    app = make_app(make_settings(database_url))
    clock = ManualClock(NIGHT)
    app.state.live_clock = clock
    _seed(app, agents, mode)
    with TestClient(app) as client:
        center = get_services(app).center
        if robots:
            demo = DemoAgents(center, agents, np.random.default_rng(3))
            client.portal.call(demo.start)  # type: ignore[union-attr]
        customers = RobotCustomers(rng=np.random.default_rng(5), answer_rate=answer_rate)
        dialing = CampaignDialing(app.state.engine, center, customers)
        try:
            yield client, clock, dialing
        finally:
            client.portal.call(center.stop)  # type: ignore[union-attr]


def run_for(client: TestClient, clock: ManualClock, dialing: CampaignDialing,
            seconds: int) -> None:
    """Move the clock a second at a time; the dialler's ticker every 5 s."""
    center = dialing.center
    for i in range(seconds):
        clock.advance(1.0)
        if i % 5 == 0:
            client.portal.call(dialing.tick)  # type: ignore[union-attr]
        client.portal.call(center.run_until, clock.now())  # type: ignore[union-attr]


def events_of(app: Any, kind: str) -> list[dict[str, Any]]:
    with Session(app.state.engine) as session:
        rows = session.exec(select(EventRecord).where(EventRecord.type == kind)
                            .order_by(EventRecord.seq)).all()
        return [{**r.payload, "contact_id": r.contact_id} for r in rows]


def test_campaign_is_dialled_within_calling_hours_and_entries_settle(database_url: str) -> None:
    with dialling(database_url) as (client, clock, dialing):
        app = client.app
        run_for(client, clock, dialing, 60)  # 01:00 in Seoul: the rules allow no dial
        assert events_of(app, "dial_attempted") == []
        clock.set(MORNING)
        run_for(client, clock, dialing, 900)
        attempted = events_of(app, "dial_attempted")
        results = events_of(app, "dial_result")
        assert len(attempted) >= 5
        assert {a["mode"] for a in attempted} == {"progressive"}
        dialled = {int(a["customer_id"]) for a in attempted}
        assert DNC_FLAG not in dialled and DNC_LIST not in dialled
        with Session(app.state.engine) as session:
            entries = {e.customer_id: e for e in session.exec(select(CampaignListEntry)).all()}
            rows = session.exec(select(ContactHistory)).all()
        assert entries[DNC_FLAG].status == entries[DNC_LIST].status == "skipped"
        connected = [r for r in results if r["result"] == "connected"]
        assert connected
        assert {r.reason for r in rows} <= {f"dial:campaign-{e.id}" for e in entries.values()}
        assert sum(1 for r in rows if r.outcome == "connected") == len(connected)
        done = {c for c, e in entries.items() if e.status == "done"}
        connected_customers = {int(a["customer_id"]) for a in attempted
                               if a["contact_id"] in {r["contact_id"] for r in connected}}
        assert done == connected_customers
        # the wallboard's dials panel counts them (the day since midnight in Seoul)
        panel = get_services(app).wallboard.snapshot(clock.now())["panels"]["dials"]
        assert (panel["dials"], panel["connected"]) == (len(attempted), len(connected))
        # every dial placed was within calling hours, by the log's own times
        for a in attempted:
            local = datetime.fromtimestamp(a["at"], UTC).astimezone(CENTER_TZ)
            assert 8 <= local.hour < 21


def test_a_live_answer_no_agent_takes_within_two_seconds_is_abandoned(database_url: str) -> None:
    with dialling(database_url, agents=("agent01",), answer_rate=1.0, robots=False) as (
            client, clock, dialing):
        app = client.app
        center = dialing.center
        clock.set(MORNING)
        client.portal.call(center.submit,  # type: ignore[union-attr]
                           lambda eng, now: [*eng.login("agent01", now),
                                             *eng.set_ready("agent01", now)])
        client.portal.call(dialing.tick)  # type: ignore[union-attr]
        assert len(events_of(app, "dial_attempted")) == 1  # one ready agent: one dial
        client.portal.call(center.submit,  # type: ignore[union-attr]
                           lambda eng, now: eng.set_not_ready("agent01", now, "break"))
        run_for(client, clock, dialing, 40)
        results = events_of(app, "dial_result")
        assert [r["result"] for r in results] == ["abandoned"]
        with Session(app.state.engine) as session:
            campaign = session.exec(select(Campaign)).one()
            figures = pacing_figures(session, campaign, DAY)
            row = session.exec(select(ContactHistory)).one()
            entry = session.exec(select(CampaignListEntry).where(
                CampaignListEntry.customer_id == row.customer_id)).one()
        assert row.outcome == "abandoned"
        assert entry.status == "open"  # the rules retry it (72 h after an abandoned call)
        assert (figures.dials, figures.abandoned, figures.connects) == (1, 1, 0)
        assert figures.abandon_rate == 1.0


def test_supervisor_sees_pacing_figures_and_starts_and_stops_dialling(database_url: str) -> None:
    from app.models import AdminAudit, Interaction
    from app.testing import login, make_client

    with make_client(make_settings(database_url)) as client:
        app: Any = client.app
        _seed(app, ("agent01",), "predictive")
        create_user(app, "sup", "supervisor", locale="en")
        login(client, "sup")
        today = datetime.now(UTC)
        with Session(app.state.engine) as s:
            campaign = s.exec(select(Campaign)).one()
            for i, outcome in enumerate(["answered"] * 3 + ["abandoned", "no_answer"]):
                s.add(Interaction(contact_id=f"AD1-{i}", queue="Collections 30+",
                                  direction="outbound", arrived_at=today, outcome=outcome))
            s.commit()
            cid = campaign.id
        page = client.get("/campaigns")
        assert page.status_code == 200
        row = page.text.split(f'<tr data-campaign="{cid}">')[1].split("</tr>")[0]
        cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        # dials, connects, abandoned, abandon rate (over the cap), cap, open entries today
        # (the seeded list is another day's)
        assert cells[2:9] == ["on", "5", "3", "1", "25.0 %", "3.0 %", "0"], row
        token = client.headers.get("X-CSRF-Token", "")
        stopped = client.post(f"/campaigns/{cid}/dialing",
                              data={"csrf_token": token, "action": "stop"})
        assert stopped.status_code == 303 and stopped.headers["location"].endswith("stopped")
        bad = client.post(f"/campaigns/{cid}/dialing",
                          data={"csrf_token": token, "action": "pause"})
        assert bad.status_code == 422 and "action" in bad.text
        with Session(app.state.engine) as s:
            assert s.get(Campaign, cid).active is False  # type: ignore[union-attr]
            assert s.exec(select(AdminAudit.action)).all() == ["campaign_dialing_stop"]
        assert ">Start</button>" in client.get("/campaigns").text


def _shapes(events: list[Any]) -> set[tuple[str, ...]]:
    """Each finished dial's story as the kinds of its events in order (a result named); a
    call still in talk or wrap-up when the run stopped has no end to compare yet."""
    from routing.events import DialAttempted, DialResult

    dials = {e.contact_id for e in events if isinstance(e, DialAttempted)}
    story: dict[str, list[str]] = {cid: [] for cid in dials}
    for e in events:
        cid = getattr(e, "contact_id", None)
        if cid in story:
            name = type(e).__name__
            story[cid].append(f"{name}:{e.result}" if isinstance(e, DialResult) else name)
    ends = ("WrapUpEnded", "ContactAbandoned", "DialResult:no_answer", "DialResult:busy",
            "DialResult:machine", "DialResult:invalid", "DialResult:abandoned")
    return {tuple(s) for s in story.values() if s[-1] in ends}


def test_live_campaign_and_its_simulation_tell_the_same_kind_of_story(
        sqlite_url: str) -> None:
    """The live center's dials of a campaign and the simulator's dials of the same campaign
    (its scenario read from the database, :mod:`app.campaign_scenario`) produce the same
    event types per dial, in the same order, for every outcome the live run saw."""
    from app.campaign_scenario import campaign_scenario
    from simulations.outbound import simulate_outbound
    from simulations.outbound_scenario import scenario_from_dict

    with dialling(sqlite_url, answer_rate=0.6) as (client, clock, dialing):
        app: Any = client.app
        clock.set(MORNING)
        run_for(client, clock, dialing, 900)
        live = [e for _, e in get_services(app).store.read_since(0.0)]
        with Session(app.state.engine) as session:
            data, _ = campaign_scenario(session, "Collections 30+",
                                        datetime.fromtimestamp(MORNING, UTC))
    run = simulate_outbound(scenario_from_dict({**data, "answer_rate": 0.6}), 1,
                            np.random.default_rng(2), keep_events=True)
    live_shapes, sim_shapes = _shapes(live), _shapes(run.events)
    assert ("DialAttempted", "DialResult:no_answer") in live_shapes
    connected = ("DialAttempted", "ContactArrived", "ContactQueued", "ContactOffered",
                 "ContactAnswered", "DialResult:connected", "ContactEnded", "WrapUpEnded")
    assert connected in live_shapes and connected in sim_shapes
    assert live_shapes <= sim_shapes, live_shapes - sim_shapes
    assert data["mode"] == "progressive" and data["agents"] == 2


def test_a_stopped_campaign_places_no_more_dials(sqlite_url: str) -> None:
    with dialling(sqlite_url) as (client, clock, dialing):
        app: Any = client.app
        clock.set(MORNING)
        run_for(client, clock, dialing, 120)
        placed = len(events_of(app, "dial_attempted"))
        assert placed > 0
        with Session(app.state.engine) as session:  # the supervisor's stop (/campaigns)
            campaign = session.exec(select(Campaign)).one()
            campaign.active = False
            session.add(campaign)
            session.commit()
        run_for(client, clock, dialing, 600)
        assert len(events_of(app, "dial_attempted")) == placed
        # every dial in flight at the stop ended, and was written
        assert len(events_of(app, "dial_result")) == placed
        with Session(app.state.engine) as session:
            assert len(session.exec(select(ContactHistory)).all()) == placed


def test_predictive_campaign_counts_its_abandoned_answers(database_url: str) -> None:
    """The pacer dials ahead of the agents; whatever live answer finds no agent in 2 s is
    abandoned, and the log, the dial rows and /campaigns' figures agree on the count."""
    agents = ("agent01", "agent02", "agent03")
    with dialling(database_url, agents=agents, mode="predictive", answer_rate=0.9) as (
            client, clock, dialing):
        app: Any = client.app
        clock.set(MORNING)
        run_for(client, clock, dialing, 900)
        attempted = events_of(app, "dial_attempted")
        results = [r["result"] for r in events_of(app, "dial_result")]
        assert attempted and {a["mode"] for a in attempted} == {"predictive"}
        assert not {DNC_FLAG, DNC_LIST} & {int(a["customer_id"]) for a in attempted}
        client.portal.call(dialing.tick)  # the last results written
        with Session(app.state.engine) as session:
            figures = pacing_figures(session, session.exec(select(Campaign)).one(), DAY)
            rows = session.exec(select(ContactHistory)).all()
        assert figures.dials == len(attempted)
        assert figures.abandoned == results.count("abandoned")
        assert figures.connects == results.count("connected") > 0
        assert sum(1 for r in rows if r.outcome == "abandoned") == results.count("abandoned")
