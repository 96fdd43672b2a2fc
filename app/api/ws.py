"""Websockets of the live center: ``/ws/wallboard`` (supervisors) and ``/ws/agent`` (agents).

Both send JSON text messages.

``/ws/wallboard[?after=<seq>]``
    first ``{"type": "snapshot", "seq", "version", "epoch", "at", "time_zone", "period",
    "service_level_definition", "queues": [...], "totals": {"vip", "general", "all"},
    "agents": [...], "agent_states": {...}, "occupancy", "chart", "panels", "demo"}`` (see
    :class:`dashboards.wallboard.WallboardState`), then ``{"type": "event", "seq", "event"}``
    (several queued at once go in one ``{"type": "events", "items": [...]}`` frame)
    for every stored event after ``after`` (the last seq the client saw: a reconnect, or a
    server restart, resumes without a gap; at most :data:`MAX_REPLAY`, read from the log)
    or, without ``after``, after the snapshot; then each event as it is stored, and every
    :data:`SNAPSHOT_SECONDS` a ``{"type": "delta", "version", "base_version", ...}``
    (:mod:`dashboards.deltas`) from the picture the socket holds to the current one (waits
    grow even when nothing happens). ``seq`` is the event log's: it only grows, across
    restarts and server processes; a restarted server's figures are its replay of the log,
    and a new ``epoch`` tells the client so (it always starts from the snapshot).

``/ws/agent``
    first ``{"type": "state", ...}`` (the console state, as ``GET /api/console/state``),
    then for each event about this agent or its contact ``{"type": "event", ...}``
    followed by the new state; an offer also sends ``{"type": "offer", "contact": {...}}``
    (what the screen pop needs). A contact this agent transferred to another agent who did
    not answer in time sends ``{"type": "transfer_timed_out", "seq", "event"}``: the call
    went back to the queue.

A subscriber that falls too far behind gets a fresh snapshot/state and goes on.

Both re-check the login behind the socket every :data:`SESSION_CHECK_SECONDS` (the
server-side session row, as every HTTP request does) and close with code 1008
("session ended") once it no longer admits the socket: after a logout, a password reset
or change, the session's expiry, or the user's deactivation or change of role. Database
work (the handshake's login check, the agent lookup, the re-checks and the wallboard's
roster) runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect, status
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.console import agent_login, console_state
from app.api.errors import Forbidden
from app.auth.cookies import SESSION_COOKIE
from app.auth.guards import require_role_ws, ws_session_allowed
from app.live import LiveServices, active_agent_logins, get_services
from app.live.wallboard import (
    ADHERENCE_SECONDS,
    COACHING_SECONDS,
    FORECAST_SECONDS,
    WallboardFeed,
    coaching_panel,
    read_adherence,
    read_coaching,
    read_forecast,
)
from app.models import User
from routing.events import Event

log = logging.getLogger("contactops.wallboard")

router = APIRouter(tags=["live"])

SNAPSHOT_SECONDS = 1.0
#: How many of its own transfers to an agent an agent's socket remembers (to tell the
#: agent when the target did not answer).
MAX_HANDED_OVER = 64
#: How often an open socket re-checks its session (two primary-key reads in a worker
#: thread): a revoked session's socket closes within about this long.
SESSION_CHECK_SECONDS = 3.0
SESSION_ENDED = "session ended"

SupervisorWs = Annotated[User, Depends(require_role_ws("supervisor"))]
AgentWs = Annotated[User, Depends(require_role_ws("agent"))]


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


#: One check of a session's cookie shared by every socket of that session opened on this
#: app: key -> (when it started, its answer); reused for half a check period.
_SESSION_CHECKS: dict[tuple[int, str, tuple[str, ...]], tuple[float, asyncio.Future[bool | None]]] = {}


async def session_still_allowed(websocket: WebSocket, roles: tuple[str, ...]) -> bool:
    """False once the socket's session no longer admits ``roles`` (True if the database
    could not tell: the next check decides).

    The sockets of one session (a wall of screens on one login) share one database check
    made within the last half :data:`SESSION_CHECK_SECONDS`, so a revoked session's sockets
    all close within about 1.5 check periods, and 200 screens cost one read, not 200."""
    key = (id(websocket.app), websocket.cookies.get(SESSION_COOKIE, ""), roles)
    started = time.monotonic()
    entry = _SESSION_CHECKS.get(key)
    loop = asyncio.get_running_loop()
    if entry is None or started - entry[0] >= SESSION_CHECK_SECONDS / 2 \
            or entry[1].get_loop() is not loop:
        if len(_SESSION_CHECKS) > 10_000:
            _SESSION_CHECKS.clear()
        check = asyncio.ensure_future(run_in_threadpool(ws_session_allowed, websocket, *roles))
        entry = _SESSION_CHECKS[key] = (started, check)
    allowed = await asyncio.shield(entry[1])
    return allowed is not False


async def _pump(
    websocket: WebSocket,
    on_message: Callable[[dict[str, Any]], Awaitable[None]],
    on_tick: Callable[[], Awaitable[None]],
    on_lag: Callable[[], Awaitable[None]],
    roles: tuple[str, ...],
    on_batch: Callable[[list[dict[str, Any]]], Awaitable[None]] | None = None,
) -> None:
    """Drive one socket: ``on_lag`` first, then ``on_message`` per bus message (or, with
    ``on_batch``, every message already queued at once: a socket that fell behind catches
    up in one frame), ``on_tick`` every :data:`SNAPSHOT_SECONDS`."""
    services = get_services(websocket)
    sub = services.bus.subscribe()
    receiver = asyncio.create_task(_drain(websocket))
    try:
        await on_lag()  # the first picture
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + SNAPSHOT_SECONDS
        next_check = loop.time() + SESSION_CHECK_SECONDS
        while not receiver.done():
            if loop.time() >= next_check:
                next_check = loop.time() + SESSION_CHECK_SECONDS
                if not await session_still_allowed(websocket, roles):
                    await websocket.close(code=status.WS_1008_POLICY_VIOLATION,
                                          reason=SESSION_ENDED)
                    return
            message: dict[str, Any] | None | str
            try:
                wake = min(next_tick, next_check)
                async with asyncio.timeout(max(0.0, wake - loop.time())):
                    message = await sub.get()
            except TimeoutError:
                message = "tick" if loop.time() >= next_tick else "check"
            if message == "check":
                continue
            if message == "tick":
                next_tick = loop.time() + SNAPSHOT_SECONDS
                await on_tick()
            elif message is None:  # lagged: start over from a fresh picture
                sub = services.bus.subscribe()
                await on_lag()
            else:
                assert isinstance(message, dict)
                if on_batch is None:
                    await on_message(message)
                    continue
                await asyncio.sleep(BATCH_SECONDS)  # let a burst gather: one frame for it
                batch, lagged = _drain_queued(sub, message)
                await on_batch(batch)
                if lagged:
                    sub = services.bus.subscribe()
                    await on_lag()
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        sub.close()
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiver


def wallboard_feed(websocket: WebSocket, services: LiveServices) -> WallboardFeed:
    """The process's shared wallboard feed (one picture per tick for every socket)."""
    feed: WallboardFeed | None = getattr(websocket.app.state, "wallboard_feed", None)
    if feed is None or feed.state is not services.wallboard:
        feed = WallboardFeed(services.wallboard)
        websocket.app.state.wallboard_feed = feed
    return feed


