"""Next best offers: which products are worth offering a caller now, ranked, each with a tip.

Specification → rules → ranking:

1. :data:`CATALOGUE` holds what the bank sells (:class:`OfferSpec`: code, kind, value to the
   bank when sold, whether it is marketing, the ages it suits).
2. :func:`candidate_offers` applies the rules to a :class:`CustomerSnapshot` at ``now``:
   eligibility (no marketing offer without consent, nothing already held, nothing declined
   in the last :data:`DECLINE_COOLDOWN_DAYS` days, age limits, retention only when a deposit
   matures) and triggers (a deposit maturing in 12 days, a card the branch presented last
   month, a child's wedding season, a tier upgrade within reach...), each trigger a
   :class:`Tip` (a code and parameters: the page renders it in either language) and a
   log-odds lift.
3. :func:`rank_offers` scores each candidate: ``propensity × value_krw`` (the expected value
   of making the offer), the propensity from a :class:`PropensityModel` (logistic regression
   over past offers and their outcomes, :mod:`telesales.propensity`) shifted by the
   trigger's lift.

Pure: ``now`` is an argument, no clock, no randomness, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from routing.events import TIERS, OfferKind, OfferResult
from telesales.propensity import PropensityModel, prior_model

# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferSpec:
    """A product the center may offer. ``value_krw``: what a sale is worth to the bank (a
    year's margin, the figure the ranking multiplies by the propensity); ``marketing``: needs
    the customer's marketing consent (a maturing deposit's renewal is service, not marketing)."""

    code: str
    kind: OfferKind
    value_krw: float
    marketing: bool = True
    min_age: int = 19
    max_age: int = 120

    def __post_init__(self) -> None:
        if not self.code or len(self.code) > 40:
            raise ValueError(f"code must be 1 to 40 characters, got {self.code!r}")
        if not (self.value_krw > 0 and math.isfinite(self.value_krw)):
            raise ValueError(f"value_krw must be > 0, got {self.value_krw!r}")
        if self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")


#: What the bank sells through the center. Values are a year's margin per sale, in KRW:
#: the order of magnitude matters (a mortgage is worth ~20 credit cards), not the digits.
CATALOGUE: tuple[OfferSpec, ...] = (
    OfferSpec("time_deposit_renewal", "retention", 150_000, marketing=False),
    OfferSpec("fund", "cross_sell", 250_000, min_age=19, max_age=80),
    OfferSpec("credit_card", "cross_sell", 120_000, min_age=19, max_age=75),
    OfferSpec("card_upgrade", "up_sell", 90_000, min_age=19, max_age=80),
    OfferSpec("personal_loan", "cross_sell", 400_000, min_age=19, max_age=65),
    OfferSpec("mortgage", "cross_sell", 1_500_000, min_age=25, max_age=70),
    OfferSpec("insurance", "cross_sell", 200_000, min_age=19, max_age=70),
    OfferSpec("pension", "cross_sell", 300_000, min_age=30, max_age=64),
    OfferSpec("tier_upgrade", "up_sell", 200_000),
)
OFFERS: dict[str, OfferSpec] = {spec.code: spec for spec in CATALOGUE}
OFFER_CODES: tuple[str, ...] = tuple(OFFERS)

# --- rule constants (why each has its value) -------------------------------------------------

#: An offer the customer declined is not made again for this long (a quarter: long enough
#: not to nag, short enough that a changed situation is heard).
DECLINE_COOLDOWN_DAYS = 90
#: A deposit is worth a renewal offer from this many days before maturity ...
MATURITY_WINDOW_DAYS = 45
#: ... to this many days after (the money often sits in the account for a while).
MATURED_GRACE_DAYS = 14
#: A presentation (branch, outbound call) older than this is no longer a trigger.
PRESENTED_WITHIN_DAYS = 60
#: A life event is a trigger from this many days before its date to this many after.
LIFE_EVENT_BEFORE_DAYS = 120
LIFE_EVENT_AFTER_DAYS = 60
#: A tier upgrade is "within reach" when revenue is at least this share of the next threshold.
TIER_REACH_SHARE = 0.7
#: Annual revenue (KRW) from which a customer belongs to a tier: the geometric means of the
#: neighbouring tiers' mean revenues (app.seed.tiers: 60M, 15M, 4.6M, 250k, 60k, 5k).
TIER_THRESHOLDS_KRW: dict[str, float] = {
    "private_banker": 30_000_000, "platinum": 8_300_000, "gold": 1_070_000,
    "silver": 122_000, "core": 17_000,
}
#: Deposits and funds above this (KRW) with no fund held: an idle balance worth a fund offer.
IDLE_BALANCE_KRW = 20_000_000
#: Log-odds lift a trigger adds to the model's propensity. Past outcomes do not record which
#: tip the agent saw, so the lift is a prior: +1.5 log-odds multiplies small odds by ~4.5
#: (campaign response to a timely, specific trigger versus a cold offer), +0.7 by ~2.
STRONG_LIFT = 1.5
MILD_LIFT = 0.7
#: How many offers the console shows at most.
MAX_OFFERS = 5

# --- the snapshot ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldProduct:
    """A product the customer holds (``kind``: deposit, loan, card, fund...)."""

    kind: str
    name: str
    balance_krw: int = 0
    maturity_date: date | None = None
    opened_on: date | None = None


@dataclass(frozen=True, slots=True)
class PastContact:
    """A row of the contact history: when, on which channel, why and how it ended."""

    at: datetime
    channel: str
    reason: str = ""
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class LifeEvent:
    kind: str
    on_date: date | None = None


@dataclass(frozen=True, slots=True)
class PastOffer:
    """An offer made before (this center or a campaign) and how it went."""

    offer: str
    result: OfferResult
    at: datetime
    channel: str = "call_center"


@dataclass(frozen=True, slots=True)
class CustomerSnapshot:
    """What the rules know of a customer at the moment of the call."""

    customer_id: int
    tier: str
    lifecycle_stage: str = "mature"
    segment: str = "mass"
    birth_date: date | None = None
    marketing_consent: bool = False
    do_not_call: bool = False
    annual_revenue_krw: int = 0
    products: tuple[HeldProduct, ...] = ()
    contacts: tuple[PastContact, ...] = ()
    life_events: tuple[LifeEvent, ...] = ()
    past_offers: tuple[PastOffer, ...] = ()

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


# --- results -----------------------------------------------------------------------------


TipParam = str | int | float


@dataclass(frozen=True, slots=True)
class Tip:
    """Why now, as a code and parameters (``deposit_maturing`` days=12 → "Deposit matures in
    12 days" / "정기예금 만기 12일 전"); the page holds the sentences in both languages."""

    code: str
    params: tuple[tuple[str, TipParam], ...] = ()

    def as_dict(self) -> dict[str, TipParam]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible offer with its strongest trigger (or the plain ``fits_profile`` tip)."""

    spec: OfferSpec
    tip: Tip
    lift: float = 0.0


@dataclass(frozen=True, slots=True)
class RankedOffer:
    """``score`` = ``propensity × spec.value_krw``: the expected value of making the offer."""

    offer: str
    kind: OfferKind
    score: float
    propensity: float
    value_krw: float
    tip: Tip


# --- what the customer holds -------------------------------------------------------------------

#: Which offer a held product counts as (kind, words in its name → offer code); first match.
HOLDINGS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("card", ("플래티넘", "platinum", "premium", "프리미엄"), "card_upgrade"),
    ("card", ("신용", "credit"), "credit_card"),
    ("loan", ("주택담보", "mortgage"), "mortgage"),
    ("loan", ("신용대출", "마이너스", "personal", "overdraft"), "personal_loan"),
    ("fund", (), "fund"),
    ("insurance", (), "insurance"),
    ("pension", (), "pension"),
)
#: Past contacts that were offers of a product (reason → offer code) and the outcomes that
#: mean accepted / declined (campaign calls of the contact history). Contacts the customer
#: started (a renewal or a loan application at the branch) are not offers: not listed.
REASON_OFFERS: dict[str, str] = {
    "cross_sell_card": "credit_card", "deposit_maturity_notice": "time_deposit_renewal",
}
ACCEPTED_OUTCOMES = frozenset({"accepted", "renewed", "sale"})
DECLINED_OUTCOMES = frozenset({"declined", "not_renewed", "no_sale"})
#: ``ContactHistory.reason`` of an offer recorded by the console: ``offer:<code>``.
OFFER_REASON_PREFIX = "offer:"


def held_offer_codes(products: Iterable[HeldProduct]) -> frozenset[str]:
    """The offer codes the customer's products already satisfy (a platinum card counts as
    both a credit card and the upgrade)."""
    held: set[str] = set()
    for product in products:
        name = product.name.lower()
        for kind, words, code in HOLDINGS:
            if product.kind == kind and (not words or any(w in name for w in words)):
                held.add(code)
                if code == "card_upgrade":
                    held.add("credit_card")
                break
    return frozenset(held)


def offers_in_history(snapshot: CustomerSnapshot) -> list[PastOffer]:
    """Past offers: the snapshot's own, and campaign contacts that were offers."""
    found = list(snapshot.past_offers)
    for c in snapshot.contacts:
        code = REASON_OFFERS.get(c.reason)
        if code is None and c.reason.startswith(OFFER_REASON_PREFIX):
            code = c.reason[len(OFFER_REASON_PREFIX):]
        if code is None:
            continue
        result: OfferResult = ("accepted" if c.outcome in ACCEPTED_OUTCOMES else
                               "declined" if c.outcome in DECLINED_OUTCOMES else
                               "follow_up" if c.outcome in ("follow_up", "callback_requested")
                               else "made")
        found.append(PastOffer(code, result, c.at, c.channel))
    return found


