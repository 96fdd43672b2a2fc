"""Queues and their service-level goals per customer tier.

Roles: any logged-in user reads; supervisor changes goals (admin always).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from app.api.errors import NotFound
from app.api.params import Id32
from app.auth import CurrentUser, require_role
from app.deps import SessionDep
from app.models import Queue, User, ValueTier
from app.queries import queues

router = APIRouter(prefix="/api/queues", tags=["queues"])

Supervisor = Annotated[User, Depends(require_role("supervisor"))]


class ServiceLevelGoal(BaseModel):
    """Answer ``target`` (a fraction) of contacts within ``threshold_seconds``."""

    model_config = ConfigDict(extra="forbid")
    target: float = Field(gt=0, le=1, description="service-level target, e.g. 0.8")
    threshold_seconds: int = Field(gt=0, le=3600, description="answer within, e.g. 20")


class QueueUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_level_goals: dict[ValueTier, ServiceLevelGoal] = Field(
        description="goal per value tier; tiers left out keep no goal"
    )


class QueuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    skill: str
    service_level_goals: dict[str, Any]
    open_hours: str


def _queue(session: SessionDep, queue_id: int) -> Queue:
    queue = session.get(Queue, queue_id)
    if queue is None:
        raise NotFound(f"queue {queue_id} not found")
    return queue


@router.get("", response_model=list[QueuePublic])
def get_queues(session: SessionDep, user: CurrentUser) -> list[QueuePublic]:
    return [QueuePublic.model_validate(q) for q in queues(session)]


@router.get("/{queue_id}", response_model=QueuePublic)
def get_queue(session: SessionDep, user: CurrentUser, queue_id: Id32) -> QueuePublic:
    return QueuePublic.model_validate(_queue(session, queue_id))


@router.patch("/{queue_id}", response_model=QueuePublic)
def patch_queue(
    session: SessionDep, user: Supervisor, queue_id: Id32, body: QueueUpdate
) -> QueuePublic:
    queue = _queue(session, queue_id)
    queue.service_level_goals = {
        tier.value: goal.model_dump() for tier, goal in body.service_level_goals.items()
    }
    session.add(queue)
    session.commit()
    session.refresh(queue)
    return QueuePublic.model_validate(queue)
