"""Security alerts for supervisors and admins: accounts locked out, users reading customers
past their limit. Acknowledging one is recorded in the admin audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from app.admin_audit import record_change
from app.alerts import acknowledge, open_alerts
from app.api.errors import NotFound
from app.api.params import Id64
from app.auth.guards import require_role
from app.deps import SessionDep
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
