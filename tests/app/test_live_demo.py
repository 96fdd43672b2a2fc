"""The demo center a newcomer walks: calls at night, fair selection, expansion, restarts, roster."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.eventlog import SqlEventStore
from app.live import build_routing_engine, get_services, start_live_center, stop_live_center
from app.live.center import ManualClock
from app.live.routing_config import (
    DEMO_SELECTION,
    LIVE_EXPANSION,
    PRODUCTION_SELECTION,
    live_expansion,
    live_routing_policy,
)
from app.live.telephony import DemoDayProfile, HourlyProfile, demo_note
from app.models import Agent, Interaction, Queue
from app.testing import create_user, make_app, make_settings
from routing.engine import AgentSpec, ContactSpec, RoutingEngine
from routing.events import ContactAnswered, ContactArrived, ContactOffered, ContactQueued
from tests.app.live_helpers import as_user, include_live_routes, live_client, seed_bank

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args: int) -> float:
    return datetime(*args, tzinfo=SEOUL).timestamp()


WED_03 = seoul(2025, 11, 26, 3, 0)  # a Wednesday, 03:00 in Seoul: the bank is closed
TEN_O_CLOCK_ONLY = HourlyProfile({
    "deposits": [600.0 if h % 24 == 10 and h < 120 else 0.0 for h in range(168)],
    "loans": [0.0] * 168,
})


# --- 1. calls at night: the demo-day clock ---------------------------------------------------


def test_demo_day_maps_closed_hours_onto_the_ten_o_clock_pattern() -> None:
    demo = DemoDayProfile(TEN_O_CLOCK_ONLY)
    assert TEN_O_CLOCK_ONLY.calls_per_hour("deposits", WED_03) == 0.0
    assert demo.calls_per_hour("deposits", WED_03) == 600.0
    assert demo.demo_time(WED_03 + 17 * 60 + 5) == seoul(2025, 11, 26, 10, 17, 5)
    assert demo.demo_time(seoul(2025, 11, 26, 20, 30)) == seoul(2025, 11, 26, 10, 30)
    assert demo.demo_time(seoul(2025, 11, 29, 14, 0)) == seoul(2025, 11, 28, 10, 0)  # Sat -> Fri
    assert demo.demo_time(seoul(2025, 11, 30, 9, 0)) == seoul(2025, 11, 28, 10, 0)  # Sun -> Fri
    business = seoul(2025, 11, 26, 14, 10)
    assert demo.demo_time(business) == business and demo.note(business) is None
    assert demo.note(WED_03) == "10:00"
    assert demo_note(demo, WED_03) == {
        "pattern_hour": "10:00", "message": "demo: calls follow the 10:00 pattern"}
    assert demo_note(TEN_O_CLOCK_ONLY, WED_03) is None


def _night_app(database_url: str, demo_mode: bool):  # type: ignore[no-untyped-def]
    app = make_app(make_settings(database_url, live_center=True, demo_mode=demo_mode))
    include_live_routes(app)
    app.state.live_clock = ManualClock(WED_03)
    app.state.live_seed = 5
    app.state.live_arrival_profile = TEN_O_CLOCK_ONLY
    seed_bank(app)
    return app


@pytest.mark.parametrize("demo_mode", [True, False])
def test_demo_center_has_calls_at_three_in_the_morning(sqlite_url: str, demo_mode: bool) -> None:
    app = _night_app(sqlite_url, demo_mode)
    with TestClient(app, follow_redirects=False) as client:
        services = client.portal.call(start_live_center, app)
        clock = app.state.live_clock
        for minute in range(1, 21):
            clock.set(WED_03 + 60 * minute)
            client.portal.call(services.center.run_until, clock.now())
        arrived = [e for _, e in services.store.replay() if isinstance(e, ContactArrived)]
        snap = services.wallboard.snapshot(clock.now())
        state = as_user(client, "agent01").get("/api/console/state").json()
        client.portal.call(stop_live_center, app)
    if demo_mode:
        assert len(arrived) > 100  # ~600 calls an hour, 20 minutes
        assert snap["demo"]["message"] == "demo: calls follow the 10:00 pattern"
        assert state["demo"] == snap["demo"]
    else:  # outside demo mode the history is followed: nothing at 03:00
        assert arrived == []
        assert snap["demo"] is None and state["demo"] is None


# --- 2. every ready agent gets calls in turn in the demo ---------------------------------------


def test_demo_policy_is_longest_idle_and_production_keeps_proficiency_first() -> None:
    assert live_routing_policy(make_settings("sqlite://", demo_mode=True, live_center=True)
                               ).selection == DEMO_SELECTION == "longest_idle"
    assert live_routing_policy(make_settings("sqlite://", live_center=True)
                               ).selection == PRODUCTION_SELECTION
    assert live_routing_policy(make_settings("sqlite://", demo_mode=True)
                               ).selection == PRODUCTION_SELECTION  # no demo telephony

    def offered_to(selection_settings) -> str:  # type: ignore[no-untyped-def]
        engine = RoutingEngine(build_queues(), live_routing_policy(selection_settings))
        engine.add_agent(AgentSpec("agent05", {"deposits": 2}), 0.0)
        engine.add_agent(AgentSpec("agent09", {"deposits": 5}), 0.0)
        engine.login("agent05", 0.0), engine.set_ready("agent05", 0.0)  # idle the longest
        engine.login("agent09", 10.0), engine.set_ready("agent09", 10.0)
        events = engine.arrive(ContactSpec("c1", "deposits"), 20.0)
        return next(e.agent_id for e in events if isinstance(e, ContactOffered))

    assert offered_to(make_settings("sqlite://", demo_mode=True, live_center=True)) == "agent05"
    assert offered_to(make_settings("sqlite://")) == "agent09"


def build_queues():  # type: ignore[no-untyped-def]
    from routing.policy import QueueConfig

    return [QueueConfig("deposits", "deposits")]


# --- 3. the live queues widen as contacts wait ---------------------------------------------------


def _seeded_queues(database_url: str):  # type: ignore[no-untyped-def]
    from app.db import make_engine
    from app.seed.agents import queue_rows
    from app.testing import create_schema

    create_schema(database_url)
    db = make_engine(database_url)
    with Session(db) as session:
        for row in queue_rows():
            session.add(Queue(**row))
        session.commit()
    return db


def test_demo_queues_expand_and_keep_the_seeded_goals(sqlite_url: str) -> None:
    from app.seed.agents import STANDARD_GOAL, VIP_GOAL, VIP_GOAL_TIERS

    db = _seeded_queues(sqlite_url)
    demo = make_settings(sqlite_url, demo_mode=True, live_center=True)
    engine = build_routing_engine(db, live_routing_policy(demo), live_expansion(demo))
    plain = build_routing_engine(db)
    db.dispose()
    vip = engine.queues["vip"]
    assert [(s.after_seconds, s.skill, s.min_proficiency) for s in vip.expansion] == [
        (20.0, "deposits", 4), (45.0, "deposits", 1)]
    assert engine.queues["fx"].expansion and not engine.queues["deposits"].expansion
    assert all(not q.expansion for q in plain.queues.values())  # outside the demo: as configured
    assert set(LIVE_EXPANSION) <= set(engine.queues)
    assert plain.queues["vip"].service_level_goals == engine.queues["vip"].service_level_goals
    for queue in engine.queues.values():
        for tier, goal in queue.service_level_goals.items():
            seeded = VIP_GOAL if tier in VIP_GOAL_TIERS else STANDARD_GOAL
            assert (goal.threshold_seconds, goal.target) == (
                seeded["threshold_seconds"], seeded["target"])

    # a VIP caller reaches a senior deposits agent after 20 s, anyone with deposits after 45 s
    engine.add_agent(AgentSpec("senior", {"deposits": 4}), 0.0)
    engine.add_agent(AgentSpec("junior", {"deposits": 1}), 0.0)
    engine.login("junior", 0.0), engine.set_ready("junior", 0.0)
    engine.arrive(ContactSpec("v1", "vip", "platinum"), 0.0)
    engine.login("senior", 1.0), engine.set_ready("senior", 1.0)
    assert engine.next_deadline() == pytest.approx(20.0)
    offers = [e for e in engine.advance(20.0) if isinstance(e, ContactOffered)]
    assert [(o.contact_id, o.agent_id) for o in offers] == [("v1", "senior")]
    engine.arrive(ContactSpec("v2", "vip", "private_banker"), 21.0)
    offers = [e for e in engine.advance(21.0 + 45.0) if isinstance(e, ContactOffered)]
    assert [(o.contact_id, o.agent_id) for o in offers] == [("v2", "junior")]


# --- 4. contacts left open by a restart -----------------------------------------------------------


def test_restart_closes_open_contacts_as_interrupted(database_url: str) -> None:
    t0 = seoul(2025, 11, 26, 11, 0)

    def leave_open_contacts(app) -> None:  # type: ignore[no-untyped-def]
        store = SqlEventStore(app.state.engine)
        store.append([
            ContactArrived(t0 - 600, "old1", "deposits", "core"),  # waiting when it stopped
            ContactQueued(t0 - 600, "old1", "deposits"),
            ContactArrived(t0 - 500, "old2", "loans", "gold"),  # talking when it stopped
            ContactAnswered(t0 - 490, "old2", "agent02", "loans"),
        ])

    with live_client(database_url, start=t0, prepare=leave_open_contacts) as (client, clock):
        services = get_services(client.app)
        snap = services.wallboard.snapshot(clock.now())
        with Session(client.app.state.engine) as session:
            rows = {r.contact_id: r for r in session.exec(select(Interaction)).all()}
    queues = {q["queue"]: q for q in snap["queues"]}
    assert queues["deposits"]["waiting"] == 0 and queues["deposits"]["longest_wait_seconds"] == 0
    assert sum(q["waiting"] for q in snap["queues"]) == 0
    assert snap["totals"]["general"]["answered"] == 1  # old2 was answered: that stays true
    assert rows["old1"].outcome == "interrupted" and rows["old1"].ended_at is None
    assert rows["old2"].outcome == "interrupted"


def test_restart_keeps_finished_contacts(sqlite_url: str) -> None:
    t0 = seoul(2025, 11, 26, 11, 0)

    def finished(app) -> None:  # type: ignore[no-untyped-def]
        from routing.events import ContactAbandoned

        SqlEventStore(app.state.engine).append([
            ContactArrived(t0 - 100, "gone", "deposits", "core"),
            ContactAbandoned(t0 - 50, "gone", "deposits"),
        ])

    with live_client(sqlite_url, start=t0, prepare=finished) as (client, clock):
        snap = get_services(client.app).wallboard.snapshot(clock.now())
        with Session(client.app.state.engine) as session:
            row = session.exec(select(Interaction)).one()
    assert row.outcome == "abandoned"
    assert snap["totals"]["general"]["abandoned"] == 1


# --- 5. every active agent is on the wallboard --------------------------------------------------


def test_wallboard_lists_every_active_agent(database_url: str) -> None:
    def more_agents(app) -> None:  # type: ignore[no-untyped-def]
        create_user(app, "agent03", "agent")
        with Session(app.state.engine) as session:
            session.add(Agent(login="agent99", name="Gone", active=False))
            session.commit()

    with live_client(database_url, prepare=more_agents) as (client, clock):
        as_user(client, "agent01")
        client.post("/api/console/login")
        client.post("/api/console/ready")
        as_user(client, "sup")
        with client.websocket_connect("/ws/wallboard") as ws:
            snap = ws.receive_json()
        # an agent added to the database while the center runs shows up on the next read
        with Session(client.app.state.engine) as session:
            session.add(Agent(login="agent04", name="New", active=True))
            session.commit()
        services = get_services(client.app)
        services.refresh_roster(clock.now(), max_age_seconds=0.0)
        later = services.wallboard.snapshot(clock.now())
    states = {a["agent_id"]: a["state"] for a in snap["agents"]}
    assert states == {"agent01": "ready", "agent02": "logged_out", "agent03": "logged_out"}
    assert snap["agent_states"] == {"ready": 1, "logged_out": 2}
    assert all(isinstance(a["since"], float) for a in snap["agents"])
    assert {a["agent_id"]: a["state"] for a in later["agents"]}["agent04"] == "logged_out"


def test_started_center_stores_every_agents_registration(sqlite_url: str) -> None:
    """Without telephony nothing is due at start; the agents' logged_out events are stored anyway."""
    app = make_app(make_settings(sqlite_url))
    include_live_routes(app)
    app.state.live_clock = ManualClock(seoul(2025, 11, 26, 11, 0))
    seed_bank(app)
    with TestClient(app) as client:
        services = client.portal.call(start_live_center, app)
        agents = {e.agent_id for _, e in services.store.replay()
                  if e.type_name == "agent_state_changed"}
        client.portal.call(stop_live_center, app)
    assert agents == {"agent01", "agent02"}



def test_mark_interrupted_leaves_history_without_events_alone(database_url: str) -> None:
    from app.db import make_engine
    from app.testing import create_schema

    create_schema(database_url)
    db = make_engine(database_url)
    with Session(db) as session:  # imported history: an answered row, no events in the log
        session.add(Interaction(contact_id="h1", queue="cards", outcome="answered",
                                arrived_at=datetime(2025, 11, 20, 1, 0, tzinfo=UTC)))
        session.commit()
    store = SqlEventStore(db)
    store.append([ContactArrived(1_764_000_000.0, "live1", "cards", "core")])
    assert store.mark_interrupted() == ["live1"]
    assert store.mark_interrupted() == []  # already closed
    with Session(db) as session:
        outcomes = {r.contact_id: r.outcome for r in session.exec(select(Interaction)).all()}
    db.dispose()
    assert outcomes == {"h1": "answered", "live1": "interrupted"}
