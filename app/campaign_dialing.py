"""What the live center's campaign dialling reads and writes: the campaigns to dial, today's
open list entries the contact rules allow now, the dials' rows in the contact history and the
entries they settle, and a campaign's pacing figures of the day.

* **Leads** (:func:`load_leads`): a campaign's open entries of the day, best rank first, each
  checked by the contact rules as the agenda checks them (:func:`app.agenda.decide`: calling
  hours in the customer's zone, do-not-call, the industry do-not-call list, consent, attempt
  caps, retry intervals, ...). An entry the rules allow no dial ever again is ``skipped``;
  one they allow later is returned with that instant, to be asked again then.
* **Dials** (:func:`settle_dials`): every dial a row of the customer's contact history
  (:func:`app.agenda.dial_row`, reason ``dial:campaign-N``: the history the rules read back);
  a connected dial settles its entry ``done``; a dial that did not connect leaves it open for
  the rules' retry, or ``skipped`` when they allow none.
* **Figures** (:func:`pacing_figures`): the day's dials of a campaign by result, from the
  interaction rows of its dials (queue = the campaign's label, :func:`dial_label`).

Customer data read or written here is access-logged under the dialler's own name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.agenda import (
    RulesInput,
    campaign_list_entry,
    center_holidays,
    decide,
    dial_history,
    dial_row,
    dial_target,
    first_allowed,
    first_numbers,
    rules_input,
)
from app.industry_dnc import listed
from app.models import Campaign, CampaignListEntry, Customer, CustomerAccess, Interaction
from app.queries import CENTER_TZ, as_utc
from routing.events import DialResultName
from telesales.campaigns import AUTO_DIAL_MODES
from telesales.contact_rules import CAMPAIGN_TYPES, CampaignType, DialTarget, PastDial

#: who the contact history and the access log name for the dialler's dials
DIALER = "dialer"
#: the access log's basis of the dialler's reads and writes
BASIS = "campaign_dialing"


def dial_label(name: str) -> str:
    """The campaign as its dials' events and interaction rows name it (the queue column)."""
    return name[:40]


@dataclass(frozen=True, slots=True)
class DialingCampaign:
    """A campaign the center may dial: ``queue`` is the engine queue its connects arrive in."""

    id: int
    name: str
    type: CampaignType
    mode: str
    active: bool
    queue: str


def campaign_queue(campaign: Campaign, queues: Sequence[str]) -> str | None:
    """The queue a campaign's connects go to: one named as the campaign, else as its type
    (``collections``), else ``outbound``; None when the center has none of them."""
    for name in (campaign.name, campaign.type, "outbound"):
        if name in queues:
            return name
    return None


def dialing_campaigns(db: Engine, queues: Sequence[str]) -> list[DialingCampaign]:
    """The progressive and predictive campaigns that have a queue (active or not)."""
    with Session(db) as session:
        rows = session.exec(select(Campaign).where(col(Campaign.dial_mode).in_(AUTO_DIAL_MODES))
                            .order_by(col(Campaign.priority).desc(), col(Campaign.id))).all()
    out: list[DialingCampaign] = []
    for row in rows:
        queue = campaign_queue(row, queues)
        if queue is None or row.id is None:
            continue
        kind: CampaignType = row.type if row.type in CAMPAIGN_TYPES else "telesales"
        out.append(DialingCampaign(row.id, row.name, kind, row.dial_mode, row.active, queue))
    return out


@dataclass(slots=True)
class LiveLead:
    """A list entry ready to dial, with what the rules need to check it again at the dial."""

    entry_id: int
    customer_id: int
    key: str  # ``campaign-N``: the rules' campaign and the dial rows' reason
    campaign_type: CampaignType
    target: DialTarget
    history: list[PastDial]
    holidays: frozenset[date]
    industry: frozenset[str] = frozenset()

    @property
    def customer(self) -> str:
        return str(self.customer_id)


@dataclass(slots=True)
class Loaded:
    leads: list[LiveLead] = field(default_factory=list)
    #: entry id -> when the rules next allow it (refused now)
    later: dict[int, datetime] = field(default_factory=dict)
    skipped: int = 0


def _access(session: Session, customer_ids: Iterable[int], action: str, fields: str,
            text: str, now: datetime) -> None:
    for customer_id in customer_ids:
        session.add(CustomerAccess(at=now, user_id=None, username=DIALER, role="system",
                                   customer_id=customer_id, action=action, fields=fields,
                                   reason=BASIS, reason_text=text[:200], ip="", allowed=True))


