"""Scripted scenarios, one per routing rule, through the public engine interface."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest

from routing import events as ev
from routing.engine import (
    AgentSpec,
    ContactSpec,
    ExpansionStep,
    IllegalTransition,
    QueueConfig,
    RoutingEngine,
    RoutingError,
    RoutingPolicy,
    UnknownAgent,
    UnknownContact,
    UnknownQueue,
)

CARDS = QueueConfig("cards", "cards")


def make(queues: Sequence[QueueConfig] = (CARDS,), **policy: Any) -> RoutingEngine:
    return RoutingEngine(list(queues), RoutingPolicy(**policy))


def staff(engine: RoutingEngine, agent_id: str, skills: dict[str, int], *, site: str = "seoul",
          now: float = 0.0, ready: bool = True) -> list[ev.Event]:
    out = engine.add_agent(AgentSpec(agent_id, skills, site), now)
    out += engine.login(agent_id, now)
    if ready:
        out += engine.set_ready(agent_id, now)
    return out


def offers(events: Sequence[ev.Event]) -> list[tuple[str, str]]:
    return [(e.contact_id, e.agent_id) for e in events if isinstance(e, ev.ContactOffered)]


def busy(engine: RoutingEngine, agent_id: str, contact_id: str, now: float,
         queue: str = "cards") -> None:
    """Put a ready agent in conversation with a fresh contact."""
    got = offers(engine.arrive(ContactSpec(contact_id, queue, "core"), now))
    assert got == [(contact_id, agent_id)], got
    engine.answer(contact_id, agent_id, now)


def free(engine: RoutingEngine, agent_id: str, contact_id: str, now: float) -> list[ev.Event]:
    engine.hang_up(contact_id, now)
    return engine.end_wrap_up(agent_id, now)


# --- the lifecycle ----------------------------------------------------------------


def test_full_call_lifecycle_gives_the_documented_events_in_order() -> None:
    e = make()
    assert staff(e, "a1", {"cards": 3}, now=1.0) == [
        ev.AgentStateChanged(1.0, "a1", "logged_out", None, None),
        ev.AgentStateChanged(1.0, "a1", "not_ready", "logged_out", None),
        ev.AgentStateChanged(1.0, "a1", "ready", "not_ready", None),
    ]
    assert e.arrive(ContactSpec("c1", "cards", "gold", customer_id="u1"), 2.0) == [
        ev.ContactArrived(2.0, "c1", "cards", "gold", "inbound", "u1", None, None),
        ev.ContactQueued(2.0, "c1", "cards", 2),
        ev.ContactOffered(2.0, "c1", "a1", "cards"),
        ev.AgentStateChanged(2.0, "a1", "reserved", "ready", None),
    ]
    assert e.answer("c1", "a1", 5.0) == [
        ev.ContactAnswered(5.0, "c1", "a1", "cards"),
        ev.AgentStateChanged(5.0, "a1", "talking", "reserved", None),
    ]
    assert e.hold("c1", 6.0) == [
        ev.ContactHeld(6.0, "c1", "a1"), ev.AgentStateChanged(6.0, "a1", "hold", "talking", None)]
    assert e.retrieve("c1", 7.0) == [
        ev.ContactRetrieved(7.0, "c1", "a1"),
        ev.AgentStateChanged(7.0, "a1", "talking", "hold", None),
    ]
    assert e.hang_up("c1", 9.0) == [
        ev.ContactEnded(9.0, "c1", "a1", "cards"),
        ev.AgentStateChanged(9.0, "a1", "wrap_up", "talking", None),
    ]
    assert e.end_wrap_up("a1", 12.0, "sold") == [
        ev.WrapUpEnded(12.0, "c1", "a1", "sold"),
        ev.AgentStateChanged(12.0, "a1", "ready", "wrap_up", None),
    ]
    assert e.contact_state("c1").value == "ended"
    assert e.agent_state("a1").value == "ready"
    assert e.next_deadline() is None


def test_not_ready_reason_and_logout() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    assert e.set_not_ready("a1", 1.0, "lunch") == [
        ev.AgentStateChanged(1.0, "a1", "not_ready", "ready", "lunch")]
    assert e.set_not_ready("a1", 2.0, "training")[0].reason == "training"  # type: ignore[attr-defined]
    assert e.agent_view("a1").reason == "training"
    assert e.logout("a1", 3.0) == [ev.AgentStateChanged(3.0, "a1", "logged_out", "not_ready", None)]


def test_a_supervisors_forced_moves_name_the_actor_apart_from_the_reason() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    assert e.set_not_ready("a1", 1.0, "meeting", actor="sup") == [
        ev.AgentStateChanged(1.0, "a1", "not_ready", "ready", "meeting", "sup")]
    assert e.set_ready("a1", 2.0, actor="sup")[0].actor == "sup"  # type: ignore[attr-defined]
    e.set_not_ready("a1", 3.0, "break")
    assert e.logout("a1", 4.0, actor="sup") == [
        ev.AgentStateChanged(4.0, "a1", "logged_out", "not_ready", None, "sup")]
    e.login("a1", 5.0)
    assert e.set_ready("a1", 6.0)[0].actor is None  # type: ignore[attr-defined]


def test_set_not_ready_from_wrap_up_ends_the_wrap_up() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    busy(e, "a1", "c1", 0.0)
    e.hang_up("c1", 5.0)
    assert e.set_not_ready("a1", 6.0, "break") == [
        ev.WrapUpEnded(6.0, "c1", "a1", None),
        ev.AgentStateChanged(6.0, "a1", "not_ready", "wrap_up", "break"),
    ]


# --- errors -----------------------------------------------------------------------


def test_unknown_ids_raise_key_errors_naming_the_id() -> None:
    e = make()
    with pytest.raises(UnknownAgent, match="'ghost'") as info:
        e.set_ready("ghost", 0.0)
    assert isinstance(info.value, KeyError)
    with pytest.raises(UnknownContact, match="unknown contact id 'nope'"):
        e.hang_up("nope", 0.0)
    with pytest.raises(UnknownQueue, match="'mortgages'"):
        e.arrive(ContactSpec("c1", "mortgages"), 0.0)
    with pytest.raises(KeyError):
        e.contact_state("nope")


def test_illegal_moves_through_the_engine_name_both_states() -> None:
    e = make()
    staff(e, "a1", {"cards": 3}, ready=False)
    with pytest.raises(IllegalTransition, match="agent a1: cannot go from not_ready to ready by end_wrap_up "
                                               r"\(expected state wrap_up\)"):
        e.end_wrap_up("a1", 1.0)
    e.set_ready("a1", 1.0)
    busy(e, "a1", "c1", 2.0)
    with pytest.raises(IllegalTransition, match="from talking to logged_out"):
        e.logout("a1", 3.0)
    with pytest.raises(IllegalTransition, match="contact c1: cannot go from connected to connected"):
        e.answer("c1", "a1", 3.0)
    with pytest.raises(IllegalTransition, match="from connected to connected by retrieve"):
        e.retrieve("c1", 3.0)
    e.arrive(ContactSpec("c2", "cards"), 4.0)
    with pytest.raises(IllegalTransition, match="contact c2: cannot go from queued to ended"):
        e.hang_up("c2", 5.0)
    with pytest.raises(ValueError):  # IllegalTransition is a ValueError for the 409 mapping
        e.hold("c2", 5.0)


def test_bad_specs_and_duplicates() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    with pytest.raises(RoutingError, match="already exists"):
        e.add_agent(AgentSpec("a1", {"cards": 1}), 0.0)
    with pytest.raises(ValueError, match="proficiency from 1 to 5"):
        AgentSpec("a2", {"cards": 7})
    with pytest.raises(ValueError, match="tier must be one of"):
        ContactSpec("c1", "cards", tier="diamond")
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    with pytest.raises(RoutingError, match="already exists"):
        e.arrive(ContactSpec("c1", "cards"), 0.0)
    with pytest.raises(RoutingError, match="offered to agent a1, not a9"):
        staff(e, "a9", {"cards": 1}, ready=False)
        e.answer("c1", "a9", 1.0)


# --- priority and ageing -----------------------------------------------------------


def _one_busy_agent(**policy: Any) -> RoutingEngine:
    e = make(**policy)
    staff(e, "a1", {"cards": 3})
    busy(e, "a1", "c0", 0.0)
    return e


def test_higher_tier_is_served_first() -> None:
    e = _one_busy_agent(ageing_seconds_per_level=600.0)
    for i, tier in enumerate(["core", "gold", "private_banker", "silver"]):
        e.arrive(ContactSpec(f"c{tier}", "cards", tier), 1.0 + i)
    served = []
    current = "c0"
    for t in range(10, 14):
        got = offers(free(e, "a1", current, float(t)))
        current = got[0][0]
        served.append(current)
        e.answer(current, "a1", float(t))
    assert served == ["cprivate_banker", "cgold", "csilver", "ccore"]


def test_ageing_lets_a_long_waiting_lower_tier_overtake() -> None:
    # A = 60 s: core (rank 4) arriving at 0 has key 240; gold (rank 2) arriving at 150
    # has key 270, so the core caller, 150 s ahead (> 2 levels x 60 s), goes first.
    e = _one_busy_agent(ageing_seconds_per_level=60.0)
    e.arrive(ContactSpec("core", "cards", "core"), 0.0)
    e.arrive(ContactSpec("gold", "cards", "gold"), 150.0)
    assert offers(free(e, "a1", "c0", 160.0)) == [("core", "a1")]
    # ... while a gold caller only 100 s behind (< 120 s) still goes first.
    e = _one_busy_agent(ageing_seconds_per_level=60.0)
    e.arrive(ContactSpec("core", "cards", "core"), 0.0)
    e.arrive(ContactSpec("gold", "cards", "gold"), 100.0)
    assert offers(free(e, "a1", "c0", 160.0)) == [("gold", "a1")]


def test_strict_tiers_without_ageing() -> None:
    e = _one_busy_agent(ageing_seconds_per_level=None)
    e.arrive(ContactSpec("core", "cards", "core"), 0.0)
    e.arrive(ContactSpec("gold", "cards", "gold"), 10_000.0)
    assert offers(free(e, "a1", "c0", 10_001.0)) == [("gold", "a1")]


def test_same_tier_is_first_come_first_served() -> None:
    e = _one_busy_agent()
    for i in range(5):
        e.arrive(ContactSpec(f"x{i}", "cards", "gold"), 1.0 + i)
    assert offers(free(e, "a1", "c0", 20.0)) == [("x0", "a1")]


# --- agent selection ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "expected"),
    [("proficiency_then_longest_idle", "expert"), ("longest_idle", "novice")],
)
def test_agent_selection_rule(selection: str, expected: str) -> None:
    e = make(selection=selection)
    staff(e, "novice", {"cards": 1}, now=0.0)
    staff(e, "expert", {"cards": 5}, now=5.0)
    staff(e, "expert2", {"cards": 5}, now=6.0)
    assert offers(e.arrive(ContactSpec("c1", "cards"), 10.0)) == [("c1", expected)]


def test_longest_idle_breaks_proficiency_ties() -> None:
    e = make()
    staff(e, "late", {"cards": 4}, now=1.0)  # registered first ...
    staff(e, "early", {"cards": 4}, now=2.0)
    e.set_not_ready("late", 3.0, "break")
    e.set_ready("late", 5.0)  # ... but idle only since 5.0
    assert offers(e.arrive(ContactSpec("c1", "cards"), 10.0)) == [("c1", "early")]


# --- skill expansion ------------------------------------------------------------------

EXPANDING = QueueConfig(
    "cards", "cards", min_proficiency=4,
    expansion=(ExpansionStep(10.0, "cards", 1), ExpansionStep(30.0, "general", 1)),
)


def test_expansion_widens_the_pool_on_time() -> None:
    e = make([EXPANDING])
    staff(e, "low", {"cards": 2})
    assert offers(e.arrive(ContactSpec("c1", "cards"), 0.0)) == []
    assert e.next_deadline() == 10.0
    assert e.advance(9.99) == []
    assert offers(e.advance(10.0)) == [("c1", "low")]


def test_backup_skill_after_the_second_step() -> None:
    e = make([EXPANDING])
    staff(e, "generalist", {"general": 3})
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    assert offers(e.advance(10.0)) == []
    assert e.next_deadline() == 30.0
    assert offers(e.advance(30.0)) == [("c1", "generalist")]


def test_expansion_keeps_the_callers_place() -> None:
    e = make([EXPANDING], ring_timeout_seconds=None)
    staff(e, "expert", {"cards": 5})
    busy(e, "expert", "c0", 0.0)
    e.arrive(ContactSpec("first", "cards", "core"), 1.0)
    e.arrive(ContactSpec("second", "cards", "core"), 5.0)
    before = e.contact_view("first")
    assert e.advance(11.0) == []  # the pool of `first` widened, nobody to take it
    after = e.contact_view("first")
    assert (before.arrived_at, before.order) == (after.arrived_at, after.order)
    # The expert frees: `first` is still ahead of `second`.
    assert offers(free(e, "expert", "c0", 12.0)) == [("first", "expert")]


def test_widened_agent_takes_the_older_caller_first() -> None:
    e = make([EXPANDING])
    staff(e, "low", {"cards": 1}, ready=False)
    e.arrive(ContactSpec("first", "cards", "core"), 0.0)
    e.arrive(ContactSpec("second", "cards", "core"), 5.0)
    e.advance(16.0)  # both pools widened
    assert offers(e.set_ready("low", 16.0)) == [("first", "low")]


def test_unexpanded_caller_is_not_given_to_a_low_skill_agent() -> None:
    e = make([EXPANDING])
    staff(e, "low", {"cards": 1}, ready=False)
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    assert offers(e.set_ready("low", 5.0)) == []
    assert offers(e.advance(10.0)) == [("c1", "low")]


# --- preferred agent -----------------------------------------------------------------


def test_preferred_agent_gets_the_call_when_ready_even_without_the_skill() -> None:
    e = make()
    staff(e, "other", {"cards": 5}, now=0.0)
    staff(e, "rm", {"wealth": 5}, now=1.0)
    got = e.arrive(ContactSpec("c1", "cards", "private_banker", preferred_agent_id="rm"), 2.0)
    assert offers(got) == [("c1", "rm")]


def test_caller_waits_for_a_busy_preferred_agent_within_the_window() -> None:
    e = make(preferred_agent_wait_seconds=30.0)
    staff(e, "rm", {"cards": 5})
    busy(e, "rm", "c0", 0.0)
    staff(e, "other", {"cards": 5}, now=1.0)
    assert offers(e.arrive(ContactSpec("vip", "cards", "private_banker",
                                       preferred_agent_id="rm"), 2.0)) == []
    assert e.contact_view("vip").reserved_for == "rm"
    assert e.agent_view("rm").personal_waiting == 1
    assert e.queue_snapshot(3.0)["cards"].waiting == 1
    assert offers(free(e, "rm", "c0", 20.0)) == [("vip", "rm")]


def test_after_the_window_anyone_eligible_takes_it() -> None:
    e = make(preferred_agent_wait_seconds=30.0)
    staff(e, "rm", {"cards": 5})
    busy(e, "rm", "c0", 0.0)
    staff(e, "other", {"cards": 2}, now=1.0)
    e.arrive(ContactSpec("vip", "cards", "platinum", preferred_agent_id="rm"), 2.0)
    assert e.next_deadline() == 32.0
    assert offers(e.advance(32.0)) == [("vip", "other")]


def test_preferred_agent_logged_out_means_no_wait() -> None:
    e = make()
    staff(e, "rm", {"cards": 5}, ready=False)
    e.logout("rm", 0.0)
    staff(e, "other", {"cards": 2})
    got = e.arrive(ContactSpec("vip", "cards", "platinum", preferred_agent_id="rm"), 1.0)
    assert offers(got) == [("vip", "other")]
    got = e.arrive(ContactSpec("x", "cards", "platinum", preferred_agent_id="nobody"), 1.0)
    assert e.contact_state("x").value == "queued"


def test_preferred_agent_logging_out_releases_the_caller() -> None:
    e = make()
    staff(e, "rm", {"cards": 5}, ready=False)
    staff(e, "other", {"cards": 2})
    busy(e, "other", "c0", 0.0)
    e.arrive(ContactSpec("vip", "cards", "platinum", preferred_agent_id="rm"), 1.0)
    assert e.contact_view("vip").reserved_for == "rm"
    e.logout("rm", 2.0)
    assert e.contact_view("vip").reserved_for is None
    assert offers(free(e, "other", "c0", 3.0)) == [("vip", "other")]


# --- callbacks -------------------------------------------------------------------------


def test_callback_keeps_its_place_cannot_abandon_and_is_offered_as_callback() -> None:
    e = _one_busy_agent()
    e.arrive(ContactSpec("cb", "cards", "gold"), 1.0)
    e.arrive(ContactSpec("later", "cards", "gold"), 2.0)
    assert e.request_callback("cb", 3.0) == [ev.CallbackScheduled(3.0, "cb", "cards")]
    assert e.request_callback("cb", 4.0) == []
    assert e.abandon("cb", 5.0) == []
    assert e.queue_snapshot(5.0)["cards"].callbacks_waiting == 1
    got = free(e, "a1", "c0", 10.0)
    assert ev.ContactOffered(10.0, "cb", "a1", "cards", callback=True) in got
    assert e.queue_snapshot(10.0)["cards"].callbacks_waiting == 0
    e.answer("cb", "a1", 12.0)
    with pytest.raises(RoutingError, match="not queued"):
        e.request_callback("cb", 13.0)


def test_callback_is_offered_when_the_expected_wait_is_too_long() -> None:
    e = make([QueueConfig("cards", "cards", aht_seconds=100.0)], callback_offer_wait_seconds=150.0)
    staff(e, "a1", {"cards": 3})
    busy(e, "a1", "c0", 0.0)
    got = e.arrive(ContactSpec("c1", "cards"), 1.0)
    assert not any(isinstance(x, ev.CallbackOffered) for x in got)  # EWT = 1*100/1 = 100
    got = e.arrive(ContactSpec("c2", "cards"), 2.0)  # EWT = 2*100/1 = 200 > 150
    assert got[-1] == ev.CallbackOffered(2.0, "c2", "cards", 200.0)


# --- sites and overflow -----------------------------------------------------------------


def test_overflow_to_the_other_site_after_the_limit() -> None:
    e = make(overflow_after_seconds=45.0, ring_timeout_seconds=None)
    staff(e, "seoul1", {"cards": 3}, site="seoul")
    assert offers(e.arrive(ContactSpec("b1", "cards", site="busan"), 0.0)) == []
    assert offers(e.arrive(ContactSpec("s1", "cards", site="seoul"), 1.0)) == [("s1", "seoul1")]
    staff(e, "seoul2", {"cards": 3}, site="seoul", now=2.0)
    assert e.next_deadline() == 45.0
    assert offers(e.advance(45.0)) == [("b1", "seoul2")]


def test_freed_agent_takes_an_overflowed_caller_from_the_other_site() -> None:
    e = make(overflow_after_seconds=45.0)
    staff(e, "seoul1", {"cards": 3}, site="seoul")
    busy(e, "seoul1", "c0", 0.0)
    e.arrive(ContactSpec("b1", "cards", site="busan"), 0.0)
    assert offers(free(e, "seoul1", "c0", 30.0)) == []
    e.set_not_ready("seoul1", 31.0, "x")
    assert offers(e.set_ready("seoul1", 50.0)) == [("b1", "seoul1")]


def test_no_overflow_when_disabled() -> None:
    e = make(overflow_after_seconds=None)
    staff(e, "seoul1", {"cards": 3}, site="seoul")
    e.arrive(ContactSpec("b1", "cards", site="busan"), 0.0)
    assert e.next_deadline() is None
    assert e.advance(1e6) == []


# --- transfers ----------------------------------------------------------------------------

LOANS = QueueConfig("loans", "loans")


def test_transfer_to_a_queue_keeps_the_original_arrival() -> None:
    e = make([CARDS, LOANS])
    staff(e, "a1", {"cards": 3})
    staff(e, "l1", {"loans": 3})
    busy(e, "l1", "l0", 0.0, queue="loans")
    busy(e, "a1", "c1", 5.0)
    e.arrive(ContactSpec("l2", "loans", "core"), 20.0)
    got = e.transfer("c1", 30.0, to_queue="loans")
    assert got == [
        ev.ContactTransferred(30.0, "c1", "a1", "loans", None),
        ev.AgentStateChanged(30.0, "a1", "wrap_up", "talking", None),
        ev.ContactQueued(30.0, "c1", "loans", 4),
    ]
    assert e.contact_view("c1").queue == "loans"
    assert e.contact_view("c1").arrived_at == 5.0
    # c1 arrived at 5 (before l2 at 20): it is served first in its new queue.
    assert offers(free(e, "l1", "l0", 40.0)) == [("c1", "l1")]
    assert e.end_wrap_up("a1", 41.0)[0] == ev.WrapUpEnded(41.0, "c1", "a1", None)


def test_transfer_to_a_ready_agent_offers_at_once() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    busy(e, "a1", "c1", 0.0)
    staff(e, "a2", {"loans": 1}, now=1.0)
    got = e.transfer("c1", 2.0, to_agent="a2")
    assert offers(got) == [("c1", "a2")]
    assert got[0] == ev.ContactTransferred(2.0, "c1", "a1", None, "a2")


def test_transfer_to_a_busy_agent_waits_for_that_agent() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    staff(e, "a2", {"cards": 3})
    staff(e, "a3", {"cards": 3})
    busy(e, "a1", "c1", 0.0)
    busy(e, "a2", "c2", 0.0)
    got = e.transfer("c1", 2.0, to_agent="a2")
    assert offers(got) == []
    assert e.contact_view("c1").reserved_for == "a2"
    assert e.agent_state("a3").value == "ready"  # not given to the ready a3
    assert offers(free(e, "a2", "c2", 5.0)) == [("c1", "a2")]


def test_transfer_errors() -> None:
    e = make()
    staff(e, "a1", {"cards": 3})
    staff(e, "gone", {"cards": 3}, ready=False)
    e.logout("gone", 0.0)
    busy(e, "a1", "c1", 0.0)
    with pytest.raises(RoutingError, match="logged out"):
        e.transfer("c1", 1.0, to_agent="gone")
    with pytest.raises(ValueError, match="exactly one"):
        e.transfer("c1", 1.0)
    with pytest.raises(UnknownQueue):
        e.transfer("c1", 1.0, to_queue="nope")
    assert e.contact_state("c1").value == "connected"  # nothing changed


# --- ring timeout, decline, abandon ---------------------------------------------------------


def test_ring_timeout_sends_agent_not_ready_and_caller_back_to_place() -> None:
    e = make(ring_timeout_seconds=15.0)
    staff(e, "a2", {"cards": 3}, now=0.0)
    busy(e, "a2", "c0", 0.0)
    staff(e, "sleepy", {"cards": 5}, now=0.0)
    assert offers(e.arrive(ContactSpec("first", "cards"), 1.0)) == [("first", "sleepy")]
    e.arrive(ContactSpec("second", "cards"), 2.0)
    assert e.next_deadline() == 16.0
    assert e.advance(16.0) == [
        ev.ContactOfferTimedOut(16.0, "first", "sleepy", "cards", "ring_no_answer"),
        ev.AgentStateChanged(16.0, "sleepy", "not_ready", "reserved", "ring_no_answer"),
    ]
    assert e.contact_state("first").value == "queued"
    assert offers(free(e, "a2", "c0", 20.0)) == [("first", "a2")]


def test_answer_in_time_cancels_the_ring_timer() -> None:
    e = make(ring_timeout_seconds=15.0)
    staff(e, "a1", {"cards": 5})
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    e.answer("c1", "a1", 10.0)
    assert e.next_deadline() is None
    assert e.advance(100.0) == []


def test_decline_by_going_not_ready_while_ringing() -> None:
    e = make()
    staff(e, "a1", {"cards": 5})
    staff(e, "a2", {"cards": 1}, now=1.0)
    e.arrive(ContactSpec("c1", "cards"), 2.0)
    assert e.set_not_ready("a1", 3.0, "personal") == [
        ev.ContactOfferTimedOut(3.0, "c1", "a1", "cards", "declined"),
        ev.AgentStateChanged(3.0, "a1", "not_ready", "reserved", "personal"),
        ev.ContactOffered(3.0, "c1", "a2", "cards"),
        ev.AgentStateChanged(3.0, "a2", "reserved", "ready", None),
    ]
    with pytest.raises(IllegalTransition, match="from reserved to ready"):
        e.set_ready("a2", 4.0)


def test_abandon_while_waiting_and_while_ringing() -> None:
    e = make()
    staff(e, "a1", {"cards": 5})
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    e.arrive(ContactSpec("c2", "cards"), 1.0)
    e.arrive(ContactSpec("c3", "cards"), 2.0)
    assert e.abandon("c3", 3.0) == [ev.ContactAbandoned(3.0, "c3", "cards")]
    assert e.abandon("c1", 4.0) == [
        ev.ContactAbandoned(4.0, "c1", "cards"),
        ev.AgentStateChanged(4.0, "a1", "ready", "reserved", "caller_abandoned"),
        ev.ContactOffered(4.0, "c2", "a1", "cards"),
        ev.AgentStateChanged(4.0, "a1", "reserved", "ready", None),
    ]
    e.answer("c2", "a1", 5.0)
    assert e.abandon("c2", 6.0) == []
    assert e.abandon("c1", 6.0) == []
    assert e.queue_snapshot(6.0)["cards"].waiting == 0


# --- views and determinism --------------------------------------------------------------------


def test_queue_snapshot_and_expected_wait() -> None:
    e = make([QueueConfig("cards", "cards", aht_seconds=120.0)])
    assert e.expected_wait_seconds("cards", 0.0) == math.inf
    staff(e, "a1", {"cards": 3})
    assert e.expected_wait_seconds("cards", 0.0) == 0.0
    staff(e, "a2", {"cards": 3})
    busy(e, "a1", "x1", 0.0)
    busy(e, "a2", "x2", 0.0)
    e.arrive(ContactSpec("c1", "cards", "gold"), 10.0)
    e.arrive(ContactSpec("c2", "cards", "core"), 20.0)
    e.arrive(ContactSpec("c3", "cards", "core"), 25.0)
    snap = e.queue_snapshot(30.0)["cards"]
    assert snap.waiting == 3
    assert snap.waiting_by_tier == {"gold": 1, "core": 2}
    assert snap.longest_wait_seconds == 20.0
    assert snap.longest_wait_by_tier == {"gold": 20.0, "core": 10.0}
    assert (snap.agents_staffed, snap.agents_ready) == (2, 0)
    assert e.expected_wait_seconds("cards", 30.0) == 4 * 120.0 / 2
    assert [v.contact_id for v in e.waiting_contacts("cards")] == ["c1", "c2", "c3"]
    assert [v.contact_id for v in e.waiting_contacts()] == ["c1", "c2", "c3"]
    states = {a.agent_id: a.state for a in e.agents_snapshot()}
    assert states == {"a1": "talking", "a2": "talking"}


def _script(e: RoutingEngine) -> list[ev.Event]:
    out: list[ev.Event] = []
    for i in range(6):
        out += staff(e, f"a{i}", {"cards": 1 + i % 5}, site=("seoul", "busan")[i % 2], now=0.0)
    for i in range(20):
        out += e.arrive(ContactSpec(f"c{i}", "cards", ev.TIERS[i % 6],
                                    site=(None, "busan", "seoul")[i % 3]), float(i))
    for t in range(20, 120, 7):
        out += e.advance(float(t))
    return out


def test_same_calls_give_the_same_events() -> None:
    assert _script(make()) == _script(make())


def test_engine_events_round_trip_through_json() -> None:
    for event in _script(make()):
        assert ev.event_from_json(event.to_json()) == event


# --- regressions and extras ---------------------------------------------------------------------


def test_timers_due_together_serve_contacts_in_priority_order() -> None:
    # At t=25 a ring timeout returns `late` to its line and the pool of `early`
    # widens to the generalist: `early` (same tier, earlier) must get the agent.
    queue = QueueConfig("cards", "cards", min_proficiency=3,
                        expansion=(ExpansionStep(10.0, "cards", 1), ExpansionStep(25.0, "general")))
    e = make([queue], ring_timeout_seconds=15.0, preferred_agent_wait_seconds=0.0,
             ageing_seconds_per_level=None)
    staff(e, "a0", {"cards": 1})
    staff(e, "a1", {"cards": 1})
    staff(e, "gen", {"general": 2})
    e.arrive(ContactSpec("early", "cards", "gold", preferred_agent_id="a0"), 0.0)
    e.arrive(ContactSpec("late", "cards", "gold"), 0.0)
    assert offers(e.advance(10.0)) == [("late", "a1")]
    assert offers(e.advance(15.0)) == []  # early rang out at a0; a1 is busy
    got = e.advance(25.0)
    assert offers(got) == [("early", "gen")]
    assert e.contact_state("late").value == "queued"


def test_login_only_from_logged_out() -> None:
    e = make()
    staff(e, "a1", {"cards": 1})
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    with pytest.raises(IllegalTransition, match="from reserved to not_ready by login"):
        e.login("a1", 1.0)


def test_set_skills_reindexes_and_may_offer() -> None:
    e = make([EXPANDING])
    staff(e, "a1", {"loans": 5})
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    assert e.set_skills("a1", {"cards": 2}, 1.0) == []  # not yet expanded to level 2
    assert offers(e.set_skills("a1", {"cards": 5}, 2.0)) == [("c1", "a1")]
    assert e.queue_snapshot(2.0)["cards"].agents_staffed == 1
    with pytest.raises(ValueError, match="proficiency"):
        e.set_skills("a1", {"cards": 0}, 3.0)


def test_forget_contact_frees_memory_only_when_finished() -> None:
    e = make()
    staff(e, "a1", {"cards": 1})
    e.arrive(ContactSpec("c1", "cards"), 0.0)
    with pytest.raises(RoutingError, match="offered"):
        e.forget_contact("c1")
    e.answer("c1", "a1", 1.0)
    e.hang_up("c1", 2.0)
    e.forget_contact("c1")
    with pytest.raises(UnknownContact):
        e.contact_state("c1")
    assert e.next_deadline() is None  # its stale ring timer is ignored
    assert e.end_wrap_up("a1", 3.0)[0] == ev.WrapUpEnded(3.0, "c1", "a1", None)


def test_callback_offer_without_staff_has_no_infinite_estimate() -> None:
    e = make(callback_offer_wait_seconds=60.0)
    got = e.arrive(ContactSpec("c1", "cards"), 0.0)
    assert got[-1] == ev.CallbackOffered(0.0, "c1", "cards", None)
    assert ev.event_from_json(got[-1].to_json()) == got[-1]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_now_must_be_finite(bad: float) -> None:
    from routing.engine import AgentSpec, QueueConfig, RoutingEngine
    from routing.errors import ClockError

    engine = RoutingEngine([QueueConfig("q", "s")])
    with pytest.raises(ClockError, match="finite"):
        engine.add_agent(AgentSpec("a1", {"s": 3}), bad)


def test_time_never_goes_back() -> None:
    from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine
    from routing.errors import ClockError

    engine = RoutingEngine([QueueConfig("q", "s")])
    engine.add_agent(AgentSpec("a1", {"s": 3}), 10.0)
    engine.login("a1", 10.0)  # the same instant is fine
    with pytest.raises(ClockError, match="must not go back: got -100.0 after 10.0"):
        engine.arrive(ContactSpec("c1", "q"), -100.0)
    assert engine.waiting_contacts() == []  # a refused call changes nothing


def test_contact_spec_is_a_frozen_checked_dataclass() -> None:
    """``ContactSpec`` has its own faster ``__init__``: same signature, defaults, checks."""
    import dataclasses

    spec = ContactSpec("c1", "cards", site="busan")
    assert spec == ContactSpec(contact_id="c1", queue="cards", tier="core", site="busan")
    assert (spec.tier, spec.customer_id, spec.preferred_agent_id, spec.direction) == (
        "core", None, None, "inbound")
    assert hash(spec) == hash(dataclasses.replace(spec))
    assert dataclasses.replace(spec, tier="gold").tier == "gold"
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.queue = "loans"  # type: ignore[misc]
    with pytest.raises(ValueError, match="contact_id must not be empty"):
        ContactSpec("", "cards")
    with pytest.raises(ValueError, match="direction must be one of"):
        ContactSpec("c2", "cards", direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ContactSpec("c3")  # type: ignore[call-arg]


def test_timers_set_grows_only_when_a_timer_is_set() -> None:
    """``timers_set`` tells a polling loop when ``next_deadline`` may have come earlier."""
    e = make(ring_timeout_seconds=20.0)
    staff(e, "a1", {"cards": 3})
    assert e.timers_set == 0 and e.next_deadline() is None
    e.arrive(ContactSpec("c1", "cards"), 1.0)  # offered: a ring timeout
    assert e.timers_set == 1 and e.next_deadline() == 21.0
    e.answer("c1", "a1", 2.0)
    e.hang_up("c1", 3.0)
    assert e.timers_set == 1 and e.next_deadline() is None  # later, not earlier
    e.arrive(ContactSpec("c2", "cards"), 4.0)  # waits: the agent wraps up, no timer
    assert e.timers_set == 1
    e.end_wrap_up("a1", 5.0)  # offered c2: a ring timeout
    assert e.timers_set == 2 and e.next_deadline() == 25.0
