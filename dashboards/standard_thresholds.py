"""The wallboard's warn and alert bands from the service standards (:mod:`qa.standards`).

:class:`StandardThresholds` is a :class:`~dashboards.thresholds.ThresholdSource`: for a
figure the standards know (service level, ASA, abandonment) it gives the band of the
center's standard of the period (``year``, ``quarter``) for the segment (``vip`` /
``general``; the whole floor: ``all``), resolved as :func:`qa.standards.resolve` does
(quarter over year, segment over ``all``); for any other figure (the longest wait) or with
no standard, None, so the next source of a
:class:`~dashboards.thresholds.ChainedThresholds` answers::

    ChainedThresholds((StandardThresholds(standards, 2026, 4), GoalThresholds(...)))

The band is the standard's ``warn`` and ``alert`` limits with the same "at the limit is on
the good side" rule, so the wallboard's colours are the report's verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.thresholds import Band, ThresholdKpi
from qa.segments import Segment
from qa.standards import Standard, resolve
from routing.events import ServiceLevelGoal


@dataclass(frozen=True)
class StandardThresholds:
    """Bands from the center's standards of ``year`` / ``quarter`` (module docstring)."""

    standards: Sequence[Standard]
    year: int
    quarter: int | None = None

    def band(
        self, kpi: ThresholdKpi, goal: ServiceLevelGoal, queue: str | None = None,
        segment: Segment | None = None,
    ) -> Band | None:
        found = resolve([s for s in self.standards if s.scope == "center"], kpi, self.year,
                        self.quarter, segment=segment or "all")
        if found is None:
            return None
        return Band(found.warn, found.alert, higher_is_better=found.higher_is_better)
