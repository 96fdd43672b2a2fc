"""The outbound campaign simulation: modes, the abandonment cap, a jump in the answer rate,
the contact rules, the events on the engine, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from routing.events import ContactAnswered, ContactArrived, DialAttempted, DialResult
from simulations.outbound import simulate_outbound
from simulations.outbound_scenario import OutboundScenarioError, scenario_from_dict

BASE = {"agents": 12, "answer_rate": 0.25, "aht_seconds": 180, "abandon_cap": 0.03,
        "open": "09:00", "close": "18:00"}


def run(mode: str, days: int = 1, seed: int = 5, **kw: object):  # type: ignore[no-untyped-def]
    scenario = scenario_from_dict({**BASE, "mode": mode, **kw})
    return simulate_outbound(scenario, days, np.random.default_rng(seed), keep_events=True)


def test_progressive_and_preview_never_abandon_and_predictive_keeps_agents_busier() -> None:
    prog, prev, pred = run("progressive"), run("preview"), run("predictive")
    for r in (prog, prev):
        s = r.summary()
        assert s["abandoned"] == 0 and s["connects"] == s["live_answers"] > 500
    sp = pred.summary()
    assert sp["max_abandon_rate_24h"] <= 0.03
    assert sp["agent_occupancy"] > prog.summary()["agent_occupancy"] + 0.10
    assert prog.summary()["agent_occupancy"] > prev.summary()["agent_occupancy"]
    for r in (prog, prev, pred):
        assert r.summary()["rule_violations"] == 0


def test_every_dial_has_its_events_and_connects_are_engine_contacts() -> None:
    r = run("predictive", agents=6)
    attempted = [e for e in r.events if isinstance(e, DialAttempted)]
    results = [e for e in r.events if isinstance(e, DialResult)]
    assert len(attempted) == r.summary()["dials"]
    # every dial placed ended (the day closes a minute after the last dial)
    assert {e.contact_id for e in results} == {e.contact_id for e in attempted}
    connected = {e.contact_id for e in results if e.result == "connected"}
    arrived = {e.contact_id: e for e in r.events if isinstance(e, ContactArrived)}
    answered = {e.contact_id for e in r.events if isinstance(e, ContactAnswered)}
    assert connected == answered
    assert all(arrived[c].direction == "outbound" for c in connected)
    abandoned = [e for e in results if e.result == "abandoned"]
    assert len(abandoned) == r.summary()["abandoned"]


def test_contact_rules_refuse_what_is_outside_calling_hours() -> None:
    # a campaign that opens at 07:00 in Korea: no dial before 08:00 (KR telesales rules)
    r = run("progressive", agents=4, open="07:00", close="10:00")
    s = r.summary()
    assert s["refused_dials"].get("calling_hours", 0) > 0 and s["rule_violations"] == 0
    first = min(e.at for e in r.events if isinstance(e, DialAttempted))
    assert first >= 8 * 3600


@pytest.mark.parametrize(("data", "field"), [
    ({**BASE, "agents": 0}, "agents"),
    ({**BASE, "mode": "robo"}, "mode"),
    ({**BASE, "answer_rate": 0}, "answer_rate"),
    ({**BASE, "answer_rate": [{"from": "12:00", "rate": 0.2}, {"from": "11:00", "rate": 0.3}]},
     "answer_rate"),
    ({**BASE, "open": "9"}, "open"),
    ({**BASE, "close": "08:00"}, "close"),
    ({**BASE, "aht_seconds": "long"}, "aht_seconds"),
    ({**BASE, "abandon_cap": 0.9}, "abandon_cap"),
    ({**BASE, "time_zone": "Nowhere/City"}, "time_zone"),
    ({**BASE, "country": "ZZ"}, "country"),
    ({**BASE, "dialer": "x"}, "dialer"),
    ({**BASE, "answer_rate_by_day": [0.2, 1.5]}, "answer_rate_by_day[1]"),
    ([1, 2], "scenario"),
])
def test_bad_scenarios_name_the_field(data: object, field: str) -> None:
    with pytest.raises(OutboundScenarioError) as info:
        scenario_from_dict(data)
    assert info.value.field == field


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"agents": 20, "answer_rate": 0.25, "aht_seconds": 180,
                                    "mode": "predictive", "abandon_cap": 0.03,
                                    "open": "09:00", "close": "12:00"}))
    out = tmp_path / "r.json"
    assert main(["simulate-outbound", str(scenario), "--days", "1", "--seed", "2",
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    s = result["summary"]
    for key in ("max_abandon_rate_24h", "abandon_rate_total", "agent_occupancy", "connects",
                "rule_violations"):
        assert key in s
    assert s["rule_violations"] == 0 and s["connects"] > 0 and len(result["per_day"]) == 1
    # the same seed gives the same run
    out2 = tmp_path / "r2.json"
    assert main(["simulate-outbound", str(scenario), "--days", "1", "--seed", "2",
                 "--out", str(out2)]) == 0
    assert json.loads(out2.read_text())["summary"] == s
    bad = tmp_path / "bad.json"
    bad.write_text('{"agents": 20, "answer_rate": 2, "aht_seconds": 180}')
    assert main(["simulate-outbound", str(bad)]) == 2
    assert "answer_rate" in capsys.readouterr().err


def test_blending_puts_inbound_first_and_the_reserve_protects_it() -> None:
    base = {"agents": 12, "answer_rate": 0.25, "aht_seconds": 180,
            "inbound": {"calls_per_hour": 150, "aht_seconds": 180,
                        "patience_mean_seconds": 120}}

    def blended(mode: str, reserve: int = 2):  # type: ignore[no-untyped-def]
        scenario = scenario_from_dict({**base, "mode": mode, "blend_reserve": reserve,
                                       "open": "09:00", "close": "13:00"})
        return simulate_outbound(scenario, 1, np.random.default_rng(4)).summary()

    only = blended("none")
    assert only["dials"] == 0 and only["inbound"]["offered"] > 450
    small, large = blended("progressive", 1), blended("progressive", 5)
    for s in (small, large):
        assert s["inbound"]["offered"] == only["inbound"]["offered"]  # the same callers
        assert s["outbound_handle_seconds"] > 0 and s["rule_violations"] == 0
    # a larger reserve of idle agents: better inbound service, less outbound work
    assert (small["inbound"]["service_level"] < large["inbound"]["service_level"]
            <= only["inbound"]["service_level"] + 0.01)
    assert small["outbound_handle_seconds"] > large["outbound_handle_seconds"]
    ib = only["inbound"]
    assert ib["answered"] + ib["abandoned"] <= ib["offered"]
    with pytest.raises(OutboundScenarioError) as info:
        scenario_from_dict({"agents": 3, "answer_rate": 0.2, "aht_seconds": 100, "mode": "none"})
    assert info.value.field == "mode"
    with pytest.raises(OutboundScenarioError) as info:
        scenario_from_dict({**base, "inbound": {"calls_per_hour": -1, "aht_seconds": 100}})
    assert info.value.field == "inbound.calls_per_hour"
