"""Campaign lists: the score of each reason, the order of a list, one campaign a customer a day.

The database builds the lists set-based (``app/campaign_lists.py``); the formulas are written
here once and the shell's SQL evaluates the same ones (its tests compare the two on small
data). Every score is in ``[0, 1]`` before the rule's weight multiplies it:

``deposit_maturing``  ``1 - d / (N + 1)``, ``d`` days until the soonest deposit matures
                      (0..N): the sooner, the higher.
``birthday``          ``1 - d / (N + 1)``, ``d`` days until the birthday.
``life_event``        ``1 - |d| / (W + 1)``, ``d`` days from the day to the nearest event,
                      ``W`` the larger of ``days_before`` and ``days_after``.
``lifecycle_stage``   :data:`STAGE_SCORE` (a stage says who, not when: below a dated reason).
``tier_upgrade``      ``balance / threshold`` of the next tier (closest to it first).
``min_propensity``    the model's P(accept) itself.
``delinquent_loan``   ``min(dpd, 90) / 90``: 90 days past due is where a loan becomes
                      non-performing (Basel default definition), so it scores 1.

**Order** of a list: score descending, then customer id ascending (a stable tie-break, so
the same data gives the same list). **One campaign a customer a day**: the customer goes to
the campaign of the highest ``priority``; at equal priority the higher score wins, then the
lower campaign id (:func:`deduplicate`).

Propensity in SQL: :func:`propensity_terms` turns a fitted
:class:`telesales.propensity.PropensityModel` into the linear terms of its log-odds for one
offer, which the SQL adds up per customer from tier, stage and age; a threshold on P is a
threshold on the log-odds (the logistic function is increasing), :func:`logit`.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from routing.events import TIERS
from telesales.propensity import PropensityModel, prior_rate

STAGE_SCORE = 0.5
DELINQUENCY_FULL_DAYS = 90
#: statuses of a list entry: ``open`` until the agent works it
ENTRY_STATUSES: tuple[str, ...] = ("open", "done", "skipped", "expired")


def maturing_score(days: int, within_days: int) -> float:
    return 1.0 - days / (within_days + 1)


def birthday_score(days: int, within_days: int) -> float:
    return 1.0 - days / (within_days + 1)


def life_event_score(days: int, days_before: int, days_after: int) -> float:
    return 1.0 - abs(days) / (max(days_before, days_after) + 1)


def tier_upgrade_score(balance_krw: int, threshold_krw: int) -> float:
    return balance_krw / threshold_krw


def delinquency_score(days_past_due: int) -> float:
    return min(days_past_due, DELINQUENCY_FULL_DAYS) / DELINQUENCY_FULL_DAYS


def birthday_in_year(birth: date, year: int) -> date:
    """The birthday of ``birth`` in ``year``: 29 February is 28 February when ``year`` has no
    29 February."""
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth.replace(year=year)


def days_to_birthday(birth: date, day: date) -> int:
    """Days from ``day`` to the next birthday (0 on the birthday itself)."""
    this_year = birthday_in_year(birth, day.year)
    if this_year < day:
        this_year = birthday_in_year(birth, day.year + 1)
    return (this_year - day).days


def birthday_offsets(day: date, within_days: int) -> dict[int, int]:
    """``month * 100 + day`` of a birth date -> days until that birthday, for the birthdays
    from ``day`` to ``within_days`` days later (the SQL looks the days up by a birth date's
    month and day). 229 is in it when a 29 February birthday falls in the window: on 29
    February in a leap year, on 28 February otherwise."""
    offsets: dict[int, int] = {}
    for n in range(min(within_days, 366) + 1):
        d = day + timedelta(days=n)
        offsets.setdefault(d.month * 100 + d.day, n)
        if d.month == 2 and d.day == 28 and not calendar.isleap(d.year):
            offsets.setdefault(229, n)
    return offsets


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True, slots=True)
class PropensityTerms:
    """The log-odds of P(accept ``offer``) as a sum the SQL computes per customer::

        z = base + tier_term[tier] + churn_risk (stage churn_risk) + new_or_growth
            + (unknown_age if age is None else per_decade * (clamp(age, 15, 100) - 45) / 10)
    """

    offer: str
    base: float
    tier_term: dict[str, float]
    churn_risk: float
    new_or_growth: float
    per_decade: float
    unknown_age: float

    def log_odds(self, tier: str, stage: str, age: int | None) -> float:
        z = self.base + self.tier_term.get(tier, self.tier_term[TIERS[-1]])
        z += self.churn_risk if stage == "churn_risk" else 0.0
        z += self.new_or_growth if stage in ("new", "growth") else 0.0
        if age is None:
            return z + self.unknown_age
        return z + self.per_decade * (min(max(age, 15), 100) - 45) / 10.0


def propensity_terms(model: PropensityModel, offer: str) -> PropensityTerms:
    """The terms of ``model``'s log-odds for ``offer`` (see :class:`PropensityTerms`); they
    give exactly :meth:`PropensityModel.propensity` through the logistic function."""
    w, k = model.weights, len(model.offers)
    base = logit(prior_rate(offer)) + (w[model.offers.index(offer)]
                                       if offer in model.offers else 0.0)
    tiers = {t: w[k] * i / (len(TIERS) - 1) for i, t in enumerate(TIERS)}
    return PropensityTerms(offer, base, tiers, w[k + 1], w[k + 2], w[k + 3], w[k + 4])


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A customer a campaign's rules picked, with the reason that scored highest."""

    campaign_id: int
    customer_id: int
    score: float
    reason: str


