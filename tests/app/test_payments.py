"""Payments toward debts (app/payments.py, ``contactops import payments``): a good file,
a bad line named with nothing stored, a second import that adds nothing, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from app.cli import main
from app.importers.calls import RowError
from app.models import Customer, Payment, Product
from app.payments import read_payments

GOOD = ("customer_id,product_id,paid_on,amount,reference\n"
        "1,11,2026-03-05,300000,T-1\n"
        ",12,2026-03-06,50000,\n"          # the product's holder: customer 2
        "1,,2026-03-07,20000,T-2\n"
        "\n# a comment\n"
        "1,11,2026-03-05,300000,T-3\n")    # same payment, another reference: a second one


def _prepare(url: str) -> None:
    assert main(["db", "--url", url, "upgrade"]) == 0
    engine = create_engine(url)
    with Session(engine) as session:
        session.add_all([Customer(id=1, name="Kim"), Customer(id=2, name="Lee")])
        session.flush()
        session.add_all([Product(id=11, customer_id=1, kind="loan", name="Loan A"),
                         Product(id=12, customer_id=2, kind="loan", name="Loan B")])
        session.commit()
    engine.dispose()


def _stored(url: str) -> list[tuple[int, int | None, date, int, str]]:
    engine = create_engine(url)
    with Session(engine) as session:
        rows = [(p.customer_id, p.product_id, p.paid_on, p.amount_krw, p.reference)
                for p in session.exec(select(Payment).order_by(Payment.payment_key))]
    engine.dispose()
    return rows


def test_a_line_is_read_and_checked() -> None:
    lines = read_payments(["\ufeffpaid_on,amount,product_id\n", "2026-01-02,10,5\n"])
    assert [(x.customer_id, x.product_id, x.paid_on, x.amount_krw) for x in lines] == [
        (None, 5, date(2026, 1, 2), 10)]
    for bad, field in [("2026-13-01,10,5", "paid_on"), ("2026-01-02,-3,5", "amount"),
                       ("2026-01-02,1.5,5", "amount"), ("2026-01-02,10,x", "product_id"),
                       ("2026-01-02,10,", "customer_id"), ("2026-01-02,10", "line")]:
        with pytest.raises(RowError, match=f"line 3: field {field}"):
            read_payments(["paid_on,amount,product_id\n", "2026-01-02,10,5\n", bad + "\n"])
    with pytest.raises(RowError, match="line 1: field when"):
        read_payments(["when,amount,customer_id\n"])


def test_import_twice_adds_nothing(database_url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _prepare(database_url)
    path = tmp_path / "payments.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["import", "payments", str(path), "--url", database_url]) == 0
    assert "4 lines (4 added, 0 already stored)" in capsys.readouterr().out
    expected = [(1, 11, date(2026, 3, 5), 300000, "T-1"), (1, 11, date(2026, 3, 5), 300000, "T-3"),
                (1, None, date(2026, 3, 7), 20000, "T-2"), (2, 12, date(2026, 3, 6), 50000, "")]
    assert _stored(database_url) == expected
    assert main(["import", "payments", str(path), "--url", database_url]) == 0
    assert "4 lines (0 added, 4 already stored)" in capsys.readouterr().out
    assert _stored(database_url) == expected


def test_a_bad_line_stores_nothing(database_url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    _prepare(database_url)
    for body, named in [
        ("customer_id,paid_on,amount\n1,2026-03-05,100\n1,2026-03-05,abc\n",
         "line 3: field amount"),
        ("customer_id,product_id,paid_on,amount\n1,11,2026-03-05,100\n2,11,2026-03-05,5\n",
         "line 3: field product_id: product 11 is not customer 2's"),
        ("customer_id,paid_on,amount\n1,2026-03-05,100\n9,2026-03-05,5\n",
         "line 3: field customer_id: no customer 9"),
        ("product_id,paid_on,amount\n99,2026-03-05,100\n", "line 2: field product_id"),
    ]:
        path = tmp_path / "bad.csv"
        path.write_text(body, encoding="utf-8")
        assert main(["import", "payments", str(path), "--url", database_url]) == 2
        err = capsys.readouterr().err
        assert named in err and "nothing imported" in err and "Traceback" not in err
        assert _stored(database_url) == []
