"""Planner API: interval history, forecasts, required agents, history upload.

All routes need the role ``planner`` (admin passes); unsafe methods need the CSRF token
(header ``X-CSRF-Token``, or the form field ``csrf_token`` for the upload form).

* ``GET  /api/wfm/history?queue=&interval_minutes=&days=`` — calls per interval from the database.
* ``POST /api/wfm/history/upload`` — multipart field ``file``, a CSV
  ``start,offered[,aht_seconds]``;
  returns an ``history_id`` to forecast from.
* ``POST /api/wfm/forecast`` — ``{queue | history_id, interval_minutes, start, days}``: per-interval
  forecast with its 80 % interval, the backtest (WAPE per method) and the recent history.
* ``POST /api/wfm/staffing`` — required agents per interval (Erlang C, ``wfm.staffing``).

The numbers come from the cores (:mod:`wfm.forecast`, :mod:`wfm.staffing`); a core's
``ValueError`` (too little history, ...) becomes a 422 naming the field at fault.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.api.errors import DomainError, NotFound, field_error
from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.wfm_history import (
    get_upload,
    history_from_interactions,
    store_upload,
    today_in_center,
)
from wfm.forecast import METHODS, Forecast, ForecastSpec
from wfm.history import IntervalHistory, parse_timestamp, timestamp_form

router = APIRouter(prefix="/api/wfm", tags=["wfm"])

Planner = Annotated[User, Depends(require_role("planner"))]
MethodName = Literal["seasonal_naive", "weekday_mean", "ets", "sarima", "profile", "combination"]
assert set(METHODS) == set(MethodName.__args__)  # type: ignore[attr-defined]
HISTORY_DAYS_SHOWN = 28
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"  # no control characters (PostgreSQL refuses NUL)


class ServiceUnavailable(DomainError):
    status = 503


def _check_divides_day(value: int) -> int:
    if 1440 % value:
        raise ValueError("must divide the day (1440 minutes): 5, 10, 15, 20, 30 or 60")
    return value


IntervalMinutes = Annotated[
    int,
    Field(ge=5, le=60, description="interval length; divides the day"),
    AfterValidator(_check_divides_day),
]


class IntervalRow(BaseModel):
    start: str
    offered: float
    aht_seconds: float | None = None


class HistoryPublic(BaseModel):
    source: str
    interval_minutes: int
    first_day: date
    last_day: date
    days: int
    intervals: list[IntervalRow]


class ForecastRequest(BaseModel):
    """Forecast from a queue's database history or from an uploaded history (exactly one)."""

    model_config = ConfigDict(extra="forbid")
    queue: str | None = Field(default=None, min_length=1, max_length=40, pattern=PRINTABLE)
    history_id: str | None = Field(default=None, min_length=1, max_length=40, pattern=PRINTABLE)
    interval_minutes: IntervalMinutes = 30
    start: date | None = Field(default=None, description="first day; default the day after history")
    days: int = Field(default=7, ge=1, le=62)
    history_days: int = Field(default=56, ge=14, le=730, description="database history used")
    method: MethodName | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ForecastRequest:
        if (self.queue is None) == (self.history_id is None):
            raise ValueError("give exactly one of queue or history_id")
        return self


class ForecastRow(BaseModel):
    start: str
    offered: float
    offered_low: float
    offered_high: float
    aht_seconds: float | None = None


class BacktestPublic(BaseModel):
    horizon_days: int
    origins: list[date]
    wape: dict[str, float | None]
    relative_wape: dict[str, float | None]
    windows: dict[str, int]
    chosen: str


class ForecastPublic(BaseModel):
    source: str
    method: str
    interval_minutes: int
    coverage: float
    backtest: BacktestPublic | None
    special_day_factors: dict[str, float]
    holidays_closed: bool
    intervals: list[ForecastRow]
    history: list[IntervalRow]


class ReforecastRequest(BaseModel):
    """A day's forecast (as returned by /forecast) and the calls seen so far that day."""

    model_config = ConfigDict(extra="forbid")
    intervals: list[ForecastRow] = Field(min_length=1, max_length=20_000)
    actual_offered: list[Annotated[float, Field(ge=0, le=1_000_000)]] = Field(max_length=1440)
    day: date | None = Field(default=None, description="the day re-forecast; default the first")


class StaffingInterval(BaseModel):
    start: str = Field(max_length=40)
    offered: float = Field(ge=0, le=1_000_000)
    aht_seconds: float | None = Field(default=None, gt=0, le=36_000)


class StaffingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    intervals: list[StaffingInterval] = Field(min_length=1, max_length=20_000)
    interval_minutes: IntervalMinutes = 30
    service_level_target: float = Field(default=0.8, gt=0, lt=1)
    threshold_seconds: float = Field(default=20, gt=0, le=3600)
    aht_seconds: float = Field(
        default=180, gt=0, le=36_000, description="when an interval has none"
    )
    max_occupancy: float = Field(default=1.0, gt=0, le=1)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)


class StaffingRow(BaseModel):
    start: str
    offered: float
    aht_seconds: float
    agents: int
    scheduled_agents: int
    service_level: float
    asa_seconds: float
    occupancy: float


class StaffingPublic(BaseModel):
    intervals: list[StaffingRow]


class UploadPublic(BaseModel):
    history_id: str
    interval_minutes: int
    first_day: date
    last_day: date
    days: int
    calls: float


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def history_rows(history: IntervalHistory, last_days: int | None = None) -> list[IntervalRow]:
    out: list[IntervalRow] = []
    first = 0 if last_days is None else max(0, history.n_days - last_days)
    for i in range(first, history.n_days):
        day = history.first_day + timedelta(days=i)
        for j, start in enumerate(history.interval_starts(day)):
            aht = None if history.aht_seconds is None else _finite(float(history.aht_seconds[i, j]))
            out.append(
                IntervalRow(
                    start=history.format_start(start),
                    offered=float(history.offered[i, j]),
                    aht_seconds=aht,
                )
            )
    return out


def load_history(
    request: Request, session: SessionDep, body: ForecastRequest
) -> tuple[str, IntervalHistory]:
    """The history a forecast request names (404 for an unknown upload, 422 for no data)."""
    if body.history_id is not None:
        history = get_upload(request.app.state, body.history_id)
        if history is None:
            raise NotFound(f"uploaded history {body.history_id} not found (uploads live in memory)")
        return f"upload:{body.history_id}", history
    assert body.queue is not None
    until = _until(body.start)
    try:
        return f"queue:{body.queue}", history_from_interactions(
            session, body.queue, body.interval_minutes, until, body.history_days
        )
    except ValueError as exc:
        raise field_error(("body", "queue"), str(exc)) from None


def _until(start: date | None) -> datetime:
    """History runs up to the forecast's first day, or up to the start of today (center time)."""
    if start is None:
        start = today_in_center(datetime.now(UTC))
    from app.queries import CENTER_TZ

    return datetime(start.year, start.month, start.day, tzinfo=CENTER_TZ)


def make_forecast(
    history: IntervalHistory, body: ForecastRequest
) -> tuple[Forecast, ForecastPublic]:
    start = body.start or history.last_day + timedelta(days=1)
    try:
        if start <= history.last_day:
            history = history.until(start)
        fitted = ForecastSpec(interval_minutes=body.interval_minutes).fit(history)
        forecast = fitted.forecast(start, body.days, method=body.method)
    except ValueError as exc:
        field = (
            "start"
            if "start" in str(exc)
            else ("interval_minutes" if "interval" in str(exc) else "history")
        )
        raise field_error(("body", field), str(exc)) from None
    bt = fitted.backtest
    public = ForecastPublic(
        source="",
        method=forecast.method,
        interval_minutes=forecast.interval_minutes,
        coverage=forecast.coverage,
        backtest=None
        if bt is None
        else BacktestPublic(
            horizon_days=bt.horizon_days,
            origins=list(bt.origins),
            wape={m: _finite(w) for m, w in bt.wape.items()},
            relative_wape={m: _finite(w) for m, w in bt.relative_wape.items()},
            windows=bt.windows,
            chosen=bt.chosen,
        ),
        special_day_factors=fitted.effects.factors,
        holidays_closed=fitted.holidays_closed,
        intervals=[ForecastRow(**row) for row in forecast.rows()],  # type: ignore[arg-type]
        history=history_rows(fitted.history, HISTORY_DAYS_SHOWN),
    )
    return forecast, public


@router.get("/history", response_model=HistoryPublic)
def get_history(
    session: SessionDep,
    user: Planner,
    queue: Annotated[str, Query(min_length=1, max_length=40, pattern=PRINTABLE)],
    interval_minutes: Annotated[int, Query(ge=5, le=60)] = 30,
    days: Annotated[int, Query(ge=1, le=730)] = 28,
) -> HistoryPublic:
    if 1440 % interval_minutes:
        raise field_error(("query", "interval_minutes"), "must divide the day (1440 minutes)")
    until = _until(None)
    try:
        history = history_from_interactions(session, queue, interval_minutes, until, days)
    except ValueError as exc:
        raise field_error(("query", "queue"), str(exc)) from None
    return HistoryPublic(
        source=f"queue:{queue}",
        interval_minutes=interval_minutes,
        first_day=history.first_day,
        last_day=history.last_day,
        days=history.n_days,
        intervals=history_rows(history),
    )


