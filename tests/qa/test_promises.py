"""Promises to pay kept, broken or pending (qa/promises.py): the status rule at its edges
and the two ratios on exact values."""

from __future__ import annotations

import math
from datetime import date

import pytest

from qa.promises import (
    GRACE_DAYS,
    Payment,
    PaymentBook,
    Promise,
    PromiseCounts,
    count_promises,
    kept_amount_ratio,
    promise_kept_ratio,
    promise_status,
)

MADE, DUE = date(2026, 3, 2), date(2026, 3, 10)


def test_status_at_the_edges_of_the_grace() -> None:
    last = date(2026, 3, 10 + GRACE_DAYS)
    assert promise_status(100, 100, DUE, date(2026, 3, 1)) == "kept"
    assert promise_status(100, 99.99, DUE, last) == "pending"
    assert promise_status(100, 99.99, DUE, date(2026, 3, 14)) == "broken"
    assert promise_status(100, 0, DUE, date(2026, 3, 11), grace_days=0) == "broken"
    with pytest.raises(ValueError, match="grace_days"):
        promise_status(100, 0, DUE, DUE, grace_days=-1)


def test_payments_count_for_the_debt_in_the_window_only() -> None:
    promise = Promise("7", 300_000, MADE, DUE, product_id="L1")
    book = PaymentBook([
        Payment("7", date(2026, 3, 1), 500_000, "L1"),   # before the promise: no
        Payment("7", date(2026, 3, 2), 100_000, "L1"),   # the promise's day: yes
        Payment("7", date(2026, 3, 5), 50_000, None),    # not allocated: yes
        Payment("7", date(2026, 3, 6), 70_000, "L2"),    # another debt: no
        Payment("8", date(2026, 3, 6), 90_000, "L1"),    # another customer: no
        Payment("7", date(2026, 3, 13), 25_000, "L1"),   # last day of the grace: yes
        Payment("7", date(2026, 3, 14), 999_000, "L1"),  # after it: no
    ])
    assert book.paid_toward(promise) == 175_000
    outcome = book.outcome(promise, date(2026, 3, 20))
    assert (outcome.status, outcome.paid) == ("broken", 175_000)
    whole = Promise("7", 300_000, MADE, DUE)  # no debt named: every payment of the customer
    assert book.paid_toward(whole) == 245_000


def test_counts_and_ratios_exact() -> None:
    promises = [Promise("1", 100, MADE, DUE), Promise("2", 200, MADE, DUE),
                Promise("3", 400, MADE, DUE), Promise("4", 50, MADE, date(2026, 4, 30))]
    payments = [Payment("1", date(2026, 3, 9), 120), Payment("2", date(2026, 3, 9), 50),
                Payment("4", date(2026, 3, 9), 10)]
    c = count_promises(promises, payments, date(2026, 3, 20))
    assert c == PromiseCounts(promises=4, kept=1, broken=2, pending=1,
                              resolved_amount=700, kept_amount=150)
    assert promise_kept_ratio(c) == pytest.approx(1 / 3)
    assert kept_amount_ratio(c) == pytest.approx(150 / 700)
    assert math.isnan(promise_kept_ratio(PromiseCounts(promises=1, pending=1)))
    assert (c + c).kept == 2


def test_a_promise_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="amount"):
        Promise("1", 0, MADE, DUE)
    with pytest.raises(ValueError, match="due_on"):
        Promise("1", 10, DUE, MADE)
