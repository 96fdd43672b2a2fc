"""Intraday view: how today goes against its forecast and whether the roster holds.

``GET /api/intraday?queue=general&day=&interval_minutes=30`` (planner, supervisor) answers,
per interval of the center day (default today, Asia/Seoul):

* ``forecast`` (with its band): the day's forecast from the history before it
  (:func:`app.api.wfm.make_forecast`, the planner's forecast);
* ``actual``: calls offered so far, in the intervals already over (``null`` after now);
* ``reforecast``: the rest of the day updated from the actuals
  (:meth:`wfm.forecast.Forecast.reforecast`, as ``POST /api/wfm/reforecast`` does);
* ``required``: agents to schedule on the re-forecast (:func:`app.api.wfm.staff_in_process`,
  Erlang C or A with the given targets and shrinkage);
* ``scheduled``: agents working per the published roster (:func:`wfm.intraday.scheduled_agents`);
* ``short``: ``max(0, required − scheduled)``: where the day goes short.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlmodel import col, select

from app.adherence_feed import day_bounds
from app.api.errors import field_error
from app.api.wfm import (
    PRINTABLE,
    ForecastRequest,
    StaffingInterval,
    StaffingRequest,
    make_forecast,
    staff_in_process,
)
from app.auth import require_role
from app.deps import SessionDep
from app.models import Interaction, User
from app.queries import CENTER_TZ, as_utc
from app.rosters import latest_published, published_shifts
from app.wfm_history import history_from_interactions, today_in_center
from wfm.forecast import Forecast
from wfm.intraday import scheduled_agents, shortfall, work_spans

router = APIRouter(prefix="/api/intraday", tags=["intraday"])

Watcher = Annotated[User, Depends(require_role("planner", "supervisor"))]
#: History read for the day's forecast.
HISTORY_DAYS = 56
INTERVALS = (15, 30, 60)


def utc_now() -> datetime:
    """The wall clock (one place, so tests can set the time of day)."""
    return datetime.now(UTC)


class IntradayRow(BaseModel):
    start: str
    forecast: float
    forecast_low: float
    forecast_high: float
    actual: float | None
    reforecast: float
    required: int
    scheduled: float
    short: float


class IntradayPublic(BaseModel):
    queue: str
    day: date
    now: str
    interval_minutes: int
    method: str
    roster_version: int | None
    rows: list[IntradayRow]
    short_agent_hours: float


def _actuals(
    session: SessionDep, queue: str, forecast: Forecast, minutes: int, now: datetime
) -> list[tuple[datetime, float]]:
    """Calls offered in the forecast's intervals that are over by ``now``, each paired with
    the forecast's own start (inbound interactions of ``queue`` by arrival)."""
    step = timedelta(minutes=minutes)

    def naive(moment: datetime) -> datetime:
        return (
            as_utc(moment).astimezone(CENTER_TZ).replace(tzinfo=None) if moment.tzinfo else moment
        )

    over = [s for s in forecast.starts if naive(s) + step <= naive(now)]
    if not over:
        return []
    lo = over[0] if over[0].tzinfo else over[0].replace(tzinfo=CENTER_TZ)
    hi = over[-1] + step if over[-1].tzinfo else (over[-1] + step).replace(tzinfo=CENTER_TZ)
    arrived = session.exec(
        select(Interaction.arrived_at)
        .where(Interaction.queue == queue, Interaction.direction == "inbound")
        .where(col(Interaction.arrived_at) >= as_utc(lo), col(Interaction.arrived_at) < as_utc(hi))
    ).all()
    index = {naive(s): s for s in over}
    counts = dict.fromkeys(over, 0.0)
    origin = naive(over[0])
    for at in arrived:
        local = naive(as_utc(at))
        key = index.get(origin + step * ((local - origin) // step))
        if key is not None:
            counts[key] += 1
    return list(counts.items())


def _scheduled(session: SessionDep, day: date, minutes: int, n: int) -> list[float]:
    lo, hi = day_bounds(day)
    spans: list[tuple[float, float]] = []

    def minute(text: str) -> float:
        return (datetime.fromisoformat(text) - lo) / timedelta(minutes=1)

    for s in published_shifts(session, lo, hi):
        acts = [(minute(a["start"]), minute(a["end"])) for a in s.get("activities", [])]
        spans += work_spans(minute(s["start"]), minute(s["end"]), acts)
    return [float(x) for x in scheduled_agents(spans, minutes, n)]


@router.get("", response_model=IntradayPublic)
def intraday(
    session: SessionDep,
    user: Watcher,
    queue: Annotated[str, Query(min_length=1, max_length=40, pattern=PRINTABLE)],
    day: Annotated[date | None, Query(description="center-local day; default today")] = None,
    interval_minutes: Annotated[int, Query(description="15, 30 or 60")] = 30,
    service_level_target: Annotated[float, Query(gt=0, lt=1)] = 0.8,
    threshold_seconds: Annotated[float, Query(ge=0, le=3600)] = 20,
    shrinkage: Annotated[float, Query(ge=0, lt=1)] = 0.0,
    aht_seconds: Annotated[float, Query(gt=0, le=36_000)] = 180,
    patience_mean_seconds: Annotated[float | None, Query(gt=0, le=36_000)] = None,
) -> Any:
    if interval_minutes not in INTERVALS:
        raise field_error(
            ("query", "interval_minutes"), f"must be 15, 30 or 60, got {interval_minutes}"
        )
    now = utc_now()
    day = day or today_in_center(now)
    lo, _ = day_bounds(day)
    try:
        history = history_from_interactions(
            session, queue, interval_minutes, lo.replace(tzinfo=CENTER_TZ), HISTORY_DAYS
        )
    except ValueError as exc:
        raise field_error(("query", "queue"), str(exc)) from None
    request = ForecastRequest(queue=queue, interval_minutes=interval_minutes, start=day, days=1)
    forecast, public = make_forecast(history, request)
    actuals = _actuals(session, queue, forecast, interval_minutes, now)
    updated: Forecast = forecast.reforecast(actuals) if actuals else forecast
    re_rows = updated.rows()
    staffing = staff_in_process(
        StaffingRequest(
            intervals=[
                StaffingInterval(
                    start=str(r["start"]),
                    offered=float(r["offered"]),  # type: ignore[arg-type]
                    aht_seconds=r.get("aht_seconds"),  # type: ignore[arg-type]
                )
                for r in re_rows
            ],
            interval_minutes=interval_minutes,
            service_level_target=service_level_target,
            threshold_seconds=threshold_seconds,
            shrinkage=shrinkage,
            aht_seconds=aht_seconds,
            patience_mean_seconds=patience_mean_seconds,
        )
    )
    required = [s.scheduled_agents for s in staffing]
    scheduled = _scheduled(session, day, interval_minutes, len(re_rows))
    short = shortfall(required, scheduled)
    seen = {forecast.form.format(s): c for s, c in actuals}
    base = forecast.rows()
    version = latest_published(session, day)
    return IntradayPublic(
        queue=queue,
        day=day,
        now=now.astimezone(CENTER_TZ).replace(tzinfo=None).isoformat(timespec="minutes"),
        interval_minutes=interval_minutes,
        method=public.method,
        roster_version=None if version is None else version.version,
        rows=[
            IntradayRow(
                start=str(b["start"]),
                forecast=float(b["offered"]),  # type: ignore[arg-type]
                forecast_low=float(b["offered_low"]),  # type: ignore[arg-type]
                forecast_high=float(b["offered_high"]),  # type: ignore[arg-type]
                actual=seen.get(str(b["start"])),
                reforecast=float(r["offered"]),  # type: ignore[arg-type]
                required=required[k],
                scheduled=round(scheduled[k], 3),
                short=round(float(short[k]), 3),
            )
            for k, (b, r) in enumerate(zip(base, re_rows, strict=True))
        ],
        short_agent_hours=round(float(short.sum()) * interval_minutes / 60, 2),
    )
