"""The demo bank's service standards of ``today``'s year (table ``service_standard``).

The reference bank's accessibility standards: service level 80 % answered within 20 s for
general callers and 90 % within 10 s for VIP callers (the goals routing holds them to,
:func:`routing.events.default_goal`), abandonment at most 3 % (VIP 2 %), ASA at most 10 s;
customer focus: first-contact resolution 80 %, complaints at most 0.5 % of answered calls,
satisfaction 85 % top-two box; sales sense: 0.15 cross-sell and 0.05 up-sell sales per
inbound call, 0.6 offers per call, outbound positive response 8 %, talk-time ratio 80 %,
AHT at most 240 s, self-service 30 %, occupancy 85 %; outbound: half the connects reaching the
customer themself (right-party contacts), 12 contacts per outbound work hour, 10 % conversion,
promises to pay on 35 % of right-party contacts and 60 % of them kept (illustrative targets
for the demo, not a benchmark). A stricter fourth-quarter abandonment
target shows the quarter overriding the year. Warn and alert limits lie a step and two steps
past each target.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from app.models import ServiceStandard
from qa.standards import Standard

SEED_ACTOR = "seed"
SERVICE_STANDARD: Table = ServiceStandard.__table__  # type: ignore[attr-defined]

#: (kpi, segment, target, warn, alert, threshold_seconds, quarter)
DEMO_STANDARDS: tuple[tuple[str, str, float, float, float, float | None, int | None], ...] = (
    ("service_level", "general", 0.80, 0.75, 0.70, 20.0, None),
    ("service_level", "vip", 0.90, 0.85, 0.80, 10.0, None),
    ("abandon_rate", "all", 0.03, 0.05, 0.08, None, None),
    ("abandon_rate", "vip", 0.02, 0.03, 0.05, None, None),
    ("abandon_rate", "all", 0.025, 0.04, 0.07, None, 4),
    ("asa_seconds", "all", 10.0, 15.0, 25.0, None, None),
    ("first_contact_resolution", "all", 0.80, 0.75, 0.70, None, None),
    ("complaint_ratio", "all", 0.005, 0.01, 0.02, None, None),
    ("satisfaction_top_two_box", "all", 0.85, 0.80, 0.75, None, None),
    ("cross_sell_per_call", "all", 0.15, 0.12, 0.08, None, None),
    ("up_sell_per_call", "all", 0.05, 0.04, 0.02, None, None),
    ("offers_per_call", "all", 0.60, 0.50, 0.40, None, None),
    ("outbound_positive_ratio", "all", 0.08, 0.06, 0.04, None, None),
    ("talk_time_ratio", "all", 0.80, 0.75, 0.70, None, None),
    ("aht_seconds", "all", 240.0, 270.0, 300.0, None, None),
    ("self_service_ratio", "all", 0.30, 0.25, 0.20, None, None),
    ("occupancy", "all", 0.85, 0.80, 0.70, None, None),
    ("right_party_rate", "all", 0.50, 0.40, 0.30, None, None),
    ("contacts_per_hour", "all", 12.0, 10.0, 8.0, None, None),
    ("conversion", "all", 0.10, 0.08, 0.05, None, None),
    ("promise_to_pay_rate", "all", 0.35, 0.30, 0.20, None, None),
    ("promise_kept_ratio", "all", 0.60, 0.50, 0.40, None, None),
)


def demo_standards(year: int) -> list[Standard]:
    """The center's standards of ``year`` (module docstring), checked by :mod:`qa.standards`."""
    return [Standard(kpi, target, warn, alert, year, quarter, "center", "", segment,  # type: ignore[arg-type]
                     threshold)
            for kpi, segment, target, warn, alert, threshold, quarter in DEMO_STANDARDS]


def seed_standards(conn: Connection, today: date, rows: dict[str, int]) -> None:
    """Write this year's standards of the demo center."""
    now = datetime.now(UTC)
    batch = [{"kpi": s.kpi, "segment": s.segment, "year": s.year, "quarter": s.quarter or 0,
              "scope": s.scope, "scope_id": s.scope_id, "target": s.target, "warn": s.warn,
              "alert": s.alert, "threshold_seconds": s.threshold_seconds,
              "updated_by": SEED_ACTOR, "updated_at": now} for s in demo_standards(today.year)]
    conn.execute(insert(SERVICE_STANDARD), batch)
    rows["service_standard"] = len(batch)
