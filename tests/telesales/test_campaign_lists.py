"""Scores, birthdays (29 February), de-duplication, list order and the propensity lift."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from telesales.campaign_lists import (
    Candidate,
    birthday_in_year,
    birthday_offsets,
    days_to_birthday,
    deduplicate,
    lift_by_decile,
    list_order,
    logistic,
    propensity_terms,
)
from telesales.propensity import PropensityModel, prior_model


def test_29_february_falls_on_28_february_without_a_leap_year() -> None:
    birth = date(1992, 2, 29)
    assert birthday_in_year(birth, 2027) == date(2027, 2, 28)
    assert birthday_in_year(birth, 2028) == date(2028, 2, 29)
    assert days_to_birthday(birth, date(2027, 2, 28)) == 0
    assert days_to_birthday(birth, date(2027, 3, 1)) == 365  # to 29 February 2028
    assert birthday_offsets(date(2027, 2, 25), 5)[229] == 3
    assert 229 not in birthday_offsets(date(2027, 3, 1), 30)
    offsets = birthday_offsets(date(2028, 2, 25), 5)
    assert (offsets[228], offsets[229], offsets[301]) == (3, 4, 5)


@given(st.dates(date(1920, 1, 1), date(2020, 12, 31)), st.dates(date(2024, 1, 1),
                                                                  date(2030, 12, 31)),
       st.integers(0, 366))
def test_offsets_agree_with_days_to_birthday(birth: date, day: date, within: int) -> None:
    days = days_to_birthday(birth, day)
    offsets = birthday_offsets(day, within)
    md = birth.month * 100 + birth.day
    if days <= within:
        assert offsets[md] == days
    else:
        assert md not in offsets
    assert day + timedelta(days=days) == birthday_in_year(birth, (day + timedelta(days)).year)


candidates = st.lists(st.builds(Candidate, st.integers(1, 4), st.integers(1, 30),
                                st.sampled_from([0.1, 0.5, 0.9]), st.just("r")),
                      max_size=60)


@given(candidates, st.dictionaries(st.integers(1, 4), st.integers(0, 3), min_size=4,
                                   max_size=4))
def test_deduplicate_keeps_one_campaign_per_customer(cands: list[Candidate],
                                                     priority: dict[int, int]) -> None:
    kept = deduplicate(cands, priority.__getitem__)
    assert len({c.customer_id for c in kept}) == len(kept) == len({c.customer_id for c in cands})
    for c in cands:
        winner = next(k for k in kept if k.customer_id == c.customer_id)
        assert (priority[winner.campaign_id], winner.score, -winner.campaign_id) >= (
            priority[c.campaign_id], c.score, -c.campaign_id)


def test_list_order_is_score_then_customer() -> None:
    cands = [Candidate(1, 5, 0.5, "r"), Candidate(1, 2, 0.5, "r"), Candidate(1, 9, 0.9, "r")]
    assert [c.customer_id for c in list_order(cands)] == [9, 2, 5]


def test_propensity_terms_give_the_model() -> None:
    base = prior_model()
    weights = np.linspace(-1, 1, len(base.weights))
    model = PropensityModel(base.offers, tuple(float(w) for w in weights), "fitted", 300)
    for offer in ("fund", "mortgage", "unknown"):
        terms = propensity_terms(model, offer)
        for tier in ("private_banker", "gold", "inactive"):
            for stage in ("new", "churn_risk", "mature"):
                for age in (None, 10, 45, 70, 120):
                    assert logistic(terms.log_odds(tier, stage, age)) == \
                        model.propensity(offer, tier, stage, age)


def test_lift_by_decile() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.4, 5000)
    y = rng.uniform(size=5000) < p
    lift = lift_by_decile(list(p), list(y))
    assert [d.decile for d in lift] == list(range(1, 11))
    assert sum(d.count for d in lift) == 5000
    assert lift[0].lift > 1.6
    assert lift[-1].lift < 0.4
    assert lift_by_decile([0.5] * 5, [False] * 5) == []
    assert lift_by_decile([], []) == []
    flat = lift_by_decile([0.2] * 100, [i % 5 == 0 for i in range(100)])
    assert all(d.count == 10 for d in flat)
