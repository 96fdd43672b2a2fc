"""Payments toward customers' debts, imported from the bank's file: what tells a promise to
pay was kept (:mod:`qa.promises`).

``contactops import payments FILE`` (:mod:`app.cli.importer`) reads a UTF-8 CSV whose first
line names the columns, in any order::

    customer_id,product_id,paid_on,amount[,reference]

``customer_id`` or ``product_id`` (a loan of the ``product`` table) or both: a payment with
only the product is the product holder's; with both, the product must be that customer's.
``paid_on`` is a day ``YYYY-MM-DD`` (the center's calendar), ``amount`` a whole number of
won > 0, ``reference`` the core system's transaction id (optional; up to 40 characters).
Blank lines and lines starting with ``#`` are skipped. Every line is checked first (its
fields, then the customers and products it names against the database); a bad one stops the
import with one line naming the line number and the field, and nothing is stored.

A payment's identity is (customer, product, day, amount, reference) (``Payment.payment_key``,
unique): a payment already stored is skipped, so importing the same file twice adds nothing.
Two equal payments of one customer on one day need distinct references to count twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from app.importers.calls import RowError
from app.models import Customer, Payment, Product
from app.seed.bulk import table_of
from qa.promises import Payment as PaymentFact

#: the most payment lines one file may hold
MAX_LINES = 5_000_000
MAX_AMOUNT_KRW = 10**13
MAX_REFERENCE = 40
REQUIRED = ("paid_on", "amount")
COLUMNS = ("customer_id", "product_id", "paid_on", "amount", "reference")
#: rows per statement
CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One line of the file (``customer_id`` None when only the product was given)."""

    line: int
    customer_id: int | None
    product_id: int | None
    paid_on: date
    amount_krw: int
    reference: str = ""


@dataclass(frozen=True, slots=True)
class PaymentsImport:
    """What one import did."""

    lines: int
    added: int
    skipped: int


