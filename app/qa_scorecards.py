"""Agent scorecards over a period: QA score (regular evaluations of the period's contacts),
handled and AHT (answered interaction rows of the period), adherence (published roster
against the agents' states, :mod:`app.adherence_feed`). Figures by :mod:`qa.scorecards`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.adherence_feed import day_report
from app.models import Agent, Interaction, QaEvaluation
from app.queries import CENTER_TZ, as_utc
from qa.scorecards import AgentScorecard, agent_scorecard, period_adherence

#: Longest period of a scorecard, in days (adherence is measured day by day).
MAX_DAYS = 92
#: Adherence tolerance, as on the supervisors' adherence page.
TOLERANCE_MINUTES = 5.0


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Center-local midnight of ``first`` to the midnight after ``last``, in UTC."""
    lo = datetime.combine(first, datetime.min.time(), CENTER_TZ)
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), CENTER_TZ)
    return as_utc(lo), as_utc(hi)


def scorecards(session: Session, first: date, last: date, now: datetime, *,
               agent_id: int | None = None, adherence: bool = True) -> list[AgentScorecard]:
    """One scorecard per active agent (or the one ``agent_id``) for ``first..last``."""
    if last < first or (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"period: from must be on or before to, at most {MAX_DAYS} days")
    lo, hi = period_bounds(first, last)
    query = select(Agent).where(col(Agent.active).is_(True))
    if agent_id is not None:
        query = select(Agent).where(Agent.id == agent_id)
    agents = list(session.exec(query.order_by(col(Agent.login))).all())
    ids = [a.id for a in agents]
    totals: dict[int, list[float | None]] = {}
    fatal: dict[int, int] = {}
    for aid, total, failed in session.exec(
            select(QaEvaluation.agent_id, QaEvaluation.total, QaEvaluation.fatal_failed).where(
                col(QaEvaluation.agent_id).in_(ids), QaEvaluation.kind == "regular",
                QaEvaluation.contact_at >= lo, QaEvaluation.contact_at < hi)).all():
        totals.setdefault(aid or 0, []).append(total)
        fatal[aid or 0] = fatal.get(aid or 0, 0) + int(failed)
    handle: dict[int, list[float | None]] = {}
    for aid, seconds in session.exec(
            select(Interaction.agent_id, Interaction.handle_seconds).where(
                col(Interaction.agent_id).in_(ids), col(Interaction.answered_at).is_not(None),
                Interaction.arrived_at >= lo, Interaction.arrived_at < hi)).all():
        handle.setdefault(aid or 0, []).append(seconds)
    days: dict[str, list[tuple[float, float]]] = {}
    if adherence:
        today = as_utc(now).astimezone(CENTER_TZ).date()
        day = first
        while day <= min(last, today):
            report = day_report(session, day, now=now if day == today else None,
                                tolerance_minutes=TOLERANCE_MINUTES)
            for row in report.agents:
                days.setdefault(row.agent, []).append((row.scheduled_seconds, row.out_seconds))
            day += timedelta(days=1)
    return [agent_scorecard(a.login, totals.get(a.id or 0, []), handle.get(a.id or 0, []),
                            fatal_failures=fatal.get(a.id or 0, 0),
                            adherence=period_adherence(days.get(a.login, [])))
            for a in agents]
