"""The live center: one asyncio task owns the routing engine and applies every command in order.

Commands come from three sides: agents (the console API), the telephony adapter
(arrivals, abandons) and timers (``engine.next_deadline()`` and actions the
adapter or the demo agents scheduled for later). They meet on one
``asyncio.Queue``; the task applies them one at a time with ``now`` from an
injectable :class:`Clock`, appends every produced event to the store (the
append commits before anything else happens) and then tells the observers
(demo agents, telephony, wallboard) and publishes the events on the bus.

The kernel is SimPy's in miniature: a heap of ``(time, seq, action)`` for
scheduled actions plus the engine's own deadline. Before applying a command
at ``now`` the task fires everything due at or before ``now`` in time order,
each at *its own* time (engine timers first on a tie), so the event sequence
does not depend on how late the task woke up; that is what lets the scripted
live-versus-simulator test compare sequences exactly. Time never goes back:
an action is applied at ``max(its time, the last time applied)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.bus import EventBus
from routing.events import Event, EventStore

log = logging.getLogger("contactops.live")

#: ``action(engine, now) -> events``: one step applied to the routing engine.
Action = Callable[[Any, float], list[Event]]
#: ``observer(now, stored)`` is told of every stored batch ``[(seq, event), ...]``, in order.
Observer = Callable[[float, Sequence[tuple[int, Event]]], None]

#: Delays between retries of an append the database refused (seconds).
APPEND_RETRY_SECONDS = (0.05, 0.2, 0.5, 1.0, 2.0)


class Clock(Protocol):
    def now(self) -> float: ...


class WallClock:
    """Unix epoch seconds, UTC."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that moves only when told to (tests, scripted runs)."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def set(self, at: float) -> None:
        if at < self._now:
            raise ValueError(f"clock cannot go back from {self._now} to {at}")
        self._now = float(at)

    def advance(self, seconds: float) -> None:
        self.set(self._now + seconds)


class StoreUnavailable(RuntimeError):
    """The event store refused the append; the events are kept and retried with the next one."""


@dataclass(order=True)
class _Scheduled:
    at: float
    seq: int
    action: Action = field(compare=False)
    label: str = field(compare=False, default="")


@dataclass
class _Command:
    action: Action | None  # None: only fire what is due
    until: float | None
    future: asyncio.Future[list[tuple[int, Event]]]


