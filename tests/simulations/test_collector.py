"""The garbage collector's pause around a simulation: counted, restored, and safe to take."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from simulations.center import CenterSimulation
from simulations.collector import collector_paused
from simulations.scenario import parse_scenario


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_in_the_block_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_is_on_again_after_an_exception() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_blocks_in_threads_that_end_out_of_order_leave_it_on() -> None:
    """Thread a pauses first and ends first; b still runs paused; then on again."""
    a_in, b_in, a_may_end, a_done, b_may_end = (threading.Event() for _ in range(5))
    seen: list[bool] = []

    def a() -> None:
        with collector_paused():
            a_in.set()
            a_may_end.wait(10)
        a_done.set()

    def b() -> None:
        a_in.wait(10)
        with collector_paused():
            b_in.set()
            b_may_end.wait(10)
            seen.append(gc.isenabled())

    ta, tb = threading.Thread(target=a), threading.Thread(target=b)
    ta.start()
    tb.start()
    b_in.wait(10)
    a_may_end.set()
    a_done.wait(10)
    seen.append(gc.isenabled())  # a ended, b still paused
    b_may_end.set()
    ta.join(10)
    tb.join(10)
    assert seen == [False, False] and gc.isenabled()


def test_a_run_makes_no_garbage_the_collector_would_have_found() -> None:
    """While the simulation is still held, a collection after its run finds nothing of it:
    the loop freed all it dropped by reference counting, so pausing the collector lost
    nothing. (Nothing here: a cycle per caller would leave thousands of objects; the bound
    leaves room for garbage of other tests' threads in the same process.)"""
    scenario = parse_scenario({
        "interval_minutes": 60,
        "queues": [{"name": "q", "calls_per_interval": [600, 600], "aht_seconds": 240,
                    "patience_mean_seconds": 120, "callback_acceptance_probability": 0.5,
                    "hold_probability": 0.2, "hold_mean_seconds": 30}],
        "agents_per_interval": [40, 35],
        "routing": {"policy": {"callback_offer_wait_seconds": 10}},
    })
    gc.collect()
    simulation = CenterSimulation(scenario, np.random.default_rng(3))
    run = simulation.run()
    assert gc.isenabled()
    assert len(run.table.arrived_at) > 1000
    assert gc.collect() < 100
    del simulation
