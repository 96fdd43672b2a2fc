"""A period's figures from the standards report's summaries (:mod:`app.outcome_summaries`):
the cells of its center days summed in the database, the days the cells cannot give read from
the rows, and the groups (center, tier, queue, team, site, agent) made here from the agents'
*current* team and site, as :func:`app.kpi_period.read_rows`' join makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, func, literal_column, select
from sqlmodel import Session, col

from app.models import Agent, InteractionOutcomeSummary
from app.outcome_summaries import (
    NO_AGENT,
    O_COLUMNS,
    SUM_FIELDS,
    cells_of_rows,
    float_column,
    rows_between,
)
from app.qa_report import MICROSECONDS, fetch_grid, index_names
from app.queries import as_utc, start_of_center_day
from app.report_summaries import stale_days
from qa.counts import KpiCounts
from qa.outcomes import FCR_DAYS, OutcomeCounts
from qa.segments import SEGMENTS, segment_of
from qa.wait_histogram import CELL_FIELDS, NOT_CLOSED, OVER_GRID, counts_by_cell_group, on_grid

# --- reading a period ----------------------------------------------------------------------

_OUT = InteractionOutcomeSummary.__table__  # type: ignore[attr-defined]
_S = {name: i for i, name in enumerate(SUM_FIELDS)}
_WINDOW = timedelta(days=FCR_DAYS)



@dataclass(frozen=True)
class PeriodSums:
    """The cells of a period summed over its days: ``(queue, tier, agent_id, bucket)`` and
    ``sums`` (:data:`SUM_FIELDS`) per cell; ``later``: the ``(queue, tier, agent_id)`` of the
    contacts in the :data:`FCR_DAYS` after it (the rows' groups include them, with nothing
    counted)."""

    queue: list[str]
    tier: list[str]
    agent_id: list[int]
    bucket: npt.NDArray[np.int64]
    sums: npt.NDArray[np.int64]
    later: list[tuple[str, str, int]]


def can_serve(since: datetime, until: datetime) -> bool:
    """Whether ``[since, until)`` is whole center days (and so is the FCR look-ahead)."""
    return all(as_utc(t) == start_of_center_day(as_utc(t))
               for t in (since, until, until + _WINDOW)) and since <= until


def period_sums(session: Session, since: datetime, until: datetime,
                threshold: Callable[[str, str], float] | None = None) -> PeriodSums | None:
    """The cells of the contacts that arrived in ``[since, until)`` (center midnights,
    :func:`can_serve`): stored cells for the days they hold, the rows' cells for the days
    they cannot (a stale mark on the day or in the :data:`FCR_DAYS` after it).

    With ``threshold`` (the ``T`` of a queue and tier), the database folds each cell's bucket
    into ``T`` or :data:`~qa.wait_histogram.OVER_GRID` (within ``T`` or not: the same counts
    for that ``T``, from a few cells per agent); None when a ``T`` is off the wait grid."""
    if not can_serve(since, until):
        raise ValueError("since, until: must be center midnights")
    since, until = as_utc(since), as_utc(until)
    unreliable = _unreliable(session, since, until)
    from_rows: dict[tuple[str, str, int, int], npt.NDArray[np.int64]] = {}
    for a, b in _spans(unreliable):
        grid = rows_between(session, a, b + _WINDOW)
        counted = float_column(grid[:, 3]) < as_utc(b).timestamp() * MICROSECONDS
        for key, sums in cells_of_rows(grid, counted).items():
            k = key[1:]
            from_rows[k] = from_rows[k] + sums if k in from_rows else sums
    t_of: dict[tuple[str, str], float] | None = None
    if threshold is not None:
        pairs = set(_distinct(session, since, until, unreliable, (_OUT.c.queue, _OUT.c.tier)))
        pairs |= {k[:2] for k in from_rows}
        t_of = {(str(q), str(t)): float(threshold(str(q), str(t))) for q, t in pairs}
        if not all(on_grid(x) for x in t_of.values()):
            return None
        from_rows = _fold_rows(from_rows, t_of)
    found = _stored(session, since, until, unreliable, t_of)
    for k, sums in from_rows.items():
        found[k] = found[k] + sums if k in found else sums
    ahead = until + _WINDOW
    later_stale = _direct_stale(session, until, ahead)
    later = {(str(q), str(t), int(a)) for q, t, a in _distinct(
        session, until, ahead, later_stale, (_OUT.c.queue, _OUT.c.tier, _OUT.c.agent_id))}
    for a, b in _spans(later_stale):
        later |= {k[1:4] for k in cells_of_rows(rows_between(session, a, b))}
    keys = sorted(k for k, v in found.items() if v[_S["contacts"]] > 0)
    return PeriodSums(
        [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
        np.array([k[3] for k in keys], np.int64),
        np.stack([found[k] for k in keys]) if keys else np.zeros((0, len(SUM_FIELDS)),
                                                                  np.int64),
        sorted(later))


def _fold(bucket: int, t: float) -> int:
    return bucket if bucket == NOT_CLOSED else int(t) if bucket <= t else OVER_GRID


def _fold_rows(cells: dict[tuple[str, str, int, int], npt.NDArray[np.int64]],
               t_of: dict[tuple[str, str], float]
               ) -> dict[tuple[str, str, int, int], npt.NDArray[np.int64]]:
    out: dict[tuple[str, str, int, int], npt.NDArray[np.int64]] = {}
    for (q, t, a, b), sums in cells.items():
        k = (q, t, a, _fold(b, t_of[(q, t)]))
        out[k] = out[k] + sums if k in out else sums
    return out


def _distinct(session: Session, since: datetime, until: datetime, skip: Sequence[datetime],
              columns: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The distinct ``columns`` of the stored cells with contacts of ``[since, until)``."""
    c = _OUT.c
    query = select(*columns).where(c.day >= since, c.day < until, c.contacts > 0,
                                   *((c.day != d) for d in skip)).distinct()
    return [tuple(r) for r in fetch_grid(session, query, len(columns))]


