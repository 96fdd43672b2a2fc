"""Websockets of the live center: ``/ws/wallboard`` (supervisors) and ``/ws/agent`` (agents).

Both send JSON text messages.

``/ws/wallboard``
    first ``{"type": "snapshot", "seq", "at", "queues": [...], "totals": {"vip", "general"},
    "agents": [...], "agent_states": {...}, "demo": {...} | null}`` (see :class:`app.live.wallboard.WallboardState`),
    then ``{"type": "event", "seq", "event"}`` for every stored event after the
    snapshot's ``seq``, and a fresh snapshot every :data:`SNAPSHOT_SECONDS` (waits grow
    even when nothing happens).

``/ws/agent``
    first ``{"type": "state", ...}`` (the console state, as ``GET /api/console/state``),
    then for each event about this agent or its contact ``{"type": "event", ...}``
    followed by the new state; an offer also sends ``{"type": "offer", "contact": {...}}``
    (what the screen pop needs).

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
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect, status
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.console import agent_login, console_state
from app.api.errors import Forbidden
from app.auth.guards import require_role_ws, ws_session_allowed
from app.live import active_agent_logins, get_services
from app.models import User

router = APIRouter(tags=["live"])

SNAPSHOT_SECONDS = 1.0
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


async def session_still_allowed(websocket: WebSocket, roles: tuple[str, ...]) -> bool:
    """False once the socket's session no longer admits ``roles`` (True if the database
    could not tell: the next check decides)."""
    allowed = await run_in_threadpool(ws_session_allowed, websocket, *roles)
    return allowed is not False


async def _pump(
    websocket: WebSocket,
    on_message: Callable[[dict[str, Any]], Awaitable[None]],
    on_tick: Callable[[], Awaitable[None]],
    on_lag: Callable[[], Awaitable[None]],
    roles: tuple[str, ...],
) -> None:
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
                await on_message(message)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        sub.close()
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiver


@router.websocket("/ws/wallboard")
async def wallboard_ws(websocket: WebSocket, user: SupervisorWs) -> None:
    services = get_services(websocket)
    await websocket.accept()
    sent = {"seq": 0}

    async def snapshot() -> None:
        now = services.center.clock.now()
        await refresh_roster(services, now)  # agents added to the database since show up too
        picture = services.wallboard.snapshot(now)
        sent["seq"] = max(sent["seq"], picture["seq"])
        await websocket.send_json(picture)

    async def on_message(message: dict[str, Any]) -> None:
        if int(message["seq"]) <= sent["seq"]:
            return
        sent["seq"] = int(message["seq"])
        await websocket.send_json({"type": "event", **message})

    await _pump(websocket, on_message, snapshot, snapshot, ("supervisor",))


async def refresh_roster(services: Any, now: float) -> None:
    """The wallboard's roster re-read (in a worker thread) when it is due."""
    if not services.roster_due():
        return
    services.roster_read_at = time.monotonic()
    try:
        logins = await run_in_threadpool(active_agent_logins, services.db)
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
