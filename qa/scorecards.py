"""Agent scorecards: QA score, service figures and adherence of one agent over a period.

* ``qa_score``: the mean form total of the agent's evaluations in the period (a form failed
  on a fatal item counts with its 0; evaluations whose total is None, every question N/A,
  are left out); ``evaluations`` how many were averaged.
* ``handled``: the agent's answered contacts in the period; ``aht_seconds``: their mean
  handle time (talk, hold and wrap-up) by :func:`qa.kpis.average_handle_time` over the
  contacts whose handle time is known (NaN when none is), the one AHT formula of the suite.
* ``adherence``: the share of scheduled time the agent was in adherence
  (:mod:`wfm.adherence`), given by the caller (None: no published schedule).
* ``fatal_failures``: evaluations failed on a fatal item.

Adherence over several days (:func:`period_adherence`) is
``sum(scheduled - out) / sum(scheduled)`` over the days, i.e. weighted by scheduled time, not
a mean of daily percentages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from qa.counts import KpiCounts
from qa.kpis import average_handle_time


@dataclass(frozen=True, slots=True)
class AgentScorecard:
    agent: str
    evaluations: int
    qa_score: float | None
    fatal_failures: int
    handled: int
    aht_seconds: float
    adherence: float | None


def agent_scorecard(
    agent: str,
    evaluation_totals: Sequence[float | None],
    handle_seconds: Sequence[float | None],
    *,
    fatal_failures: int = 0,
    adherence: float | None = None,
) -> AgentScorecard:
    """The scorecard of ``agent`` (module docstring): ``evaluation_totals`` one per
    evaluation, ``handle_seconds`` one per answered contact (None: not known)."""
    totals = [t for t in evaluation_totals if t is not None and math.isfinite(t)]
    known = [h for h in handle_seconds if h is not None and math.isfinite(h)]
    counts = KpiCounts(handled=len(known), handle_seconds=float(sum(known)))
    return AgentScorecard(
        agent=agent,
        evaluations=len(totals),
        qa_score=sum(totals) / len(totals) if totals else None,
        fatal_failures=fatal_failures,
        handled=len(handle_seconds),
        aht_seconds=average_handle_time(counts),
        adherence=adherence,
    )


def period_adherence(days: Sequence[tuple[float, float]]) -> float | None:
    """Adherence over days of ``(scheduled_seconds, out_of_adherence_seconds)``; None when
    nothing was scheduled."""
    scheduled = sum(s for s, _ in days)
    out = sum(o for _, o in days)
    return None if scheduled <= 0 else (scheduled - out) / scheduled
