"""The wallboard's per-queue figures of transferred calls (issue 11), as a supervisor reads them
and as the batch per-queue KPIs (:func:`qa.counts.counts_by_queue`) count them:

* the arrival queue keeps the call's arrival: offered, answered or abandoned there, its wait;
* the queue a call is transferred into counts that leg too (offered, ``transferred_in``,
  answered or abandoned there, its wait from the transfer), so its service level and ASA
  describe every wait in it;
* a transferred call waiting for its new queue is waiting *there*, its wait since the
  transfer; the totals count every caller once.
"""

from __future__ import annotations

import math

import pytest

from dashboards.wallboard import WallboardState
from qa.counts import counts_by_queue
from qa.kpis import abandonment_rate, average_speed_of_answer, service_level
from qa.records import ContactTable
from routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactTransferred,
    Event,
    WrapUpEnded,
)

EVENTS: list[Event] = [
    # c1: deposits, answered after 8 s, transferred to loans, answered there 30 s later
    ContactArrived(0, "c1", "deposits"),
    ContactAnswered(8, "c1", "kim", "deposits"),
    ContactArrived(10, "c2", "deposits"),
    ContactAnswered(15, "c2", "han", "deposits"),
    ContactArrived(20, "c3", "loans"),
    ContactAnswered(25, "c3", "lee", "loans"),
    ContactTransferred(60, "c2", "han", target_queue="cards"),
    WrapUpEnded(65, "c2", "han"),
    ContactEnded(90, "c3", "lee", "loans"),
    WrapUpEnded(100, "c3", "lee"),
    ContactTransferred(100, "c1", "kim", target_queue="loans"),
    ContactAbandoned(100, "c2", "cards"),  # c2 hung up waiting in cards
    WrapUpEnded(110, "c1", "kim"),
    ContactAnswered(130, "c1", "lee", "loans"),
    ContactEnded(300, "c1", "lee", "loans"),
    WrapUpEnded(320, "c1", "lee"),
    # c4: deposits, answered, transferred to loans at 250, still waiting there
    ContactArrived(200, "c4", "deposits"),
    ContactAnswered(205, "c4", "kim", "deposits"),
    ContactTransferred(250, "c4", "kim", target_queue="loans"),
]


def _board(events: list[Event]) -> WallboardState:
    board = WallboardState()
    for seq, event in enumerate(events, start=1):
        board.apply(seq, event)
    return board


def test_each_queue_counts_the_waits_in_it_as_the_batch_does() -> None:
    done = EVENTS[:16]  # c1..c3, all waits over
    snap = _board(done).snapshot(400)
    queues = {q["queue"]: q["all"] for q in snap["queues"]}
    batch = counts_by_queue(ContactTable.from_events(done), 20.0, 5.0)
    assert set(queues) == set(batch) == {"deposits", "loans", "cards"}
    for name, counts in batch.items():
        live = queues[name]
        assert (live["offered"], live["answered"], live["abandoned"], live["transferred_in"]) \
            == (counts.offered, counts.answered, counts.abandoned, counts.transferred_in), name
        for key, value in (("service_level", service_level(counts)),
                           ("asa_seconds", average_speed_of_answer(counts)),
                           ("abandon_rate", abandonment_rate(counts))):
            assert live[key] == (None if math.isnan(value) else pytest.approx(value)), (name, key)
    assert (queues["loans"]["offered"], queues["loans"]["transferred_in"]) == (2, 1)
    assert queues["loans"]["asa_seconds"] == pytest.approx((5 + 30) / 2)  # c3's 5 s, c1's leg
    assert (queues["cards"]["offered"], queues["cards"]["abandoned"]) == (1, 1)
    assert queues["deposits"]["offered"] == 2 and queues["deposits"]["abandoned"] == 0
    # every caller once in the totals, by arrival
    assert (snap["totals"]["all"]["offered"], snap["totals"]["all"]["answered"]) == (3, 3)
    # handle time under the queue that first answered (the arrival queue): c1 talked 8->100
    # in deposits and 130->300 in loans, wrapped up 10 s and 20 s; c2's caller hung up in
    # cards after the transfer, so its handle time is not known (qa.records)
    assert queues["deposits"]["handled"] == 1 and queues["loans"]["handled"] == 1
    assert queues["deposits"]["aht_seconds"] == pytest.approx(92 + 170 + 10 + 20)


def test_a_transferred_call_waits_in_its_new_queue() -> None:
    snap = _board(EVENTS).snapshot(280)
    queues = {q["queue"]: q for q in snap["queues"]}
    assert (queues["loans"]["waiting"], queues["loans"]["longest_wait_seconds"]) == (1, 30)
    assert queues["deposits"]["waiting"] == 0
    assert (snap["waiting"], snap["longest_wait_seconds"]) == (1, 30)
    after = _board([*EVENTS, ContactAnswered(290, "c4", "lee", "loans")]).snapshot(295)
    loans = {q["queue"]: q for q in after["queues"]}["loans"]
    assert loans["waiting"] == 0 and loans["all"]["transferred_in"] == 2
