"""Planner API: interval history, forecasts, required agents, history upload.

All routes need the role ``planner`` (admin passes); unsafe methods need the CSRF token
(header ``X-CSRF-Token``, or the form field ``csrf_token`` for the upload form).

* ``GET  /api/wfm/history?queue=&interval_minutes=&days=`` — calls per interval from the database.
* ``POST /api/wfm/history/upload`` — multipart field ``file``, a CSV
  ``start,offered[,aht_seconds]``;
  returns an ``history_id`` to forecast from.
* ``POST /api/wfm/forecast`` — ``{queue | history_id, interval_minutes, start, days}``: per-interval
  forecast with its 80 % interval, the backtest (WAPE per method) and the recent history.
  Without ``start`` it begins the day after the last observed day (for a queue: today).
* ``GET  /api/wfm/accuracy?source=&limit=`` — published forecasts (``publish: true`` on
  /forecast keeps a snapshot) against the calls that came, per day and interval, with each
  day's WAPE (:mod:`wfm.accuracy`).
* ``POST /api/wfm/reforecast`` — a day's forecast rows and ``actuals`` (``[{start, offered}]``,
  each at its own interval start), and the ``update`` /forecast returned: the rest of the
  day updated from them (:meth:`wfm.forecast.Forecast.reforecast`).
* ``POST /api/wfm/staffing`` — required agents per interval (``wfm.staffing.staff_intervals``,
  vectorised): Erlang C, or Erlang A with ``patience_mean_seconds``; targets on the service
  level (``threshold_seconds`` may be 0), ASA and abandonment. ``interval_minutes`` is the
  rows' own spacing, and must agree with it when given. Loads are limited to
  :data:`MAX_INTERVAL_LOAD_ERLANGS` per interval so that a request stays around a second.

The numbers come from the cores (:mod:`wfm.forecast`, :mod:`wfm.staffing`); a core's
``ValueError`` (too little history, ...) becomes a 422 naming the field at fault.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from app.api.errors import DomainError, NotFound, field_error
from app.auth import require_role
from app.business_hours import close_forecast_rows
from app.deps import SessionDep
from app.models import ForecastSnapshot, User
from app.wfm_history import (
    MAX_SNAPSHOTS_SHOWN,
    cached_fit,
    fit_cached,
    fit_key,
    fit_one_thread,
    get_upload,
    history_from_interactions,
    keep_fit,
    one_blas_thread,
    recent_snapshots,
    save_snapshot,
    snapshot_starts,
    store_upload,
    today_in_center,
)
from wfm.accuracy import compare
from wfm.forecast import FittedForecast, Forecast, ForecastSpec
from wfm.forecast_methods import Method
from wfm.history import (
    MAX_AHT_SECONDS,
    MAX_OFFERED,
    MAX_YEAR,
    MIN_YEAR,
    IntervalHistory,
    RowError,
    check_same_form,
    interval_spacing_seconds,
    parse_timestamp,
    timestamp_form,
)
from wfm.intraday_update import DEFAULT_UPDATE_PRIOR, IntradayUpdate
from wfm.staffing import StaffingPlan, StaffingTargets

router = APIRouter(prefix="/api/wfm", tags=["wfm"])

Planner = Annotated[User, Depends(require_role("planner"))]
HISTORY_DAYS_SHOWN = 28
# Per-interval offered load the staffing route accepts: 100,000 Erlangs, beyond any contact
# center; the Erlang C search costs O(sqrt(A)) vectorised steps, so 20,000 intervals at this
# load take about a second (the core itself accepts up to wfm.erlang.MAX_LOAD_ERLANGS).
MAX_INTERVAL_LOAD_ERLANGS = 1e5
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
    start: date | None = Field(
        default=None,
        ge=date(MIN_YEAR, 1, 1),
        le=date(MAX_YEAR, 12, 31),
        description="first day; default the day after history",
    )
    days: int = Field(default=7, ge=1, le=62)
    history_days: int = Field(default=56, ge=7, le=730, description="database history used")
    method: Method | None = None
    publish: bool = Field(
        default=False, description="keep this forecast as a snapshot, to track its accuracy"
    )

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
    notes: dict[str, str] = Field(
        default_factory=dict, description="skipped or passed-over methods"
    )


class UpdateCut(BaseModel):
    """The within-day update's values learnt for one cut (``wfm.intraday_update``)."""

    model_config = ConfigDict(extra="forbid")
    kappa: float = Field(gt=0, le=1000, allow_inf_nan=False)
    shapes: int = Field(ge=1, le=4)
    penalty: float = Field(gt=0, le=1e6, allow_inf_nan=False)
    weight: float = Field(ge=0, le=1, allow_inf_nan=False)


