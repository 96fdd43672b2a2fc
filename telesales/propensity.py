"""Propensity to accept an offer: logistic regression over past offers and their outcomes.

Model (one row per past offer that ended accepted or declined)::

    logit P(accept) = logit(prior[offer]) + w · x

``x`` = one-hot of the offer, the tier's rank (0 = private banker … 1 = inactive), flags for
the ``churn_risk`` and ``new``/``growth`` lifecycle stages, the age in decades from 45 and a
flag for an unknown age (see :func:`features`). The prior's log-odds are an *offset*: the
L2 penalty (ridge, ``λ`` = :data:`RIDGE`) pulls ``w`` towards 0, i.e. towards the prior, so an
offer with few outcomes keeps the prior's rate and one with many follows its data.

Fitted by Newton–Raphson (iteratively reweighted least squares; Hastie, Tibshirani and
Friedman, *The Elements of Statistical Learning*, 2nd ed., §4.4.1) from ``w = 0``: the
penalised log-likelihood is strictly concave, so the fit is unique and deterministic (no
random start, no sampling).

Fallback: with fewer than :data:`MIN_OUTCOMES` outcomes, or fewer than :data:`MIN_EACH`
acceptances or declines, there is too little to learn from and :func:`fit_propensity`
returns the prior alone (``source == "prior"``): :data:`PRIOR_ACCEPT_RATES`, the share of
offers accepted per product as banks' outbound cross-sell campaigns report them (a few per
cent for loans and insurance, a fifth to a half for renewals of a maturing deposit).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.events import TIERS

#: P(accept) per offer code before any data (see the module docstring).
PRIOR_ACCEPT_RATES: dict[str, float] = {
    "time_deposit_renewal": 0.45, "fund": 0.08, "credit_card": 0.10, "card_upgrade": 0.15,
    "personal_loan": 0.05, "mortgage": 0.03, "insurance": 0.05, "pension": 0.06,
    "tier_upgrade": 0.12,
}
#: The rate of an offer the prior does not know.
DEFAULT_PRIOR_RATE = 0.05
#: Fewer outcomes than this: the prior alone.
MIN_OUTCOMES = 200
#: Fewer acceptances (or declines) than this: the prior alone (nothing to contrast).
MIN_EACH = 10
#: The ridge penalty λ (on the log-likelihood's scale: λ/2 ‖w‖²). 1.0 counts as about one
#: outcome's worth of belief in the prior per weight: gone once an offer has dozens.
RIDGE = 1.0
MAX_ITERATIONS = 50
TOLERANCE = 1e-9
#: Past offers one fit reads at most (the app takes the most recent ones).
MAX_OUTCOMES = 50_000


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    """One past offer that ended: to whom (tier, stage, age) and whether it was accepted."""

    offer: str
    tier: str
    lifecycle_stage: str
    age: int | None
    accepted: bool


def features(
    offers: Sequence[str], offer: str, tier: str, lifecycle_stage: str, age: int | None
) -> NDArray[np.float64]:
    """The feature row ``x`` of one offer to one customer (see the module docstring)."""
    x = np.zeros(len(offers) + 5)
    if offer in offers:
        x[offers.index(offer)] = 1.0
    k = len(offers)
    rank = TIERS.index(tier) if tier in TIERS else len(TIERS) - 1
    x[k] = rank / (len(TIERS) - 1)
    x[k + 1] = 1.0 if lifecycle_stage == "churn_risk" else 0.0
    x[k + 2] = 1.0 if lifecycle_stage in ("new", "growth") else 0.0
    if age is None:
        x[k + 4] = 1.0
    else:
        x[k + 3] = (min(max(age, 15), 100) - 45) / 10.0
    return x


def prior_rate(offer: str) -> float:
    return PRIOR_ACCEPT_RATES.get(offer, DEFAULT_PRIOR_RATE)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True, slots=True)
class PropensityModel:
    """A fitted (or prior-only) model: ``weights`` over :func:`features` of ``offers``."""

    offers: tuple[str, ...]
    weights: tuple[float, ...]
    source: str = "prior"  # "fitted" or "prior"
    outcomes: int = 0
    iterations: int = 0

    def propensity(self, offer: str, tier: str, lifecycle_stage: str, age: int | None) -> float:
        """``σ(logit(prior[offer]) + w · x)``; ``w · x`` summed over the few non-zero
        features of :func:`features` (in plain floats: this runs in every screen pop)."""
        if not any(self.weights):
            return prior_rate(offer)
        w, k = self.weights, len(self.offers)
        z = _logit(prior_rate(offer))
        if offer in self.offers:
            z += w[self.offers.index(offer)]
        rank = TIERS.index(tier) if tier in TIERS else len(TIERS) - 1
        z += w[k] * rank / (len(TIERS) - 1)
        z += w[k + 1] if lifecycle_stage == "churn_risk" else 0.0
        z += w[k + 2] if lifecycle_stage in ("new", "growth") else 0.0
        z += w[k + 4] if age is None else w[k + 3] * (min(max(age, 15), 100) - 45) / 10.0
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def prior_model(offers: Iterable[str] = PRIOR_ACCEPT_RATES) -> PropensityModel:
    """The fallback: the prior rates alone (all weights 0)."""
    names = tuple(offers)
    return PropensityModel(names, (0.0,) * (len(names) + 5), "prior")


def fit_propensity(
    outcomes: Sequence[OfferOutcome], offers: Iterable[str] = PRIOR_ACCEPT_RATES,
) -> PropensityModel:
    """Fit :class:`PropensityModel` on ``outcomes`` (the prior alone when too few, see the
    module docstring). Raises ``ValueError`` past :data:`MAX_OUTCOMES` outcomes."""
    names = tuple(offers)
    if len(outcomes) > MAX_OUTCOMES:
        raise ValueError(f"outcomes must be at most {MAX_OUTCOMES}, got {len(outcomes)}")
    accepted = sum(1 for o in outcomes if o.accepted)
    if (len(outcomes) < MIN_OUTCOMES or accepted < MIN_EACH
            or len(outcomes) - accepted < MIN_EACH):
        return PropensityModel(names, (0.0,) * (len(names) + 5), "prior", len(outcomes))
    x = np.vstack([features(names, o.offer, o.tier, o.lifecycle_stage, o.age)
                   for o in outcomes])
    y = np.array([1.0 if o.accepted else 0.0 for o in outcomes])
    offset = np.array([_logit(prior_rate(o.offer)) for o in outcomes])
    w, iterations = _newton(x, y, offset, RIDGE)
    return PropensityModel(names, tuple(float(v) for v in w), "fitted", len(outcomes),
                           iterations)


def _newton(
    x: NDArray[np.float64], y: NDArray[np.float64], offset: NDArray[np.float64], ridge: float
) -> tuple[NDArray[np.float64], int]:
    """Maximise ``ℓ(w) = Σ [y z − log(1 + e^z)] − ridge/2 ‖w‖²`` with ``z = offset + x w``.

    Newton steps, halved until ``ℓ`` does not fall (step halving: a full step can overshoot
    where the data nearly separate, e.g. an offer nobody accepted)."""
    w = np.zeros(x.shape[1])
    eye = np.eye(x.shape[1])
    objective = _penalised_loglik(x, y, offset, ridge, w)
    for iteration in range(1, MAX_ITERATIONS + 1):
        z = offset + x @ w
        p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, with no overflow
        gradient = x.T @ (y - p) - ridge * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * eye
        step = np.linalg.solve(hessian, gradient)
        for _ in range(40):
            candidate = _penalised_loglik(x, y, offset, ridge, w + step)
            if candidate >= objective - 1e-12:
                break
            step = step / 2
        w = w + step
        objective = candidate
        if float(np.max(np.abs(step))) < TOLERANCE:
            return w, iteration
    return w, MAX_ITERATIONS


def _penalised_loglik(
    x: NDArray[np.float64], y: NDArray[np.float64], offset: NDArray[np.float64], ridge: float,
    w: NDArray[np.float64],
) -> float:
    z = offset + x @ w
    return float(np.sum(y * z - np.logaddexp(0.0, z)) - 0.5 * ridge * float(w @ w))
