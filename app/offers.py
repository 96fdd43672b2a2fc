"""Next best offers, the database side: a customer's snapshot for :mod:`telesales.offers`, the
past offers the propensity model learns from, and the fitted model kept per process.

No rule here: rows are read and mapped into the core's dataclasses
(:class:`telesales.offers.CustomerSnapshot`, :class:`telesales.propensity.OfferOutcome`).

* :func:`load_snapshot`: the customer, products, the latest contact history (offers recorded
  by the console are history rows with reason ``offer:<code>``), life events; four indexed
  queries by customer id.
* :func:`training_outcomes`: the latest offers that ended accepted or declined, with the
  customer's tier, stage and age, for :func:`telesales.propensity.fit_propensity`.
* :class:`OfferModelCache`: the fitted model, refitted in a background thread every
  :data:`REFIT_SECONDS`; until the first fit ends the prior is used, so no request waits
  for a fit.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import ContactHistory, Customer, CustomerLifeEvent, Product
from telesales.offers import (
    ACCEPTED_OUTCOMES,
    DECLINED_OUTCOMES,
    OFFER_REASON_PREFIX,
    REASON_OFFERS,
    CustomerSnapshot,
    HeldProduct,
    LifeEvent,
    PastContact,
)
from telesales.propensity import (
    MAX_OUTCOMES,
    OfferOutcome,
    PropensityModel,
    fit_propensity,
    prior_model,
)

log = logging.getLogger("contactops.offers")

#: contact history rows a snapshot reads (newest first): a year of a busy customer
SNAPSHOT_CONTACTS = 60
#: how often the propensity model is refitted (seconds)
REFIT_SECONDS = 900.0
#: past offers older than this do not train the model
TRAINING_DAYS = 365


def load_snapshot(session: Session, customer_id: int) -> CustomerSnapshot | None:
    """The customer's snapshot, or None when the database has no such customer."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    products = session.exec(
        select(Product).where(Product.customer_id == customer_id).order_by(col(Product.id))
    ).all()
    contacts = session.exec(
        select(ContactHistory.at, ContactHistory.channel, ContactHistory.reason,
               ContactHistory.outcome)
        .where(ContactHistory.customer_id == customer_id)
        .order_by(col(ContactHistory.at).desc(), col(ContactHistory.id).desc())
        .limit(SNAPSHOT_CONTACTS)
    ).all()
    events = session.exec(
        select(CustomerLifeEvent.kind, col(CustomerLifeEvent.on_date))
        .where(CustomerLifeEvent.customer_id == customer_id)
    ).all()
    return CustomerSnapshot(
        customer_id=customer_id,
        tier=customer.value_tier,
        lifecycle_stage=customer.lifecycle_stage,
        segment=customer.segment,
        birth_date=customer.birth_date,
        marketing_consent=customer.marketing_consent,
        do_not_call=customer.do_not_call,
        annual_revenue_krw=customer.annual_revenue_krw,
        products=tuple(HeldProduct(p.kind, p.name, p.balance_krw, p.maturity_date, p.opened_on)
                       for p in products),
        contacts=tuple(PastContact(at, channel, reason, outcome)
                       for at, channel, reason, outcome in contacts),
        life_events=tuple(LifeEvent(kind, on_date) for kind, on_date in events),
    )


def _age(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def training_outcomes(
    session: Session, now: datetime, limit: int = MAX_OUTCOMES
) -> list[OfferOutcome]:
    """The latest ``limit`` past offers (console offers and campaign calls of the contact
    history) that ended accepted or declined, newest first."""
    ended = sorted(ACCEPTED_OUTCOMES | DECLINED_OUTCOMES)
    rows = session.connection().execute(
        sa_select(col(ContactHistory.reason), col(ContactHistory.outcome),
                  col(Customer.value_tier), col(Customer.lifecycle_stage),
                  col(Customer.birth_date))
        .join(Customer, col(Customer.id) == ContactHistory.customer_id)
        .where(col(ContactHistory.at) >= now - timedelta(days=TRAINING_DAYS),
               col(ContactHistory.outcome).in_(ended),
               or_(col(ContactHistory.reason).in_(sorted(REASON_OFFERS)),
                   col(ContactHistory.reason).startswith(OFFER_REASON_PREFIX)))
        .order_by(col(ContactHistory.at).desc())
        .limit(limit)
    ).all()
    today = now.date()
    out = []
    for reason, outcome, tier, stage, birth in rows:
        offer = REASON_OFFERS.get(reason) or reason[len(OFFER_REASON_PREFIX):]
        out.append(OfferOutcome(offer, tier, stage, _age(birth, today),
                                outcome in ACCEPTED_OUTCOMES))
    return out


class OfferModelCache:
    """The process's propensity model: the prior until a fit ends, refitted in a
    background thread when older than ``refit_seconds``."""

    def __init__(self, engine: Engine, refit_seconds: float = REFIT_SECONDS) -> None:
        self.engine = engine
        self.refit_seconds = refit_seconds
        self.model: PropensityModel = prior_model()
        self.fitted_at: float | None = None
        self.fit_seconds: float | None = None
        self._lock = threading.Lock()
        self._running = False

    def current(self, now: datetime) -> PropensityModel:
        """The model to rank with now; starts a refit in the background when it is due."""
        due = self.fitted_at is None or time.monotonic() - self.fitted_at > self.refit_seconds
        if due:
            with self._lock:
                start = not self._running
                self._running = True
            if start:
                threading.Thread(target=self._refit_logged, args=(now,), daemon=True,
                                 name="contactops-offer-model").start()
        return self.model

    def refit(self, now: datetime) -> PropensityModel:
        """Fit now, in this thread (tests, the benchmark, the background thread)."""
        started = time.perf_counter()
        with Session(self.engine) as session:
            outcomes = training_outcomes(session, now)
        self.model = fit_propensity(outcomes)
        self.fit_seconds = time.perf_counter() - started
        self.fitted_at = time.monotonic()
        return self.model

    def _refit_logged(self, now: datetime) -> None:
        try:
            self.refit(now)
        except Exception:  # the prior or the last model keeps serving
            log.exception("offers: the propensity model could not be refitted")
            self.fitted_at = time.monotonic()  # no retry storm: try again after the period
        finally:
            with self._lock:
                self._running = False


def model_cache(state: object, engine: Engine) -> OfferModelCache:
    """The app's cache (``app.state.offer_models``), made on first use."""
    cache: OfferModelCache | None = getattr(state, "offer_models", None)
    if cache is None or cache.engine is not engine:
        cache = OfferModelCache(engine)
        state.offer_models = cache  # type: ignore[attr-defined]
    return cache