def _id(line_no: int, name: str, raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise RowError(line_no, name, f"not an id: {raw[:40]!r}", "line")
    return int(raw)


def _line(line_no: int, cells: dict[str, str]) -> PaymentLine:
    customer = _id(line_no, "customer_id", cells.get("customer_id", ""))
    product = _id(line_no, "product_id", cells.get("product_id", ""))
    if customer is None and product is None:
        raise RowError(line_no, "customer_id", "give customer_id or product_id", "line")
    raw_day = cells.get("paid_on", "").strip()
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        raise RowError(line_no, "paid_on", f"not a day YYYY-MM-DD: {raw_day[:40]!r}",
                       "line") from None
    raw_amount = cells.get("amount", "").strip()
    if not raw_amount.isdigit() or not 0 < int(raw_amount) <= MAX_AMOUNT_KRW:
        raise RowError(line_no, "amount", f"not a whole number of won in 1..{MAX_AMOUNT_KRW}: "
                       f"{raw_amount[:40]!r}", "line")
    reference = cells.get("reference", "").strip()
    if len(reference) > MAX_REFERENCE or "\x00" in reference:
        raise RowError(line_no, "reference", f"at most {MAX_REFERENCE} characters", "line")
    return PaymentLine(line_no, customer, product, day, int(raw_amount), reference)


def read_payments(lines: Iterable[str]) -> list[PaymentLine]:
    """The file's payment lines; :class:`RowError` naming the line and field of a bad one."""
    rows = csv.reader(line.lstrip("\ufeff") for line in lines)
    header: list[str] | None = None
    out: list[PaymentLine] = []
    for line_no, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            unknown = [c for c in header if c not in COLUMNS]
            if unknown or not set(REQUIRED) <= set(header) or not (
                    {"customer_id", "product_id"} & set(header)):
                raise RowError(line_no, unknown[0] if unknown else "header",
                               f"the first line names the columns: {', '.join(COLUMNS)} "
                               "(customer_id or product_id, paid_on and amount required)",
                               "line")
            continue
        if len(row) != len(header):
            raise RowError(line_no, "line", f"{len(row)} fields, the header has {len(header)}",
                           "line")
        out.append(_line(line_no, dict(zip(header, row, strict=True))))
        if len(out) > MAX_LINES:
            raise RowError(line_no, "line", f"more than {MAX_LINES:,} payments in one file",
                           "line")
    return out


def payment_key(customer_id: int, product_id: int | None, paid_on: date, amount_krw: int,
                reference: str) -> str:
    return f"{customer_id}|{product_id or ''}|{paid_on.isoformat()}|{amount_krw}|{reference}"


def _owners(conn: Connection, products: Sequence[int]) -> dict[int, int]:
    table = table_of(Product)
    out: dict[int, int] = {}
    for i in range(0, len(products), CHUNK):
        out.update((int(pid), int(owner)) for pid, owner in conn.execute(
            select(table.c.id, table.c.customer_id).where(
                table.c.id.in_(products[i:i + CHUNK]))))
    return out


def _known_customers(conn: Connection, ids: Sequence[int]) -> set[int]:
    table = table_of(Customer)
    found: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        found.update(conn.execute(select(table.c.id).where(
            table.c.id.in_(ids[i:i + CHUNK]))).scalars())
    return found


def _resolved(conn: Connection, lines: Sequence[PaymentLine]) -> list[PaymentLine]:
    """Each line with its customer; :class:`RowError` for an unknown customer or product,
    or a product of another customer."""
    owners = _owners(conn, sorted({x.product_id for x in lines if x.product_id is not None}))
    customers = _known_customers(conn, sorted({x.customer_id for x in lines
                                               if x.customer_id is not None}))
    out = []
    for x in lines:
        owner = owners.get(x.product_id) if x.product_id is not None else None
        if x.product_id is not None and owner is None:
            raise RowError(x.line, "product_id", f"no product {x.product_id}", "line")
        if x.customer_id is not None and x.customer_id not in customers:
            raise RowError(x.line, "customer_id", f"no customer {x.customer_id}", "line")
        if x.customer_id is not None and owner is not None and owner != x.customer_id:
            raise RowError(x.line, "product_id", f"product {x.product_id} is not customer "
                           f"{x.customer_id}'s", "line")
        customer = x.customer_id if x.customer_id is not None else owner
        assert customer is not None
        out.append(PaymentLine(x.line, customer, x.product_id, x.paid_on, x.amount_krw,
                               x.reference))
    return out


def store_payments(engine: Engine, lines: Sequence[PaymentLine],
                   now: datetime) -> PaymentsImport:
    """Check the lines against the database and add the payments not stored yet, in one
    transaction (nothing on an error)."""
    table = table_of(Payment)
    with engine.begin() as conn:
        resolved = _resolved(conn, lines)
        keyed = {payment_key(x.customer_id or 0, x.product_id, x.paid_on, x.amount_krw,
                             x.reference): x for x in resolved}
        keys = sorted(keyed)
        stored: set[str] = set()
        for i in range(0, len(keys), CHUNK):
            stored.update(conn.execute(select(table.c.payment_key).where(
                table.c.payment_key.in_(keys[i:i + CHUNK]))).scalars())
        new = [k for k in keys if k not in stored]
        for i in range(0, len(new), CHUNK):
            conn.execute(insert(table), [
                {"payment_key": k, "customer_id": keyed[k].customer_id,
                 "product_id": keyed[k].product_id, "paid_on": keyed[k].paid_on,
                 "amount_krw": keyed[k].amount_krw, "reference": keyed[k].reference,
                 "imported_at": now} for k in new[i:i + CHUNK]])
    return PaymentsImport(len(lines), len(new), len(lines) - len(new))


def payments_of(conn: Connection, customers: Iterable[str], since: date
                ) -> Iterator[PaymentFact]:
    """The stored payments of ``customers`` (ids as the events carry them) paid on or after
    ``since``, as :class:`qa.promises.Payment` s."""
    table = table_of(Payment)
    ids = sorted({int(c) for c in customers if c.isdigit() and int(c) < 2**63})
    for i in range(0, len(ids), CHUNK):
        query = select(table.c.customer_id, table.c.paid_on, table.c.amount_krw,
                       table.c.product_id).where(table.c.customer_id.in_(ids[i:i + CHUNK]),
                                                 table.c.paid_on >= since)
        for customer, paid_on, amount, product in conn.execute(query):
            yield PaymentFact(str(customer), paid_on, float(amount),
                              None if product is None else str(product))
