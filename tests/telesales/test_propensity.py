"""The propensity model: logistic regression over past offers (telesales/propensity.py)."""

from __future__ import annotations

import numpy as np
import pytest

from telesales.propensity import (
    MAX_OUTCOMES,
    MIN_OUTCOMES,
    PRIOR_ACCEPT_RATES,
    OfferOutcome,
    fit_propensity,
    prior_model,
)


def outcomes(rng: np.random.Generator, n: int, rates: dict[str, float]) -> list[OfferOutcome]:
    offers = list(rates)
    out = []
    for _ in range(n):
        offer = offers[int(rng.integers(len(offers)))]
        tier = ["gold", "silver", "core"][int(rng.integers(3))]
        out.append(OfferOutcome(offer, tier, "mature", int(rng.integers(25, 70)),
                                bool(rng.random() < rates[offer])))
    return out


def test_too_little_data_falls_back_to_the_prior() -> None:
    rng = np.random.default_rng(0)
    few = outcomes(rng, MIN_OUTCOMES - 1, {"fund": 0.5})
    model = fit_propensity(few)
    assert model.source == "prior" and model.outcomes == MIN_OUTCOMES - 1
    assert model.propensity("fund", "gold", "mature", 40) == PRIOR_ACCEPT_RATES["fund"]
    none_accepted = outcomes(rng, 500, {"fund": 0.0})
    assert fit_propensity(none_accepted).source == "prior"


def test_the_fit_recovers_the_acceptance_rates() -> None:
    rng = np.random.default_rng(1)
    data = outcomes(rng, 6000, {"fund": 0.30, "credit_card": 0.05, "insurance": 0.15})
    model = fit_propensity(data)
    assert model.source == "fitted" and model.iterations < 50
    for offer, rate in (("fund", 0.30), ("credit_card", 0.05), ("insurance", 0.15)):
        mean = np.mean([model.propensity(offer, t, "mature", 45)
                        for t in ("gold", "silver", "core")])
        assert mean == pytest.approx(rate, abs=0.04)
    # an offer with no outcomes keeps its prior (the ridge pulls towards it)
    assert model.propensity("mortgage", "silver", "mature", 45) == pytest.approx(
        PRIOR_ACCEPT_RATES["mortgage"], rel=0.5)


def test_the_fit_learns_the_tier_effect() -> None:
    rng = np.random.default_rng(2)
    data = [OfferOutcome("fund", tier, "mature", 45, bool(rng.random() < rate))
            for tier, rate in (("gold", 0.4), ("core", 0.1)) for _ in range(1500)]
    model = fit_propensity(data)
    assert model.propensity("fund", "gold", "mature", 45) > 0.3
    assert model.propensity("fund", "core", "mature", 45) < 0.15


def test_the_fit_is_deterministic_and_bounded() -> None:
    data = outcomes(np.random.default_rng(3), 1000, {"fund": 0.3, "pension": 0.1})
    assert fit_propensity(data) == fit_propensity(list(data))
    with pytest.raises(ValueError, match="outcomes"):
        fit_propensity([data[0]] * (MAX_OUTCOMES + 1))


def test_the_prior_model() -> None:
    model = prior_model()
    assert model.source == "prior"
    assert model.propensity("unknown_offer", "gold", "mature", None) == 0.05


def test_the_fast_propensity_equals_the_feature_formula() -> None:
    import math

    from telesales.propensity import features, prior_rate

    model = fit_propensity(outcomes(np.random.default_rng(4), 2000,
                                    {"fund": 0.3, "pension": 0.1, "insurance": 0.2}))
    for offer in ("fund", "pension", "mortgage", "unknown"):
        for tier in ("private_banker", "gold", "inactive"):
            for stage in ("new", "growth", "mature", "churn_risk"):
                for age in (None, 19, 45, 80):
                    x = features(model.offers, offer, tier, stage, age)
                    z = math.log(prior_rate(offer) / (1 - prior_rate(offer))) + float(
                        np.dot(model.weights, x))
                    assert model.propensity(offer, tier, stage, age) == pytest.approx(
                        1 / (1 + math.exp(-z)), rel=1e-12)
