"""The agent's outbound agenda for today: who to call, about what, and whether the rules allow it.

An agenda is built from a small list of **sources** (:data:`AGENDA_SOURCES`), each a function
``source(session, agent, day) -> list[AgendaEntry]``: the agent's open leads due by ``day``
(:func:`lead_entries`: follow-ups the agent created, or leads of customers the agent manages)
are the first; campaign list entries plug in beside them as another source. For every entry
the agenda adds the customer's name and value tier, whether the agent manages the customer
(``Customer.relationship_manager_id``), the last contact and the contact rules' verdict at
``now`` (:func:`telesales.contact_rules.check_dial`: allowed, or each refusing rule with the
instant it lifts).

Order: the agent's managed customers first, then the earliest due; on one day the leads
(the higher tier first, :class:`app.models.ValueTier` order), then the campaign entries in the
order the list builder scored them (campaign priority, then score: ``AgendaEntry.order``),
then the entry's key. The unassigned pool's entries are on an agent's agenda only once
claimed for them (:mod:`app.pool_claims`).

Dials are kept as rows of the customer's contact history (channel ``outbound``, reason
``dial:<campaign>``, outcome the dial's result, :func:`dial_row`): that is the history the
rules read back (:func:`dial_history`), so retry intervals and attempt caps hold across
restarts. A refused dial is kept as a row whose outcome is ``refused:<rule>``; it is no dial
(the rules skip it) and no contact (the last contact skips it).

No rule lives here: rows are read and mapped into :mod:`telesales.contact_rules`' dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from app.campaign_lists import entries_for_agent
from app.industry_dnc import listed
from app.models import (
    Agent,
    Campaign,
    CampaignListEntry,
    Channel,
    ContactHistory,
    Customer,
    CustomerPhone,
    Lead,
    LeadStatus,
    SiteHoliday,
    ValueTier,
)
from app.queries import CENTER_TZ, as_utc
from routing.events import DIAL_RESULTS
from telesales.contact_rules import (
    CAMPAIGN_TYPES,
    CampaignType,
    DialDecision,
    DialTarget,
    PastDial,
    check_dial,
    next_allowed,
    rules_for,
)

#: the contact history reason prefix of a dial row (``dial:lead-12``)
DIAL_PREFIX = "dial:"
#: the outcome prefix of a refused dial's row (``refused:calling_hours``)
REFUSED_PREFIX = "refused:"
#: the country whose contact rules the center's dials follow
COUNTRY = "KR"
#: an agenda lists at most this many items (a relationship manager keeps ~600 customers,
#: of whom a day's due leads are a few dozen)
MAX_ITEMS = 200
#: dial rows of one customer read for the rules (a year of an often-called customer)
MAX_DIAL_ROWS = 200
TIER_ORDER: dict[str, int] = {t.value: i for i, t in enumerate(ValueTier)}


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One thing to call a customer about, from a source. ``key`` is unique in the agenda
    and is the campaign name the contact rules count attempts in (``lead-12``)."""

    source: str
    key: str
    customer_id: int
    offer: str
    kind: str
    reason: str
    due_on: date
    lead_id: int | None = None
    campaign_type: CampaignType = "telesales"
    #: 0 for a lead; a campaign entry's place in its source's order (priority, score), from 1
    order: int = 0
    #: a list entry of the unassigned pool (claimed for the agent), not a managed customer's
    pool: bool = False


@dataclass(frozen=True, slots=True)
class AgendaItem:
    entry: AgendaEntry
    customer_name: str
    tier: str
    managed: bool
    last_contact: datetime | None
    decision: DialDecision


#: ``source(session, agent, day)``: the entries one source gives an agent for ``day``
AgendaSource = Callable[[Session, Agent, date], list[AgendaEntry]]


LEAD_PREFIX = "lead-"


def lead_key(lead_id: int) -> str:
    return f"{LEAD_PREFIX}{lead_id}"


def lead_id_of(key: str) -> int | None:
    """The lead's id of an agenda key ``lead-N`` (None for another key)."""
    tail = key.removeprefix(LEAD_PREFIX)
    return int(tail) if tail != key and tail.isdigit() else None


def lead_entry(lead: Lead) -> AgendaEntry:
    assert lead.id is not None
    return AgendaEntry(source="lead", key=lead_key(lead.id), customer_id=lead.customer_id,
                       offer=lead.offer, kind=lead.kind, reason=lead.note, due_on=lead.due_on,
                       lead_id=lead.id)


