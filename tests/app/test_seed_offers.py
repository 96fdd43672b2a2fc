"""The demo's life events and past offers (app/seed/offers.py): there, deterministic, and
enough for next best offers to show tips and for the propensity model to fit."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from app import dbmigrate
from app.db import make_engine
from app.models import LIFE_EVENT_KINDS, ContactHistory, CustomerLifeEvent
from app.offers import OfferModelCache, load_snapshot
from app.seed import seed_demo
from telesales.offers import OFFER_CODES, rank_offers

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 3, tzinfo=UTC)


def test_the_demo_has_life_events_and_past_offers(sqlite_url: str) -> None:
    dbmigrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    summary = seed_demo(engine, customers=3000, today=TODAY, roster=False)
    assert summary.rows["customer_life_event"] >= 50
    with Session(engine) as session:
        events = session.exec(select(CustomerLifeEvent)).all()
        offers = session.exec(select(ContactHistory).where(
            col(ContactHistory.reason).startswith("offer:"))).all()
        assert {e.kind for e in events} <= set(LIFE_EVENT_KINDS)
        assert all(e.on_date is not None for e in events)
        assert {o.reason.removeprefix("offer:") for o in offers} <= set(OFFER_CODES)
        outcomes = Counter(o.outcome for o in offers)
        assert set(outcomes) == {"made", "accepted", "declined", "follow_up"}
        assert {o.channel for o in offers} == {"branch", "call_center"}
        # a customer with a wedding ahead gets the tip (if the rules allow an offer at all)
        tips = set()
        for e in events[:200]:
            snapshot = load_snapshot(session, e.customer_id)
            assert snapshot is not None
            tips |= {o.tip.code for o in rank_offers(snapshot, NOW).offers}
        assert "life_event_ahead" in tips
    model = OfferModelCache(engine).refit(NOW)
    assert model.source == "fitted" and model.outcomes > 200