class UpdatePublic(BaseModel):
    """The learnt within-day update (:class:`wfm.intraday_update.IntradayUpdate`): the
    ratio's ``kappa``, the day's error shapes and the values per cut (intervals seen)."""

    model_config = ConfigDict(extra="forbid")
    kappa: float = Field(gt=0, le=1000, allow_inf_nan=False)
    shapes: list[list[Annotated[float, Field(allow_inf_nan=False)]]] = Field(
        default_factory=list, max_length=4
    )
    cuts: dict[str, UpdateCut] = Field(default_factory=dict, max_length=1440)

    @field_validator("shapes")
    @classmethod
    def _short_rows(cls, value: list[list[float]]) -> list[list[float]]:
        if any(len(row) > 1440 for row in value):
            raise ValueError("each shape has at most 1440 values (one per interval of a day)")
        return value


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
    snapshot_id: int | None = Field(default=None, description="the snapshot kept (publish)")
    update_prior: float = Field(
        default=1.0,
        description="shrinkage of the within-day update learnt from the backtest; pass it"
        " back to /reforecast",
    )
    update: UpdatePublic | None = Field(
        default=None,
        description="the full within-day update learnt from the backtest; pass it back to"
        " /reforecast with the day's rows",
    )


Calls = Annotated[float, Field(ge=0, le=MAX_OFFERED, allow_inf_nan=False)]
Start = Annotated[str, Field(min_length=1, max_length=40, pattern=PRINTABLE)]


class ReforecastInterval(BaseModel):
    """One forecast row as /forecast returns it (finite, ordered bounds)."""

    model_config = ConfigDict(extra="forbid")
    start: Start
    offered: Calls
    offered_low: Calls
    offered_high: Calls
    aht_seconds: float | None = Field(default=None, gt=0, le=MAX_AHT_SECONDS, allow_inf_nan=False)

    @model_validator(mode="after")
    def _ordered(self) -> ReforecastInterval:
        if not self.offered_low <= self.offered <= self.offered_high:
            raise ValueError("must have offered_low <= offered <= offered_high")
        return self


class ActualRow(BaseModel):
    """Calls offered in one interval so far, at that interval's start."""

    model_config = ConfigDict(extra="forbid")
    start: Start
    offered: Calls


