"""The /qa and report pages' inbound figures from the summaries (:mod:`app.report_summaries`).

The database hands back cells (period, queue, tier, wait bucket: sums); every figure is the
:mod:`qa` formulas over :func:`qa.wait_histogram.counts_of_cells`' :class:`qa.counts.KpiCounts`,
each caller held to its queue's goal for its tier (:func:`app.queries.service_level_goals`,
the goals routing uses) or to the one ``T`` asked for. When a ``T`` is not on the wait grid
(:func:`qa.wait_histogram.on_grid`), the figures come from the rows
(:func:`app.qa_report.inbound_figures`): slower, the same formulas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlmodel import Session

from app.qa_report import (
    InboundFigures,
    QaReport,
    QueueInbound,
    callback_figures,
    inbound_figures,
    outbound_figures,
)
from app.queries import as_utc, service_level_goals, start_of_center_day
from app.report_summaries import Grain, PeriodCells, period_cells
from qa.counts import KpiCounts
from qa.segments import SEGMENTS, Segment, segment_of
from qa.wait_histogram import (
    counts_by_cell_group,
    counts_of_cells,
    not_closed_of_cells,
    on_grid,
)
from routing.events import TIERS, ServiceLevelGoals

#: The pages read summaries (False: the rows, as before them; the benchmark's "before").
USE_SUMMARIES = True


def qa_report_from_summaries(
    session: Session, since: datetime, until: datetime | None = None, *,
    queue: str | None = None, threshold_seconds: float | None = None, now: datetime,
) -> QaReport:
    """:func:`app.qa_report.qa_report` with the inbound figures from the summaries.
    ``until`` None: up to the end of ``now``'s center day."""
    goals = service_level_goals(session)
    end = until if until is not None else start_of_center_day(now, -1)
    inbound = inbound_figures_of_period(session, since, end, queue, goals, threshold_seconds)
    return QaReport(since=since, until=until, queue=queue, threshold_seconds=threshold_seconds,
                    inbound=inbound, outbound=outbound_figures(session, since, until, queue),
                    callbacks=callback_figures(session, since, until, queue))


def inbound_figures_of_period(
    session: Session, since: datetime, until: datetime, queue: str | None,
    goals: ServiceLevelGoals, threshold_seconds: float | None = None,
) -> list[QueueInbound]:
    """Inbound figures per queue (name order), VIP and general apart, of ``[since, until)``."""
    if not summaries_answer(session, since, until, goals, threshold_seconds):
        return inbound_figures(session, since, until, queue, goals, threshold_seconds)
    cells = period_cells(session, since, until, "day", queue, by_period=False, goals=goals,
                         threshold_seconds=threshold_seconds)
    by_group = group_cells(cells, lambda k: (k[1], k[2]))
    return queue_figures(by_group, goals, threshold_seconds)


def summaries_answer(
    session: Session, since: datetime, until: datetime, goals: ServiceLevelGoals,
    threshold_seconds: float | None,
) -> bool:
    """Whether the summaries give this period's figures exactly: both ends center midnights,
    and every ``T`` on the wait grid (the asked one, else every goal of the table)."""
    if not USE_SUMMARIES:
        return False
    if any(start_of_center_day(as_utc(t)) != as_utc(t) for t in (since, until)):
        return False
    if threshold_seconds is not None:
        return on_grid(threshold_seconds)
    every = [goals.threshold_seconds(q, t) for q in goals.by_queue for t in TIERS]
    every += [goals.threshold_seconds("", t) for t in TIERS]
    return all(on_grid(t) for t in every)


#: Cells of one group: their buckets and sums.
Group = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def group_cells(cells: PeriodCells, key_of: object) -> dict[tuple[object, ...], Group]:
    """``cells`` split by ``key_of((start, queue, tier, bucket))`` (which must return a tuple
    ending in ``(queue, tier)``), each group's buckets and sums."""
    index: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for k, key in enumerate(cells.keys):
        index[key_of(key)].append(k)  # type: ignore[operator]
    buckets = np.array([k[3] for k in cells.keys], dtype=np.int64)
    return {g: (buckets[rows], cells.sums[rows]) for g, rows in index.items()}


