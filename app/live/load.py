"""Drive many contacts through the live path on a virtual clock (memory checks, benchmark).

The demo's own parts, as in production: the live center's task (real-time kernel on a
:class:`~app.live.center.ManualClock` stepped a minute at a time), the built-in
telephony's callers and the demo robots (both on :class:`simulations.driver.Driver`),
into an event store that keeps only the count (so the only thing that could grow is the
engine). Used by ``tests/app/test_live_memory.py`` and ``benchmarks/bench_live_memory.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from app.bus import InProcessBus
from app.live.center import LiveCenter, ManualClock
from app.live.demo_agents import DemoAgents, RobotProfile
from app.live.telephony import ArrivalProfile, BuiltInTelephony
from routing.engine import AgentSpec, QueueConfig, RoutingEngine, RoutingPolicy
from routing.events import Event

#: Most contacts one run may drive (a documented bound on the loop).
MAX_CONTACTS = 5_000_000
T0 = 1_764_000_000.0


class CountingStore:
    """An :class:`~routing.events.EventStore` that numbers events and keeps none."""

    def __init__(self) -> None:
        self.count = 0

    def append(self, events: Iterable[Event]) -> list[int]:
        start = self.count
        self.count += sum(1 for _ in events)
        return list(range(start + 1, self.count + 1))

    def replay(self, after_seq: int = 0) -> Iterator[tuple[int, Event]]:
        return iter(())


@dataclass
class LoadRun:
    contacts: int  # callers generated
    events: int
    forgotten: int
    #: ``engine.size()`` once per simulated hour
    sizes: list[dict[str, int]] = field(default_factory=list)


async def drive_live(contacts: int, agents: int = 20, calls_per_hour: float = 450.0,
                     seed: int = 1) -> LoadRun:
    """Run the live center until ``contacts`` callers arrived; sample the engine hourly."""
    if not 0 < contacts <= MAX_CONTACTS:
        raise ValueError(f"contacts must be in 1..{MAX_CONTACTS}, got {contacts!r}")
    engine = RoutingEngine([QueueConfig("deposits", "deposits")], RoutingPolicy())
    clock = ManualClock(T0)
    store = CountingStore()
    center = LiveCenter(engine, store, InProcessBus(), clock, append_inline=True)
    names = [f"agent{i:03d}" for i in range(agents)]
    await center.submit(lambda e, t: [ev for a in names
                                      for ev in e.add_agent(AgentSpec(a, {"deposits": 3}), t)])
    rng = np.random.default_rng(seed)
    robots = DemoAgents(center, names, rng, RobotProfile(break_probability=0.0))
    phone = BuiltInTelephony(["deposits"], rng, ArrivalProfile(
        daily_calls=calls_per_hour * 24, intraday_shape=(1.0,) * 24, weekday_factor=(1.0,) * 7,
        queue_share={"deposits": 1.0}))
    await robots.start()
    await phone.start(center)
    run = LoadRun(0, 0, 0)
    minute = 0
    try:
        while phone.calls_generated < contacts:
            minute += 1
            clock.set(T0 + 60.0 * minute)
            await center.run_until(clock.now())
            if minute % 60 == 0:
                run.sizes.append(engine.size())
    finally:
        await phone.stop()
        await center.stop()
    run.contacts, run.events, run.forgotten = phone.calls_generated, store.count, center.forgotten
    run.sizes.append(engine.size())
    return run
