"""The sums behind the /qa and report pages (table ``interaction_summary``).

The inbound ``interaction`` rows are summed into cells per grain period, queue, caller tier
and wait bucket (:mod:`qa.wait_histogram`): ``day`` cells per center day (the /qa page and the
week, month and quarter reports) and ``interval`` cells per 30 minutes (a day's report). A
period's figures then read a few thousand cells instead of millions of rows, and
:func:`qa.wait_histogram.counts_of_cells` turns them into the very :class:`qa.counts.KpiCounts`
the rows give (exactly: counts and whole microseconds).

Kept current
------------
* :class:`app.eventlog.SqlEventStore` (the live center, ``contactops import ...``): in the
  transaction that writes rows, :func:`apply_row_changes` adds the cells of each row as it is
  now and takes away those of the row as it was;
* rows written through an ORM session (tests, tools): the session's flush marks their
  arrival times stale (:class:`~app.models.InteractionSummaryStale`); so does the migration for
  rows that existed before it, and any bulk writer that calls :func:`mark_stale`;
* a stale day is read from the rows (:func:`period_cells`), so the figures are always the
  rows' figures; ``contactops db rebuild-summaries`` (:func:`rebuild_summaries`) rebuilds
  every cell from the rows and clears the stale marks (and rebuilds the standards report's
  cells, :mod:`app.outcome_summaries`, which share the marks).

The center day is :data:`app.queries.CENTER_TZ`'s; rebuild after changing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, delete, event, func, insert, inspect, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from app.models import Interaction, InteractionSummary, InteractionSummaryStale
from app.qa_report import (
    SHORT_ABANDON_SECONDS,
    fetch_grid,
    inbound_rows,
    micros_of,
    table_of_rows,
)
from app.queries import as_utc, start_of_center_day
from qa.wait_histogram import CELL_FIELDS, NOT_CLOSED, OVER_GRID, cells_of_table
from routing.events import TIERS, ServiceLevelGoals

Grain = Literal["day", "interval"]
GRAINS: tuple[Grain, ...] = ("day", "interval")
#: Length of an ``interval`` cell (the planner's half hour).
INTERVAL_MINUTES = 30
_INTERVAL_MICROS = INTERVAL_MINUTES * 60 * 1_000_000
#: Days of rows read at once by :func:`rebuild_summaries` (bounds its memory).
REBUILD_CHUNK_DAYS = 7
_SUMMARY = InteractionSummary.__table__  # type: ignore[attr-defined]
_STALE = InteractionSummaryStale.__table__  # type: ignore[attr-defined]
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]

#: A cell's key: grain, period start (UTC), queue, tier, wait bucket.
CellKey = tuple[str, datetime, str, str, int]
Cells = dict[CellKey, npt.NDArray[np.int64]]


# --- cells of rows -------------------------------------------------------------------------


def cells_of_grid(grid: npt.NDArray[Any], grains: Sequence[Grain] = GRAINS) -> Cells:
    """The cells of :func:`app.qa_report.inbound_rows`' grid, for each of ``grains``."""
    out: Cells = {}
    if not len(grid):
        return out
    table, code, q_index, t_index = table_of_rows(grid)
    arrived = grid[:, 3].astype(np.int64)
    interval = arrived // _INTERVAL_MICROS
    first = int(interval.min())
    n_q, n_t = len(table.queues), len(table.tiers)
    group = ((interval - first) * n_q + q_index) * n_t + t_index
    groups, buckets, sums = cells_of_table(table, group, code < 0, SHORT_ABANDON_SECONDS)
    starts = {int(i): _interval_start(int(i)) for i in np.unique(interval)}
    day_of = {i: start_of_center_day(s) for i, s in starts.items()}
    for g, b, row in zip(groups.tolist(), buckets.tolist(), sums, strict=True):
        rest, t = divmod(g, n_t)
        i, q = divmod(rest, n_q)
        i += first
        queue, tier = table.queues[q], table.tiers[t]
        for grain in grains:
            key = (grain, starts[i] if grain == "interval" else day_of[i], queue, tier, b)
            known = out.get(key)
            out[key] = row.copy() if known is None else known + row
    return out


def _interval_start(index: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=index * _INTERVAL_MICROS)


# --- keeping them current ------------------------------------------------------------------


def contact_rows(conn: Connection, contact_ids: Iterable[str]) -> npt.NDArray[Any]:
    """The inbound rows of ``contact_ids``, as :func:`app.qa_report.inbound_rows` reads them."""
    ids = list(contact_ids)
    session = Session(bind=conn)
    micros = micros_of(session)
    query = select(
        col(Interaction.queue), col(Interaction.tier), col(Interaction.outcome),
        micros(col(Interaction.arrived_at)), micros(col(Interaction.answered_at)),
        micros(col(Interaction.ended_at)), col(Interaction.handle_seconds),
    ).where(col(Interaction.direction) == "inbound", col(Interaction.contact_id).in_(ids))
    return fetch_grid(session, query, 7)


