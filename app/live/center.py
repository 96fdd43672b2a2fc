"""The live center: one asyncio task owns the routing engine and applies every command in order.

Commands come from three sides: agents (the console API), the telephony adapter
(arrivals, abandons) and timers (``engine.next_deadline()`` and actions the
adapter or the demo agents scheduled for later). They meet on one
``asyncio.Queue``; the task applies them one at a time with ``now`` from an
injectable :class:`Clock`, appends every produced event to the store (the
append commits before anything else happens) and then tells the observers
(demo agents, telephony, wallboard) and publishes the events on the bus.

Store failures are bounded: an append is retried with backoff for at most
:data:`APPEND_BUDGET_SECONDS`, then its command fails with :class:`StoreUnavailable`
(503 to an HTTP client); while the store stays unavailable, later appends make a single
attempt each (no backoff) until one succeeds, so a queue of waiting commands drains in
seconds instead of each spending the whole budget. Appends run on a thread of the
center's own (never behind other work in the loop's default executor), on the store's
own database connection (:func:`app.db.make_writer_engine`).

The kernel is the simulator's own (:class:`simulations.kernel.RealtimeKernel`: the
virtual-clock kernel whose only difference is the wait for the next item), holding the
actions scheduled for later, plus the engine's own deadline. Before applying a command
at ``now`` the task fires everything due at or before ``now`` in time order, each at
*its own* time, under the simulator's tie rule (:mod:`simulations.kernel`: reactions,
duty changes and completions before the engine's timers, then abandons, then arrivals),
so the event sequence does not depend on how late the task woke up; that is what lets
the live-versus-simulator test run one driver on both clocks and compare the event
lists. Time never goes back: an action is applied at ``max(its time, the last time
applied)``.

Memory: after every action the engine forgets the contacts it finished
(:meth:`routing.engine.RoutingEngine.forget_finished`): once abandoned, or ended with
the agent's wrap-up over, no call for them can follow, and their events are in the log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.bus import EventBus
from routing.engine import RoutingEngine
from routing.events import Event, EventStore
from simulations.driver import Action
from simulations.kernel import COMPLETION, TIMER, RealtimeKernel

log = logging.getLogger("contactops.live")

__all__ = ["Action", "Clock", "LiveCenter", "ManualClock", "StoreUnavailable", "WallClock"]

#: ``observer(now, stored)`` is told of every stored batch ``[(seq, event), ...]``, in order.
Observer = Callable[[float, Sequence[tuple[int, Event]]], None]

#: Delays between retries of an append the database refused (seconds).
APPEND_RETRY_SECONDS = (0.05, 0.2, 0.5, 1.0, 2.0)
#: No retry starts once an append has spent this long (seconds, attempts included): every
#: command waits behind the one being stored, so one command must not hold up the others
#: for minutes. One attempt is bounded by the database itself (SQLite's 5 s busy timeout;
#: on PostgreSQL the writer's statement and connect timeouts, see :mod:`app.db`).
APPEND_BUDGET_SECONDS = 8.0


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
    """The events of a command could not be stored.

    ``kept`` says what happens to them; the message says it too, for the client:

    * ``kept=True``: the command changed the engine (a login, an answer...), so its events
      are kept in memory and stored, before anything newer, by the next append that
      succeeds (they are lost if the server stops first);
    * ``kept=False``: events that changed nothing (``submit(..., keep=False)``, e.g. events
      posted to ``POST /api/events``) are dropped: not stored, and never stored later, so
      the client may safely retry.
    """

    def __init__(self, detail: str, *, kept: bool = False) -> None:
        super().__init__(detail)
        self.kept = kept


class EventsRefused(StoreUnavailable):
    """The database refused the batch for its content; it is dropped, never retried.

    ``field`` names the event field when the store's check said which one.
    """

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail, kept=False)
        self.field = field


@dataclass(frozen=True, slots=True)
class _Scheduled:
    action: Action
    label: str = ""


@dataclass
class _Command:
    action: Action | None  # None: only fire what is due
    until: float | None
    future: asyncio.Future[list[tuple[int, Event]]]
    keep: bool = True  # keep the events for a later append if the store is down


class LiveCenter:
    """The engine task. ``submit`` an action; ``schedule`` one for later; ``observe`` the results."""

    def __init__(
        self,
        engine: RoutingEngine,
        store: EventStore,
        bus: EventBus,
        clock: Clock | None = None,
        *,
        auto_timers: bool = True,
        append_inline: bool = False,
    ) -> None:
        self.engine = engine
        self.store = store
        #: the store's append does no I/O (an in-memory store): call it on the loop, with
        #: no hop to the writer thread (load runs, benchmarks); never for a database store
        self.append_inline = append_inline
        self.bus = bus
        self.clock: Clock = clock or WallClock()
        self.auto_timers = auto_timers
        self.append_retry_seconds: tuple[float, ...] = APPEND_RETRY_SECONDS
        self.append_budget_seconds: float = APPEND_BUDGET_SECONDS
        #: True after an append ran out of retries, until one succeeds (single attempts)
        self.store_down = False
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.observers: list[Observer] = []
        self.last_now = -math.inf
        self.last_seq = 0
        self._kernel: RealtimeKernel[_Scheduled] = RealtimeKernel(self.clock.now)
        #: contacts the engine forgot once finished (see the module docstring)
        self.forgotten = 0
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
        executor, self._executor = self._executor, None
        if executor is not None:  # an append in progress finishes; its thread then ends
            executor.shutdown(wait=False)
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

    async def submit(self, action: Action, *, keep: bool = True) -> list[tuple[int, Event]]:
        """Apply ``action(engine, now)`` in the task; return the stored ``(seq, event)`` pairs.

        Raises what the engine raised (nothing was changed then), :class:`EventsRefused`
        when the database refused the events for their content (dropped), or
        :class:`StoreUnavailable` when it could not be reached (see its ``kept``).
        ``keep=False`` is for actions that do not change the engine (external events):
        their events are not kept for a later append when the store is unavailable.
        """
        return await self._send(action, None, keep)

    async def run_until(self, until: float) -> list[tuple[int, Event]]:
        """Fire every timer and scheduled action due at or before ``until`` (scripted runs)."""
        return await self._send(None, until)

    async def _send(
        self, action: Action | None, until: float | None, keep: bool = True
    ) -> list[tuple[int, Event]]:
        await self.start()
        assert self._queue is not None
        future: asyncio.Future[list[tuple[int, Event]]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Command(action, until, future, keep))
        return await future

    def schedule(self, at: float, action: Action, label: str = "",
                 priority: int = COMPLETION) -> None:
        """Run ``action`` at time ``at`` (from an observer, the adapter or before start);
        ``priority`` places it among things due at the same instant (the kernel's tie rule,
        :mod:`simulations.kernel`; default: a completion)."""
        self._kernel.schedule(at, priority, _Scheduled(action, label))
        try:
            inside = self._task is not None and asyncio.current_task() is self._task
        except RuntimeError:  # no running loop: called before start
            inside = False
        if self._queue is not None and self._loop is not None and self.running and not inside:
            self._queue.put_nowait(_Command(None, None, self._loop.create_future()))  # wake

    def port(self, at: float, priority: int, action: Action, label: str) -> None:
        """The driver's port (:data:`simulations.driver.Port`): :meth:`schedule`."""
        self.schedule(at, action, label, priority)

    def preload(self, events: Sequence[Event]) -> None:
        """Events produced outside a command (agents registered at start); stored with the next one."""
        self._unstored.extend(events)

    def scheduled_count(self) -> int:
        return len(self._kernel)

    def next_due(self) -> float | None:
        """When the next scheduled action or engine timer is due (None: nothing pending)."""
        return self._next_wake()

    # --- the task -----------------------------------------------------------------------

    def _next_wake(self) -> float | None:
        deadline = self.engine.next_deadline()
        wake = min(self._kernel.peek(), math.inf if deadline is None else deadline)
        return None if wake == math.inf else wake

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
            timeout = None if wake is None else self._kernel.delay(wake)
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
                stored = []
                if self.auto_timers:
                    try:
                        stored = await self._fire_due(now)
                    except StoreUnavailable as exc:  # the command is still tried (and told)
                        log.warning("live center: timers due before a command not stored: %s", exc)
                if command.action is not None:
                    stored = await self._apply(command.action, max(now, self.last_now),
                                               keep=command.keep)
            if not command.future.done():
                command.future.set_result(stored)
        except Exception as exc:  # noqa: BLE001  (handed to the caller, whatever it is)
            if not command.future.done():
                command.future.set_exception(exc)

    async def _fire_due(self, now: float) -> list[tuple[int, Event]]:
        stored: list[tuple[int, Event]] = []
        kernel = self._kernel
        while True:
            deadline = self.engine.next_deadline()
            t_engine = math.inf if deadline is None else deadline
            t_heap, p_heap = kernel.peek_key()
            due = min(t_engine, t_heap)
            if due > now:
                return stored
            at = max(due, self.last_now)
            if t_engine < t_heap or (t_engine == t_heap and TIMER <= p_heap):  # the tie rule
                try:
                    batch = await self._apply(_advance, at)
                except EventsRefused:  # logged by _apply
                    if self.engine.next_deadline() == deadline:
                        return stored
                    continue
                if not batch and self.engine.next_deadline() == deadline:
                    log.warning("engine deadline %s did not move after advance()", deadline)
                    return stored
            else:
                _, item = kernel.pop()
                try:
                    batch = await self._apply(item.action, at)
                except (LookupError, ValueError) as exc:  # the world moved on (e.g. offer timed out)
                    log.debug("scheduled %s at %s skipped: %s", item.label, at, exc)
                    continue
                except EventsRefused:
                    continue  # logged by _apply
            stored.extend(batch)

    async def _apply(
        self, action: Action, now: float, *, keep: bool = True
    ) -> list[tuple[int, Event]]:
        events = list(action(self.engine, now))
        self.last_now = max(self.last_now, now)
        self.forgotten += self.engine.forget_finished(events)
        try:
            return await self._commit(now, events, keep=keep)
        except EventsRefused:
            if keep and events:  # the engine moved on; the log will not show these events
                log.error("live center: the engine applied an action whose events the "
                          "database refused; they are dropped (engine and log now differ): %r",
                          events)
            raise

    async def _commit(
        self, now: float, events: list[Event], *, keep: bool = True
    ) -> list[tuple[int, Event]]:
        await self._flush_unstored(now, keep_new=events if keep else [])
        if not events:
            return []
        try:
            seqs = await self._append(events)
        except StoreUnavailable as exc:
            if keep:  # the engine already applied the action: its events must reach the log
                self._unstored.extend(events)
                raise StoreUnavailable(_KEPT_DETAIL, kept=True) from exc.__cause__
            raise
        return await self._stored(now, seqs, events)

    async def _flush_unstored(self, now: float, keep_new: list[Event]) -> None:
        """Store the events kept from an earlier failed append, on their own (a batch the
        database refuses for its content is dropped and logged, never blocking later ones)."""
        if not self._unstored:
            return
        pending = self._unstored
        try:
            seqs = await self._append(pending)
        except EventsRefused:
            log.error("live center: dropped %d kept events the database refused (they are "
                      "in this log line only): %r", len(pending), pending)
            self._unstored = []
            return
        except StoreUnavailable as exc:
            self._unstored.extend(keep_new)
            if keep_new:
                raise StoreUnavailable(_KEPT_DETAIL, kept=True) from exc.__cause__
            raise
        self._unstored = []
        await self._stored(now, seqs, pending)

    async def _stored(self, now: float, seqs: list[int], events: list[Event]) -> list[tuple[int, Event]]:
        stored = list(zip(seqs, events, strict=True))
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
        return stored

    def _store_executor(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="contactops-event-store")
        return self._executor

    async def _append(self, events: list[Event]) -> list[int]:
        """Append with bounded retries. Content the database refuses (a value out of range,
        a NUL character, a type or length its own checks reject) is not retried: the batch
        is dropped and :class:`EventsRefused` raised. Anything else (connection lost,
        database locked or down) is retried with backoff while the attempts so far took
        less than ``append_budget_seconds`` (once only while :attr:`store_down`), then
        :class:`StoreUnavailable`. An attempt is never abandoned while it runs (it could
        still commit), so the answer always tells the truth about what was stored."""
        error: Exception | None = None
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        delays = (0.0,) if self.store_down else (0.0, *self.append_retry_seconds)
        attempts = 0
        for delay in delays:
            if attempts and time.monotonic() - started + delay > self.append_budget_seconds:
                break
            if delay:
                await asyncio.sleep(delay)
            attempts += 1
            try:
                if self.append_inline:
                    seqs = self.store.append(events)
                else:
                    seqs = await loop.run_in_executor(self._store_executor(), self.store.append,
                                                      events)
            except Exception as exc:
                if is_content_error(exc):
                    log.warning("event store refused a batch of %d events for its content: %s",
                                len(events), exc)
                    self.store_down = False  # it answered
                    raise EventsRefused(_refusal_detail(exc), field=_refused_field(exc)) from exc
                error = exc
                log.warning("event store append failed (%s); retrying", exc)
                continue
            if self.store_down:
                log.warning("event store available again")
            self.store_down = False
            return seqs
        self.store_down = True
        log.error("event store unavailable after %d attempt(s) in %.1f s: %s",
                  attempts, time.monotonic() - started, error)
        raise StoreUnavailable(_DROPPED_DETAIL) from error


def _advance(engine: RoutingEngine, now: float) -> list[Event]:
    return engine.advance(now)


_KEPT_DETAIL = ("the event store is unavailable; the action was applied and its events are kept "
                "in memory and will be stored before the next ones once the database is back")
_DROPPED_DETAIL = ("the event store is unavailable; the events were not stored and will not be "
                   "stored: retry the request later")


def is_content_error(exc: BaseException) -> bool:
    """True when the database (or the store's own checks) refused the batch for what it holds:
    retrying the same events can never succeed. Connection and availability errors are not."""
    from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

    if isinstance(exc, DataError | IntegrityError):
        return True
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        return True  # a parameter could not be bound (type, encoding, NUL)
    return isinstance(exc, ValueError | TypeError | OverflowError | UnicodeError)


def _refused_field(exc: BaseException) -> str | None:
    message = str(exc)
    match = re.match(r"^[a-z_]+\.(?P<field>[a-z_]+) ", message)
    return match.group("field") if match else None


def _refusal_detail(exc: BaseException) -> str:
    """A message for the client: the store's own check (names the field), never SQL or parameters."""
    from routing.events import EventFormatError

    if isinstance(exc, EventFormatError):
        return str(exc)
    return "the database refused a value of these events (out of range or invalid characters)"