# --- rules ---------------------------------------------------------------------------------------


#: Offers that exist only with one of these tips (a renewal needs a maturing deposit, not
#: just an earlier presentation of it).
REQUIRED_TIPS: dict[str, frozenset[str]] = {
    "time_deposit_renewal": frozenset({"deposit_maturing", "deposit_matured"}),
    "tier_upgrade": frozenset({"tier_in_reach"}),
}


def candidate_offers(snapshot: CustomerSnapshot, now: datetime) -> list[Candidate]:
    """The offers the rules allow for ``snapshot`` at ``now``, each with its best trigger."""
    today = now.date()
    age = snapshot.age_on(today)
    held = held_offer_codes(snapshot.products)
    history = offers_in_history(snapshot)
    recently_accepted = {p.offer for p in history if p.result == "accepted"
                         and (now - p.at).days <= _accepted_days(p.offer)}
    declined = {p.offer for p in history if p.result == "declined"
                and (now - p.at).days < DECLINE_COOLDOWN_DAYS}
    out: list[Candidate] = []
    for spec in CATALOGUE:
        if spec.marketing and not snapshot.marketing_consent:
            continue  # no marketing offer without consent
        if spec.code in held or spec.code in declined:
            continue
        if spec.code in recently_accepted:
            continue  # just bought (or renewed): being set up, not an offer any more
        if age is not None and not spec.min_age <= age <= spec.max_age:
            continue
        tips = list(_triggers(spec, snapshot, now, age, history))
        if spec.code in REQUIRED_TIPS and not any(t.code in REQUIRED_TIPS[spec.code]
                                                   for t, _ in tips):
            continue  # these exist only with their own trigger (a maturity, a tier in reach)
        if not tips:
            out.append(Candidate(spec, Tip("fits_profile", (("segment", snapshot.segment),))))
            continue
        tip, lift = max(tips, key=lambda t: t[1])
        out.append(Candidate(spec, tip, lift))
    return out


