"""Service standards API: targets per KPI with warn and alert limits, and the report of
actual against target over a period (JSON and CSV).

Roles (admin passes every guard): planners and QA analysts set and delete standards;
supervisors, planners and QA read them and the report. Every change is in the admin audit
(:func:`app.admin_audit.record_change`). Bad input is a 422 naming the field
(``body.warn``, ``query.to``). The live wallboard's warn/alert colours follow a change at
once in this process (:func:`app.live.wallboard.set_standards`; other processes at their
next start). Rules: :mod:`qa.standards`; rows and the report: :mod:`app.standards_store`.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from app import standards_store as store
from app.api.errors import NotFound, field_error
from app.api.params import Id32
from app.auth import require_role
from app.deps import SessionDep
from app.models import Agent, ServiceStandard, User
from qa.standards import STANDARD_KPIS, Standard

router = APIRouter(prefix="/api/standards", tags=["standards"])

Setter = Annotated[User, Depends(require_role("planner", "qa"))]
Reader = Annotated[User, Depends(require_role("planner", "qa", "supervisor"))]
Name = Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9_.\-]*$")]
Limit = Annotated[float, Field(allow_inf_nan=False)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class StandardBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kpi: str = Field(max_length=40, description="a name of qa.standards.STANDARD_KPIS")
    segment: Literal["all", "vip", "general"] = "all"
    year: int = Field(ge=2000, le=2100)
    quarter: int | None = Field(default=None, ge=1, le=4, description="none: the whole year")
    scope: Literal["center", "team", "agent"] = "center"
    scope_id: Name = Field(default="", description="the team name or agent login")
    target: Limit
    warn: Limit
    alert: Limit
    threshold_seconds: float | None = Field(default=None, gt=0, le=3600,
                                            description="service_level only: T of the target")


class StandardPublic(BaseModel):
    id: int
    kpi: str
    segment: str
    year: int
    quarter: int | None
    scope: str
    scope_id: str
    target: float
    warn: float
    alert: float
    threshold_seconds: float | None
    higher_is_better: bool
    updated_by: str
    updated_at: datetime | None


def public(row: ServiceStandard) -> StandardPublic:
    return StandardPublic(
        id=row.id or 0, kpi=row.kpi, segment=row.segment, year=row.year,
        quarter=row.quarter or None, scope=row.scope, scope_id=row.scope_id, target=row.target,
        warn=row.warn, alert=row.alert, threshold_seconds=row.threshold_seconds,
        higher_is_better=STANDARD_KPIS[row.kpi].higher_is_better if row.kpi in STANDARD_KPIS
        else True, updated_by=row.updated_by, updated_at=row.updated_at)


def unprocessable(exc: ValueError) -> RequestValidationError:
    """A core's ``ValueError("warn: ...")`` as a 422 on ``body.warn``."""
    head, sep, msg = str(exc).partition(": ")
    if sep and " " not in head:
        return field_error(["body", head], msg)
    return field_error(["body"], str(exc))


def _check_scope(session: Session, body: StandardBody) -> None:
    if body.scope == "agent":
        found = session.exec(select(Agent.id).where(Agent.login == body.scope_id)).first()
        if found is None:
            raise field_error(["body", "scope_id"], f"no agent with the login {body.scope_id!r}")
    if body.scope == "team":
        found = session.exec(select(Agent.id).where(Agent.team == body.scope_id)).first()
        if found is None:
            raise field_error(["body", "scope_id"], f"no agent is in the team {body.scope_id!r}")


def _refresh_wallboard(request: Request, session: Session) -> None:
    live = getattr(request.app.state, "live", None)
    if live is None:
        return
    from app.live.wallboard import set_standards

    set_standards(live.wallboard, store.load_standards(session))


@router.get("", response_model=list[StandardPublic])
def get_standards(session: SessionDep, user: Reader,
                  year: Annotated[int | None, Query(ge=2000, le=2100)] = None
                  ) -> list[StandardPublic]:
    return [public(r) for r in store.list_rows(session, year)]


@router.put("", response_model=StandardPublic)
def put_standard(request: Request, session: SessionDep, user: Setter,
                 body: StandardBody) -> StandardPublic:
    """Set the standard of its key (KPI, segment, year, quarter, scope): created or replaced."""
    try:
        standard = Standard(body.kpi, body.target, body.warn, body.alert, body.year,
                            body.quarter, body.scope, body.scope_id, body.segment,
                            body.threshold_seconds)
    except ValueError as exc:
        raise unprocessable(exc) from exc
    _check_scope(session, body)
    row = store.save_standard(session, user, standard, utc_now())
    _refresh_wallboard(request, session)
    return public(row)


@router.delete("/{standard_id}", status_code=204)
def delete_standard(request: Request, session: SessionDep, user: Setter,
                    standard_id: Id32) -> Response:
    row = session.get(ServiceStandard, standard_id)
    if row is None:
        raise NotFound(f"no standard {standard_id}")
    store.delete_standard(session, user, row)
    _refresh_wallboard(request, session)
    return Response(status_code=204)


# --- the report ---------------------------------------------------------------------------

Scope = Literal["center", "team", "agent"]


def _report(session: Session, first: date, last: date, scope: Scope) -> store.StandardsReport:
    try:
        return store.standards_report(session, first, last, scope)
    except ValueError as exc:
        head, _, msg = str(exc).partition(": ")
        raise field_error(["query", head], msg) from exc


class ReportPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from")
    to: date
    year: int
    quarter: int | None
    scope: str
    lines: list[dict[str, object]]


@router.get("/report", response_model=ReportPublic, response_model_by_alias=True)
def get_report(
    session: SessionDep, user: Reader,
    first: Annotated[date, Query(alias="from")],
    to: date,
    scope: Scope = "center",
) -> ReportPublic:
    """Actual against target of every KPI over ``from .. to`` (center days, both included)."""
    report = _report(session, first, to, scope)
    return ReportPublic.model_validate({
        "from": first, "to": to, "year": report.year, "quarter": report.quarter,
        "scope": scope, "lines": [line.as_dict() for line in report.lines]})


CSV_COLUMNS = ("group", "segment", "kpi", "actual", "target", "warn", "alert", "level", "met",
               "attainment", "standard_scope", "standard_period")


@router.get("/report.csv")
def get_report_csv(
    session: SessionDep, user: Reader,
    first: Annotated[date, Query(alias="from")],
    to: date,
    scope: Scope = "center",
) -> Response:
    report = _report(session, first, to, scope)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.lines:
        row = line.as_dict()
        writer.writerow(["" if row[c] is None else _cell(row[c]) for c in CSV_COLUMNS])
    name = f"standards_{scope}_{first.isoformat()}_{to.isoformat()}.csv"
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return str(value)