@router.post("/history/upload", response_model=UploadPublic, status_code=201)
async def upload_history(
    request: Request, user: Planner, file: Annotated[UploadFile, File()]
) -> UploadPublic:
    data = await file.read()
    try:
        upload_id, history = store_upload(request.app.state, data)
    except ValueError as exc:
        raise field_error(("body", "file"), str(exc)) from None
    return UploadPublic(
        history_id=upload_id,
        interval_minutes=history.interval_minutes,
        first_day=history.first_day,
        last_day=history.last_day,
        days=history.n_days,
        calls=float(history.offered.sum()),
    )


@router.post("/forecast", response_model=ForecastPublic)
def post_forecast(
    request: Request, session: SessionDep, user: Planner, body: ForecastRequest
) -> ForecastPublic:
    source, history = load_history(request, session, body)
    _, public = make_forecast(history, body)
    public.source = source
    return public


@router.post("/reforecast", response_model=list[ForecastRow])
def post_reforecast(user: Planner, body: ReforecastRequest) -> list[ForecastRow]:
    """Intraday re-forecast: the rest of the day scaled toward what the morning showed
    (:meth:`wfm.forecast.Forecast.reforecast`)."""
    try:
        starts = [parse_timestamp(r.start) for r in body.intervals]
        form = timestamp_form(body.intervals[0].start, starts[0])
    except ValueError as exc:
        raise field_error(("body", "intervals"), f"start: {exc}") from None
    aht = [r.aht_seconds for r in body.intervals]
    forecast = Forecast(
        starts,
        np.array([r.offered for r in body.intervals]),
        np.array([r.offered_low for r in body.intervals]),
        np.array([r.offered_high for r in body.intervals]),
        None if any(a is None for a in aht) else np.array(aht, dtype=float),
        "reforecast",
        int((starts[1] - starts[0]).total_seconds() // 60) if len(starts) > 1 else 60,
        0.8,
        form,
    )
    try:
        updated = forecast.reforecast(body.actual_offered, body.day)
    except ValueError as exc:
        raise field_error(("body", "actual_offered"), str(exc)) from None
    return [ForecastRow(**row) for row in updated.rows()]  # type: ignore[arg-type]


@router.post("/staffing", response_model=StaffingPublic)
def post_staffing(user: Planner, body: StaffingRequest) -> StaffingPublic:
    return StaffingPublic(intervals=staffing_rows(body))


def staffing_rows(body: StaffingRequest) -> list[StaffingRow]:
    """Required agents per interval (Erlang C) for the service-level target; 0 with no calls."""
    required_agents = _required_agents_function()
    seconds = body.interval_minutes * 60
    out: list[StaffingRow] = []
    for i, row in enumerate(body.intervals):
        aht = row.aht_seconds or body.aht_seconds
        if row.offered <= 0:
            out.append(
                StaffingRow(
                    start=row.start,
                    offered=0.0,
                    aht_seconds=aht,
                    agents=0,
                    scheduled_agents=0,
                    service_level=1.0,
                    asa_seconds=0.0,
                    occupancy=0.0,
                )
            )
            continue
        try:
            res = required_agents(
                row.offered,
                seconds,
                aht,
                body.service_level_target,
                body.threshold_seconds,
                max_occupancy=body.max_occupancy,
                shrinkage=body.shrinkage,
            )
        except ValueError as exc:
            raise field_error(("body", "intervals", i), str(exc)) from None
        out.append(
            StaffingRow(
                start=row.start,
                offered=row.offered,
                aht_seconds=aht,
                agents=int(res.agents),
                scheduled_agents=int(res.scheduled_agents),
                service_level=float(res.service_level),
                asa_seconds=float(res.asa_seconds),
                occupancy=float(res.occupancy),
            )
        )
    return out


def _required_agents_function() -> Any:
    """``wfm.staffing.required_agents`` (or the re-export in ``wfm.erlang``), imported late."""
    try:
        from wfm.staffing import required_agents
    except ImportError:
        try:
            from wfm.erlang import required_agents
        except ImportError:
            raise ServiceUnavailable(
                "staffing is not available yet (wfm.staffing missing)"
            ) from None
    return required_agents
