"""``/wallboard/adherence``: who is out of adherence now and since when; today by agent and team.

Rendered by the server from :func:`app.api.adherence.live_report` (the same figures as
``GET /api/adherence/now``) and refreshed by the browser every :data:`REFRESH_SECONDS`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.api.adherence import live_report
from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.pages import render

router = APIRouter(tags=["pages"], include_in_schema=False)

Watcher = Annotated[User, Depends(require_role("supervisor", "planner"))]
REFRESH_SECONDS = 30  # the page text says so


@router.get("/wallboard/adherence")
def adherence_page(
    request: Request,
    session: SessionDep,
    user: Watcher,
    tolerance_minutes: Annotated[float, Query(ge=0, le=60)] = 5,
) -> Response:
    report = live_report(session, tolerance_minutes)
    context = {"report": report, "refresh_seconds": REFRESH_SECONDS}
    return render(request, "adherence.html", user, context)
