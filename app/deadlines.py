"""Bounded CPU work for requests: a deadline, cancellation when the client goes, a cap.

A CPU-heavy core call (staffing thousands of intervals, ...) runs through
:meth:`CpuWork.run` in a child process of its own, never in the server's threads:

* it is **killed** when the deadline (``Settings.cpu_deadline_seconds``) passes (503
  ``computation took longer than N s``), when the client disconnects, when the request task is
  cancelled (server shutdown on SIGTERM) or at lifespan shutdown (:meth:`CpuWork.stop_all`);
  a killed child uses no more CPU, which a thread could not promise (Python cannot stop a
  thread that is inside numpy);
* at most ``Settings.cpu_workers`` run at once per server process; a request that finds them
  all busy waits for a slot at most :data:`SLOT_WAIT_SECONDS`, then gets 503 with
  ``Retry-After`` (nothing was computed, nothing stored);
* children come from a ``forkserver`` that has already imported the cores
  (:data:`PRELOAD`), so a call costs a fork (milliseconds), not a fresh interpreter, and is
  never forked from the multi-threaded server itself.

The function and its arguments cross to the child by pickling: give a module-level function of
a core (``wfm.staffing.staff_intervals``) and plain values or numpy arrays. A ``ValueError``
from the core is re-raised in the server as it is, so the route maps it to a 422 as before.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from app.api.errors import DomainError

log = logging.getLogger("contactops.deadlines")

T = TypeVar("T")

#: Modules the fork server imports once, so that each child starts with them loaded (this
#: module too: the child's entry point lives here, and importing it anew cost 0.3 s a call).
PRELOAD = ["numpy", "scipy.special", "scipy.integrate", "wfm.staffing", "wfm.forecast",
           "app.wfm_history", "app.deadlines"]
#: Seconds a request waits for a free worker before it is answered 503.
SLOT_WAIT_SECONDS = 5.0
#: How often the server looks at the client's connection while a child works.
POLL_SECONDS = 0.1
RETRY_AFTER_SECONDS = 5


class ServerBusy(DomainError):
    """503: every CPU worker is busy, or the computation ran past its deadline."""

    status = 503


class ClientGone(Exception):
    """The client disconnected while its computation ran (the child has been killed)."""


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except (ValueError, ArithmeticError) as exc:  # bad input: handed back as it is
        outcome = ("raised", exc)
    except BaseException as exc:  # noqa: BLE001 - reported, never a traceback in the child
        outcome = ("failed", f"{type(exc).__name__}: {exc}")
    conn.send(outcome)
    conn.close()


class CpuWork:
    """The CPU workers of one app (``app.state.cpu_work``); see the module docstring."""

    def __init__(self, workers: int, deadline_seconds: float,
                 slot_wait_seconds: float = SLOT_WAIT_SECONDS) -> None:
        self.workers = workers
        self.deadline_seconds = deadline_seconds
        self.slot_wait_seconds = slot_wait_seconds
        self._slots: asyncio.Semaphore | None = None
        self._running: set[multiprocessing.process.BaseProcess] = set()
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)

    @property
    def running(self) -> int:
        """Children alive now (tests check that none is left behind)."""
        return sum(1 for p in self._running if p.is_alive())

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:  # bound to the running loop, so made on first use
            self._slots = asyncio.Semaphore(self.workers)
        return self._slots

    async def run(self, request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a child process, bounded as the module docstring says."""
        slots = self._semaphore()
        try:
            await asyncio.wait_for(slots.acquire(), self.slot_wait_seconds)
        except TimeoutError:
            raise ServerBusy(
                f"all {self.workers} computation workers are busy; retry",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        try:
            return await self._run_child(request, fn, args, kwargs)
        finally:
            slots.release()

    async def _run_child(self, request: Request, fn: Callable[..., T], args: tuple[Any, ...],
                         kwargs: dict[str, Any]) -> T:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(sender, fn, args, kwargs),
                                        daemon=True)
        started = time.monotonic()
        try:
            await run_in_threadpool(process.start)
            self._running.add(process)
            sender.close()
            await self._wait_for(receiver, request, started)
            # the event loop may have made the pipe non-blocking (uvloop's add_reader does):
            # a large answer (a fitted forecast) then came back as EAGAIN half way
            os.set_blocking(receiver.fileno(), True)
            kind, value = await run_in_threadpool(receiver.recv)
        finally:
            _kill(process)
            self._running.discard(process)
            receiver.close()
            sender.close()
        if kind == "raised":
            raise value
        if kind == "failed":
            raise RuntimeError(f"computation failed: {value}")
        return value  # type: ignore[no-any-return]

    async def _wait_for(self, receiver: Connection, request: Request, started: float) -> None:
        """Until the child's answer is readable; kill on deadline or disconnect."""
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        loop.add_reader(receiver.fileno(), ready.set)
        try:
            while not ready.is_set():
                try:
                    await asyncio.wait_for(ready.wait(), POLL_SECONDS)
                except TimeoutError:
                    pass
                if ready.is_set():
                    return
                if time.monotonic() - started > self.deadline_seconds:
                    log.warning("computation on %s stopped at its deadline of %g s",
                                request.url.path, self.deadline_seconds)
                    raise ServerBusy(
                        f"computation took longer than {self.deadline_seconds:g} s and was"
                        " stopped; ask for less (fewer intervals) or retry later",
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    )
                if await request.is_disconnected():
                    log.info("client left %s; its computation was stopped", request.url.path)
                    raise ClientGone(request.url.path)
        finally:
            loop.remove_reader(receiver.fileno())

    def stop_all(self) -> None:
        """Kill every child (lifespan shutdown)."""
        for process in list(self._running):
            _kill(process)
        self._running.clear()


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    if process.pid is None:
        return  # never started
    if process.is_alive():
        process.kill()
    process.join(timeout=5)


def install_cpu_work(app: FastAPI) -> None:
    """Give the app its :class:`CpuWork` (from its settings) and the 503 for a gone client."""
    settings = app.state.settings
    app.state.cpu_work = CpuWork(settings.cpu_workers, settings.cpu_deadline_seconds)
    app.add_exception_handler(ClientGone, _client_gone)


async def _client_gone(request: Request, exc: Exception) -> Any:
    from app.api.errors import problem

    return problem(503, "the client disconnected; the computation was stopped")


def cpu_work(request: Request) -> CpuWork:
    """The app's :class:`CpuWork` (a FastAPI dependency)."""
    work: CpuWork = request.app.state.cpu_work
    return work
