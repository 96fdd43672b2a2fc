"""Promises to pay (collections) and whether they were kept, from the payments that came in.

A promise (:class:`routing.events.PromiseToPay`) made on day ``d0`` to pay ``A`` of a debt
by day ``d1``; the payments are ``(customer, debt, day, amount)`` rows imported from the
bank's core system (``contactops import payments``). On day ``today``::

    paid(promise)  = sum of the amounts of the customer's payments for the debt
                     with d0 <= paid_on <= d1 + GRACE_DAYS
    kept           if paid >= A                         (as soon as it is reached)
    broken         if paid < A and today > d1 + GRACE_DAYS
    pending        otherwise (the due day, with its grace, has not passed yet)

A payment is *for the debt* when it is the same customer's and names the same debt, or
when either of them names no debt (a promise on the customer's arrears as a whole, a payment
the core system did not allocate). Two promises of one customer open at once may therefore
both count one unallocated payment; collections units rarely hold two promises on one
debtor open together, and allocating payments between them is the core system's job.

The figures (``K`` kept, ``B`` broken; pending promises are left out, their fate is not
known yet)::

    promise-kept ratio   = K / (K + B)
    kept amount ratio    = sum over kept and broken promises of min(paid, A)
                           / sum over kept and broken promises of A

both NaN when no promise is kept or broken yet. Source: the usual collections KPIs ("kept
rate" and "kept amount rate" of PTP tracking, e.g. ACA International's collections metrics),
which likewise leave open promises out of the denominator.

This module imports only the standard library and :mod:`qa.counts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Literal

from qa.counts import ratio

#: Days after the due day a payment still keeps the promise: a transfer made on the due day
#: is often posted by the core system one or two business days later, and a weekend may
#: fall between (a Friday's payment posted on Monday is three days on).
GRACE_DAYS = 3

PromiseStatus = Literal["kept", "broken", "pending"]


@dataclass(frozen=True, slots=True)
class Promise:
    """A promise to pay ``amount`` of ``product_id`` (None: any debt of the customer) by
    ``due_on``, made on ``made_on`` (days of the center's calendar)."""

    customer_id: str
    amount: float
    made_on: date
    due_on: date
    product_id: str | None = None

    def __post_init__(self) -> None:
        if not self.amount > 0:
            raise ValueError(f"amount must be > 0, got {self.amount!r}")
        if self.due_on < self.made_on:
            raise ValueError(f"due_on {self.due_on} is before made_on {self.made_on}")


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment of ``amount`` on ``paid_on`` by ``customer_id`` toward ``product_id``
    (None: not allocated to one debt)."""

    customer_id: str
    paid_on: date
    amount: float
    product_id: str | None = None


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    """A promise's status on a day and what was paid toward it (``paid``)."""

    status: PromiseStatus
    paid: float


class PaymentBook:
    """Payments indexed by customer, to judge many promises against them."""

    def __init__(self, payments: Iterable[Payment]) -> None:
        self._by_customer: dict[str, list[Payment]] = defaultdict(list)
        for p in payments:
            self._by_customer[p.customer_id].append(p)

    def paid_toward(self, promise: Promise, grace_days: int = GRACE_DAYS) -> float:
        """What the customer paid for the promise's debt from ``made_on`` to ``due_on``
        plus the grace (module docstring)."""
        last = promise.due_on + timedelta(days=grace_days)
        return sum(p.amount for p in self._by_customer.get(promise.customer_id, ())
                   if promise.made_on <= p.paid_on <= last
                   and (promise.product_id is None or p.product_id is None
                        or p.product_id == promise.product_id))

    def outcome(self, promise: Promise, today: date,
                grace_days: int = GRACE_DAYS) -> PromiseOutcome:
        """:func:`promise_status` of ``promise`` on ``today``, with the amount paid."""
        paid = self.paid_toward(promise, grace_days)
        return PromiseOutcome(promise_status(promise.amount, paid, promise.due_on, today,
                                             grace_days), paid)


def promise_status(amount: float, paid: float, due_on: date, today: date,
                   grace_days: int = GRACE_DAYS) -> PromiseStatus:
    """``kept`` when ``paid >= amount``; else ``broken`` once ``today`` is past
    ``due_on + grace_days``; else ``pending``."""
    if grace_days < 0:
        raise ValueError(f"grace_days must be >= 0, got {grace_days!r}")
    if paid >= amount:
        return "kept"
    if today > due_on + timedelta(days=grace_days):
        return "broken"
    return "pending"


@dataclass(slots=True)
class PromiseCounts:
    """Promises of one group by status, with the amounts of the resolved ones (kept or
    broken): ``resolved_amount`` promised, ``kept_amount`` paid toward them (capped at each
    promise's amount). Adding two adds the counts."""

    promises: int = 0
    kept: int = 0
    broken: int = 0
    pending: int = 0
    resolved_amount: float = 0.0
    kept_amount: float = 0.0

    def __add__(self, other: PromiseCounts) -> PromiseCounts:
        return PromiseCounts(*(getattr(self, f.name) + getattr(other, f.name)
                               for f in fields(self)))

    def add(self, amount: float, outcome: PromiseOutcome) -> None:
        """Count one promise of ``amount`` with its outcome."""
        self.promises += 1
        if outcome.status == "pending":
            self.pending += 1
            return
        if outcome.status == "kept":
            self.kept += 1
        else:
            self.broken += 1
        self.resolved_amount += amount
        self.kept_amount += min(outcome.paid, amount)


def count_promises(promises: Sequence[Promise], payments: Iterable[Payment], today: date,
                   grace_days: int = GRACE_DAYS) -> PromiseCounts:
    """The :class:`PromiseCounts` of ``promises`` on ``today``."""
    book = PaymentBook(payments)
    counts = PromiseCounts()
    for promise in promises:
        counts.add(promise.amount, book.outcome(promise, today, grace_days))
    return counts


def promise_kept_ratio(c: PromiseCounts) -> float:
    """Kept promises per resolved one, ``K / (K + B)`` (NaN with none resolved)."""
    return ratio(c.kept, c.kept + c.broken)


def kept_amount_ratio(c: PromiseCounts) -> float:
    """Amount paid toward resolved promises per amount promised in them (NaN with none)."""
    return ratio(c.kept_amount, c.resolved_amount)