class ReforecastRequest(BaseModel):
    """A day's forecast (as returned by /forecast, in time order) and the calls seen so far,
    each at its own interval start (``actuals``; all on one day)."""

    model_config = ConfigDict(extra="forbid")
    intervals: list[ReforecastInterval] = Field(min_length=1, max_length=20_000)
    actuals: list[ActualRow] = Field(min_length=1, max_length=1440)
    update_prior: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="the forecast's update_prior (default: the untrained 1.0)",
    )
    update: UpdatePublic | None = Field(
        default=None,
        description="the forecast's learnt update, as /forecast returns it: the rest of the day"
        " is then updated exactly as the planner's intraday view does (without it, the ratio"
        " alone with update_prior)",
    )
    actual_offered: Any = Field(default=None, description="removed: use actuals")

    @field_validator("actual_offered")
    @classmethod
    def _no_positional_actuals(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError(
                "calls by position are no longer accepted (they were placed from midnight):"
                " give actuals [{start, offered}, ...], each at its interval's start"
            )
        return value


class StaffingInterval(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: Start
    offered: Calls
    aht_seconds: float | None = Field(default=None, gt=0, le=36_000, allow_inf_nan=False)


class StaffingRequest(BaseModel):
    """Required agents per interval: Erlang C, or Erlang A with ``patience_mean_seconds``."""

    model_config = ConfigDict(extra="forbid")
    intervals: list[StaffingInterval] = Field(min_length=1, max_length=20_000)
    interval_minutes: IntervalMinutes | None = Field(
        default=None, description="default: the rows' own spacing (needed for one row)"
    )
    service_level_target: float | None = Field(default=0.8, gt=0, lt=1)
    threshold_seconds: float = Field(default=20, ge=0, le=3600, allow_inf_nan=False)
    asa_target_seconds: float | None = Field(default=None, gt=0, le=3600, allow_inf_nan=False)
    abandon_target: float | None = Field(default=None, gt=0, lt=1, description="Erlang A")
    patience_mean_seconds: float | None = Field(
        default=None, gt=0, description="mean caller patience: Erlang A (Infinity: Erlang C)"
    )
    aht_seconds: float = Field(
        default=180, gt=0, le=36_000, allow_inf_nan=False, description="when an interval has none"
    )
    max_occupancy: float = Field(default=1.0, gt=0, le=1)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)

    def check_targets(self) -> None:
        """422 naming the field for targets that do not fit together."""
        if self.abandon_target is not None and self.patience_mean_seconds is None:
            raise field_error(("body", "abandon_target"), "needs patience_mean_seconds (Erlang A)")
        if (
            self.service_level_target is None
            and self.asa_target_seconds is None
            and self.abandon_target is None
        ):
            raise field_error(
                ("body", "service_level_target"),
                "give at least one of service_level_target, asa_target_seconds, abandon_target",
            )


class StaffingRow(BaseModel):
    start: str
    offered: float
    aht_seconds: float
    agents: int
    scheduled_agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    p_abandon: float | None = None


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


# Which request field a core ValueError is about (first match wins; else "history").
FORECAST_ERROR_FIELDS = (
    ("start", "start"),
    ("method ", "method"),
    ("interval", "interval_minutes"),
)


def _forecast_error(exc: ValueError) -> Exception:
    text = str(exc)
    field = next((f for key, f in FORECAST_ERROR_FIELDS if key in text), "history")
    return field_error(("body", field), text)


def forecast_fit_inputs(
    history: IntervalHistory, body: ForecastRequest
) -> tuple[IntervalHistory, ForecastSpec]:
    """The history cut at the forecast's first day and the spec to fit (422 on bad input)."""
    start = body.start or history.observed_last_day + timedelta(days=1)
    try:
        if start <= history.last_day:
            history = history.until(start)
        spec = ForecastSpec(interval_minutes=body.interval_minutes, horizon_days=min(body.days, 28))
    except ValueError as exc:
        raise _forecast_error(exc) from None
    return history, spec


def make_forecast(
    history: IntervalHistory, body: ForecastRequest, state: Any = None,
    fitted: FittedForecast | None = None,
) -> tuple[Forecast, ForecastPublic]:
    """The forecast of ``body`` over ``history``: with ``fitted`` given (the fit of
    :func:`forecast_fit_inputs`'s spec and history), only the cheap forecasting is done here."""
    start = body.start or history.observed_last_day + timedelta(days=1)
    history, spec = forecast_fit_inputs(history, body)
    try:
        if fitted is None and state is None:
            with one_blas_thread():
                fitted = spec.fit(history)
        elif fitted is None:
            fitted = fit_cached(state, spec, history)
        forecast = fitted.forecast(start, body.days, method=body.method)
    except ValueError as exc:
        raise _forecast_error(exc) from None
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
            notes=bt.notes,
        ),
        special_day_factors=fitted.effects.factors,
        holidays_closed=fitted.holidays_closed,
        intervals=[ForecastRow(**row) for row in forecast.output_rows()],  # type: ignore[arg-type]
        history=history_rows(fitted.history, HISTORY_DAYS_SHOWN),
        update_prior=forecast.update_prior,
        update=None if forecast.update is None else UpdatePublic(**forecast.update.to_json()),
    )
    return forecast, public


class AccuracyInterval(BaseModel):
    start: str
    forecast: float
    actual: float


class AccuracyDay(BaseModel):
    day: date
    wape: float | None
    forecast_calls: float
    actual_calls: float
    intervals: list[AccuracyInterval]


class AccuracySnapshot(BaseModel):
    id: int
    source: str
    method: str
    created_at: datetime
    first_day: date
    days: int
    compared: list[AccuracyDay] = Field(description="days whose calls are known, each with WAPE")
    note: str | None = None


