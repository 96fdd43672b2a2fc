"""The outbound simulation's event lists, byte for byte: digests of seeded runs.

Each case runs a scenario for one day with ``keep_events=True`` and hashes ``repr`` of every
event, in order. The digests were taken from the simulator before the dialler moved out of
``simulations/outbound.py`` into ``simulations/dialer.py`` (commit 2158a63) and held after it:
the simulator and the live center drive one dialler without the simulation changing. A change
that means to change the events (a new rule, a new draw) updates them, and says so in its
commit (``WrapUpEnded`` gaining its ``party`` field changed every ``repr``, nothing else: the
digests were re-taken with the old ones checked on the text without ``, party=None``; then
the robot agents saying whom they reached, drawn from a child stream so every other draw
stays: checked with each ``party='...'`` read as ``party=None``). The draws come from numpy's ``default_rng`` (PCG64), whose streams numpy keeps stable.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

from routing.events import WrapUpEnded
from simulations.outbound import simulate_outbound
from simulations.outbound_scenario import scenario_from_dict

CASES: dict[str, tuple[dict[str, Any], int, str]] = {
    # predictive, an answer rate that doubles at 11:00, machine-detector false positives
    "predictive": (
        {"agents": 10, "answer_rate": [{"from": "09:00", "rate": 0.2},
                                       {"from": "11:00", "rate": 0.4}],
         "aht_seconds": 150, "mode": "predictive", "amd_false_positive": 0.05},
        26088, "574f5955f01bbecccfd35d070c502c9833abccb259d181530a33ef2bb7fe171a"),
    # preview dialling under the collection rules
    "preview_collections": (
        {"agents": 6, "answer_rate": 0.3, "aht_seconds": 180, "mode": "preview",
         "campaign_type": "collections", "close": "13:00"},
        7076, "527fea402f9c7e0b49f087de0f7e20334ec7b7dddb023a4c61797af53a6f3f7b"),
    # progressive, blended with inbound calls under Bhulai and Koole's threshold
    "blend_model": (
        {"agents": 12, "answer_rate": 0.25, "aht_seconds": 180, "mode": "progressive",
         "inbound": {"calls_per_hour": 50, "aht_seconds": 180}, "blend_policy": "model",
         "close": "13:00"},
        10224, "6b62ca5ecc28e5b0b9fd498e32e404963bdf7ef30614611c23349b6fb7227f51"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outbound_events_are_unchanged(name: str) -> None:
    scenario, count, digest = CASES[name]
    run = simulate_outbound(scenario_from_dict(scenario), 1, np.random.default_rng(11),
                            keep_events=True)
    assert len(run.events) == count
    assert hashlib.sha256("\n".join(repr(e) for e in run.events).encode()).hexdigest() == digest


def test_robot_agents_say_whom_they_reached_in_the_scenario_shares() -> None:
    """Every outbound wrap-up names a party (but those the shift's end cut short: the
    engine ends them without a disposition); the shares follow the scenario's rates."""
    scenario = {"agents": 10, "answer_rate": 0.3, "aht_seconds": 120, "mode": "progressive",
                "right_party_rate": 0.6, "wrong_party_rate": 0.1}
    run = simulate_outbound(scenario_from_dict(scenario), 1, np.random.default_rng(5),
                            keep_events=True)
    said = [e.party for e in run.events if isinstance(e, WrapUpEnded)]
    parties = [p for p in said if p is not None]
    assert len(parties) > 300 and len(said) - len(parties) <= 10
    share = {p: parties.count(p) / len(parties) for p in set(parties)}
    assert abs(share["right_party"] - 0.6) < 0.06 and abs(share["wrong_party"] - 0.1) < 0.04
    assert abs(share["third_party"] - 0.3) < 0.06