def _accepted_days(offer: str) -> int:
    """How long an accepted offer keeps it off the list: a renewal for the window of the
    maturity it answered, anything else for a year."""
    if offer == "time_deposit_renewal":
        return MATURITY_WINDOW_DAYS + MATURED_GRACE_DAYS
    return 365


def _triggers(
    spec: OfferSpec, s: CustomerSnapshot, now: datetime, age: int | None,
    history: Sequence[PastOffer],
) -> Iterable[tuple[Tip, float]]:
    today = now.date()
    if spec.code == "time_deposit_renewal":
        yield from _maturing(s.products, today)
    if spec.code == "tier_upgrade":
        yield from _tier_in_reach(s)
    if spec.code == "fund":
        idle = sum(p.balance_krw for p in s.products if p.kind == "deposit")
        if idle >= IDLE_BALANCE_KRW:
            yield Tip("idle_balance", (("amount_krw", idle),)), MILD_LIFT
    if spec.code == "card_upgrade" and any(
            p.kind == "card" and ("신용" in p.name or "credit" in p.name.lower())
            for p in s.products):
        yield Tip("card_upgrade_eligible"), MILD_LIFT
    if spec.code == "pension" and age is not None and age >= 45:
        yield Tip("no_pension_at_age", (("age", age),)), MILD_LIFT
    yield from _presented(spec.code, history, now)
    yield from _life_events(spec.code, s.life_events, today)


def _maturing(products: Iterable[HeldProduct], today: date) -> Iterable[tuple[Tip, float]]:
    for p in products:
        if p.kind != "deposit" or p.maturity_date is None:
            continue
        days = (p.maturity_date - today).days
        if 0 <= days <= MATURITY_WINDOW_DAYS:
            yield Tip("deposit_maturing", (("days", days), ("product", p.name))), STRONG_LIFT
        elif -MATURED_GRACE_DAYS <= days < 0:
            yield Tip("deposit_matured", (("days", -days), ("product", p.name))), STRONG_LIFT