def counts_of_group(group: Group, queue: str, tier: str, goals: ServiceLevelGoals,
                    threshold_seconds: float | None) -> KpiCounts:
    t = threshold_seconds or goals.threshold_seconds(queue, tier)
    return counts_of_cells(group[0], group[1], t)


def queue_figures(by_group: Mapping[tuple[object, ...], Group], goals: ServiceLevelGoals,
                  threshold_seconds: float | None) -> list[QueueInbound]:
    """Per queue, VIP and general apart (as :func:`app.qa_report.inbound_figures` builds them)."""
    parts: dict[str, dict[Segment, InboundFigures]] = {}
    for (queue, tier), group in sorted(by_group.items(), key=lambda g: _tier_order(g[0])):
        q, t = str(queue), str(tier)
        counts = counts_of_group(group, q, t, goals, threshold_seconds)
        not_closed = not_closed_of_cells(group[1])
        used = threshold_seconds or goals.threshold_seconds(q, t)
        seen = counts.offered + not_closed
        figures = InboundFigures(counts, (float(used),) if seen else (), not_closed)
        queue_parts = parts.setdefault(q, {s: InboundFigures(KpiCounts()) for s in SEGMENTS})
        seg = segment_of(t)
        queue_parts[seg] = queue_parts[seg] + figures
    return [QueueInbound(q, parts[q]) for q in sorted(parts)]


def _tier_order(key: tuple[object, ...]) -> tuple[str, int, str]:
    tier = str(key[1])
    return (str(key[0]), TIERS.index(tier) if tier in TIERS else len(TIERS), tier)


# --- a report period's series ---------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSeries:
    """Figures per time step (an interval, or a day) of a report: all inbound callers."""

    starts: list[datetime]
    counts: list[KpiCounts]


def series_of_period(
    session: Session, since: datetime, until: datetime, grain: Grain, goals: ServiceLevelGoals,
    queue: str | None = None,
) -> PeriodSeries:
    """:class:`KpiCounts` of every step of ``[since, until)`` (``grain``: 30-minute intervals
    or days), each caller held to its queue's goal. Steps with no call are there, empty."""
    return report_of_period(session, since, until, grain, goals, queue)[0]


def report_of_period(
    session: Session, since: datetime, until: datetime, grain: Grain, goals: ServiceLevelGoals,
    queue: str | None = None,
) -> tuple[PeriodSeries, list[QueueInbound]]:
    """The steps of :func:`series_of_period` and the per-queue figures of
    :func:`inbound_figures_of_period`, from one read of the cells. Goals off the wait grid:
    from the rows, step by step."""
    starts = _steps(since, until, grain)
    if not summaries_answer(session, since, until, goals, None):
        ends = [*starts[1:], until]
        steps = [sum((q.total.counts for q in inbound_figures(session, a, b, queue, goals)),
                     KpiCounts()) for a, b in zip(starts, ends, strict=True)]
        return PeriodSeries(starts, steps), inbound_figures(session, since, until, queue, goals)
    cells = period_cells(session, since, until, grain, queue, goals=goals)
    position = {s: i for i, s in enumerate(starts)}
    keep = [k for k, key in enumerate(cells.keys) if key[0] in position]
    keys = [cells.keys[k] for k in keep]
    counts = counts_by_cell_group(
        np.array([position[k[0]] for k in keys], dtype=np.int64), len(starts),
        np.array([k[3] for k in keys], dtype=np.int64), cells.sums[keep],
        np.array([goals.threshold_seconds(k[1], k[2]) for k in keys], dtype=np.float64))
    by_queue = queue_figures(group_cells(cells, lambda k: (k[1], k[2])), goals, None)
    return PeriodSeries(starts, counts), by_queue


def _steps(since: datetime, until: datetime, grain: Grain) -> list[datetime]:
    out = []
    at = as_utc(since)
    while at < as_utc(until):
        out.append(at)
        at = (at + timedelta(minutes=30) if grain == "interval"
              else start_of_center_day(at + timedelta(hours=36)))
    return out
