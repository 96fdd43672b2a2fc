"""The wallboard's picture of the center, kept up to date from the event stream.

:class:`WallboardState` folds stored events (``(seq, event)``: from the log since the
period's start, then live) into what a supervisor watches. The contact figures come from
:class:`qa.accumulator.KpiAccumulator` s, the record and formulas of :mod:`qa` that the
reports and the simulator use too (see :mod:`qa.kpis` for the conventions):

* the **period** (:mod:`dashboards.period`): the day from a configured hour of the center's
  clock, or a sliding window. Contacts are kept in arrival buckets (one accumulator per
  bucket, each contact's events go to the bucket it arrived in), so a day's reset or a
  sliding window drops whole buckets and a contact counts once, in the interval it
  arrived in, as in the batch KPIs;
* per queue: contacts waiting now, the longest current wait and the threshold it is held
  to (``longest_wait_threshold_seconds``: the goal of the oldest waiting caller's queue
  and tier); a transferred contact waits in its new queue, from the transfer;
* transferred calls, per queue (as :func:`qa.counts.counts_by_queue`, the batch per-queue
  figures): a queue counts every wait in it, the contacts that arrived in it and the legs
  transferred into it (``transferred_in``), each answered or abandoned where it waited, so
  the arrival queue keeps the call's arrival and the target queue its own wait; handled and
  AHT stay with the queue that first answered the contact (its arrival queue: a transfer
  needs an agent who answered). The totals and the chart count each caller once, by arrival;
* per queue and segment (:func:`qa.segments.segment_of`: ``vip`` = the VIP tiers,
  ``general`` = every other caller, whatever the queue), and ``all`` callers: offered
  ``N = A + B + F``, answered ``A``, abandoned ``B``, service level by the definition
  named in :attr:`WallboardState.definition` (default ``answered_of_offered``: ``A_T / N``)
  with each caller held to the goal of its queue and tier
  (:class:`routing.events.ServiceLevelGoals`, the table routing and the QA report read),
  ASA ``sum(wait of answered) / A``, abandonment ``B / N``, handled (answered contacts
  wrapped up) and AHT (:attr:`qa.records.ContactRecord.handle_seconds`: talk, hold and
  wrap-up, over the handled); ``threshold_seconds`` / ``service_level_target`` are the
  goal a segment is shown against (the strictest of its tiers' goals);
  ``levels``: ``ok`` / ``warn`` / ``alert`` per figure from :mod:`dashboards.thresholds`;
* agents (:class:`dashboards.agents.AgentBoard`): each one's state, reason, actor, since
  when, occupancy over the period, adherence (handed in by the app); counts by state;
* ``chart``: per 15-minute interval of the period, calls offered and service level, with
  the forecast the app hands in (:attr:`WallboardState.forecast`);
* ``panels``: figures other modules add by name (``sales``: cross/up-sell per call,
  :mod:`dashboards.sales`; ``coaching``: follow-ups due, :mod:`dashboards.coaching`), each a
  function of ``now`` (:attr:`WallboardState.panels`), fed by the events through
  :attr:`WallboardState.listeners`;
* ``demo``: what ``demo_note(now)`` says (the live demo's note outside business hours).

Each figure is a function of the same :class:`qa.counts.KpiCounts` the batch path sums,
so the live figures equal the batch KPIs over the same events (a test asserts it).

Replay after a restart: :meth:`WallboardState.replay` folds the log in but leaves out the
contacts still open at its end (the engine of the new run does not know them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboards.agents import AgentBoard
from dashboards.period import DAY_BUCKET_SECONDS, Forever, Period
from dashboards.thresholds import GoalThresholds, ThresholdKpi, ThresholdSource
from qa.accumulator import KpiAccumulator, waiting_since
from qa.counts import KpiCounts
from qa.kpis import (
    ServiceLevelDefinition,
    abandonment_rate,
    average_handle_time,
    average_speed_of_answer,
    service_level,
)
from qa.records import ContactRecord
from qa.segments import SEGMENTS, Segment, segment_of
from routing.events import (
    TIERS,
    AgentStateChanged,
    ContactArrived,
    ContactTransferred,
    Event,
    ServiceLevelGoal,
    ServiceLevelGoals,
)

#: The chart's interval (the planner's 15 minutes; the forecast is summed to it).
CHART_SECONDS = DAY_BUCKET_SECONDS


def _number(x: float) -> float | None:
    return None if math.isnan(x) else x


def strictest(goals: Iterable[ServiceLevelGoal]) -> ServiceLevelGoal:
    """The shortest threshold and the highest target of ``goals`` (what a segment whose
    tiers have different goals is shown against)."""
    listed = list(goals)
    return ServiceLevelGoal(min(g.threshold_seconds for g in listed),
                            max(g.target for g in listed))


def figures(
    counts: KpiCounts, goal: ServiceLevelGoal,
    definition: ServiceLevelDefinition = "answered_of_offered",
    thresholds: ThresholdSource | None = None, queue: str | None = None,
    segment: Segment | None = None,
) -> dict[str, Any]:
    """The JSON figures of one group of callers held to ``goal``, with their levels."""
    out: dict[str, Any] = {
        "offered": counts.offered,
        "answered": counts.answered,
        "abandoned": counts.abandoned,
        "handled": counts.handled,
        "transferred_in": counts.transferred_in,
        "service_level": _number(service_level(counts, definition)),
        "service_level_target": goal.target,
        "threshold_seconds": goal.threshold_seconds,
        "asa_seconds": _number(average_speed_of_answer(counts)),
        "abandon_rate": _number(abandonment_rate(counts)),
        "aht_seconds": _number(average_handle_time(counts)),
    }
    source = thresholds or GoalThresholds()
    kpis: tuple[ThresholdKpi, ...] = ("service_level", "asa_seconds", "abandon_rate")
    out["levels"] = {k: _level(source, k, goal, queue, segment, out[k]) for k in kpis}
    return out


def _level(source: ThresholdSource, kpi: ThresholdKpi, goal: ServiceLevelGoal,
           queue: str | None, segment: Segment | None, value: float | None) -> str | None:
    band = source.band(kpi, goal, queue, segment)
    return None if band is None else band.level(value)


@dataclass
class _Bucket:
    """The contacts that arrived in one bucket, and its sums cached per version."""

    kpis: KpiAccumulator
    version: int = 0
    cached_version: int = -1
    cached: dict[tuple[str, Segment], KpiCounts] = field(default_factory=dict)
    cached_legs: dict[tuple[str, Segment], KpiCounts] = field(default_factory=dict)

    def by_queue_segment(self) -> dict[tuple[str, Segment], KpiCounts]:
        """Arrivals, by arrival queue and segment."""
        self._refresh()
        return self.cached

    def legs_by_queue_segment(self) -> dict[tuple[str, Segment], KpiCounts]:
        """Transferred-in legs, by the queue they waited in and segment."""
        self._refresh()
        return self.cached_legs

    def _refresh(self) -> None:
        if self.cached_version != self.version:
            self.cached = _by_segment(self.kpis.by_key())
            self.cached_legs = _by_segment(self.kpis.leg_by_key())
            self.cached_version = self.version


def _by_segment(by_key: Mapping[tuple[str, str], KpiCounts]
                ) -> dict[tuple[str, Segment], KpiCounts]:
    out: dict[tuple[str, Segment], KpiCounts] = {}
    for (q, tier), counts in by_key.items():
        key = (q, segment_of(tier))
        out[key] = out[key] + counts if key in out else counts + KpiCounts()
    return out


@dataclass
class WallboardState:
    """Fold events in with :meth:`apply`; read with :meth:`snapshot`."""

    goals: ServiceLevelGoals = field(default_factory=ServiceLevelGoals)
    last_seq: int = 0
    queues: set[str] = field(default_factory=set)
    period: Period = field(default_factory=Forever)
    thresholds: ThresholdSource = field(default_factory=GoalThresholds)
    definition: ServiceLevelDefinition = "answered_of_offered"
    short_abandon_seconds: float = 5.0
    #: contacts left open by a previous run: their events are not folded in
    ignored_contacts: set[str] = field(default_factory=set)
    #: ``demo_note(now)``: the snapshot's ``demo`` entry (None when there is nothing to say)
    demo_note: Callable[[float], dict[str, str] | None] | None = None
    #: agent login -> its adherence now (from :mod:`wfm.adherence`, set by the app)
    adherence: Mapping[str, Any] = field(default_factory=dict)
    #: interval start (Unix seconds) -> calls forecast in it (set by the app, any interval
    #: length; summed into the chart's 15 minutes)
    forecast: Mapping[float, float] = field(default_factory=dict)
    #: named figures other modules add to the picture: name -> f(now) (JSON-ready)
    panels: dict[str, Callable[[float], Any]] = field(default_factory=dict)
    #: called with every event folded in (once, in seq order): the panels' own folds
    listeners: list[Callable[[Event], None]] = field(default_factory=list)
    board: AgentBoard = field(default_factory=AgentBoard)
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _bucket_of: dict[str, int] = field(default_factory=dict)
    #: buckets that left the period with callers still waiting: shown as waiting, not counted
    _carried: dict[int, _Bucket] = field(default_factory=dict)
    _start: float = -math.inf

    # --- folding ------------------------------------------------------------------------

    @property
    def roster(self) -> dict[str, float]:
        return self.board.roster

    @property
    def start(self) -> float:
        """The first instant the figures count (the period's start at the last advance)."""
        return self._start

    def set_roster(self, agent_ids: Iterable[str], now: float) -> None:
        """The active agents; ones new to the roster are listed from ``now``."""
        self.board.set_roster(agent_ids, now)

    def replay(self, stored: Iterable[tuple[int, Event]]) -> set[str]:
        """Fold in a replayed log, leaving out contacts still waiting at its end; return those."""
        events = list(stored)
        probe = KpiAccumulator()
        for _seq, event in events:
            probe.add(event)
        stale = {r.contact_id for r in probe.waiting()}
        self.ignored_contacts |= stale
        self.apply_all(events)
        return stale

    def apply_all(self, stored: Iterable[tuple[int, Event]]) -> None:
        for seq, event in stored:
            self.apply(seq, event)

    def apply(self, seq: int, event: Event) -> bool:
        """Fold one stored event in; False if it was already folded (``seq <= last_seq``)."""
        if seq <= self.last_seq:
            return False
        self.last_seq = seq
        self.advance(event.at)
        for listener in self.listeners:
            listener(event)
        if isinstance(event, AgentStateChanged):
            self.board.apply(event)
            return True
        contact = getattr(event, "contact_id", None)
        if contact is None or contact in self.ignored_contacts:
            return True
        if isinstance(event, ContactTransferred) and event.target_queue:
            self.queues.add(event.target_queue)
        if isinstance(event, ContactArrived):
            self.queues.add(event.queue)
            if event.at < self._start:
                return True  # arrived before the period: not counted
            self._bucket_of[contact] = math.floor(event.at / self.period.bucket_seconds)
        index = self._bucket_of.get(contact)
        if index is None:
            return True  # a contact that arrived before the period (or was never seen)
        carried = self._carried.get(index)
        if carried is not None:  # arrived before the period, waited into it
            carried.kpis.add(event)
            if not carried.kpis.waiting():
                del self._carried[index]
            return True
        bucket = self._buckets.get(index)
        if bucket is None:
            bucket = self._buckets[index] = _Bucket(KpiAccumulator(
                goals=self.goals, short_abandon_seconds=self.short_abandon_seconds))
        bucket.kpis.add(event)
        bucket.version += 1
        return True

    def advance(self, now: float) -> None:
        """Move the period's start to ``now``'s: drop the buckets (and contacts) before it."""
        start = self.period.start(now)
        if start <= self._start:
            return
        self._start = start
        size = self.period.bucket_seconds
        gone = {k for k in self._buckets if (k + 1) * size <= start}
        for k in gone:
            bucket = self._buckets.pop(k)
            if bucket.kpis.waiting():  # its callers still wait: show them, count them not
                self._carried[k] = bucket
        if gone:
            self._bucket_of = {c: k for c, k in self._bucket_of.items()
                               if k in self._buckets or k in self._carried}
        self.board.prune(start)

    # --- reading ------------------------------------------------------------------------

    def _sums(self, legs: bool = False) -> dict[tuple[str, Segment], KpiCounts]:
        """Arrivals (``legs``: transferred-in legs) of the period by queue and segment."""
        total: dict[tuple[str, Segment], KpiCounts] = {}
        for bucket in self._buckets.values():
            part = bucket.legs_by_queue_segment() if legs else bucket.by_queue_segment()
            for key, counts in part.items():
                total[key] = total[key] + counts if key in total else counts + KpiCounts()
        return total

    def counts(self, segment: Segment | None, queue: str | None = None,
               sums: Mapping[tuple[str, Segment], KpiCounts] | None = None) -> KpiCounts:
        """The counts of ``segment`` (None: every caller) in ``queue`` (None: every queue),
        by arrival queue, over the period."""
        total = KpiCounts()
        for (q, s), counts in (self._sums() if sums is None else sums).items():
            if (segment is None or s == segment) and (queue is None or q == queue):
                total = total + counts
        return total

    def goal(self, segment: Segment | None, queue: str | None = None) -> ServiceLevelGoal:
        """The goal a segment (None: every caller) is shown against: the strictest of its
        tiers' goals in ``queue`` (every known queue when None)."""
        queues = [queue] if queue is not None else sorted(self.queues) or [""]
        tiers = [t for t in TIERS if segment is None or segment_of(t) == segment]
        return strictest(self.goals.goal(q, t) for q in queues for t in tiers)

    def waiting(self, queue: str | None = None) -> list[ContactRecord]:
        """Contacts waiting now (in the queue they wait in now, ``queue``, else anywhere),
        longest waiting first (a transferred contact waits from its transfer)."""
        buckets = [*self._buckets.values(), *self._carried.values()]
        out = [r for b in buckets for r in b.kpis.waiting(queue)]
        return sorted(out, key=waiting_since)

    def longest_wait_threshold_seconds(self, queue: str | None = None,
                                       waiting: list[ContactRecord] | None = None) -> float:
        """``T`` of the oldest caller waiting (in ``queue``, else anywhere): its queue's goal
        for its tier; when nobody waits, the general segment's goal."""
        waiting = self.waiting(queue) if waiting is None else waiting
        if not waiting:
            return self.goal("general", queue).threshold_seconds
        oldest = waiting[0]
        return self.goals.threshold_seconds(oldest.queue_now, oldest.tier)

    def _figures(self, counts: KpiCounts, segment: Segment | None, queue: str | None
                 ) -> dict[str, Any]:
        return figures(counts, self.goal(segment, queue), self.definition, self.thresholds,
                       queue, segment)

    def _queue(self, name: str, now: float, sums: Mapping[tuple[str, Segment], KpiCounts],
               legs: Mapping[tuple[str, Segment], KpiCounts]) -> dict[str, Any]:
        """One queue's figures over every wait in it (:func:`qa.counts.counts_by_queue`):
        the contacts that arrived in it plus the legs transferred into it."""
        waiting = self.waiting(name)
        longest = max((now - waiting_since(r) for r in waiting), default=0.0)
        threshold = self.longest_wait_threshold_seconds(name, waiting)
        band = self.thresholds.band("longest_wait_seconds", ServiceLevelGoal(threshold, 1.0),
                                    name, None)
        return {
            "queue": name,
            "waiting": len(waiting),
            "longest_wait_seconds": round(longest),
            "longest_wait_threshold_seconds": threshold,
            "longest_wait_level": None if band is None else band.level(longest),
            "segments": {s: self._figures(self.counts(s, name, sums)
                                          + self.counts(s, name, legs), s, name)
                         for s in SEGMENTS},
            "all": self._figures(self.counts(None, name, sums) + self.counts(None, name, legs),
                                 None, name),
        }

    def chart(self) -> dict[str, Any]:
        """Per :data:`CHART_SECONDS` interval of the period (by arrival): calls offered,
        service level (the definition named) and the forecast, oldest first."""
        size = self.period.bucket_seconds
        by_interval: dict[int, KpiCounts] = {}
        for k, bucket in self._buckets.items():
            i = math.floor(k * size / CHART_SECONDS)
            for counts in bucket.by_queue_segment().values():
                by_interval[i] = by_interval.get(i, KpiCounts()) + counts
        forecast: dict[int, float] = {}
        for at, calls in self.forecast.items():
            if at >= self._start:
                i = math.floor(at / CHART_SECONDS)
                forecast[i] = forecast.get(i, 0.0) + calls
        rows = []
        for i in sorted(set(by_interval) | set(forecast)):
            counts = by_interval.get(i, KpiCounts())
            rows.append({"start": i * CHART_SECONDS, "offered": counts.offered,
                         "service_level": _number(service_level(counts, self.definition)),
                         "forecast": forecast.get(i)})
        return {"interval_seconds": CHART_SECONDS, "definition": self.definition,
                "target": self.goal(None).target, "rows": rows}

    def snapshot(self, now: float) -> dict[str, Any]:
        """The whole picture at ``now`` as JSON-ready data."""
        self.advance(now)
        sums, legs = self._sums(), self._sums(legs=True)
        agents = self.board.rows(now, self.adherence)
        waiting = self.waiting()
        longest = max((now - waiting_since(r) for r in waiting), default=0.0)
        threshold = self.longest_wait_threshold_seconds(None, waiting)
        band = self.thresholds.band("longest_wait_seconds", ServiceLevelGoal(threshold, 1.0),
                                    None, None)
        occupancy = self.board.occupancy(now)
        return {
            "type": "snapshot",
            "seq": self.last_seq,
            "at": now,
            "period": {"kind": self.period.kind, "start": _finite(self._start)},
            "service_level_definition": self.definition,
            "queues": [self._queue(name, now, sums, legs) for name in sorted(self.queues)],
            "waiting": len(waiting),
            "longest_wait_seconds": round(longest),
            "longest_wait_threshold_seconds": threshold,
            "longest_wait_level": None if band is None else band.level(longest),
            "totals": {**{s: self._figures(self.counts(s, None, sums), s, None)
                          for s in SEGMENTS},
                       "all": self._figures(self.counts(None, None, sums), None, None)},
            "agents": agents,
            "agent_states": AgentBoard.counts_by_state(agents),
            "occupancy": None if math.isnan(occupancy) else round(occupancy, 3),
            "chart": self.chart(),
            "panels": {name: panel(now) for name, panel in sorted(self.panels.items())},
            "demo": self.demo_note(now) if self.demo_note is not None else None,
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
