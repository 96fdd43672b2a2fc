"""The general path's event lists, byte for byte: digests of seeded runs (a speed-up must
not change one event).

Each case runs a scenario with ``keep_events=True`` and hashes ``repr`` of every event,
in order, and the contact table's columns. The digests were taken from the simulator
before the speed work of issue 8 (commit 9088fba) and held after it. A change that means
to change the events (a new rule, a new draw) updates them, and says so in its commit.
The draws come from numpy's ``default_rng`` (PCG64), whose streams numpy keeps stable.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

from simulations.center import simulate_center
from simulations.scenario import parse_scenario


def _mm60(hours: int) -> dict[str, Any]:
    """bench_simulation.py's model: M/M/60+M, 810 calls/h, AHT 240 s, patience 120 s."""
    return {
        "interval_minutes": 60,
        "queues": [{"name": "q", "calls_per_interval": [810.0] * hours, "aht_seconds": 240.0,
                    "patience_mean_seconds": 120.0,
                    "tier_mix": {"private_banker": 0.1, "platinum": 0.2, "core": 0.7}}],
        "agents_per_interval": [60, 55, 62],
    }


def _sites() -> dict[str, Any]:
    """Sites, skill expansion, preferred agents on a roster with a break, holds,
    transfers, wrap-up, ring time, selection by idle time only."""
    return {
        "interval_minutes": 60,
        "queues": [
            {"name": "cards", "calls_per_interval": [160, 220, 90], "aht_seconds": 200,
             "patience_mean_seconds": 150, "min_proficiency": 3,
             "expansion": [{"after_seconds": 30, "skill": "general", "min_proficiency": 2}],
             "site_mix": {"seoul": 0.6, "busan": 0.4},
             "tier_mix": {"gold": 0.2, "core": 0.6, "private_banker": 0.2},
             "preferred_agent_share": 0.1, "preferred_agents": ["rm"], "wrap_up_seconds": 15},
            {"name": "general", "calls_per_interval": [100, 50, 120], "aht_seconds": 150,
             "patience_mean_seconds": 90, "hold_probability": 0.2, "hold_mean_seconds": 20,
             "transfer_probability": 0.1, "transfer_to": "cards"},
        ],
        "agent_groups": [
            {"name": "cards-seoul", "skills": {"cards": 4}, "site": "seoul",
             "agents_per_interval": [8, 10, 4]},
            {"name": "cards-busan", "skills": {"cards": 3}, "site": "busan",
             "agents_per_interval": [5, 6, 3]},
            {"name": "general", "skills": {"general": 3, "cards": 2}, "site": "seoul",
             "agents_per_interval": [12, 6, 9]},
        ],
        "roster": [{"agent_id": "rm", "count": 3, "skills": ["relationship"],
                    "shifts": [{"start": "00:00", "end": "02:00",
                                "breaks": [{"start": "00:30", "end": "00:45"}]}]}],
        "routing": {"ring_seconds": 2,
                    "policy": {"overflow_after_seconds": 45, "preferred_agent_wait_seconds": 60,
                               "selection": "longest_idle"}},
    }


def _callbacks() -> dict[str, Any]:
    return {
        "interval_minutes": 60,
        "queues": [{"name": "q", "calls_per_interval": [300] * 3, "aht_seconds": 240,
                    "patience_mean_seconds": 120, "callback_acceptance_probability": 0.8}],
        "agents_per_interval": [20],
        "routing": {"policy": {"callback_offer_wait_seconds": 10}},
    }


def digest(data: dict[str, Any], seed: int) -> tuple[int, str]:
    out = simulate_center(parse_scenario(data), np.random.default_rng(seed), keep_events=True)
    h = hashlib.sha256()
    for ev in out.events:
        h.update(repr(ev).encode())
    t = out.table
    for column in (t.arrived_at, t.wait_seconds, t.answered, t.abandoned, t.queue_index,
                   t.tier_index, t.handle_seconds):
        h.update(np.ascontiguousarray(column).tobytes())
    return len(out.events), h.hexdigest()


CASES = {
    "mm60": (_mm60(3), 0),
    "sites": (_sites(), 1),
    "callbacks": (_callbacks(), 2),
}

#: ``(events, sha256)`` per case, from the simulator at commit 9088fba; re-taken when
#: ``WrapUpEnded`` gained ``party`` (the old digests checked on the text without
#: ``, party=None``: nothing else changed).
EXPECTED = {
    "mm60": (23719, "26f3fdbdadba3d2efe68c2bae993ce64e8c202372c8b36de5e0fbcbb1061dfcb"),
    "sites": (7831, "7761868a6f26ed82645827163f4be8a77456a4151c4f71ce4feef01ac35d0930"),
    "callbacks": (9901, "f16f23865fd65982f85f553f45ce5cc8548afedfa6dc53bf4287a05a9c7d4646"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_general_path_events_are_unchanged(name: str) -> None:
    data, seed = CASES[name]
    assert digest(data, seed) == EXPECTED[name]

