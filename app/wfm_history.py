"""Interval history for the planner: from the database's interactions, or from an uploaded CSV.

Database: inbound :class:`~app.models.Interaction` rows of one queue are counted per interval of
their arrival (center time, Asia/Seoul; naive values read back are taken as UTC); AHT is
the mean ``handle_seconds`` of the answered ones. The bucketing is
:func:`wfm.intervals.bucket_contacts`; this module only reads the rows and maps the times. Intervals with no call are absent, and
:func:`wfm.history.from_records` fills them with 0. The history covers the whole window
queried (``days`` days before ``until``), not just the first to the last call: every interval
of it is observed, so its first and last days are whole days (``coverage=``).

Uploads: the parsed :class:`~wfm.history.IntervalHistory` is kept in memory on the app
(``app.state.wfm_uploads``, the last :data:`MAX_UPLOADS`, per server process) under a random id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from app.models import ForecastSnapshot, Interaction, Queue
from app.queries import CENTER_TZ
from wfm.forecast import FittedForecast, ForecastSpec, check_forecastable
from wfm.history import IntervalHistory, TimestampForm, from_records, read_history_csv
from wfm.intervals import bucket_contacts

MAX_UPLOADS = 20
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _local(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CENTER_TZ).replace(tzinfo=None)


def history_queues(session: Session) -> list[str]:
    """Queue names to offer: those configured and those with inbound interactions."""
    names = set(session.exec(select(Queue.name)).all())
    names |= set(
        session.exec(
            select(Interaction.queue).where(Interaction.direction == "inbound").distinct()
        ).all()
    )
    return sorted(str(n) for n in names)


def history_from_interactions(
    session: Session, queue: str, interval_minutes: int, until: datetime, days: int = 8 * 7
) -> IntervalHistory:
    """Calls offered (and AHT) per interval of ``queue`` over ``days`` days before ``until``.

    Raises ValueError when the queue has no inbound interactions in that window.
    """
    since = until - timedelta(days=days)
    rows = session.exec(
        select(Interaction.arrived_at, Interaction.answered_at, Interaction.handle_seconds)
        .where(Interaction.queue == queue, Interaction.direction == "inbound")
        .where(
            col(Interaction.arrived_at) >= _aware_utc(since),
            col(Interaction.arrived_at) < _aware_utc(until),
        )
    ).all()
    if not rows:
        raise ValueError(f"queue {queue!r} has no inbound interactions in the last {days} days")
    totals = bucket_contacts(
        ((_local(arrived), handle if answered_at is not None else None)
         for arrived, answered_at, handle in rows),
        interval_minutes,
    )
    form = TimestampForm(sep="T", timespec="seconds", tz=CENTER_TZ)
    window = (_local(since), _local(until))
    return from_records(totals.starts, totals.offered, totals.aht_seconds, interval_minutes,
                        form, coverage=window)


def _aware_utc(moment: datetime) -> datetime:
    """Bounds are bound as aware UTC (the column type refuses naive datetimes)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def one_blas_thread() -> Any:
    """Context in which BLAS runs on one thread: a forecast fit does many small SVDs, where
    threads only add overhead (on a busy machine their spin-waits made a fit five times
    slower). Used around every fit the CLI and the API run."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


MAX_FITS_KEPT = 8  # fitted forecasts kept per app (a few histories × interval lengths)
_FITS_LOCK = threading.Lock()


FitKey = tuple[ForecastSpec, str]


def fit_key(spec: ForecastSpec, history: IntervalHistory) -> FitKey:
    """The cache key of a fit: the spec and a digest of the history's numbers."""
    digest = hashlib.sha256()
    digest.update(f"{history.first_day}|{history.interval_minutes}|{history.form}".encode())
    digest.update(np.ascontiguousarray(history.offered).tobytes())
    if history.aht_seconds is not None:
        digest.update(np.ascontiguousarray(history.aht_seconds).tobytes())
    return (spec, digest.hexdigest())


def cached_fit(state: Any, key: FitKey) -> FittedForecast | None:
    """The fit kept in ``state`` under ``key``, or None."""
    with _FITS_LOCK:  # handlers run in a thread pool
        fits: OrderedDict[FitKey, FittedForecast] | None = getattr(state, "wfm_fits", None)
        if fits is None or key not in fits:
            return None
        fits.move_to_end(key)
        return fits[key]


