"""The outbound simulation's event lists, byte for byte: digests of seeded runs.

Each case runs a scenario for one day with ``keep_events=True`` and hashes ``repr`` of every
event, in order. The digests were taken from the simulator before the dialler moved out of
``simulations/outbound.py`` into ``simulations/dialer.py`` (commit 2158a63) and held after it:
the simulator and the live center drive one dialler without the simulation changing. A change
that means to change the events (a new rule, a new draw) updates them, and says so in its
commit. The draws come from numpy's ``default_rng`` (PCG64), whose streams numpy keeps stable.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

from simulations.outbound import simulate_outbound
from simulations.outbound_scenario import scenario_from_dict

CASES: dict[str, tuple[dict[str, Any], int, str]] = {
    # predictive, an answer rate that doubles at 11:00, machine-detector false positives
    "predictive": (
        {"agents": 10, "answer_rate": [{"from": "09:00", "rate": 0.2},
                                       {"from": "11:00", "rate": 0.4}],
         "aht_seconds": 150, "mode": "predictive", "amd_false_positive": 0.05},
        26088, "96fc7d71db4e76f4be387f807b1bf3837bfeb5c4377a92f03fdee0a7d6a4b476"),
    # preview dialling under the collection rules
    "preview_collections": (
        {"agents": 6, "answer_rate": 0.3, "aht_seconds": 180, "mode": "preview",
         "campaign_type": "collections", "close": "13:00"},
        7076, "30e393d7d3871e1e79c6d50ee424de24f0395535b1abadfe3a8643dff34336b1"),
    # progressive, blended with inbound calls under Bhulai and Koole's threshold
    "blend_model": (
        {"agents": 12, "answer_rate": 0.25, "aht_seconds": 180, "mode": "progressive",
         "inbound": {"calls_per_hour": 50, "aht_seconds": 180}, "blend_policy": "model",
         "close": "13:00"},
        10224, "00dda6dfd982a78cd1f720aee0461f5bfb61c9f09571f1c189b379fdc87ee0a4"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outbound_events_are_unchanged(name: str) -> None:
    scenario, count, digest = CASES[name]
    run = simulate_outbound(scenario_from_dict(scenario), 1, np.random.default_rng(11),
                            keep_events=True)
    assert len(run.events) == count
    assert hashlib.sha256("\n".join(repr(e) for e in run.events).encode()).hexdigest() == digest
