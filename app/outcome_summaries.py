"""The sums behind the service standards report and ``contactops kpis``' added figures (table
``interaction_outcome_summary``).

Every ``interaction`` row (every direction) is summed into a cell per center day, queue,
caller tier, answering agent and wait bucket (:mod:`qa.wait_histogram`): the inbound rows'
:data:`~qa.wait_histogram.CELL_FIELDS` (service level at any ``T`` on the grid, ASA,
abandonment, AHT) and every row's :class:`qa.outcomes.OutcomeCounts` sums (``o_`` columns,
:mod:`qa.outcome_columns`; handle and talk time in whole nanoseconds, sales amounts in whole
micro-units, so sums added in any order are the same). A period's figures per center, tier,
queue, team, site or agent then read cells summed over the days instead of every row, and the
groups are made at read time from the agent's *current* team and site (as the rows' join does:
an agent moved between teams counts, for every period, with the team they are in now;
reading a period: :mod:`app.outcome_period`).

Attribution is :mod:`app.kpi_period`'s: the agent is the row's agent when the contact was
served (answered inbound, ``answered`` outbound), else none (``agent_id`` 0). FCR: a contact's
*repeated* flag (:func:`qa.outcome_columns.fcr_repeated`) depends on the contacts up to
:data:`~qa.outcomes.FCR_DAYS` after it, so a cell's ``o_fcr_repeated`` is computed with them
and kept current when a later contact is written (:func:`apply_outcome_changes`: the contacts
of the same customer and reason within the window are re-summed before and after the write).

Kept current like :mod:`app.report_summaries` (whose stale marks it shares): the event store
applies each write's delta in its transaction; a day with a stale mark, and the
:data:`~qa.outcomes.FCR_DAYS` days before it (their repeats may lie in it), is read from the
rows; ``contactops db rebuild-summaries`` rebuilds every cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from app.models import Interaction, InteractionOutcomeSummary
from app.qa_report import (
    INBOUND_OUTCOME,
    MICROSECONDS,
    SHORT_ABANDON_SECONDS,
    fetch_grid,
    in_period,
    index_names,
    micros_of,
)
from app.queries import as_utc, start_of_center_day
from qa.outcome_columns import COLUMNS, fcr_eligible_mask, fcr_repeated, outcome_columns
from qa.outcomes import FCR_DAYS
from qa.records import OUTCOMES, ContactTable
from qa.wait_histogram import (
    CELL_FIELDS,
    MICROS,
    NANOS,
    NOT_CLOSED,
    OVER_GRID,
    cells_of_table,
    wait_buckets,
)
from routing.events import TIERS

_OUT = InteractionOutcomeSummary.__table__  # type: ignore[attr-defined]
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
#: :class:`OutcomeCounts` field -> (column, scale to whole units). Self-service is not a row.
O_COLUMNS: dict[str, tuple[str, float]] = {
    name: ("o_" + name.replace("_seconds", "_nanos").replace("sales_amount", "sales_micros"),
           NANOS if name.endswith("_seconds") else MICROS if name == "sales_amount" else 1.0)
    for name in COLUMNS if not name.startswith("self_service")}
#: The sums of a cell, in this order.
SUM_FIELDS: tuple[str, ...] = (*CELL_FIELDS, "contacts", "inbound",
                               *(c for c, _ in O_COLUMNS.values()))
_S = {name: i for i, name in enumerate(SUM_FIELDS)}
_WINDOW = timedelta(days=FCR_DAYS)
_SLOT_MICROS = 15 * 60 * 1_000_000  # center days start on a quarter hour of UTC
NO_AGENT = "none"
#: Days of rows summed at once by :func:`rebuild_outcome_cells` (bounds its memory).
REBUILD_CHUNK_DAYS = 7

#: A cell's key: center day (UTC), queue, tier, agent id (0: none), wait bucket.
CellKey = tuple[datetime, str, str, int, int]


# --- rows and their cells ------------------------------------------------------------------


_SELECTS: dict[str, Any] = {}
_UPSERTS: dict[str, Any] = {}


def _select(session: Session) -> Any:
    """The rows' columns (one statement per dialect, built once: the event store reads them
    on every write)."""
    dialect = session.get_bind().dialect.name
    if dialect not in _SELECTS:
        _SELECTS[dialect] = _build_select(session)
    return _SELECTS[dialect]


def _build_select(session: Session) -> Any:
    micros = micros_of(session)
    return select(
        col(Interaction.queue), col(Interaction.tier), col(Interaction.outcome),
        micros(col(Interaction.arrived_at)), micros(col(Interaction.answered_at)),
        micros(col(Interaction.ended_at)), col(Interaction.handle_seconds),
        col(Interaction.agent_id), col(Interaction.direction), col(Interaction.contact_id),
        col(Interaction.transfers), col(Interaction.talk_seconds),
        col(Interaction.offers_made), col(Interaction.cross_sell_sales),
        col(Interaction.up_sell_sales), col(Interaction.sales), col(Interaction.sales_amount),
        col(Interaction.complaints), col(Interaction.survey_score),
        col(Interaction.customer_key), col(Interaction.reason))


_N_COLUMNS = 21


def rows_between(session: Session, since: datetime, until: datetime) -> npt.NDArray[Any]:
    """Every row that arrived in ``[since, until)``, as :func:`cells_of_rows` reads them."""
    return fetch_grid(session, in_period(session, _select(session), since, until, None),
                      _N_COLUMNS)


def float_column(column: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    return np.asarray(column, dtype=object).astype(np.float64)


def _served(grid: npt.NDArray[Any]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Each row served (as :func:`app.kpi_period.read_rows` says) and its inbound code."""
    inbound = grid[:, 8] == "inbound"
    code = np.fromiter((INBOUND_OUTCOME.get(o, -1) for o in grid[:, 2]), np.int64, len(grid))
    code[(code == OUTCOMES.index("answered")) & np.isnan(float_column(grid[:, 4]))] = -1
    served = np.where(inbound, code == OUTCOMES.index("answered"), grid[:, 2] == "answered")
    return np.asarray(served, np.bool_), code


