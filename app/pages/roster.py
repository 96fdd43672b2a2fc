"""``/planner/roster``: the roster timeline (agents x time) with coverage against the requirement.

Planners (and admin) build rosters through the chain, move shifts, swap agents, edit breaks,
save drafts and publish; supervisors open the same page read-only. The page is a frame
rendered here (skills to build for, the default first day, whether the user may edit); the
timeline and the charts are drawn in the browser (``app/static/roster.js``, SVG and
Plotly.js) from :mod:`app.api.rosters`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import select

from app.api.rosters import MAX_JOB_DAYS, MAX_JOB_SECONDS
from app.auth import require_role
from app.deps import SessionDep
from app.models import AgentSkill, Role, User
from app.pages import render
from app.pages.planner import PLOTLY_URL
from app.wfm_history import today_in_center

router = APIRouter(tags=["pages"], include_in_schema=False)

RosterReader = Annotated[User, Depends(require_role("planner", "supervisor"))]


@router.get("/planner/roster")
def roster_page(
    request: Request,
    session: SessionDep,
    user: RosterReader,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    today = today_in_center(datetime.now(UTC))
    next_monday = today + timedelta(days=7 - today.weekday())
    skills = sorted(str(s) for s in session.exec(select(AgentSkill.skill).distinct()).all())
    context = {
        "skills": skills,
        "can_edit": user.role in (Role.planner, Role.admin),
        "default_start": next_monday.isoformat(),
        "version_id": version,
        "max_days": MAX_JOB_DAYS,
        "max_seconds": int(MAX_JOB_SECONDS),
        "plotly_url": PLOTLY_URL,
    }
    return render(request, "roster.html", user, context)
