"""When a customer's profile is due for a refresh (the contact details and life events the
agent confirms with the customer).

The bank refreshes the profile of every *managed* customer (one with a relationship
manager) every two months: :data:`REFRESH_INTERVAL_DAYS` = 60 days after the last refresh,
or at once when it was never refreshed. A refresh is any recorded change or confirmation of
the profile (the change log's newest row). Customers outside a managed book are refreshed
when they call, never chased: they are never *due*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: two months, as the bank counts them for its managed customers
REFRESH_INTERVAL_DAYS = 60


@dataclass(frozen=True, slots=True)
class RefreshStatus:
    #: whole days since the last refresh (None: never refreshed)
    days_since: int | None
    due: bool
    interval_days: int = REFRESH_INTERVAL_DAYS


def refresh_status(last_refreshed_at: datetime | None, now: datetime, *,
                   managed: bool) -> RefreshStatus:
    """Whether the profile is due (module docstring). ``last_refreshed_at`` and ``now`` are
    both timezone-aware (or both naive, on one clock); a refresh "in the future" (clock
    skew) counts as today's."""
    if last_refreshed_at is None:
        return RefreshStatus(None, managed)
    if (last_refreshed_at.tzinfo is None) != (now.tzinfo is None):
        raise ValueError("last_refreshed_at and now must both be aware or both naive")
    age = max(now - last_refreshed_at, timedelta(0))
    return RefreshStatus(age.days, managed and age > timedelta(days=REFRESH_INTERVAL_DAYS))
