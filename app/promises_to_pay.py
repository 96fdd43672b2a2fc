"""Promises to pay recorded at the wrap-up of a call (collections): the wrap-up body's
``promise``, its checks, the :class:`routing.events.PromiseToPay` event and the row of the
customer's contact history (``POST /api/console/wrapup``, :mod:`app.api.console`).

A promise names an amount in won, the day it is promised by (today to
:data:`MAX_PROMISE_DAYS` days on, the center's calendar) and optionally the debt (a loan of
the contact's customer). It is checked before the wrap-up ends, so a refused promise changes
nothing: a 422 naming ``promise.due_on`` or ``promise.product_id``, a 409 for a contact
without a known customer. Whether it was kept is :mod:`qa.promises`' question, answered
from the payments imported later (:mod:`app.payments`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.api.errors import field_error
from app.deps import release_session
from app.models import Channel, ContactHistory, Product
from routing.errors import RoutingError
from routing.events import Event, PromiseToPay

#: the reason and outcome of the contact-history row of a promise to pay
PROMISE_TO_PAY = "promise_to_pay"
#: a promise to pay falls due at most this many days after the call
MAX_PROMISE_DAYS = 90
MAX_PROMISE_KRW = 10**13


class PromiseBody(BaseModel):
    """A promise to pay the debtor made on the call (collections)."""

    model_config = ConfigDict(extra="forbid")
    amount_krw: int = Field(gt=0, le=MAX_PROMISE_KRW, description="the amount promised")
    due_on: date = Field(description="the day it is promised by (the center's calendar), "
                                     f"today to {MAX_PROMISE_DAYS} days on")
    product_id: int | None = Field(default=None, ge=1, le=2**63 - 1,
                                   description="the debt (a loan of the customer); "
                                               "default: the customer's debt as a whole")


def check_promise(session: Session, promise: PromiseBody, today: date) -> int | None:
    """The debt's holder (None without a debt named); 422 naming the field for a due day
    out of range or an unknown debt. Call from a worker thread."""
    try:
        if not today <= promise.due_on <= today + timedelta(days=MAX_PROMISE_DAYS):
            raise field_error(("body", "promise", "due_on"), f"must be between {today} and "
                              f"{MAX_PROMISE_DAYS} days on")
        if promise.product_id is None:
            return None
        product = session.get(Product, promise.product_id)
        if product is None:
            raise field_error(("body", "promise", "product_id"),
                              f"no product {promise.product_id}")
        return product.customer_id
    finally:
        release_session(session)


def promise_event(promise: PromiseBody | None, debtor: int | None, contact_id: str | None,
                  customer: str | None, agent: str, now: float) -> list[Event]:
    """The wrap-up's ``PromiseToPay`` (none without a promise); checked before the wrap-up
    ends, so a refused promise changes nothing: 409 for a contact without a known customer,
    422 for a debt of another customer."""
    if promise is None:
        return []
    if contact_id is None or customer is None or not customer.isdigit():
        raise RoutingError(f"contact {contact_id} has no known customer to promise")
    if debtor is not None and str(debtor) != customer:
        raise field_error(("body", "promise", "product_id"),
                          f"product {promise.product_id} is not customer {customer}'s")
    return [PromiseToPay(now, contact_id, agent, customer, float(promise.amount_krw),
                         promise.due_on.isoformat(),
                         None if promise.product_id is None else str(promise.product_id))]


def promise_row(promise: PromiseBody, customer_id: int, username: str,
                now: datetime) -> ContactHistory:
    """The customer's contact-history row of the promise."""
    debt = "" if promise.product_id is None else f" of product {promise.product_id}"
    return ContactHistory(
        customer_id=customer_id, channel=Channel.call_center.value, at=now,
        reason=PROMISE_TO_PAY, outcome=PROMISE_TO_PAY, handled_by=username[:60],
        notes=f"{promise.amount_krw} KRW{debt} by {promise.due_on.isoformat()}")
