"""The KPI report behind ``/qa``: interaction rows in, :mod:`qa` figures out.

The database only *selects* (the period's rows, only the columns needed); every figure is
a :mod:`qa` formula, the same ones the wallboard and the simulator use:

* **inbound** (``direction = "inbound"``): the rows become a :class:`qa.records.ContactTable`
  (:meth:`~qa.records.ContactTable.from_times`), counted per queue and caller tier by
  :func:`qa.counts.counts_by_group` with each caller's own service-level threshold ``T``,
  then service level, ASA, abandonment and AHT by :mod:`qa.kpis`; VIP and general callers
  apart (:mod:`qa.segments`);
* **outbound** dials: counted by result through :func:`qa.dials.count_dials`;
* **callbacks**: from the event log (the interaction row of a callback that reached the
  customer looks like any answered call), through :class:`qa.records.RecordBuilder` and
  :func:`qa.counts.count_callbacks`.

What an interaction's ``outcome`` (written by :mod:`app.eventlog`) means here, inbound:

=====================  ==========================================================
``answered``           answered (wait = answered_at - arrived_at)
``interrupted``        answered if it has ``answered_at`` (a restart cut the call),
                       else not closed
``abandoned``          abandoned (wait = ended_at - arrived_at)
``callback_failed``    a failed callback (wait until ``ended_at``)
anything else          not closed yet (``waiting``, ``callback`` waiting for its
                       dial, a dial result before the retry): not counted as offered
=====================  ==========================================================

and outbound: ``answered`` is a connected dial, a ``DialResult`` name is that result,
anything else (``dialing``, ``interrupted``) has no result yet.

``T`` of a caller is the queue's goal for the caller's tier, from the one goals table
(:func:`app.queries.service_level_goals`: ``Queue.service_level_goals``, else the tier's
default goal, :func:`routing.events.default_goal`, as routing and the wallboard have it),
or one ``T`` for everyone when the report is asked for one. A short abandon is one within :data:`SHORT_ABANDON_SECONDS`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, ColumnElement, Integer, String, cast, extract, func, select, text
from sqlmodel import Session, col

from app.models import Agent, EventRecord, Interaction
from app.queries import as_utc, service_level_goals
from qa.counts import CallbackCounts, KpiCounts, count_callbacks, counts_by_group
from qa.dials import DialCounts, connect_rate, count_dials, dialler_abandon_rate
from qa.kpis import (
    abandonment_rate,
    average_handle_time,
    average_speed_of_answer,
    callback_acceptance_rate,
    callback_failure_rate,
    mean_callback_wait,
    service_level,
)
from qa.records import OUTCOMES, ContactRecord, ContactTable, records_from_events
from qa.segments import SEGMENTS, Segment, segment_of
from routing.events import TIERS, ServiceLevelGoals, event_from_json

#: A caller who hangs up within this is a short abandon (misdial, changed their mind);
#: the same 5 s as the wallboard's and the simulator's default.
SHORT_ABANDON_SECONDS = 5.0
#: Times come out of the database as whole microseconds, so waits are exact.
MICROSECONDS = 1_000_000.0
_UNIX_EPOCH_JULIAN_DAY = 2440587.5

INBOUND_OUTCOME: Mapping[str, int] = {
    "answered": OUTCOMES.index("answered"),
    "interrupted": OUTCOMES.index("answered"),  # answered only if it has answered_at
    "abandoned": OUTCOMES.index("abandoned"),
    "callback_failed": OUTCOMES.index("callback_failed"),
}
_OUTBOUND_RESULT: Mapping[str, str] = {"answered": "connected"}


# --- what the page shows --------------------------------------------------------------


@dataclass(frozen=True)
class InboundFigures:
    """One group of inbound calls: its :class:`~qa.counts.KpiCounts` and the figures of
    :mod:`qa.kpis` over them. ``thresholds_seconds``: the distinct ``T`` its callers were
    held to; ``not_closed``: calls of the period not closed yet (not in ``offered``)."""

    counts: KpiCounts
    thresholds_seconds: tuple[float, ...] = ()
    not_closed: int = 0

    def __add__(self, other: InboundFigures) -> InboundFigures:
        return InboundFigures(
            self.counts + other.counts,
            tuple(sorted(set(self.thresholds_seconds) | set(other.thresholds_seconds))),
            self.not_closed + other.not_closed,
        )

    @property
    def abandon_rate(self) -> float:
        return abandonment_rate(self.counts)

    @property
    def service_level(self) -> float:
        return service_level(self.counts)

    @property
    def asa_seconds(self) -> float:
        return average_speed_of_answer(self.counts)

    @property
    def aht_seconds(self) -> float:
        return average_handle_time(self.counts)


@dataclass(frozen=True)
class QueueInbound:
    """A queue's inbound figures: all callers, and VIP and general apart."""

    queue: str
    segments: Mapping[Segment, InboundFigures]

    @property
    def total(self) -> InboundFigures:
        return sum(self.segments.values(), InboundFigures(KpiCounts()))


