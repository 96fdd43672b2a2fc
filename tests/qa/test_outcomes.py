"""qa.outcomes: the service-standard KPIs on hand-made events, against figures computed here
by hand (not through qa/), and the streaming accumulator equal to the batch on any order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qa.accumulator import KpiAccumulator
from qa.outcomes import (
    FcrTracker,
    OutcomeCounts,
    count_outcomes,
    outcome_figures,
    outcomes_from_events,
    row_of_record,
)
from qa.records import records_from_events
from routing.events import (
    ComplaintRecorded,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactTransferred,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
    SelfServiceEnded,
    SurveyAnswered,
    WrapUpEnded,
)

DAY = 86_400.0


def _call(cid: str, at: float, customer: str, tier: str, agent: str, reason: str | None,
          talk: float = 90.0, wrap: float = 20.0, transfer: bool = False) -> list[Event]:
    out: list[Event] = [
        ContactArrived(at, cid, "deposits", tier, customer_id=customer),
        ContactAnswered(at + 10, cid, agent, "deposits"),
    ]
    if transfer:  # to the cards queue, answered there by agent b9 after 5 s
        out += [ContactTransferred(at + 10 + talk / 2, cid, agent, "cards"),
                ContactAnswered(at + 15 + talk / 2, cid, "b9", "cards")]
        out += [ContactEnded(at + 10 + talk + 5, cid, "b9", "cards"),
                WrapUpEnded(at + 10 + talk + 5 + wrap, cid, "b9", None, reason),
                WrapUpEnded(at + 10 + talk + 5 + wrap, cid, agent, None, None)]
        return out
    out += [ContactEnded(at + 10 + talk, cid, agent, "deposits"),
            WrapUpEnded(at + 10 + talk + wrap, cid, agent, "done", reason)]
    return out


def scenario() -> list[Event]:
    ev: list[Event] = []
    # k1: customer 1, card_lost, a cross-sell made and sold (100), survey 5 later
    ev += _call("k1", 0.0, "1", "core", "a1", "card_lost")
    ev += [OfferRecorded(30.0, "k1", "a1", "card", "cross_sell", "made", "1"),
           OfferRecorded(40.0, "k1", "a1", "card", "cross_sell", "accepted", "1", 100.0),
           SurveyAnswered(500.0, "k1", 5, "a1")]
    # k2: customer 2 (VIP), fees, an up-sell made and declined, a complaint, survey 2
    ev += _call("k2", 50.0, "2", "platinum", "a2", "fees")
    ev += [OfferRecorded(70.0, "k2", "a2", "fund", "up_sell", "made", "2"),
           OfferRecorded(75.0, "k2", "a2", "fund", "up_sell", "declined", "2"),
           ComplaintRecorded(80.0, "k2", "fees", "a2", "2"),
           SurveyAnswered(900.0, "k2", 2)]
    # k3: abandoned after 30 s
    ev += [ContactArrived(60.0, "k3", "deposits", "core", customer_id="3"),
           ContactAbandoned(90.0, "k3", "deposits")]
    # k4: customer 1 again 3 days later, card_lost: k1 was not resolved; transferred once
    ev += _call("k4", 3 * DAY, "1", "core", "a2", "card_lost", transfer=True)
    ev += [OfferRecorded(3 * DAY + 20, "k4", "a2", "loan", "up_sell", "made", "1"),
           OfferRecorded(3 * DAY + 25, "k4", "a2", "loan", "up_sell", "accepted", "1", 50.0)]
    # k5: customer 2 again 10 days later, fees: beyond 7 days, k2 stays resolved
    ev += _call("k5", 10 * DAY, "2", "platinum", "a1", "fees")
    # k6: no reason given: not eligible for FCR
    ev += _call("k6", 11 * DAY, "4", "gold", "a1", None)
    # outbound: o1 connected and sold, o2 connected no sale, o3 no answer
    for cid, result in (("o1", "connected"), ("o2", "connected"), ("o3", "no_answer")):
        ev.append(DialAttempted(12 * DAY, cid, "tele", "9", "a3", "preview"))
        ev.append(DialResult(12 * DAY + 5, cid, "tele", result, "a3"))  # type: ignore[arg-type]
        if result == "connected":
            ev += [ContactAnswered(12 * DAY + 6, cid, "a3"),
                   ContactEnded(12 * DAY + 60, cid, "a3")]
    ev.append(OfferRecorded(12 * DAY + 30, "o1", "a3", "card", "cross_sell", "accepted", "9"))
    # self-service: two served in the IVR, one went on to an agent
    ev += [SelfServiceEnded(1.0, "s1", "deposits", True, 40.0),
           SelfServiceEnded(2.0, "s2", "deposits", True, 35.0),
           SelfServiceEnded(3.0, "s3", "deposits", False, 20.0)]
    return sorted(ev, key=lambda e: e.at)


def test_figures_equal_a_hand_computation() -> None:
    """Each figure computed here from the scenario's story, not through qa/."""
    got = outcome_figures(sum(outcomes_from_events(scenario()).values(), OutcomeCounts()))
    answered_inbound = 5  # k1, k2, k4, k5, k6 (k3 abandoned)
    # handle: 90 talk + 20 wrap each; k4: talk 45 (a2, +10..+55) + 45 (b9, +60..+105),
    # wrap 20 (b9, +105..+125) + 70 (a2: from the transfer at +55 to its wrap-up end, +125)
    handle = 4 * 110.0 + (45 + 45) + (20 + 70)
    talk = 4 * 90.0 + 90.0
    expected = {
        "offers_per_call": 3 / answered_inbound,
        "cross_sell_per_call": 1 / answered_inbound,
        "up_sell_per_call": 1 / answered_inbound,
        "outbound_positive_ratio": 1 / 2,
        "self_service_ratio": 2 / 3,
        "complaint_ratio": 1 / (answered_inbound + 2),
        "satisfaction_mean": (5 + 2) / 2,
        "satisfaction_top_two_box": 1 / 2,
        "first_contact_resolution": 3 / 4,  # k1 k2 k4 k5 eligible, k1 repeated by k4
        "transfer_rate": 1 / answered_inbound,
        "talk_time_ratio": talk / handle,
        "aht_seconds": handle / answered_inbound,
    }
    assert got == pytest.approx(expected)


