"""Fast path against Erlang C and Erlang A (seeded; judged by z-scores over replications)."""

from __future__ import annotations

import numpy as np
import pytest

from qa.agent_time import seconds_per_interval
from simulations.fcfs import _next_on_table, simulate_fcfs
from simulations.scenario import parse_scenario
from tests.simulations.theory import (
    erlang_a,
    figures,
    interval_occupancy,
    occupancy,
    z_score,
)
from wfm import erlang

Z_MAX = 3.5  # two-sided; with about a dozen checks a false alarm is ~1 in 200 per seed


def mm_n(load: float, agents: int, aht: float, patience: float | None, hours: int) -> dict:
    calls = load / aht * 3600
    return {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [calls] * hours,
                "aht_seconds": aht,
                "patience_mean_seconds": patience,
            }
        ],
        "agents_per_interval": [agents],
    }


def replicate(data: dict, reps: int, seed: int) -> list[dict[str, float]]:
    """Figures of the callers after the first hour (warm-up), and the occupancy of every
    interval after the first, the last included (it ends at the horizon)."""
    s = parse_scenario(data)
    out = []
    for seq in np.random.SeedSequence(seed).spawn(reps):
        o = simulate_fcfs(s, np.random.default_rng(seq))
        row = figures(o.table, 20.0, start_seconds=3600.0)
        row["occupancy"] = interval_occupancy(o.agent_time, 1)
        out.append(row)
    return out


def test_erlang_c() -> None:
    load, n, aht = 8.0, 10, 240.0
    runs = replicate(mm_n(load, n, aht, None, hours=60), reps=10, seed=11)
    expected = {
        "p_wait": erlang.erlang_c(load, n),
        "service_level": erlang.service_level(load, n, aht, 20.0),
        "asa": erlang.average_speed_of_answer(load, n, aht),
        "occupancy": occupancy(load, n, aht, None),
    }
    for key, value in expected.items():
        z = z_score([r[key] for r in runs], value)
        assert abs(z) < Z_MAX, (key, value, np.mean([r[key] for r in runs]), z)
    assert all(r["p_abandon"] == 0 for r in runs)


@pytest.mark.parametrize(("load", "agents"), [(8.0, 8), (20.0, 19)])
def test_erlang_a(load: float, agents: int) -> None:
    aht, patience = 240.0, 120.0
    runs = replicate(mm_n(load, agents, aht, patience, hours=40), reps=10, seed=12)
    p_wait, p_abandon = erlang_a(load, agents, aht, patience)
    occ = occupancy(load, agents, aht, patience)
    for key, value in (("p_wait", p_wait), ("p_abandon", p_abandon), ("occupancy", occ)):
        z = z_score([r[key] for r in runs], value)
        assert abs(z) < Z_MAX, (key, value, np.mean([r[key] for r in runs]), z)


def test_issue_example_last_interval_occupancy_is_erlang_a() -> None:
    """The issue's scenario (54 Erlangs on 60 agents, patience 120 s, two hours): the
    second hour's occupancy is Erlang A's 0.880, not diluted by the run-on after the
    horizon (it used to read 0.724); the summary is the horizon's."""
    data = mm_n(54.0, 60, 240.0, 120.0, hours=2)
    s = parse_scenario(data)
    occ, total = [], []
    for seq in np.random.SeedSequence(4).spawn(60):
        at = simulate_fcfs(s, np.random.default_rng(seq)).agent_time
        occ.append(interval_occupancy(at, 1))
        total.append(interval_occupancy(at, 0))
        assert at.available_seconds.tolist() == [60 * 3600.0, 60 * 3600.0]  # no run-on
    expected = occupancy(54.0, 60, 240.0, 120.0)
    assert expected == pytest.approx(0.8804, abs=1e-4)
    z = z_score(occ, expected)
    assert abs(z) < Z_MAX, (np.mean(occ), expected, z)
    assert np.mean(total) < np.mean(occ)  # the first hour starts empty


def test_next_on_table() -> None:
    nxt = _next_on_table((2, 0, 1))
    assert nxt.tolist() == [[0, 2, 2, 3], [0, 3, 3, 3]]


def test_spans_per_interval() -> None:
    """Spans are cut at the interval boundaries; time after the horizon (120 s) is dropped."""
    out = seconds_per_interval(
        np.array([10.0, 50.0, 90.0]), np.array([20.0, 130.0, 400.0]), 60.0, 2
    )
    assert out.tolist() == [10.0 + 10.0, 60.0 + 30.0]
    assert seconds_per_interval(np.array([-5.0, 130.0]), np.array([5.0, 200.0]), 60.0, 2).tolist() == [
        5.0,
        0.0,
    ]


def test_staffing_changes_and_overrun() -> None:
    """Two agents then none then two: calls never start in the empty interval."""
    data = {
        "interval_minutes": 10,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [30, 30, 30],
                "aht_seconds": 300,
                "patience_mean_seconds": 100000,
            }
        ],
        "agents_per_interval": [2, 0, 2],
    }
    s = parse_scenario(data)
    o = simulate_fcfs(s, np.random.default_rng(3))
    t = o.table
    starts = t.arrived_at[t.answered] + t.wait_seconds[t.answered]
    assert not np.any((starts >= 600) & (starts < 1200))
    assert o.agent_time.available_seconds[1] > 0  # agents finishing calls past 10:00
    assert np.all(o.agent_time.busy_seconds <= o.agent_time.available_seconds + 1e-6)
