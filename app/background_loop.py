"""A service's loop in the background of the server: :class:`BackgroundLoop`.

A service that works on its own beside the requests (the morning rebuild of the campaign
lists, the live center's campaign dialling) subclasses it and writes ``_loop``; the server's
lifespan calls :meth:`BackgroundLoop.start` and :meth:`BackgroundLoop.stop` (which cancels
the loop and waits for it to end, so a stopped service writes nothing more).
"""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundLoop:
    """``start()`` runs ``self._loop()`` as a task named :attr:`task_name`; ``stop()`` ends it."""

    task_name = "background"
    _task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.task_name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
