"""Warn and alert thresholds of the wallboard's figures.

A :class:`Band` says when a figure is ``ok``, ``warn`` or ``alert``; a
:class:`ThresholdSource` gives the band of a figure (``kpi``) for a queue (None: the
center) and a segment (``vip`` / ``general``, None: every caller), knowing the
service-level goal (:class:`routing.events.ServiceLevelGoal`) those callers are held to.

:class:`GoalThresholds` is the default source: service level from the goals as routing
uses them (warn below the target, alert below ``target - sl_alert_margin``), the others
configured (settings ``wallboard_*``) either in absolute terms or, when not set, relative
to the goal's threshold ``T`` (ASA warn past ``T``, alert past ``2 T``; longest wait warn
past ``T``, alert past ``3 T``). The service-standards table (targets with warn/alert bands
per KPI, per year and quarter) plugs in as another source ahead of it:
``ChainedThresholds((standards, GoalThresholds(...)))``: the first source that knows a
band wins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from qa.segments import Segment
from routing.events import ServiceLevelGoal

Level = Literal["ok", "warn", "alert"]
ThresholdKpi = Literal["service_level", "asa_seconds", "abandon_rate", "longest_wait_seconds"]
THRESHOLD_KPIS: tuple[ThresholdKpi, ...] = (
    "service_level", "asa_seconds", "abandon_rate", "longest_wait_seconds")


@dataclass(frozen=True)
class Band:
    """``warn`` and ``alert`` limits. ``higher_is_better`` (service level): warn below
    ``warn``, alert below ``alert``; else (waits, abandonment): warn above ``warn``,
    alert above ``alert``. A value exactly at a limit is on the good side of it."""

    warn: float
    alert: float
    higher_is_better: bool = False

    def __post_init__(self) -> None:
        worse_first = self.alert <= self.warn if self.higher_is_better else self.alert >= self.warn
        if not worse_first:
            raise ValueError(f"alert {self.alert!r} must be beyond warn {self.warn!r}")

    def level(self, value: float | None) -> Level | None:
        """``ok``, ``warn`` or ``alert`` for ``value``; None for an unknown value."""
        if value is None or math.isnan(value):
            return None
        if self.higher_is_better:
            return "alert" if value < self.alert else "warn" if value < self.warn else "ok"
        return "alert" if value > self.alert else "warn" if value > self.warn else "ok"


class ThresholdSource(Protocol):
    """Where the bands come from (the goals and settings; the service standards at merge)."""

    def band(
        self, kpi: ThresholdKpi, goal: ServiceLevelGoal, queue: str | None,
        segment: Segment | None,
    ) -> Band | None: ...


@dataclass(frozen=True)
class GoalThresholds:
    """Bands from the service-level goals plus configured limits (module docstring).

    ``None`` for an absolute limit means "relative to the goal's threshold ``T``", with
    the ``*_factor`` multipliers; every number here is a setting of the center.
    """

    sl_alert_margin: float = 0.10
    abandon_warn: float = 0.05
    abandon_alert: float = 0.10
    asa_warn_seconds: float | None = None
    asa_alert_seconds: float | None = None
    asa_warn_factor: float = 1.0
    asa_alert_factor: float = 2.0
    longest_wait_warn_seconds: float | None = None
    longest_wait_alert_seconds: float | None = None
    longest_wait_warn_factor: float = 1.0
    longest_wait_alert_factor: float = 3.0

    def band(
        self, kpi: ThresholdKpi, goal: ServiceLevelGoal, queue: str | None = None,
        segment: Segment | None = None,
    ) -> Band:
        t = goal.threshold_seconds
        if kpi == "service_level":
            return Band(goal.target, goal.target - self.sl_alert_margin, higher_is_better=True)
        if kpi == "abandon_rate":
            return Band(self.abandon_warn, self.abandon_alert)
        if kpi == "asa_seconds":
            return Band(_or(self.asa_warn_seconds, self.asa_warn_factor * t),
                        _or(self.asa_alert_seconds, self.asa_alert_factor * t))
        return Band(_or(self.longest_wait_warn_seconds, self.longest_wait_warn_factor * t),
                    _or(self.longest_wait_alert_seconds, self.longest_wait_alert_factor * t))


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


@dataclass(frozen=True)
class ChainedThresholds:
    """The first source that has a band for the figure (e.g. service standards, then goals)."""

    sources: Sequence[ThresholdSource]

    def band(
        self, kpi: ThresholdKpi, goal: ServiceLevelGoal, queue: str | None = None,
        segment: Segment | None = None,
    ) -> Band | None:
        for source in self.sources:
            found = source.band(kpi, goal, queue, segment)
            if found is not None:
                return found
        return None