def repeated_of(grid: npt.NDArray[Any], fcr_days: float = FCR_DAYS
                ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Each row's FCR eligibility and repeated flag, among the rows of ``grid``."""
    served, _ = _served(grid)
    eligible = fcr_eligible_mask(grid[:, 8], served, grid[:, 19], grid[:, 20])
    keys = list(zip(grid[:, 19].tolist(), grid[:, 20].tolist(), strict=True))
    arrived = float_column(grid[:, 3]) / MICROSECONDS
    return eligible, fcr_repeated(keys, arrived, eligible, fcr_days)


def cells_of_rows(grid: npt.NDArray[Any], counted: npt.NDArray[np.bool_] | None = None,
                  ) -> dict[CellKey, npt.NDArray[np.int64]]:
    """The cells of the rows of ``grid`` (those ``counted``; the others are there only as
    later contacts for FCR: give the rows up to :data:`FCR_DAYS` after the counted ones)."""
    n = len(grid)
    keep = np.ones(n, np.bool_) if counted is None else np.asarray(counted, np.bool_)
    if not keep.any():
        return {}
    eligible, repeated = repeated_of(grid)
    grid, eligible, repeated = grid[keep], eligible[keep], repeated[keep]
    n = len(grid)
    served, code = _served(grid)
    inbound = grid[:, 8] == "inbound"
    arrived = grid[:, 3].astype(np.int64)
    agent = np.array([int(a) if a is not None and s else 0
                      for a, s in zip(grid[:, 7], served, strict=True)], np.int64)
    # the inbound rows' table, as app.kpi_period.read_rows builds it
    sub = grid[inbound]
    q_names, q_index = index_names(sub[:, 0], ())
    t_names, t_index = index_names(sub[:, 1], TIERS)
    answered = code[inbound] == OUTCOMES.index("answered")
    table = ContactTable.from_times(
        float_column(sub[:, 3]), float_column(sub[:, 4]), float_column(sub[:, 5]), code[inbound], q_index, t_index,
        q_names, t_names, handle_seconds=np.where(answered, float_column(sub[:, 6]), np.nan),
        ticks_per_second=MICROSECONDS)
    bucket = np.full(n, OVER_GRID, np.int64)
    bucket[inbound] = np.where(code[inbound] < 0, NOT_CLOSED, wait_buckets(table.wait_seconds))
    # one code per distinct key
    slots, slot_index = np.unique(arrived // _SLOT_MICROS, return_inverse=True)
    day_of_slot = [start_of_center_day(datetime(1970, 1, 1, tzinfo=UTC)
                                       + timedelta(microseconds=int(s) * _SLOT_MICROS))
                   for s in slots.tolist()]
    day_seconds = np.array([int(d.timestamp()) for d in day_of_slot], np.int64)
    day = day_seconds[slot_index.reshape(-1)]
    parts = [np.unique(part, return_inverse=True) for part in (
        day, grid[:, 0].astype(str), grid[:, 1].astype(str), agent, bucket)]
    composite = np.zeros(n, np.int64)
    for uniq, inverse in parts:
        composite = composite * len(uniq) + inverse.reshape(-1)
    keys, group = np.unique(composite, return_inverse=True)
    group = group.reshape(-1)
    sums = np.zeros((len(keys), len(SUM_FIELDS)), np.int64)
    g, _, cell_sums = cells_of_table(table, group[inbound], code[inbound] < 0,
                                     SHORT_ABANDON_SECONDS)
    sums[g, :len(CELL_FIELDS)] = cell_sums
    values = outcome_columns(
        grid[:, 8], served, float_column(grid[:, 10]),
        np.where(served, float_column(grid[:, 6]), np.nan), float_column(grid[:, 11]),
        *(np.nan_to_num(float_column(grid[:, k])) for k in range(12, 18)),  # type: ignore[call-arg]
        float_column(grid[:, 18]))
    values[:, COLUMNS.index("fcr_eligible")] = eligible
    values[:, COLUMNS.index("fcr_repeated")] = repeated
    per_row = np.zeros((n, len(SUM_FIELDS)), np.int64)
    per_row[:, _S["contacts"]] = 1
    per_row[:, _S["inbound"]] = inbound
    for name, (column, scale) in O_COLUMNS.items():
        per_row[:, _S[column]] = np.rint(values[:, COLUMNS.index(name)] * scale)
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])
    sums[:, len(CELL_FIELDS):] += np.add.reduceat(per_row[order], starts, axis=0)[
        :, len(CELL_FIELDS):]
    first = order[starts]
    return {(datetime.fromtimestamp(int(day[i]), UTC), str(grid[i, 0]), str(grid[i, 1]),
             int(agent[i]), int(bucket[i])): sums[k] for k, i in enumerate(first.tolist())}


