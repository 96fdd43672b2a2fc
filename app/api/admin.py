"""Security alerts for supervisors and admins: accounts locked out, users reading customers
past their limit. Acknowledging one is recorded in the admin audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from app import routing_settings
from app.admin_audit import record_change
from app.alerts import acknowledge, open_alerts
from app.api.errors import NotFound
from app.api.params import Id64
from app.auth.guards import require_role
from app.deps import SessionDep
from app.live.routing_config import live_routing_policy
from app.models import User

router = APIRouter(prefix="/api/admin", tags=["admin"])

Watcher = Annotated[User, Depends(require_role("supervisor"))]


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    kind: str
    subject: str
    detail: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None


@router.get("/alerts", response_model=list[AlertPublic])
def get_alerts(session: SessionDep, user: Watcher) -> list[AlertPublic]:
    """Open alerts, newest first."""
    return [AlertPublic.model_validate(a) for a in open_alerts(session)]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertPublic)
def acknowledge_alert(session: SessionDep, user: Watcher, alert_id: Id64) -> AlertPublic:
    alert = acknowledge(session, alert_id, user.username, datetime.now(UTC))
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    record_change(session, user, "alert.acknowledge", f"{alert.kind}:{alert.subject}",
                  {"alert_id": alert_id})
    session.commit()
    session.refresh(alert)
    return AlertPublic.model_validate(alert)


# --- routing policy of the live center (app/routing_settings.py) ---------------------------

Admin = Annotated[User, Depends(require_role("admin"))]


class RoutingPolicyBody(BaseModel):
    """The live center's routing policy; null numbers mean "never" (ring forever, strict
    tiers). Applies when the live center next starts."""

    model_config = ConfigDict(extra="forbid")
    selection: Literal["proficiency_then_longest_idle", "longest_idle"]
    ring_timeout_seconds: float | None = Field(default=None, gt=0,
                                               le=routing_settings.MAX_RING_TIMEOUT_SECONDS)
    ageing_seconds_per_level: float | None = Field(
        default=None, gt=0, le=routing_settings.MAX_AGEING_SECONDS_PER_LEVEL)
    preferred_agent_wait_seconds: float = Field(
        ge=0, le=routing_settings.MAX_PREFERRED_AGENT_WAIT_SECONDS)


class RoutingPolicyPublic(RoutingPolicyBody):
    stored: bool = Field(description="false: no admin set one; the built-in policy is shown")
    applies: str = "at the next start of the live center"
    updated_at: datetime | None = None
    updated_by: str | None = None


@router.get("/routing-policy", response_model=RoutingPolicyPublic)
def get_routing_policy(request: Request, session: SessionDep, user: Admin) -> RoutingPolicyPublic:
    row = routing_settings.stored_settings(session)
    if row is None:
        policy = live_routing_policy(getattr(request.app.state, "settings", None))
        return RoutingPolicyPublic(
            selection=policy.selection, ring_timeout_seconds=policy.ring_timeout_seconds,
            ageing_seconds_per_level=policy.ageing_seconds_per_level,
            preferred_agent_wait_seconds=policy.preferred_agent_wait_seconds, stored=False)
    return RoutingPolicyPublic(
        selection=row.selection,  # type: ignore[arg-type]
        ring_timeout_seconds=row.ring_timeout_seconds,
        ageing_seconds_per_level=row.ageing_seconds_per_level,
        preferred_agent_wait_seconds=row.preferred_agent_wait_seconds,
        stored=True, updated_at=row.updated_at, updated_by=row.updated_by)


@router.put("/routing-policy", response_model=RoutingPolicyPublic)
def put_routing_policy(
    session: SessionDep, user: Admin, body: RoutingPolicyBody
) -> RoutingPolicyPublic:
    row = routing_settings.save_settings(session, user, body.model_dump())
    return RoutingPolicyPublic(**body.model_dump(), stored=True, updated_at=row.updated_at,
                               updated_by=row.updated_by)
