"""Service standards: a target per KPI with warn and alert limits, per year or quarter, for the
center, a team or an agent, and the actual-against-target verdict.

A :class:`Standard` says, for one KPI (:data:`STANDARD_KPIS`) and one caller segment (``all``,
``vip``, ``general``), what the center aims at (``target``) and where a figure starts to
worry (``warn``) and to alarm (``alert``). For a KPI where higher is better (service level,
FCR, sales per call) ``target >= warn >= alert``; where lower is better (ASA, abandonment,
complaints, AHT) ``target <= warn <= alert``.

Which standard applies (:func:`resolve`): of those for the KPI, the segment (or ``all``), the
year and the quarter (or the whole year) of the period, and the agent, the agent's team or the
center, the most specific wins, in this order of precedence::

    scope:    agent > team > center
    period:   quarter > year
    segment:  vip / general > all

(the scope first: an agent's yearly target beats the center's quarterly one).

The verdict (:func:`evaluate`): ``ok`` while the figure is on the good side of ``warn``
(a value exactly at a limit is on the good side), ``warn`` past ``warn``, ``alert`` past
``alert``; None for an unknown figure (nothing counted). ``met`` says whether the target
itself is reached; ``attainment`` is ``actual / target`` (higher-is-better) or
``target / actual`` (lower-is-better), 1.0 meaning on target.

This module imports only the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

Level = Literal["ok", "warn", "alert"]
Scope = Literal["center", "team", "agent"]
StandardSegment = Literal["all", "vip", "general"]
SCOPES: tuple[Scope, ...] = ("center", "team", "agent")
STANDARD_SEGMENTS: tuple[StandardSegment, ...] = ("all", "vip", "general")


@dataclass(frozen=True)
class KpiSpec:
    """A KPI a standard can target: which way is better, its unit, and its bounds."""

    name: str
    higher_is_better: bool
    unit: Literal["ratio", "seconds", "count", "score"]
    low: float = 0.0
    high: float = math.inf


#: Every KPI a standard can target (names as the ``contactops kpis`` JSON spells them).
STANDARD_KPIS: dict[str, KpiSpec] = {k.name: k for k in (
    KpiSpec("service_level", True, "ratio", 0.0, 1.0),
    KpiSpec("asa_seconds", False, "seconds", 0.0, 86_400.0),
    KpiSpec("abandon_rate", False, "ratio", 0.0, 1.0),
    KpiSpec("aht_seconds", False, "seconds", 0.0, 86_400.0),
    KpiSpec("first_contact_resolution", True, "ratio", 0.0, 1.0),
    KpiSpec("transfer_rate", False, "ratio", 0.0, 1.0),
    KpiSpec("talk_time_ratio", True, "ratio", 0.0, 1.0),
    KpiSpec("occupancy", True, "ratio", 0.0, 1.0),
    KpiSpec("offers_per_call", True, "count", 0.0, 100.0),
    KpiSpec("cross_sell_per_call", True, "count", 0.0, 100.0),
    KpiSpec("up_sell_per_call", True, "count", 0.0, 100.0),
    KpiSpec("outbound_positive_ratio", True, "ratio", 0.0, 1.0),
    KpiSpec("self_service_ratio", True, "ratio", 0.0, 1.0),
    KpiSpec("complaint_ratio", False, "ratio", 0.0, 1.0),
    KpiSpec("satisfaction_mean", True, "score", 1.0, 5.0),
    KpiSpec("satisfaction_top_two_box", True, "ratio", 0.0, 1.0),
    # outbound (qa.outbound_kpis, qa.promises)
    KpiSpec("right_party_rate", True, "ratio", 0.0, 1.0),
    KpiSpec("contacts_per_hour", True, "count", 0.0, 1000.0),
    KpiSpec("conversion", True, "ratio", 0.0, 1.0),
    KpiSpec("promise_to_pay_rate", True, "ratio", 0.0, 1.0),
    KpiSpec("promise_kept_ratio", True, "ratio", 0.0, 1.0),
)}


def quarter_of(day: date) -> int:
    """The calendar quarter (1-4) of ``day``."""
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Standard:
    """One target (module docstring). ``quarter`` None: the whole ``year``; ``scope_id`` is
    the team name or agent login ("" for the center); ``threshold_seconds`` is the ``T`` of
    a service-level target (80 % answered within 20 s). Checked at construction: a
    ``ValueError`` names the field."""

    kpi: str
    target: float
    warn: float
    alert: float
    year: int
    quarter: int | None = None
    scope: Scope = "center"
    scope_id: str = ""
    segment: StandardSegment = "all"
    threshold_seconds: float | None = None

    def __post_init__(self) -> None:
        spec = STANDARD_KPIS.get(self.kpi)
        if spec is None:
            raise ValueError(f"kpi: must be one of {sorted(STANDARD_KPIS)}, got {self.kpi!r}")
        for name in ("target", "warn", "alert"):
            value = getattr(self, name)
            if not (math.isfinite(value) and spec.low <= value <= spec.high):
                raise ValueError(f"{name}: must be a number in [{spec.low:g}, {spec.high:g}]"
                                 f" for {self.kpi}, got {value!r}")
        if spec.higher_is_better and not self.target >= self.warn >= self.alert:
            raise ValueError(f"warn: {self.kpi} is better higher: need target >= warn >= alert,"
                             f" got {self.target:g}, {self.warn:g}, {self.alert:g}")
        if not spec.higher_is_better and not self.target <= self.warn <= self.alert:
            raise ValueError(f"warn: {self.kpi} is better lower: need target <= warn <= alert,"
                             f" got {self.target:g}, {self.warn:g}, {self.alert:g}")
        if not 2000 <= self.year <= 2100:
            raise ValueError(f"year: must be 2000-2100, got {self.year!r}")
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter: must be 1-4 or none, got {self.quarter!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"scope: must be one of {list(SCOPES)}, got {self.scope!r}")
        if (self.scope == "center") != (self.scope_id == ""):
            raise ValueError("scope_id: must be empty for the center and name the team or agent"
                             f" otherwise, got {self.scope_id!r} for {self.scope}")
        if self.segment not in STANDARD_SEGMENTS:
            raise ValueError(f"segment: must be one of {list(STANDARD_SEGMENTS)},"
                             f" got {self.segment!r}")
        t = self.threshold_seconds
        if t is not None and (self.kpi != "service_level" or not 0 < t <= 3600):
            raise ValueError("threshold_seconds: only for service_level, in (0, 3600] seconds,"
                             f" got {t!r}")

    @property
    def higher_is_better(self) -> bool:
        return STANDARD_KPIS[self.kpi].higher_is_better

    @property
    def key(self) -> tuple[str, str, int, int | None, str, str]:
        """What makes a standard unique: KPI, segment, year, quarter, scope and its id."""
        return (self.kpi, self.segment, self.year, self.quarter, self.scope, self.scope_id)

    def level(self, actual: float | None) -> Level | None:
        """``ok``, ``warn`` or ``alert`` for ``actual`` (module docstring)."""
        if actual is None or math.isnan(actual):
            return None
        if self.higher_is_better:
            return "alert" if actual < self.alert else "warn" if actual < self.warn else "ok"
        return "alert" if actual > self.alert else "warn" if actual > self.warn else "ok"


@dataclass(frozen=True)
class Evaluation:
    """A figure against its standard (None: no standard applies)."""

    kpi: str
    actual: float
    standard: Standard | None

    @property
    def level(self) -> Level | None:
        return None if self.standard is None else self.standard.level(self.actual)

    @property
    def met(self) -> bool | None:
        s = self.standard
        if s is None or math.isnan(self.actual):
            return None
        return self.actual >= s.target if s.higher_is_better else self.actual <= s.target

    @property
    def attainment(self) -> float:
        """``actual / target`` (higher is better) or ``target / actual``; NaN if unknown."""
        s = self.standard
        if s is None or math.isnan(self.actual):
            return math.nan
        num, den = (self.actual, s.target) if s.higher_is_better else (s.target, self.actual)
        return num / den if den > 0 else (math.inf if num > 0 else 1.0)


def _rank(s: Standard) -> tuple[int, int, int]:
    return (SCOPES.index(s.scope), s.quarter is not None, s.segment != "all")


def resolve(
    standards: Iterable[Standard],
    kpi: str,
    year: int,
    quarter: int | None = None,
    *,
    team: str | None = None,
    agent: str | None = None,
    segment: StandardSegment = "all",
) -> Standard | None:
    """The standard that applies (module docstring), or None.

    ``quarter`` None asks for the whole year (only yearly standards apply). ``team`` and
    ``agent`` are the team and login of the agent being judged (None: a center figure)."""
    best: Standard | None = None
    for s in standards:
        if s.kpi != kpi or s.year != year or s.segment not in ("all", segment):
            continue
        if s.quarter is not None and s.quarter != quarter:
            continue
        if s.scope == "team" and s.scope_id != team:
            continue
        if s.scope == "agent" and s.scope_id != agent:
            continue
        if best is None or _rank(s) > _rank(best):
            best = s
    return best


def evaluate(
    standards: Iterable[Standard],
    figures: dict[str, float],
    year: int,
    quarter: int | None = None,
    *,
    team: str | None = None,
    agent: str | None = None,
    segment: StandardSegment = "all",
) -> list[Evaluation]:
    """Each figure of ``figures`` (KPI name -> actual) with the standard that applies."""
    pool = list(standards)
    return [Evaluation(kpi, float(actual), resolve(pool, kpi, year, quarter, team=team,
                                                   agent=agent, segment=segment))
            for kpi, actual in figures.items() if kpi in STANDARD_KPIS]


def period_of(first: date, last: date) -> tuple[int, int | None]:
    """The ``(year, quarter)`` whose standards judge the period ``first .. last``: its
    quarter when the period lies in one quarter, else the year (of ``last``) as a whole."""
    if first.year == last.year and quarter_of(first) == quarter_of(last):
        return last.year, quarter_of(last)
    return last.year, None