@dataclass(frozen=True)
class OutboundFigures:
    queue: str
    counts: DialCounts

    @property
    def connect_rate(self) -> float:
        return connect_rate(self.counts)

    @property
    def dialler_abandon_rate(self) -> float:
        return dialler_abandon_rate(self.counts)


@dataclass(frozen=True)
class CallbackFigures:
    queue: str
    counts: CallbackCounts

    @property
    def acceptance_rate(self) -> float:
        return callback_acceptance_rate(self.counts)

    @property
    def failure_rate(self) -> float:
        return callback_failure_rate(self.counts)

    @property
    def mean_wait_seconds(self) -> float:
        return mean_callback_wait(self.counts)


@dataclass(frozen=True)
class QaReport:
    """The figures of ``[since, until)`` (``until`` None: up to now), per queue and in total.

    ``threshold_seconds`` is the one ``T`` asked for, or None: each queue's goals."""

    since: datetime
    until: datetime | None
    queue: str | None
    threshold_seconds: float | None
    inbound: list[QueueInbound]
    outbound: list[OutboundFigures]
    callbacks: list[CallbackFigures]

    @property
    def inbound_total(self) -> QueueInbound:
        parts: dict[Segment, InboundFigures] = {
            s: sum((q.segments[s] for q in self.inbound), InboundFigures(KpiCounts()))
            for s in SEGMENTS
        }
        return QueueInbound("", parts)

    @property
    def outbound_total(self) -> OutboundFigures:
        return OutboundFigures("", sum((o.counts for o in self.outbound), DialCounts()))

    @property
    def callbacks_total(self) -> CallbackFigures:
        return CallbackFigures("", sum((c.counts for c in self.callbacks), CallbackCounts()))


def qa_report(
    session: Session,
    since: datetime,
    until: datetime | None = None,
    *,
    queue: str | None = None,
    threshold_seconds: float | None = None,
) -> QaReport:
    """Every figure of the QA page for calls that arrived in ``[since, until)``."""
    goals = service_level_goals(session)
    inbound = inbound_figures(session, since, until, queue, goals, threshold_seconds)
    return QaReport(
        since=since,
        until=until,
        queue=queue,
        threshold_seconds=threshold_seconds,
        inbound=inbound,
        outbound=outbound_figures(session, since, until, queue),
        callbacks=callback_figures(session, since, until, queue),
    )


# --- inbound ----------------------------------------------------------------------------


def inbound_figures(
    session: Session,
    since: datetime,
    until: datetime | None = None,
    queue: str | None = None,
    goals: ServiceLevelGoals | None = None,
    threshold_seconds: float | None = None,
) -> list[QueueInbound]:
    """Inbound figures per queue (in name order), VIP and general apart."""
    table, not_closed = inbound_table(session, since, until, queue)
    goals = service_level_goals(session) if goals is None else goals
    n_q, n_t = len(table.queues), len(table.tiers)
    t_of = np.array([[threshold_seconds or goals.threshold_seconds(q, t)
                      for t in table.tiers] for q in table.queues], dtype=np.float64)
    group = table.queue_index * n_t + table.tier_index
    thresholds = t_of.reshape(-1)[group] if len(table) else np.zeros(0)
    counts = counts_by_group(table, group, n_q * n_t, thresholds, SHORT_ABANDON_SECONDS)
    out = []
    for qi, name in enumerate(table.queues):
        parts = {s: InboundFigures(KpiCounts()) for s in SEGMENTS}
        for ti, tier in enumerate(table.tiers):
            k = qi * n_t + ti
            seen = counts[k].offered + int(not_closed[k])
            used = (float(t_of[qi, ti]),) if seen else ()
            seg = segment_of(tier)
            parts[seg] = parts[seg] + InboundFigures(counts[k], used, int(not_closed[k]))
        out.append(QueueInbound(name, parts))
    return sorted(out, key=lambda q: q.queue)


