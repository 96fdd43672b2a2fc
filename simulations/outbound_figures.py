"""The figures of an outbound run: per day, per 15 minutes (for the abandonment rate over
every 24 h window), the inbound calls of a blended run, and the summary that RESULT.json of
``contactops simulate-outbound`` holds (an acceptance contract: its field names stay)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from routing.events import Event
from simulations.outbound_scenario import DAY, OutboundScenario

BUCKET = 900.0


@dataclass(slots=True)
class DayFigures:
    dials: int = 0
    live: int = 0
    connects: int = 0
    abandoned: int = 0
    machine: int = 0
    refused: int = 0
    handle_seconds: float = 0.0
    #: live answers the machine detector took for a machine (dropped: counted in abandoned)
    amd_false_positives: int = 0
    #: preview mode: agent time on outbound before a connect (reading the lead, then
    #: waiting on the line while its own dial rings)
    preview_seconds: float = 0.0


@dataclass(slots=True)
class InboundFigures:
    """Inbound calls of a blended run (service level: answered within the threshold over
    offered, abandoned included in offered)."""

    offered: int = 0
    answered: int = 0
    within: int = 0
    abandoned: int = 0
    wait_answered: float = 0.0
    handle_seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        return {
            "offered": self.offered, "answered": self.answered, "abandoned": self.abandoned,
            "service_level": self.within / self.offered if self.offered else 0.0,
            "asa_seconds": self.wait_answered / self.answered if self.answered else 0.0,
            "abandon_rate": self.abandoned / self.offered if self.offered else 0.0,
            "handle_seconds": round(self.handle_seconds, 1),
        }


@dataclass(slots=True)
class OutboundRun:
    """The result of :func:`simulate_outbound`: per day figures, the abandoned and live
    answers per 15 minutes (for every 24 h window), the events if kept."""

    scenario: OutboundScenario
    days: list[DayFigures]
    buckets: dict[int, list[int]]  # 15-min bucket -> [live, abandoned]
    staffed_seconds: float
    rule_violations: int
    refusals: dict[str, int]
    events: list[Event]
    inbound: InboundFigures | None = None

    def summary(self) -> dict[str, Any]:
        live = sum(d.live for d in self.days)
        abandoned = sum(d.abandoned for d in self.days)
        handle = sum(d.handle_seconds for d in self.days)
        return {
            "mode": self.scenario.mode,
            "agents": self.scenario.agents,
            "days": len(self.days),
            "dials": sum(d.dials for d in self.days),
            "live_answers": live,
            "connects": sum(d.connects for d in self.days),
            "abandoned": abandoned,
            "abandon_rate_total": abandoned / live if live else 0.0,
            "max_abandon_rate_24h": max_window_rate(self.buckets, len(self.days)),
            "max_abandon_rate_15min": max_bucket_rate(self.buckets),
            "amd_false_positives": sum(d.amd_false_positives for d in self.days),
            "agent_occupancy": handle / self.staffed_seconds if self.staffed_seconds else 0.0,
            "rule_violations": self.rule_violations,
            "refused_dials": dict(sorted(self.refusals.items())),
            **self._blend(handle, sum(d.preview_seconds for d in self.days)),
        }

    def _blend(self, outbound_handle: float, preview: float) -> dict[str, Any]:
        if self.inbound is None:
            return {}
        inbound_handle = self.inbound.handle_seconds
        not_inbound = self.staffed_seconds - inbound_handle
        work = outbound_handle + preview
        return {
            "inbound": self.inbound.summary(),
            "inbound_service_level": self.inbound.summary()["service_level"],
            # idle time used: outbound work (talk, wrap-up and, in preview mode, reading the
            # lead and waiting on its own dial) over the agents' time not spent on inbound
            # calls. The inbound-only center's idle time differs only by the handle of the
            # calls abandoned in one run and answered in the other (the benchmark divides by
            # the inbound-only run's own idle time)
            "idle_time_used": work / not_inbound if not_inbound > 0 else 0.0,
            "outbound_handle_seconds": round(outbound_handle, 1),
            "outbound_preview_seconds": round(preview, 1),
            "outbound_work_seconds": round(work, 1),
            "agent_occupancy": (inbound_handle + outbound_handle) / self.staffed_seconds,
            "idle_seconds": round(self.staffed_seconds - inbound_handle - work, 1),
            "blend_policy": self.scenario.blend_policy,
        }

    def per_day(self) -> list[dict[str, Any]]:
        return [{"day": i, "dials": d.dials, "live_answers": d.live, "connects": d.connects,
                 "abandoned": d.abandoned, "abandon_rate": d.abandoned / d.live if d.live else 0.0,
                 "amd_false_positives": d.amd_false_positives, "refused_dials": d.refused}
                for i, d in enumerate(self.days)]


def max_window_rate(buckets: Mapping[int, Sequence[int]], days: int) -> float:
    """The highest abandoned / live answers over every 24 h window inside the run (windows
    ending at each 15-minute boundary from the end of the first day)."""
    per_day = int(DAY // BUCKET)
    n = days * per_day
    live = np.zeros(n + 1)
    ab = np.zeros(n + 1)
    for b, (lv, a) in buckets.items():
        if 0 <= b < n:
            live[b + 1] += lv
            ab[b + 1] += a
    cl, ca = np.cumsum(live), np.cumsum(ab)
    if n < per_day:
        return float(ca[-1] / cl[-1]) if cl[-1] else 0.0
    wl = cl[per_day:] - cl[:-per_day]
    wa = ca[per_day:] - ca[:-per_day]
    rates = np.divide(wa, wl, out=np.zeros_like(wa), where=wl > 0)
    return float(rates.max()) if len(rates) else 0.0


def max_bucket_rate(buckets: Mapping[int, Sequence[int]], min_live: int = 1,
                    first: int | None = None, last: int | None = None) -> float:
    """The highest abandoned / live answers of a 15-minute bucket (buckets ``first`` to
    ``last`` inclusive when given; buckets with fewer than ``min_live`` live answers are
    skipped)."""
    rates = [ab / lv for b, (lv, ab) in buckets.items()
             if lv >= max(min_live, 1) and (first is None or b >= first)
             and (last is None or b <= last)]
    return max(rates, default=0.0)



class DailyTally:
    """The dialler's figures of a run (:class:`simulations.dialer.DialFigures`) kept per day
    and per 15-minute bucket of simulated time."""

    def __init__(self, days: int) -> None:
        self.days = [DayFigures() for _ in range(days)]
        self.buckets: dict[int, list[int]] = {}

    def day(self, t: float) -> DayFigures:
        return self.days[min(int(t // DAY), len(self.days) - 1)]

    def _bucket(self, t: float, live: int, abandoned: int) -> None:
        b = self.buckets.setdefault(int(t // BUCKET), [0, 0])
        b[0] += live
        b[1] += abandoned

    def dialled(self, t: float) -> None:
        self.day(t).dials += 1

    def answered_live(self, t: float) -> None:
        self.day(t).live += 1

    def machine(self, t: float) -> None:
        self.day(t).machine += 1

    def amd_false_positive(self, t: float) -> None:
        self.day(t).amd_false_positives += 1

    def connected(self, t: float) -> None:
        self.day(t).connects += 1
        self._bucket(t, 1, 0)

    def abandoned(self, t: float) -> None:
        self.day(t).abandoned += 1
        self._bucket(t, 1, 1)

    def previewed(self, t: float, seconds: float) -> None:
        self.day(t).preview_seconds += seconds

    def handled(self, started: float, seconds: float) -> None:
        self.day(started).handle_seconds += seconds

    def refused(self, t: float) -> None:
        self.day(t).refused += 1
