"""Agent time per interval, from :class:`~routing.events.AgentStateChanged` events.

``events`` ──▶ :class:`AgentTimeBuilder` ──▶ :class:`AgentTime` (busy and available
seconds per interval), the input of :func:`qa.kpis.occupancy`.

This module imports only numpy and :mod:`routing.events`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.events import AgentStateChanged, Event

FloatArray = npt.NDArray[np.float64]

#: Agent states that count as working a contact (numerator of occupancy). Ringing and
#: reserved count: the agent is held for that contact and can take no other.
BUSY_STATES: frozenset[str] = frozenset(
    {"reserved", "ringing", "offered", "talking", "hold", "held", "on_hold", "wrap_up"}
)
#: Agent states that count as available but idle.
IDLE_STATES: frozenset[str] = frozenset({"ready", "idle", "available"})


@dataclass(frozen=True)
class AgentTime:
    """Agent seconds per interval: ``busy`` (working a contact) and ``available`` (busy + idle).

    Not-ready and logged-out time is in neither; time outside the horizon is in neither
    (:func:`seconds_per_interval`).
    """

    busy_seconds: FloatArray
    available_seconds: FloatArray


def seconds_per_interval(
    starts: FloatArray, ends: FloatArray, interval_seconds: float, n_intervals: int
) -> FloatArray:
    """Seconds of the spans ``[starts[i], ends[i])`` falling in each interval ``0 .. n-1``.

    Only time inside the horizon ``[0, n L)`` counts (``L = interval_seconds``): a span is
    cut at the interval boundaries and whatever lies before 0 or after ``n L`` (calls
    finishing after the last interval, the run-on of a simulation) is left out, so each
    interval's figure is the time spent *within* that interval.
    """
    out = np.zeros(n_intervals)
    if n_intervals == 0:
        return out
    horizon = n_intervals * interval_seconds
    starts = np.clip(np.asarray(starts, dtype=np.float64), 0.0, horizon)
    ends = np.clip(np.asarray(ends, dtype=np.float64), 0.0, horizon)
    if len(starts) == 0:
        return out
    last = n_intervals - 1
    k0 = np.clip(np.floor(starts / interval_seconds).astype(np.int64), 0, last)
    active = ends > starts
    m = 0
    while active.any():
        k = np.minimum(k0 + m, last)
        lo = np.maximum(starts, k * interval_seconds)
        hi = np.minimum(ends, (k + 1) * interval_seconds)
        np.add.at(out, k, np.where(active, np.maximum(hi - lo, 0.0), 0.0))
        active &= (k0 + m < last) & (ends > (k + 1) * interval_seconds)
        m += 1
    return out


class AgentTimeBuilder:
    """Folds :class:`AgentStateChanged` events into :class:`AgentTime` (streaming).

    Closed state spans are kept as (start, end) lists and cut into intervals at
    :meth:`result` with :func:`seconds_per_interval`.
    """

    def __init__(self, interval_seconds: float, n_intervals: int) -> None:
        self.interval_seconds = interval_seconds
        self.n_intervals = n_intervals
        self._busy: tuple[list[float], list[float]] = ([], [])
        self._idle: tuple[list[float], list[float]] = ([], [])
        self._since: dict[str, tuple[str, float]] = {}

    def add(self, event: Event) -> None:
        if isinstance(event, AgentStateChanged):
            self.add_state_changes((event,))

    def add_state_changes(self, events: Iterable[AgentStateChanged]) -> None:
        """:meth:`add` of each event, in order, all known to be ``AgentStateChanged`` (the
        simulator's loop collects them and folds them in batches)."""
        since, busy, idle = self._since, self._busy, self._idle
        for event in events:
            agent_id, at = event.agent_id, event.at
            prev = since.get(agent_id)
            since[agent_id] = (event.state, at)
            if prev is not None and at > prev[1]:
                state = prev[0]
                spans = busy if state in BUSY_STATES else idle if state in IDLE_STATES else None
                if spans is not None:
                    spans[0].append(prev[1])
                    spans[1].append(at)

    def result(self, now: float | None = None) -> AgentTime:
        """The agent time so far; states still open are counted up to ``now`` if given."""
        (bs, be), (is_, ie) = self._busy, self._idle
        if now is not None:
            bs, be, is_, ie = list(bs), list(be), list(is_), list(ie)
            for state, start in self._since.values():
                if now > start and state in BUSY_STATES:
                    bs.append(start)
                    be.append(now)
                elif now > start and state in IDLE_STATES:
                    is_.append(start)
                    ie.append(now)
        busy = seconds_per_interval(
            np.asarray(bs), np.asarray(be), self.interval_seconds, self.n_intervals
        )
        idle = seconds_per_interval(
            np.asarray(is_), np.asarray(ie), self.interval_seconds, self.n_intervals
        )
        return AgentTime(busy, busy + idle)
