"""Security alerts for supervisors and admins: accounts locked out, users reading customers
past their limit. Acknowledging one is recorded in the admin audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from app import business_hours, routing_settings
from app.admin_audit import record_change
from app.alerts import acknowledge, open_alerts
from app.api.errors import NotFound, field_error
from app.api.params import Id32, Id64
from app.auth.guards import require_role
from app.deps import SessionDep
from app.live.routing_config import live_routing_policy
from app.models import User
from app.queries import CENTER_TZ
from wfm.business_hours import (
    DAY_TYPES,
    MAX_NAME_LENGTH,
    DayType,
    Holiday,
    HoursError,
    TimeRange,
    check_holiday,
    next_queue_opening,
    parse_ranges,
    queue_is_open,
)

router = APIRouter(prefix="/api/admin", tags=["admin"])

Watcher = Annotated[User, Depends(require_role("supervisor"))]


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    kind: str
    subject: str
    detail: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None


@router.get("/alerts", response_model=list[AlertPublic])
def get_alerts(session: SessionDep, user: Watcher) -> list[AlertPublic]:
    """Open alerts, newest first."""
    return [AlertPublic.model_validate(a) for a in open_alerts(session)]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertPublic)
def acknowledge_alert(session: SessionDep, user: Watcher, alert_id: Id64) -> AlertPublic:
    alert = acknowledge(session, alert_id, user.username, datetime.now(UTC))
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    record_change(session, user, "alert.acknowledge", f"{alert.kind}:{alert.subject}",
                  {"alert_id": alert_id})
    session.commit()
    session.refresh(alert)
    return AlertPublic.model_validate(alert)


# --- routing policy of the live center (app/routing_settings.py) ---------------------------

Admin = Annotated[User, Depends(require_role("admin"))]


class RoutingPolicyBody(BaseModel):
    """The live center's routing policy; null numbers mean "never" (ring forever, strict
    tiers). Applies when the live center next starts."""

    model_config = ConfigDict(extra="forbid")
    selection: Literal["proficiency_then_longest_idle", "longest_idle"]
    ring_timeout_seconds: float | None = Field(default=None, gt=0,
                                               le=routing_settings.MAX_RING_TIMEOUT_SECONDS)
    ageing_seconds_per_level: float | None = Field(
        default=None, gt=0, le=routing_settings.MAX_AGEING_SECONDS_PER_LEVEL)
    preferred_agent_wait_seconds: float = Field(
        ge=0, le=routing_settings.MAX_PREFERRED_AGENT_WAIT_SECONDS)


class RoutingPolicyPublic(RoutingPolicyBody):
    stored: bool = Field(description="false: no admin set one; the built-in policy is shown")
    applies: str = "at the next start of the live center"
    updated_at: datetime | None = None
    updated_by: str | None = None


@router.get("/routing-policy", response_model=RoutingPolicyPublic)
def get_routing_policy(request: Request, session: SessionDep, user: Admin) -> RoutingPolicyPublic:
    row = routing_settings.stored_settings(session)
    if row is None:
        policy = live_routing_policy(getattr(request.app.state, "settings", None))
        return RoutingPolicyPublic(
            selection=policy.selection, ring_timeout_seconds=policy.ring_timeout_seconds,
            ageing_seconds_per_level=policy.ageing_seconds_per_level,
            preferred_agent_wait_seconds=policy.preferred_agent_wait_seconds, stored=False)
    return RoutingPolicyPublic(
        selection=row.selection,  # type: ignore[arg-type]
        ring_timeout_seconds=row.ring_timeout_seconds,
        ageing_seconds_per_level=row.ageing_seconds_per_level,
        preferred_agent_wait_seconds=row.preferred_agent_wait_seconds,
        stored=True, updated_at=row.updated_at, updated_by=row.updated_by)


@router.put("/routing-policy", response_model=RoutingPolicyPublic)
def put_routing_policy(
    session: SessionDep, user: Admin, body: RoutingPolicyBody
) -> RoutingPolicyPublic:
    row = routing_settings.save_settings(session, user, body.model_dump())
    return RoutingPolicyPublic(**body.model_dump(), stored=True, updated_at=row.updated_at,
                               updated_by=row.updated_by)


# --- business hours and holidays per site (app/business_hours.py, wfm/business_hours.py) ---

HoursReader = Annotated[User, Depends(require_role("planner", "supervisor"))]
SiteName = Literal["seoul", "busan"]
RangeText = Annotated[str, Field(min_length=1, max_length=5, examples=["09:00"])]


class SiteHoursBody(BaseModel):
    """A site's hours per day type: ``weekday`` (Mon-Fri), ``mon`` ... ``sun``, ``holiday``;
    each a list of ``[start, end]`` (``HH:MM``, 00:00-24:00, start < end, no overlap);
    ``[]`` closed that day, ``null`` removes the entry (``mon`` ... ``fri`` then follow
    ``weekday``; other days are closed). Day types left out keep their hours."""

    model_config = ConfigDict(extra="forbid")
    days: dict[DayType, list[Annotated[list[RangeText], Field(min_length=2, max_length=2)]]
               | None] = Field(min_length=1, max_length=len(DAY_TYPES))


class BusinessHoursPublic(BaseModel):
    time_zone: str
    sites: dict[str, dict[str, list[list[str]]]] = Field(
        description="per site, per day type: [[start, end], ...]; a site without entries "
                    "is open around the clock but on holidays; a missing day type is closed")
    queues: dict[str, dict[str, list[list[str]]]] = Field(
        default_factory=dict,
        description="queues with hours of their own (optional override, same form): such "
                    "a queue is open when one of its sites is and its own hours say so")


class HolidayBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    site: SiteName | None = Field(default=None, description="null: every site")


class HolidayPublic(HolidayBody):
    model_config = ConfigDict(from_attributes=True)
    id: int


class OpenStatus(BaseModel):
    queue: str
    sites: list[str]
    open: bool
    next_opening: str | None = Field(description="center-local YYYY-MM-DDTHH:MM, or null")


def _hours_public(session: SessionDep) -> BusinessHoursPublic:
    return BusinessHoursPublic(time_zone=str(CENTER_TZ), sites=business_hours.hours_table(session),
                               queues=business_hours.queue_hours_table(session))


def _parsed_days(body: SiteHoursBody) -> dict[str, tuple[TimeRange, ...] | None]:
    """The body's ranges, validated by the core (422 naming ``days.<type>.<i>.start``)."""
    days: dict[str, tuple[TimeRange, ...] | None] = {}
    for day_type, ranges in body.days.items():
        try:
            days[day_type] = None if ranges is None else parse_ranges(
                [tuple(r) for r in ranges], f"days.{day_type}")
        except HoursError as exc:  # "days.sat[0].end" -> ("body", "days", "sat", 0, "end")
            parts = exc.field.replace("[", ".").replace("]", "").split(".")
            raise field_error(("body", *(int(p) if p.isdigit() else p for p in parts)),
                              exc.message) from None
    return days


