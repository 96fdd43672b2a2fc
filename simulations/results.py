"""Figures of one replication, and their means with confidence intervals over replications.

A replication's figures come only from the KPI functions of :mod:`qa.kpis` applied to
its contact table and agent time: per interval (of arrival), per queue, per tier and in
total. The summary, per-interval and per-tier figures count each caller once (by arrival);
the per-queue figures count every leg waited in the queue, with ``transferred_in`` the
legs that came by transfer (the conventions are in :mod:`qa.kpis`). ``unserved`` counts
callers still waiting when the run ended (part of ``offered``). Across ``R`` independent replications each figure ``x`` is reported as the mean
``x̄`` with the t-based 95 % confidence interval ``x̄ ± t_{0.975, R-1} s / sqrt(R)``
(``s`` the sample standard deviation over replications; replications are i.i.d. by
construction, so this is the textbook interval, Law, *Simulation Modeling and
Analysis*, §9.4.1). With ``R = 1`` the interval is ``null``. NaN figures (e.g. the ASA
of an interval where nobody was answered) are left out of that figure's mean and CI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from qa.agent_time import AgentTime
from qa.counts import (
    CallbackCounts,
    KpiCounts,
    count_contacts,
    counts_by_interval,
    counts_by_queue,
    counts_by_tier,
)
from qa.kpis import callback_summary, kpi_summary, occupancy, total_occupancy
from qa.records import ContactTable
from simulations.scenario import Scenario

Figures = dict[str, float]


@dataclass
class ReplicationResult:
    """Figures of one replication (JSON-ready floats; NaN where undefined)."""

    index: int
    summary: Figures
    per_interval: list[Figures]
    per_queue: dict[str, Figures]
    per_tier: dict[str, Figures]
    events: list[Any] = field(default_factory=list)


def replication_figures(
    scenario: Scenario,
    table: ContactTable,
    agent_time: AgentTime,
    index: int = 0,
    callbacks: CallbackCounts | None = None,
) -> ReplicationResult:
    """Apply the :mod:`qa.kpis` formulas to one replication's contacts and agent time.

    When the engine may offer callbacks (:attr:`Scenario.offers_callbacks`) the summary
    also holds the callback figures (:func:`qa.kpis.callback_summary`) of ``callbacks``.
    """
    t, s = scenario.service_level_threshold_seconds, scenario.short_abandon_seconds
    d = scenario.service_level_definition

    def figs(c: KpiCounts) -> Figures:
        return kpi_summary(c, d)  # type: ignore[arg-type]

    summary = figs(count_contacts(table, t, s))
    summary["occupancy"] = total_occupancy(agent_time)
    if scenario.offers_callbacks:
        summary.update(callback_summary(callbacks or CallbackCounts()))
    occ = occupancy(agent_time)
    per_interval = []
    for k, c in enumerate(
        counts_by_interval(table, scenario.interval_seconds, scenario.n_intervals, t, s)
    ):
        row = figs(c)
        row["occupancy"] = float(occ[k])
        per_interval.append(row)
    return ReplicationResult(
        index=index,
        summary=summary,
        per_interval=per_interval,
        per_queue={
            q: {**figs(c), "transferred_in": float(c.transferred_in)}
            for q, c in counts_by_queue(table, t, s).items()
        },
        per_tier={k: figs(c) for k, c in counts_by_tier(table, t, s).items()},
    )


def mean_ci(
    values: Sequence[float], level: float = 0.95
) -> tuple[float, float | None, float | None]:
    """``(mean, low, high)`` of the t-based ``level`` interval; NaNs dropped; CI None if n < 2."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=np.float64)
    if len(x) == 0:
        return math.nan, None, None
    mean = float(x.mean())
    if len(x) < 2:
        return mean, None, None
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


def _aggregate(rows: Sequence[Figures]) -> tuple[Figures, dict[str, list[float | None]]]:
    means: Figures = {}
    cis: dict[str, list[float | None]] = {}
    for key in rows[0]:
        m, lo, hi = mean_ci([r[key] for r in rows])
        means[key] = m
        cis[key] = [lo, hi]
    return means, cis


def _with_ci(rows: Sequence[Figures]) -> dict[str, Any]:
    means, cis = _aggregate(rows)
    return {**means, "ci95": cis}


def aggregate(
    scenario: Scenario, reps: Sequence[ReplicationResult], *, seed: int | None, engine: str
) -> dict[str, Any]:
    """The RESULT.json document: means over replications with 95 % CIs, and each replication."""
    summary, summary_ci = _aggregate([r.summary for r in reps])
    length = scenario.interval_seconds
    per_interval = []
    for k in range(scenario.n_intervals):
        row = _with_ci([r.per_interval[k] for r in reps])
        per_interval.append({"interval": k, "start_seconds": k * length, **row})
    return {
        "replications": len(reps),
        "seed": seed,
        "engine": engine,
        "service_level_threshold_seconds": scenario.service_level_threshold_seconds,
        "service_level_definition": scenario.service_level_definition,
        "short_abandon_seconds": scenario.short_abandon_seconds,
        "interval_minutes": scenario.interval_minutes,
        "summary": summary,
        "summary_ci": summary_ci,
        "per_interval": per_interval,
        "per_queue": {q: _with_ci([r.per_queue[q] for r in reps]) for q in reps[0].per_queue},
        "per_tier": {t: _with_ci([r.per_tier[t] for r in reps]) for t in reps[0].per_tier},
        "per_replication": [{"replication": r.index, **r.summary} for r in reps],
    }


def json_ready(obj: Any) -> Any:
    """Replace NaN/inf by ``None`` (strict JSON), recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    return obj
