"""Routing decision latency at bank scale: 10,000 agents, 2,000 waiting calls.

Run: ``python benchmarks/bench_routing.py [--agents 10000] [--waiting 2000] [--samples 5000]``

Setup: ``--queues`` queues, each needing its own skill and expanding to a
backup skill after 30 s; every agent has 3 skills at proficiency 1–5 and a
site (seoul or busan); contacts have one of the six tiers, a third of them a
site. Timed (one call each, ``time.perf_counter_ns``), in four situations:

* ``arrive()`` with all agents busy and ``--waiting`` calls waiting (the
  contact joins its line);
* ``arrive()`` with half the agents ready and nobody waiting (the engine picks
  the best agent from the skill index);
* ``end_wrap_up()`` with ``--waiting`` calls waiting (the agent picks the best
  line head among its queues);
* ``set_ready()`` from not_ready with ``--waiting`` calls waiting.

Untimed calls restore the situation between samples. Prints p50, p99 and max
in microseconds, of wall time and of the thread's CPU time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from routing.engine import AgentSpec, ContactSpec, ExpansionStep, QueueConfig, RoutingEngine
from routing.events import TIERS, ContactOffered, Event


def build(n_agents: int, n_queues: int, rng: random.Random) -> RoutingEngine:
    queues = [
        QueueConfig(f"q{i}", f"s{i}", min_proficiency=1,
                    expansion=(ExpansionStep(30.0, f"s{(i + 1) % n_queues}"),))
        for i in range(n_queues)
    ]
    engine = RoutingEngine(queues)
    for i in range(n_agents):
        skills = {f"s{k}": rng.randint(1, 5) for k in rng.sample(range(n_queues), 3)}
        spec = AgentSpec(f"a{i}", skills, site=rng.choice(("seoul", "busan")))
        engine.add_agent(spec, 0.0)
        engine.login(spec.agent_id, 0.0)
    return engine


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.rng = random.Random(args.seed)
        self.n_queues = args.queues
        self.engine = build(args.agents, args.queues, self.rng)
        self.now = 1.0
        self.serial = 0

    def contact(self) -> ContactSpec:
        self.serial += 1
        rng = self.rng
        site = rng.choice((None, None, None, None, "seoul", "busan"))
        return ContactSpec(f"c{self.serial}", f"q{rng.randrange(self.n_queues)}",
                           rng.choice(TIERS), site=site)

    def tick(self) -> float:
        self.now += 0.01
        return self.now

    def answer_offers(self, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, ContactOffered):
                self.engine.answer(e.contact_id, e.agent_id, self.now)


CPU_SAMPLES: list[int] = []


def timed(fn: Callable[..., list[Event]], *args: object) -> tuple[int, list[Event]]:
    """Wall-clock nanoseconds one call took, and what it returned (its thread CPU time
    goes to ``CPU_SAMPLES``: on a loaded machine the wall p99 includes time the process
    was not running at all)."""
    c0 = time.thread_time_ns()
    t0 = time.perf_counter_ns()
    out = fn(*args)
    wall = time.perf_counter_ns() - t0
    CPU_SAMPLES.append(time.thread_time_ns() - c0)
    return wall, out


def _p(us: list[float], q: float) -> float:
    return us[min(len(us) - 1, int(q * len(us)))]


def report(name: str, samples: list[int]) -> None:
    us = sorted(s / 1000 for s in samples)
    cpu = sorted(s / 1000 for s in CPU_SAMPLES)
    CPU_SAMPLES.clear()
    print(f"{name:<50} wall p50 {statistics.median(us):6.1f} µs  p99 {_p(us, 0.99):7.1f} µs  "
          f"max {us[-1]:8.1f} µs | cpu p50 {statistics.median(cpu):6.1f} µs  "
          f"p99 {_p(cpu, 0.99):7.1f} µs  (n={len(us)})")


def run(args: argparse.Namespace) -> None:
    b = Bench(args)
    eng = b.engine
    agents = [f"a{i}" for i in range(args.agents)]
    # 1. arrive() with half the agents ready, nobody waiting.
    for a in agents[: args.agents // 2]:
        eng.set_ready(a, b.tick())
    samples = []
    for _ in range(args.samples):
        spec = b.contact()
        now = b.tick()
        ns, _ = timed(eng.arrive, spec, now)
        samples.append(ns)
        eng.abandon(spec.contact_id, b.tick())  # offered agent goes back to ready
    report(f"arrive(): {args.agents // 2} ready agents, 0 waiting", samples)
    # Make everyone busy, then fill the lines.
    for a in agents[args.agents // 2:]:
        eng.set_ready(a, b.tick())
    talking: list[str] = []
    while eng.queue_snapshot(b.now)["q0"].agents_ready or any(
        v.agents_ready for v in eng.queue_snapshot(b.now).values()
    ):
        spec = b.contact()
        evs = eng.arrive(spec, b.tick())
        b.answer_offers(evs)
        if any(isinstance(e, ContactOffered) for e in evs):
            talking.append(spec.contact_id)
    waiting = sum(v.waiting for v in eng.queue_snapshot(b.now).values())
    while waiting < args.waiting:
        eng.arrive(b.contact(), b.tick())
        waiting += 1
    # 2. arrive() with all busy and `waiting` waiting: each sample joins a line, then abandons.
    samples = []
    for _ in range(args.samples):
        spec = b.contact()
        now = b.tick()
        ns, _ = timed(eng.arrive, spec, now)
        samples.append(ns)
        eng.abandon(spec.contact_id, b.tick())
    report(f"arrive(): all {args.agents} agents busy, {args.waiting} waiting", samples)
    # 3. end_wrap_up(): an agent frees and picks the best waiting call; a new call refills.
    samples = []
    for i in range(args.samples):
        cid = talking[i % len(talking)]
        view = eng.contact_view(cid)
        agent = view.agent_id
        assert agent is not None
        eng.hang_up(cid, b.tick())
        now = b.tick()
        ns, events = timed(eng.end_wrap_up, agent, now)
        samples.append(ns)
        offered = [e for e in events if isinstance(e, ContactOffered)]
        b.answer_offers(events)
        talking[i % len(talking)] = offered[0].contact_id if offered else cid
        if offered:
            eng.arrive(b.contact(), b.tick())
        else:  # the agent found nothing it may take: park it busy again
            eng.set_not_ready(agent, b.tick(), "bench")
            talking[i % len(talking)] = talking[(i + 1) % len(talking)]
    report(f"end_wrap_up(): {args.waiting} waiting", samples)
    # 4. set_ready() from not_ready.
    samples = []
    for i in range(args.samples):
        cid = talking[i % len(talking)]
        agent = eng.contact_view(cid).agent_id
        if agent is None or eng.contact_state(cid).value != "connected":
            continue
        eng.hang_up(cid, b.tick())
        eng.set_not_ready(agent, b.tick(), "break")
        now = b.tick()
        ns, events = timed(eng.set_ready, agent, now)
        samples.append(ns)
        offered = [e for e in events if isinstance(e, ContactOffered)]
        b.answer_offers(events)
        if offered:
            talking[i % len(talking)] = offered[0].contact_id
            eng.arrive(b.contact(), b.tick())
    report(f"set_ready(): {args.waiting} waiting", samples)
    final = sum(v.waiting for v in eng.queue_snapshot(b.now).values())
    print(f"(waiting at the end: {final}; events are real: offers answered, lines refilled)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--waiting", type=int, default=2_000)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--samples", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
