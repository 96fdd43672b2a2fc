"""Event fan-out: in-process and Redis pub/sub deliver every event to every subscriber, in order."""

from __future__ import annotations

import asyncio

import pytest

from app.bus import InProcessBus, RedisBus, decode, make_bus
from routing.events import AgentStateChanged, ContactArrived, Event

EVENTS: list[Event] = [
    ContactArrived(at=1.0, contact_id="c1", queue="deposits", tier="vip"),
    AgentStateChanged(at=2.0, agent_id="agent01", state="ready", previous="not_ready"),
    ContactArrived(at=3.0, contact_id="c2", queue="cards"),
]


async def _roundtrip(bus) -> list[list[tuple[int, Event]]]:  # type: ignore[no-untyped-def]
    await bus.start()
    try:
        subs = [bus.subscribe(), bus.subscribe()]
        for seq, event in enumerate(EVENTS, start=1):
            await bus.publish(seq, event)
        got = []
        for sub in subs:
            got.append([decode(await asyncio.wait_for(sub.get(), 5)) for _ in EVENTS])
            sub.close()
        return got
    finally:
        await bus.close()


def test_in_process_bus_delivers_in_order_to_every_subscriber() -> None:
    got = asyncio.run(_roundtrip(InProcessBus()))
    assert got == [list(enumerate(EVENTS, start=1))] * 2


def test_closed_subscription_ends_iteration_and_gets_nothing_more() -> None:
    async def scenario() -> list[int]:
        bus = InProcessBus()
        sub = bus.subscribe()
        await bus.publish(1, EVENTS[0])
        sub.close()
        await bus.publish(2, EVENTS[1])
        return [decode(m)[0] async for m in sub]

    assert asyncio.run(scenario()) == [1]


def test_slow_subscriber_is_marked_lagged_not_blocking() -> None:
    async def scenario() -> tuple[bool, int, int]:
        bus = InProcessBus(max_backlog=2)
        slow, fast = bus.subscribe(), bus.subscribe()
        received = 0
        for seq in range(1, 6):
            await bus.publish(seq, EVENTS[0])
            fast.get_nowait()
            received += 1
        return slow.lagged, bus.subscriber_count, received

    lagged, count, received = asyncio.run(scenario())
    assert lagged and count == 1 and received == 5


def test_make_bus_picks_in_process_without_url() -> None:
    assert isinstance(make_bus(None), InProcessBus)
    assert isinstance(make_bus("redis://127.0.0.1:6379/0", "x:"), RedisBus)


@pytest.mark.redis
def test_redis_bus_delivers_in_order(redis_url: str, redis_prefix: str) -> None:
    got = asyncio.run(_roundtrip(RedisBus(redis_url, redis_prefix)))
    assert got == [list(enumerate(EVENTS, start=1))] * 2


@pytest.mark.redis
def test_redis_bus_crosses_processes_and_prefixes_isolate(redis_url: str, redis_prefix: str) -> None:
    async def scenario() -> tuple[list[int], bool]:
        publisher, listener = RedisBus(redis_url, redis_prefix), RedisBus(redis_url, redis_prefix)
        other = RedisBus(redis_url, redis_prefix + "other:")
        for bus in (publisher, listener, other):
            await bus.start()
        try:
            sub, stranger = listener.subscribe(), other.subscribe()
            for seq, event in enumerate(EVENTS, start=1):
                await publisher.publish(seq, event)
            seqs = [decode(await asyncio.wait_for(sub.get(), 5))[0] for _ in EVENTS]
            await asyncio.sleep(0.2)
            return seqs, stranger._queue.empty()
        finally:
            for bus in (publisher, listener, other):
                await bus.close()

    seqs, isolated = asyncio.run(scenario())
    assert seqs == [1, 2, 3] and isolated