def _stored(session: Session, since: datetime, until: datetime, skip: Sequence[datetime],
            t_of: dict[tuple[str, str], float] | None = None,
            ) -> dict[tuple[str, str, int, int], npt.NDArray[np.int64]]:
    c = _OUT.c
    bucket: Any = c.wait_bucket
    if t_of:
        t = case(*(((c.queue == q) & (c.tier == tier), literal_column(str(int(x))))
                   for (q, tier), x in sorted(t_of.items())), else_=literal_column(str(OVER_GRID)))
        bucket = case((c.wait_bucket == NOT_CLOSED, NOT_CLOSED), (c.wait_bucket <= t, t),
                      else_=OVER_GRID)
    bucket = bucket.label("bucket")
    query = select(c.queue, c.tier, c.agent_id, bucket,
                   *(func.sum(c[f]) for f in SUM_FIELDS)).where(
        c.day >= since, c.day < until, *((c.day != d) for d in skip)).group_by(
        c.queue, c.tier, c.agent_id, bucket).having(func.sum(c.contacts) > 0)
    return {(str(r[0]), str(r[1]), int(r[2]), int(r[3])): np.array(r[4:], np.int64)
            for r in fetch_grid(session, query, 4 + len(SUM_FIELDS))}


def _direct_stale(session: Session, since: datetime, until: datetime) -> list[datetime]:
    return stale_days(session, since, until)


def _unreliable(session: Session, since: datetime, until: datetime) -> list[datetime]:
    """Days of ``[since, until)`` whose stored cells may be wrong: a stale mark on the day,
    or in the FCR window after it (a repeat written past the summaries)."""
    out: set[datetime] = set()
    for day in _direct_stale(session, since, until + _WINDOW + timedelta(days=1)):
        d = start_of_center_day(day - _WINDOW)
        while d <= day:
            if since <= d < until:
                out.add(d)
            d = start_of_center_day(d + timedelta(hours=36))
    return sorted(out)