@router.get("/business-hours", response_model=BusinessHoursPublic)
def get_business_hours(session: SessionDep, user: HoursReader) -> BusinessHoursPublic:
    """Opening hours of every site (admins, planners and supervisors read them)."""
    return _hours_public(session)


@router.put("/business-hours/{site}", response_model=BusinessHoursPublic)
def put_business_hours(
    session: SessionDep, user: Admin, site: SiteName, body: SiteHoursBody
) -> BusinessHoursPublic:
    """Set ``site``'s hours of the day types given (audited as ``hours.set``)."""
    business_hours.set_site_hours(session, user, site, _parsed_days(body))  # type: ignore[arg-type]
    return _hours_public(session)


QueueName = Annotated[str, PathParam(min_length=1, max_length=40)]


@router.put("/business-hours/queues/{queue}", response_model=BusinessHoursPublic)
def put_queue_hours(
    session: SessionDep, user: Admin, queue: QueueName, body: SiteHoursBody
) -> BusinessHoursPublic:
    """A queue's own hours (optional override, within its sites' hours; audited as
    ``queue_hours.set``); 404 for an unknown queue."""
    business_hours.set_queue_hours(session, user, queue, _parsed_days(body))  # type: ignore[arg-type]
    return _hours_public(session)


@router.delete("/business-hours/queues/{queue}", status_code=204)
def delete_queue_hours(session: SessionDep, user: Admin, queue: QueueName) -> Response:
    """The queue follows its sites' hours again (audited as ``queue_hours.clear``)."""
    business_hours.clear_queue_hours(session, user, queue)
    return Response(status_code=204)


@router.get("/business-hours/status", response_model=OpenStatus)
def get_open_status(
    session: SessionDep, user: Watcher, queue: Annotated[str, Query(max_length=40)],
    at: Annotated[datetime | None, Query(description="default: now")] = None,
) -> OpenStatus:
    """Is ``queue`` open (at least one site serving it open)? What a PBX asks before it
    queues a call: closed means play the closed message (see README, business hours)."""
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=CENTER_TZ)
    hours = business_hours.load_hours(session)
    sites = business_hours.queue_sites(session, [queue])[queue]
    first = next_queue_opening(hours, queue, sites, when)
    return OpenStatus(queue=queue, sites=sites, open=queue_is_open(hours, queue, sites, when),
                      next_opening=None if first is None else first.strftime("%Y-%m-%dT%H:%M"))


@router.get("/holidays", response_model=list[HolidayPublic])
def get_holidays(
    session: SessionDep, user: HoursReader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[HolidayPublic]:
    return [HolidayPublic.model_validate(h) for h in business_hours.list_holidays(session, year)]


@router.post("/holidays", response_model=HolidayPublic, status_code=201)
def post_holiday(session: SessionDep, user: Admin, body: HolidayBody) -> HolidayPublic:
    """Add a holiday (audited as ``holiday.add``); 409 if that day already is one."""
    try:
        holiday = check_holiday(Holiday(body.day, body.name, body.site))
    except HoursError as exc:
        raise field_error(("body", "name"), exc.message) from None
    return HolidayPublic.model_validate(business_hours.add_holiday(session, user, holiday))


@router.delete("/holidays/{holiday_id}", status_code=204)
def delete_holiday(session: SessionDep, user: Admin, holiday_id: Id32) -> Response:
    business_hours.delete_holiday(session, user, holiday_id)
    return Response(status_code=204)
