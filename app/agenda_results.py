"""What a preview dial leaves in the database: the dial in the customer's contact history, and
the lead's fate.

* A dial that did not reach the customer (no answer, busy, machine, abandoned): the agent
  records it (:func:`record_failed_dial`): a dial row, and the lead waits for the contact
  rules' next allowed instant (its ``due_on`` moves to that day), or is ``lost`` when the
  rules allow no further dial (attempt cap, do-not-call...). A campaign list entry (a list
  of one day) is ``skipped`` when the rules allow no further dial on its day (an abandoned
  call's 72 hours), which also frees its place in the agent's pool batch.
* A connected dial: at the call's wrap-up (:func:`record_connected_dial`) a dial row, and the
  lead is settled by the offers recorded on that call (the ``OfferRecorded`` events of the
  contact in the event log): the lead's offer ``accepted`` → ``won``, ``declined`` → ``lost``,
  ``follow_up`` → ``closed`` (the follow-up opened a new lead); nothing settled: it stays open
  and the rules' retry interval after a connected call applies.

Every write is access-logged (basis ``agenda``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from app.agenda import (
    REFUSED_PREFIX,
    AgendaEntry,
    AgendaItem,
    campaign_entry_id,
    campaign_list_entry,
    dial_history,
    dial_row,
    first_allowed,
    lead_entry,
    rules_input,
)
from app.customer_access import AccessEntry, log_access
from app.models import (
    CampaignListEntry,
    ContactHistory,
    Customer,
    EventRecord,
    Lead,
    LeadStatus,
    User,
)
from app.preview_dial import PreviewDial
from app.queries import CENTER_TZ

#: the access log's basis of every agenda read and write
BASIS = "agenda"
#: the offer result → the lead's status
SETTLED: dict[str, LeadStatus] = {"accepted": LeadStatus.won, "declined": LeadStatus.lost,
                                  "follow_up": LeadStatus.closed}


@dataclass(frozen=True, slots=True)
class LeadAfterDial:
    lead_id: int | None
    status: str | None
    due_on: date | None
    next_allowed: datetime | None


def _lead(session: Session, dial: PreviewDial) -> Lead | None:
    return session.get(Lead, dial.lead_id) if dial.lead_id is not None else None


def _list_entry(session: Session, dial: PreviewDial) -> CampaignListEntry | None:
    """The campaign list entry dialled (agenda key ``campaign-N``), while still open."""
    entry_id = campaign_entry_id(dial.campaign)
    entry = session.get(CampaignListEntry, entry_id) if entry_id is not None else None
    return entry if entry is not None and entry.status == "open" else None


def _settle_entry(session: Session, entry: CampaignListEntry, status: str) -> None:
    """A worked list entry: ``done`` (reached) or ``skipped`` (no dial allowed any more)."""
    entry.status = status
    session.add(entry)


def record_refused_dial(session: Session, user: User, ip: str, item: AgendaItem,
                        now: datetime) -> str:
    """A dial the contact rules refuse: a ``refused:<rules>`` row of the customer's contact
    history (no dial, no contact) and its access-log line; the refusing rules, comma-joined."""
    e, refusals = item.entry, item.decision.refusals
    rules = ",".join(dict.fromkeys(r.rule for r in refusals))
    session.add(dial_row(e.customer_id, e.key, REFUSED_PREFIX + rules, now, user.username,
                         "; ".join(r.detail for r in refusals)))
    session.commit()
    log_access(session, user, ip, [e.customer_id],
               AccessEntry("write", ("history",), BASIS, f"refused dial {e.key}"), now)
    return rules


def attempts_made(session: Session, entry: AgendaEntry) -> int:
    """The dials already placed for ``entry`` (refusals are none)."""
    return dials_placed(session, entry.customer_id, entry.key)


def dials_placed(session: Session, customer_id: int, key: str) -> int:
    """The dials of the customer's contact history under ``key`` (refusals are none)."""
    return sum(1 for d in dial_history(session, [customer_id])[customer_id] if d.campaign == key)


def dial_note(contact_id: str) -> str:
    """The ``notes`` of a dial's row: how the row of one dial is found again."""
    return f"preview dial {contact_id}"


