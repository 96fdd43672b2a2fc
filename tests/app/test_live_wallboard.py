"""app.live.wallboard: the wallboard's period, definition and colour limits from the settings;
one picture per period shared by every socket, and deltas from the pictures kept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.live.wallboard import WallboardFeed, check_delta, live_wallboard, period_of, thresholds_of
from app.settings import Settings
from dashboards.period import DayReset, SlidingWindow
from routing.events import ContactArrived
from routing.policy import QueueConfig


def test_settings_choose_the_period_the_definition_and_the_limits() -> None:
    assert period_of(Settings(wallboard_day_start_hour=6)) == DayReset(6, "Asia/Seoul")
    assert period_of(Settings(wallboard_window_minutes=30)) == SlidingWindow(30.0)
    limits = thresholds_of(Settings(wallboard_abandon_warn=0.02, wallboard_abandon_alert=0.03,
                                    wallboard_asa_alert_seconds=45))
    assert (limits.abandon_warn, limits.abandon_alert, limits.asa_alert_seconds) == (
        0.02, 0.03, 45)
    assert limits.asa_warn_seconds is None  # relative to each goal's threshold
    board = live_wallboard({"deposits": QueueConfig("deposits", "deposits")},
                           Settings(wallboard_service_level_definition="answered_of_answered"))
    assert board.definition == "answered_of_answered" and board.queues == {"deposits"}
    with pytest.raises(ValidationError, match="wallboard_day_start_hour"):
        Settings(wallboard_day_start_hour=24)
    with pytest.raises(ValidationError, match="wallboard_service_level_definition"):
        Settings(wallboard_service_level_definition="whatever")


def test_the_feed_shares_a_picture_and_sends_deltas_from_kept_ones() -> None:
    board = live_wallboard({"deposits": QueueConfig("deposits", "deposits")})
    feed = WallboardFeed(board, picture_seconds=0.0)  # a new picture at every call
    first = feed.current(1_764_000_000.0)
    assert feed.message_since(None) == feed.snapshot_text
    board.apply(1, ContactArrived(1_764_000_001.0, "c1", "deposits", "core"))
    second = feed.current(1_764_000_005.0)
    assert second["version"] == first["version"] + 1 and second["waiting"] == 1
    assert '"type": "delta"' in (feed.message_since(first["version"]) or "")
    assert check_delta(feed, first["version"])
    assert feed.message_since(second["version"]) is None  # up to date: nothing to send
    assert feed.message_since(-5) == feed.snapshot_text  # unknown base: the whole picture
    shared = WallboardFeed(board, picture_seconds=60.0)
    made = shared.current(1_764_000_006.0)
    assert shared.current(1_764_000_007.0) is made  # every socket within the period: one
    board.apply(2, ContactArrived(1_764_000_007.5, "c2", "deposits", "core"))
    fresh = shared.current(1_764_000_008.0, min_seq=2)  # a new socket's first picture
    assert fresh is not made and fresh["seq"] == 2 and fresh["waiting"] == 2
