"""The engine task: commands in order, timers at their own time, store before publish, robots."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from sqlmodel import SQLModel

from app.bus import InProcessBus, decode
from app.db import make_engine
from app.eventlog import SqlEventStore
from app.live.center import LiveCenter, ManualClock, StoreUnavailable
from app.live.demo_agents import DemoAgents, RobotProfile
from app.live.telephony import ArrivalProfile, BuiltInTelephony
from dashboards.wallboard import WallboardState
from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine, RoutingPolicy
from routing.errors import IllegalTransition, UnknownContact
from routing.events import MemoryEventStore

T0 = 1_764_000_000.0


def _engine(ring: float | None = 20.0) -> RoutingEngine:
    return RoutingEngine(
        [QueueConfig("deposits", "deposits"), QueueConfig("vip", "vip")],
        RoutingPolicy(ring_timeout_seconds=ring),
    )


def _center(store=None, ring: float | None = 20.0):  # type: ignore[no-untyped-def]
    clock = ManualClock(T0)
    center = LiveCenter(_engine(ring), store if store is not None else MemoryEventStore(),
                        InProcessBus(), clock)
    return center, clock


def test_commands_apply_in_order_store_then_publish() -> None:
    async def scenario():  # type: ignore[no-untyped-def]
        center, clock = _center()
        sub = center.bus.subscribe()
        seen_in_store: list[int] = []
        center.observers.append(lambda now, stored: seen_in_store.extend(
            s for s, _ in stored if s <= len(center.store)))
        await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t))
        await center.submit(lambda e, t: e.login("a1", t) + e.set_ready("a1", t))
        clock.advance(5)
        stored = await center.submit(lambda e, t: e.arrive(ContactSpec("c1", "deposits"), t))
        published = []
        while not sub._queue.empty():
            published.append(decode(sub.get_nowait()))
        await center.stop()
        return center, stored, published, seen_in_store

    center, stored, published, seen = asyncio.run(scenario())
    types = [e.type_name for _, e in stored]
    assert types == ["contact_arrived", "contact_queued", "contact_offered", "agent_state_changed"]
    assert all(e.at == T0 + 5 for _, e in stored)
    assert [s for s, _ in published] == list(range(1, len(center.store) + 1))
    assert [e for _, e in published] == center.store.events
    assert seen == list(range(1, len(center.store) + 1))  # observers run after the append


def test_illegal_transition_raises_and_changes_nothing() -> None:
    async def scenario():  # type: ignore[no-untyped-def]
        center, _ = _center()
        await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t))
        before = len(center.store)
        with pytest.raises(IllegalTransition, match="logged_out"):
            await center.submit(lambda e, t: e.set_ready("a1", t))
        with pytest.raises(UnknownContact):
            await center.submit(lambda e, t: e.hang_up("nope", t))
        after = len(center.store)
        await center.stop()
        return before, after

    before, after = asyncio.run(scenario())
    assert before == after == 1


def test_timers_fire_at_their_own_time_before_later_commands() -> None:
    async def scenario():  # type: ignore[no-untyped-def]
        center, clock = _center(ring=20.0)
        await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t)
                            + e.login("a1", t) + e.set_ready("a1", t))
        await center.submit(lambda e, t: e.arrive(ContactSpec("c1", "deposits"), t))
        clock.advance(100)  # the task woke late: the ring timeout still happens at T0 + 20
        await center.submit(lambda e, t: [])
        await center.stop()
        return center.store.events

    events = asyncio.run(scenario())
    timed_out = [e for e in events if e.type_name == "contact_offer_timed_out"]
    assert len(timed_out) == 1 and timed_out[0].at == T0 + 20


def test_scheduled_actions_run_in_time_order_via_run_until() -> None:
    async def scenario():  # type: ignore[no-untyped-def]
        center, _ = _center()
        center.schedule(T0 + 30, lambda e, t: e.arrive(ContactSpec("c2", "deposits"), t))
        center.schedule(T0 + 10, lambda e, t: e.arrive(ContactSpec("c1", "deposits"), t))
        center.schedule(T0 + 99, lambda e, t: e.arrive(ContactSpec("c3", "deposits"), t))
        stored = await center.run_until(T0 + 50)
        await center.stop()
        return stored, center.scheduled_count()

    stored, left = asyncio.run(scenario())
    arrivals = [(e.contact_id, e.at) for _, e in stored if e.type_name == "contact_arrived"]
    assert arrivals == [("c1", T0 + 10), ("c2", T0 + 30)] and left == 1


def test_failing_store_raises_and_keeps_events_for_next_append() -> None:
    class Flaky(MemoryEventStore):
        fail = True

        def append(self, events):  # type: ignore[no-untyped-def]
            if self.fail:
                raise OSError("disk on fire")
            return super().append(events)

    async def scenario():  # type: ignore[no-untyped-def]
        store = Flaky()
        center, _ = _center(store)
        center.append_retry_seconds = (0.0,)
        with pytest.raises(StoreUnavailable):
            await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t))
        store.fail = False
        await center.submit(lambda e, t: e.login("a1", t))
        await center.stop()
        return store.events

    events = asyncio.run(scenario())
    assert [e.state for e in events] == ["logged_out", "not_ready"]  # nothing lost


def test_center_with_sql_store_projects_and_publishes(sqlite_url: str) -> None:
    db = make_engine(sqlite_url)
    SQLModel.metadata.create_all(db)

    async def scenario():  # type: ignore[no-untyped-def]
        center, clock = _center(SqlEventStore(db))
        await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t)
                            + e.login("a1", t) + e.set_ready("a1", t))
        await center.submit(lambda e, t: e.arrive(ContactSpec("c1", "deposits", "gold"), t))
        clock.advance(3)
        await center.submit(lambda e, t: e.answer("c1", "a1", t))
        await center.stop()

    asyncio.run(scenario())
    assert [e.type_name for _, e in SqlEventStore(db).replay()][-2:] == [
        "contact_answered", "agent_state_changed"]
    db.dispose()


def test_robots_and_telephony_keep_a_center_busy_and_consistent() -> None:
    """An hour of demo traffic on a manual clock: every call ends answered or abandoned."""

    async def scenario():  # type: ignore[no-untyped-def]
        center, clock = _center()
        board = WallboardState()
        center.observers.append(lambda now, stored: board.apply_all(stored))
        agents = [f"agent{i:02d}" for i in range(1, 9)]
        await center.submit(lambda e, t: [ev for a in agents for ev in e.add_agent(
            AgentSpec(a, {"deposits": 3, "vip": 2}), t)])
        rng = np.random.default_rng(7)
        robots = DemoAgents(center, agents, rng, RobotProfile(break_probability=0.2))
        phone = BuiltInTelephony(["deposits", "vip"], rng, ArrivalProfile(
            daily_calls=200 * 24, intraday_shape=(1.0,) * 24, weekday_factor=(1.0,) * 7))
        await robots.start()
        await phone.start(center)
        robots.release("agent08")  # a person takes agent08 over before it logs in
        for minute in range(1, 91):
            clock.set(T0 + 60 * minute)
            await center.run_until(clock.now())
        await center.stop()
        return center.store.events, board, phone

    events, board, phone = asyncio.run(scenario())
    arrived = {e.contact_id for e in events if e.type_name == "contact_arrived"}
    answered = {e.contact_id for e in events if e.type_name == "contact_answered"}
    abandoned = {e.contact_id for e in events if e.type_name == "contact_abandoned"}
    assert len(arrived) == phone.calls_generated > 100
    assert answered and not answered & abandoned
    assert not any(getattr(e, "agent_id", None) == "agent08" for e in events[8:])
    assert [e.at for e in events] == sorted(e.at for e in events)  # time never goes back
    snap = board.snapshot(T0 + 5400)
    assert snap["totals"]["general"]["answered"] + snap["totals"]["vip"]["answered"] == len(
        answered)


def _demo_app(database_url: str, **settings: object):  # type: ignore[no-untyped-def]
    from app.testing import make_app, make_settings
    from tests.app.live_helpers import include_live_routes, seed_bank

    app = make_app(make_settings(database_url, live_center=True, **settings))
    include_live_routes(app)
    app.state.live_clock = ManualClock(T0)
    app.state.live_seed = 3
    app.state.live_arrival_profile = ArrivalProfile(
        daily_calls=2400.0, intraday_shape=(1.0,) * 24, weekday_factor=(1.0,) * 7,
        queue_share={"deposits": 1.0, "loans": 1.0})
    seed_bank(app)
    return app


def test_start_live_center_runs_telephony_and_robots(sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    from app.live import start_live_center, stop_live_center

    app = _demo_app(sqlite_url)
    with TestClient(app) as client:
        services = client.portal.call(start_live_center, app)
        clock = app.state.live_clock
        sub = client.portal.call(lambda: _subscribe(services.bus))
        for minute in range(1, 31):
            clock.set(T0 + 60 * minute)
            client.portal.call(services.center.run_until, clock.now())
        stored = list(services.store.replay())
        events = [e for _, e in stored]
        published = client.portal.call(lambda: _drain_seqs(sub))
        client.portal.call(stop_live_center, app)
    kinds = {e.type_name for e in events}
    assert {"contact_arrived", "contact_answered", "wrap_up_ended"} <= kinds
    # everything stored after the subscription was published, in order
    assert published and published == [seq for seq, _ in stored][-len(published):]
    assert len(published) > len(stored) - 10
    assert app.state.live is None


async def _subscribe(bus):  # type: ignore[no-untyped-def]
    return bus.subscribe()


async def _drain_seqs(sub) -> list[int]:  # type: ignore[no-untyped-def]
    out = []
    while not sub._queue.empty():
        message = sub.get_nowait()
        if message is not None:
            out.append(message["seq"])
    return out


async def _drain(sub) -> int:  # type: ignore[no-untyped-def]
    n = 0
    while not sub._queue.empty():
        if sub.get_nowait() is not None:
            n += 1
    return n


@pytest.mark.redis
def test_live_center_publishes_over_redis(sqlite_url: str, redis_url: str, redis_prefix: str) -> None:
    from fastapi.testclient import TestClient

    from app.bus import RedisBus
    from app.live import start_live_center, stop_live_center

    app = _demo_app(sqlite_url, redis_url=redis_url)
    app.state.redis_channel_prefix = redis_prefix
    with TestClient(app) as client:
        services = client.portal.call(start_live_center, app)
        assert isinstance(services.bus, RedisBus)
        sub = client.portal.call(lambda: _subscribe(services.bus))
        app.state.live_clock.set(T0 + 600)
        stored = client.portal.call(services.center.run_until, T0 + 600)
        import time

        deadline = time.monotonic() + 5
        got = 0
        while got < len(stored) and time.monotonic() < deadline:
            got += client.portal.call(lambda: _drain(sub))
            time.sleep(0.05)
        client.portal.call(stop_live_center, app)
    assert stored and got >= len(stored)


def test_arrival_profile_from_history(database_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session

    from app.live import arrival_profile_from_history
    from app.models import Interaction
    from app.testing import create_schema

    create_schema(database_url)  # the migrations (ids autoincrement on SQLite too)
    db = make_engine(database_url)
    assert arrival_profile_from_history(db) is None
    monday_10_kst = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # Monday 10:30 in Seoul
    with Session(db) as session:
        for week in range(4):
            for i in range(7):
                session.add(Interaction(
                    contact_id=f"h{week}-{i}", queue="cards",
                    arrived_at=monday_10_kst - timedelta(weeks=week, minutes=i)))
        session.add(Interaction(contact_id="o1", queue="cards", direction="outbound",
                                arrived_at=monday_10_kst))
        session.commit()
    profile = arrival_profile_from_history(db)
    assert profile.calls_per_hour("cards", monday_10_kst.timestamp()) == pytest.approx(7.0)
    assert profile.calls_per_hour("cards", monday_10_kst.timestamp() + 3600) == 0.0
    assert profile.calls_per_hour("loans", monday_10_kst.timestamp()) == 0.0
    db.dispose()


@pytest.mark.redis
def test_wallboard_of_another_process_follows_over_redis(
    sqlite_url: str, redis_url: str, redis_prefix: str
) -> None:
    """Process A runs the center; process B (same database and Redis) only serves wallboards."""
    import time

    from fastapi.testclient import TestClient

    from app.live import get_services, start_live_center, stop_live_center
    from app.testing import make_app, make_settings
    from tests.app.live_helpers import include_live_routes, seed_bank

    apps = []
    for _ in range(2):
        app = make_app(make_settings(sqlite_url, redis_url=redis_url))
        include_live_routes(app)
        app.state.live_clock = ManualClock(T0)
        app.state.redis_channel_prefix = redis_prefix
        apps.append(app)
    seed_bank(apps[0])
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        a.portal.call(start_live_center, apps[0])
        b.portal.call(start_live_center, apps[1])
        center = get_services(apps[0]).center
        a.portal.call(center.submit, lambda e, t: e.arrive(ContactSpec("x1", "deposits"), t))
        apps[0].state.live_clock.advance(30)
        a.portal.call(center.submit, lambda e, t: e.abandon("x1", t))
        board = get_services(apps[1]).wallboard
        deadline = time.monotonic() + 5
        while board.counts("general").abandoned < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        abandoned = board.counts("general").abandoned
        a.portal.call(stop_live_center, apps[0])
        b.portal.call(stop_live_center, apps[1])
    assert abandoned == 1


# --- a batch the database refuses never blocks the center ------------------------------


class _Picky(MemoryEventStore):
    """Refuses (like the database, with SQL in the message) any batch holding a "poison" id."""

    down = False

    def append(self, events):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import DataError

        batch = list(events)
        if self.down:
            raise OSError("connection lost")
        if any(getattr(e, "contact_id", None) == "poison" for e in batch):
            raise DataError("INSERT INTO event_log VALUES (%(p)s)", {"p": "poison"},
                            Exception("value out of range"))
        return super().append(batch)


def _arrived(contact_id: str):  # type: ignore[no-untyped-def]
    from routing.events import ContactArrived

    return lambda e, t: [ContactArrived(at=t, contact_id=contact_id, queue="deposits")]


def test_a_refused_batch_is_dropped_and_later_batches_are_stored() -> None:
    from app.live.center import EventsRefused

    async def scenario():  # type: ignore[no-untyped-def]
        store = _Picky()
        center, _ = _center(store)
        center.append_retry_seconds = (0.0, 0.0)
        with pytest.raises(EventsRefused) as refused:
            await center.submit(_arrived("poison"), keep=False)
        stored = [await center.submit(_arrived(f"ok{i}"), keep=False) for i in range(3)]
        login = await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t))
        await center.stop()
        return refused.value, stored, login, store.events, center.last_seq

    refused, stored, login, events, last_seq = asyncio.run(scenario())
    assert "SQL" not in str(refused) and "INSERT" not in str(refused) and not refused.kept
    assert [s[0][0] for s in stored] == [1, 2, 3] and login and last_seq == 4
    assert "poison" not in [getattr(e, "contact_id", None) for e in events]


def test_kept_engine_events_the_database_refuses_are_dropped_not_retried_forever() -> None:
    from routing.events import ContactArrived

    async def scenario():  # type: ignore[no-untyped-def]
        store = _Picky()
        center, _ = _center(store)
        center.append_retry_seconds = (0.0,)
        center.preload([ContactArrived(at=T0, contact_id="poison", queue="deposits")])
        first = await center.submit(_arrived("ok1"))
        second = await center.submit(_arrived("ok2"))
        await center.stop()
        return first, second, store.events

    first, second, events = asyncio.run(scenario())
    assert [e.contact_id for _, e in first] == ["ok1"] and [s for s, _ in second] == [2]
    assert [e.contact_id for e in events] == ["ok1", "ok2"]


def test_unavailable_store_drops_external_events_but_keeps_engine_events() -> None:
    async def scenario():  # type: ignore[no-untyped-def]
        store = _Picky()
        center, _ = _center(store)
        center.append_retry_seconds = (0.0,)
        store.down = True
        with pytest.raises(StoreUnavailable) as external:
            await center.submit(_arrived("ext1"), keep=False)
        with pytest.raises(StoreUnavailable) as engine_side:
            await center.submit(lambda e, t: e.add_agent(AgentSpec("a1", {"deposits": 3}), t))
        store.down = False
        await center.submit(_arrived("ext1"), keep=False)  # the client's retry
        await center.stop()
        return external.value, engine_side.value, store.events

    external, engine_side, events = asyncio.run(scenario())
    assert not external.kept and "will not be stored" in str(external)
    assert engine_side.kept and "will be stored" in str(engine_side)
    assert [e.type_name for e in events] == ["agent_state_changed", "contact_arrived"]
    assert [getattr(e, "contact_id", None) for e in events].count("ext1") == 1  # no duplicate


@pytest.mark.parametrize("bad", [{"contact_id": 10**30}, {"contact_id": "a\x00b"},
                                 {"queue": "q" * 41}])
def test_sql_store_refusal_leaves_the_center_working(database_url: str, bad: dict) -> None:
    from app.live.center import EventsRefused
    from routing.events import ContactArrived

    db = make_engine(database_url)
    SQLModel.metadata.create_all(db)

    async def scenario():  # type: ignore[no-untyped-def]
        center, _ = _center(SqlEventStore(db))
        center.append_retry_seconds = (0.0, 0.0)
        fields = {"contact_id": "c1", "queue": "deposits"} | bad
        with pytest.raises(EventsRefused) as refused:
            await center.submit(lambda e, t: [ContactArrived(at=t, **fields)], keep=False)
        ok = await center.submit(_arrived("c2"), keep=False)
        await center.stop()
        return refused.value, ok

    refused, ok = asyncio.run(scenario())
    assert refused.field in bad and ok and ok[0][1].contact_id == "c2"
    assert [e.contact_id for _, e in SqlEventStore(db).replay()] == ["c2"]
    db.dispose()


def test_database_refusal_past_the_checks_is_classified_as_content(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the store's own checks miss it, a value the database refuses (SQLite: an
    integer beyond 64 bits; PostgreSQL: a NUL in text) drops that batch only, without SQL."""
    import app.eventlog
    from app.live.center import EventsRefused
    from routing.events import ContactArrived

    monkeypatch.setattr(app.eventlog, "check_storable", lambda event: None)
    db = make_engine(database_url)
    SQLModel.metadata.create_all(db)
    bad = 10**30 if db.dialect.name == "sqlite" else "a\x00b"

    async def scenario():  # type: ignore[no-untyped-def]
        center, _ = _center(SqlEventStore(db))
        center.append_retry_seconds = (0.0, 0.0)
        with pytest.raises(EventsRefused) as refused:
            await center.submit(
                lambda e, t: [ContactArrived(at=t, contact_id=bad, queue="deposits")], keep=False)
        ok = await center.submit(_arrived("c2"), keep=False)
        await center.stop()
        return refused.value, ok

    refused, ok = asyncio.run(scenario())
    assert "INSERT" not in str(refused) and "SQL" not in str(refused)
    assert ok and ok[0][1].contact_id == "c2"
    db.dispose()


