"""General path: it drives routing.engine, agrees with the fast path and theory, and its
event log obeys the rules (offers only to ready agents with the skill, breaks, shifts)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from qa.accumulator import KpiAccumulator
from qa.agent_time import AgentTimeBuilder
from qa.counts import count_callbacks, count_contacts
from qa.records import ContactTable, RecordBuilder
from routing.events import (
    EVENT_TYPES,
    AgentStateChanged,
    ContactAnswered,
    ContactOffered,
    event_from_json,
)
from simulations.center import duty_spans, simulate_center
from simulations.fcfs import simulate_fcfs
from simulations.scenario import parse_scenario
from tests.simulations.theory import (
    erlang_a,
    figures,
    interval_occupancy,
    occupancy,
    z_score,
    z_two,
)

Z_MAX = 3.5

SINGLE: dict[str, Any] = {
    "interval_minutes": 30,
    "queues": [
        {
            "name": "q",
            "calls_per_interval": [200, 260, 300, 180],
            "aht_seconds": 180,
            "aht_distribution": "lognormal",
            "aht_cv": 0.9,
            "patience_mean_seconds": 90,
            "wrap_up_seconds": 12,
        }
    ],
    "agents_per_interval": [24],
}

MULTI: dict[str, Any] = {
    "interval_minutes": 30,
    "queues": [
        {
            "name": "general",
            "calls_per_interval": [100, 200, 250, 150],
            "aht_seconds": 240,
            "patience_mean_seconds": 120,
            "wrap_up_seconds": 15,
            "tier_mix": {"private_banker": 0.02, "platinum": 0.03, "core": 0.95},
        },
        {"name": "loans", "skill": "loans", "calls_per_interval": [20], "aht_seconds": 300},
    ],
    "agent_groups": [
        {"name": "gen", "skills": {"general": 4}, "agents_per_interval": [15, 30, 40, 20]},
        {
            "name": "loan",
            "skills": {"loans": 5, "general": 2},
            "agents_per_interval": [4],
            "site": "busan",
        },
    ],
    "roster": [
        {
            "agent_id": "rm",
            "count": 3,
            "skills": ["general"],
            "shifts": [
                {"start": "00:15", "end": "01:45", "breaks": [{"start": "00:45", "end": "01:00"}]}
            ],
        }
    ],
}


def test_general_equals_fast_path_call_for_call() -> None:
    """Constant staffing, FCFS: same callers from the same seed, the same waits."""
    s = parse_scenario(SINGLE)
    fast = simulate_fcfs(s, np.random.default_rng(5))
    gen = simulate_center(s, np.random.default_rng(5))
    assert len(fast.table) == len(gen.table) > 500
    assert np.array_equal(fast.table.answered, gen.table.answered)
    np.testing.assert_allclose(gen.table.wait_seconds, fast.table.wait_seconds, atol=1e-9)
    np.testing.assert_allclose(gen.agent_time.busy_seconds, fast.agent_time.busy_seconds, rtol=1e-9)
    np.testing.assert_allclose(
        gen.agent_time.available_seconds, fast.agent_time.available_seconds, rtol=1e-9
    )
    assert gen.end_seconds == pytest.approx(fast.end_seconds)


def test_general_agrees_with_fast_path_when_staffing_changes() -> None:
    data = copy.deepcopy(SINGLE)
    data["agents_per_interval"] = [20, 28, 30, 18]
    s = parse_scenario(data)
    seqs = np.random.SeedSequence(21).spawn(16)
    fast = [figures(simulate_fcfs(s, np.random.default_rng(q)).table, 20, 0) for q in seqs[:8]]
    gen = [figures(simulate_center(s, np.random.default_rng(q)).table, 20, 0) for q in seqs[8:]]
    for key in ("service_level", "asa", "p_abandon"):
        z = z_two([r[key] for r in fast], [r[key] for r in gen])
        assert abs(z) < Z_MAX, (key, z)


def test_general_path_against_erlang_a() -> None:
    load, agents, aht, patience = 10.0, 10, 200.0, 150.0
    data = {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [load / aht * 3600] * 12,
                "aht_seconds": aht,
                "patience_mean_seconds": patience,
            }
        ],
        "agents_per_interval": [agents],
        "engine": "general",
    }
    s = parse_scenario(data)
    runs = []
    for q in np.random.SeedSequence(8).spawn(6):
        run = simulate_center(s, np.random.default_rng(q))
        row = figures(run.table, 20, 3600)
        row["occupancy"] = interval_occupancy(run.agent_time, 1)  # the last interval included
        row["last_occupancy"] = interval_occupancy(run.agent_time, -1)
        runs.append(row)
    p_wait, p_abandon = erlang_a(load, agents, aht, patience)
    occ = occupancy(load, agents, aht, patience)
    for key, value in (
        ("p_wait", p_wait),
        ("p_abandon", p_abandon),
        ("occupancy", occ),
        ("last_occupancy", occ),
    ):
        z = z_score([r[key] for r in runs], value)
        assert abs(z) < Z_MAX, (key, value, z)


@pytest.fixture(scope="module")
def multi_run() -> Any:
    return simulate_center(parse_scenario(MULTI), np.random.default_rng(2), keep_events=True)


def test_log_holds_only_contract_events_and_round_trips(multi_run: Any) -> None:
    assert multi_run.events and len(multi_run.events) == multi_run.n_events
    assert {type(e) for e in multi_run.events} <= set(EVENT_TYPES)
    assert all(event_from_json(e.to_json()) == e for e in multi_run.events[:2000])
    ats = [e.at for e in multi_run.events]
    assert ats == sorted(ats)


def test_offers_only_to_ready_agents_with_the_skill(multi_run: Any) -> None:
    skills = {"loans": {"loan"}, "general": {"gen", "loan", "rm"}}
    state: dict[str, str] = {}
    offered = 0
    for e in multi_run.events:
        if isinstance(e, AgentStateChanged):
            state[e.agent_id] = e.state
        elif isinstance(e, ContactOffered):
            assert state[e.agent_id] == "ready", e
            assert e.agent_id.rsplit("-", 1)[0] in skills[e.queue], e
            offered += 1
    assert offered > 700


def test_breaks_and_shifts_are_kept(multi_run: Any) -> None:
    """Roster agents take no call during their break or outside their shift (00:15–01:45)."""
    for e in multi_run.events:
        if isinstance(e, ContactAnswered) and e.agent_id.startswith("rm-"):
            assert 900 <= e.at < 6300 and not (2700 <= e.at < 3600), e
    reasons = {
        e.reason
        for e in multi_run.events
        if isinstance(e, AgentStateChanged) and e.agent_id.startswith("rm-")
    }
    assert {"break", "shift_end"} <= reasons


def test_counts_agents_log_out_after_their_call(multi_run: Any) -> None:
    """gen-25..29 are on only in interval 2: nobody is logged out while talking."""
    prev: dict[str, str] = {}
    for e in multi_run.events:
        if isinstance(e, AgentStateChanged):
            if e.state == "logged_out" and e.previous is not None:
                assert e.previous in ("ready", "not_ready"), e
            prev[e.agent_id] = e.state
    assert duty_spans((1, 3, 2), 60.0) == [[(0.0, np.inf)], [(60.0, np.inf)], [(60.0, 120.0)]]


def test_streaming_accumulator_equals_batch(multi_run: Any) -> None:
    acc = KpiAccumulator(threshold_seconds=20, short_abandon_seconds=5)
    for e in multi_run.events:
        acc.add(e)
    got, want = acc.counts().as_dict(), count_contacts(multi_run.table, 20, 5).as_dict()
    assert got == pytest.approx(want, rel=1e-12)
    assert got["offered"] == want["offered"] > 700
    assert acc.waiting() == []


def test_tier_priority_serves_vip_first(multi_run: Any) -> None:
    t = multi_run.table
    vip = np.isin(np.asarray(t.tiers)[t.tier_index], ["private_banker", "platinum"]) & t.answered
    core = (np.asarray(t.tiers)[t.tier_index] == "core") & t.answered & (t.queue_index == 0)
    assert t.wait_seconds[vip].mean() < t.wait_seconds[core].mean()


def test_each_contact_tells_the_story_in_order(multi_run: Any) -> None:
    """arrived, queued, (offered, answered, ended, wrap_up_ended) | abandoned — nothing else."""
    stories: dict[str, list[str]] = {}
    for e in multi_run.events:
        cid = getattr(e, "contact_id", None)
        if cid is not None:
            stories.setdefault(cid, []).append(e.type_name)
    served = [
        "contact_arrived",
        "contact_queued",
        "contact_offered",
        "contact_answered",
        "contact_ended",
        "wrap_up_ended",
    ]
    gone = ["contact_arrived", "contact_queued", "contact_abandoned"]
    assert all(s in (served, gone) for s in stories.values())
    assert sum(s == gone for s in stories.values()) > 0


def test_ring_delay_is_part_of_the_wait() -> None:
    data = copy.deepcopy(SINGLE)
    data["routing"] = {"ring_seconds": 3}
    run = simulate_center(parse_scenario(data), np.random.default_rng(4))
    t = run.table
    assert t.wait_seconds[t.answered].min() >= 3.0 - 1e-9
    assert t.answered.sum() > 500


def test_run_on_after_the_horizon_adds_no_agent_time() -> None:
    """One agent, one hour; a call from 50:00 talks 20 minutes, to 1:10:00. Only its first
    10 minutes are inside the horizon: busy 600 s of 3600 s available (it used to add the
    run-on, 1200 s busy of 4200 s)."""
    from simulations.callers import ScriptedContact

    data = {
        "interval_minutes": 60,
        "queues": [{"name": "q", "calls_per_interval": [0], "aht_seconds": 60}],
        "agents_per_interval": [1],
        "engine": "general",
    }
    run = simulate_center(
        parse_scenario(data), np.random.default_rng(0),
        contacts=[ScriptedContact(3000.0, "q", handle_seconds=1200.0)],
    )
    assert run.end_seconds == 4200.0
    assert run.agent_time.busy_seconds.tolist() == [600.0]
    assert run.agent_time.available_seconds.tolist() == [3600.0]


@pytest.mark.parametrize("name", ["multi", "holds_transfers_callbacks"])
def test_the_loops_folds_equal_a_fold_of_every_event(name: str) -> None:
    """The simulator's loop folds contact events by their type (``RecordBuilder.appliers``)
    and agent state changes in batches; its table, agent time and callback counts are those
    of :class:`~qa.records.RecordBuilder` and :class:`~qa.agent_time.AgentTimeBuilder` fed
    every event one at a time."""
    data = copy.deepcopy(MULTI)
    if name != "multi":
        data = {
            "interval_minutes": 60,
            "queues": [
                {"name": "q", "calls_per_interval": [300] * 2, "aht_seconds": 240,
                 "patience_mean_seconds": 120, "callback_acceptance_probability": 0.5,
                 "hold_probability": 0.2, "hold_mean_seconds": 30,
                 "transfer_probability": 0.1, "transfer_to": "cards"},
                {"name": "cards", "calls_per_interval": [0], "aht_seconds": 180},
            ],
            "agents_per_interval": [18],
            "routing": {"policy": {"callback_offer_wait_seconds": 10}},
        }
    scenario = parse_scenario(data)
    run = simulate_center(scenario, np.random.default_rng(5), keep_events=True)
    builder, agent_time = RecordBuilder(), AgentTimeBuilder(
        scenario.interval_seconds, scenario.n_intervals)
    for event in run.events:
        builder.add(event)
        agent_time.add(event)
    records = list(builder.records.values())
    table = ContactTable.from_records(
        records, queues=[q.name for q in scenario.queues], tiers=scenario.tiers,
        closed_at=run.end_seconds)
    columns = ("arrived_at", "wait_seconds", "answered", "abandoned", "queue_index",
               "tier_index", "callback_failed", "handle_seconds")
    assert run.table.transfer_legs is not None and table.transfer_legs is not None
    for got, want in ((run.table, table), (run.table.transfer_legs, table.transfer_legs)):
        for column in columns:
            np.testing.assert_array_equal(getattr(got, column), getattr(want, column))
    expected = agent_time.result(now=run.end_seconds)
    np.testing.assert_array_equal(run.agent_time.busy_seconds, expected.busy_seconds)
    np.testing.assert_array_equal(run.agent_time.available_seconds, expected.available_seconds)
    assert run.callbacks == count_callbacks(records)
    if name != "multi":
        assert run.callbacks.accepted > 0 and len(run.table.transfer_legs.arrived_at) > 0
        assert run.table.abandoned.any()
