"""Outbound KPIs of a period, per group: the event log and the payments in, :mod:`qa`
figures out (``contactops kpis`` and the ``/campaigns`` page read them here).

The database only selects: the period's outbound contacts' events (those of the contacts
dialled in ``[start, end)``, read up to :data:`LOOKAHEAD` after the end so a call dialled
before it is seen to its wrap-up) and the promises made in it, and the payments of the
promising customers; the fold and the formulas are :mod:`qa.outbound_kpis` and
:mod:`qa.promises`. The log's rows are read back unchecked
(:func:`routing.events.stored_event`: they were checked when stored). A promise is judged on ``now``'s day (the center's calendar).

Groups: ``all``; ``agent`` (the agent who wrapped the contact up, else answered, else
dialled it; ``none`` for a predictive dial no agent took), that agent's ``team`` and
``site``; ``campaign``: the campaign of the list entry the dial came from (``leads`` for a
follow-up lead; another dial key, e.g. a simulated campaign, as it is).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from app.agenda import campaign_entry_id
from app.kpi_period import NO_AGENT, agent_directory
from app.models import Campaign, CampaignListEntry, EventRecord
from app.payments import payments_of
from app.queries import CENTER_TZ, as_utc
from qa.outbound_kpis import (
    OutboundContact,
    OutboundCounts,
    count_outbound,
    count_promise_outcomes,
    fold_outbound,
    outbound_figures,
    promises_of,
)
from qa.promises import PaymentBook
from routing.events import stored_event

#: a call dialled before the period's end is wrapped up within this
LOOKAHEAD = timedelta(hours=6)
#: the event types the outbound KPIs read (:func:`qa.outbound_kpis.fold_outbound`)
TYPES = ("dial_attempted", "dial_result", "contact_answered", "wrap_up_ended",
         "offer_recorded", "promise_to_pay")
#: the group of the dials of follow-up leads (``lead-N``) by campaign
LEADS = "leads"
GROUPINGS = ("agent", "team", "site", "campaign")


def read_contacts(session: Session, start: datetime, end: datetime) -> list[OutboundContact]:
    """The outbound contacts dialled in ``[start, end)`` and the contacts with a promise
    made in it (:func:`qa.outbound_kpis.fold_outbound` of their events)."""
    t0, t1 = as_utc(start).timestamp(), as_utc(end).timestamp()
    dialled = select(col(EventRecord.contact_id)).where(
        col(EventRecord.type) == "dial_attempted", col(EventRecord.at) >= t0,
        col(EventRecord.at) < t1)
    query = (select(col(EventRecord.payload)).where(
        col(EventRecord.type).in_(TYPES), col(EventRecord.at) >= t0,
        col(EventRecord.at) < t1 + LOOKAHEAD.total_seconds(),
        or_(col(EventRecord.contact_id).in_(dialled), col(EventRecord.type) == "promise_to_pay"))
        .order_by(col(EventRecord.seq)))
    events = (stored_event(p) for (p,) in session.connection().execute(query))
    return fold_outbound(events)


def campaign_names(session: Session, contacts: Sequence[OutboundContact]) -> dict[str, str]:
    """Dial key (``campaign-N``) -> the campaign's name, for the keys of ``contacts``."""
    entry_of = {c.campaign: campaign_entry_id(c.campaign) for c in contacts if c.campaign}
    ids = sorted({e for e in entry_of.values() if e is not None})
    names: dict[int, str] = {}
    for i in range(0, len(ids), 5000):
        names.update((int(str(e)), str(n)) for e, n in session.connection().execute(
            select(col(CampaignListEntry.id), col(Campaign.name))
            .join(Campaign, col(Campaign.id) == col(CampaignListEntry.campaign_id))
            .where(col(CampaignListEntry.id).in_(ids[i:i + 5000]))))
    return {key: names.get(e, key) if e is not None else key for key, e in entry_of.items()}


def grouper(session: Session, by: str | None, contacts: Sequence[OutboundContact]
            ) -> Callable[[OutboundContact], Hashable | None]:
    """The group name of a contact for ``by`` (None: ``all``)."""
    if by is None:
        return lambda c: "all"
    if by == "campaign":
        names = campaign_names(session, contacts)
        return lambda c: (LEADS if c.campaign.startswith("lead-") else names.get(
            c.campaign, c.campaign)) if c.campaign else None
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, got {by!r}")
    directory = agent_directory(session)
    if by == "agent":
        return lambda c: c.group_agent or NO_AGENT
    slot = 0 if by == "site" else 1
    return lambda c: directory.get(c.group_agent or "", (NO_AGENT, NO_AGENT))[slot]


def outbound_report(session: Session, start: datetime, end: datetime, now: datetime,
                    groupings: Sequence[str | None] = (None,),
                    contacts: list[OutboundContact] | None = None,
                    ) -> dict[str | None, dict[str, dict[str, Any]]]:
    """Per grouping (None: the center), group name -> :func:`qa.outbound_kpis.outbound_figures`
    of the period (``all`` the one name of None)."""
    contacts = read_contacts(session, start, end) if contacts is None else contacts
    t0, t1 = as_utc(start).timestamp(), as_utc(end).timestamp()
    promised = [p for c in contacts for p in promises_of(c, CENTER_TZ)]
    since = min((p.made_on for p in promised), default=None)
    book = PaymentBook(payments_of(session.connection(), {p.customer_id for p in promised},
                                   since) if since is not None else ())
    out: dict[str | None, dict[str, dict[str, Any]]] = {}
    for by in groupings:
        group_of = grouper(session, by, contacts)
        counts = count_outbound(contacts, group_of, t0, t1)
        kept = count_promise_outcomes(contacts, group_of, book, now, CENTER_TZ, t0, t1)
        out[by] = {str(name): outbound_figures(counts.get(name) or OutboundCounts(), kept.get(name))
                   for name in sorted({*counts, *kept}, key=str)}
    return out
