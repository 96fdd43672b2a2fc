"""The live path: the engine task, the telephony adapter, the demo agents, and their wiring.

The app factory's lifespan calls::

    await start_live_center(app)   # before yield
    ...
    await stop_live_center(app)    # in finally, before the database engine is disposed

``start_live_center`` always builds the event bus (Redis when
``settings.redis_url`` is set) and the engine task, and, when
``settings.live_center`` is true, also starts the built-in telephony adapter
and the demo agents. Without the lifespan (or with ``live_center`` false) the
console API still works: :func:`get_center` builds the center lazily on first
use, with no telephony and no robots, so tests can script it.

Things tests may put on ``app.state`` before the first request:
``live_clock`` (a :class:`~app.live.center.Clock`, wall clock by default),
``live_seed`` (int, the robots' and telephony's seed), ``live_arrival_profile``
(anything with ``calls_per_hour(queue, at)``; default: the bank's call history, see
:func:`arrival_profile_from_history`, else :class:`~app.live.telephony.ArrivalProfile`),
``redis_channel_prefix`` (str), ``live_routing_policy`` (a ``RoutingPolicy``; default
:func:`app.live.routing_config.live_routing_policy` of the settings).

Demo center (``demo_mode`` and ``live_center``, what ``contactops demo`` runs): agents
are selected longest-idle first, and the telephony plays a busy hour's arrival pattern
when the bank is closed (:class:`~app.live.telephony.DemoDayProfile`; the wallboard
snapshot's ``demo`` entry says so), and the queues widen to more skills as contacts wait
(:data:`app.live.routing_config.LIVE_EXPANSION`). Outside demo mode none of this applies
unless asked for: ``app.state.live_expansion`` (a mapping queue -> steps, e.g.
``LIVE_EXPANSION``) gives any center expansion steps.

On start, contacts the log left open (a restart) are closed as ``interrupted`` in the
interaction table and left out of the wallboard's replay: the new engine does not know them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from fastapi.requests import HTTPConnection
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from app.bus import DEFAULT_CHANNEL_PREFIX, EventBus, InProcessBus, Subscription, decode, make_bus
from app.db import make_writer_engine
from app.eventlog import SqlEventStore
from app.live.center import Clock, LiveCenter, ManualClock, WallClock
from app.live.routing_config import (
    LIVE_DEFAULT_GOALS,
    expansion_for,
    is_demo_center,
    live_expansion,
    live_routing_policy,
)
from app.live.wallboard import live_wallboard
from app.models import Agent, AgentSkill, Customer, Interaction, Queue
from dashboards.wallboard import WallboardState

log = logging.getLogger("contactops.live")

__all__ = [
    "Clock",
    "LiveCenter",
    "LiveServices",
    "ManualClock",
    "WallClock",
    "agent_specs",
    "agent_specs_for",
    "build_routing_engine",
    "close_interrupted",
    "get_bus",
    "get_center",
    "get_services",
    "start_live_center",
    "stop_live_center",
]

BANK_TIME_ZONE = "Asia/Seoul"
SCREEN_POP_SAMPLE = 2000
FALLBACK_QUEUE = "general"  # customers per tier the built-in telephony picks callers from
ROSTER_REFRESH_SECONDS = 30.0  # how often the wallboard re-reads the active agents


@dataclass
class LiveServices:
    """What the live routes need, kept on ``app.state.live``."""

    center: LiveCenter
    bus: EventBus
    store: SqlEventStore
    wallboard: WallboardState
    extras: list[Any] = field(default_factory=list)  # telephony adapter, demo agents
    started: bool = False  # by start_live_center (else built lazily by a request)
    feeder: asyncio.Task[None] | None = None  # bus → wallboard, started with the center
    db: Engine | None = None
    #: the event writer's own engine (``center.store``'s), disposed by stop_live_center
    writer: Engine | None = None
    roster_read_at: float = -math.inf  # time.monotonic() of the last roster read

    def roster_due(self, max_age_seconds: float = ROSTER_REFRESH_SECONDS) -> bool:
        """Whether the roster's last read is older than ``max_age_seconds``."""
        return self.db is not None and time.monotonic() - self.roster_read_at >= max_age_seconds

    def refresh_roster(self, now: float, max_age_seconds: float = ROSTER_REFRESH_SECONDS) -> None:
        """Re-read the active agents for the wallboard when the last read is older than that."""
        if self.db is None or not self.roster_due(max_age_seconds):
            return
        self.roster_read_at = time.monotonic()
        self.wallboard.set_roster(active_agent_logins(self.db), now)

    @property
    def robots(self) -> Any:
        from app.live.demo_agents import DemoAgents

        return next((x for x in self.extras if isinstance(x, DemoAgents)), None)