def snapshot_accuracy(
    request: Request, session: SessionDep, snap: ForecastSnapshot, today: date
) -> AccuracySnapshot:
    """A snapshot against the actuals of its source (queue history up to today, or the
    upload if still kept)."""
    out = AccuracySnapshot(
        id=snap.id or 0,
        source=snap.source,
        method=snap.method,
        created_at=snap.created_at,
        first_day=snap.first_day,
        days=snap.days,
        compared=[],
    )
    kind, _, name = snap.source.partition(":")
    history: IntervalHistory | None
    if kind == "upload":
        history = get_upload(request.app.state, name)
        if history is not None and history.interval_minutes != snap.interval_minutes:
            history = history.aggregate(snap.interval_minutes)
    else:
        span = (today - snap.first_day).days
        if span < 1:
            return out
        try:
            history = history_from_interactions(
                session, name, snap.interval_minutes, _until(today), min(span, 730)
            )
        except ValueError:
            history = None
    if history is None:
        out.note = "no actuals for this forecast's source"
        return out
    starts = snapshot_starts(snap)
    offered = [float(r["offered"]) for r in snap.intervals]
    for day in compare(starts, offered, history):
        out.compared.append(
            AccuracyDay(
                day=day.day,
                wape=day.wape,
                forecast_calls=round(day.forecast_calls, 1),
                actual_calls=day.actual_calls,
                intervals=[
                    AccuracyInterval(start=s.isoformat(), forecast=round(float(f), 3), actual=a)
                    for s, f, a in zip(day.starts, day.forecast, day.actual, strict=True)
                ],
            )
        )
    return out


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
async def post_forecast(
    request: Request, session: SessionDep, user: Planner, body: ForecastRequest
) -> ForecastPublic:
    """The fit (the CPU-heavy part, with its backtest) in a killable child process with a
    deadline (:mod:`app.deadlines`); the session's fit cache is looked up and filled here,
    so a cached fit costs no child at all. Database work in a worker thread."""
    from starlette.concurrency import run_in_threadpool

    from app.deadlines import cpu_work

    source, history = await run_in_threadpool(load_history, request, session, body)
    history, spec = forecast_fit_inputs(history, body)
    state = request.app.state
    key = await run_in_threadpool(fit_key, spec, history)
    fitted = cached_fit(state, key)
    if fitted is None:
        try:
            fitted = await cpu_work(request).run(request, fit_one_thread, spec, history)
        except ValueError as exc:
            raise _forecast_error(exc) from None
        keep_fit(state, key, fitted)
    forecast, public = await run_in_threadpool(make_forecast, history, body, None, fitted)
    public.source = source
    if body.queue is not None:  # closed intervals and holidays (business hours): no demand
        await run_in_threadpool(close_forecast_rows, session, body.queue, public.intervals,
                                public.interval_minutes)
    if body.publish:
        rows = [r.model_dump() for r in public.intervals]
        public.snapshot_id = await run_in_threadpool(
            save_snapshot, session, source, forecast, rows, datetime.now(UTC), user.id
        )
    return public


@router.get("/accuracy", response_model=list[AccuracySnapshot])
def get_accuracy(
    request: Request,
    session: SessionDep,
    user: Planner,
    source: Annotated[str, Query(min_length=3, max_length=80, pattern=PRINTABLE)],
    limit: Annotated[int, Query(ge=1, le=MAX_SNAPSHOTS_SHOWN)] = 5,
) -> list[AccuracySnapshot]:
    """Published forecasts of ``source`` (``queue:NAME`` or ``upload:ID``), newest first, each
    against the calls that came: per day and interval, with each day's WAPE."""
    if source.split(":", 1)[0] not in ("queue", "upload") or ":" not in source:
        raise field_error(("query", "source"), "must be queue:NAME or upload:ID")
    today = today_in_center(datetime.now(UTC))
    return [
        snapshot_accuracy(request, session, snap, today)
        for snap in recent_snapshots(session, source, limit)
    ]