def inbound_counts_by_queue(
    session: Session, since: datetime, until: datetime | None = None
) -> dict[str, KpiCounts]:
    """:class:`~qa.counts.KpiCounts` of every caller per queue (the wallboard's page load)."""
    return {q.queue: q.total.counts for q in inbound_figures(session, since, until)}


@dataclass(frozen=True)
class QueueCounts:
    """Inbound calls of a queue in a period whose wait ended: offered ``N``, answered
    ``A``, abandoned ``B`` (the :mod:`qa.kpis` conventions: ``N = A + B + F``, failed
    callbacks ``F``; calls still waiting are not offered yet)."""

    queue: str
    offered: int
    answered: int
    abandoned: int


def interaction_counts(
    session: Session, since: datetime, until: datetime | None = None
) -> list[QueueCounts]:
    """Inbound offered, answered and abandoned calls per queue with
    ``since <= arrived_at < until``, counted by :mod:`qa.kpis` (the QA page's path)."""
    return [
        QueueCounts(queue, c.offered, c.answered, c.abandoned)
        for queue, c in sorted(inbound_counts_by_queue(session, since, until).items())
    ]


def inbound_table(
    session: Session, since: datetime, until: datetime | None = None, queue: str | None = None
) -> tuple[ContactTable, npt.NDArray[np.int64]]:
    """The period's inbound interactions as a :class:`~qa.records.ContactTable` (tiers in
    :data:`routing.events.TIERS` order, then any other), and how many not closed yet per
    ``queue_index * len(tiers) + tier_index``."""
    table, code, q_index, t_index = table_of_rows(inbound_rows(session, since, until, queue))
    n_tiers = len(table.tiers)
    open_group = (q_index * n_tiers + t_index)[code < 0]
    return table, np.bincount(open_group, minlength=len(table.queues) * n_tiers)


def inbound_rows(
    session: Session, since: datetime, until: datetime | None = None, queue: str | None = None,
    *, with_agent: bool = False,
) -> npt.NDArray[Any]:
    """The period's inbound interaction rows as a grid: queue, tier, outcome, arrived,
    answered and ended (microseconds), handle seconds; with ``with_agent`` also the login,
    site and team of the row's agent (None without one)."""
    micros = micros_of(session)
    columns: list[Any] = [
        col(Interaction.queue), col(Interaction.tier), col(Interaction.outcome),
        micros(col(Interaction.arrived_at)), micros(col(Interaction.answered_at)),
        micros(col(Interaction.ended_at)), col(Interaction.handle_seconds),
    ]
    if with_agent:
        columns += [col(Agent.login), col(Agent.site), col(Agent.team)]
    query = select(*columns)
    if with_agent:
        query = query.outerjoin(Agent, col(Interaction.agent_id) == col(Agent.id))
    query = query.where(col(Interaction.direction) == "inbound")
    return fetch_grid(session, in_period(session, query, since, until, queue), len(columns))


