"""Next best offers in the agent console: what to offer the caller, and how it went.

``GET /api/console/offers?contact_id=`` ranks the offers for the customer of the agent's
contact (default: the current one, or the last while wrapping up) with
:func:`telesales.offers.rank_offers` over :func:`app.offers.load_snapshot` and the process's
propensity model (:class:`app.offers.OfferModelCache`). The read is access-logged
(fields ``offers``).

``POST /api/console/offers`` records an offer made, accepted, declined or left for a
follow-up on a contact the agent handles or handled:

1. the :class:`routing.events.OfferRecorded` event goes to the event log through the live
   center (the console's own path; a 503 means it was NOT stored and nothing was written,
   so the client may retry);
2. a row of the customer's contact history (channel ``call_center``, reason
   ``offer:<code>``, outcome the result; access-logged as a write);
3. a ``follow_up`` also opens a :class:`app.models.Lead` for outbound, due on ``due_on``
   (default :data:`DEFAULT_FOLLOW_UP_DAYS` days on); refused (409) for a customer on the
   do-not-call list or a marketing offer without consent.

Errors: a bad body is 422 naming the field; a contact that is not the agent's, or that the
agent handled more than :data:`app.customer_access.RECENT_CONTACT_HOURS` ago, is 403; an
unknown contact 404; a contact without a known customer 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from app.api.console import ID_PATTERN, ServiceUnavailable
from app.api.console_day import center_now
from app.api.errors import Conflict, DomainError, Forbidden, NotFound, field_error
from app.auth import require_role
from app.auth.login_limits import client_ip
from app.customer_access import RECENT_CONTACT_HOURS, AccessEntry, log_access
from app.deps import SessionDep, release_connection, release_session
from app.live import get_services
from app.live.center import EventsRefused, StoreUnavailable
from app.models import Agent, Channel, ContactHistory, Interaction, Lead, User
from app.offers import load_snapshot, model_cache
from app.queries import CENTER_TZ, as_utc
from routing.errors import UnknownId
from routing.events import OfferKind, OfferRecorded, OfferResult
from telesales.offers import (
    OFFER_CODES,
    OFFER_REASON_PREFIX,
    OFFERS,
    follow_up_refusal,
    rank_offers,
)

router = APIRouter(prefix="/api/console/offers", tags=["console"])

AgentUser = Annotated[User, Depends(require_role("agent"))]

#: a follow-up lead falls due this many days on unless the agent gives ``due_on``
DEFAULT_FOLLOW_UP_DAYS = 7
#: a follow-up may be set at most this many days ahead
MAX_FOLLOW_UP_DAYS = 180
MAX_AMOUNT_KRW = 10**13


class Unprocessable(DomainError):
    status = 422


class OfferOut(BaseModel):
    offer: str
    kind: OfferKind
    score: float = Field(description="expected value of making the offer: propensity × value")
    propensity: float
    value_krw: float
    tip: str = Field(description="the tip's code, e.g. deposit_maturing")
    params: dict[str, str | int | float] = Field(description="the tip's parameters, e.g. days")


class OffersOut(BaseModel):
    contact_id: str
    customer_id: int
    model: str = Field(description="fitted (on past offers) or prior (too little data yet)")
    offers: list[OfferOut]


class OfferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str | None = Field(default=None, pattern=ID_PATTERN,
                                   description="default: the agent's current or last contact")
    offer: str = Field(description="an offer code of the catalogue (telesales.offers.CATALOGUE)")
    result: OfferResult
    kind: OfferKind | None = Field(default=None, description="default: the catalogue's")
    amount_krw: float | None = Field(default=None, ge=0, le=MAX_AMOUNT_KRW,
                                     description="the sale's value when accepted")
    due_on: date | None = Field(default=None, description="follow_up only: when to call back")
    notes: str = Field(default="", max_length=500)

    @field_validator("offer")
    @classmethod
    def _known(cls, offer: str) -> str:
        if offer not in OFFERS:
            raise ValueError(f"must be one of {', '.join(OFFER_CODES)}")
        return offer


class OfferStored(BaseModel):
    seq: int = Field(description="the OfferRecorded event's sequence number in the log")
    contact_id: str
    customer_id: int
    offer: str
    kind: OfferKind
    result: OfferResult
    history_id: int
    lead_id: int | None = None
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class HandledContact:
    contact_id: str
    customer_id: int
    login: str
    agent_pk: int
    basis: str  # current_contact or recent_contact


# --- which contact ---------------------------------------------------------------------------


def _from_engine(request: Request, login: str, given: str | None) -> tuple[str, str | None, bool] | None:
    """(contact id, customer id, the agent's?) from the live engine, in the loop's thread."""

    def read() -> tuple[str, str | None, bool] | None:
        engine = get_services(request).center.engine
        try:
            view = engine.agent_view(login)
        except UnknownId:
            view = None
        mine_ids = {view.contact_id, view.last_contact_id} - {None} if view else set()
        cid = given or (view.contact_id or view.last_contact_id if view else None)
        if cid is None:
            return None
        try:
            contact = engine.contact_view(cid)
        except UnknownId:
            return cid, None, False
        return cid, contact.customer_id, contact.agent_id == login or cid in mine_ids

    return anyio.from_thread.run_sync(read)


def handled_contact(request: Request, session: Session, user: User, given: str | None) -> HandledContact:
    """The contact the agent handles or handled, and its customer (see the module's errors).

    Call from a worker thread."""
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    if agent is None or agent.id is None:
        raise Forbidden(f"user {user.username} is not linked to an agent")
    found = _from_engine(request, agent.login, given)
    if found is None:
        raise Conflict(f"agent {agent.login} has no contact: give contact_id")
    cid, customer, mine = found
    basis = "current_contact"
    if not mine:  # finished and forgotten by the engine, or another agent's: the log knows
        row = session.exec(select(Interaction).where(Interaction.contact_id == cid)).first()
        if row is None:
            raise NotFound(f"contact {cid} not found")
        if row.agent_id != agent.id:
            raise Forbidden(f"contact {cid} was not handled by agent {agent.login}")
        # on the live center's clock, the one the interaction's times come from
        now = center_now(request)
        if as_utc(row.arrived_at) < now - timedelta(hours=RECENT_CONTACT_HOURS):
            raise Forbidden(f"contact {cid} is older than {RECENT_CONTACT_HOURS} h: record "
                            "offers during or soon after the call")
        customer = None if row.customer_id is None else str(row.customer_id)
        basis = "recent_contact"
    if customer is None or not customer.isdigit():
        raise Conflict(f"contact {cid} has no known customer")
    return HandledContact(cid, int(customer), agent.login, agent.id, basis)


# --- routes ------------------------------------------------------------------------------------


@router.get("", response_model=OffersOut)
def get_offers(
    request: Request, session: SessionDep, user: AgentUser,
    contact_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> OffersOut:
    """The ranked offers for the customer of the agent's contact (best first)."""
    contact = handled_contact(request, session, user, contact_id)
    now = datetime.now(UTC)
    snapshot = load_snapshot(session, contact.customer_id)
    if snapshot is None:
        raise Conflict(f"contact {contact.contact_id} has no known customer")
    model = model_cache(request.app.state, request.app.state.engine).current(now)
    ranking = rank_offers(snapshot, now.astimezone(CENTER_TZ), model)
    log_access(session, user, client_ip(request), [contact.customer_id],
               AccessEntry("read", ("offers",), contact.basis,
                           f"offers for {contact.contact_id}"), now)
    return OffersOut(
        contact_id=contact.contact_id, customer_id=contact.customer_id, model=ranking.model,
        offers=[OfferOut(offer=o.offer, kind=o.kind, score=round(o.score, 2),
                         propensity=round(o.propensity, 4), value_krw=o.value_krw,
                         tip=o.tip.code, params=o.tip.as_dict()) for o in ranking.offers])


def _prepare(request: Request, session: Session, user: User, body: OfferBody,
             today: date) -> tuple[HandledContact, date | None]:
    """Checks before anything is stored: the contact, and a follow-up's lead."""
    try:
        contact = handled_contact(request, session, user, body.contact_id)
        due = None
        if body.result == "follow_up":
            due = body.due_on or today + timedelta(days=DEFAULT_FOLLOW_UP_DAYS)
            if not today <= due <= today + timedelta(days=MAX_FOLLOW_UP_DAYS):
                raise field_error(("body", "due_on"), f"must be between {today} and "
                                         f"{MAX_FOLLOW_UP_DAYS} days on")
            snapshot = load_snapshot(session, contact.customer_id)
            if snapshot is None:
                raise Conflict(f"contact {contact.contact_id} has no known customer")
            refusal = follow_up_refusal(snapshot, body.offer)
            if refusal is not None:
                raise Conflict(refusal)
        elif body.due_on is not None:
            raise field_error(("body", "due_on"), "only a follow_up has a due date")
        return contact, due
    finally:
        release_session(session)


def _write(session: Session, user: User, ip: str, contact: HandledContact, body: OfferBody,
           kind: OfferKind, due: date | None) -> tuple[int, int | None]:
    """The history row (and the lead), in one transaction; then the access log."""
    try:
        now = datetime.now(UTC)
        row = ContactHistory(
            customer_id=contact.customer_id, channel=Channel.call_center.value, at=now,
            reason=(OFFER_REASON_PREFIX + body.offer)[:60], outcome=body.result,
            notes=body.notes, handled_by=user.username[:60])
        session.add(row)
        lead = None
        if due is not None:
            lead = Lead(customer_id=contact.customer_id, offer=body.offer, kind=kind,
                        created_by=contact.agent_pk, created_at=now, due_on=due,
                        source_contact_id=contact.contact_id, note=body.notes)
            session.add(lead)
        session.commit()
        assert row.id is not None
        lead_id = lead.id if lead is not None else None
        log_access(session, user, ip, [contact.customer_id],
                   AccessEntry("write", ("history", "offers"), contact.basis,
                               f"offer on {contact.contact_id}"), now)
        return row.id, lead_id
    finally:
        release_session(session)


@router.post("", response_model=OfferStored, status_code=201)
async def record_offer(
    request: Request, session: SessionDep, user: AgentUser, body: OfferBody
) -> OfferStored:
    """Record an offer's step (made, accepted, declined, follow_up) on the agent's contact."""
    today = datetime.now(CENTER_TZ).date()
    contact, due = await run_in_threadpool(_prepare, request, session, user, body, today)
    kind: OfferKind = body.kind or OFFERS[body.offer].kind
    event_args: dict[str, Any] = {
        "contact_id": contact.contact_id, "agent_id": contact.login, "offer": body.offer,
        "kind": kind, "result": body.result, "customer_id": str(contact.customer_id),
        "amount": body.amount_krw}
    center = get_services(request).center
    release_connection(request)
    try:
        stored = await center.submit(
            lambda _engine, now: [OfferRecorded(at=now, **event_args)], keep=False)
    except EventsRefused as exc:
        raise Unprocessable(str(exc)) from exc
    except StoreUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from exc
    history_id, lead_id = await run_in_threadpool(
        _write, session, user, client_ip(request), contact, body, kind, due)
    return OfferStored(seq=stored[0][0], contact_id=contact.contact_id,
                       customer_id=contact.customer_id, offer=body.offer, kind=kind,
                       result=body.result, history_id=history_id, lead_id=lead_id, due_on=due)
