"""The blending threshold: the inbound-only chain against Erlang A/C, the predicted loss
against a simulation of the idealised blend, the threshold rule and the feedback."""

from __future__ import annotations

import heapq
import itertools
import math

import numpy as np
import pytest

from telesales.blending import (
    ReserveFeedback,
    blend_model,
    blend_threshold,
    service_level_loss,
)
from wfm.erlang_a import erlang_a
from wfm.erlang_c import erlang_c


@pytest.mark.parametrize(("agents", "erlangs"), [(20, 15.0), (50, 42.0), (300, 280.0), (5, 6.0)])
def test_the_inbound_only_chain_is_erlang_a(agents: int, erlangs: float) -> None:
    model = blend_model(agents, erlangs / 180.0, 180.0, 120.0, 20.0)
    reference = erlang_a(erlangs, agents, 180.0, 120.0)
    assert model.wait_probability == pytest.approx(reference.p_wait, rel=1e-9)
    assert model.service_level == pytest.approx(reference.answered_of_offered(20.0), abs=1e-6)
    assert model.loss(agents) == 0.0  # keeping every agent idle is inbound-only


def test_without_patience_the_chain_is_erlang_c() -> None:
    model = blend_model(20, 15.0 / 180.0, 180.0, None, 20.0)
    p_wait = float(erlang_c(15.0, 20))
    assert model.wait_probability == pytest.approx(p_wait, rel=1e-9)
    # Erlang C: SL = 1 - C e^{-(c mu - lambda) tau}
    assert model.service_level == pytest.approx(1 - p_wait * math.exp(-(20 - 15) / 180 * 20),
                                                abs=1e-6)


def _idealised_blend(agents: int, erlangs: float, reserve: int, hours: float,
                     seed: int) -> tuple[float, float, float]:
    """Inbound (Poisson, exponential 180 s handle, exponential 120 s patience, FCFS) and
    outbound work always at hand, started the moment more than ``reserve`` agents are idle
    and nobody waits: (service level within 20 s, outbound and inbound work in
    agent-seconds)."""
    rng = np.random.default_rng(seed)
    lam, end = erlangs / 180.0, hours * 3600.0
    heap: list[tuple[float, int, str]] = []
    seq, busy, queue = 0, 0, []
    offered = within = 0
    work = inbound_work = 0.0

    def push(at: float, kind: str) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(heap, (at, seq, kind))

    push(float(rng.exponential(1 / lam)), "arrive")
    while heap:
        now, _, kind = heapq.heappop(heap)
        if now > end:
            break
        if kind == "arrive":
            push(now + float(rng.exponential(1 / lam)), "arrive")
            offered += 1
            if busy < agents:
                busy += 1
                within += 1
                handle = float(rng.exponential(180.0))
                inbound_work += min(handle, end - now)
                push(now + handle, "done")
            else:
                queue.append((now, now + float(rng.exponential(120.0))))
        else:
            busy -= 1
            while queue and busy < agents:
                arrived, gives_up = queue.pop(0)
                if gives_up < now:
                    continue  # hung up meanwhile
                busy += 1
                within += now - arrived <= 20.0
                handle = float(rng.exponential(180.0))
                inbound_work += min(handle, end - now)
                push(now + handle, "done")
        while not queue and agents - busy > reserve:
            busy += 1
            handle = float(rng.exponential(180.0))
            work += min(handle, max(end - now, 0.0))
            push(now + handle, "done")
    return within / offered, work, inbound_work


def test_the_predicted_loss_matches_a_simulated_idealised_blend() -> None:
    """The reflected-chain argument (module docstring): simulate the blend it describes."""
    only_sl, _, only_inbound = _idealised_blend(20, 15.0, 20, 400.0, seed=3)
    for reserve, tolerance in ((3, 0.015), (6, 0.008)):
        sl, _, _ = _idealised_blend(20, 15.0, reserve, 400.0, seed=3)
        predicted = service_level_loss(20, 15.0 / 180.0, 180.0, 120.0, 20.0, reserve)
        assert only_sl - sl == pytest.approx(predicted, abs=tolerance), reserve
    # and the loss is large: a reserve of 3 costs about 10 points at 15 Erlangs on 20 agents
    assert service_level_loss(20, 15.0 / 180.0, 180.0, 120.0, 20.0, 3) > 0.08
    # the idle time it gives outbound: the same simulation's outbound work over the idle time
    model = blend_model(20, 15.0 / 180.0, 180.0, 120.0, 20.0)
    idle = 20 * 400 * 3600 - only_inbound  # the inbound-only center's idle agent-seconds
    for reserve in (3, 6):
        _, work, _ = _idealised_blend(20, 15.0, reserve, 400.0, seed=3)
        assert work / idle == pytest.approx(model.idle_time_used(reserve), abs=0.02), reserve
    assert model.idle_time_used(20) == 0.0 and model.idle_time_used(0) > 0.95


