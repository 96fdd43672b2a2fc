"""The live services' registry: what the live routes need, on ``app.state.live``, built on
first use (tests) or by the lifespan (:mod:`app.live.lifecycle`)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass, field

from fastapi.requests import HTTPConnection
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from app.bus import EventBus, InProcessBus
from app.campaign_refresh import MorningRefresh
from app.db import make_writer_engine
from app.dial_recovery import close_dials_left_ringing
from app.eventlog import SqlEventStore
from app.live.campaign_dialer import CampaignDialing
from app.live.center import Clock, LiveCenter, WallClock
from app.live.demo_agents import DemoAgents
from app.live.loaders import (
    active_agent_logins,
    agent_specs,
    build_routing_engine,
)
from app.live.robot_customers import robot_customers
from app.live.routing_config import (
    live_expansion,
    live_routing_policy,
)
from app.live.telephony import TelephonyAdapter
from app.live.wallboard import live_wallboard
from app.standards_store import stored_standards
from dashboards.wallboard import WallboardState

log = logging.getLogger("contactops.live")

ROSTER_REFRESH_SECONDS = 30.0  # how often the wallboard re-reads the active agents


@dataclass
class LiveServices:
    """What the live routes need, kept on ``app.state.live``."""

    center: LiveCenter
    bus: EventBus
    store: SqlEventStore
    wallboard: WallboardState
    extras: list[TelephonyAdapter | DemoAgents | CampaignDialing] = field(
        default_factory=list)  # the demo's parts
    #: the morning rebuild of the campaign lists (app.campaign_lists), when configured
    morning_refresh: MorningRefresh | None = None
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
    def robots(self) -> DemoAgents | None:
        return next((x for x in self.extras if isinstance(x, DemoAgents)), None)





def get_bus(app: Starlette) -> EventBus:
    """The app's bus; an in-process one if the lifespan did not build one."""
    bus = getattr(app.state, "event_bus", None)
    if bus is None:
        bus = InProcessBus()
        app.state.event_bus = bus
    return bus


def _build_services(app: Starlette) -> LiveServices:
    db: Engine = app.state.engine
    clock: Clock = getattr(app.state, "live_clock", None) or WallClock()
    store = SqlEventStore(db)
    bus = get_bus(app)
    settings = getattr(app.state, "settings", None)
    policy = getattr(app.state, "live_routing_policy", None)
    if policy is None:
        from app.routing_settings import stored_policy

        policy = live_routing_policy(settings, stored_policy(db))
    expansion = getattr(app.state, "live_expansion", None)
    if expansion is None:
        expansion = live_expansion(settings)
    routing = build_routing_engine(db, policy, expansion)
    # The center appends through an engine of its own: request handlers, however many,
    # can never hold the connection the single writer of the log needs.
    writer = make_writer_engine(db)
    center = LiveCenter(routing, SqlEventStore(writer) if writer is not db else store, bus, clock)
    wallboard = live_wallboard(routing.queues, settings,  # every configured queue, its goals
                               stored_standards(db))  # and the service standards' limits
    close_interrupted(store)
    # dials that rang when the server stopped: closed as abandoned (app.dial_recovery)
    close_dials_left_ringing(store, clock.now(), robot_customers(app).ring_timeout_seconds)
    wallboard.replay(store.read_since(wallboard.period.start(clock.now())))  # its day/window
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


def get_services(conn: HTTPConnection | Starlette) -> LiveServices:
    """The app's live services, built on first use when the lifespan did not start them."""
    app = conn.app if isinstance(conn, HTTPConnection) else conn
    services: LiveServices | None = getattr(app.state, "live", None)
    if services is None:
        services = _build_services(app)
        app.state.live = services
    return services


def get_center(conn: HTTPConnection | Starlette) -> LiveCenter:
    return get_services(conn).center


