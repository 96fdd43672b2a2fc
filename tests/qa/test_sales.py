"""qa.sales: cross/up-sell per inbound call and the outbound positive-response ratio."""

from __future__ import annotations

import math

from qa.sales import (
    SalesCounts,
    SalesTally,
    cross_sell_per_call,
    positive_response_ratio,
    sales_counts,
    sales_figures,
    up_sell_per_call,
)
from routing.events import (
    ContactAnswered,
    ContactArrived,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
)


def _inbound(cid: str, at: float, answered: bool = True, direction: str = "inbound"
             ) -> list[Event]:
    out: list[Event] = [ContactArrived(at, cid, "deposits", direction=direction)]  # type: ignore[arg-type]
    if answered:
        out.append(ContactAnswered(at + 5, cid, "kim", "deposits"))
    return out


def test_cross_and_up_sells_per_answered_inbound_call() -> None:
    events = [
        *_inbound("c1", 0), *_inbound("c2", 10), *_inbound("c3", 20), *_inbound("c4", 30),
        *_inbound("gone", 40, answered=False),
        ContactAnswered(50, "c1", "lee", "loans"),  # a second answer (after a transfer)
        OfferRecorded(60, "c1", "kim", "card", "cross_sell", "made"),
        OfferRecorded(61, "c1", "kim", "card", "cross_sell", "accepted"),
        OfferRecorded(62, "c2", "kim", "fund", "cross_sell", "accepted"),
        OfferRecorded(63, "c3", "kim", "gold", "up_sell", "made"),
        OfferRecorded(64, "c3", "kim", "gold", "up_sell", "accepted"),
        OfferRecorded(65, "c4", "kim", "loan", "up_sell", "declined"),
        OfferRecorded(66, "c4", "kim", "keep", "retention", "accepted"),  # not a sale
        OfferRecorded(67, "nobody", "kim", "card", "cross_sell", "accepted"),  # never arrived
    ]
    c = sales_counts(events)
    assert (c.inbound_calls, c.cross_sells, c.up_sells, c.offers_made) == (4, 2, 1, 2)
    assert cross_sell_per_call(c) == 2 / 4 and up_sell_per_call(c) == 1 / 4
    assert math.isnan(positive_response_ratio(c))  # no outbound call: unknown, not 0


def test_positive_response_per_connected_outbound_call() -> None:
    events: list[Event] = []
    for i, result in enumerate(["connected", "connected", "connected", "no_answer", "busy"]):
        cid = f"o{i}"
        events += [DialAttempted(i, cid, "cards", agent_id="park"),
                   DialResult(i + 3, cid, "cards", result)]  # type: ignore[arg-type]
    events += [
        ContactArrived(10, "o0", "cards", direction="outbound"),
        OfferRecorded(20, "o0", "park", "card", "cross_sell", "accepted"),
        OfferRecorded(21, "o0", "park", "card2", "cross_sell", "accepted"),  # same contact
        OfferRecorded(22, "o1", "park", "card", "cross_sell", "follow_up"),  # not positive
        OfferRecorded(23, "o2", "park", "card", "up_sell", "accepted"),
    ]
    c = sales_counts(events)
    assert (c.outbound_dials, c.outbound_connected, c.outbound_positive) == (5, 3, 2)
    assert positive_response_ratio(c) == 2 / 3
    assert c.inbound_calls == 0 and c.cross_sells == 0  # outbound sales are not per inbound call
    figures = sales_figures(c)
    assert figures["connect_rate"] == 3 / 5 and figures["cross_sell_per_call"] is None


def test_a_callback_counts_as_inbound_and_its_dial_not_as_outbound() -> None:
    events = [*_inbound("cb", 0, direction="callback"),
              DialResult(6, "cb", "deposits", "connected", agent_id="kim", attempt=1),
              OfferRecorded(9, "cb", "kim", "card", "cross_sell", "accepted")]
    c = sales_counts(events)
    assert (c.inbound_calls, c.cross_sells, c.outbound_dials, c.outbound_connected) == (1, 1, 0, 0)


def test_counts_fall_at_the_time_of_their_event() -> None:
    events = [*_inbound("c1", 0), OfferRecorded(100, "c1", "kim", "card", "cross_sell",
                                                "accepted")]
    assert sales_counts(events, start=50) == SalesCounts(cross_sells=1)  # the answer was at 5
    assert sales_counts(events, end=50) == SalesCounts(inbound_calls=1)
    assert not SalesCounts() and SalesCounts(up_sells=1)


def test_the_tally_forgets_the_oldest_contacts_past_its_bound() -> None:
    tally = SalesTally(kept_contacts=2)
    for cid in ("a", "b", "c"):
        tally.add(ContactArrived(0, cid, "q"))
    assert tally.add(ContactAnswered(1, "a", "kim")) is None  # forgotten
    assert tally.add(ContactAnswered(1, "c", "kim")) == SalesCounts(inbound_calls=1)