def apply_row_changes(conn: Connection, before: npt.NDArray[Any], after: npt.NDArray[Any]) -> None:
    """Add the cells of the rows ``after`` and take away those of the rows ``before`` (the
    same contacts read before and after a write), in ``conn``'s transaction."""
    delta = cells_of_grid(after)
    for key, row in cells_of_grid(before).items():
        delta[key] = delta[key] - row if key in delta else -row
    add_cells(conn, {k: v for k, v in delta.items() if v.any()})


def add_cells(conn: Connection, cells: Cells) -> None:
    """Add ``cells`` to the table (an upsert that adds each sum to the stored one)."""
    if not cells:
        return
    rows = [_row(key, sums) for key, sums in cells.items()]
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"summaries are kept on sqlite and postgresql, not {dialect}")
    statement = (postgresql.insert(_SUMMARY) if dialect == "postgresql"
                 else sqlite.insert(_SUMMARY))
    statement = statement.on_conflict_do_update(
        index_elements=["grain", "period_start", "queue", "tier", "wait_bucket"],
        set_={f: _SUMMARY.c[f] + statement.excluded[f] for f in CELL_FIELDS})
    conn.execute(statement, rows)


def _row(key: CellKey, sums: npt.NDArray[np.int64]) -> dict[str, Any]:
    grain, start, queue, tier, bucket = key
    row: dict[str, Any] = {"grain": grain, "period_start": start, "queue": queue, "tier": tier,
                           "wait_bucket": int(bucket)}
    row.update({f: int(v) for f, v in zip(CELL_FIELDS, sums, strict=True)})
    return row


def mark_stale(conn: Connection, arrived: Iterable[datetime]) -> None:
    """Mark the arrival times of rows written past the summaries (one mark per center day)."""
    days: dict[datetime, list[datetime]] = defaultdict(list)
    for at in arrived:
        moment = as_utc(at)
        days[start_of_center_day(moment)].append(moment)
    if days:
        conn.execute(insert(_STALE), [{"first_at": min(v), "last_at": max(v)}
                                      for v in days.values()])


def mark_span_stale(conn: Connection, first_at: datetime, last_at: datetime) -> None:
    """Mark every arrival time in ``[first_at, last_at]`` stale (a bulk writer's rows)."""
    conn.execute(insert(_STALE), {"first_at": as_utc(first_at), "last_at": as_utc(last_at)})


@event.listens_for(Session, "after_flush")
def _mark_orm_writes(session: Any, _context: Any) -> None:
    """Rows written through an ORM session bypass the event store: mark them stale (their
    arrival time now and, for a changed row, before)."""
    touched: list[datetime] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Interaction) and obj.arrived_at is not None:
            touched.append(obj.arrived_at)
            touched.extend(inspect(obj).attrs.arrived_at.history.deleted or ())
    if touched:
        mark_stale(session.connection(), touched)


def rebuild_summaries(engine: Engine, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every cell from the rows and clear the stale marks, in one transaction.
    Returns the number of inbound rows read. ``progress(done_days, total_days)``, if given."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # no event-store append in between
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x636F6E74})
        conn.execute(delete(_SUMMARY))
        conn.execute(delete(_STALE))
        first, last = conn.execute(select(func.min(_INTERACTION.c.arrived_at),
                                          func.max(_INTERACTION.c.arrived_at))).one()
        from app.outcome_summaries import rebuild_outcome_cells  # it reads stale_days here

        if first is None:
            rebuild_outcome_cells(conn, None, None)
            return 0
        session = Session(bind=conn)
        start = start_of_center_day(as_utc(first))
        end = as_utc(last)
        total_days = (end - start).days + 1
        n = 0
        done = 0
        while start <= end:
            stop = start_of_center_day(start + timedelta(days=REBUILD_CHUNK_DAYS, hours=12))
            grid = _rows(session, start, stop)
            n += len(grid)
            add_cells(conn, cells_of_grid(grid))
            done = min(total_days, done + REBUILD_CHUNK_DAYS)
            if progress is not None:
                progress(done, total_days)
            start = stop
        rebuild_outcome_cells(conn, start_of_center_day(as_utc(first)), end)
        return n


def _rows(session: Session, since: datetime, until: datetime | None,
          queue: str | None = None) -> npt.NDArray[Any]:
    return inbound_rows(session, since, until, queue)


