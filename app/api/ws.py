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
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect
from sqlmodel import Session

from app.api.console import agent_login, console_state
from app.api.errors import Forbidden
from app.auth import require_role_ws
from app.live import get_services
from app.models import User

router = APIRouter(tags=["live"])

SNAPSHOT_SECONDS = 1.0

SupervisorWs = Annotated[User, Depends(require_role_ws("supervisor"))]
AgentWs = Annotated[User, Depends(require_role_ws("agent"))]


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


async def _pump(
    websocket: WebSocket,
    on_message: Callable[[dict[str, Any]], Awaitable[None]],
    on_tick: Callable[[], Awaitable[None]],
    on_lag: Callable[[], Awaitable[None]],
) -> None:
    services = get_services(websocket)
    sub = services.bus.subscribe()
    receiver = asyncio.create_task(_drain(websocket))
    try:
        await on_lag()  # the first picture
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + SNAPSHOT_SECONDS
        while not receiver.done():
            message: dict[str, Any] | None | str
            try:
                async with asyncio.timeout(max(0.0, next_tick - loop.time())):
                    message = await sub.get()
            except TimeoutError:
                message = "tick"
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
        services.refresh_roster(now)  # agents added to the database since show up too
        picture = services.wallboard.snapshot(now)
        sent["seq"] = max(sent["seq"], picture["seq"])
        await websocket.send_json(picture)

    async def on_message(message: dict[str, Any]) -> None:
        if int(message["seq"]) <= sent["seq"]:
            return
        sent["seq"] = int(message["seq"])
        await websocket.send_json({"type": "event", **message})

    await _pump(websocket, on_message, snapshot, snapshot)


@router.websocket("/ws/agent")
async def agent_ws(websocket: WebSocket, user: AgentWs) -> None:
    with Session(websocket.app.state.engine) as session:
        try:
            login = agent_login(user, session)
        except Forbidden:
            await websocket.close(code=1008, reason="not linked to an agent")
            return
    await websocket.accept()
    last: dict[str, Any] = {"contact": None, "state": None}

    async def send_state() -> None:
        state = console_state(websocket, login).model_dump()
        last["contact"] = state["contact"]["contact_id"] if state["contact"] else None
        last["state"] = state
        await websocket.send_json(state)

    async def on_message(message: dict[str, Any]) -> None:
        event = message["event"]
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

    await _pump(websocket, on_message, on_tick, send_state)