def load_leads(db: Engine, campaign: DialingCampaign, now: datetime, limit: int,
               exclude: Iterable[int], ring_seconds: float,
               listed_on: datetime | None = None) -> Loaded:
    """Up to ``limit`` open entries of the center-local day of ``listed_on`` (default
    ``now``) the rules allow at ``now`` (see the module doc); entries in ``exclude`` are
    not read."""
    day = (listed_on or now).astimezone(CENTER_TZ).date()
    out = Loaded()
    with Session(db) as session:
        rows = session.exec(
            select(CampaignListEntry)
            .where(CampaignListEntry.campaign_id == campaign.id,
                   CampaignListEntry.list_date == day, CampaignListEntry.status == "open",
                   col(CampaignListEntry.id).not_in(sorted(set(exclude)) or [-1]))
            .order_by(col(CampaignListEntry.rank)).limit(limit)).all()
        if not rows:
            return out
        ids = {r.customer_id for r in rows}
        customers = {c.id: c for c in session.exec(
            select(Customer).where(col(Customer.id).in_(sorted(ids)))).all()}
        history = dial_history(session, ids)
        numbers = first_numbers(session, ids)
        holidays = center_holidays(session)
        industry = listed(session, numbers.values())
        for row in rows:
            customer = customers.get(row.customer_id)
            assert row.id is not None
            if customer is None:
                row.status = "skipped"
                session.add(row)
                out.skipped += 1
                continue
            target = dial_target(session, customer, numbers.get(row.customer_id, ""))
            given = RulesInput(target, history[row.customer_id], holidays,
                               industry & {target.number})
            entry = campaign_list_entry(session, row)
            if decide(entry, given, now, ring_seconds).allowed:
                out.leads.append(LiveLead(row.id, row.customer_id, entry.key,
                                          entry.campaign_type, target,
                                          list(given.history), holidays, given.industry))
                continue
            after = first_allowed(entry, given, now, ring_seconds)
            if after is None:  # no dial ever again: do-not-call, attempts spent...
                row.status = "skipped"
                session.add(row)
                out.skipped += 1
            else:
                out.later[row.id] = after
        _access(session, sorted(ids), "read", "phones,history", f"{campaign.name}: leads", now)
        session.commit()
    return out


@dataclass(frozen=True, slots=True)
class DialOutcome:
    """A dial that ended, to be written (:func:`settle_dials`)."""

    entry_id: int
    customer_id: int
    key: str
    result: DialResultName
    at: datetime
    mode: str


def settle_dials(db: Engine, outcomes: Sequence[DialOutcome], ring_seconds: float,
                 now: datetime) -> dict[int, str]:
    """Write the dials' rows and settle their entries (module doc); entry id -> its status."""
    statuses: dict[int, str] = {}
    if not outcomes:
        return statuses
    with Session(db) as session:
        for o in outcomes:
            session.add(dial_row(o.customer_id, o.key, o.result, o.at, DIALER,
                                 f"{o.mode} dial"))
        session.flush()
        for o in outcomes:
            entry = session.get(CampaignListEntry, o.entry_id)
            if entry is None or entry.status != "open":
                continue
            if o.result == "connected":
                entry.status = "done"
            else:
                customer = session.get(Customer, o.customer_id)
                if customer is None or first_allowed(
                        campaign_list_entry(session, entry), rules_input(session, customer),
                        now, ring_seconds) is None:
                    entry.status = "skipped"
            statuses[o.entry_id] = entry.status
            session.add(entry)
        _access(session, sorted({o.customer_id for o in outcomes}), "write", "history",
                "dial results", now)
        session.commit()
    return statuses


@dataclass(frozen=True, slots=True)
class PacingFigures:
    """A campaign's dials of one day: live answers are connects plus abandoned ones; the
    abandon rate is abandoned over live answers (:func:`qa.dials.dialler_abandon_rate`)."""

    dials: int
    connects: int
    abandoned: int
    open_entries: int

    @property
    def abandon_rate(self) -> float:
        live = self.connects + self.abandoned
        return self.abandoned / live if live else 0.0


def pacing_figures(session: Session, campaign: Campaign, day: date) -> PacingFigures:
    """The day's (center-local) dials of ``campaign`` by result, from their interaction rows."""
    start = datetime.combine(day, time(), CENTER_TZ).astimezone(UTC)
    rows = session.exec(
        select(Interaction.outcome, func.count())
        .where(Interaction.direction == "outbound",
               Interaction.queue == dial_label(campaign.name),
               col(Interaction.arrived_at) >= as_utc(start))
        .group_by(col(Interaction.outcome))).all()
    by = {str(outcome): int(n) for outcome, n in rows}
    open_entries = session.exec(
        select(func.count()).select_from(CampaignListEntry)
        .where(CampaignListEntry.campaign_id == campaign.id,
               CampaignListEntry.list_date == day,
               CampaignListEntry.status == "open")).one()
    return PacingFigures(dials=sum(by.values()), connects=by.get("answered", 0),
                         abandoned=by.get("abandoned", 0), open_entries=int(open_entries))

