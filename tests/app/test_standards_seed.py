"""The demo's service standards: this year's, valid, and resolved as the bank sets them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.db import make_engine
from app.seed.standards import seed_standards
from app.standards_store import load_standards
from app.testing import create_schema
from qa.standards import resolve


def test_the_demo_bank_standards(sqlite_url: str) -> None:
    create_schema(sqlite_url)
    engine = make_engine(sqlite_url)
    rows: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            seed_standards(conn, date(2026, 11, 2), rows)
        with Session(engine) as session:
            standards = load_standards(session)
    finally:
        engine.dispose()
    assert rows["service_standard"] == len(standards) >= 15
    vip = resolve(standards, "service_level", 2026, 4, segment="vip")
    general = resolve(standards, "service_level", 2026, 4, segment="general")
    assert vip is not None and (vip.target, vip.threshold_seconds) == (0.9, 10.0)
    assert general is not None and (general.target, general.threshold_seconds) == (0.8, 20.0)
    q4 = resolve(standards, "abandon_rate", 2026, 4)
    q1 = resolve(standards, "abandon_rate", 2026, 1)
    assert q4 is not None and q1 is not None and (q4.target, q1.target) == (0.025, 0.03)
    asa = resolve(standards, "asa_seconds", 2026, 2)
    assert asa is not None and asa.target == 10.0
    for kpi in ("first_contact_resolution", "cross_sell_per_call", "complaint_ratio"):
        assert resolve(standards, kpi, 2026, 3) is not None
    assert resolve(standards, "service_level", 2027, 1, segment="vip") is None
