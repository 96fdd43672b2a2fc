"""``/wallboard``: queues, agents by site and state, today's contacts per queue.

The live figures (calls waiting, longest wait, service level) stream in through
``/static/wallboard.js``; the page renders the database's view at load time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.pages import render
from app.qa_report import interaction_counts
from app.queries import agents_by_site_and_state, queues, start_of_center_day

router = APIRouter(tags=["pages"], include_in_schema=False)

Supervisor = Annotated[User, Depends(require_role("supervisor"))]


@router.get("/wallboard")
def wallboard_page(request: Request, session: SessionDep, user: Supervisor) -> Response:
    counts = {
        c.queue: c for c in interaction_counts(session, start_of_center_day(datetime.now(UTC)))
    }
    by_site = agents_by_site_and_state(session)
    states = sorted({state for counter in by_site.values() for state in counter})
    context = {"queues": queues(session), "counts": counts, "by_site": by_site, "states": states}
    return render(request, "wallboard.html", user, context)
