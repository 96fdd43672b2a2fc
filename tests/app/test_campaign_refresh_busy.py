"""The morning build of the campaign lists on a busy database (SQLite while the live center
writes): one warning line and a retry at the next tick, not a traceback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from app.campaign_refresh import MorningRefresh


def test_a_locked_database_is_one_warning_and_a_retry(caplog: pytest.LogCaptureFixture) -> None:
    refresh = MorningRefresh(create_engine("sqlite://"), hour=0, interval_seconds=0.01)
    calls: list[datetime] = []

    def locked(now: datetime) -> None:
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("DELETE FROM campaign_list_entry", {},
                                   sqlite3.OperationalError("database is locked"))

    refresh.run_if_due = locked  # type: ignore[method-assign]

    async def run() -> None:
        await refresh.start()
        for _ in range(200):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.01)
        await refresh.stop()

    with caplog.at_level(logging.WARNING, logger="app.campaign_refresh"):
        asyncio.run(run())
    assert len(calls) >= 2
    [record] = [r for r in caplog.records if r.name == "app.campaign_refresh"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "database is locked" in record.getMessage() and "retrying" in record.getMessage()