def _spans(days: Sequence[datetime]) -> list[tuple[datetime, datetime]]:
    """Runs of consecutive center days as ``[first, after last)``."""
    spans: list[tuple[datetime, datetime]] = []
    for d in days:
        nxt = start_of_center_day(d + timedelta(hours=36))
        if spans and spans[-1][1] == d:
            spans[-1] = (spans[-1][0], nxt)
        else:
            spans.append((d, nxt))
    return spans


Directory = dict[int, tuple[str, str | None, str | None]]


def agent_directory_by_id(session: Session) -> Directory:
    """agent id -> (login, site, team), as the rows' join reads them."""
    rows = session.connection().execute(select(col(Agent.id), col(Agent.login), col(Agent.site),
                                               col(Agent.team))).all()
    return {int(i): (str(login), site, team) for i, login, site, team in rows if i is not None}


def _name(by: str | None, queue: str, tier: str, agent_id: int, directory: Directory) -> str:
    """The group of a cell, as :func:`app.kpi_period.read_rows`' keys name it."""
    if by is None:
        return "all"
    if by == "queue":
        return queue
    if by == "tier":
        return segment_of(tier)
    found = directory.get(agent_id) if agent_id else None
    if found is None:
        return NO_AGENT
    login, site, team = found
    if by == "agent":
        return login
    if by == "site":
        return NO_AGENT if site is None else site
    if by == "team":
        return team or NO_AGENT
    raise ValueError(f"by: the summaries hold queue, tier, site, agent and team, got {by!r}")


def outcome_groups(p: PeriodSums, by: str | None, directory: Directory
                   ) -> tuple[list[str], list[OutcomeCounts]]:
    """:func:`app.kpi_period.outcome_counts` from the cells: names in the same order (the
    look-ahead's groups included, empty), :class:`OutcomeCounts` per name (no self-service)."""
    if by is None:
        names, index = ["all"], np.zeros(len(p.queue), np.int64)
    else:
        cells = np.array([_name(by, q, t, a, directory)
                          for q, t, a in zip(p.queue, p.tier, p.agent_id, strict=True)],
                         dtype=object)
        later = [_name(by, q, t, a, directory) for q, t, a in p.later]
        names, index = index_names(np.concatenate([cells, np.array(later, dtype=object)]),
                                   SEGMENTS if by == "tier" else ())
        index = index[:len(cells)]
    total = np.zeros((len(names), len(SUM_FIELDS)), np.int64)
    np.add.at(total, index, p.sums)
    out = []
    for g in range(len(names)):
        values: dict[str, float] = {}
        for name, (column, scale) in O_COLUMNS.items():
            v = int(total[g, _S[column]])
            values[name] = v / scale if scale != 1.0 else v
        out.append(OutcomeCounts(**values))  # type: ignore[arg-type]
    return names, out


def service_groups(p: PeriodSums, by: str | None, directory: Directory,
                   threshold_seconds: npt.NDArray[np.float64]) -> tuple[list[str], list[KpiCounts]]:
    """:func:`qa.counts.counts_by_group` of the period's inbound calls per group, from the
    cells (each cell held to ``threshold_seconds[k]``, its callers' ``T`` on the grid)."""
    inbound = p.sums[:, _S["inbound"]] > 0
    rows = np.flatnonzero(inbound)
    if by is None:
        names, index = ["all"], np.zeros(len(rows), np.int64)
    else:
        names, index = index_names(np.array(
            [_name(by, p.queue[k], p.tier[k], p.agent_id[k], directory) for k in rows.tolist()],
            dtype=object), SEGMENTS if by == "tier" else ())
    counts = counts_by_cell_group(index, len(names), p.bucket[rows],
                                  p.sums[rows, :len(CELL_FIELDS)], threshold_seconds[rows])
    return names, counts