# --- an unavailable store never holds the queue of commands up for long -----------------


class _Down(MemoryEventStore):
    """Unavailable until told otherwise; counts the append attempts."""

    down = True
    attempts = 0

    def append(self, events):  # type: ignore[no-untyped-def]
        self.attempts += 1
        if self.down:
            raise OSError("connection refused")
        return super().append(events)


def test_retries_stop_at_the_budget_then_queued_commands_fail_fast() -> None:
    async def scenario():  # type: ignore[no-untyped-def]
        store = _Down()
        center, _ = _center(store)
        center.append_retry_seconds = (0.01,) * 1000  # would take 10 s and 1001 attempts
        center.append_budget_seconds = 0.05
        with pytest.raises(StoreUnavailable):
            await center.submit(_arrived("first"), keep=False)
        first = store.attempts
        queued = [asyncio.ensure_future(center.submit(_arrived(f"c{i}"), keep=False))
                  for i in range(20)]
        outcomes = await asyncio.gather(*queued, return_exceptions=True)
        failing = store.attempts - first
        store.down = False
        stored = await center.submit(_arrived("back"), keep=False)
        down_after = center.store_down
        await center.stop()
        return first, outcomes, failing, stored, down_after, store.events

    first, outcomes, failing, stored, down_after, events = asyncio.run(scenario())
    assert 2 <= first < 20  # retried, but only within the budget
    assert all(isinstance(o, StoreUnavailable) and not o.kept for o in outcomes)
    assert failing == 20  # one attempt each while the store is known to be down
    assert [e.contact_id for _, e in stored] == ["back"] and not down_after
    assert [e.contact_id for e in events] == ["back"]  # the refused ones were never stored


def test_appends_run_on_the_centers_own_thread() -> None:
    import threading

    threads: set[str] = set()

    class Where(MemoryEventStore):
        def append(self, events):  # type: ignore[no-untyped-def]
            threads.add(threading.current_thread().name)
            return super().append(events)

    async def scenario():  # type: ignore[no-untyped-def]
        store = Where()
        center, _ = _center(store)
        for i in range(3):
            await center.submit(_arrived(f"c{i}"), keep=False)
        await center.stop()

    asyncio.run(scenario())
    assert len(threads) == 1 and next(iter(threads)).startswith("contactops-event-store")