# --- building the engine from the database ----------------------------------------------


def _queue_config(row: Queue, expansion_table: Mapping[str, Any] | None = None) -> Any:
    from routing.events import TIERS
    from routing.policy import QueueConfig, ServiceLevelGoal

    goals = dict(LIVE_DEFAULT_GOALS)  # tiers the row leaves out: the seeded bank's goals
    for tier, goal in (row.service_level_goals or {}).items():
        if tier in TIERS and isinstance(goal, dict):
            try:
                goals[tier] = ServiceLevelGoal(float(goal["threshold_seconds"]),
                                               float(goal["target"]))
            except (KeyError, TypeError, ValueError):
                log.warning("queue %s: ignoring malformed goal for %s", row.name, tier)
    expansion = expansion_for(row.name, row.skill, expansion_table or {})
    return QueueConfig(name=row.name, skill=row.skill, expansion=expansion,
                       service_level_goals=goals)


def active_agent_logins(db: Engine) -> list[str]:
    """The logins of the database's active agents (the wallboard's roster)."""
    agent_t = Agent.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        rows = conn.execute(
            select(agent_t.c.login).where(agent_t.c.active.is_(True)).order_by(agent_t.c.login)
        ).scalars().all()
    return [str(r) for r in rows]


def agent_specs(db: Engine, login: str | None = None) -> list[Any]:
    """An ``AgentSpec`` per active agent of the database (id = login), or just ``login``'s."""
    from routing.engine import AgentSpec

    agent_t, skill_t = Agent.__table__, AgentSkill.__table__  # type: ignore[attr-defined]
    query = select(agent_t.c.id, agent_t.c.login, agent_t.c.site).where(agent_t.c.active.is_(True))
    if login is not None:
        query = query.where(agent_t.c.login == login)
    with db.connect() as conn:
        agents = conn.execute(query.order_by(agent_t.c.login)).all()
        skills = conn.execute(
            select(skill_t.c.agent_id, skill_t.c.skill, skill_t.c.proficiency)
        ).all()
    by_agent: dict[int, dict[str, int]] = {}
    for agent_pk, skill, proficiency in skills:
        by_agent.setdefault(agent_pk, {})[skill] = int(proficiency)
    specs = []
    for pk, agent_login, site in agents:
        try:
            specs.append(AgentSpec(agent_id=agent_login, skills=by_agent.get(pk, {}), site=site))
        except ValueError as exc:  # a bad row must not keep the center from starting
            log.warning("agent %s left out of routing: %s", agent_login, exc)
    return specs


def agent_specs_for(db: Engine, login: str) -> list[Any]:
    return agent_specs(db, login)


def build_routing_engine(
    db: Engine, policy: Any = None, expansion: Mapping[str, Any] | None = None
) -> Any:
    """A routing engine with the database's queues (agents are added by the center).

    ``policy``: a ``RoutingPolicy`` (default: the engine's, proficiency first);
    ``expansion``: queue name -> ``ExpansionStep`` tuple (default: none), e.g.
    :data:`app.live.routing_config.LIVE_EXPANSION`.
    """
    from routing.engine import RoutingEngine
    from routing.policy import QueueConfig, RoutingPolicy

    with Session(db) as session:
        queues = session.exec(sqlmodel_select(Queue).order_by(Queue.name)).all()
    configs = []
    for queue in queues:
        try:
            configs.append(_queue_config(queue, expansion))
        except ValueError as exc:
            log.warning("queue %s left out of routing: %s", queue.name, exc)
    # The engine needs a queue; an empty database (tests, a fresh install) gets one.
    return RoutingEngine(configs or [QueueConfig(FALLBACK_QUEUE, FALLBACK_QUEUE)],
                         policy if policy is not None else RoutingPolicy())


def local_midnight(now: float, time_zone: str = BANK_TIME_ZONE) -> float:
    local = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _customers_by_tier(db: Engine) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    table = Customer.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        tiers = conn.execute(select(table.c.value_tier).distinct()).scalars().all()
        for tier in tiers:
            ids = conn.execute(
                select(table.c.id).where(table.c.value_tier == tier).limit(SCREEN_POP_SAMPLE)
            ).scalars().all()
            out[str(tier)] = [int(i) for i in ids if i is not None]
    return out