@router.post("/reforecast", response_model=list[ForecastRow])
def post_reforecast(user: Planner, body: ReforecastRequest) -> list[ForecastRow]:
    """Intraday re-forecast: the rest of the day updated from the actuals
    (:meth:`wfm.forecast.Forecast.reforecast`), with the learnt ``update`` /forecast gave
    (the same update as the intraday view and the CLI), else the ratio with
    ``update_prior``."""
    starts = _parse_starts(("body", "intervals"), [r.start for r in body.intervals])
    for i in range(1, len(starts)):
        if not starts[i] > starts[i - 1]:
            raise field_error(
                ("body", "intervals", i, "start"),
                f"intervals must be in time order without repeats: {body.intervals[i].start}"
                f" does not follow {body.intervals[i - 1].start}",
            )
    actual_starts = _parse_starts(("body", "actuals"), [r.start for r in body.actuals])
    aware = starts[0].tzinfo is not None
    for j, start in enumerate(actual_starts):
        if (start.tzinfo is not None) != aware:
            raise field_error(
                ("body", "actuals", j, "start"),
                f"start {body.actuals[j].start} must be written like the intervals' starts"
                f" ({'with' if aware else 'without'} a UTC offset)",
            )
    update = None
    if body.update is not None:
        try:
            update = IntradayUpdate.from_json(body.update.model_dump())
        except ValueError as exc:
            raise field_error(("body", "update"), str(exc)) from None
    aht = [r.aht_seconds for r in body.intervals]
    spacing = min((b - a for a, b in pairwise(starts)), default=None)
    forecast = Forecast(
        starts,
        np.array([r.offered for r in body.intervals]),
        np.array([r.offered_low for r in body.intervals]),
        np.array([r.offered_high for r in body.intervals]),
        None if any(a is None for a in aht) else np.array(aht, dtype=float),
        "reforecast",
        60 if spacing is None else max(1, int(spacing.total_seconds() // 60)),
        0.8,
        timestamp_form(body.intervals[0].start, starts[0]),
        body.update_prior or (update.kappa if update else DEFAULT_UPDATE_PRIOR),
        update,
    )
    actuals = [(s, r.offered) for s, r in zip(actual_starts, body.actuals, strict=True)]
    try:
        updated = forecast.reforecast(actuals)
    except ValueError as exc:
        text = str(exc)
        index = text[len("actuals[") :].split("]")[0] if text.startswith("actuals[") else ""
        loc: tuple[str | int, ...] = ("body", "actuals")
        if index.isdigit():
            loc = (*loc, int(index), "start")
        raise field_error(loc, text) from None
    rows = updated.rows()
    for row, given in zip(rows, body.intervals, strict=True):
        row["start"] = given.start  # as written
    return [ForecastRow(**row) for row in rows]  # type: ignore[arg-type]


def _parse_starts(loc: tuple[str, str], texts: list[str]) -> list[datetime]:
    """ISO timestamps, all naive or all with an offset; 422 naming the row otherwise."""
    out: list[datetime] = []
    for i, text in enumerate(texts):
        try:
            out.append(parse_timestamp(text))
        except ValueError as exc:
            raise field_error((*loc, i, "start"), f"not an ISO timestamp: {exc}") from None
    try:
        check_same_form(out, texts)
    except RowError as exc:
        raise field_error((*loc, exc.index, "start"), str(exc)) from None
    return out


@router.post("/staffing", response_model=StaffingPublic)
async def post_staffing(request: Request, user: Planner, body: StaffingRequest) -> StaffingPublic:
    """Parsing in a worker thread; the core in a killable child process with a deadline
    (:mod:`app.deadlines`): stopped when the client leaves or the server stops."""
    from starlette.concurrency import run_in_threadpool

    from app.deadlines import cpu_work
    from wfm.staffing import staff_intervals

    calls, seconds, aht = await run_in_threadpool(staffing_inputs, body)
    try:
        plan = await cpu_work(request).run(
            request, staff_intervals, calls, seconds, aht,
            targets=staffing_targets(body), patience_mean_seconds=body.patience_mean_seconds,
        )
    except ValueError as exc:
        raise staffing_field_error(str(exc)) from None
    return StaffingPublic(intervals=staffing_rows(body, aht, plan))


def staffing_targets(body: StaffingRequest) -> StaffingTargets:
    """The request's targets as the core's validated object (ValueError naming the field)."""
    return StaffingTargets(
        service_level_target=body.service_level_target,
        threshold_seconds=body.threshold_seconds,
        asa_target_seconds=body.asa_target_seconds,
        abandon_target=body.abandon_target,
        max_occupancy=body.max_occupancy,
        shrinkage=body.shrinkage,
    )


def staff_in_process(body: StaffingRequest) -> list[StaffingRow]:
    """Required agents per interval computed in this process, for callers that already run
    in a bounded background job (the roster chain, the intraday view); the route itself runs
    the core in a killable child process. ValueError / 422 as the route gives them."""
    from wfm.staffing import staff_intervals

    calls, seconds, aht = staffing_inputs(body)
    try:
        plan = staff_intervals(
            calls, seconds, aht,
            targets=staffing_targets(body), patience_mean_seconds=body.patience_mean_seconds,
        )
    except ValueError as exc:
        raise staffing_field_error(str(exc)) from None
    return staffing_rows(body, aht, plan)


#: Request fields a core ValueError may start with (``max_occupancy 1e-300 would need ...``).
STAFFING_FIELDS = (
    "service_level_target", "threshold_seconds", "asa_target_seconds", "abandon_target",
    "patience_mean_seconds", "max_occupancy", "shrinkage",
)


def staffing_field_error(text: str) -> Exception:
    """A 422 naming the field a core's message is about (else the body as a whole)."""
    field = next((f for f in STAFFING_FIELDS if text.startswith(f)), None)
    if field is None and text.startswith("the targets need"):
        field = "service_level_target"
    return field_error(("body", field) if field else ("body",), text)


def staffing_inputs(body: StaffingRequest) -> tuple[np.ndarray, float, np.ndarray]:
    """Calls, interval seconds and AHT per row; 422 for a load over the route's limit."""
    body.check_targets()
    seconds = _interval_seconds(body)
    calls = np.array([r.offered for r in body.intervals])
    aht = np.array([r.aht_seconds or body.aht_seconds for r in body.intervals])
    load = calls * aht / seconds
    if np.any(load > MAX_INTERVAL_LOAD_ERLANGS):
        i = int(np.flatnonzero(load > MAX_INTERVAL_LOAD_ERLANGS)[0])
        raise field_error(
            ("body", "intervals", i, "offered"),
            f"offered load (calls x aht_seconds / interval) must be at most"
            f" {MAX_INTERVAL_LOAD_ERLANGS:g} Erlangs, got {load[i]:g}",
        )
    return calls, seconds, aht


def staffing_rows(body: StaffingRequest, aht: np.ndarray, plan: StaffingPlan) -> list[StaffingRow]:
    """Required agents per interval (0 agents where no calls are offered)."""
    return [
        StaffingRow(
            start=row.start,
            offered=row.offered,
            aht_seconds=float(aht[i]),
            agents=int(plan.agents[i]),
            scheduled_agents=int(plan.scheduled_agents[i]),
            service_level=float(plan.service_level[i]),
            asa_seconds=float(plan.asa_seconds[i]),
            occupancy=float(plan.occupancy[i]),
            p_abandon=None if plan.p_abandon is None else float(plan.p_abandon[i]),
        )
        for i, row in enumerate(body.intervals)
    ]


def _interval_seconds(body: StaffingRequest) -> float:
    """The rows' spacing, checked against ``interval_minutes`` (needed for a single row)."""
    texts = [r.start for r in body.intervals]
    starts = _parse_starts(("body", "intervals"), texts)
    try:
        spacing = interval_spacing_seconds(starts, texts)
    except RowError as exc:
        raise field_error(("body", "intervals", exc.index, "start"), str(exc)) from None
    given = None if body.interval_minutes is None else body.interval_minutes * 60.0
    if spacing is None:
        if given is None:
            raise field_error(
                ("body", "interval_minutes"), "required for a single interval (no spacing)"
            )
        return given
    if given is not None and given != spacing:
        raise field_error(
            ("body", "interval_minutes"),
            f"{body.interval_minutes} disagrees with the intervals, whose starts are"
            f" {spacing / 60:g} minutes apart (leave it out to use their spacing)",
        )
    return spacing
