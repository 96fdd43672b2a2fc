"""The cyclic garbage collector paused while a simulation runs.

A replication on the general path allocates a few dozen small container objects per
caller (events, records, the driver's actions, lists of events) and frees almost all of
them by reference counting as it goes; what it keeps (the contact records, the agent
time) lives to the end. CPython's cyclic collector nevertheless scans the young objects
every 700 allocations and, as the kept records pile up, the older generations too: about
a fifth of the general path's time on the M/M/60 benchmark
(``benchmarks/bench_simulation.py``), for no garbage found. :func:`collector_paused`
turns it off for a block.

The collector is one per process, and simulations may run in threads (what-if jobs of
the server), so the pause is counted: the first block to begin turns the collector off
if it was on, the last to end turns it back on, whatever the order in which they end (a
collector that was off stays off). While a paused block runs, the whole process goes
without cyclic collection: garbage in cycles made meanwhile (by the simulation or by
another thread) waits for the first collection after the pause. The general path's loop
makes none (a test collects after a run and finds nothing).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """How many paused blocks are running, and whether the first found the collector on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False


_PAUSE = _Pause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (see the module docstring)."""
    pause = _PAUSE
    with pause.lock:
        if pause.depth == 0:
            pause.was_enabled = gc.isenabled()
            gc.disable()
        pause.depth += 1
    try:
        yield
    finally:
        with pause.lock:
            pause.depth -= 1
            if pause.depth == 0 and pause.was_enabled:
                gc.enable()
