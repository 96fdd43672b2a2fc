"""Next best offers: the rules, the tips and the ranking (telesales/offers.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.events import TIERS
from telesales.offers import (
    CATALOGUE,
    DECLINE_COOLDOWN_DAYS,
    OFFERS,
    CustomerSnapshot,
    HeldProduct,
    LifeEvent,
    OfferSpec,
    PastContact,
    PastOffer,
    candidate_offers,
    follow_up_refusal,
    held_offer_codes,
    rank_offers,
)
from telesales.propensity import PropensityModel, prior_model

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
TODAY = NOW.date()


def snap(**kw: object) -> CustomerSnapshot:
    base: dict[str, object] = {"customer_id": 1, "tier": "gold", "segment": "affluent",
                                   "birth_date": date(1976, 5, 1), "marketing_consent": True}
    base.update(kw)
    return CustomerSnapshot(**base)  # type: ignore[arg-type]


def codes(s: CustomerSnapshot) -> list[str]:
    return [o.offer for o in rank_offers(s, NOW, limit=20).offers]


def tip_of(s: CustomerSnapshot, offer: str) -> tuple[str, dict[str, object]]:
    o = next(o for o in rank_offers(s, NOW, limit=20).offers if o.offer == offer)
    return o.tip.code, dict(o.tip.as_dict())


def test_a_deposit_maturing_in_12_days_is_the_top_offer_with_its_tip() -> None:
    s = snap(products=(HeldProduct("deposit", "정기예금 12개월", 30_000_000,
                                   TODAY + timedelta(days=12)),))
    ranked = rank_offers(s, NOW)
    assert ranked.offers[0].offer == "time_deposit_renewal"
    assert ranked.offers[0].kind == "retention"
    assert ranked.offers[0].tip.code == "deposit_maturing"
    assert ranked.offers[0].tip.as_dict()["days"] == 12


def test_no_renewal_without_a_maturing_deposit() -> None:
    far = snap(products=(HeldProduct("deposit", "정기예금", 1, TODAY + timedelta(days=200)),))
    assert "time_deposit_renewal" not in codes(far)
    matured = snap(products=(HeldProduct("deposit", "정기예금", 1, TODAY - timedelta(days=3)),))
    assert tip_of(matured, "time_deposit_renewal") == ("deposit_matured",
                                                       {"days": 3, "product": "정기예금"})


def test_a_renewal_accepted_is_not_offered_again_for_the_same_maturity() -> None:
    deposit = (HeldProduct("deposit", "정기예금", 1, TODAY + timedelta(days=12)),)
    done = snap(products=deposit, past_offers=(
        PastOffer("time_deposit_renewal", "accepted", NOW - timedelta(days=2)),))
    assert "time_deposit_renewal" not in codes(done)
    long_ago = snap(products=deposit, past_offers=(
        PastOffer("time_deposit_renewal", "accepted", NOW - timedelta(days=300)),))
    assert "time_deposit_renewal" in codes(long_ago)


def test_a_renewal_needs_a_maturing_deposit_not_just_a_past_presentation() -> None:
    presented = snap(past_offers=(
        PastOffer("time_deposit_renewal", "follow_up", NOW - timedelta(days=3)),))
    assert "time_deposit_renewal" not in codes(presented)
    visit = snap(contacts=(PastContact(NOW - timedelta(days=3), "branch", "deposit_renewal",
                                       "completed"),))
    assert "time_deposit_renewal" not in codes(visit)


def test_a_card_the_branch_presented_last_month() -> None:
    s = snap(past_offers=(PastOffer("credit_card", "made", NOW - timedelta(days=30), "branch"),))
    assert tip_of(s, "credit_card") == ("branch_presented", {"days": 30})


def test_a_childs_wedding_season() -> None:
    s = snap(life_events=(LifeEvent("child_wedding", TODAY + timedelta(days=40)),))
    code, params = tip_of(s, "personal_loan")
    assert code == "life_event_ahead" and params == {"event": "child_wedding", "days": 40}


def test_a_tier_upgrade_within_reach() -> None:
    s = snap(tier="silver", annual_revenue_krw=1_000_000)
    code, params = tip_of(s, "tier_upgrade")
    assert code == "tier_in_reach" and params["tier"] == "gold" and params["gap_krw"] == 70_000
    assert "tier_upgrade" not in codes(snap(tier="silver", annual_revenue_krw=200_000))
    assert "tier_upgrade" not in codes(snap(tier="private_banker", annual_revenue_krw=10**9))


def test_no_marketing_offer_without_consent() -> None:
    s = snap(marketing_consent=False,
             products=(HeldProduct("deposit", "정기예금", 1, TODAY + timedelta(days=5)),))
    assert codes(s) == ["time_deposit_renewal"]  # the renewal is service, not marketing
    assert codes(snap(marketing_consent=False)) == []


def test_nothing_already_held() -> None:
    s = snap(products=(HeldProduct("card", "신용카드 플래티넘"), HeldProduct("fund", "TDF 2045"),
                       HeldProduct("loan", "주택담보대출")))
    assert held_offer_codes(s.products) == {"card_upgrade", "credit_card", "fund", "mortgage"}
    assert not {"card_upgrade", "credit_card", "fund", "mortgage"} & set(codes(s))


def test_a_classic_credit_card_is_an_up_sell_to_the_upgrade() -> None:
    s = snap(products=(HeldProduct("card", "신용카드 클래식"),))
    ranked = {o.offer: o for o in rank_offers(s, NOW, limit=20).offers}
    assert "credit_card" not in ranked
    assert ranked["card_upgrade"].kind == "up_sell"
    assert ranked["card_upgrade"].tip.code == "card_upgrade_eligible"


def test_nothing_declined_in_the_cooldown() -> None:
    recent = snap(past_offers=(PastOffer("fund", "declined", NOW - timedelta(days=10)),))
    assert "fund" not in codes(recent)
    old = snap(past_offers=(
        PastOffer("fund", "declined", NOW - timedelta(days=DECLINE_COOLDOWN_DAYS + 1)),))
    assert "fund" in codes(old)
    # a campaign call of the contact history that ended "declined" counts too
    called = snap(contacts=(PastContact(NOW - timedelta(days=5), "outbound", "cross_sell_card",
                                        "declined"),))
    assert "credit_card" not in codes(called)


def test_a_promised_follow_up_comes_back_with_its_tip() -> None:
    s = snap(past_offers=(PastOffer("insurance", "follow_up", NOW - timedelta(days=3)),))
    assert tip_of(s, "insurance") == ("follow_up_promised", {"days": 3})


def test_age_limits_and_bereavement() -> None:
    young = snap(birth_date=date(2005, 1, 1))
    assert "pension" not in codes(young) and "mortgage" not in codes(young)
    grieving = snap(life_events=(LifeEvent("bereavement", TODAY - timedelta(days=20)),))
    ranking = rank_offers(grieving, NOW)
    assert ranking.offers == () and ranking.notes == ("bereavement",)


def test_follow_up_refusals() -> None:
    assert follow_up_refusal(snap(do_not_call=True), "fund") is not None
    assert follow_up_refusal(snap(marketing_consent=False), "fund") is not None
    assert follow_up_refusal(snap(marketing_consent=False), "time_deposit_renewal") is None
    assert follow_up_refusal(snap(), "fund") is None


def test_bad_specs_and_snapshots_are_refused() -> None:
    with pytest.raises(ValueError, match="tier"):
        snap(tier="diamond")
    with pytest.raises(ValueError, match="value_krw"):
        OfferSpec("x", "cross_sell", 0)
    with pytest.raises(ValueError, match="limit"):
        rank_offers(snap(), NOW, limit=0)


def test_expected_value_orders_the_offers() -> None:
    """A model that makes every offer equally likely ranks by value alone."""
    flat = PropensityModel(prior_model().offers, prior_model().weights, "prior")
    ranked = rank_offers(snap(), NOW, flat, limit=20).offers
    scores = [o.score for o in ranked]
    assert scores == sorted(scores, reverse=True)
    for o in ranked:
        assert o.score == pytest.approx(o.propensity * OFFERS[o.offer].value_krw)


products = st.lists(st.builds(
    HeldProduct, kind=st.sampled_from(["deposit", "loan", "card", "fund"]),
    name=st.sampled_from(["정기예금", "신용카드 클래식", "체크카드", "신용카드 플래티넘",
                          "주택담보대출", "직장인 신용대출", "TDF 2045"]),
    balance_krw=st.integers(0, 10**10),
    maturity_date=st.none() | st.dates(date(2026, 1, 1), date(2028, 1, 1))), max_size=6)
offers_st = st.lists(st.builds(
    PastOffer, offer=st.sampled_from([s.code for s in CATALOGUE]),
    result=st.sampled_from(["made", "accepted", "declined", "follow_up"]),
    at=st.integers(0, 400).map(lambda d: NOW - timedelta(days=d)),
    channel=st.sampled_from(["branch", "call_center", "outbound"])), max_size=6)
events_st = st.lists(st.builds(
    LifeEvent, kind=st.sampled_from(["marriage", "child_birth", "child_wedding", "retirement",
                                     "home_purchase", "move"]),
    on_date=st.none() | st.dates(date(2026, 6, 1), date(2027, 6, 1))), max_size=3)
snapshots = st.builds(
    CustomerSnapshot, customer_id=st.just(1), tier=st.sampled_from(TIERS),
    lifecycle_stage=st.sampled_from(["new", "growth", "mature", "churn_risk"]),
    birth_date=st.none() | st.dates(date(1930, 1, 1), date(2007, 1, 1)),
    marketing_consent=st.booleans(), annual_revenue_krw=st.integers(0, 10**8),
    products=products.map(tuple), past_offers=offers_st.map(tuple),
    life_events=events_st.map(tuple))


@settings(max_examples=200, deadline=None)
@given(snapshots)
def test_properties_of_any_ranking(s: CustomerSnapshot) -> None:
    ranking = rank_offers(s, NOW)
    offered = [o.offer for o in ranking.offers]
    assert len(offered) == len(set(offered)) <= 5
    held = held_offer_codes(s.products)
    for o in ranking.offers:
        spec = OFFERS[o.offer]
        assert spec.marketing is False or s.marketing_consent
        assert o.offer not in held
        assert not any(p.offer == o.offer and p.result == "declined"
                       and (NOW - p.at).days < DECLINE_COOLDOWN_DAYS for p in s.past_offers)
        assert 0 < o.propensity < 1 and o.score > 0
    scores = [o.score for o in ranking.offers]
    assert scores == sorted(scores, reverse=True)
    assert rank_offers(s, NOW) == ranking  # deterministic
    assert {c.spec.code for c in candidate_offers(s, NOW)} >= set(offered)
