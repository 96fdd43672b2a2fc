"""The agent's outbound agenda and preview dialing in the console (agents only).

* ``GET  /api/console/agenda`` — today's agenda (:func:`app.agenda.build_agenda`): each item
  with the customer's name and tier, whether the agent manages the customer, the offer and
  reason, the due date, the last contact and the contact rules' verdict now (allowed, or each
  refusing rule with when it lifts). Every customer listed is access-logged (a read). First
  a logged-in agent's claims on the day's unassigned pool are topped up to the batch size
  (:func:`app.pool_claims.claim_batch`; not with ``?claim=false``, a panel's periodic
  refresh): an agent sees their own entries and the pool entries claimed for them (``pool``
  true), never another agent's.
* ``GET  /api/console/agenda/items/{key}`` — the preview of one item: the customer's
  segment, stage, products and latest contacts besides the item (access-logged). A pool
  entry is claimed for the agent first (or its claim renewed, with all the agent's claims:
  previewing is working the pool); one another agent holds is a 409 naming that agent.
* ``POST /api/console/agenda/items/{key}/dial`` — dial it (:mod:`app.preview_dial`): the
  rules are checked again now; a refusal is a 409 whose ``refusals`` name each rule (and when
  it lifts), and the refusal is kept in the customer's contact history — nothing else is
  recorded. Else ``DialAttempted`` (mode ``preview``) is appended and the robot customer
  rings: 202 with the dial.
* ``GET  /api/console/agenda/dial`` — the agent's latest dial (``result`` null while it
  rings), or null.
* ``POST /api/console/agenda/dial/record`` — record a dial that did not reach the customer
  (a contact history row; the lead's retry per the rules' retry interval). A connected dial is
  recorded at the call's wrap-up (``POST /api/console/wrapup``).

The live center's clock is the time of every rule check (the wall clock live; a test's clock).
Errors: a user without an agent 403, an item not on the agent's agenda 404, a pool entry
claimed by another agent 409, a dial while the agent is busy (or logged out, or while a dial
rings) 409; 503 when the event store could not be reached.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.agenda import (
    AgendaItem,
    build_agenda,
    campaign_entry_id,
)
from app.agenda_results import BASIS, attempts_made, record_failed_dial, record_refused_dial
from app.api.console import ServiceUnavailable
from app.api.console_day import center_now
from app.api.errors import Conflict, Forbidden, NotFound
from app.auth import require_role
from app.auth.login_limits import client_ip
from app.customer_access import AccessEntry, log_access
from app.deps import SessionDep, release_connection, release_session
from app.live import get_services
from app.live.center import StoreUnavailable
from app.live.robot_customers import robot_customers
from app.models import Agent, ContactHistory, Customer, Product, User
from app.pool_claims import ClaimedElsewhere, claim_batch, claim_entry, policy_of, renew_claims
from app.preview_dial import PreviewDial, place, preview_dials
from app.queries import CENTER_TZ
from routing.errors import UnknownId
from routing.events import TIERS

router = APIRouter(prefix="/api/console/agenda", tags=["console"])

AgentUser = Annotated[User, Depends(require_role("agent"))]
ItemKey = Annotated[str, Path(pattern=r"^[a-z]{1,12}-[0-9]{1,18}$",
                              description="the item's key, e.g. lead-12")]
#: contact history rows a preview shows
PREVIEW_CONTACTS = 5
PREVIEW_PRODUCTS = 10


class RefusalOut(BaseModel):
    rule: str
    detail: str
    until: datetime | None


class ItemOut(BaseModel):
    key: str
    source: str
    lead_id: int | None
    customer_id: int
    customer_name: str
    tier: str
    managed: bool
    offer: str
    kind: str
    reason: str
    due_on: date
    last_contact: datetime | None
    allowed: bool
    refusals: list[RefusalOut]
    #: an unassigned pool entry claimed for the agent
    pool: bool


class AgendaOut(BaseModel):
    day: date
    now: datetime
    items: list[ItemOut]


class ProductOut(BaseModel):
    kind: str
    name: str
    balance_krw: int
    maturity_date: date | None


class ContactOut(BaseModel):
    at: datetime
    channel: str
    reason: str
    outcome: str
    handled_by: str


class PreviewOut(BaseModel):
    item: ItemOut
    segment: str
    lifecycle_stage: str
    products: list[ProductOut]
    contacts: list[ContactOut]
    attempts: int


class DialOut(BaseModel):
    contact_id: str
    key: str
    lead_id: int | None
    customer_id: int
    attempt: int
    placed_at: float
    result: str | None
    ended_at: float | None


class RecordedOut(BaseModel):
    contact_id: str
    result: str
    lead_id: int | None
    lead_status: str | None
    due_on: date | None
    next_allowed: datetime | None


# --- helpers -------------------------------------------------------------------------------


def _agent(session: Session, user: User) -> Agent:
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    if agent is None or agent.id is None:
        raise Forbidden(f"user {user.username} is not linked to an agent")
    return agent


def _item_out(item: AgendaItem) -> ItemOut:
    e, d = item.entry, item.decision
    return ItemOut(key=e.key, source=e.source, lead_id=e.lead_id, customer_id=e.customer_id,
                   customer_name=item.customer_name, tier=item.tier, managed=item.managed,
                   offer=e.offer, kind=e.kind, reason=e.reason, due_on=e.due_on,
                   last_contact=item.last_contact, allowed=d.allowed, pool=e.pool,
                   refusals=[RefusalOut(rule=r.rule, detail=r.detail, until=r.until)
                             for r in d.refusals])


def _claim(request: Request, session: Session, agent: Agent, key: str,
           now: datetime) -> None:
    """A pool entry claimed (or renewed) for the agent before they work it; 409 when
    another agent holds it. The agent's other claims are renewed: they are at work."""
    assert agent.id is not None
    entry_id = campaign_entry_id(key)
    if entry_id is None:
        return
    policy = policy_of(request.app.state.settings)
    try:
        if claim_entry(session, entry_id, agent.id, now, policy):
            renew_claims(session, agent.id, now)
    except ClaimedElsewhere as exc:
        raise Conflict(f"{exc}: it is on their agenda") from exc


