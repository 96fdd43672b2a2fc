"""Service standards in the database (table ``service_standard``) and the report of actual
against target over a period. The rules (validation, which standard applies, the verdict) are
:mod:`qa.standards`; the figures :mod:`app.kpi_period` (formulas in :mod:`qa`).

A row's ``quarter`` 0 is the whole year (a NULL would not be unique on either database).
The period of a report is center days (:data:`app.queries.CENTER_TZ`) ``first .. last``; its
standards are those of its quarter when it lies in one, else of its year
(:func:`qa.standards.period_of`). A service-level actual holds each caller to the
``threshold_seconds`` of the center's service-level standard of the caller's segment when it
has one, else to the caller's queue goal (as ``/qa`` and the wallboard do). The outbound
KPIs (:mod:`app.outbound_period`) count for the center and per team or agent, not per caller
segment; promises are judged as of the period's end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.admin_audit import record_change
from app.kpi_period import (
    add_self_service,
    agent_directory,
    agent_time,
    group_index,
    occupancy_of,
    outcome_counts,
    read_rows,
    self_service_events,
    service_figures,
)
from app.models import ServiceStandard, User
from app.outbound_period import outbound_report
from app.outcome_period import (
    agent_directory_by_id,
    can_serve,
    outcome_groups,
    period_sums,
    service_groups,
)
from app.qa_report import SHORT_ABANDON_SECONDS
from app.queries import CENTER_TZ, service_level_goals
from qa.counts import KpiCounts, counts_by_group
from qa.outcomes import OutcomeCounts, outcome_figures
from qa.segments import SEGMENTS, segment_of
from qa.standards import (
    STANDARD_KPIS,
    Evaluation,
    Scope,
    Standard,
    StandardSegment,
    period_of,
    resolve,
)

#: The longest period a report covers (a year and a bit: a yearly review).
MAX_REPORT_DAYS = 400


def to_standard(row: ServiceStandard) -> Standard:
    return Standard(row.kpi, row.target, row.warn, row.alert, row.year, row.quarter or None,
                    row.scope, row.scope_id, row.segment,  # type: ignore[arg-type]
                    row.threshold_seconds)


def list_rows(session: Session, year: int | None = None) -> list[ServiceStandard]:
    query = select(ServiceStandard)
    if year is not None:
        query = query.where(ServiceStandard.year == year)
    return list(session.exec(query.order_by(
        col(ServiceStandard.year), col(ServiceStandard.quarter), col(ServiceStandard.scope),
        col(ServiceStandard.scope_id), col(ServiceStandard.kpi), col(ServiceStandard.segment))))


def load_standards(session: Session, year: int | None = None) -> list[Standard]:
    return [to_standard(r) for r in list_rows(session, year)]


def stored_standards(engine: Engine) -> list[Standard]:
    """Every stored standard (the live wallboard's at start); none if the table is missing
    (a database not migrated yet)."""
    try:
        with Session(engine) as session:
            return load_standards(session)
    except SQLAlchemyError:
        return []


def save_standard(session: Session, actor: User, standard: Standard, now: datetime
                  ) -> ServiceStandard:
    """Insert or replace the standard of the same key (KPI, segment, year, quarter, scope);
    audited and committed."""
    quarter = standard.quarter or 0
    row = session.exec(select(ServiceStandard).where(
        ServiceStandard.kpi == standard.kpi, ServiceStandard.segment == standard.segment,
        ServiceStandard.year == standard.year, ServiceStandard.quarter == quarter,
        ServiceStandard.scope == standard.scope,
        ServiceStandard.scope_id == standard.scope_id)).first()
    before = None if row is None else {"target": row.target, "warn": row.warn,
                                       "alert": row.alert}
    if row is None:
        row = ServiceStandard(kpi=standard.kpi, segment=standard.segment, year=standard.year,
                              quarter=quarter, scope=standard.scope, scope_id=standard.scope_id,
                              target=standard.target, warn=standard.warn, alert=standard.alert)
    row.target, row.warn, row.alert = standard.target, standard.warn, standard.alert
    row.threshold_seconds = standard.threshold_seconds
    row.updated_by, row.updated_at = actor.username, now
    session.add(row)
    record_change(session, actor, "standard.set", _label(standard),
                  {"before": before, "target": standard.target, "warn": standard.warn,
                   "alert": standard.alert, "threshold_seconds": standard.threshold_seconds})
    session.commit()
    session.refresh(row)
    return row


def delete_standard(session: Session, actor: User, row: ServiceStandard) -> None:
    record_change(session, actor, "standard.delete", _label(to_standard(row)),
                  {"target": row.target, "warn": row.warn, "alert": row.alert})
    session.delete(row)
    session.commit()


def _label(s: Standard) -> str:
    period = f"{s.year}" + (f"Q{s.quarter}" if s.quarter else "")
    who = s.scope if s.scope == "center" else f"{s.scope}:{s.scope_id}"
    return f"{s.kpi}/{s.segment}/{period}/{who}"


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    """One figure of one group against the standard that applies to it."""

    group: str
    segment: StandardSegment
    evaluation: Evaluation

    def as_dict(self) -> dict[str, object]:
        e, s = self.evaluation, self.evaluation.standard
        return {
            "group": self.group, "segment": self.segment, "kpi": e.kpi,
            "actual": None if math.isnan(e.actual) else e.actual,
            "target": None if s is None else s.target,
            "warn": None if s is None else s.warn,
            "alert": None if s is None else s.alert,
            "level": e.level, "met": e.met,
            "attainment": None if math.isnan(e.attainment) or math.isinf(e.attainment)
            else e.attainment,
            "standard_scope": None if s is None else s.scope,
            "standard_period": None if s is None else (f"{s.year}Q{s.quarter}" if s.quarter
                                                        else str(s.year)),
        }


@dataclass(frozen=True)
class StandardsReport:
    first: date
    last: date
    year: int
    quarter: int | None
    scope: Scope
    lines: list[ReportLine]


def center_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """``first`` 00:00 to ``last + 1`` 00:00 on the center's clock, as UTC."""
    start = datetime.combine(first, time.min, CENTER_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, CENTER_TZ).astimezone(UTC)
    return start, end


def standards_report(session: Session, first: date, last: date, scope: Scope = "center",
                     *, from_rows: bool = False) -> StandardsReport:
    """Every KPI of the period for the center (all callers, VIP, general), each team or each
    agent, against the standard that applies (module docstring). The center's lines for all
    callers are listed for every KPI; VIP, general, team and agent lines only where a
    standard applies to them.

    The figures come from the summaries (:mod:`app.outcome_summaries`) when every caller's
    ``T`` is on their wait grid, else (or ``from_rows``) from the rows: the same figures."""
    if last < first:
        raise ValueError("to: must not be before from")
    if (last - first).days + 1 > MAX_REPORT_DAYS:
        raise ValueError(f"to: a report covers at most {MAX_REPORT_DAYS} days")
    year, quarter = period_of(first, last)
    standards = load_standards(session, year)
    start, end = center_bounds(first, last)
    by = None if scope == "center" else scope
    # each caller's T: the center's SL standard of the segment, else the queue goal
    goals = service_level_goals(session)
    t_of: dict[str, float | None] = {}
    for seg in SEGMENTS:
        s = resolve(standards, "service_level", year, quarter, segment=seg)
        t_of[seg] = None if s is None or s.scope != "center" else s.threshold_seconds

    def threshold(queue: str, tier: str) -> float:
        return t_of[segment_of(tier)] or goals.threshold_seconds(queue, tier)

    counts = None if from_rows else _summary_counts(session, start, end, threshold)
    if counts is None:
        counts = _row_counts(session, start, end, threshold)
    times = agent_time(session, start, end)
    directory = agent_directory(session)
    events = self_service_events(session, start, end)
    outbound = outbound_report(session, start, end, end, (by,))[by]
    lines: list[ReportLine] = []
    groupings: list[tuple[str | None, StandardSegment]] = (
        [(None, "all"), ("tier", "vip"), ("tier", "general")] if by is None else [(by, "all")])
    counted: dict[str | None, tuple[list[str], list[OutcomeCounts]]] = {}
    for grouping, segment in groupings:
        names, service = counts.service(grouping)
        if grouping not in counted:  # the VIP and general lines share one count by tier
            o_names, outcomes = counts.outcomes(grouping)
            add_self_service(o_names, outcomes, grouping, events, 3600)
            counted[grouping] = (o_names, outcomes)
        o_names, outcomes = counted[grouping]
        by_name = dict(zip(o_names, outcomes, strict=True))
        occ = occupancy_of(times, directory, grouping)
        members = names if grouping is None else sorted(
            (set(names) | set(o_names) | set(occ) | set(outbound)) if grouping != "tier"
            else {segment})
        service_of = dict(zip(names, service, strict=True))
        for name in members:
            if grouping == "tier" and name != segment:
                continue
            figures = {**outcome_figures(by_name.get(name, OutcomeCounts())),
                       **service_figures(service_of.get(name, KpiCounts())),
                       "occupancy": occ.get(name, math.nan),
                       **(outbound.get("all" if grouping is None else name, {})
                          if grouping != "tier" else {})}
            team = name if scope == "team" else directory.get(name, ("", None))[1] \
                if scope == "agent" else None
            agent = name if scope == "agent" else None
            for kpi in STANDARD_KPIS:
                standard = resolve(standards, kpi, year, quarter, team=team, agent=agent,
                                   segment=segment)
                if standard is None and (scope != "center" or segment != "all"):
                    continue
                label = "center" if grouping in (None, "tier") else name
                lines.append(ReportLine(label, segment,
                                        Evaluation(kpi, figures.get(kpi, math.nan), standard)))
    return StandardsReport(first, last, year, quarter, scope, lines)


@dataclass(frozen=True)
class _Counts:
    """The period's counts per grouping: service (:class:`KpiCounts`) and outcomes."""

    service: Callable[[str | None], tuple[list[str], list[KpiCounts]]]
    outcomes: Callable[[str | None], tuple[list[str], list[OutcomeCounts]]]


def _row_counts(session: Session, start: datetime, end: datetime,
                threshold: Callable[[str, str], float]) -> _Counts:
    """From every row of the period (and of the FCR days after it)."""
    rows = read_rows(session, start, end)
    queues, tiers = rows.table.queues, rows.table.tiers
    t = np.array([threshold(queues[qi], tiers[ti]) for qi, ti in zip(
        rows.table.queue_index.tolist(), rows.table.tier_index.tolist(), strict=True)],
        dtype=np.float64)

    def service(grouping: str | None) -> tuple[list[str], list[KpiCounts]]:
        if grouping is None:
            names, index = ["all"], np.zeros(len(rows.table), np.int64)
        else:
            names, index = group_index(rows.inbound, grouping, 3600)
        return names, counts_by_group(rows.table, index, len(names), t, SHORT_ABANDON_SECONDS)

    return _Counts(service, lambda grouping: outcome_counts(rows, grouping))


def _summary_counts(session: Session, start: datetime, end: datetime,
                    threshold: Callable[[str, str], float]) -> _Counts | None:
    """From the summaries (:mod:`app.outcome_summaries`); None when they cannot give the
    rows' figures (a ``T`` off the wait grid, a period not of whole center days)."""
    if not can_serve(start, end):
        return None
    sums = period_sums(session, start, end, threshold)
    if sums is None:
        return None
    t = np.array([threshold(q, tier) for q, tier in zip(sums.queue, sums.tier, strict=True)],
                 dtype=np.float64)
    directory = agent_directory_by_id(session)
    return _Counts(lambda grouping: service_groups(sums, grouping, directory, t),
                   lambda grouping: outcome_groups(sums, grouping, directory))
