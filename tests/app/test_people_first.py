"""People before robots in the demo: an idle person gets the next call, not an idle robot."""

from __future__ import annotations

import asyncio

import numpy as np

from app.bus import InProcessBus
from app.live.center import LiveCenter, ManualClock
from app.live.demo_agents import STANDBY, DemoAgents
from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine, RoutingPolicy
from routing.events import MemoryEventStore

T0 = 1_764_000_000.0


def _scenario(person_skills: dict[str, int], queue: str):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        clock = ManualClock(T0)
        engine = RoutingEngine([QueueConfig("deposits", "deposits"), QueueConfig("vip", "vip")],
                               RoutingPolicy(ring_timeout_seconds=20.0))
        center = LiveCenter(engine, MemoryEventStore(), InProcessBus(), clock)
        robots_ids = [f"agent{i:02d}" for i in range(1, 6)]
        await center.submit(lambda e, t: [ev for a in robots_ids for ev in e.add_agent(
            AgentSpec(a, {"deposits": 3, "vip": 3}), t)] + e.add_agent(
            AgentSpec("person", person_skills), t))
        robots = DemoAgents(center, robots_ids, np.random.default_rng(1))
        await robots.start()
        clock.set(T0 + 60)
        await center.run_until(clock.now())  # every robot is logged in, ready and idle
        await center.submit(lambda e, t: e.login("person", t) + e.set_ready("person", t))
        await center.run_until(clock.now())
        standby = sorted(a for a in robots_ids
                         if engine.agent_view(a).reason == STANDBY)
        clock.advance(5)
        await center.submit(lambda e, t: e.arrive(ContactSpec("c1", queue, "gold"), t))
        await center.run_until(clock.now())
        offered = [e.agent_id for e in center.store.events
                   if e.type_name == "contact_offered" and e.contact_id == "c1"]
        back = sorted(a for a in robots_ids if engine.agent_view(a).state == "ready")
        await center.stop()
        return standby, offered, back

    return asyncio.run(run())


def test_an_idle_person_is_offered_the_next_call_before_idle_robots() -> None:
    standby, offered, back = _scenario({"deposits": 1}, "deposits")
    assert standby == [f"agent{i:02d}" for i in range(1, 6)]  # robots stepped aside
    assert offered == ["person"]  # although the robots were idle longer and more proficient
    assert back == standby  # the person is busy: the robots are ready again


def test_robots_serve_what_the_person_cannot_take() -> None:
    _standby, offered, _back = _scenario({"deposits": 1}, "vip")
    assert len(offered) == 1 and offered[0] != "person"
