"""Queues and their service-level goals per customer tier.

Roles: any logged-in user reads; supervisor changes goals (admin always).

``PATCH /api/queues/{id}`` *merges*: each tier named in ``service_level_goals`` gets the
goal given (tiers of :data:`routing.events.TIERS`; ``target`` in (0, 1],
``threshold_seconds`` > 0); tiers left out keep their current goal. An empty object or an
unknown tier is a 422 naming the field. (There is no way to delete a tier's goal here.)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.admin_audit import record_change
from app.api.errors import NotFound
from app.api.params import Id32
from app.auth import CurrentUser, require_role
from app.deps import SessionDep
from app.models import Queue, User
from app.queries import queues
from routing.events import TIERS

router = APIRouter(prefix="/api/queues", tags=["queues"])

Supervisor = Annotated[User, Depends(require_role("supervisor"))]


class ServiceLevelGoal(BaseModel):
    """Answer ``target`` (a fraction) of contacts within ``threshold_seconds``."""

    model_config = ConfigDict(extra="forbid")
    target: float = Field(gt=0, le=1, description="service-level target, e.g. 0.8")
    threshold_seconds: int = Field(gt=0, le=3600, description="answer within, e.g. 20")


class QueueUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_level_goals: dict[str, ServiceLevelGoal] = Field(
        min_length=1,
        description=f"goal per value tier ({', '.join(TIERS)}), merged into the current "
        "goals: tiers left out keep theirs",
    )

    @field_validator("service_level_goals", mode="after")
    @classmethod
    def _known_tiers(cls, goals: dict[str, ServiceLevelGoal]) -> dict[str, ServiceLevelGoal]:
        unknown = sorted(set(goals) - set(TIERS))
        if unknown:
            raise ValueError(
                f"unknown tier(s) {', '.join(map(repr, unknown))}; tiers are {', '.join(TIERS)}"
            )
        return goals


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
    merged = dict(queue.service_level_goals or {})  # a new dict, so the JSON column is saved
    merged.update({tier: goal.model_dump() for tier, goal in body.service_level_goals.items()})
    queue.service_level_goals = merged
    session.add(queue)
    record_change(session, user, "queue.goals", queue.name,
                  {"service_level_goals": body.model_dump()["service_level_goals"]})
    session.commit()
    session.refresh(queue)
    return QueuePublic.model_validate(queue)
