"""Supervisor actions on the live center: force an agent's state from the wallboard.

``POST /api/supervision/agents/{agent_id}/state`` with ``{"state": "ready" | "not_ready" |
"logged_out", "reason": "break"}`` applies the move in the live center's engine task, exactly
as the agent console does (:func:`app.api.console.run`), and answers with the agent's state
once the events are stored. ``agent_id`` is the agent's database id or its login (the
engine's id, what the wallboard shows).

The ``agent_state_changed`` event the move produces for that agent names the supervisor in
its ``actor`` field (the engine's ``actor=``), so the log tells who did it; its ``reason`` stays a reason code (the one
given for not-ready, default ``supervisor``; none for ready and logged-out).

Skills are changed with ``PATCH /api/agents/{id}/skills`` (:mod:`app.api.agents`), which also
applies them to the live engine.

Errors: unknown agent 404; a move the agent state machine forbids (e.g. logging out an agent
who is talking, or making a logged-out agent ready: only the agent logs in) 409 naming both
states; a bad body 422 naming the field; a role other than supervisor (or admin) 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from app.api.console import CODE_PATTERN, ID_PATTERN, ConsoleState, released, run
from app.api.errors import NotFound
from app.api.params import INT32_MAX
from app.auth import require_role
from app.deps import SessionDep
from app.models import Agent, User
from routing.engine import RoutingEngine
from routing.errors import RoutingError
from routing.events import Event

router = APIRouter(prefix="/api/supervision", tags=["supervision"])

Supervisor = Annotated[User, Depends(require_role("supervisor"))]
AgentRef = Annotated[str, Path(pattern=ID_PATTERN, description="the agent's id or login")]

DEFAULT_REASON = "supervisor"


class TargetState(StrEnum):
    ready = "ready"
    not_ready = "not_ready"
    logged_out = "logged_out"


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: TargetState
    reason: str | None = Field(default=None, pattern=CODE_PATTERN,
                               description="reason code for not_ready (default: supervisor)")


def agent_login_of(session: Session, ref: str) -> str:
    """The engine id (login) of the agent named by database id or login; 404 if unknown."""
    agent = None
    if ref.isdigit() and 0 < int(ref) <= INT32_MAX:
        agent = session.get(Agent, int(ref))
    if agent is None:
        agent = session.exec(select(Agent).where(Agent.login == ref)).first()
    if agent is None:
        raise NotFound(f"agent {ref} not found")
    return str(agent.login)


@router.post("/agents/{agent_id}/state", response_model=ConsoleState)
async def set_agent_state(
    request: Request, session: SessionDep, user: Supervisor, agent_id: AgentRef, body: StateChange
) -> ConsoleState:
    """Force the agent ready, not ready (with a reason code) or logged out."""
    login = await released(session, lambda: agent_login_of(session, agent_id))
    actor = str(user.username)
    target = body.state

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        current = eng.agent_state(login).value  # UnknownAgent -> 404
        if current == "logged_out" and target is not TargetState.logged_out:
            raise RoutingError(f"agent {login}: cannot go from logged_out to {target.value} "
                               "(only the agent logs in, from the console)")
        if target is TargetState.ready:
            return list(eng.set_ready(login, now, actor=actor))
        if target is TargetState.not_ready:
            return list(eng.set_not_ready(login, now, reason=body.reason or DEFAULT_REASON,
                                          actor=actor))
        return list(eng.logout(login, now, actor=actor))

    return await run(request, login, act)
