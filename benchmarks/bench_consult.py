"""Consult transfer latency at bank scale: consult, answer_consult, complete/cancel_consult.

Run: ``python benchmarks/bench_consult.py [--agents 10000] [--waiting 2000] [--samples 5000]``

Setup: ``--agents`` agents with the ``cards`` skill (proficiency 1–5), half of them talking
with a caller and half ready, and ``--waiting`` callers waiting in the ``loans`` queue that
none of them serves (the lines are full, as at a busy hour). Each sample is one consult
cycle by a talking agent: ``consult`` through the queue (the engine picks the best ready
agent of the pool), ``answer_consult``, then ``complete_consult`` or (every other sample)
``cancel_consult`` (the freed colleague is offered nothing: no caller fits), each call
timed alone (``time.perf_counter_ns``). Untimed calls put the situation back (the
colleague hangs up and wraps up, or the agent resumes). Prints p50, p99 and max in
microseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine, RoutingPolicy


def build(agents: int, waiting: int, rng: random.Random) -> tuple[RoutingEngine, list[str]]:
    engine = RoutingEngine([QueueConfig("cards", "cards"), QueueConfig("loans", "loans")],
                           RoutingPolicy(ring_timeout_seconds=15.0))
    talking: list[str] = []
    for i in range(agents):
        agent = f"a{i}"
        engine.add_agent(AgentSpec(agent, {"cards": rng.randint(1, 5)}), 0.0)
        engine.login(agent, 0.0)
        if i % 2 == 0:
            engine.set_ready(agent, 0.0)
            engine.arrive(ContactSpec(f"c{i}", "cards"), 0.0)
            engine.answer(f"c{i}", agent, 0.0)
            talking.append(f"c{i}")
    for i in range(agents):
        if i % 2 == 1:
            engine.set_ready(f"a{i}", 0.0)
    for i in range(waiting):
        engine.arrive(ContactSpec(f"w{i}", "loans"), 0.0)
    return engine, talking


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=10_000)
    ap.add_argument("--waiting", type=int, default=2_000)
    ap.add_argument("--samples", type=int, default=5_000)
    args = ap.parse_args()
    if not (2 <= args.agents <= 100_000 and 0 <= args.waiting <= 100_000
            and 1 <= args.samples <= 100_000):
        ap.error("--agents in [2, 100000], --waiting in [0, 100000], --samples in [1, 100000]")
    rng = random.Random(7)
    engine, talking = build(args.agents, args.waiting, rng)
    timings: dict[str, list[float]] = {k: [] for k in
                                       ("consult", "answer_consult", "complete_consult",
                                        "cancel_consult")}
    now = 1.0
    clock = time.perf_counter_ns
    for i in range(args.samples):
        cid = talking[i % len(talking)]
        agent = engine.contact_view(cid).agent_id
        assert agent is not None
        now += 1.0
        t = clock()
        out = engine.consult(cid, now, to_queue="cards")
        timings["consult"].append((clock() - t) / 1000)
        colleague = out[-2].colleague_id  # type: ignore[attr-defined]
        t = clock()
        engine.answer_consult(cid, colleague, now)
        timings["answer_consult"].append((clock() - t) / 1000)
        if i % 2 == 0:
            t = clock()
            engine.complete_consult(cid, now)
            timings["complete_consult"].append((clock() - t) / 1000)
            engine.end_wrap_up(agent, now)  # the first agent is free; the colleague talks on
        else:
            t = clock()
            engine.cancel_consult(cid, now)
            timings["cancel_consult"].append((clock() - t) / 1000)
            engine.retrieve(cid, now)
    print(f"{args.agents} agents (half talking, half ready), {args.waiting} callers waiting, "
          f"{args.samples} consult cycles")
    print(f"| {'call':<17} | {'p50 µs':>8} | {'p99 µs':>8} | {'max µs':>8} |")
    print(f"|{'-' * 19}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for name, values in timings.items():
        q = statistics.quantiles(values, n=100)
        print(f"| {name:<17} | {q[49]:8.1f} | {q[98]:8.1f} | {max(values):8.1f} |")


if __name__ == "__main__":
    main()
