"""The live center's lifecycle: started by the app's lifespan (bus, engine task, and in demo
mode the built-in telephony and the robots), stopped before the database is disposed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from app.bus import DEFAULT_CHANNEL_PREFIX, EventBus, Subscription, decode, make_bus
from app.business_hours import ClosedCheck
from app.campaign_refresh import MorningRefresh
from app.live.campaign_dialer import CampaignDialing
from app.live.center import LiveCenter
from app.live.loaders import (
    BANK_TIME_ZONE,
    agent_specs,
    arrival_profile_from_history,
    customers_by_tier,
)
from app.live.robot_customers import robot_customers
from app.live.routing_config import (
    is_demo_center,
)
from app.live.services import LiveServices, get_services
from app.live.telephony import BuiltInTelephony
from app.models import Queue

log = logging.getLogger("contactops.live")


async def start_live_center(app: Starlette) -> LiveServices:
    """Build the bus and the engine task; with ``settings.live_center``, telephony and robots too.

    Idempotent: a second call returns the running services.
    """
    existing: LiveServices | None = getattr(app.state, "live", None)
    if existing is not None and existing.started:
        return existing
    settings = app.state.settings
    if getattr(app.state, "event_bus", None) is None:
        prefix = str(getattr(app.state, "redis_channel_prefix", None) or getattr(
            settings, "redis_channel_prefix", DEFAULT_CHANNEL_PREFIX
        ))
        app.state.event_bus = make_bus(settings.redis_url, prefix)
    bus: EventBus = app.state.event_bus
    await bus.start()
    feed = bus.subscribe()  # before the log is read for today's board: no gap
    services = get_services(app)
    services.feeder = asyncio.create_task(_feed_wallboard(services, feed), name="wallboard-feed")
    center = services.center
    await center.start()
    if getattr(settings, "telephony", "builtin") == "sip":
        await _start_sip(app, services)
    elif getattr(settings, "live_center", False):
        await _start_demo(app, services)
    hour = getattr(settings, "campaign_lists_hour", None)
    if getattr(settings, "live_center", False) and hour is not None:
        services.morning_refresh = MorningRefresh(app.state.engine, hour)
        await services.morning_refresh.start()
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


async def _start_demo(app: Starlette, services: LiveServices) -> None:
    from app.adherence_feed import center_today
    from app.live.demo_agents import DemoAgents
    from app.live.forecast_rates import forecast_profile
    from app.live.telephony import ArrivalProfile, DemoDayProfile, demo_note

    db: Engine = app.state.engine
    seed = getattr(app.state, "live_seed", None)
    rng = np.random.default_rng(seed)
    queue_t = Queue.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        queue_names = [str(n) for n in conn.execute(select(queue_t.c.name)).scalars().all()]
    profile = getattr(app.state, "live_arrival_profile", None)
    if profile is None:  # the planner's forecast of the coming week, else the history's week
        today = center_today(datetime.fromtimestamp(services.center.clock.now(), UTC))
        profile = await asyncio.to_thread(forecast_profile, db, queue_names, today)
        if profile is None:
            profile = arrival_profile_from_history(db)
    if is_demo_center(app.state.settings):  # a live center whenever the demo runs
        profile = DemoDayProfile(profile or ArrivalProfile(), BANK_TIME_ZONE)
        services.wallboard.demo_note = lambda now, p=profile: demo_note(p, now)
    telephony = BuiltInTelephony(
        queue_names, rng, profile=profile,
        customers_by_tier=customers_by_tier(db),
        closed=ClosedCheck(db, profile.demo_time if isinstance(profile, DemoDayProfile) else None),
    )
    robots = DemoAgents(services.center, [s.agent_id for s in agent_specs(db)], rng)
    # the progressive and predictive campaigns, dialled by the center; robot customers answer
    dialing = CampaignDialing(db, services.center, robot_customers(app),
                              inbound_rate=telephony.profile.calls_per_hour,
                              rule_time=profile.demo_time
                              if isinstance(profile, DemoDayProfile) else lambda at: at)
    services.extras.extend([telephony, robots, dialing])
    await telephony.start(services.center)
    await robots.start()
    await dialing.start()
    log.info("live center: %d queues, %d demo agents", len(queue_names), len(robots.driven))


async def _start_sip(app: Starlette, services: LiveServices) -> None:
    """Real telephony: calls come from the SIP proxy (app.sip); no robots, no built-in calls."""
    from app.sip.adapter import SipTelephony, db_caller_lookup

    telephony = SipTelephony(db_caller_lookup(app.state.engine))
    services.extras.append(telephony)
    app.state.sip_telephony = telephony
    await telephony.start(services.center)
    log.info("live center: SIP telephony (calls from the proxy)")


async def stop_live_center(app: Starlette) -> None:
    """Stop telephony, the engine task and the bus (safe to call if nothing was started)."""
    services: LiveServices | None = getattr(app.state, "live", None)
    if services is not None:
        if services.morning_refresh is not None:
            await services.morning_refresh.stop()
            services.morning_refresh = None
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