HISTORY_DAYS = 28


def arrival_profile_from_history(
    db: Engine, days: int = HISTORY_DAYS, time_zone: str = BANK_TIME_ZONE
) -> Any:
    """The bank's arrival pattern: inbound calls per queue, local weekday and hour, per week.

    Counts the ``interaction`` rows of the last ``days`` days of history (ending at the
    latest call recorded) per UTC hour in SQL, then folds the hours onto the local week:
    ``rate[q][24 d + h] = calls of q in hour (d, h) / (days / 7)``. None without history.
    """
    from app.live.telephony import HourlyProfile

    table = Interaction.__table__  # type: ignore[attr-defined]
    dialect = db.dialect.name
    with db.connect() as conn:
        latest = conn.execute(
            select(func.max(table.c.arrived_at)).where(table.c.direction == "inbound")
        ).scalar()
        if latest is None:
            return None
        since = latest - timedelta(days=days)
        if dialect == "sqlite":
            hour = func.strftime("%Y-%m-%d %H:00:00", table.c.arrived_at)
        else:
            hour = func.date_trunc("hour", table.c.arrived_at)
        rows = conn.execute(
            select(table.c.queue, hour.label("hour"), func.count())
            .where(table.c.direction == "inbound", table.c.arrived_at > since)
            .group_by(table.c.queue, hour)
        ).all()
    zone = ZoneInfo(time_zone)
    weeks = days / 7
    rates: dict[str, list[float]] = {}
    for queue, hour_start, count in rows:
        if isinstance(hour_start, str):
            hour_start = datetime.fromisoformat(hour_start)
        if hour_start.tzinfo is None:
            hour_start = hour_start.replace(tzinfo=UTC)
        local = hour_start.astimezone(zone)
        rates.setdefault(str(queue), [0.0] * 168)[24 * local.weekday() + local.hour] += (
            int(count) / weeks)
    return HourlyProfile(rates, time_zone) if rates else None


# --- lifecycle -----------------------------------------------------------------------


def get_bus(app: Any) -> EventBus:
    """The app's bus; an in-process one if the lifespan did not build one."""
    bus = getattr(app.state, "event_bus", None)
    if bus is None:
        bus = InProcessBus()
        app.state.event_bus = bus
    return bus


def _build_services(app: Any) -> LiveServices:
    db: Engine = app.state.engine
    clock: Clock = getattr(app.state, "live_clock", None) or WallClock()
    store = SqlEventStore(db)
    bus = get_bus(app)
    settings = getattr(app.state, "settings", None)
    policy = getattr(app.state, "live_routing_policy", None) or live_routing_policy(settings)
    expansion = getattr(app.state, "live_expansion", None)
    if expansion is None:
        expansion = live_expansion(settings)
    routing = build_routing_engine(db, policy, expansion)
    # The center appends through an engine of its own: request handlers, however many,
    # can never hold the connection the single writer of the log needs.
    writer = make_writer_engine(db)
    center = LiveCenter(routing, SqlEventStore(writer) if writer is not db else store, bus, clock)
    wallboard = live_wallboard(routing.queues)  # every configured queue, with its goals
    close_interrupted(store)
    wallboard.replay(store.read_since(local_midnight(clock.now())))
    center.last_seq = store.last_seq()
    center.observers.append(lambda now, stored: wallboard.apply_all(stored))
    now = clock.now()
    for spec in agent_specs(db):
        center.preload(routing.add_agent(spec, now))
    services = LiveServices(center, bus, store, wallboard, db=db,
                            writer=writer if writer is not db else None)
    services.refresh_roster(now)
    return services


def close_interrupted(store: SqlEventStore) -> list[str]:
    """Close the interaction rows a previous run left open (``outcome = "interrupted"``).

    A new engine knows no contact, so a contact still waiting or talking in the log when
    the server stopped can never end there. No event is invented for it (nobody knows
    what the caller did); see :meth:`app.eventlog.SqlEventStore.mark_interrupted`.
    With several processes on one database, only the process that runs the center should
    start (or restart) while contacts are live; a wallboard-only process starting later
    would close the running center's contacts too.
    """
    closed = store.mark_interrupted()
    if closed:
        log.warning("live center: %d contact(s) left open by a previous run closed as "
                    "interrupted", len(closed))
    return closed


