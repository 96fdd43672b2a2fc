"""``/qa/scorecards``: agent scorecards over a period (QA score, handled, AHT, adherence) for
supervisors and QA analysts; an agent sees their own card. Figures: :mod:`app.qa_scorecards`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BeforeValidator

from app import qa_coaching, qa_scorecards
from app.api.errors import field_error
from app.auth import require_role
from app.deps import SessionDep
from app.models import Role, User
from app.pages import render

router = APIRouter(tags=["pages"], include_in_schema=False)

Anyone = Annotated[User, Depends(require_role("qa", "supervisor", "agent"))]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Day = Annotated[date | None, BeforeValidator(_blank_is_none)]


@router.get("/qa/scorecards")
def scorecards_page(request: Request, session: SessionDep, user: Anyone,
                    to: Day = None, days: int = 30) -> Response:
    now = datetime.now(UTC)
    last = to or qa_coaching.center_day(now)
    if not 1 <= days <= qa_scorecards.MAX_DAYS:
        raise field_error(["query", "days"], f"must be 1-{qa_scorecards.MAX_DAYS}")
    first = last - timedelta(days=days - 1)
    agent_id = user.agent_id if user.role == Role.agent else None
    cards = [] if user.role == Role.agent and agent_id is None else qa_scorecards.scorecards(
        session, first, last, now, agent_id=agent_id)
    return render(request, "qa_scorecards.html", user,
                  {"cards": cards, "first": first, "last": last, "days": days})
