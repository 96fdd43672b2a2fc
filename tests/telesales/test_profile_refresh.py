"""telesales.profile_refresh: a managed customer's profile is due 60 days after its refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from telesales.profile_refresh import REFRESH_INTERVAL_DAYS, refresh_status

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_due_after_sixty_days_for_a_managed_customer() -> None:
    assert REFRESH_INTERVAL_DAYS == 60
    on_the_day = refresh_status(NOW - timedelta(days=60), NOW, managed=True)
    assert (on_the_day.days_since, on_the_day.due) == (60, False)
    later = refresh_status(NOW - timedelta(days=60, minutes=1), NOW, managed=True)
    assert later.due and later.days_since == 60
    assert refresh_status(NOW - timedelta(days=61), NOW, managed=False).due is False


def test_never_refreshed_is_due_only_when_managed() -> None:
    assert refresh_status(None, NOW, managed=True).due
    assert refresh_status(None, NOW, managed=True).days_since is None
    assert not refresh_status(None, NOW, managed=False).due


def test_clock_skew_and_mixed_zones() -> None:
    assert refresh_status(NOW + timedelta(hours=1), NOW, managed=True).days_since == 0
    with pytest.raises(ValueError, match="both be aware"):
        refresh_status(datetime(2026, 1, 1), NOW, managed=True)
