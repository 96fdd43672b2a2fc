"""The day's lists built in SQL (SQLite and PostgreSQL): each rule on small hand-made data,
the exclusions, de-duplication across campaigns, idempotent rebuilds, entries_for_agent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app import dbmigrate
from app.campaign_lists import (
    CampaignNotFound,
    build_lists,
    entries_for_agent,
)
from app.campaign_refresh import MorningRefresh
from app.db import make_engine
from app.models import (
    Agent,
    Campaign,
    CampaignListEntry,
    ContactHistory,
    Customer,
    CustomerLifeEvent,
    CustomerPhone,
    IndustryDoNotCall,
    Product,
)
from app.pool_claims import ClaimPolicy, claim_batch
from telesales.campaign_lists import (
    birthday_score,
    days_to_birthday,
    life_event_score,
    logistic,
    maturing_score,
    propensity_terms,
)
from telesales.propensity import PropensityModel, prior_model

DAY = date(2027, 2, 20)  # 2027 has no 29 February
NOW = datetime(2027, 2, 19, 21, 0, tzinfo=UTC)  # 06:00 on the 20th in Seoul
PRIOR = prior_model()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    dbmigrate.upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(Agent(id=1, login="kim", name="Kim"))
        session.add(Agent(id=2, login="lee", name="Lee"))
        session.commit()
    yield engine
    engine.dispose()


def customer(session: Session, cid: int, **fields: Any) -> None:
    values: dict[str, Any] = {"name": f"c{cid}", "marketing_consent": True}
    values.update(fields)
    session.add(Customer(id=cid, **values))
    session.flush()  # before the rows that refer to it (no ORM relationships to order them)


def campaign(session: Session, cid: int, name: str, rules: dict[str, Any],
             kind: str = "telesales", priority: int = 100, active: bool = True) -> None:
    session.add(Campaign(id=cid, name=name, type=kind, rules=rules, priority=priority,
                         active=active, created_at=NOW, updated_at=NOW))


def entries(engine: Engine, day: date = DAY) -> list[tuple[str, int, str, int, float]]:
    with Session(engine) as session:
        rows = session.exec(select(CampaignListEntry, Campaign.name)
                            .join(Campaign)
                            .where(CampaignListEntry.list_date == day)
                            .order_by(Campaign.name, CampaignListEntry.rank)).all()
        return [(name, e.customer_id, e.reason, e.rank, round(e.score, 9)) for e, name in rows]


def params_of(engine: Engine, customer_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        entry = session.exec(select(CampaignListEntry)
                             .where(CampaignListEntry.customer_id == customer_id)).one()
        return dict(entry.reason_params)


def test_deposit_maturing_within_n_days(engine: Engine) -> None:
    with Session(engine) as s:
        for cid, days in ((1, 0), (2, 10), (3, 30), (4, 31), (5, -1)):
            customer(s, cid)
            s.add(Product(customer_id=cid, kind="deposit", name="TD",
                          maturity_date=DAY + timedelta(days=days)))
        customer(s, 6)  # two deposits: the soonest counts
        s.add(Product(customer_id=6, kind="deposit", name="TD", maturity_date=DAY + timedelta(20)))
        s.add(Product(customer_id=6, kind="deposit", name="TD", maturity_date=DAY + timedelta(5)))
        customer(s, 7)  # a loan's maturity is not a deposit's
        s.add(Product(customer_id=7, kind="loan", name="L", maturity_date=DAY + timedelta(3)))
        campaign(s, 1, "renewals", {"targets": [{"rule": "deposit_maturing", "within_days": 30}]})
        s.commit()
    [result] = build_lists(engine, DAY, NOW, PRIOR)
    assert (result.campaign, result.candidates, result.entries) == ("renewals", 4, 4)
    got = entries(engine)
    assert [e[1] for e in got] == [1, 6, 2, 3]
    assert [e[4] for e in got] == [round(maturing_score(d, 30), 9) for d in (0, 5, 10, 30)]
    assert params_of(engine, 6) == {"days": 5}


def test_birthdays_within_n_days_and_29_february(engine: Engine) -> None:
    with Session(engine) as s:
        births = {1: date(1980, 2, 20), 2: date(1992, 2, 29), 3: date(1975, 3, 1),
                  4: date(1990, 3, 20), 5: date(1985, 2, 19)}
        for cid, birth in births.items():
            customer(s, cid, birth_date=birth)
        customer(s, 6)  # no birth date
        campaign(s, 1, "birthdays", {"targets": [{"rule": "birthday", "within_days": 9}]})
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    got = {e[1]: e for e in entries(engine)}
    # 29 Feb falls on 28 Feb in 2027 (8 days away); 1 March is 9 days away; 19 Feb is past
    assert set(got) == {1, 2, 3}
    for cid in got:
        days = days_to_birthday(births[cid], DAY)
        assert got[cid][4] == round(birthday_score(days, 9), 9)
    assert params_of(engine, 2) == {"days": 8}


def test_life_events_in_a_window_past_or_future(engine: Engine) -> None:
    with Session(engine) as s:
        for cid, days, kind in ((1, -10, "marriage"), (2, 0, "child_wedding"),
                                (3, 20, "retirement"), (4, -11, "marriage"),
                                (5, 21, "retirement"), (6, 5, "move")):
            customer(s, cid)
            s.add(CustomerLifeEvent(customer_id=cid, kind=kind, on_date=DAY + timedelta(days)))
        s.add(CustomerLifeEvent(customer_id=3, kind="child_wedding", on_date=DAY - timedelta(2)))
        campaign(s, 1, "life", {"targets": [{
            "rule": "life_event", "days_before": 10, "days_after": 20,
            "kinds": ["marriage", "child_wedding", "retirement"]}]})
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    got = {e[1]: e[4] for e in entries(engine)}
    assert set(got) == {1, 2, 3}
    assert got[3] == round(life_event_score(-2, 10, 20), 9)  # the nearest event counts
    assert params_of(engine, 3) == {"kind": "child_wedding", "days": -2}


def test_lifecycle_stage_filter_and_exclusions(engine: Engine) -> None:
    with Session(engine) as s:
        customer(s, 1, lifecycle_stage="new")
        customer(s, 2, lifecycle_stage="growth")
        customer(s, 3, lifecycle_stage="mature")
        customer(s, 4, lifecycle_stage="new", do_not_call=True)
        customer(s, 5, lifecycle_stage="new", marketing_consent=False)
        customer(s, 6, lifecycle_stage="new")  # called out 3 days ago: cool-down
        s.add(ContactHistory(customer_id=6, channel="outbound", at=NOW - timedelta(days=3)))
        customer(s, 7, lifecycle_stage="new")  # called 20 days ago, inbound 1 day ago: fine
        s.add(ContactHistory(customer_id=7, channel="outbound", at=NOW - timedelta(days=20)))
        s.add(ContactHistory(customer_id=7, channel="call_center", at=NOW - timedelta(days=1)))
        campaign(s, 1, "welcome", {"targets": [{"rule": "lifecycle_stage",
                                                "stages": ["new", "growth"]}],
                                   "cool_down_days": 14})
        customer(s, 9, lifecycle_stage="new")  # a number on the industry do-not-call list
        s.add(CustomerPhone(customer_id=9, number="+821099990009"))
        s.add(IndustryDoNotCall(source="KR-financial", number="+821099990009", imported_at=NOW))
        customer(s, 10, lifecycle_stage="growth")  # a number not on it
        s.add(CustomerPhone(customer_id=10, number="+821099990010"))
        customer(s, 8, lifecycle_stage="churn_risk", marketing_consent=False)
        campaign(s, 2, "service", {"targets": [{"rule": "lifecycle_stage",
                                                "stages": ["churn_risk"]}]}, kind="service")
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    got = entries(engine)
    # no consent is fine for a service call, not for telesales
    assert [(e[0], e[1]) for e in got] == [("service", 8), ("welcome", 1), ("welcome", 2),
                                           ("welcome", 7), ("welcome", 10)]


def test_tier_upgrade_candidates(engine: Engine) -> None:
    with Session(engine) as s:
        for cid, tier, balances in ((1, "silver", (30_000_000, 16_000_000)),  # 46 M of 50 M
                                    (2, "silver", (44_000_000,)),  # 88 %: too far
                                    (3, "silver", (50_000_000,)),  # already there
                                    (4, "core", (9_500_000,)),  # 95 % of silver
                                    (5, "private_banker", (990_000_000,))):  # no next tier
            customer(s, cid, value_tier=tier)
            for b in balances:
                s.add(Product(customer_id=cid, kind="deposit", name="D", balance_krw=b))
        s.add(Product(customer_id=2, kind="loan", name="L", balance_krw=10_000_000))
        campaign(s, 1, "upgrade", {"targets": [{"rule": "tier_upgrade",
                                                "within_percent": 10}]})
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    got = {e[1]: e[4] for e in entries(engine)}
    assert got == {4: 0.95, 1: 0.92}
    assert params_of(engine, 1) == {"tier": "gold", "gap_krw": 4_000_000}


def fitted() -> PropensityModel:
    model = prior_model()
    weights = list(model.weights)
    k = len(model.offers)
    weights[model.offers.index("fund")] = 0.4
    weights[k:] = [-1.5, -0.7, 0.5, 0.3, -0.2]
    return PropensityModel(model.offers, tuple(weights), "fitted", 500, 5)


def test_min_propensity_matches_the_model(engine: Engine) -> None:
    model = fitted()
    people = {1: ("private_banker", "growth", date(1960, 2, 21)),
              2: ("gold", "mature", date(1990, 2, 20)),
              3: ("inactive", "churn_risk", None),
              4: ("silver", "new", date(2010, 6, 1)),
              5: ("core", "mature", date(1930, 1, 1))}
    with Session(engine) as s:
        for cid, (tier, stage, birth) in people.items():
            customer(s, cid, value_tier=tier, lifecycle_stage=stage, birth_date=birth)
        campaign(s, 1, "funds", {"targets": [{"rule": "min_propensity", "offer": "fund",
                                              "min": 0.07}]})
        s.commit()
    build_lists(engine, DAY, NOW, model)
    got = {e[1]: e[4] for e in entries(engine)}
    expected = {}
    for cid, (tier, stage, birth) in people.items():
        age = None if birth is None else (DAY.year - birth.year
                                          - ((DAY.month, DAY.day) < (birth.month, birth.day)))
        p = model.propensity("fund", tier, stage, age)
        assert logistic(propensity_terms(model, "fund").log_odds(tier, stage, age)) == \
            pytest.approx(p, abs=1e-12)
        if p >= 0.07:
            expected[cid] = p
    assert 0 < len(expected) < len(people)
    assert got.keys() == expected.keys()
    for cid, p in expected.items():
        assert got[cid] == pytest.approx(p, abs=1e-8)


def test_delinquent_loans_for_collections_ignore_consent(engine: Engine) -> None:
    with Session(engine) as s:
        for cid, dpd in ((1, 5), (2, 30), (3, 120), (4, 29)):
            customer(s, cid, marketing_consent=False)
            s.add(Product(customer_id=cid, kind="loan", name="L", days_past_due=dpd))
        customer(s, 5)
        s.add(Product(customer_id=5, kind="card", name="C", days_past_due=60))
        campaign(s, 1, "collections", {"targets": [{"rule": "delinquent_loan",
                                                    "min_days_past_due": 30}]},
                 kind="collections", priority=500)
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    assert [(e[1], e[4]) for e in entries(engine)] == [(3, 1.0), (2, round(30 / 90, 9))]


def test_filters_all_must_hold_and_best_reason_wins(engine: Engine) -> None:
    with Session(engine) as s:
        customer(s, 1, lifecycle_stage="new", birth_date=date(1980, 2, 21))
        s.add(Product(customer_id=1, kind="deposit", name="TD", maturity_date=DAY))
        customer(s, 2, lifecycle_stage="mature", birth_date=date(1980, 2, 21))
        campaign(s, 1, "mixed", {
            "targets": [{"rule": "birthday", "within_days": 10},
                        {"rule": "deposit_maturing", "within_days": 10, "weight": 2}],
            "filters": [{"rule": "lifecycle_stage", "stages": ["new"]}]})
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    assert entries(engine) == [("mixed", 1, "deposit_maturing", 1, 2.0)]


def two_campaigns(engine: Engine) -> None:
    with Session(engine) as s:
        for cid in range(1, 7):
            customer(s, cid, relationship_manager_id=1 if cid % 2 else None,
                     birth_date=DAY + timedelta(days=cid) - timedelta(days=365 * 40 + 10))
            s.add(Product(customer_id=cid, kind="deposit", name="TD",
                          maturity_date=DAY + timedelta(days=7 - cid)))
        campaign(s, 1, "birthdays", {"targets": [{"rule": "birthday", "within_days": 30}]},
                 priority=50)
        campaign(s, 2, "renewals", {"targets": [{"rule": "deposit_maturing",
                                                 "within_days": 3}]}, priority=200)
        s.commit()


def test_one_campaign_a_customer_a_day_the_higher_priority_wins(engine: Engine) -> None:
    two_campaigns(engine)
    results = {r.campaign: r for r in build_lists(engine, DAY, NOW, PRIOR)}
    assert (results["renewals"].candidates, results["renewals"].entries) == (3, 3)
    assert (results["birthdays"].candidates, results["birthdays"].entries) == (6, 3)
    got = entries(engine)
    assert [(e[0], e[1], e[3]) for e in got] == [
        ("birthdays", 1, 1), ("birthdays", 2, 2), ("birthdays", 3, 3),
        ("renewals", 6, 1), ("renewals", 5, 2), ("renewals", 4, 3)]
    with Session(engine) as s:
        assert {e.agent_id for e in s.exec(select(CampaignListEntry))} == {1, None}


def test_equal_priority_the_higher_score_wins(engine: Engine) -> None:
    with Session(engine) as s:
        customer(s, 1, birth_date=date(1980, 2, 21))  # birthday score 1 - 1/11
        s.add(Product(customer_id=1, kind="deposit", name="TD", maturity_date=DAY + timedelta(5)))
        customer(s, 2, birth_date=date(1980, 3, 2))  # 10 days: 1 - 10/11
        s.add(Product(customer_id=2, kind="deposit", name="TD", maturity_date=DAY))
        campaign(s, 1, "birthdays", {"targets": [{"rule": "birthday", "within_days": 10}]})
        campaign(s, 2, "renewals", {"targets": [{"rule": "deposit_maturing",
                                                 "within_days": 10}]})
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    assert [(e[0], e[1]) for e in entries(engine)] == [("birthdays", 1), ("renewals", 2)]


def test_rebuilding_the_same_day_gives_the_same_list_and_keeps_worked_entries(
        engine: Engine) -> None:
    two_campaigns(engine)
    build_lists(engine, DAY, NOW, PRIOR)
    first = entries(engine)
    build_lists(engine, DAY, NOW + timedelta(hours=1), PRIOR)
    assert entries(engine) == first
    with Session(engine) as s:
        worked = s.exec(select(CampaignListEntry).where(CampaignListEntry.customer_id == 6)).one()
        worked.status = "done"
        s.add(worked)
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    again = entries(engine)
    # the worked entry stays; the open ones are the same customers, ranked among themselves
    assert {(e[0], e[1]) for e in again} == {(e[0], e[1]) for e in first}
    assert sorted((e[1], e[3]) for e in again if e[0] == "renewals") == [(4, 2), (5, 1), (6, 1)]
    build_lists(engine, DAY, NOW, PRIOR)
    assert entries(engine) == again
    with Session(engine) as s:
        assert len(s.exec(select(CampaignListEntry)).all()) == 6


def test_one_campaign_rebuild_takes_the_customers_it_wins(engine: Engine) -> None:
    two_campaigns(engine)
    with Session(engine) as s:
        renewals = s.get(Campaign, 2)
        assert renewals is not None
        renewals.active = False
        s.add(renewals)
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    assert [e[0] for e in entries(engine)] == ["birthdays"] * 6
    [result] = build_lists(engine, DAY, NOW, PRIOR, campaign="renewals")
    assert (result.campaign, result.entries) == ("renewals", 3)
    got = entries(engine)
    assert [(e[0], e[1]) for e in got] == [
        ("birthdays", 1), ("birthdays", 2), ("birthdays", 3),
        ("renewals", 6), ("renewals", 5), ("renewals", 4)]
    with pytest.raises(CampaignNotFound):
        build_lists(engine, DAY, NOW, PRIOR, campaign="nope")


def test_max_entries_cuts_the_list_after_de_duplication(engine: Engine) -> None:
    with Session(engine) as s:
        for cid in range(1, 6):
            customer(s, cid, lifecycle_stage="new",
                     birth_date=DAY + timedelta(days=cid) - timedelta(days=365 * 40 + 10))
        campaign(s, 1, "b", {"targets": [{"rule": "birthday", "within_days": 30}],
                             "max_entries": 2})
        s.commit()
    build_lists(engine, DAY, NOW, PRIOR)
    assert [e[1] for e in entries(engine)] == [1, 2]


def test_entries_for_agent_managed_first_then_priority_and_score(engine: Engine) -> None:
    two_campaigns(engine)
    build_lists(engine, DAY, NOW, PRIOR)
    with Session(engine) as s:
        got = [(e.campaign_id, e.customer_id) for e in entries_for_agent(s, 1, DAY)]
        # managed (1, 3, 5): renewals (priority 200) first, then birthdays; the pool (2, 4,
        # 6) is nobody's until claimed
        assert got == [(2, 5), (1, 1), (1, 3)]
        assert entries_for_agent(s, 2, DAY) == []
        assert claim_batch(s, 1, DAY, NOW, ClaimPolicy(batch=2)) == 2
        assert claim_batch(s, 2, DAY, NOW, ClaimPolicy(batch=2)) == 1
        got = [(e.campaign_id, e.customer_id) for e in entries_for_agent(s, 1, DAY)]
        assert got == [(2, 5), (1, 1), (1, 3), (2, 6), (2, 4)]
        assert [e.customer_id for e in entries_for_agent(s, 2, DAY, limit=2)] == [2]
        assert entries_for_agent(s, 1, DAY + timedelta(days=1)) == []
        with pytest.raises(ValueError, match="limit"):
            entries_for_agent(s, 1, DAY, limit=0)


def test_morning_refresh_builds_once_a_day_from_the_hour(engine: Engine) -> None:
    two_campaigns(engine)
    refresh = MorningRefresh(engine, hour=6)
    before = datetime(2027, 2, 19, 20, 59, tzinfo=UTC)  # 05:59 on the 20th in Seoul
    assert refresh.run_if_due(before) is None and entries(engine) == []
    results = refresh.run_if_due(NOW)  # 06:00
    assert results is not None and sum(r.entries for r in results) == 6
    assert refresh.run_if_due(NOW + timedelta(hours=3)) is None  # once a day
    assert refresh.due(NOW + timedelta(days=1)) == DAY + timedelta(days=1)
    restarted = MorningRefresh(engine, hour=6)  # lists of the day exist: not rebuilt
    assert restarted.run_if_due(NOW + timedelta(hours=1)) is None
    assert restarted.last_day == DAY
    with pytest.raises(ValueError, match="hour"):
        MorningRefresh(engine, hour=24)


def test_the_demo_seed_has_campaigns_whose_lists_fill(sqlite_url: str) -> None:
    from app.seed import seed_demo
    from app.seed.campaigns import DEMO_CAMPAIGNS

    dbmigrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        seed_demo(engine, customers=3000, today=DAY, roster=False)
        results = build_lists(engine, DAY, NOW, PRIOR)
    finally:
        engine.dispose()
    assert {r.campaign for r in results} == {str(c["name"]) for c in DEMO_CAMPAIGNS}
    assert all(r.entries > 0 for r in results), results


@pytest.mark.parametrize("hour", [6, None])
def test_the_live_center_runs_the_morning_refresh_when_configured(
        sqlite_url: str, hour: int | None) -> None:
    from fastapi.testclient import TestClient

    from app.live.lifecycle import start_live_center, stop_live_center
    from app.testing import make_app, make_settings

    app = make_app(make_settings(sqlite_url, live_center=True, campaign_lists_hour=hour))
    with TestClient(app) as client:
        services = client.portal.call(start_live_center, app)
        refresh = services.morning_refresh
        assert (refresh is not None) == (hour is not None)
        if refresh is not None:
            assert refresh.hour == 6 and refresh._task is not None
            assert not refresh._task.done()
        client.portal.call(stop_live_center, app)
        assert refresh is None or refresh._task is None