# --- reading a period ----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodCells:
    """The cells of a period: ``keys[k]`` = (period start, queue, tier, bucket), ``sums[k]``."""

    keys: list[tuple[datetime, str, str, int]]
    sums: npt.NDArray[np.int64]


def period_cells(
    session: Session, since: datetime, until: datetime, grain: Grain,
    queue: str | None = None, *, by_period: bool = True,
    goals: ServiceLevelGoals | None = None, threshold_seconds: float | None = None,
) -> PeriodCells:
    """The ``grain`` cells of the inbound calls that arrived in ``[since, until)`` (both center
    midnights): stored cells for the days with no stale mark, cells of the rows for the others.

    ``by_period`` False: one period (keys carry ``since``). With ``goals`` (or one
    ``threshold_seconds``), the database folds each group's stored buckets into two, ``T`` and
    :data:`~qa.wait_histogram.OVER_GRID` (``T`` the group's threshold, which must be on the
    grid): a bucket ``<= T`` is still ``<= T`` and one above still above, so
    :func:`qa.wait_histogram.counts_of_cells` gives the same counts for that ``T`` from far
    fewer cells."""
    since, until = as_utc(since), as_utc(until)
    stale_spans = [(d, start_of_center_day(d + timedelta(hours=36)))
                   for d in stale_days(session, since, until)]
    c = _SUMMARY.c
    bucket: Any = c.wait_bucket
    if goals is not None or threshold_seconds is not None:
        t = (literal_column(str(int(threshold_seconds))) if threshold_seconds is not None
             else _threshold_case(goals or ServiceLevelGoals()))
        bucket = case((c.wait_bucket == NOT_CLOSED, NOT_CLOSED), (c.wait_bucket <= t, t),
                      else_=OVER_GRID)
    bucket = bucket.label("bucket")
    keys = [c.period_start] if by_period else []
    query = select(*keys, c.queue, c.tier, bucket, *(func.sum(c[f]) for f in CELL_FIELDS)).where(
        c.grain == grain, c.period_start >= since, c.period_start < until,
        *(~((c.period_start >= a) & (c.period_start < b)) for a, b in stale_spans))
    if queue is not None:
        query = query.where(c.queue == queue)
    query = query.group_by(*keys, c.queue, c.tier, bucket)
    found: dict[tuple[datetime, str, str, int], npt.NDArray[np.int64]] = {}
    width = len(keys)
    for row in fetch_grid(session, query, width + 3 + len(CELL_FIELDS)):
        start = (since if not by_period else
                 as_utc(row[0]) if isinstance(row[0], datetime) else _parse(row[0]))
        found[(start, row[width], row[width + 1], int(row[width + 2]))] = np.array(
            row[width + 3:], dtype=np.int64)
    for a, b in stale_spans:
        for key, sums in cells_of_grid(_rows(session, a, b, queue), (grain,)).items():
            k = (key[1] if by_period else since, key[2], key[3], key[4])
            found[k] = found[k] + sums if k in found else sums
    ordered = sorted(found)
    sums = (np.stack([found[k] for k in ordered]) if ordered
            else np.zeros((0, len(CELL_FIELDS)), np.int64))
    return PeriodCells(ordered, sums)


def _threshold_case(goals: ServiceLevelGoals) -> Any:
    """SQL for the ``T`` of a cell's (queue, tier): the goals table's, written out."""
    c = _SUMMARY.c

    def number(t: float) -> Any:
        return literal_column(str(int(t)))

    by_tier = case(*((c.tier == tier, number(goals.threshold_seconds("", tier))) for tier in TIERS),
                   else_=number(goals.threshold_seconds("", "")))
    pairs = [((c.queue == q) & (c.tier == tier), number(goals.threshold_seconds(q, tier)))
             for q in goals.by_queue for tier in TIERS]
    return case(*pairs, else_=by_tier) if pairs else by_tier


def _parse(value: Any) -> datetime:
    """A datetime SQLite hands back as text (``period_start`` of an aggregate)."""
    return as_utc(datetime.fromisoformat(str(value)))


def stale_days(session: Session, since: datetime, until: datetime) -> list[datetime]:
    """Center midnights of the days in ``[since, until)`` that have a stale mark."""
    marks = session.connection().execute(
        select(_STALE.c.first_at, _STALE.c.last_at).where(
            _STALE.c.first_at < until, _STALE.c.last_at >= since)).all()
    days: set[datetime] = set()
    for first, last in marks:
        day = max(start_of_center_day(as_utc(first)), since)
        end = min(as_utc(last), until - timedelta(microseconds=1))
        while day <= end:
            days.add(day)
            day = start_of_center_day(day + timedelta(hours=36))
    return sorted(days)

