"""The auditor's API: search and export the customer access log and the admin audit log.

Auditors only (admins too are kept out: separation of duties). Read-only: the logs are
append-only and no route of the service updates or deletes a row of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, ConfigDict
from sqlmodel import col, func, select

from app.api.params import Limit, Offset
from app.auth.guards import require_role
from app.customer_access import MAX_LOG_ROWS, LogQuery, log_csv, search_log
from app.deps import SessionDep
from app.models import AdminAudit, User

router = APIRouter(prefix="/api/audit", tags=["audit"])

Auditor = Annotated[User, Depends(require_role("auditor", admin=False))]
AuditAction = Literal["read", "list", "lookup", "search", "write"]
ACTIONS: tuple[str, ...] = get_args(AuditAction)


class AccessPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    username: str
    role: str
    customer_id: int | None
    action: str
    fields: str
    reason: str
    reason_text: str
    ip: str
    allowed: bool


class AccessPage(BaseModel):
    items: list[AccessPublic]
    total: int
    limit: int
    offset: int


class AdminAuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


class AdminAuditPage(BaseModel):
    items: list[AdminAuditPublic]
    total: int
    limit: int
    offset: int


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _in_range(moment: datetime | None) -> datetime | None:
    """A time between 1900 and 2200 (naive = UTC), compared before any conversion."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST + timedelta(days=1) <= moment < LATEST - timedelta(days=1):
        raise ValueError("must be between 1900 and 2200")
    return moment.astimezone(UTC)


Moment = Annotated[datetime | None, AfterValidator(_in_range), Query()]


def log_query(
    username: Annotated[str | None, Query(max_length=40)] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    action: AuditAction | None = None,
    allowed: bool | None = None,
    since: Moment = None,
    until: Moment = None,
) -> LogQuery:
    return LogQuery(
        username=username,
        customer_id=customer_id,
        action=action,
        allowed=allowed,
        since=since,
        until=until,
    )


Filters = Annotated[LogQuery, Depends(log_query)]


@router.get("/access-log", response_model=AccessPage)
def get_access_log(
    session: SessionDep, user: Auditor, filters: Filters, limit: Limit = 100, offset: Offset = 0
) -> AccessPage:
    """Who read or changed which customer's data, when, why and from where (newest first)."""
    rows, total = search_log(session, filters, limit, offset)
    return AccessPage(
        items=[AccessPublic.model_validate(r) for r in rows], total=total, limit=limit,
        offset=offset,
    )


@router.get("/access-log.csv", response_class=Response)
def export_access_log(session: SessionDep, user: Auditor, filters: Filters) -> Response:
    """The matching rows as CSV (at most :data:`app.customer_access.MAX_LOG_ROWS`)."""
    rows, _ = search_log(session, filters, MAX_LOG_ROWS, 0)
    return Response(
        log_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="customer-access-log.csv"'},
    )


@router.get("/admin-log", response_model=AdminAuditPage)
def get_admin_log(
    session: SessionDep,
    user: Auditor,
    actor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AdminAuditPage:
    """Every change made through administration: who, when, what (newest first)."""
    stmt = select(AdminAudit)
    count = select(func.count()).select_from(AdminAudit)
    if actor:
        stmt = stmt.where(col(AdminAudit.actor) == actor.lower())
        count = count.where(col(AdminAudit.actor) == actor.lower())
    rows = session.exec(
        stmt.order_by(col(AdminAudit.at).desc(), col(AdminAudit.id).desc()).offset(offset)
        .limit(limit)
    ).all()
    return AdminAuditPage(
        items=[AdminAuditPublic.model_validate(r) for r in rows],
        total=int(session.exec(count).one()), limit=limit, offset=offset,
    )
