"""The virtual clock, distributions and arrivals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulations.arrivals import poisson_arrivals
from simulations.distributions import Distribution
from simulations.kernel import (
    ABANDON,
    AGENT_SCHEDULE,
    ARRIVAL,
    COMPLETION,
    REACTION,
    TIMER,
    Kernel,
    RealtimeKernel,
)


def test_kernel_orders_by_time_then_priority_then_fifo() -> None:
    k: Kernel[str] = Kernel()
    k.schedule(5.0, 2, "c")
    k.schedule(5.0, 1, "b")
    k.schedule(1.0, 9, "a")
    k.schedule(5.0, 1, "b2")
    assert k.peek_key() == (1.0, 9)
    assert [k.pop()[1] for _ in range(4)] == ["a", "b", "b2", "c"]
    assert k.now == 5.0 and math.isinf(k.peek()) and k.delay(7.0) == 0.0
    with pytest.raises(ValueError, match="cannot schedule at 4.0, the clock is at 5.0"):
        k.schedule(4.0, 0, "late")


def test_tie_rule_order() -> None:
    assert REACTION < AGENT_SCHEDULE < COMPLETION < TIMER < ABANDON < ARRIVAL


def test_realtime_kernel_overrides_only_the_wait() -> None:
    wall = [100.0]
    k: RealtimeKernel[str] = RealtimeKernel(lambda: wall[0], factor=2.0)
    k.schedule(103.0, COMPLETION, "x")
    k.schedule(90.0, ARRIVAL, "late")  # past: runs at once, at the kernel's now
    assert k.delay(k.peek()) == 0.0 and k.peek() == 100.0
    assert k.pop() == (100.0, "late")
    assert k.delay(k.peek()) == pytest.approx(6.0)  # 3 clock seconds at factor 2
    wall[0] = 104.0
    assert k.delay(k.peek()) == 0.0 and k.pop() == (103.0, "x") and k.now == 103.0
    with pytest.raises(ValueError, match="factor must be > 0"):
        RealtimeKernel(lambda: 0.0, factor=0.0)


def test_lognormal_has_the_asked_mean_and_cv() -> None:
    x = Distribution("lognormal", 150.0, 0.8).sample(np.random.default_rng(1), 400_000)
    assert x.mean() == pytest.approx(150.0, rel=0.01)
    assert x.std() / x.mean() == pytest.approx(0.8, rel=0.02)


def test_distribution_checks() -> None:
    with pytest.raises(ValueError, match="mean_seconds must be > 0"):
        Distribution("exponential", -1.0)
    with pytest.raises(ValueError, match="samples must not be empty"):
        Distribution("empirical")
    emp = Distribution("empirical", samples=(1.0, 2.0))
    assert set(emp.sample(np.random.default_rng(0), 100)) == {1.0, 2.0}
    assert np.isinf(Distribution("never").sample(np.random.default_rng(0), 3)).all()


def test_poisson_arrivals_per_interval() -> None:
    rng = np.random.default_rng(4)
    counts = np.zeros(3)
    for _ in range(200):
        t = poisson_arrivals([10.0, 0.0, 40.0], 60.0, rng)
        assert np.all(np.diff(t) >= 0)
        counts += np.bincount((t // 60).astype(int), minlength=3)
    assert counts[1] == 0
    assert counts[0] / 200 == pytest.approx(10, rel=0.1)
    assert counts[2] / 200 == pytest.approx(40, rel=0.05)


def test_reactions_at_now_pop_in_the_heap_order() -> None:
    """Reactions due now skip the heap (a FIFO) yet pop exactly as the heap would order
    them: after a reaction put in the heap earlier for this instant, before anything of a
    higher priority at this instant, and always before the clock moves on."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        k: Kernel[int] = Kernel()
        reference: list[tuple[float, int, int, int]] = []
        popped: list[int] = []
        expected: list[int] = []
        seq = 0
        for _step in range(60):
            if rng.random() < 0.6 or not len(k):
                at = k.now + float(rng.choice([0.0, 0.0, 1.0, 2.0]))
                priority = int(rng.choice([REACTION, REACTION, COMPLETION, TIMER]))
                seq += 1
                k.schedule(at, priority, seq)
                reference.append((at, priority, seq, seq))
            else:
                assert k.peek_key() == min(reference)[:2]
                reference.sort()
                expected.append(reference.pop(0)[3])
                popped.append(k.pop()[1])
        assert popped == expected


def test_a_reaction_put_in_the_heap_earlier_goes_first() -> None:
    k: Kernel[str] = Kernel()
    k.schedule(5.0, REACTION, "early")  # the clock is at 0: into the heap
    k.schedule(5.0, COMPLETION, "done")
    k.schedule(4.0, TIMER, "tick")
    assert k.pop() == (4.0, "tick")
    k.schedule(4.0, REACTION, "now")  # due now: the FIFO
    assert len(k) == 3 and k.peek() == 4.0 and k.peek_key() == (4.0, REACTION)
    assert k.pop() == (4.0, "now")
    assert k.pop() == (5.0, "early")
    k.schedule(5.0, REACTION, "later")
    assert [k.pop()[1] for _ in range(2)] == ["later", "done"]
