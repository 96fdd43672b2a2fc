"""Schedule simulation (what-if) API: rehearse rosters on a forecast, side by side.

* ``POST /api/whatif`` (planner) — start a background job (202 with its ``id``); body below.
* ``GET /api/whatif/{id}`` — ``{state: running|done|failed, done, total, error, result}``;
  ``result.scenarios[i]`` holds ``summary`` and ``summary_ci`` (offered, answered, abandoned,
  service level, ASA, P(abandon)) and ``intervals``: per interval each figure as
  ``{mean, low, high}`` (95 % t interval over replications).

The body names the forecast — a queue's database history (``queue``, the planner's forecast
from the history before ``start``) or ``calls_per_interval`` given inline — the caller model
(``aht_seconds`` when the forecast has none, ``patience_mean_seconds``,
``threshold_seconds``), ``replications`` (at most
:data:`simulations.roster_scenario.MAX_REPLICATIONS`), ``seed``, and one or two
``scenarios``: each a roster (``roster_version_id``, or ``shifts`` in ROSTER.json form, or
neither: the published roster in force) and what-if changes (``volume_change_percent``,
``extra_agents``, in ``[window_start_minute, window_end_minute)`` of the horizon).
``days`` is at most :data:`simulations.roster_scenario.MAX_DAYS`.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.errors import NotFound, field_error
from app.api.wfm import PRINTABLE, ForecastRequest, make_forecast
from app.auth import require_role
from app.deps import SessionDep
from app.models import User
from app.queries import CENTER_TZ
from app.rosters import get_version, published_shifts
from app.wfm_history import history_from_interactions
from app.whatif_jobs import ScenarioSpec, WhatIfJobs
from simulations.roster_scenario import (
    MAX_DAYS,
    MAX_EXTRA_AGENTS,
    MAX_REPLICATIONS,
    MAX_VOLUME_CHANGE_PERCENT,
    Rehearsal,
    WhatIf,
)

router = APIRouter(prefix="/api/whatif", tags=["whatif"])

Planner = Annotated[User, Depends(require_role("planner"))]
HISTORY_DAYS = 56
MAX_SHIFTS = 20_000
_STORE_LOCK = threading.Lock()


class ScenarioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=60, pattern=r"^[^\x00-\x1f\x7f]*$")
    roster_version_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    shifts: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_SHIFTS)
    volume_change_percent: float = Field(
        default=0, ge=-100, le=MAX_VOLUME_CHANGE_PERCENT, allow_inf_nan=False
    )
    extra_agents: int = Field(default=0, ge=0, le=MAX_EXTRA_AGENTS)
    window_start_minute: int = Field(default=0, ge=0, le=MAX_DAYS * 1440)
    window_end_minute: int | None = Field(default=None, ge=1, le=MAX_DAYS * 1440)

    @model_validator(mode="after")
    def _one_roster(self) -> ScenarioIn:
        if self.roster_version_id is not None and self.shifts is not None:
            raise ValueError("give roster_version_id or shifts, not both")
        end = self.window_end_minute
        if end is not None and end <= self.window_start_minute:
            raise ValueError("window_end_minute must be after window_start_minute")
        return self


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: str | None = Field(default=None, min_length=1, max_length=40, pattern=PRINTABLE)
    calls_per_interval: list[float] | None = Field(default=None, max_length=MAX_DAYS * 288)
    start: date
    days: int = Field(default=1, ge=1, le=MAX_DAYS)
    interval_minutes: int = Field(default=30, ge=15, le=60)
    aht_seconds: float = Field(default=180, gt=0, le=36_000, allow_inf_nan=False)
    patience_mean_seconds: float = Field(default=120, gt=0, le=36_000, allow_inf_nan=False)
    threshold_seconds: float = Field(default=20, ge=0, le=3600, allow_inf_nan=False)
    replications: int = Field(default=10, ge=2, le=MAX_REPLICATIONS)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    scenarios: list[ScenarioIn] = Field(min_length=1, max_length=2)

    @model_validator(mode="after")
    def _one_forecast(self) -> WhatIfRequest:
        if (self.queue is None) == (self.calls_per_interval is None):
            raise ValueError("give exactly one of queue or calls_per_interval")
        if self.interval_minutes not in (15, 30, 60):
            raise ValueError("interval_minutes must be 15, 30 or 60")
        return self


def job_store(request: Request) -> WhatIfJobs:
    with _STORE_LOCK:
        store: WhatIfJobs | None = getattr(request.app.state, "whatif_jobs", None)
        if store is None:
            store = request.app.state.whatif_jobs = WhatIfJobs()
        return store


def _forecast(session: SessionDep, body: WhatIfRequest) -> tuple[list[float], float]:
    """Calls per interval over the horizon and the mean handle time."""
    n = body.days * 1440 // body.interval_minutes
    if body.calls_per_interval is not None:
        calls = body.calls_per_interval
        if len(calls) != n or any(not (0 <= c <= 1e6) for c in calls):
            raise field_error(
                ("body", "calls_per_interval"),
                f"must hold {n} numbers in [0, 1000000] ({body.days} days of"
                f" {body.interval_minutes} min)",
            )
        return list(calls), body.aht_seconds
    assert body.queue is not None
    until = datetime.combine(body.start, datetime.min.time()).replace(tzinfo=CENTER_TZ)
    try:
        history = history_from_interactions(
            session, body.queue, body.interval_minutes, until, HISTORY_DAYS
        )
    except ValueError as exc:
        raise field_error(("body", "queue"), str(exc)) from None
    request = ForecastRequest(
        queue=body.queue, interval_minutes=body.interval_minutes, start=body.start, days=body.days
    )
    forecast, _ = make_forecast(history, request)
    offered = np.asarray(forecast.offered, dtype=float)
    if len(offered) != n:
        raise field_error(("body", "start"), f"the forecast has {len(offered)} intervals, not {n}")
    aht = body.aht_seconds
    if forecast.aht_seconds is not None and offered.sum() > 0:
        weights = np.nan_to_num(np.asarray(forecast.aht_seconds, dtype=float))
        mean = float((weights * offered).sum() / offered.sum())
        aht = mean if mean > 0 else aht
    return [float(x) for x in offered], aht


def _shifts(session: SessionDep, body: WhatIfRequest, s: ScenarioIn) -> list[dict[str, Any]]:
    if s.shifts is not None:
        return s.shifts
    if s.roster_version_id is not None:
        return list(get_version(session, s.roster_version_id).roster.get("shifts", []))
    lo = datetime.combine(body.start, datetime.min.time())
    return published_shifts(session, lo, lo + timedelta(days=body.days))


@router.post("", status_code=202)
def start_whatif(
    request: Request, session: SessionDep, user: Planner, body: WhatIfRequest
) -> JSONResponse:
    calls, aht = _forecast(session, body)
    try:
        rehearsal = Rehearsal(
            body.start,
            body.days,
            body.interval_minutes,
            tuple(calls),
            aht,
            body.patience_mean_seconds,
            body.threshold_seconds,
            body.queue or "general",
        )
    except ValueError as exc:
        raise field_error(("body",), str(exc)) from None
    specs = []
    for i, s in enumerate(body.scenarios):
        what_if = WhatIf(
            s.volume_change_percent, s.extra_agents, s.window_start_minute, s.window_end_minute
        )
        specs.append(ScenarioSpec(s.name or "ABCD"[i], _shifts(session, body, s), what_if))
    settings = request.app.state.settings
    session.close()  # the job holds no connection
    try:
        job = job_store(request).start(
            user.id or 0,
            rehearsal,
            specs,
            replications=body.replications,
            seed=body.seed,
            dask_address=getattr(settings, "dask_address", None),
            workers=getattr(settings, "simulation_workers", None),
        )
    except ValueError as exc:
        text = str(exc)
        index = int(text[len("scenarios[")]) if text.startswith("scenarios[") else None
        loc = ("body", "scenarios") if index is None else ("body", "scenarios", index)
        raise field_error(loc, text) from None
    return JSONResponse(job.public(), status_code=202)


@router.get("/{job_id}")
def get_whatif(
    request: Request,
    user: Planner,
    job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")],
) -> dict[str, Any]:
    job = job_store(request).get(job_id)
    if job is None or job.user_id != (user.id or 0):
        raise NotFound(f"schedule simulation {job_id} not found")
    return job.public()