def keep_fit(state: Any, key: FitKey, fitted: FittedForecast) -> None:
    """Keep ``fitted`` in ``state`` (at most :data:`MAX_FITS_KEPT`, oldest dropped)."""
    with _FITS_LOCK:
        fits: OrderedDict[FitKey, FittedForecast] | None = getattr(state, "wfm_fits", None)
        if fits is None:
            fits = OrderedDict()
            state.wfm_fits = fits
        fits[key] = fitted
        while len(fits) > MAX_FITS_KEPT:
            fits.popitem(last=False)


def fit_one_thread(spec: ForecastSpec, history: IntervalHistory) -> FittedForecast:
    """``spec.fit(history)`` on one BLAS thread (module level: it runs in a child process
    through :mod:`app.deadlines`, and the fitted object comes back pickled)."""
    with one_blas_thread():
        return spec.fit(history)


def fit_cached(state: Any, spec: ForecastSpec, history: IntervalHistory) -> FittedForecast:
    """``spec.fit(history)`` (on one BLAS thread), kept in ``state`` for the session: asking
    again for the same history and settings (another start day, staffing targets, a page
    reload) reuses the fit. Keyed by the spec and a digest of the history's numbers."""
    key = fit_key(spec, history)
    fitted = cached_fit(state, key)
    if fitted is None:
        fitted = fit_one_thread(spec, history)
        keep_fit(state, key, fitted)
    return fitted


def store_upload(state: Any, data: bytes) -> tuple[str, IntervalHistory]:
    """Parse an uploaded CSV and keep it; return its id. ValueError on bad content."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"file must be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("file must be a UTF-8 text CSV") from None
    check_csv_fields(text)
    try:
        history = read_history_csv(io.StringIO(text, newline=None))
    except csv.Error as exc:  # a malformed CSV the check above did not foresee
        raise ValueError(f"file is not a valid CSV: {exc}") from None
    check_forecastable(history)  # a history too short is refused now, not at the forecast
    uploads: OrderedDict[str, IntervalHistory] = _uploads(state)
    upload_id = secrets.token_urlsafe(9)
    uploads[upload_id] = history
    while len(uploads) > MAX_UPLOADS:
        uploads.popitem(last=False)
    return upload_id, history


def check_csv_fields(text: str) -> None:
    """ValueError naming the row (1-based line of the file) of a field over the csv module's
    field limit (128 KiB) or of other malformed CSV, before the history reader sees it."""
    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        for _ in reader:
            pass
    except csv.Error as exc:
        raise ValueError(f"row {reader.line_num}: {exc}") from None


def get_upload(state: Any, upload_id: str) -> IntervalHistory | None:
    return _uploads(state).get(upload_id)


def _uploads(state: Any) -> OrderedDict[str, IntervalHistory]:
    uploads = getattr(state, "wfm_uploads", None)
    if uploads is None:
        uploads = OrderedDict()
        state.wfm_uploads = uploads
    return uploads


def today_in_center(now: datetime) -> date:
    return _local(now).date()


# --- forecast snapshots: each published forecast, kept to compare with what came ----------

MAX_SNAPSHOTS_SHOWN = 20


def save_snapshot(
    session: Session,
    source: str,
    forecast: Any,
    rows: list[dict[str, Any]],
    now: datetime,
    user_id: int | None,
) -> int:
    """Keep a published forecast (``forecast``: :class:`wfm.forecast.Forecast`, ``rows`` its
    output rows as the API returned them); return the snapshot's id."""
    first = forecast.starts[0].date() if forecast.starts else now.date()
    days = len({s.date() for s in forecast.starts})
    snap = ForecastSnapshot(
        source=source[:80],
        method=forecast.method,
        interval_minutes=forecast.interval_minutes,
        first_day=first,
        days=days,
        created_at=now,
        created_by=user_id,
        intervals=rows,
    )
    session.add(snap)
    session.commit()
    session.refresh(snap)
    assert snap.id is not None
    return snap.id


def recent_snapshots(session: Session, source: str, limit: int) -> list[ForecastSnapshot]:
    """The latest ``limit`` snapshots of ``source``, newest first."""
    query = (
        select(ForecastSnapshot)
        .where(ForecastSnapshot.source == source)
        .order_by(col(ForecastSnapshot.id).desc())
        .limit(min(limit, MAX_SNAPSHOTS_SHOWN))
    )
    return list(session.exec(query))


def snapshot_starts(snap: ForecastSnapshot) -> list[datetime]:
    """Interval starts of a snapshot as naive center-local times (the history grid's)."""
    out = []
    for row in snap.intervals:
        start = datetime.fromisoformat(str(row["start"]))
        if start.tzinfo is not None:
            start = start.astimezone(CENTER_TZ).replace(tzinfo=None)
        out.append(start)
    return out