class LiveCenter:
    """The engine task. ``submit`` an action; ``schedule`` one for later; ``observe`` the results."""

    def __init__(
        self,
        engine: Any,
        store: EventStore,
        bus: EventBus,
        clock: Clock | None = None,
        *,
        auto_timers: bool = True,
    ) -> None:
        self.engine = engine
        self.store = store
        self.bus = bus
        self.clock: Clock = clock or WallClock()
        self.auto_timers = auto_timers
        self.append_retry_seconds: tuple[float, ...] = APPEND_RETRY_SECONDS
        self.observers: list[Observer] = []
        self.last_now = -math.inf
        self.last_seq = 0
        self._heap: list[_Scheduled] = []
        self._counter = itertools.count()
        self._unstored: list[Event] = []
        self._queue: asyncio.Queue[_Command] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the task on the running loop (again, if the loop changed).

        A server has one loop. Test clients may call from a new loop per request; the
        task then moves (the one on the old loop is cancelled), so only one ever runs.
        """
        loop = asyncio.get_running_loop()
        if self.running and self._loop is loop:
            return
        self._cancel_elsewhere(self._task)
        self._loop = loop
        self._queue = asyncio.Queue()
        self._task = loop.create_task(self._run(), name="contactops-live-center")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None or task.done():
            return
        if task.get_loop() is not asyncio.get_running_loop():
            self._cancel_elsewhere(task)
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    @staticmethod
    def _cancel_elsewhere(task: asyncio.Task[None] | None) -> None:
        """Cancel a task that runs on another loop (thread-safe; nothing if that loop is gone)."""
        if task is None or task.done():
            return
        loop = task.get_loop()
        if loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(task.cancel)

    # --- commands -----------------------------------------------------------------------

    async def submit(self, action: Action) -> list[tuple[int, Event]]:
        """Apply ``action(engine, now)`` in the task; return the stored ``(seq, event)`` pairs.

        Raises what the engine raised (nothing was changed then), or
        :class:`StoreUnavailable` when the events could not be stored.
        """
        return await self._send(action, None)

    async def run_until(self, until: float) -> list[tuple[int, Event]]:
        """Fire every timer and scheduled action due at or before ``until`` (scripted runs)."""
        return await self._send(None, until)

    async def _send(self, action: Action | None, until: float | None) -> list[tuple[int, Event]]:
        await self.start()
        assert self._queue is not None
        future: asyncio.Future[list[tuple[int, Event]]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Command(action, until, future))
        return await future

    def schedule(self, at: float, action: Action, label: str = "") -> None:
        """Run ``action`` at time ``at`` (from an observer, the adapter or before start)."""
        heapq.heappush(self._heap, _Scheduled(at, next(self._counter), action, label))
        try:
            inside = self._task is not None and asyncio.current_task() is self._task
        except RuntimeError:  # no running loop: called before start
            inside = False
        if self._queue is not None and self.running and not inside:  # wake the task
            self._queue.put_nowait(_Command(None, None, self._loop.create_future()))  # type: ignore[union-attr]

    def preload(self, events: Sequence[Event]) -> None:
        """Events produced outside a command (agents registered at start); stored with the next one."""
        self._unstored.extend(events)

    def scheduled_count(self) -> int:
        return len(self._heap)

    # --- the task -----------------------------------------------------------------------

    def _next_wake(self) -> float | None:
        times = [self._heap[0].at] if self._heap else []
        deadline = self.engine.next_deadline()
        if deadline is not None:
            times.append(deadline)
        return min(times) if times else None

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        try:
            await self._loop_forever(queue)
        finally:  # whoever still waits for a command gets an answer
            while not queue.empty():
                command = queue.get_nowait()
                if not command.future.done():
                    command.future.set_exception(RuntimeError("the live center stopped"))

    async def _loop_forever(self, queue: asyncio.Queue[_Command]) -> None:
        while True:
            command: _Command | None = None
            wake = self._next_wake() if self.auto_timers else None
            timeout = None if wake is None else max(0.0, wake - self.clock.now())
            try:  # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel
                async with asyncio.timeout(timeout):
                    command = await queue.get()
            except TimeoutError:
                command = None
            try:
                await self._handle(command)
            except asyncio.CancelledError:
                raise
            except Exception:  # a failing timer must not kill the center
                log.exception("live center: timer or scheduled action failed; retrying in 1 s")
                await asyncio.sleep(1.0)  # no busy loop on a timer that keeps failing

    async def _handle(self, command: _Command | None) -> None:
        now = self.clock.now()
        if command is None:
            if self.auto_timers:
                await self._fire_due(now)
            return
        try:
            if command.until is not None:
                stored = await self._fire_due(command.until)
            else:
                stored = await self._fire_due(now) if self.auto_timers else []
                if command.action is not None:
                    stored = await self._apply(command.action, max(now, self.last_now))
            if not command.future.done():
                command.future.set_result(stored)
        except Exception as exc:  # noqa: BLE001  (handed to the caller, whatever it is)
            if not command.future.done():
                command.future.set_exception(exc)

    async def _fire_due(self, now: float) -> list[tuple[int, Event]]:
        stored: list[tuple[int, Event]] = []
        while True:
            deadline = self.engine.next_deadline()
            t_engine = math.inf if deadline is None else deadline
            t_heap = self._heap[0].at if self._heap else math.inf
            due = min(t_engine, t_heap)
            if due > now:
                return stored
            at = max(due, self.last_now)
            if t_engine <= t_heap:
                batch = await self._apply(lambda eng, t: eng.advance(t), at)
                if not batch and self.engine.next_deadline() == deadline:
                    log.warning("engine deadline %s did not move after advance()", deadline)
                    return stored
            else:
                item = heapq.heappop(self._heap)
                try:
                    batch = await self._apply(item.action, at)
                except (LookupError, ValueError) as exc:  # the world moved on (e.g. offer timed out)
                    log.debug("scheduled %s at %s skipped: %s", item.label, at, exc)
                    continue
            stored.extend(batch)

    async def _apply(self, action: Action, now: float) -> list[tuple[int, Event]]:
        events = list(action(self.engine, now))
        self.last_now = max(self.last_now, now)
        return await self._commit(now, events)

    async def _commit(self, now: float, events: list[Event]) -> list[tuple[int, Event]]:
        pending = self._unstored + events
        if not pending:
            return []
        seqs = await self._append(pending)
        self._unstored = []
        stored = list(zip(seqs, pending, strict=True))
        self.last_seq = max(self.last_seq, seqs[-1])
        for observer in list(self.observers):
            try:
                observer(now, stored)
            except Exception:
                log.exception("live center: observer %r failed", observer)
        for seq, event in stored:
            try:
                await self.bus.publish(seq, event)
            except Exception:  # stored is what counts; subscribers can replay the log
                log.exception("live center: publish of seq %s failed", seq)
        return stored[len(stored) - len(events):]

    async def _append(self, events: list[Event]) -> list[int]:
        error: Exception | None = None
        for delay in (0.0, *self.append_retry_seconds):
            if delay:
                await asyncio.sleep(delay)
            try:
                return await asyncio.to_thread(self.store.append, events)
            except ValueError:
                raise
            except Exception as exc:  # noqa: BLE001  (database down or busy: retry, keep for later)
                error = exc
                log.warning("event store append failed (%s); retrying", exc)
        self._unstored = events
        raise StoreUnavailable(f"the event store is unavailable: {error}")
