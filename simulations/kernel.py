"""One event kernel, two clocks, after SimPy's ``core.py`` and ``rt.py``.

:class:`Kernel` is a heap of ``(time, priority, seq, item)``: items are popped in time
order; at equal times the lower ``priority`` goes first, then the earlier scheduled
(``seq``), so a run is a deterministic function of its inputs. ``now`` only moves forward.
Reactions due at ``now`` (most of a driver's items) wait in a first-in-first-out list
beside the heap, popped in exactly the heap's order for them (see :class:`Kernel`).

The simulator runs it on a virtual clock: :meth:`Kernel.delay` is 0, the clock jumps to
the next item. The live center (:mod:`app.live.center`) runs the same kernel as a
:class:`RealtimeKernel`, which overrides only that wait: :meth:`RealtimeKernel.delay` is
how many wall-clock seconds remain until the item is due (SimPy's
``RealtimeEnvironment.step`` sleeps the same way). Items are then applied each at *its
own* time, so the event sequence does not depend on how late the live task woke up.

The tie rule (one for both clocks)
----------------------------------
At one instant, in this order:

0. :data:`REACTION` the driver's immediate reactions to what just happened (an answer
   with no ring time, a wrap-up of 0 s), first in first out;
1. :data:`AGENT_SCHEDULE` agents come and go (shift starts, breaks, shift ends);
2. :data:`COMPLETION` what people finish: answers after a ring, hang-ups, holds,
   transfers, wrap-ups ending;
3. :data:`TIMER` the routing engine's own deadlines (ring timeouts, skill expansion,
   overflow, callback retries);
4. :data:`ABANDON` callers giving up;
5. :data:`ARRIVAL` new callers.

Why completions before the engine's timers: a person who answers at the very instant
the ring timeout falls answered in time, and an agent who frees at ``t`` is there for a
contact whose pool widens at ``t`` (the engine then offers by priority among everything
waiting, not to whoever's timer fired first). The live center used to fire timers first;
it now follows this rule too, so the scripted live-versus-simulator test compares the
same sequence. Why abandons after timers and completions: a caller whose patience ends
at the instant an agent frees for them is served (the last moment still counts, as in
the Erlang A model's ``wait < patience``).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

#: Priorities at equal times (lower first); see the module docstring.
REACTION = 0
AGENT_SCHEDULE = 1
COMPLETION = 2
TIMER = 3
ABANDON = 4
ARRIVAL = 5

T = TypeVar("T")


class Kernel(Generic[T]):
    """A minimal discrete-event kernel over a virtual clock (seconds).

    Reactions at the current instant (priority :data:`REACTION` at ``now``: most of what
    a driver schedules) skip the heap: they wait in a first-in-first-out list, which is
    the heap's own order for them (they are due now, at the lowest priority, in the
    order scheduled). Only a reaction that went into the heap before the clock reached
    its time (scheduled earlier, so with a smaller sequence number) goes before them.
    ``heap`` and ``reactions`` are public for a loop that pops inline (the simulator's).
    """

    __slots__ = ("_seq", "heap", "now", "reactions")

    def __init__(self, start: float = 0.0) -> None:
        self.heap: list[tuple[float, int, int, T]] = []
        self.reactions: deque[T] = deque()
        self._seq = 0
        self.now = start

    def schedule(self, at: float, priority: int, item: T, label: str = "") -> None:
        """Schedule ``item`` at ``at`` (never in the past). ``label`` (what the item is, for
        a reader) is not kept: with it the method is a driver's port
        (:data:`simulations.driver.Port`), called without a wrapper of its own."""
        if at == self.now and priority == REACTION:
            self.reactions.append(item)
            return
        if at < self.now:
            raise ValueError(f"cannot schedule at {at!r}, the clock is at {self.now!r}")
        self._seq += 1
        heapq.heappush(self.heap, (at, priority, self._seq, item))

    def _heap_first(self) -> bool:
        """True if the heap's head goes before the waiting reactions."""
        heap = self.heap
        return bool(heap) and heap[0][0] == self.now and heap[0][1] == REACTION

    def peek(self) -> float:
        """Time of the next item (``inf`` if none)."""
        if self.reactions:
            return self.now
        return self.heap[0][0] if self.heap else math.inf

    def peek_key(self) -> tuple[float, int]:
        """``(time, priority)`` of the next item (``(inf, 0)`` if none)."""
        if self.reactions:
            return self.now, REACTION
        if not self.heap:
            return math.inf, 0
        at, priority, _, _ = self.heap[0]
        return at, priority

    def pop(self) -> tuple[float, T]:
        """Advance the clock to the next item's time and return ``(time, item)``."""
        if self.reactions and not self._heap_first():
            return self.now, self.reactions.popleft()
        at, _, _, item = heapq.heappop(self.heap)
        self.now = max(self.now, at)
        return at, item

    def delay(self, at: float) -> float:
        """Seconds to wait before an item due at ``at`` may run: none on a virtual clock."""
        return 0.0

    def __len__(self) -> int:
        return len(self.heap) + len(self.reactions)


class RealtimeKernel(Kernel[T]):
    """The same kernel on a wall clock: only the wait for the next item differs.

    ``clock`` returns the time now on the clock the items are scheduled on (Unix
    seconds on the live server; a manual clock in tests). ``factor`` is wall seconds
    per clock second (SimPy's ``factor``; 1 on the live server).
    """

    __slots__ = ("clock", "factor")

    def __init__(self, clock: Callable[[], float], start: float | None = None,
                 factor: float = 1.0) -> None:
        super().__init__(clock() if start is None else start)
        if not factor > 0:
            raise ValueError(f"factor must be > 0, got {factor!r}")
        self.clock = clock
        self.factor = factor

    def schedule(self, at: float, priority: int, item: T, label: str = "") -> None:
        """Schedule ``item``; an item for a time already past runs at once (at ``now``):
        people and phones are late on a wall clock, never early."""
        super().schedule(max(at, self.now), priority, item, label)

    def delay(self, at: float) -> float:
        return max(0.0, (at - self.clock()) * self.factor)
