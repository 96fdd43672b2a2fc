"""The demo campaigns: deposit renewals (telesales), collections of loans 30+ days past due
(the seed's products make one loan in twenty past due) and service calls for birthdays and
life events."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from app.campaigns import save_campaign

DEMO_CAMPAIGNS: tuple[dict[str, object], ...] = (
    {"name": "Collections 30+ days", "type": "collections", "priority": 900,
     "dial_mode": "progressive",
     "rules": {"targets": [{"rule": "delinquent_loan", "min_days_past_due": 30}],
               "cool_down_days": 3}},
    {"name": "Deposit renewals", "type": "telesales", "priority": 500, "dial_mode": "preview",
     "rules": {"targets": [{"rule": "deposit_maturing", "within_days": 30},
                           {"rule": "tier_upgrade", "within_percent": 10, "weight": 0.8}],
               "cool_down_days": 14}},
    {"name": "Birthdays and life events", "type": "service", "priority": 100,
     "dial_mode": "preview",
     "rules": {"targets": [{"rule": "birthday", "within_days": 7},
                           {"rule": "life_event", "days_before": 14, "days_after": 30}],
               "cool_down_days": 30}},
)


def seed_campaigns(engine: Engine, today: date) -> dict[str, int]:
    """Add :data:`DEMO_CAMPAIGNS`; rows written per table."""
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    with Session(engine) as session:
        for data in DEMO_CAMPAIGNS:
            save_campaign(session, None, data, now)
    return {"campaign": len(DEMO_CAMPAIGNS)}
