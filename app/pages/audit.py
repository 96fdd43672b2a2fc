"""``/audit``: the auditor's page. Search the customer access log (who, when, which customer,
which fields, why, from where; refusals too) and export it as CSV; read the admin audit log.
Auditors only (admins are kept out: separation of duties). Read-only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BeforeValidator

from app.admin_audit import recent_changes
from app.api.audit import ACTIONS, AuditAction
from app.auth.guards import require_role
from app.customer_access import LogQuery, search_log
from app.deps import SessionDep
from app.models import User
from app.pages import render
from app.queries import CENTER_TZ, as_utc

router = APIRouter(tags=["pages"], include_in_schema=False)

Auditor = Annotated[User, Depends(require_role("auditor", admin=False))]
PAGE_ROWS = 200


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_blank_is_none)


def _day_in_range(day: date | None) -> date | None:
    if day is not None and not date(1900, 1, 2) <= day <= date(2199, 12, 30):
        raise ValueError("must be between 1900 and 2200")
    return day


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: Auditor,
    username: Annotated[str | None, Blank, Query(max_length=40)] = None,
    customer_id: Annotated[int | None, Blank, Query(ge=1, le=2**63 - 1)] = None,
    action: Annotated[AuditAction | None, Blank, Query()] = None,
    allowed: Annotated[bool | None, Blank, Query()] = None,
    day: Annotated[date | None, Blank, AfterValidator(_day_in_range),
                   Query(description="a center day, YYYY-MM-DD")] = None,
) -> Response:
    since = until = None
    if day is not None:
        start = datetime(day.year, day.month, day.day, tzinfo=CENTER_TZ)
        since, until = as_utc(start), as_utc(start + timedelta(days=1))
    query = LogQuery(username=username, customer_id=customer_id, action=action, allowed=allowed,
                     since=since, until=until)
    rows, total = search_log(session, query, PAGE_ROWS, 0)
    params = {k: v for k, v in request.query_params.items() if v}
    context = {
        "rows": rows,
        "total": total,
        "shown": PAGE_ROWS,
        "filters": {"username": username or "", "customer_id": customer_id or "",
                    "action": action or "", "allowed": params.get("allowed", ""),
                    "day": day.isoformat() if day else ""},
        "actions": ACTIONS,
        "export_query": "&".join(f"{k}={v}" for k, v in params.items() if k != "day"),
        "changes": recent_changes(session, 100),
    }
    return render(request, "audit.html", user, context)