def dial_recorded(session: Session, customer_id: int, contact_id: str) -> bool:
    """Whether the dial ``contact_id`` already has its row in the customer's history."""
    return session.exec(select(ContactHistory.id).where(
        ContactHistory.customer_id == customer_id,
        ContactHistory.notes == dial_note(contact_id))).first() is not None


def record_failed_dial(session: Session, user: User, ip: str, dial: PreviewDial,
                       now: datetime, ring_seconds: float) -> LeadAfterDial:
    """The dial row of a dial that did not connect, then the lead's retry (module doc)."""
    after = settle_failed_dial(session, dial, user.username, now, ring_seconds)
    log_access(session, user, ip, [dial.customer_id],
               AccessEntry("write", ("history",), BASIS, f"dial {dial.contact_id}"), now)
    return after


def settle_failed_dial(session: Session, dial: PreviewDial, handled_by: str, now: datetime,
                       ring_seconds: float) -> LeadAfterDial:
    """:func:`record_failed_dial` without its access-log line (the caller writes it)."""
    assert dial.result is not None and dial.result != "connected"
    session.add(dial_row(dial.customer_id, dial.campaign, dial.result,
                         datetime.fromtimestamp(dial.ended_at or now.timestamp(), UTC),
                         handled_by, dial_note(dial.contact_id)))
    session.commit()
    lead, after = _lead(session, dial), None
    customer = session.get(Customer, dial.customer_id)
    if lead is not None and customer is not None and lead.status == LeadStatus.open.value:
        after = first_allowed(lead_entry(lead), rules_input(session, customer), now,
                              ring_seconds)
        if after is None:
            lead.status, lead.closed_at = LeadStatus.lost.value, now
        else:
            lead.due_on = max(lead.due_on, after.astimezone(CENTER_TZ).date())
        session.add(lead)
        session.commit()
        session.refresh(lead)
    entry = _list_entry(session, dial)
    if entry is not None and customer is not None:
        after = first_allowed(campaign_list_entry(session, entry),
                              rules_input(session, customer), now, ring_seconds)
        if after is None or after.astimezone(CENTER_TZ).date() > entry.list_date:
            _settle_entry(session, entry, "skipped")
            session.commit()
    return LeadAfterDial(dial.lead_id, lead.status if lead else None,
                         lead.due_on if lead else None, after)


def offer_results(session: Session, contact_id: str, offer: str) -> list[str]:
    """The results recorded for ``offer`` on the contact, in the log's order."""
    rows = session.exec(select(EventRecord).where(
        EventRecord.contact_id == contact_id, EventRecord.type == "offer_recorded")
        .order_by(col(EventRecord.seq))).all()
    return [str(r.payload.get("result")) for r in rows if r.payload.get("offer") == offer]


def record_connected_dial(session: Session, user: User, ip: str, dial: PreviewDial,
                          now: datetime) -> LeadAfterDial:
    """At the wrap-up of a dialled call: the dial row, and the lead settled (module doc)."""
    session.add(dial_row(dial.customer_id, dial.campaign, "connected",
                         datetime.fromtimestamp(dial.ended_at or now.timestamp(), UTC),
                         user.username, dial_note(dial.contact_id)))
    lead = _lead(session, dial)
    if lead is not None and lead.status == LeadStatus.open.value:
        settled = [SETTLED[r] for r in offer_results(session, dial.contact_id, lead.offer)
                   if r in SETTLED]
        if settled:
            lead.status, lead.closed_at = settled[-1].value, now
            session.add(lead)
    entry = _list_entry(session, dial)
    if entry is not None:  # the customer was reached: the day's list entry is worked
        _settle_entry(session, entry, "done")
    session.commit()
    if lead is not None:
        session.refresh(lead)
    log_access(session, user, ip, [dial.customer_id],
               AccessEntry("write", ("history", "leads"), BASIS, f"dial {dial.contact_id}"),
               now)
    return LeadAfterDial(dial.lead_id, lead.status if lead else None,
                         lead.due_on if lead else None, None)