def _logged_in(request: Request, login: str) -> bool:
    """Whether the live engine has the agent logged in (only they are handed pool work)."""
    try:
        return get_services(request).center.engine.agent_view(login).state != "logged_out"
    except UnknownId:
        return False


def _find(request: Request, session: Session, agent: Agent, key: str,
          now: datetime) -> AgendaItem:
    _claim(request, session, agent, key, now)
    ring = robot_customers(request.app).ring_timeout_seconds
    for item in build_agenda(session, agent, now, ring_seconds=ring):
        if item.entry.key == key:
            return item
    raise NotFound(f"{key} is not on the agenda of agent {agent.login}")


def _dial_out(dial: PreviewDial) -> DialOut:
    return DialOut(contact_id=dial.contact_id, key=dial.campaign, lead_id=dial.lead_id,
                   customer_id=dial.customer_id, attempt=dial.attempt,
                   placed_at=dial.placed_at, result=dial.result, ended_at=dial.ended_at)


# --- routes --------------------------------------------------------------------------------


@router.get("", response_model=AgendaOut)
def get_agenda(request: Request, session: SessionDep, user: AgentUser,
               claim: Annotated[bool, Query(description=(
                   "top the agent's pool claims up first; false only reads (a panel's "
                   "periodic refresh must not keep an idle agent's claims alive)"))] = True,
               ) -> AgendaOut:
    """The agent's agenda for today (module docstring)."""
    agent, now = _agent(session, user), center_now(request)
    assert agent.id is not None
    if claim and _logged_in(request, agent.login):
        claim_batch(session, agent.id, now.astimezone(CENTER_TZ).date(), now,
                    policy_of(request.app.state.settings))
    ring = robot_customers(request.app).ring_timeout_seconds
    items = build_agenda(session, agent, now, ring_seconds=ring)
    if items:
        log_access(session, user, client_ip(request), [i.entry.customer_id for i in items],
                   AccessEntry("read", ("name", "tier", "history"), BASIS, "agenda"), now)
    return AgendaOut(day=now.astimezone(CENTER_TZ).date(), now=now, items=[_item_out(i) for i in items])