def lead_entries(session: Session, agent: Agent, day: date) -> list[AgendaEntry]:
    """The open leads due on or before ``day`` that the agent created or whose customer the
    agent manages (at most :data:`MAX_ITEMS`, the earliest due first)."""
    managed = select(Customer.id).where(Customer.relationship_manager_id == agent.id)
    rows = session.exec(
        select(Lead)
        .where(Lead.status == LeadStatus.open.value, col(Lead.due_on) <= day,
               or_(col(Lead.created_by) == agent.id, col(Lead.customer_id).in_(managed)))
        .order_by(col(Lead.due_on), col(Lead.id)).limit(MAX_ITEMS)).all()
    return [lead_entry(lead) for lead in rows]


CAMPAIGN_PREFIX = "campaign-"


def campaign_key(entry_id: int) -> str:
    return f"{CAMPAIGN_PREFIX}{entry_id}"


def campaign_entry_id(key: str) -> int | None:
    """The list entry's id of an agenda key ``campaign-N`` (None for another key)."""
    tail = key.removeprefix(CAMPAIGN_PREFIX)
    return int(tail) if tail != key and tail.isdigit() else None


def campaign_list_entry(session: Session, row: CampaignListEntry,
                        order: int = 1) -> AgendaEntry:
    """One campaign list entry as an agenda entry (:func:`campaign_entries`), ``order``-th
    of its source."""
    assert row.id is not None
    campaign = session.get(Campaign, row.campaign_id)
    name = campaign.name if campaign is not None else ""
    kind = campaign.type if campaign is not None and campaign.type in CAMPAIGN_TYPES \
        else "telesales"
    return AgendaEntry(source="campaign", key=campaign_key(row.id), customer_id=row.customer_id,
                       offer=row.reason, kind=kind, reason=name, due_on=row.list_date,
                       campaign_type=kind, order=order, pool=row.agent_id is None)


def campaign_entries(session: Session, agent: Agent, day: date) -> list[AgendaEntry]:
    """The agent's open campaign list entries of ``day``
    (:func:`app.campaign_lists.entries_for_agent`: their managed customers' first, then the
    pool entries claimed for them): ``offer`` is the entry's reason code (why the customer is
    on the list), ``reason`` the campaign's name, ``kind`` and the contact rules' set its
    type."""
    assert agent.id is not None
    return [campaign_list_entry(session, r, i)
            for i, r in enumerate(entries_for_agent(session, agent.id, day, limit=MAX_ITEMS),
                                  start=1)]


#: where an agenda's entries come from, in order: leads, then the day's campaign lists
AGENDA_SOURCES: tuple[AgendaSource, ...] = (lead_entries, campaign_entries)


# --- what the contact rules read ---------------------------------------------------------


