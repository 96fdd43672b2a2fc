"""The planner's forecast as the live center reads it: calls per queue and interval.

One reader for the two live consumers: the built-in telephony, whose callers arrive at the
forecast's rates (:class:`ForecastProfile`, as DESIGN.md says: callers come from
``simulations.callers`` at the rates of ``wfm``'s forecast), and the wallboard's chart of
calls against today's forecast (:func:`app.live.wallboard.read_forecast`). The forecast is
the one ``POST /api/wfm/forecast`` and ``/planner/intraday`` give: fitted on the stored
history before ``day``, the method chosen by the backtest.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from fastapi.exceptions import RequestValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.adherence_feed import day_bounds
from app.api.wfm import ForecastRequest, make_forecast
from app.queries import CENTER_TZ
from app.wfm_history import history_from_interactions

log = logging.getLogger("contactops.live")

WEEK_SECONDS = 7 * 86400.0


def forecast_calls(
    db: Engine, queues: Iterable[str], day: date, days: int, interval_minutes: int
) -> dict[str, dict[float, float]]:
    """Per queue, the forecast calls of each interval (keyed by its start, Unix seconds) of
    ``days`` days from ``day``; a queue whose history is too short to forecast is left out."""
    lo, _ = day_bounds(day)
    out: dict[str, dict[float, float]] = {}
    with Session(db) as session:
        for queue in queues:
            try:
                history = history_from_interactions(
                    session, queue, interval_minutes, lo.replace(tzinfo=CENTER_TZ))
                forecast, _public = make_forecast(history, ForecastRequest(
                    queue=queue, interval_minutes=interval_minutes, start=day, days=days))
            except (ValueError, RequestValidationError) as exc:  # no history, too little
                log.info("no forecast for %s: %s", queue, exc)
                continue
            calls: dict[float, float] = {}
            for start, offered in zip(forecast.starts, forecast.offered, strict=True):
                moment = forecast.form.instant(start)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=CENTER_TZ)
                calls[moment.timestamp()] = float(offered)
            out[queue] = calls
    return out


@dataclass(frozen=True)
class ForecastProfile:
    """Calls per hour per queue at the forecast's rate for the interval containing ``at``.

    ``calls[queue][interval start] = forecast calls`` over a whole number of weeks' worth
    of days or less; outside them the same hour of the week inside them is read (the
    forecast's weekly pattern), so a server that runs for weeks keeps a sensible rate. A
    queue without a forecast is 0.
    """

    calls: Mapping[str, Mapping[float, float]]
    interval_seconds: float

    def __post_init__(self) -> None:
        if not self.interval_seconds > 0:
            raise ValueError(f"interval_seconds must be > 0, got {self.interval_seconds!r}")

    @property
    def span(self) -> tuple[float, float]:
        starts = [s for q in self.calls.values() for s in q]
        if not starts:
            return (0.0, 0.0)
        return min(starts), max(starts) + self.interval_seconds

    def calls_per_hour(self, queue: str, at: float) -> float:
        values = self.calls.get(queue)
        if not values:
            return 0.0
        lo, hi = self.span
        if hi - lo >= WEEK_SECONDS:  # fold onto the forecast's week
            if at >= hi:
                at -= math.ceil((at - hi + 1e-9) / WEEK_SECONDS) * WEEK_SECONDS
            elif at < lo:
                at += math.ceil((lo - at) / WEEK_SECONDS) * WEEK_SECONDS
        start = at - (at - lo) % self.interval_seconds
        return values.get(start, 0.0) * 3600.0 / self.interval_seconds


def forecast_profile(db: Engine, queues: Iterable[str], day: date,
                     interval_minutes: int = 60) -> ForecastProfile | None:
    """The telephony's rates: a week of forecast from ``day`` (None: no queue could be
    forecast, e.g. a database without history)."""
    calls = forecast_calls(db, queues, day, 7, interval_minutes)
    return ForecastProfile(calls, interval_minutes * 60.0) if calls else None
