"""``/standards``: set the service standards (planners, QA; supervisors read) and
``/standards/report``: every KPI of a period against its target, with the CSV download.
The page posts through :mod:`app.api.standards`; figures: :mod:`app.standards_store`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator

from app import standards_store as store
from app.api.errors import field_error
from app.auth import require_role
from app.deps import SessionDep
from app.models import Role, User
from app.pages import render
from app.queries import CENTER_TZ
from qa.standards import STANDARD_KPIS, quarter_of

router = APIRouter(tags=["pages"], include_in_schema=False)

#: What each KPI is called on the pages (msgids; both languages in messages.po).
KPI_LABELS: dict[str, str] = {
    "service_level": "Service level",
    "asa_seconds": "Average speed of answer (ASA)",
    "abandon_rate": "Abandonment rate",
    "aht_seconds": "Average handle time (AHT)",
    "first_contact_resolution": "First-contact resolution",
    "transfer_rate": "Transfer rate",
    "talk_time_ratio": "Talk-time ratio",
    "occupancy": "Occupancy",
    "offers_per_call": "Offers per inbound call",
    "cross_sell_per_call": "Cross-sell sales per inbound call",
    "up_sell_per_call": "Up-sell sales per inbound call",
    "outbound_positive_ratio": "Outbound positive-response ratio",
    "self_service_ratio": "Self-service ratio",
    "complaint_ratio": "Complaint ratio",
    "satisfaction_mean": "Satisfaction (mean score)",
    "satisfaction_top_two_box": "Satisfaction (top two box)",
    "right_party_rate": "Right-party contact rate",
    "contacts_per_hour": "Outbound contacts per hour",
    "conversion": "Outbound conversion (sales per right-party contact)",
    "promise_to_pay_rate": "Promise-to-pay rate",
    "promise_kept_ratio": "Promise-kept ratio",
}

Reader = Annotated[User, Depends(require_role("planner", "qa", "supervisor"))]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Day = Annotated[date | None, BeforeValidator(_blank_is_none)]


def _today() -> date:
    return datetime.now(UTC).astimezone(CENTER_TZ).date()


def _can_set(user: User) -> bool:
    return user.role in (Role.planner, Role.qa, Role.admin)


@router.get("/standards")
def standards_page(request: Request, session: SessionDep, user: Reader,
                   year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> Response:
    year = year or _today().year
    rows = store.list_rows(session, year)
    return render(request, "standards.html", user, {
        "year": year, "rows": rows, "kpis": STANDARD_KPIS, "labels": KPI_LABELS, "can_set": _can_set(user)})


@router.get("/standards/report")
def standards_report_page(
    request: Request, session: SessionDep, user: Reader,
    first: Annotated[Day, Query(alias="from")] = None, to: Day = None,
    scope: Literal["center", "team", "agent"] = "center",
) -> Response:
    today = _today()
    if first is None:  # the current quarter so far
        first = date(today.year, 3 * (quarter_of(today) - 1) + 1, 1)
    last = to or today
    try:
        report = store.standards_report(session, first, last, scope)
    except ValueError as exc:
        head, _, msg = str(exc).partition(": ")
        raise field_error(["query", head], msg) from exc
    return render(request, "standards_report.html", user, {
        "report": report, "first": first, "last": last, "scope": scope,
        "kpis": STANDARD_KPIS, "labels": KPI_LABELS,
        "lines": [line.as_dict() for line in report.lines],
        "yesterday": today - timedelta(days=1)})