def dial_history(session: Session, customer_ids: Iterable[int]) -> dict[int, list[PastDial]]:
    """The customers' past dials (dial rows of their contact history, refusals left out)."""
    ids = sorted(set(customer_ids))
    out: dict[int, list[PastDial]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.exec(  # columns, not objects: an agenda reads a few hundred rows
        select(ContactHistory.customer_id, ContactHistory.at, ContactHistory.reason,
               ContactHistory.outcome)
        .where(col(ContactHistory.customer_id).in_(ids),
               col(ContactHistory.reason).startswith(DIAL_PREFIX))
        .order_by(col(ContactHistory.at).desc()).limit(MAX_DIAL_ROWS * len(ids))).all()
    for customer_id, at, reason, outcome in rows:
        if outcome.startswith(REFUSED_PREFIX):
            continue
        result = outcome if outcome in DIAL_RESULTS else None
        out[customer_id].append(PastDial(
            at=as_utc(at), campaign=reason[len(DIAL_PREFIX):],
            campaign_type="telesales", result=result))
    for dials in out.values():
        dials.reverse()
    return out


def last_contacts(session: Session, customer_ids: Iterable[int]) -> dict[int, datetime]:
    """The latest contact of each customer (refused dials are no contact)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(ContactHistory.customer_id, func.max(ContactHistory.at))
        .where(col(ContactHistory.customer_id).in_(ids),
               ~col(ContactHistory.outcome).startswith(REFUSED_PREFIX))
        .group_by(col(ContactHistory.customer_id))).all()
    return {int(cid): as_utc(at) for cid, at in rows if at is not None}


def center_holidays(session: Session) -> frozenset[date]:
    """The days every site is on holiday (``SiteHoliday.site`` None)."""
    rows = session.exec(select(SiteHoliday).where(col(SiteHoliday.site).is_(None))).all()
    return frozenset(h.day for h in rows)


def first_numbers(session: Session, customer_ids: Iterable[int]) -> dict[int, str]:
    """Each customer's first stored number (one query)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    out: dict[int, str] = {}
    for customer_id, number in session.exec(
            select(CustomerPhone.customer_id, CustomerPhone.number)
            .where(col(CustomerPhone.customer_id).in_(ids))
            .order_by(col(CustomerPhone.id))).all():
        out.setdefault(customer_id, number)
    return out


def dial_target(session: Session, customer: Customer, number: str | None = None) -> DialTarget:
    """The customer as the rules see them, on ``number`` (default their first stored one)."""
    assert customer.id is not None
    if number is None:
        number = first_numbers(session, [customer.id]).get(customer.id)
    return DialTarget(customer_id=str(customer.id), number=number or "",
                      time_zone=customer.time_zone or str(CENTER_TZ),
                      marketing_consent=customer.marketing_consent,
                      do_not_call=customer.do_not_call)


@dataclass(frozen=True, slots=True)
class RulesInput:
    """What one entry's rule check needs besides the time."""

    target: DialTarget
    history: Sequence[PastDial]
    holidays: frozenset[date]
    #: the target's number when an industry do-not-call list holds it (else empty)
    industry: frozenset[str] = frozenset()


def decide(entry: AgendaEntry, given: RulesInput, now: datetime,
           ring_seconds: float) -> DialDecision:
    """The contact rules' verdict on dialling ``entry`` at ``now``."""
    return check_dial(rules_for(COUNTRY, entry.campaign_type), given.target, given.history,
                      now, campaign=entry.key, ring_seconds=ring_seconds,
                      holidays=given.holidays, industry_do_not_call=given.industry)


def first_allowed(entry: AgendaEntry, given: RulesInput, now: datetime,
                  ring_seconds: float) -> datetime | None:
    """When ``entry`` may next be dialled (None: not by waiting)."""
    return next_allowed(rules_for(COUNTRY, entry.campaign_type), given.target,
                        list(given.history), now, campaign=entry.key,
                        ring_seconds=ring_seconds, holidays=given.holidays,
                        industry_do_not_call=given.industry)


def rules_input(session: Session, customer: Customer) -> RulesInput:
    assert customer.id is not None
    target = dial_target(session, customer)
    return RulesInput(target, dial_history(session, [customer.id])[customer.id],
                      center_holidays(session), listed(session, [target.number]))


# --- the agenda --------------------------------------------------------------------------


def build_agenda(
    session: Session, agent: Agent, now: datetime, *, ring_seconds: float,
    sources: Sequence[AgendaSource] = AGENDA_SOURCES,
) -> list[AgendaItem]:
    """The agent's agenda at ``now`` (aware): every source's entries for the center-local
    day of ``now``, each with its customer and the rules' verdict, in the module's order."""
    day = now.astimezone(CENTER_TZ).date()
    entries: list[AgendaEntry] = []
    seen: set[str] = set()
    for source in sources:
        for e in source(session, agent, day):
            if e.key not in seen:
                seen.add(e.key)
                entries.append(e)
    entries = entries[:MAX_ITEMS]
    ids = {e.customer_id for e in entries}
    customers = {c.id: c for c in session.exec(
        select(Customer).where(col(Customer.id).in_(sorted(ids)))).all()} if ids else {}
    history = dial_history(session, ids)
    last = last_contacts(session, ids)
    numbers = first_numbers(session, ids)
    holidays = center_holidays(session)
    industry = listed(session, numbers.values())
    items: list[AgendaItem] = []
    for e in entries:
        customer = customers.get(e.customer_id)
        if customer is None:
            continue
        target = dial_target(session, customer, numbers.get(e.customer_id, ""))
        given = RulesInput(target, history[e.customer_id], holidays,
                           industry & {target.number})
        items.append(AgendaItem(
            entry=e, customer_name=customer.name, tier=customer.value_tier,
            managed=customer.relationship_manager_id == agent.id,
            last_contact=last.get(e.customer_id),
            decision=decide(e, given, now, ring_seconds)))
    items.sort(key=lambda i: (not i.managed, i.entry.due_on, i.entry.order,
                              TIER_ORDER.get(i.tier, len(TIER_ORDER)), i.entry.key))
    return items


def dial_row(customer_id: int, campaign: str, outcome: str, at: datetime, handled_by: str,
             notes: str = "") -> ContactHistory:
    """A dial (or a refused dial) as a row of the customer's contact history."""
    return ContactHistory(customer_id=customer_id, channel=Channel.outbound.value, at=at,
                          reason=(DIAL_PREFIX + campaign)[:60], outcome=outcome[:40],
                          notes=notes[:2000], handled_by=handled_by[:60])