@router.get("/items/{key}", response_model=PreviewOut)
def get_preview(request: Request, session: SessionDep, user: AgentUser,
                key: ItemKey) -> PreviewOut:
    """One item's preview: the screen pop of its customer before the dial."""
    agent, now = _agent(session, user), center_now(request)
    item = _find(request, session, agent, key, now)
    cid = item.entry.customer_id
    customer = session.get(Customer, cid)
    assert customer is not None
    products = session.exec(select(Product).where(Product.customer_id == cid)
                            .order_by(col(Product.id)).limit(PREVIEW_PRODUCTS)).all()
    contacts = session.exec(select(ContactHistory).where(ContactHistory.customer_id == cid)
                            .order_by(col(ContactHistory.at).desc(), col(ContactHistory.id).desc())
                            .limit(PREVIEW_CONTACTS)).all()
    attempts = attempts_made(session, item.entry)
    log_access(session, user, client_ip(request), [cid],
               AccessEntry("read", ("name", "tier", "segment", "products", "history"),
                           BASIS, f"preview {key}"), now)
    return PreviewOut(
        item=_item_out(item), segment=customer.segment, lifecycle_stage=customer.lifecycle_stage,
        products=[ProductOut(kind=p.kind, name=p.name, balance_krw=p.balance_krw,
                             maturity_date=p.maturity_date) for p in products],
        contacts=[ContactOut(at=c.at, channel=c.channel, reason=c.reason, outcome=c.outcome,
                             handled_by=c.handled_by) for c in contacts],
        attempts=attempts)


def _prepare_dial(request: Request, session: Session, user: User, key: str,
                  now: datetime) -> PreviewDial | dict[str, Any]:
    """The dial to place, or the refusal (kept in the customer's contact history)."""
    try:
        agent = _agent(session, user)
        item = _find(request, session, agent, key, now)
        e = item.entry
        if not item.decision.allowed:
            rules = record_refused_dial(session, user, client_ip(request), item, now)
            return {"rules": rules, "refusals": [
                {"rule": r.rule, "detail": r.detail,
                 "until": r.until.isoformat() if r.until else None}
                for r in item.decision.refusals]}
        attempts = attempts_made(session, e)
        dials = preview_dials(request.app)
        prefix = f"{int(now.timestamp()):x}"
        return PreviewDial(contact_id=dials.new_contact_id(prefix), campaign=e.key,
                           lead_id=e.lead_id, customer_id=e.customer_id,
                           tier=item.tier if item.tier in TIERS else "core",
                           agent=agent.login, attempt=attempts + 1)
    finally:
        release_session(session)


@router.post("/items/{key}/dial", response_model=DialOut, status_code=202,
             responses={409: {"description": "refused by the contact rules (``refusals``), "
                                             "or the agent cannot dial now"}})
async def post_dial(request: Request, session: SessionDep, user: AgentUser,
                    key: ItemKey) -> Any:
    """Dial the item now, after the contact rules' check (module docstring)."""
    now = center_now(request)
    prepared = await run_in_threadpool(_prepare_dial, request, session, user, key, now)
    if isinstance(prepared, dict):
        detail = f"the contact rules refuse this dial: {prepared['rules']}"
        return JSONResponse(status_code=409, media_type="application/problem+json", content={
            "type": "about:blank", "title": "Conflict", "status": 409, "detail": detail,
            "refusals": prepared["refusals"]})
    services = get_services(request)
    dials = preview_dials(request.app)
    release_connection(request)
    try:
        await services.center.submit(place(dials, prepared, robot_customers(request.app),
                                           services.center))
    except UnknownId as exc:
        raise Conflict(f"agent {prepared.agent} is not logged in") from exc
    except StoreUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from exc
    except ValueError as exc:  # RoutingError: busy, or a dial ringing
        raise Conflict(str(exc)) from exc
    return _dial_out(prepared)


@router.get("/dial", response_model=DialOut | None)
def get_dial(request: Request, session: SessionDep, user: AgentUser) -> DialOut | None:
    """The agent's latest dial, until recorded (or its call's wrap-up ended)."""
    dial = preview_dials(request.app).of_agent(_agent(session, user).login)
    return _dial_out(dial) if dial is not None else None


@router.post("/dial/record", response_model=RecordedOut)
def post_record(request: Request, session: SessionDep, user: AgentUser) -> RecordedOut:
    """Record the agent's dial that did not reach the customer (module docstring)."""
    dials = preview_dials(request.app)
    dial = dials.of_agent(_agent(session, user).login)
    state: Literal["none", "ringing", "connected"] | None = (
        "none" if dial is None else "ringing" if dial.result is None
        else "connected" if dial.result == "connected" else None)
    if state is not None or dial is None:
        raise Conflict({"none": "no dial to record",
                        "ringing": "the dial is still ringing",
                        "connected": "a connected dial is recorded at the call's wrap-up",
                        }[state or "none"])
    after = record_failed_dial(session, user, client_ip(request), dial, center_now(request),
                               robot_customers(request.app).ring_timeout_seconds)
    dials.done(dial)
    assert dial.result is not None
    return RecordedOut(contact_id=dial.contact_id, result=dial.result, lead_id=after.lead_id,
                       lead_status=after.status, due_on=after.due_on,
                       next_allowed=after.next_allowed)