def table_of_rows(grid: npt.NDArray[Any]) -> tuple[
        ContactTable, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The :class:`~qa.records.ContactTable` of :func:`inbound_rows`' grid, and each row's
    outcome code (-1: not closed yet), queue index and tier index."""
    queues, tiers, outcomes = grid[:, 0], grid[:, 1], grid[:, 2]
    arrived, answered_at, ended, handle = (grid[:, k].astype(np.float64) for k in range(3, 7))
    outcome_of = {o: INBOUND_OUTCOME.get(o, -1) for o in set(outcomes)}
    code = np.fromiter(map(outcome_of.__getitem__, outcomes), np.int64, len(outcomes))
    code[(code == OUTCOMES.index("answered")) & np.isnan(answered_at)] = -1
    q_names, q_index = index_names(queues, ())
    t_names, t_index = index_names(tiers, TIERS)
    table = ContactTable.from_times(
        arrived, answered_at, ended, code, q_index, t_index, q_names, t_names,
        handle_seconds=handle, ticks_per_second=MICROSECONDS,
    )
    return table, code, q_index, t_index


# --- outbound and callbacks ---------------------------------------------------------------


def outbound_figures(
    session: Session, since: datetime, until: datetime | None = None, queue: str | None = None
) -> list[OutboundFigures]:
    """Dials per queue (campaign), by result. The database hands back how many rows have
    each ``(queue, outcome)``, which :func:`qa.dials.count_dials` maps and sums."""
    query = select(col(Interaction.queue), col(Interaction.outcome), func.count()).where(
        col(Interaction.direction) == "outbound")
    query = in_period(session, query, since, until, queue).group_by(
        Interaction.queue, Interaction.outcome)
    grid = fetch_grid(session, query, 3)
    names, index = index_names(grid[:, 0], ())
    results = [_OUTBOUND_RESULT.get(o, o) for o in grid[:, 1]]
    counts = count_dials(results, index, len(names), grid[:, 2].astype(np.int64))
    return sorted((OutboundFigures(q, c) for q, c in zip(names, counts, strict=True)),
                  key=lambda o: o.queue)


def callback_figures(
    session: Session, since: datetime, until: datetime | None = None, queue: str | None = None
) -> list[CallbackFigures]:
    """Callback figures per queue for the callers who arrived in the period and were
    offered or accepted a callback, from their events in the log."""
    start = as_utc(since).timestamp()
    end = math.inf if until is None else as_utc(until).timestamp()
    ids = select(col(EventRecord.contact_id)).where(
        col(EventRecord.type).in_(("callback_offered", "callback_scheduled")),
        col(EventRecord.at) >= start,
    )
    query = (select(col(EventRecord.payload)).where(col(EventRecord.contact_id).in_(ids))
             .order_by(col(EventRecord.seq)))
    events = (event_from_json(p) for (p,) in session.connection().execute(query))
    by_queue: dict[str, list[ContactRecord]] = defaultdict(list)
    for r in records_from_events(events):
        if start <= r.arrived_at < end and (queue is None or r.queue == queue):
            by_queue[r.queue].append(r)
    return [CallbackFigures(q, count_callbacks(by_queue[q])) for q in sorted(by_queue)]


# --- reading the rows -------------------------------------------------------------------


def in_period(
    session: Session, query: Any, since: datetime, until: datetime | None, queue: str | None
) -> Any:
    """Rows that arrived in ``[since, until)`` (of ``queue``, else of every queue: named
    so that the ``(queue, arrived_at)`` index serves the period on SQLite too; PostgreSQL
    still scans when most of the table is in the period)."""
    query = query.where(Interaction.arrived_at >= as_utc(since))
    if until is not None:
        query = query.where(Interaction.arrived_at < as_utc(until))
    if queue is not None:
        return query.where(Interaction.queue == queue)
    names = list(session.connection().execute(_QUEUE_NAMES).scalars())
    return query.where(col(Interaction.queue).in_(names))


#: Every queue name of the interaction table, by a loose index scan of
#: ``ix_interaction_queue_arrived`` (one index probe per queue, on SQLite and PostgreSQL).
_QUEUE_NAMES = text(
    "WITH RECURSIVE q(name) AS ("
    " SELECT min(queue) FROM interaction"
    " UNION ALL SELECT (SELECT min(queue) FROM interaction WHERE queue > q.name)"
    " FROM q WHERE q.name IS NOT NULL)"
    " SELECT name FROM q WHERE name IS NOT NULL"
).columns(name=String())


def micros_of(session: Session) -> Any:
    """``column -> SQL`` giving the time as whole microseconds since the Unix epoch."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":  # stored as text; julianday() keeps milliseconds

        def sqlite(column: ColumnElement[Any]) -> ColumnElement[Any]:
            days = func.julianday(column) - _UNIX_EPOCH_JULIAN_DAY
            return cast(func.round(days * 86_400_000.0), Integer) * 1000

        return sqlite
    if dialect == "postgresql":

        def postgresql(column: ColumnElement[Any]) -> ColumnElement[Any]:
            return cast(extract("epoch", column) * 1_000_000, BigInteger)

        return postgresql
    raise NotImplementedError(f"the QA report reads times on sqlite and postgresql, not {dialect}")


def fetch_grid(session: Session, query: Any, n_columns: int) -> npt.NDArray[np.object_]:
    """The rows of ``query`` as an object array, one column per selected column.

    Read from the DBAPI cursor: these columns (text, numbers) need none of SQLAlchemy's
    result processing, and skipping its row objects halves the time of a 90-day report."""
    result = session.connection().execute(query)
    try:
        rows = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    return np.array(rows, dtype=object).reshape(len(rows), n_columns)


def index_names(
    values: npt.NDArray[np.object_], first: Sequence[str]
) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Names (``first``, then the others in name order) and the index of each value."""
    names = list(first) + sorted(set(values) - set(first))
    position = {name: i for i, name in enumerate(names)}
    return names, np.fromiter(map(position.__getitem__, values), np.int64, len(values))