def get_services(conn: HTTPConnection | Any) -> LiveServices:
    """The app's live services, built on first use when the lifespan did not start them."""
    app = conn.app if isinstance(conn, HTTPConnection) else conn
    services: LiveServices | None = getattr(app.state, "live", None)
    if services is None:
        services = _build_services(app)
        app.state.live = services
    return services


def get_center(conn: HTTPConnection | Any) -> LiveCenter:
    return get_services(conn).center


async def start_live_center(app: Any) -> LiveServices:
    """Build the bus and the engine task; with ``settings.live_center``, telephony and robots too.

    Idempotent: a second call returns the running services.
    """
    existing: LiveServices | None = getattr(app.state, "live", None)
    if existing is not None and existing.started:
        return existing
    settings = app.state.settings
    if getattr(app.state, "event_bus", None) is None:
        prefix = getattr(app.state, "redis_channel_prefix", None) or getattr(
            settings, "redis_channel_prefix", DEFAULT_CHANNEL_PREFIX
        )
        app.state.event_bus = make_bus(settings.redis_url, prefix)
    bus: EventBus = app.state.event_bus
    await bus.start()
    feed = bus.subscribe()  # before the log is read for today's board: no gap
    services = get_services(app)
    services.feeder = asyncio.create_task(_feed_wallboard(services, feed), name="wallboard-feed")
    center = services.center
    await center.start()
    if getattr(settings, "live_center", False):
        await _start_demo(app, services)
    services.started = True
    await center.run_until(center.clock.now())  # commit the agents' registration now
    await center.submit(lambda eng, now: [])  # ... even when nothing was due
    return services


async def _feed_wallboard(services: LiveServices, feed: Subscription) -> None:
    """Fold every event on the bus into the board (other processes' too, with Redis).

    The local center's observer usually got there first; ``apply`` skips seqs it has.
    """
    try:
        async for message in feed:
            try:
                seq, event = decode(message)
            except (KeyError, TypeError, ValueError):
                continue
            services.wallboard.apply(seq, event)
    finally:
        feed.close()


async def _start_demo(app: Any, services: LiveServices) -> None:
    from app.live.demo_agents import DemoAgents
    from app.live.telephony import ArrivalProfile, BuiltInTelephony, DemoDayProfile, demo_note

    db: Engine = app.state.engine
    seed = getattr(app.state, "live_seed", None)
    rng = np.random.default_rng(seed)
    queue_t = Queue.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        queue_names = [str(n) for n in conn.execute(select(queue_t.c.name)).scalars().all()]
    profile = getattr(app.state, "live_arrival_profile", None)
    if profile is None:
        profile = arrival_profile_from_history(db)
    if is_demo_center(app.state.settings):  # a live center whenever the demo runs
        profile = DemoDayProfile(profile or ArrivalProfile(), BANK_TIME_ZONE)
        services.wallboard.demo_note = lambda now, p=profile: demo_note(p, now)
    telephony = BuiltInTelephony(
        queue_names, rng, profile=profile,
        customers_by_tier=_customers_by_tier(db),
    )
    robots = DemoAgents(services.center, [s.agent_id for s in agent_specs(db)], rng)
    services.extras.extend([telephony, robots])
    await telephony.start(services.center)
    await robots.start()
    log.info("live center: %d queues, %d demo agents", len(queue_names), len(robots.driven))


async def stop_live_center(app: Any) -> None:
    """Stop telephony, the engine task and the bus (safe to call if nothing was started)."""
    services: LiveServices | None = getattr(app.state, "live", None)
    if services is not None:
        for extra in services.extras:
            stop = getattr(extra, "stop", None)
            if stop is not None:
                await stop()
        await services.center.stop()
        feeder, services.feeder = services.feeder, None
        if feeder is not None and feeder.get_loop() is asyncio.get_running_loop():
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder
        else:  # started by another loop (several test clients on one app)
            LiveCenter._cancel_elsewhere(feeder)
    bus = getattr(app.state, "event_bus", None)
    if bus is not None:
        try:
            await bus.close()
        except RuntimeError as exc:  # its connections belong to another (test client's) loop
            log.warning("event bus not closed cleanly: %s", exc)
    if services is not None and services.writer is not None:
        services.writer.dispose()
    app.state.live = None
    app.state.event_bus = None
