"""qa.agent_day: an agent's handled calls, AHT, talk time and sales over a period."""

from __future__ import annotations

import math

import pytest

from qa.agent_day import agent_day_figures
from routing.events import (
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactHeld,
    ContactRetrieved,
    ContactTransferred,
    OfferRecorded,
    WrapUpEnded,
)


def call(cid: str, agent: str, t: float, talk: float, wrap: float) -> list:  # type: ignore[type-arg]
    return [
        ContactArrived(at=t, contact_id=cid, queue="deposits"),
        ContactAnswered(at=t + 5, contact_id=cid, agent_id=agent),
        ContactEnded(at=t + 5 + talk, contact_id=cid, agent_id=agent),
        WrapUpEnded(at=t + 5 + talk + wrap, contact_id=cid, agent_id=agent),
    ]


def test_handled_aht_talk_and_sales_of_one_agent() -> None:
    events = (
        call("c1", "a1", 100, 120, 30)
        + call("c2", "a1", 400, 60, 10)
        + call("c3", "a2", 400, 500, 0)  # another agent's call
        + [
            OfferRecorded(at=200, contact_id="c1", agent_id="a1", offer="card", result="made"),
            OfferRecorded(at=210, contact_id="c1", agent_id="a1", offer="card",
                          result="accepted", amount=1_000_000.0),
            OfferRecorded(at=500, contact_id="c2", agent_id="a1", offer="fund", result="declined"),
            OfferRecorded(at=600, contact_id="c3", agent_id="a2", offer="loan", result="accepted"),
        ]
    )
    f = agent_day_figures(events, "a1", 0, 10_000)
    assert (f.handled, f.sales, f.offers_made) == (2, 1, 1)
    assert f.talk_seconds == pytest.approx(180.0)
    assert f.aht_seconds == pytest.approx((150 + 70) / 2)
    assert f.sales_amount == pytest.approx(1_000_000.0)
    other = agent_day_figures(events, "a2", 0, 10_000)
    assert (other.handled, other.sales, other.sales_amount) == (1, 1, 0.0)
    assert other.aht_seconds == pytest.approx(500.0)


def test_the_period_cuts_by_answer_and_by_the_time_of_the_sale() -> None:
    events = call("c1", "a1", 100, 60, 0) + call("c2", "a1", 1000, 60, 0) + [
        OfferRecorded(at=1100, contact_id="c2", agent_id="a1", offer="card", result="accepted")]
    f = agent_day_figures(events, "a1", 500, 2000)
    assert (f.handled, f.sales) == (1, 1)
    assert f.talk_seconds == pytest.approx(60.0)
    assert agent_day_figures(events, "a1", 0, 500).sales == 0


def test_a_call_still_in_wrap_up_is_handled_but_has_no_handle_time_yet() -> None:
    events = call("c1", "a1", 0, 60, 10)[:3]  # no WrapUpEnded yet
    f = agent_day_figures(events, "a1", 0, 1000)
    assert f.handled == 1 and math.isnan(f.aht_seconds)
    assert f.talk_seconds == pytest.approx(60.0)


def test_hold_is_talk_and_a_transferred_call_counts_for_its_first_agent() -> None:
    events = [
        ContactArrived(at=0, contact_id="c1", queue="deposits"),
        ContactAnswered(at=10, contact_id="c1", agent_id="a1"),
        ContactHeld(at=20, contact_id="c1", agent_id="a1"),
        ContactRetrieved(at=50, contact_id="c1", agent_id="a1"),
        ContactTransferred(at=70, contact_id="c1", agent_id="a1", target_queue="loans"),
        WrapUpEnded(at=80, contact_id="c1", agent_id="a1"),
        ContactAnswered(at=90, contact_id="c1", agent_id="a2"),
        ContactEnded(at=150, contact_id="c1", agent_id="a2"),
        WrapUpEnded(at=160, contact_id="c1", agent_id="a2"),
    ]
    assert agent_day_figures(events, "a1", 0, 1000).handled == 1
    assert agent_day_figures(events, "a2", 0, 1000).handled == 0


def test_nothing_worked_and_a_bad_period() -> None:
    f = agent_day_figures([], "a1", 0, 1)
    assert (f.handled, f.sales, f.talk_seconds) == (0, 0, 0.0) and math.isnan(f.aht_seconds)
    with pytest.raises(ValueError, match="end must be after start"):
        agent_day_figures([], "a1", 5, 5)