def deduplicate(candidates: Iterable[Candidate],
                priority_of: Callable[[int], int]) -> list[Candidate]:
    """One candidate per customer: the highest campaign priority, then the highest score,
    then the lowest campaign id; in list order (campaign, then :func:`list_order`)."""
    best: dict[int, Candidate] = {}
    for c in candidates:
        kept = best.get(c.customer_id)
        if kept is None or _wins(c, kept, priority_of):
            best[c.customer_id] = c
    return sorted(best.values(), key=lambda c: (c.campaign_id, -c.score, c.customer_id))


def _wins(a: Candidate, b: Candidate, priority_of: Callable[[int], int]) -> bool:
    return ((-priority_of(a.campaign_id), -a.score, a.campaign_id)
            < (-priority_of(b.campaign_id), -b.score, b.campaign_id))


def list_order(candidates: Sequence[Candidate]) -> list[Candidate]:
    """A campaign's list in rank order: score descending, then customer id."""
    return sorted(candidates, key=lambda c: (-c.score, c.customer_id))


@dataclass(frozen=True, slots=True)
class DecileLift:
    """One decile of customers by predicted propensity (1 = the highest tenth): how many,
    the mean predicted rate, the observed acceptance rate and its lift over the whole."""

    decile: int
    count: int
    predicted_rate: float
    observed_rate: float
    lift: float


def lift_by_decile(predicted: Sequence[float], accepted: Sequence[bool]) -> list[DecileLift]:
    """The model's lift by decile: outcomes sorted by predicted P (highest first) and cut in
    ten near-equal groups; ``lift = observed rate in the decile / overall observed rate``
    (1.0 everywhere: the model ranks no better than chance). Empty when there is nothing or
    nobody accepted."""
    if len(predicted) != len(accepted):
        raise ValueError("predicted and accepted must have the same length")
    n = len(predicted)
    overall = sum(accepted) / n if n else 0.0
    if n == 0 or overall == 0.0:
        return []
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(accepted, dtype=float)
    order = np.argsort(-p, kind="stable")
    out = []
    for i, chunk in enumerate(np.array_split(order, min(10, n))):
        observed = float(y[chunk].mean())
        out.append(DecileLift(i + 1, len(chunk), float(p[chunk].mean()), observed,
                              observed / overall))
    return out
