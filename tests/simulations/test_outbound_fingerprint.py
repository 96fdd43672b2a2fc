"""The outbound simulation's event lists, byte for byte: digests of seeded runs.

Each case runs a scenario for one day with ``keep_events=True`` and hashes ``repr`` of every
event, in order. The digests were taken from the simulator before the dialler moved out of
``simulations/outbound.py`` into ``simulations/dialer.py`` (commit 2158a63) and held after it:
the simulator and the live center drive one dialler without the simulation changing. A change
that means to change the events (a new rule, a new draw) updates them, and says so in its
commit (``WrapUpEnded`` gaining its ``party`` field changed every ``repr``, nothing else: the
digests were re-taken with the old ones checked on the text without ``, party=None``). The draws come from numpy's ``default_rng`` (PCG64), whose streams numpy keeps stable.
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
        26088, "24d3e78f8c5ca5ab2a345e99dbef4a7961bd3fc28f8434c119d614191c318444"),
    # preview dialling under the collection rules
    "preview_collections": (
        {"agents": 6, "answer_rate": 0.3, "aht_seconds": 180, "mode": "preview",
         "campaign_type": "collections", "close": "13:00"},
        7076, "0e2c5b59b74be288bea7742b183588b5df8e7e3488207af2761acf8fbbf6af08"),
    # progressive, blended with inbound calls under Bhulai and Koole's threshold
    "blend_model": (
        {"agents": 12, "answer_rate": 0.25, "aht_seconds": 180, "mode": "progressive",
         "inbound": {"calls_per_hour": 50, "aht_seconds": 180}, "blend_policy": "model",
         "close": "13:00"},
        10224, "5ad421c4079678eeef3c0284dc689d124a3451279514cccc263de5a1876f51a8"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outbound_events_are_unchanged(name: str) -> None:
    scenario, count, digest = CASES[name]
    run = simulate_outbound(scenario_from_dict(scenario), 1, np.random.default_rng(11),
                            keep_events=True)
    assert len(run.events) == count
    assert hashlib.sha256("\n".join(repr(e) for e in run.events).encode()).hexdigest() == digest