#: Events sent in one frame at most (a socket behind catches up in few frames).
MAX_BATCH = 200
#: A wallboard socket gathers the events of this long into one frame: at 50 events/s
#: and 200 screens that is ~2,000 frames a second instead of 10,000, for 0.1 s more delay.
BATCH_SECONDS = 0.1


def _drain_queued(sub: Any, first: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """``first`` and the messages already queued behind it; True if the queue ended lagged."""
    batch = [first]
    while len(batch) < MAX_BATCH:
        try:
            queued = sub.get_nowait()
        except asyncio.QueueEmpty:
            return batch, False
        if queued is None:
            return batch, True
        batch.append(queued)
    return batch, False


@router.websocket("/ws/wallboard")
async def wallboard_ws(
    websocket: WebSocket, user: SupervisorWs,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> None:
    """``?after=<seq>``: the last event seq the client saw (it resumes after a reconnect)."""
    services = get_services(websocket)
    feed = wallboard_feed(websocket, services)
    await websocket.accept()
    sent: dict[str, Any] = {"seq": 0, "version": None, "after": after}

    async def picture(min_seq: int = 0) -> dict[str, Any]:
        now = services.center.clock.now()
        await refresh_roster(services, now)  # agents added to the database since show up too
        refresh_extras(services, feed, now)
        return feed.current(now, min_seq)

    async def snapshot() -> None:
        """A whole picture, then every stored event after what the client saw (from the
        log, so nothing is missed across a reconnect or a restart), then live ones."""
        shown = await picture(services.wallboard.last_seq)
        await websocket.send_text(feed.snapshot_text)
        sent["version"] = shown["version"]
        base = shown["seq"] if sent["after"] is None else min(sent["after"], shown["seq"])
        sent["after"] = None
        sent["seq"] = max(sent["seq"], base)
        for seq, event in await run_in_threadpool(_stored_after, services, sent["seq"]):
            await websocket.send_text(feed.event_text(
                {"seq": seq, "event": event.to_json()}))
            sent["seq"] = seq

    async def on_tick() -> None:
        await picture()
        text = feed.message_since(sent["version"])
        if text is not None:
            await websocket.send_text(text)
            sent["version"] = feed.version

    async def on_message(message: dict[str, Any]) -> None:
        await on_batch([message])

    async def on_batch(messages: list[dict[str, Any]]) -> None:
        """One event: ``{"type": "event", ...}``; several queued at once:
        ``{"type": "events", "items": [event messages]}``."""
        texts = []
        for message in messages:
            if int(message["seq"]) <= sent["seq"]:
                continue
            sent["seq"] = int(message["seq"])
            texts.append(feed.event_text(message))
        if len(texts) == 1:
            await websocket.send_text(texts[0])
        elif texts:
            await websocket.send_text('{"type": "events", "items": [' + ", ".join(texts) + "]}")

    await _pump(websocket, on_message, on_tick, snapshot, ("supervisor",), on_batch)


#: Events a (re)connecting wallboard is sent from the log at most (the newest ones).
MAX_REPLAY = 500


def _stored_after(services: LiveServices, seq: int) -> list[tuple[int, Event]]:
    """The newest :data:`MAX_REPLAY` stored events after ``seq``, oldest first."""
    last = services.store.last_seq()
    return list(services.store.read(max(seq, last - MAX_REPLAY), limit=MAX_REPLAY))


def refresh_extras(services: LiveServices, feed: WallboardFeed, now: float) -> None:
    """Adherence and today's forecast, re-read in worker threads when due (never awaited
    here: a forecast fit must not hold the socket)."""
    db = services.db
    if db is None:
        return
    clock = time.monotonic()
    if clock - feed.adherence_read_at >= ADHERENCE_SECONDS:
        feed.adherence_read_at = clock

        async def adherence() -> None:
            try:
                services.wallboard.adherence = await run_in_threadpool(read_adherence, db, now)
            except (SQLAlchemyError, ValueError) as exc:
                log.warning("wallboard: adherence not read: %s", exc)

        _background(adherence())
    panel = coaching_panel(services.wallboard)
    if panel is not None and clock - feed.coaching_read_at >= COACHING_SECONDS:
        feed.coaching_read_at = clock

        async def coaching() -> None:
            try:
                panel.items = await run_in_threadpool(read_coaching, db, now)
            except SQLAlchemyError as exc:
                log.warning("wallboard: coaching follow-ups not read: %s", exc)

        _background(coaching())
    if clock - feed.forecast_read_at >= FORECAST_SECONDS:
        feed.forecast_read_at = clock
        queues = sorted(services.wallboard.queues)

        async def forecast() -> None:
            try:
                services.wallboard.forecast = await run_in_threadpool(
                    read_forecast, db, queues, now)
            except SQLAlchemyError as exc:
                log.warning("wallboard: forecast not read: %s", exc)

        _background(forecast())


_TASKS: set[asyncio.Task[None]] = set()


def _background(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(work)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def refresh_roster(services: LiveServices, now: float) -> None:
    """The wallboard's roster re-read (in a worker thread) when it is due."""
    db = services.db
    if db is None or not services.roster_due():
        return
    services.roster_read_at = time.monotonic()
    try:
        logins = await run_in_threadpool(active_agent_logins, db)
    except SQLAlchemyError:  # busy: keep the roster shown, try at the next due time
        return
    services.wallboard.set_roster(logins, now)


def _agent_login_of(websocket: WebSocket, user: User) -> str | None:
    with Session(websocket.app.state.engine) as session:
        try:
            return agent_login(user, session)
        except Forbidden:
            return None


@router.websocket("/ws/agent")
async def agent_ws(websocket: WebSocket, user: AgentWs) -> None:
    login = await run_in_threadpool(_agent_login_of, websocket, user)
    if login is None:
        await websocket.close(code=1008, reason="not linked to an agent")
        return
    await websocket.accept()
    last: dict[str, Any] = {"contact": None, "state": None}

    async def send_state() -> None:
        state = console_state(websocket, login).model_dump()
        last["contact"] = state["contact"]["contact_id"] if state["contact"] else None
        last["state"] = state
        await websocket.send_json(state)

    transferred: set[str] = set()  # contacts this agent sent to another agent

    async def on_message(message: dict[str, Any]) -> None:
        event = message["event"]
        if (event["type"] == "contact_transferred" and event.get("agent_id") == login
                and event.get("target_agent_id")):
            transferred.add(str(event["contact_id"]))
            if len(transferred) > MAX_HANDED_OVER:  # a bounded memory of recent transfers
                transferred.discard(next(iter(transferred)))
        elif (event["type"] == "contact_transfer_timed_out"
                and event.get("contact_id") in transferred):
            # the colleague never answered: tell the agent who transferred the call
            transferred.discard(str(event["contact_id"]))
            await websocket.send_json({"type": "transfer_timed_out", **message})
            return
        mine = event.get("agent_id") == login or (
            last["contact"] is not None and event.get("contact_id") == last["contact"])
        if not mine:
            return
        await websocket.send_json({"type": "event", **message})
        if event["type"] == "contact_offered" and event.get("agent_id") == login:
            state = console_state(websocket, login).model_dump()
            await websocket.send_json({"type": "offer", "contact": state["contact"]})
        await send_state()

    async def on_tick() -> None:
        state = console_state(websocket, login).model_dump()
        if state != last["state"]:
            await send_state()

    await _pump(websocket, on_message, on_tick, send_state, ("agent",))