def add_cells(conn: Connection, cells: dict[CellKey, npt.NDArray[np.int64]]) -> None:
    """Add ``cells`` to the table (an upsert adding each sum to the stored one)."""
    cells = {k: v for k, v in cells.items() if v.any()}
    if not cells:
        return
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"summaries are kept on sqlite and postgresql, not {dialect}")
    statement = _UPSERTS.get(dialect)
    if statement is None:  # built once per dialect (the event store adds cells every write)
        insert = postgresql.insert(_OUT) if dialect == "postgresql" else sqlite.insert(_OUT)
        statement = _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=["day", "queue", "tier", "agent_id", "wait_bucket"],
            set_={f: _OUT.c[f] + insert.excluded[f] for f in SUM_FIELDS})
    rows = [{"day": day, "queue": q, "tier": t, "agent_id": a, "wait_bucket": b,
             **{f: int(v) for f, v in zip(SUM_FIELDS, sums, strict=True)}}
            for (day, q, t, a, b), sums in cells.items()]
    for i in range(0, len(rows), 5000):
        conn.execute(statement, rows[i:i + 5000])


# --- keeping them current ------------------------------------------------------------------


def outcome_rows_of(conn: Connection, contact_ids: Iterable[str]) -> npt.NDArray[Any]:
    """The rows of ``contact_ids`` (read before a write, for :func:`apply_outcome_changes`)."""
    session = Session(bind=conn)
    query = _select(session).where(col(Interaction.contact_id).in_(list(contact_ids)))
    return fetch_grid(session, query, _N_COLUMNS)


def apply_outcome_changes(conn: Connection, contact_ids: Sequence[str],
                          before: npt.NDArray[Any] | None) -> None:
    """Add the cells of the rows of ``contact_ids`` as they are now and take away those of
    ``before`` (the same contacts read before the write; None: new rows), with the contacts whose FCR flag
    the write may change: the other contacts of the same customers and reasons from
    :data:`FCR_DAYS` before to :data:`FCR_DAYS` after (a contact's flag depends on the
    contacts after it only, so those later in the window, whose own window may be cut,
    come out the same before and after and cancel)."""
    after = outcome_rows_of(conn, contact_ids)
    before = after[:0] if before is None else before
    if _by_contact(before) == _by_contact(after):
        return  # the write changed no column these sums read (a contact queued, offered...)
    both = np.concatenate([before, after])
    keys = {(c, r) for c, r in zip(both[:, 19].tolist(), both[:, 20].tolist(), strict=True)
            if c and r}
    others = after[:0]
    if keys:
        session = Session(bind=conn)
        micros = both[:, 3].astype(np.int64)
        lo = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros.min()))
        hi = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros.max()))
        query = _select(session).where(
            tuple_(col(Interaction.customer_key), col(Interaction.reason)).in_(sorted(keys)),
            col(Interaction.arrived_at) >= lo - _WINDOW,
            col(Interaction.arrived_at) <= hi + _WINDOW + timedelta(microseconds=1),
            col(Interaction.contact_id).not_in(list(contact_ids)))
        others = fetch_grid(session, query, _N_COLUMNS)
    delta = cells_of_rows(np.concatenate([after, others]))
    if len(before) or len(others):  # else nothing to take away (new contacts, no repeats)
        for key, sums in cells_of_rows(np.concatenate([before, others])).items():
            delta[key] = delta[key] - sums if key in delta else -sums
    add_cells(conn, delta)


def _by_contact(grid: npt.NDArray[Any]) -> list[list[Any]]:
    return sorted(grid.tolist(), key=lambda row: str(row[9]))


def rebuild_outcome_cells(conn: Connection, first: datetime | None, last: datetime | None
                          ) -> int:
    """Delete every cell and sum the rows of ``first`` (a center midnight) to ``last`` again,
    chunk by chunk (each with the :data:`FCR_DAYS` after it, for FCR). Returns the rows.
    (:func:`app.report_summaries.rebuild_summaries` calls it in its transaction.)"""
    conn.execute(delete(_OUT))
    if first is None or last is None:
        return 0
    session = Session(bind=conn)
    start, n = first, 0
    while start <= last:
        stop = start_of_center_day(start + timedelta(days=REBUILD_CHUNK_DAYS, hours=12))
        grid = rows_between(session, start, stop + _WINDOW)
        counted = float_column(grid[:, 3]) < as_utc(stop).timestamp() * MICROSECONDS
        n += int(counted.sum())
        add_cells(conn, cells_of_rows(grid, counted))
        start = stop
    return n
