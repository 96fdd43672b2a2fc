"""Blending in the outbound simulation: an intraday inbound forecast, the ``model`` policy
(Bhulai and Koole's threshold with the measured feedback) and the blending target on the
bank's mix, preview time counted as outbound work, and the inbound defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.cli import main
from simulations.bank import intraday_steps
from simulations.outbound import simulate_outbound
from simulations.outbound_scenario import DAY, OutboundScenarioError, scenario_from_dict

BASE: dict[str, Any] = {"agents": 20, "answer_rate": 0.25, "aht_seconds": 180,
                        "mode": "predictive"}


@pytest.mark.parametrize(("inbound", "field"), [
    ({"calls_per_hour": [], "aht_seconds": 180}, "inbound.calls_per_hour"),
    ({"calls_per_hour": [{"from": "9", "calls_per_hour": 10}], "aht_seconds": 180},
     "inbound.calls_per_hour[0].from"),
    ({"calls_per_hour": [{"from": "09:00", "calls_per_hour": -1}], "aht_seconds": 180},
     "inbound.calls_per_hour[0].calls_per_hour"),
    ({"calls_per_hour": [{"from": "10:00", "calls_per_hour": 5},
                         {"from": "09:00", "calls_per_hour": 5}], "aht_seconds": 180},
     "inbound.calls_per_hour"),
    ({"calls_per_hour": [{"from": "09:00", "calls_per_hour": 0}], "aht_seconds": 180},
     "inbound.calls_per_hour"),
    ({"calls_per_hour": ["x"], "aht_seconds": 180}, "inbound.calls_per_hour[0]"),
])
def test_bad_inbound_steps_name_the_field(inbound: dict[str, Any], field: str) -> None:
    with pytest.raises(OutboundScenarioError) as info:
        scenario_from_dict({**BASE, "inbound": inbound})
    assert info.value.field == field


@pytest.mark.parametrize(("extra", "field"), [
    ({"blend_policy": "greedy"}, "blend_policy"),
    ({"blend_sl_margin": 0.9}, "blend_sl_margin"),
    ({"blend_sl_margin": "small"}, "blend_sl_margin"),
    ({"blend_feedback": "yes"}, "blend_feedback"),
])
def test_bad_blend_fields_name_the_field(extra: dict[str, Any], field: str) -> None:
    inbound = {"calls_per_hour": 100, "aht_seconds": 180}
    with pytest.raises(OutboundScenarioError) as info:
        scenario_from_dict({**BASE, "inbound": inbound, **extra})
    assert info.value.field == field


def test_inbound_steps_follow_the_forecast() -> None:
    """Busy mornings, quiet evenings: 300 calls an hour 09:00-12:00, 60 after."""
    steps = [{"from": "09:00", "calls_per_hour": 300}, {"from": "12:00", "calls_per_hour": 60}]
    scenario = scenario_from_dict({**BASE, "mode": "none", "open": "09:00", "close": "15:00",
                                   "inbound": {"calls_per_hour": steps, "aht_seconds": 180}})
    assert scenario.inbound is not None and scenario.inbound.rate_at(DAY + 13 * 3600) == 60
    run = simulate_outbound(scenario, 2, np.random.default_rng(3), keep_events=True)
    from routing.events import ContactArrived

    arrivals = [ev.at % DAY for ev in run.events if isinstance(ev, ContactArrived)]
    morning = sum(1 for t in arrivals if t < 12 * 3600)
    afternoon = len(arrivals) - morning
    assert 1600 < morning < 2000 and 280 < afternoon < 440  # 1800 and 360 expected


def test_the_bank_curve_as_steps() -> None:
    steps = intraday_steps(200.0)
    assert steps[0]["from"] == "09:00" and steps[-1]["from"] == "17:30" and len(steps) == 18
    assert np.mean([s["calls_per_hour"] for s in steps]) == pytest.approx(200.0, abs=0.01)
    peak = max(steps, key=lambda s: s["calls_per_hour"])
    assert peak["from"] in ("10:00", "10:30")
    with pytest.raises(ValueError):
        intraday_steps(100.0, "07:00", "09:00")


def _bank_mix(agents: int) -> dict[str, Any]:
    """The README's bank mix: inbound about half the agents' time on average (the bank's
    15,000 inbound calls and 41,000 dials a day at 90 % occupancy), on the bank's intraday
    curve."""
    return {"agents": agents, "answer_rate": 0.25, "aht_seconds": 180,
            "inbound": {"calls_per_hour": intraday_steps(agents * 0.5 * 3600 / 180),
                        "aht_seconds": 180}}


def test_the_model_policy_meets_the_blending_target_on_the_bank_mix() -> None:
    """Issue 13's target: inbound service level within 1 point of the inbound-only center
    (same callers: same seed) while outbound uses at least 70 % of its idle time. A fixed
    reserve of one agent takes more idle time but loses ~2 points on the same callers."""
    base = _bank_mix(50)

    def run(**policy: Any) -> dict[str, Any]:
        scenario = scenario_from_dict({**base, **policy})
        return simulate_outbound(scenario, 1, np.random.default_rng(1)).summary()

    only = run(mode="none")
    blended = run(mode="predictive", blend_policy="model")
    fixed = run(mode="predictive", blend_policy="reserve", blend_reserve=1)
    assert only["inbound"]["offered"] == blended["inbound"]["offered"] > 4000
    sl0 = only["inbound"]["service_level"]
    used = blended["outbound_work_seconds"] / only["idle_seconds"]
    assert sl0 - blended["inbound"]["service_level"] <= 0.008  # 1 point, with a margin
    assert used >= 0.74  # 70 %, with a margin
    assert blended["idle_time_used"] == pytest.approx(used, abs=0.01)
    assert blended["max_abandon_rate_24h"] <= 0.03 and blended["rule_violations"] == 0
    assert sl0 - fixed["inbound"]["service_level"] > 0.012


def test_the_model_reserve_follows_the_load_of_the_moment() -> None:
    """Same callers: the model policy keeps more agents idle in the 10:00 peak than in the
    17:00 trough, so outbound connects cluster where inbound is quiet."""
    scenario = scenario_from_dict({**_bank_mix(30), "mode": "predictive",
                                   "blend_policy": "model", "blend_feedback": False})
    run = simulate_outbound(scenario, 1, np.random.default_rng(2), keep_events=True)
    from routing.events import ContactAnswered, ContactArrived

    outbound = {ev.contact_id for ev in run.events
                if isinstance(ev, ContactArrived) and ev.direction == "outbound"}
    answered = [ev.at for ev in run.events
                if isinstance(ev, ContactAnswered) and ev.contact_id in outbound]
    peak = sum(1 for t in answered if 10 * 3600 <= t < 11 * 3600)
    trough = sum(1 for t in answered if 17 * 3600 <= t < 18 * 3600)
    assert trough > 2 * peak > 0


def test_preview_time_counts_as_outbound_work() -> None:
    scenario = scenario_from_dict({**BASE, "mode": "preview", "open": "09:00", "close": "12:00",
                                   "inbound": {"calls_per_hour": 150, "aht_seconds": 180}})
    s = simulate_outbound(scenario, 1, np.random.default_rng(4)).summary()
    # 15 s of reading per dial, plus the ring the agent waits on
    assert s["outbound_preview_seconds"] > 15 * s["dials"]
    assert s["outbound_work_seconds"] == pytest.approx(
        s["outbound_handle_seconds"] + s["outbound_preview_seconds"], abs=0.2)
    not_inbound = 20 * 3 * 3600 - s["inbound"]["handle_seconds"]
    assert s["idle_time_used"] == pytest.approx(s["outbound_work_seconds"] / not_inbound,
                                                rel=1e-3)


def test_inbound_patience_may_be_left_out_on_the_command_line(tmp_path: Path) -> None:
    """README: ``patience_mean_seconds`` defaults to 120 s (``null``: callers never hang up)."""
    scenario = tmp_path / "s.json"
    out = tmp_path / "r.json"
    data = {**BASE, "open": "09:00", "close": "10:00",
            "inbound": {"calls_per_hour": 400, "aht_seconds": 180}}
    scenario.write_text(json.dumps(data))
    assert main(["simulate-outbound", str(scenario), "--seed", "3", "--out", str(out)]) == 0
    left_out = json.loads(out.read_text())["summary"]["inbound"]
    assert left_out["abandoned"] > 0  # 20 Erlangs on 20 agents: the impatient hang up
    data["inbound"] = {**data["inbound"], "patience_mean_seconds": 120}
    scenario.write_text(json.dumps(data))
    assert main(["simulate-outbound", str(scenario), "--seed", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["summary"]["inbound"] == left_out
    data["inbound"] = {**data["inbound"], "patience_mean_seconds": None}
    scenario.write_text(json.dumps(data))
    assert main(["simulate-outbound", str(scenario), "--seed", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["summary"]["inbound"]["abandoned"] == 0
