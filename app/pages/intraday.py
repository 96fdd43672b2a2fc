"""``/planner/intraday``: today against its forecast, the re-forecast, and where the roster runs short.

The page holds the controls; ``/static/intraday.js`` draws the charts and the table with
Plotly.js from ``GET /api/intraday`` (:mod:`app.api.intraday`) and refreshes every few minutes.
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
from app.pages.planner import PLOTLY_URL
from app.wfm_history import history_queues, today_in_center

router = APIRouter(tags=["pages"], include_in_schema=False)

Watcher = Annotated[User, Depends(require_role("planner", "supervisor"))]


@router.get("/planner/intraday")
def intraday_page(request: Request, session: SessionDep, user: Watcher) -> Response:
    context = {
        "queues": history_queues(session),
        "today": today_in_center(datetime.now(UTC)),
        "plotly_url": PLOTLY_URL,
    }
    return render(request, "intraday.html", user, context)
