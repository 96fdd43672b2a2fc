"""Event fan-out: every stored event goes to every subscriber, in order.

Two buses behind one interface:

* :class:`InProcessBus` (default): subscribers are asyncio queues in this process.
* :class:`RedisBus` (``CONTACTOPS_REDIS_URL`` set): events are published on the
  Redis channel ``<prefix>events`` so that every server process sees them; one
  listener task per process fans them out to its local subscribers.

A message is one stored event: ``{"seq": <int>, "event": <the event's JSON form>}``
(:meth:`routing.events.Event.to_json`), sent as JSON text on Redis. A
subscriber too slow to keep up (``max_backlog`` messages behind) is marked
``lagged`` and receives nothing more; its owner (a websocket) should re-send a
snapshot and subscribe again instead of showing a silently wrong picture.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any, Protocol

from routing.events import Event, event_from_json

DEFAULT_CHANNEL_PREFIX = "contactops:"
DEFAULT_MAX_BACKLOG = 10_000


def encode(seq: int, event: Event) -> dict[str, Any]:
    """The bus message of one stored event."""
    return {"seq": seq, "event": event.to_json()}


def decode(message: dict[str, Any]) -> tuple[int, Event]:
    return int(message["seq"]), event_from_json(message["event"])


class Subscription:
    """One subscriber's ordered stream of messages; iterate it, then close it."""

    def __init__(self, bus: _LocalFanOut, max_backlog: int) -> None:
        self._bus = bus
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(max_backlog)
        self.lagged = False

    def _deliver(self, message: dict[str, Any]) -> None:
        if self.lagged:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.lagged = True
            self._bus.unsubscribe(self)
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def get(self) -> dict[str, Any] | None:
        """The next message, or None once this subscription has lagged or been closed."""
        return await self._queue.get()

    def get_nowait(self) -> dict[str, Any] | None:
        return self._queue.get_nowait()

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[dict[str, Any]]:
        while (message := await self.get()) is not None:
            yield message

    def close(self) -> None:
        self._bus.unsubscribe(self)
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def __aenter__(self) -> Subscription:  # noqa: PYI034
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class EventBus(Protocol):
    async def start(self) -> None: ...
    async def publish(self, seq: int, event: Event) -> None: ...
    def subscribe(self) -> Subscription: ...
    async def close(self) -> None: ...


class _LocalFanOut:
    def __init__(self, max_backlog: int = DEFAULT_MAX_BACKLOG) -> None:
        self.max_backlog = max_backlog
        self._subscribers: list[Subscription] = []

    def subscribe(self) -> Subscription:
        sub = Subscription(self, self.max_backlog)
        self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def _fan_out(self, message: dict[str, Any]) -> None:
        for sub in list(self._subscribers):
            sub._deliver(message)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)


class InProcessBus(_LocalFanOut):
    """Fan-out inside this process: publish hands the message to every subscriber's queue."""

    async def start(self) -> None:
        return None

    async def publish(self, seq: int, event: Event) -> None:
        self._fan_out(encode(seq, event))

    async def close(self) -> None:
        for sub in list(self._subscribers):
            sub.close()


class RedisBus(_LocalFanOut):
    """Fan-out over Redis pub/sub (``redis.asyncio``) on channel ``<channel_prefix>events``.

    ``start`` subscribes before it returns, so an event published afterwards by
    any process reaches this process's subscribers, including its own events.
    """

    def __init__(
        self, redis_url: str, channel_prefix: str = DEFAULT_CHANNEL_PREFIX,
        max_backlog: int = DEFAULT_MAX_BACKLOG,
    ) -> None:
        super().__init__(max_backlog)
        self.redis_url = redis_url
        self.channel = f"{channel_prefix}events"
        self._redis: Any = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._listener is not None:
            return
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.redis_url, decode_responses=True)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.channel)
        self._listener = asyncio.create_task(self._listen(), name="contactops-redis-bus")

    async def _listen(self) -> None:
        while True:
            message = await self._pubsub.get_message(timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            try:
                payload = json.loads(message["data"])
            except (TypeError, ValueError):
                continue  # not ours: ignore rather than kill the listener
            self._fan_out(payload)

    async def publish(self, seq: int, event: Event) -> None:
        if self._redis is None:
            raise RuntimeError("RedisBus.publish before start()")
        await self._redis.publish(self.channel, json.dumps(encode(seq, event)))

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._pubsub is not None:
            await self._pubsub.unsubscribe(self.channel)
            await self._pubsub.aclose()
            self._pubsub = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        for sub in list(self._subscribers):
            sub.close()


def make_bus(redis_url: str | None, channel_prefix: str = DEFAULT_CHANNEL_PREFIX) -> EventBus:
    """Redis pub/sub when a URL is given, else in-process."""
    if redis_url:
        return RedisBus(redis_url, channel_prefix)
    return InProcessBus()
