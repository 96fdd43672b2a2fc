"""``/planner/whatif``: schedule simulation — rehearse two rosters on a forecast, side by side.

The page lists the queues and roster versions; ``/static/whatif.js`` posts to
``/api/whatif`` (:mod:`app.api.whatif`), polls the job and draws service level, ASA and
abandonment per interval with their 95 % bands for scenario A and B (Plotly.js).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.pages import render
from app.pages.planner import PLOTLY_URL
from app.rosters import list_rosters
from app.wfm_history import history_queues, today_in_center
from simulations.roster_scenario import MAX_DAYS, MAX_REPLICATIONS

router = APIRouter(tags=["pages"], include_in_schema=False)

Planner = Annotated[User, Depends(require_role("planner"))]


@router.get("/planner/whatif")
def whatif_page(request: Request, session: SessionDep, user: Planner) -> Response:
    versions = [
        {
            "id": v.id,
            "label": f"{r.name} · {r.start_day} · v{v.version} ({v.status})",
            "start_day": r.start_day.isoformat(),
            "days": r.days,
        }
        for r, vs in list_rosters(session)
        for v in vs
    ]
    context = {
        "queues": history_queues(session),
        "versions": versions,
        "tomorrow": today_in_center(datetime.now(UTC)) + timedelta(days=1),
        "max_days": MAX_DAYS,
        "max_replications": MAX_REPLICATIONS,
        "plotly_url": PLOTLY_URL,
    }
    return render(request, "whatif.html", user, context)
