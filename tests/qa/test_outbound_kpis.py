"""Outbound KPIs (qa/outbound_kpis.py) from a scripted set of events: RPCs, contacts per
hour, conversion, promise-to-pay rate and the promises' fate, exact values."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from qa.outbound_kpis import (
    OutboundCounts,
    count_outbound,
    count_promise_outcomes,
    fold_outbound,
    outbound_figures,
)
from qa.promises import Payment, PaymentBook
from routing.events import (
    ContactAnswered,
    ContactArrived,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
    PromiseToPay,
    WrapUpEnded,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC).timestamp()  # 10:00 in Seoul
KST = timezone(timedelta(hours=9))


def _call(cid: str, t: float, agent: str | None, campaign: str, result: str = "connected",
          party: str | None = None, ring: float = 20, talk: float = 280) -> list[Event]:
    """A dial placed at ``t`` by ``agent`` (None: predictive), its result after ``ring``
    seconds and, when connected, talk and wrap-up of ``talk`` seconds."""
    events: list[Event] = [DialAttempted(t, cid, campaign, "c" + cid, agent, "preview"),
                           DialResult(t + ring, cid, campaign, result, agent)]  # type: ignore[arg-type]
    if result == "connected":
        who = agent or "a9"
        events += [ContactArrived(t + ring, cid, "sales", direction="outbound"),
                   ContactAnswered(t + ring, cid, who),
                   WrapUpEnded(t + ring + talk, cid, who, party=party)]  # type: ignore[arg-type]
    return events


def _script() -> list[Event]:
    ev: list[Event] = []
    ev += _call("1", T0, "a1", "tele", party="right_party")
    ev.insert(-1, OfferRecorded(T0 + 100, "1", "a1", "card", result="accepted", amount=5e5))
    ev += _call("2", T0 + 400, "a1", "tele", party="third_party")
    ev += _call("3", T0 + 800, "a1", "tele", result="no_answer")
    ev += _call("4", T0 + 900, "a2", "coll", party="right_party")
    ev.insert(-1, PromiseToPay(T0 + 1000, "4", "a2", "c4", 300_000.0, "2026-03-10", "L4"))
    ev += _call("5", T0 + 1300, "a2", "coll", party="wrong_party")
    ev += _call("6", T0 + 1700, None, "coll")  # predictive, party not said
    ev.append(PromiseToPay(T0 + 2000, "in-7", "a2", "c7", 100_000.0, "2026-03-03"))  # inbound
    return ev


def test_fold_attributes_and_times_each_contact() -> None:
    contacts = {c.contact_id: c for c in fold_outbound(_script())}
    one = contacts["1"]
    assert (one.campaign, one.agent, one.dials, one.connected, one.party, one.sales,
            one.sales_amount, one.work_seconds) == ("tele", "a1", 1, True, "right_party", 1,
                                                    5e5, 300.0)
    assert contacts["3"].work_seconds == 20.0 and not contacts["3"].connected
    assert contacts["6"].work_seconds == 280.0 and contacts["6"].group_agent == "a9"
    assert not contacts["in-7"].outbound and len(contacts["in-7"].promises) == 1


def test_figures_exact() -> None:
    contacts = fold_outbound(_script())
    every = count_outbound(contacts, lambda c: "all")["all"]
    assert every == OutboundCounts(dials=6, connects=5, handled_connects=5, right_party=2,
                                   third_party=1,
                                   wrong_party=1, party_unknown=1, sales=1,
                                   sales_amount=5e5, outbound_promises=1,
                                   promised_amount=300_000.0, work_seconds=1500.0)
    f = outbound_figures(every)
    hours = 1500 / 3600
    assert f["contacts_per_hour"] == pytest.approx(5 / hours)
    assert f["rpc_per_hour"] == pytest.approx(2 / hours)
    assert f["right_party_rate"] == pytest.approx(0.4)
    assert f["conversion"] == pytest.approx(0.5)
    assert f["promise_to_pay_rate"] == pytest.approx(0.5)
    by_campaign = count_outbound(contacts, lambda c: c.campaign)
    assert by_campaign["tele"].right_party == 1 and by_campaign["tele"].connects == 2
    assert outbound_figures(by_campaign["tele"])["conversion"] == 1.0
    assert outbound_figures(by_campaign["tele"])["promise_to_pay_rate"] == 0.0
    by_agent = count_outbound(contacts, lambda c: c.group_agent)
    assert sorted(by_agent) == ["a1", "a2", "a9"]
    assert math.isnan(outbound_figures(by_agent["a9"])["conversion"])  # no RPC: unknown
    late = count_outbound(contacts, lambda c: "all", start=T0 + 850)["all"]
    assert (late.dials, late.connects) == (3, 3)


def test_a_call_still_in_talk_waits_for_its_wrap_up_in_contacts_per_hour() -> None:
    """Read mid-call, a connect is a connect, but counts in contacts per hour only with all
    of its time (else one call against its 20-second ring reads 180 contacts an hour)."""
    events = _call("1", T0, "a1", "tele", party="right_party")
    mid = count_outbound(fold_outbound(events[:-1]), lambda c: "all")["all"]
    assert (mid.connects, mid.handled_connects, mid.work_seconds) == (1, 0, 20.0)
    assert outbound_figures(mid)["contacts_per_hour"] == 0.0
    done = count_outbound(fold_outbound(events), lambda c: "all")["all"]
    assert outbound_figures(done)["contacts_per_hour"] == pytest.approx(3600 / 300)


def test_promise_outcomes_by_group() -> None:
    contacts = fold_outbound(_script())
    book = PaymentBook([Payment("c7", date(2026, 3, 2), 100_000.0),
                        Payment("c4", date(2026, 3, 12), 200_000.0, "L4")])
    now = datetime(2026, 3, 12, 12, tzinfo=UTC)
    counts = count_promise_outcomes(contacts, lambda c: "all", book, now, KST)["all"]
    assert (counts.promises, counts.kept, counts.broken, counts.pending) == (2, 1, 0, 1)
    later = datetime(2026, 3, 14, 0, tzinfo=UTC)  # 09:00 on the 14th in Seoul: grace over
    counts = count_promise_outcomes(contacts, lambda c: "all", book, later, KST)["all"]
    f = outbound_figures(count_outbound(contacts, lambda c: "all")["all"], counts)
    assert (f["promises_to_pay"], f["promises_kept"], f["promises_broken"]) == (2, 1, 1)
    assert f["promise_kept_ratio"] == 0.5
    assert f["kept_amount_ratio"] == pytest.approx(300_000 / 400_000)
