"""``/qa``: contacts, answers and abandonment per queue over the last days."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.pages import render
from app.queries import interaction_counts, start_of_center_day

router = APIRouter(tags=["pages"], include_in_schema=False)

QaUser = Annotated[User, Depends(require_role("qa"))]


@router.get("/qa")
def qa_page(
    request: Request,
    session: SessionDep,
    user: QaUser,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> Response:
    since = start_of_center_day(datetime.now(UTC), days - 1)
    rows = interaction_counts(session, since)
    total_offered = sum(r.offered for r in rows)
    total_abandoned = sum(r.abandoned for r in rows)
    context = {
        "days": days,
        "rows": rows,
        "total_offered": total_offered,
        "total_answered": sum(r.answered for r in rows),
        "total_abandoned": total_abandoned,
        "total_abandon_rate": total_abandoned / total_offered if total_offered else 0.0,
    }
    return render(request, "qa.html", user, context)