def test_the_frontier_of_the_threshold_policy() -> None:
    """Where 70 % of the idle time within 1 point is possible at all (non-preemptive
    outbound work as long as inbound work): not at 75-84 % inbound occupancy, yes at half."""
    for agents, erlangs in ((20, 15.0), (30, 24.0), (50, 42.0)):
        _, used = blend_model(agents, erlangs / 180, 180.0, 120.0, 20.0).best_within(0.01)
        assert used < 0.35
    for agents, erlangs in ((30, 12.0), (50, 25.0)):
        reserve, used = blend_model(agents, erlangs / 180, 180.0, 120.0, 20.0).best_within(0.01)
        assert used > 0.8 and reserve <= 4
    # half the agents on inbound: possible at 30 and 50 agents, not at 20
    assert blend_model(20, 10 / 180, 180.0, 120.0, 20.0).best_within(0.01)[1] < 0.6


def test_the_threshold_is_the_smallest_reserve_within_the_margin() -> None:
    for agents, erlangs in ((20, 10.0), (20, 15.0), (50, 25.0), (50, 42.0)):
        rate = erlangs / 180.0
        model = blend_model(agents, rate, 180.0, 120.0, 20.0)
        losses = [model.loss(t) for t in range(agents + 1)]
        assert all(a >= b for a, b in itertools.pairwise(losses))  # falls with T
        t = blend_threshold(agents, rate, 180.0, 120.0, 20.0, 0.005)
        assert losses[t] <= 0.005 and (t == 0 or losses[t - 1] > 0.005)
    # the threshold depends on the load and on the number of agents (Bhulai and Koole)
    assert blend_threshold(20, 10 / 180, 180.0, 120.0, 20.0, 0.005) < blend_threshold(
        20, 15 / 180, 180.0, 120.0, 20.0, 0.005)
    assert blend_threshold(50, 25 / 180, 180.0, 120.0, 20.0, 0.005) < blend_threshold(
        50, 42 / 180, 180.0, 120.0, 20.0, 0.005)


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"agents": 0}, "agents"), ({"aht_seconds": 0.0}, "aht_seconds"),
    ({"patience_seconds": -1.0}, "patience_seconds"), ({"max_loss": 2.0}, "max_loss"),
    ({"calls_per_second": -1.0}, "calls_per_second"),
])
def test_bad_arguments_name_themselves(kwargs: dict[str, float], word: str) -> None:
    args: dict[str, float | int | None] = {
        "agents": 20, "calls_per_second": 0.05, "aht_seconds": 180.0,
        "patience_seconds": 120.0, "threshold_seconds": 20.0, "max_loss": 0.01}
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        blend_threshold(**args)  # type: ignore[arg-type]


def test_the_feedback_raises_the_reserve_when_behind_and_lowers_it_when_ahead() -> None:
    fb = ReserveFeedback(calls_per_agent=4.0, max_raise=3, max_lower=2)
    for _ in range(10):
        fb.observe(True, goal=0.95)  # ahead by 0.05 a call
    assert fb.offset() == -1
    for _ in range(100):
        fb.observe(True, goal=0.95)
    assert fb.offset() == -2  # bounded
    fb.deficit = 0.0
    for _ in range(9):
        fb.observe(False, goal=0.95)  # 9 calls late: 8.55 behind
    assert fb.offset() == 2
    for _ in range(20):
        fb.observe(False, goal=0.95)
    assert fb.offset() == 3
    with pytest.raises(ValueError, match="calls_per_agent"):
        ReserveFeedback(calls_per_agent=0.0)
