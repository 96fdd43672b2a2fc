"""The morning rebuild of the campaign lists: :class:`MorningRefresh`, which the live center
runs when ``CONTACTOPS_CAMPAIGN_LISTS_HOUR`` is set (a scheduler may call
:meth:`MorningRefresh.run_if_due`, or ``contactops campaigns build``, instead)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.background_loop import BackgroundLoop
from app.campaign_lists import CENTER_ZONE, BuildResult, build_lists, fit_model
from app.models import CampaignListEntry

log = logging.getLogger(__name__)


class MorningRefresh(BackgroundLoop):
    """Rebuilds the day's lists once a day, at the first tick from ``hour`` (center time).

    :meth:`run_if_due` is the function a scheduler calls (the clock is its argument);
    :meth:`start` runs it every ``interval_seconds`` in the server's event loop (the live
    center starts it when ``CONTACTOPS_CAMPAIGN_LISTS_HOUR`` is set), the build in a worker
    thread. A day whose lists exist already when the first tick comes (a restart after the
    hour) is not rebuilt."""

    task_name = "campaign-lists-morning"

    def __init__(self, engine: Engine, hour: int, interval_seconds: float = 60.0) -> None:
        if not 0 <= hour <= 23:
            raise ValueError(f"hour must be between 0 and 23, got {hour}")
        self.engine, self.hour, self.interval_seconds = engine, hour, interval_seconds
        self.last_day: date | None = None
        self._checked = False

    def due(self, now: datetime) -> date | None:
        local = now.astimezone(CENTER_ZONE)
        if local.hour < self.hour or self.last_day == local.date():
            return None
        return local.date()

    def run_if_due(self, now: datetime) -> list[BuildResult] | None:
        day = self.due(now)
        if day is None:
            return None
        if not self._checked:
            self._checked = True
            with Session(self.engine) as session:
                built = session.exec(select(CampaignListEntry.id)
                                     .where(col(CampaignListEntry.list_date) == day)
                                     .limit(1)).first()
            if built is not None:
                self.last_day = day
                return None
        with Session(self.engine) as session:
            model, _ = fit_model(session, now)
        results = build_lists(self.engine, day, now, model)
        self.last_day = day
        log.info("campaign lists of %s: %s entries", day, sum(r.entries for r in results))
        return results

    async def _loop(self) -> None:
        while True:
            try:
                await self.in_thread(self.run_if_due, datetime.now(UTC))
            except OperationalError as exc:  # e.g. SQLite busy with the live center's writes
                log.warning("campaign lists: the morning build could not write (%s); "
                            "retrying in %.0f s", str(exc.orig).splitlines()[0],
                            self.interval_seconds)
            except Exception:  # a failed build is retried at the next tick
                log.exception("campaign lists: the morning build failed")
            await asyncio.sleep(self.interval_seconds)
