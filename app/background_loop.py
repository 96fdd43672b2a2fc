"""A service's loop in the background of the server: :class:`BackgroundLoop`.

A service that works on its own beside the requests (the morning rebuild of the campaign
lists, the live center's campaign dialling) subclasses it and writes ``_loop``; the server's
lifespan calls :meth:`BackgroundLoop.start` and :meth:`BackgroundLoop.stop`. Its database
work runs in a thread of its own (:meth:`BackgroundLoop.in_thread`), and ``stop`` waits for
that work to end as well as cancelling the loop: a cancelled ``await`` leaves its thread
running, and a thread still holding a connection when the server disposes of the database
engine leaves that connection to the garbage collector (never closed properly).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class BackgroundLoop(ABC):
    """``start()`` runs ``self._loop()`` as a task named :attr:`task_name`; ``stop()`` ends it
    and the work it has in its thread."""

    task_name = "background"
    _task: asyncio.Task[None] | None = None
    _executor: ThreadPoolExecutor | None = None

    @abstractmethod
    async def _loop(self) -> None:
        """The service's work, until cancelled."""

    async def in_thread(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` in the loop's own worker thread (one at a time)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=self.task_name)
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.task_name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        executor, self._executor = self._executor, None
        if executor is not None:  # the database work in flight ends before the engine goes
            await asyncio.to_thread(executor.shutdown, True)
