"""Callbacks, holds and transfers on the general path; scripted callers; their validation."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from qa.counts import count_callbacks, count_contacts
from qa.records import ContactTable, records_from_events
from routing.events import (
    CallbackScheduled,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactHeld,
    ContactOffered,
    ContactRetrieved,
    ContactTransferred,
    Event,
    WrapUpEnded,
)
from simulations.callers import ScriptedContact
from simulations.center import CenterRun, simulate_center
from simulations.replications import run_replications
from simulations.scenario import ScenarioError, parse_scenario


def callback_scenario(acceptance: float) -> dict[str, Any]:
    """~M/M/20+M at load 20 (300 calls/h x 240 s): about 10 % abandon without callbacks."""
    return {
        "interval_minutes": 60,
        "queues": [
            {
                "name": "q",
                "calls_per_interval": [300, 300],
                "aht_seconds": 240,
                "patience_mean_seconds": 120,
                "callback_acceptance_probability": acceptance,
            }
        ],
        "agents_per_interval": [20],
        "routing": {"policy": {"callback_offer_wait_seconds": 10}},
    }


TRANSFERS: dict[str, Any] = {
    "interval_minutes": 30,
    "queues": [
        {
            "name": "front",
            "calls_per_interval": [60, 60],
            "aht_seconds": 90,
            "patience_mean_seconds": 200,
            "hold_probability": 0.5,
            "hold_mean_seconds": 30,
            "transfer_probability": 0.5,
            "transfer_to": "cards",
            "wrap_up_seconds": 5,
        },
        {
            "name": "cards",
            "calls_per_interval": [10],
            "aht_seconds": 200,
            "aht_distribution": "deterministic",
            "transfer_probability": 0.3,
            "transfer_to": "loans",
            "wrap_up_seconds": 8,
        },
        {"name": "loans", "calls_per_interval": [0], "aht_seconds": 300, "hold_probability": 1,
         "hold_mean_seconds": 20},
    ],
    "agent_groups": [
        {"name": "front", "skills": ["front"], "agents_per_interval": [4]},
        {"name": "cards", "skills": ["cards"], "agents_per_interval": [3]},
        {"name": "loans", "skills": ["loans"], "agents_per_interval": [1]},
    ],
}


def run(data: dict[str, Any], seed: int = 0, **kwargs: Any) -> CenterRun:
    return simulate_center(parse_scenario(data), np.random.default_rng(seed), True, **kwargs)


def of(events: list[Event], kind: type[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


# --- callbacks --------------------------------------------------------------------------


def test_callbacks_reduce_abandonment_at_the_same_staffing() -> None:
    """Paired by seed (the same callers: decisions are drawn after the callers), 10 seeds:
    the mean drop in P(abandon) is over 2 points and its paired z-score over 4
    (observed: 10.1 % -> 6.1 %, z = 17 over 20 seeds)."""
    without, with_ = [], []
    for seed in range(10):
        a = count_contacts(run(callback_scenario(0.0), seed).table, 20)
        b = count_contacts(run(callback_scenario(0.8), seed).table, 20)
        without.append(a.abandoned / a.offered)
        with_.append(b.abandoned / b.offered)
    d = np.asarray(without) - np.asarray(with_)
    z = d.mean() / (d.std(ddof=1) / math.sqrt(len(d)))
    assert d.mean() > 0.02 and z > 4, (np.mean(without), np.mean(with_), z)


def test_accepted_callbacks_never_abandon_and_are_dialled() -> None:
    out = run(callback_scenario(0.8), seed=3)
    accepted = {e.contact_id for e in of(out.events, CallbackScheduled)}
    assert len(accepted) > 20
    assert not accepted & {e.contact_id for e in of(out.events, ContactAbandoned)}
    dialled = {e.contact_id for e in of(out.events, ContactOffered) if e.callback}
    assert dialled == accepted  # every accepted callback was dialled (and only those)
    ended = {e.contact_id for e in of(out.events, ContactEnded)}
    assert accepted <= ended
    records = {r.contact_id: r for r in records_from_events(out.events)}
    assert all(records[c].answered_at is not None for c in accepted)
    assert out.callbacks.accepted == len(accepted) == out.callbacks.answered
    assert out.callbacks.offered >= out.callbacks.accepted
    assert out.callbacks.wait_seconds > 0


def test_callback_figures_in_the_result() -> None:
    doc, _ = run_replications(parse_scenario(callback_scenario(0.8)), 2, seed=1, workers=1)
    s = doc["summary"]
    assert s["callbacks_accepted"] > 0 and s["callbacks_offered"] >= s["callbacks_accepted"]
    assert 0.6 < s["callback_acceptance"] < 1.0
    assert s["callback_wait_seconds"] > 0
    plain, _ = run_replications(parse_scenario(copy.deepcopy(TRANSFERS)), 1, seed=1, workers=1)
    assert "callbacks_offered" not in plain["summary"]  # no offers configured, no figures


def test_zero_acceptance_is_the_declining_caller_of_before() -> None:
    """Acceptance 0 draws nothing: the same events as the same scenario without the field."""
    data = callback_scenario(0.0)
    del data["queues"][0]["callback_acceptance_probability"]
    assert run(callback_scenario(0.0), 5).events == run(data, 5).events


# --- holds and transfers ------------------------------------------------------------------


def test_transfer_chains_end_with_every_contact_ended() -> None:
    out = run(TRANSFERS, seed=2)
    ev = out.events
    transfers = of(ev, ContactTransferred)
    assert {t.target_queue for t in transfers} == {"cards", "loans"}  # chains front->cards->loans
    arrived = {r.contact_id for r in records_from_events(ev)}
    abandoned = {e.contact_id for e in of(ev, ContactAbandoned)}
    ended = {e.contact_id for e in of(ev, ContactEnded)}
    assert arrived == abandoned | ended and not abandoned & ended
    # one wrap-up per leg: every answer ends in a hang-up or a transfer, then a wrap-up
    assert len(of(ev, ContactAnswered)) == len(ended) + len(transfers) == len(of(ev, WrapUpEnded))
    # the leg after a transfer is answered by an agent of the target queue
    target = {t.contact_id: t.target_queue for t in transfers}
    for a in of(ev, ContactAnswered):
        if a.queue == "loans":
            assert a.agent_id.startswith("loans-") and target[a.contact_id] == "loans"
    # a transferred caller never abandons
    assert not abandoned & set(target)


def test_transferred_leg_takes_the_target_queue_handle_time() -> None:
    data = copy.deepcopy(TRANSFERS)
    data["queues"][0].update(hold_probability=0, transfer_probability=1)
    data["queues"][1].update(calls_per_interval=[0], transfer_probability=0)
    ev = run(data, seed=4).events
    answers = {(a.contact_id, a.queue): a.at for a in of(ev, ContactAnswered)}
    ends = of(ev, ContactEnded)
    assert ends and all(e.queue == "cards" for e in ends)
    for e in ends:
        assert e.at - answers[(e.contact_id, "cards")] == pytest.approx(200.0)  # deterministic


def test_hold_time_counts_in_handle_time() -> None:
    data = copy.deepcopy(TRANSFERS)
    data["queues"] = [
        {"name": "front", "calls_per_interval": [0], "aht_seconds": 90, "hold_probability": 1,
         "hold_mean_seconds": 30}
    ]
    data["agent_groups"] = data["agent_groups"][:1]
    contacts = [ScriptedContact(10.0 * k, "front", handle_seconds=100.0) for k in range(3)]
    ev = run(data, seed=6, contacts=contacts).events
    held = {e.contact_id: e.at for e in of(ev, ContactHeld)}
    back = {e.contact_id: e.at for e in of(ev, ContactRetrieved)}
    assert set(held) == set(back) == {"c0", "c1", "c2"}
    for r in records_from_events(ev):
        hold = back[r.contact_id] - held[r.contact_id]
        assert hold > 0
        assert held[r.contact_id] - (r.answered_at or 0) == pytest.approx(50.0)  # half-way
        assert r.handle_seconds == pytest.approx(100.0 + hold)
        assert r.holds == 1


def test_deterministic_from_the_seed() -> None:
    for data in (TRANSFERS, callback_scenario(0.5)):
        a, b, c = run(data, 11).events, run(data, 11).events, run(data, 12).events
        assert a == b and a != c


def test_contact_options_rule_out_the_fast_path() -> None:
    data = copy.deepcopy(callback_scenario(0.0))
    del data["routing"]
    data["queues"][0].update(callback_acceptance_probability=0, hold_probability=0.1,
                             hold_mean_seconds=10)
    assert not parse_scenario(data).fast_path_ok()
    data["engine"] = "fast"
    with pytest.raises(ScenarioError, match="no callbacks, holds or transfers"):
        parse_scenario(data)


# --- scripted callers -----------------------------------------------------------------------


def test_scripted_contacts_replace_the_drawn_ones() -> None:
    contacts = [
        ScriptedContact(50.0, "cards", "gold", 30.0),
        ScriptedContact(5.0, "front", "core", 20.0, patience_seconds=1.0),
    ]
    data = copy.deepcopy(TRANSFERS)
    for q in data["queues"]:
        q.update(hold_probability=0, transfer_probability=0)
    ev = run(data, contacts=contacts).events
    records = records_from_events(ev)
    assert [(r.contact_id, r.queue, r.tier, r.arrived_at) for r in records] == [
        ("c0", "front", "core", 5.0),
        ("c1", "cards", "gold", 50.0),
    ]
    # handle time = talk + hold + wrap-up (front wraps up 5 s, cards 8 s)
    assert records[0].handle_seconds == pytest.approx(20.0 + 5.0)
    assert records[1].handle_seconds == pytest.approx(30.0 + 8.0)


def test_scripted_contact_errors() -> None:
    with pytest.raises(ValueError, match=r"contacts\[0\]\.queue 'nope' is not a scenario queue"):
        run(TRANSFERS, contacts=[ScriptedContact(0.0, "nope")])
    with pytest.raises(ValueError, match="tier must be one of"):
        ScriptedContact(0.0, "front", "diamond")
    with pytest.raises(ValueError, match="handle_seconds must be finite and >= 0"):
        ScriptedContact(0.0, "front", handle_seconds=-1.0)


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"callback_acceptance_probability": 1.5},
         r"queues\[0\]\.callback_acceptance_probability must be <= 1, got 1.5"),
        ({"hold_probability": -0.1}, r"queues\[0\]\.hold_probability must be >= 0, got -0.1"),
        ({"hold_mean_seconds": 0}, r"queues\[0\]\.hold_mean_seconds must be > 0, got 0"),
        ({"hold_mean_seconds": ...},
         r"queues\[0\]\.hold_mean_seconds is required when hold_probability > 0"),
        ({"transfer_to": ...}, r"queues\[0\]\.transfer_to is required when transfer_probability"),
        ({"transfer_to": "nowhere"}, r"queues\[0\]\.transfer_to 'nowhere' is not a queue"),
        ({"transfer_to": "front"}, r"queues\[0\]\.transfer_to must name another queue"),
        ({"transfer_probability": "half"},
         r"queues\[0\]\.transfer_probability must be a finite number, got 'half'"),
    ],
)
def test_validation_names_the_path(change: dict[str, Any], message: str) -> None:
    data = copy.deepcopy(TRANSFERS)
    for key, value in change.items():
        if value is ...:
            del data["queues"][0][key]
        else:
            data["queues"][0][key] = value
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(data)


def test_callbacks_need_the_engine_offer_and_loops_are_refused() -> None:
    data = callback_scenario(0.5)
    del data["routing"]
    with pytest.raises(
        ScenarioError,
        match=r"queues\[0\]\.callback_acceptance_probability needs "
        r"routing\.policy\.callback_offer_wait_seconds",
    ):
        parse_scenario(data)
    loop = copy.deepcopy(TRANSFERS)
    loop["queues"][1].update(transfer_probability=1, transfer_to="loans")
    loop["queues"][2].update(transfer_probability=1, transfer_to="cards")
    with pytest.raises(ScenarioError, match=r"queues\[1\]\.transfer_probability of 1 makes a "):
        parse_scenario(loop)
    unheld = copy.deepcopy(TRANSFERS)
    unheld["agent_groups"] = unheld["agent_groups"][:2]
    with pytest.raises(ScenarioError, match=r"queues\[2\]\.skill 'loans' is held by no agent"):
        parse_scenario(unheld)


def test_callback_kpis_exact() -> None:
    """``qa.counts.count_callbacks`` on a hand-written log: wait = answered - accepted."""
    from qa.counts import count_callbacks
    from qa.kpis import callback_summary
    from routing.events import CallbackOffered, ContactArrived

    events: list[Event] = [
        ContactArrived(0.0, "a", "q"),
        CallbackOffered(0.0, "a", "q", 90.0),
        CallbackScheduled(2.0, "a", "q"),
        ContactArrived(1.0, "b", "q"),
        CallbackOffered(1.0, "b", "q", 95.0),  # declined
        ContactAnswered(50.0, "b", "x", "q"),
        ContactOffered(70.0, "a", "x", "q", callback=True),
        ContactAnswered(72.0, "a", "x", "q"),
    ]
    c = count_callbacks(records_from_events(events))
    assert (c.offered, c.accepted, c.answered, c.wait_seconds) == (2, 1, 1, 70.0)
    assert callback_summary(c) == {
        "callbacks_offered": 2.0,
        "callbacks_accepted": 1.0,
        "callback_acceptance": 0.5,
        "callback_wait_seconds": 70.0,
    }


# --- KPIs of transferred callers and callers left unserved ---------------------------------

#: The reviewer's tr.json: 30 % of general transferred to cards (which has no calls of its own).
TO_CARDS: dict[str, Any] = {
    "interval_minutes": 60,
    "queues": [
        {"name": "general", "calls_per_interval": [300, 300], "aht_seconds": 240,
         "patience_mean_seconds": 120, "transfer_probability": 0.3, "transfer_to": "cards"},
        {"name": "cards", "calls_per_interval": [0], "aht_seconds": 180},
    ],
    "agent_groups": [
        {"name": "g", "skills": ["general"], "agents_per_interval": [22, 22]},
        {"name": "c", "skills": ["cards"], "agents_per_interval": [5, 5]},
    ],
}


def test_transfer_target_queue_reports_the_second_wait() -> None:
    """per_queue.cards used to show offered 0 and SL/ASA null: the second wait was nowhere."""
    doc, reps = run_replications(parse_scenario(TO_CARDS), 2, seed=3, workers=1)
    cards, general, summary = doc["per_queue"]["cards"], doc["per_queue"]["general"], doc["summary"]
    assert cards["offered"] == cards["transferred_in"] > 100
    assert cards["answered"] + cards["abandoned"] + cards["unserved"] == cards["offered"]
    assert cards["asa_seconds"] > 0 and 0 < cards["service_level"] < 1
    assert general["transferred_in"] == 0 and general["offered"] == summary["offered"]
    for r in reps:  # the summary counts distinct callers; per queue adds the legs
        assert sum(q["offered"] for q in r.per_queue.values()) == (
            r.summary["offered"] + r.per_queue["cards"]["transferred_in"]
        )
    out = run(TO_CARDS, seed=5)
    arrived = {e.contact_id for e in out.events if type(e).__name__ == "ContactArrived"}
    moved = of(out.events, ContactTransferred)
    assert count_contacts(out.table, 20).offered == len(arrived)
    legs = out.table.transfer_legs
    assert legs is not None and len(legs) == len(moved) > 50
    answered_in_cards = {a.contact_id: a.at for a in of(out.events, ContactAnswered) if a.queue == "cards"}
    waits = sorted(answered_in_cards[t.contact_id] - t.at for t in moved)
    assert sorted(legs.wait_seconds[legs.answered].tolist()) == pytest.approx(waits)


def test_callers_left_when_the_roster_goes_home_are_unserved_not_lost() -> None:
    """Transferred callers never abandon; cards is served by one roster agent until 00:30.
    Those transferred later cannot be served: they count as unserved legs of cards (the
    summary still counts each caller once, answered in general)."""
    data = copy.deepcopy(TO_CARDS)
    data["queues"][0].update(transfer_probability=1.0, calls_per_interval=[30])
    data["agent_groups"] = data["agent_groups"][:1]
    data["roster"] = [{"agent_id": "c1", "skills": ["cards"], "shifts": [{"start": 0, "end": 30}]}]
    doc, _ = run_replications(parse_scenario(data), 1, seed=2, workers=1)
    cards, summary = doc["per_queue"]["cards"], doc["summary"]
    assert cards["unserved"] > 5
    assert cards["offered"] == cards["answered"] + cards["abandoned"] + cards["unserved"]
    assert summary["unserved"] == 0 and summary["offered"] == summary["answered"] + summary["abandoned"]


def test_scripted_callers_nobody_can_serve_are_counted() -> None:
    """A caller who never abandons, arriving after the last shift: offered, unserved, with
    the wait censored at the end of the run (the horizon), never within the threshold."""
    data = {
        "interval_minutes": 60,
        "queues": [{"name": "q", "calls_per_interval": [0], "aht_seconds": 60}],
        "roster": [{"agent_id": "a", "shifts": [{"start": 0, "end": 30}]}],
    }
    contacts = [ScriptedContact(60.0, "q", handle_seconds=30.0), ScriptedContact(2400.0, "q")]
    out = run(data, contacts=contacts)
    c = count_contacts(out.table, 20)
    assert (c.offered, c.answered, c.unserved) == (2, 1, 1)
    assert c.wait_all_seconds == pytest.approx(3600.0 - 2400.0)
    assert c.answered_within == 1


def test_records_equal_a_fold_of_every_event() -> None:
    """The simulator folds contact events as they come but skips ``ContactQueued`` (it
    changes no record); its table and callback counts must equal a fold of the whole log."""
    data = copy.deepcopy(TRANSFERS)
    data["queues"][0]["callback_acceptance_probability"] = 0.5
    data["routing"] = {"policy": {"callback_offer_wait_seconds": 5}}
    scenario = parse_scenario(data)
    out = simulate_center(scenario, np.random.default_rng(3), keep_events=True)
    records = records_from_events(out.events)
    table = ContactTable.from_records(records, queues=[q.name for q in scenario.queues],
                                      tiers=scenario.tiers, closed_at=out.end_seconds)
    assert out.callbacks == count_callbacks(records) and out.callbacks.accepted > 0
    assert len(table) == len(out.table) > 100
    for name in ("arrived_at", "wait_seconds", "answered", "abandoned", "handle_seconds"):
        np.testing.assert_array_equal(getattr(table, name), getattr(out.table, name))
