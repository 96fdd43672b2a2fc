"""app.background_loop: a service's loop starts, runs, and once stopped runs no more."""

from __future__ import annotations

import asyncio
import threading
import time

from app.background_loop import BackgroundLoop


class Ticker(BackgroundLoop):
    task_name = "ticker"

    def __init__(self) -> None:
        self.ticks = 0

    async def _loop(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.01)


def test_a_stopped_loop_runs_no_more_and_stopping_twice_is_safe() -> None:
    async def scenario() -> tuple[int, int, list[str]]:
        ticker = Ticker()
        await ticker.start()
        names = [t.get_name() for t in asyncio.all_tasks()]
        await asyncio.sleep(0.05)
        await ticker.stop()
        stopped_at = ticker.ticks
        await asyncio.sleep(0.05)
        await ticker.stop()
        return stopped_at, ticker.ticks, names

    stopped_at, later, names = asyncio.run(scenario())
    assert stopped_at >= 2 and later == stopped_at
    assert "ticker" in names


def test_stopping_a_loop_never_started_does_nothing() -> None:
    asyncio.run(Ticker().stop())


class Writer(BackgroundLoop):
    """Its loop hands a slow write to its thread, as the services do with the database."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.finished = False

    def write(self) -> None:
        self.started.set()
        time.sleep(0.2)
        self.finished = True

    async def _loop(self) -> None:
        while True:
            await self.in_thread(self.write)


def test_stop_waits_for_the_work_in_its_thread() -> None:
    """A cancelled await leaves its thread running: stop() returns only once the write in
    flight ended (the server disposes of the database right after)."""
    async def scenario() -> bool:
        writer = Writer()
        await writer.start()
        await asyncio.to_thread(writer.started.wait, 5)
        await writer.stop()
        return writer.finished

    assert asyncio.run(scenario())
