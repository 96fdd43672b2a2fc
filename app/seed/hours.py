"""The demo bank's business hours and holidays (tables ``site_hours`` and ``site_holiday``).

Both sites answer 09:00-18:00 on weekdays (the hours of the seeded call history,
:mod:`app.seed.history`); Busan also answers on Saturday mornings (09:00-13:00). Both are
closed on Sundays and on the Korean public holidays of ``today``'s year and the next
(설날 and 추석 with the days either side, substitute days; from the ``holidays``
package, offline).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from app.models import SiteHoliday, SiteHours
from wfm.business_hours import public_holidays

SEED_ACTOR = "seed"
SITE_HOURS: Table = SiteHours.__table__  # type: ignore[attr-defined]
SITE_HOLIDAY: Table = SiteHoliday.__table__  # type: ignore[attr-defined]
DEMO_HOURS: dict[str, dict[str, list[list[str]]]] = {
    "seoul": {"weekday": [["09:00", "18:00"]], "sat": [], "sun": [], "holiday": []},
    "busan": {"weekday": [["09:00", "18:00"]], "sat": [["09:00", "13:00"]], "sun": [],
              "holiday": []},
}


def seed_hours(conn: Connection, today: date, rows: dict[str, int]) -> None:
    """Write the demo hours and the holidays of ``today.year`` and the next year."""
    now = datetime.now(UTC)
    hours = [
        {"site": site, "day_type": day_type, "ranges": ranges, "updated_at": now,
         "updated_by": SEED_ACTOR}
        for site, days in DEMO_HOURS.items() for day_type, ranges in days.items()
    ]
    holidays = [{"day": h.day, "name": h.name, "site": None}
                for h in public_holidays((today.year, today.year + 1))]
    for table, batch in ((SITE_HOURS, hours), (SITE_HOLIDAY, holidays)):
        conn.execute(insert(table), batch)
        rows[table.name] = len(batch)
