"""The virtual clock: a heap of ``(time, priority, seq, kind, payload)``, after SimPy's core.

Events are popped in time order; at equal times the lower ``priority`` goes first, then
the earlier scheduled (``seq``), so a run is a deterministic function of its inputs.
``now`` only moves forward. The same model could run on the wall clock by overriding
:meth:`Kernel.pop` to sleep until the event's time (SimPy's ``rt.py`` idea); the live
server does its own timing and drives the routing engine directly.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

#: Priorities at equal times (lower first): agents come and go at interval boundaries
#: before anything else happens at that instant; calls end (freeing agents) before
#: timers fire, callers give up and new callers arrive.
AGENT_SCHEDULE = 0
COMPLETION = 1
TIMER = 2
ABANDON = 3
ARRIVAL = 4


class Kernel:
    """A minimal discrete-event kernel over a virtual clock (seconds)."""

    __slots__ = ("_heap", "_seq", "now")

    def __init__(self, start: float = 0.0) -> None:
        self._heap: list[tuple[float, int, int, int, Any]] = []
        self._seq = 0
        self.now = start

    def schedule(self, at: float, priority: int, kind: int, payload: Any = None) -> None:
        """Schedule ``(kind, payload)`` at ``at`` (never in the past)."""
        if at < self.now:
            raise ValueError(f"cannot schedule at {at!r}, the clock is at {self.now!r}")
        self._seq += 1
        heapq.heappush(self._heap, (at, priority, self._seq, kind, payload))

    def peek(self) -> float:
        """Time of the next event (``inf`` if none)."""
        return self._heap[0][0] if self._heap else math.inf

    def pop(self) -> tuple[float, int, Any]:
        """Advance the clock to the next event and return ``(time, kind, payload)``."""
        at, _, _, kind, payload = heapq.heappop(self._heap)
        self.now = at
        return at, kind, payload

    def __len__(self) -> int:
        return len(self._heap)