def test_rows_carry_what_the_figures_need() -> None:
    recs = {r.contact_id: r for r in records_from_events(scenario())}
    k1 = row_of_record(recs["k1"])
    assert (k1.reason, k1.customer, k1.offers_made, k1.cross_sell_sales, k1.sales_amount,
            k1.survey_score) == ("card_lost", "1", 1, 1, 100.0, 5)
    k4 = recs["k4"]
    assert (k4.transfers, k4.up_sell_sales, k4.reason) == (1, 1, "card_lost")
    assert recs["k2"].complaints == 1


def test_fcr_window_attribution_and_order() -> None:
    fcr = FcrTracker(days=7)
    fcr.add("c", "r", 7 * DAY, "late")
    fcr.add("c", "r", 0.0, "first")  # exactly 7 days before: repeated (within <= N days)
    fcr.add("c", "other", 1.0, "first")  # another reason: no repeat
    fcr.add("c", "r", 14 * DAY + 1, "after")  # more than 7 days after "late"
    assert fcr.of("first") == (2, 1)
    assert fcr.of("late") == (1, 0)
    assert fcr.of("after") == (1, 0)
    with pytest.raises(ValueError, match="fcr_days"):
        FcrTracker(days=0)


def test_count_outcomes_leaves_out_rows_after_the_period_but_sees_their_repeats() -> None:
    rows = [row_of_record(r) for r in records_from_events(scenario())]
    ids = [r.contact_id for r in rows]
    counted = [r.arrived_at < DAY for r in rows]  # the period: the first day only
    (c,) = count_outcomes(rows, [0] * len(rows), 1, counted=counted)
    assert (c.fcr_eligible, c.fcr_repeated) == (2, 1)  # k1 (repeated by k4), k2
    assert c.answered == 2 and "k4" in ids


@pytest.mark.parametrize("seed", range(8))
def test_accumulator_equals_batch_in_any_arrival_of_outcomes(seed: int) -> None:
    """Live equals batch: the same sums whether outcomes come early, late, or after the
    contact is over (a survey the next day)."""
    events = scenario()
    rng = np.random.default_rng(seed)
    late = [e for e in events if isinstance(e, (SurveyAnswered, ComplaintRecorded))]
    rest = [e for e in events if e not in late]
    order = rest + [late[i] for i in rng.permutation(len(late))]
    acc = KpiAccumulator()
    for e in order:
        acc.add(e)
    batch = outcomes_from_events(events)
    live = acc.outcomes_by_key()
    assert set(live) == set(batch)
    for key in batch:
        assert live[key] == batch[key], key
    total = outcome_figures(acc.outcomes())
    expected = outcome_figures(sum(batch.values(), OutcomeCounts()))
    assert all(math.isclose(total[k], expected[k]) or (math.isnan(total[k])
               and math.isnan(expected[k])) for k in expected)


def test_accumulator_split_by_queue_and_tier() -> None:
    acc = KpiAccumulator()
    for e in scenario():
        acc.add(e)
    vip = acc.outcomes("deposits", "platinum")
    assert (vip.answered, vip.complaints, vip.surveys, vip.fcr_eligible) == (2, 1, 1, 2)
    ivr = acc.outcomes("deposits", "")
    assert (ivr.self_service_entered, ivr.self_service_completed) == (3, 2)
    assert acc.outcomes("tele").outbound_positive == 1
