"""The event contract: stable JSON form, round trip, strict reading, ordered replay."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing import events as ev


def test_type_names_are_snake_case_and_unique() -> None:
    names = [cls.type_name for cls in ev.EVENT_TYPES]
    assert len(set(names)) == len(names)
    assert ev.ContactArrived.type_name == "contact_arrived"
    assert ev.AgentStateChanged.type_name == "agent_state_changed"
    assert ev.ContactOfferTimedOut.type_name == "contact_offer_timed_out"


def test_json_form_is_flat_and_stable() -> None:
    e = ev.ContactAnswered(at=12.5, contact_id="c1", agent_id="a7", queue="deposits")
    assert e.to_json() == {
        "type": "contact_answered", "at": 12.5, "contact_id": "c1", "agent_id": "a7",
        "queue": "deposits",
    }


def test_events_are_frozen_and_slotted() -> None:
    e = ev.ContactAbandoned(at=1.0, contact_id="c1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.at = 2.0  # type: ignore[misc]
    assert not hasattr(e, "__dict__")


def _sample(cls: type[ev.Event]) -> ev.Event:
    kwargs: dict[str, object] = {}
    choices = ev.field_choices(cls)
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            continue
        if f.name in choices:
            kwargs[f.name] = choices[f.name][-1]
            continue
        kwargs[f.name] = (3.25 if f.name == "at" or f.type == "float" else 4 if f.type == "int"
                          else "2026-03-10" if f.name == "due_on" else f"{f.name}-x")
    return cls(**kwargs)


def test_fields_with_a_fixed_set_of_values_are_literals_and_checked() -> None:
    assert ev.field_choices(ev.DialResult)["result"] == ev.DIAL_RESULTS
    assert ev.field_choices(ev.ContactArrived)["direction"] == ev.DIRECTIONS
    assert ev.field_choices(ev.AgentStateChanged)["previous"] == ev.AGENT_STATE_NAMES
    assert ev.field_choices(ev.ContactEnded)["reason"] == ("callback_failed",)
    for data, field in [
        ({"type": "dial_result", "at": 1.0, "contact_id": "c", "campaign": "k",
          "result": "maybe"}, "dial_result.result"),
        ({"type": "contact_arrived", "at": 1.0, "contact_id": "c", "queue": "q",
          "direction": "sideways"}, "contact_arrived.direction"),
        ({"type": "agent_state_changed", "at": 1.0, "agent_id": "a", "state": "dancing"},
         "agent_state_changed.state"),
    ]:
        with pytest.raises(ev.EventFormatError, match=field):
            ev.event_from_json(data)
    ended = {"type": "contact_ended", "at": 1.0, "contact_id": "c", "reason": None}
    assert ev.event_from_json(ended) == ev.ContactEnded(1.0, "c")


@pytest.mark.parametrize("cls", ev.EVENT_TYPES, ids=lambda c: c.type_name)
def test_every_type_round_trips_through_json_text(cls: type[ev.Event]) -> None:
    e = _sample(cls)
    assert ev.event_from_json(json.loads(json.dumps(e.to_json()))) == e


@given(at=st.floats(allow_nan=False, allow_infinity=False),
       cid=st.text(st.characters(blacklist_characters="\x00"), max_size=40),
       tier=st.sampled_from(ev.TIERS))
def test_round_trip_property(at: float, cid: str, tier: str) -> None:
    e = ev.ContactArrived(at=at, contact_id=cid, queue="q", tier=tier)
    assert ev.event_from_json(e.to_json()) == e


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "nope", "at": 1}, "type must be one of"),
        ({"at": 1}, "type must be one of"),
        ({"type": "contact_abandoned", "at": 1}, "contact_abandoned.contact_id is required"),
        ({"type": "contact_abandoned", "at": "x", "contact_id": "c"}, "contact_abandoned.at must be a number"),
        ({"type": "contact_abandoned", "at": True, "contact_id": "c"}, "at must be a number"),
        ({"type": "contact_abandoned", "at": 1, "contact_id": "c", "zzz": 1}, "has no field 'zzz'"),
        ({"type": "contact_abandoned", "at": 1, "contact_id": ["c"]}, "contact_id must be a string"),
        ({"type": "contact_abandoned", "at": 1, "contact_id": 10**30}, "contact_id must be a string"),
        ({"type": "contact_abandoned", "at": 1, "contact_id": "a\x00b"}, "must not contain NUL"),
        ({"type": "contact_abandoned", "at": 1, "contact_id": "c" * 41}, "at most 40 characters"),
        ({"type": "contact_abandoned", "at": float("nan"), "contact_id": "c"}, "finite"),
        ({"type": "contact_abandoned", "at": 1, "contact_id": None}, "must not be null"),
        ({"type": "contact_queued", "at": 1, "contact_id": "c", "queue": "q", "priority": "high"},
         "priority must be a whole number"),
        ({"type": "contact_queued", "at": 1, "contact_id": "c", "queue": "q", "priority": 10**30},
         "priority is out of range"),
        ({"type": "contact_offered", "at": 1, "contact_id": "c", "agent_id": "a",
          "callback": "yes"}, "callback must be true or false"),
        ({"type": "wrap_up_ended", "at": 1, "contact_id": "c", "agent_id": "a",
          "disposition": "x" * 201}, "disposition must be at most 200"),
    ],
)
def test_bad_json_names_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ev.EventFormatError, match=message):
        ev.event_from_json(data)


def test_memory_store_appends_and_replays_in_order() -> None:
    store = ev.MemoryEventStore()
    first = store.append([ev.ContactArrived(at=1.0, contact_id="a", queue="q"),
                          ev.ContactQueued(at=1.0, contact_id="a", queue="q")])
    second = store.append([ev.ContactAbandoned(at=5.0, contact_id="a", queue="q")])
    assert first == [1, 2] and second == [3]
    assert [seq for seq, _ in store.replay()] == [1, 2, 3]
    assert [e.type_name for _, e in store.replay(after_seq=2)] == ["contact_abandoned"]
    assert len(store) == 3


def test_a_promise_to_pay_reads_back_only_with_a_positive_amount_and_a_day() -> None:
    good = {"type": "promise_to_pay", "at": 1.0, "contact_id": "c", "agent_id": "a",
            "customer_id": "7", "amount": 1000, "due_on": "2026-03-10"}
    assert ev.event_from_json(good) == ev.PromiseToPay(1.0, "c", "a", "7", 1000.0,
                                                        "2026-03-10")
    for field, value in [("amount", 0), ("amount", -5.0), ("due_on", "2026-02-30"),
                         ("due_on", "10/03/2026"), ("due_on", "2026-3-1")]:
        with pytest.raises(ev.EventFormatError, match=f"promise_to_pay.{field}"):
            ev.event_from_json({**good, field: value})


def test_stored_event_reads_the_logs_own_rows() -> None:
    for cls in ev.EVENT_TYPES:
        event = _sample(cls)
        assert ev.stored_event(event.to_json()) == event
    old = {"type": "wrap_up_ended", "at": 1.0, "contact_id": "c", "agent_id": "a"}
    assert ev.stored_event(old) == ev.WrapUpEnded(1.0, "c", "a")  # a log from before party
    for bad in ({"type": "nope", "at": 1.0}, {**old, "colour": "red"}):
        with pytest.raises(ev.EventFormatError):
            ev.stored_event(bad)
