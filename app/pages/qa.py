"""``/qa``: the KPI report per queue over the last days (QA analysts, the center head).

Inbound service level, ASA, abandonment and AHT per queue, VIP and general callers apart;
outbound dials by result; callbacks. The figures come from :mod:`app.qa_report`, which
computes every one of them with the :mod:`qa` formulas.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator, Field

from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.pages import render
from app.qa_report import SHORT_ABANDON_SECONDS
from app.queries import queues, start_of_center_day
from app.report_figures import qa_report_from_summaries
from routing.events import GENERAL_GOAL, VIP_GOAL, VIP_TIERS

router = APIRouter(tags=["pages"], include_in_schema=False)

QaUser = Annotated[User, Depends(require_role("qa"))]
QueueName = Annotated[str, Field(min_length=1, max_length=40)]
#: A service-level threshold ``T`` asked for, for every call (else each queue's goals).
ThresholdSeconds = Annotated[float, Field(gt=0, le=3600)]


def _blank_is_none(value: Any) -> Any:
    """An empty form field (``?queue=&threshold=``) means "not chosen"."""
    return None if isinstance(value, str) and not value.strip() else value


@router.get("/qa")
def qa_page(
    request: Request,
    session: SessionDep,
    user: QaUser,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
    queue: Annotated[QueueName | None, BeforeValidator(_blank_is_none), Query()] = None,
    threshold: Annotated[ThresholdSeconds | None, BeforeValidator(_blank_is_none), Query()] = None,
) -> Response:
    now = datetime.now(UTC)
    since = start_of_center_day(now, days - 1)
    report = qa_report_from_summaries(session, since, queue=queue, threshold_seconds=threshold,
                                      now=now)
    seen = {q.queue for q in report.inbound} | {o.queue for o in report.outbound}
    seen |= {c.queue for c in report.callbacks} | ({queue} if queue else set())
    names = sorted({q.name for q in queues(session)} | seen)
    context = {
        "days": days,
        "queue": queue,
        "threshold": threshold,
        "queue_names": names,
        "report": report,
        # where a queue sets no goal: the tier's default goal (VIP / general)
        "default_thresholds_seconds": [VIP_GOAL.threshold_seconds, GENERAL_GOAL.threshold_seconds],
        "short_abandon_seconds": SHORT_ABANDON_SECONDS,
        "vip_tiers": VIP_TIERS,
    }
    return render(request, "qa.html", user, context)