def _tier_in_reach(s: CustomerSnapshot) -> Iterable[tuple[Tip, float]]:
    rank = TIERS.index(s.tier)
    if rank == 0 or s.tier == "inactive":
        return
    upper = TIERS[rank - 1]
    threshold = TIER_THRESHOLDS_KRW[upper]
    if TIER_REACH_SHARE * threshold <= s.annual_revenue_krw < threshold:
        gap = int(round(threshold - s.annual_revenue_krw, -3))
        yield Tip("tier_in_reach", (("tier", upper), ("gap_krw", gap))), STRONG_LIFT


def _presented(
    code: str, history: Sequence[PastOffer], now: datetime
) -> Iterable[tuple[Tip, float]]:
    for p in history:
        days = (now - p.at).days
        if p.offer != code or not 0 <= days <= PRESENTED_WITHIN_DAYS:
            continue
        if p.result == "follow_up":
            yield Tip("follow_up_promised", (("days", days),)), STRONG_LIFT
        elif p.result == "made":
            tip = "branch_presented" if p.channel == "branch" else "presented_before"
            yield Tip(tip, (("days", days),)), STRONG_LIFT if p.channel == "branch" else MILD_LIFT


#: Which life events make which offers timely.
LIFE_EVENT_OFFERS: dict[str, tuple[str, ...]] = {
    "marriage": ("mortgage", "credit_card", "insurance"),
    "child_birth": ("insurance", "fund"),
    "child_school": ("fund", "personal_loan"),
    "child_wedding": ("personal_loan", "fund", "time_deposit_renewal"),
    "home_purchase": ("mortgage", "insurance"),
    "move": ("mortgage", "personal_loan"),
    "retirement": ("pension", "fund"),
    "business_start": ("personal_loan", "credit_card"),
    "bereavement": (),
}


def _life_events(
    code: str, events: Iterable[LifeEvent], today: date
) -> Iterable[tuple[Tip, float]]:
    for e in events:
        if code not in LIFE_EVENT_OFFERS.get(e.kind, ()) or e.on_date is None:
            continue
        days = (e.on_date - today).days
        if 0 <= days <= LIFE_EVENT_BEFORE_DAYS:
            yield Tip("life_event_ahead", (("event", e.kind), ("days", days))), STRONG_LIFT
        elif -LIFE_EVENT_AFTER_DAYS <= days < 0:
            yield Tip("life_event_past", (("event", e.kind), ("days", -days))), MILD_LIFT


def bereaved_recently(snapshot: CustomerSnapshot, today: date) -> bool:
    """A bereavement in the last 90 days: no selling at all (the rules return nothing)."""
    return any(e.kind == "bereavement" and e.on_date is not None
               and timedelta(0) <= today - e.on_date <= timedelta(days=90)
               for e in snapshot.life_events)


# --- ranking -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferRanking:
    """The ranked offers and which model gave the propensities (``fitted`` or ``prior``)."""

    offers: tuple[RankedOffer, ...]
    model: str = "prior"
    considered: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def rank_offers(
    snapshot: CustomerSnapshot, now: datetime, model: PropensityModel | None = None,
    limit: int = MAX_OFFERS,
) -> OfferRanking:
    """The best ``limit`` offers for ``snapshot`` at ``now``, best first.

    ``score = p × value_krw`` with ``p = σ(logit(model propensity) + trigger lift)``; ties
    by catalogue order. A customer bereaved in the last 90 days gets none.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit!r}")
    model = model or prior_model()
    if bereaved_recently(snapshot, now.date()):
        return OfferRanking((), model.source, 0, ("bereavement",))
    candidates = candidate_offers(snapshot, now)
    age = snapshot.age_on(now.date())
    ranked: list[tuple[float, int, RankedOffer]] = []
    for order, c in enumerate(candidates):
        base = model.propensity(c.spec.code, snapshot.tier, snapshot.lifecycle_stage, age)
        p = _sigmoid(_logit(base) + c.lift)
        score = p * c.spec.value_krw
        ranked.append((-score, order, RankedOffer(c.spec.code, c.spec.kind, score, p,
                                                  c.spec.value_krw, c.tip)))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return OfferRanking(tuple(r for _, _, r in ranked[:limit]), model.source, len(candidates))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def follow_up_refusal(snapshot: CustomerSnapshot, offer: str) -> str | None:
    """Why a follow-up (an outbound lead) may not be created, or None: a do-not-call
    customer is never called back for a sale, and a marketing offer needs consent."""
    if snapshot.do_not_call:
        return "the customer is on the do-not-call list: no outbound lead"
    spec = OFFERS.get(offer)
    if spec is not None and spec.marketing and not snapshot.marketing_consent:
        return "the customer has not consented to marketing: no outbound lead"
    return None
