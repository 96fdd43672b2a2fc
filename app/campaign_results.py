"""Each campaign's outbound results today and over the last 30 days, for the ``/campaigns``
page: dials, connects, right-party contacts, contacts per hour, conversion and promises
(:mod:`app.outbound_period`; formulas in :mod:`qa.outbound_kpis` and :mod:`qa.promises`).

The events are read once for the 30 days; today's figures are the same contacts counted
from today's start (the center's calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, select

from app.models import Campaign
from app.outbound_period import outbound_report, read_contacts
from qa.outbound_kpis import OutboundCounts, outbound_figures

#: the longer period on the page: the last 30 days, today included
RESULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class CampaignResults:
    """A campaign's outbound figures (:func:`qa.outbound_kpis.outbound_figures`) today and
    over the last :data:`RESULT_DAYS` days; ``type`` None for a group that is no campaign
    (the follow-up leads)."""

    name: str
    type: str | None
    today: dict[str, Any]
    last_days: dict[str, Any]


def campaign_results(session: Session, now: datetime, zone: tzinfo) -> list[CampaignResults]:
    """Per campaign with dials in the last :data:`RESULT_DAYS` days (the campaigns by name,
    then the other dial groups), today's figures and the period's, on ``zone``'s days."""
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=1), time.min, zone)
    day_start = datetime.combine(today, time.min, zone)
    first = datetime.combine(today - timedelta(days=RESULT_DAYS - 1), time.min, zone)
    contacts = read_contacts(session, first, end)
    period = outbound_report(session, first, end, now, ("campaign",), contacts)["campaign"]
    day = outbound_report(session, day_start, end, now, ("campaign",), contacts)["campaign"]
    types = {str(n): str(t) for n, t in session.exec(select(Campaign.name, Campaign.type))}
    blank = outbound_figures(OutboundCounts())
    names = sorted(period, key=lambda n: (n not in types, n))
    return [CampaignResults(n, types.get(n), day.get(n, blank), period[n]) for n in names]
