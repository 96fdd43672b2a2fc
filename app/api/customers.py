"""Customers: detail with phones, products and contact history; screen pop by phone; list;
contact notes.

Who may see what is decided by :func:`app.customer_policy.decide` (need to know: an agent
opens the customer of a current or recent contact, of the managed book, or states a
reason); every read, refusal and write is appended to the access log
(:mod:`app.customer_access`), and reads are limited per user. A read no relationship covers
takes ``reason`` (one of :data:`app.customer_policy.STATED_REASONS`) and ``reason_text``.
Masked views hide phone numbers (all but the last 4 digits), balances and notes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session

from app.api.errors import Forbidden, NotFound, field_error
from app.api.params import Id64, Limit, Offset
from app.auth.guards import require_role
from app.auth.login_limits import client_ip
from app.customer_access import (
    AccessEntry,
    agent_login,
    check_read_rate,
    current_customer_ids,
    log_access,
    relationship_of,
)
from app.customer_policy import (
    NONE,
    Action,
    Decision,
    RelationshipBasis,
    StatedReason,
    StatedReasonCode,
    decide,
    fields_shown,
)
from app.deps import SessionDep
from app.models import Channel, ContactHistory, User, ValueTier
from app.phone import normalize_phone
from app.queries import (
    CustomerRecord,
    add_contact,
    customer_ids_by_phone,
    customer_record,
    list_customers,
)

router = APIRouter(prefix="/api/customers", tags=["customers"])

#: roles that may reach the routes at all; the policy decides per customer (admin always)
Reader = Annotated[User, Depends(require_role("agent", "supervisor", "qa"))]
Writer = Annotated[User, Depends(require_role("agent", "supervisor"))]
ReasonCode = Annotated[
    Literal[StatedReasonCode, RelationshipBasis] | None,
    Query(description="why: a relationship (current_contact, ...: checked by the server) or a "
                      "stated reason with reason_text for a customer no contact or book covers"),
]
ReasonText = Annotated[str, Query(max_length=200, description="a few words (with reason)")]


class CustomerBase(BaseModel):
    name: str
    value_tier: str
    lifecycle_stage: str
    segment: str
    marketing_consent: bool
    do_not_call: bool
    time_zone: str
    home_branch: str
    relationship_manager_id: int | None


class CustomerPublic(CustomerBase):
    model_config = ConfigDict(from_attributes=True)
    id: int


class PhonePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: str = Field(description="E.164; all but the last 4 digits masked in a masked view")
    kind: str


class ProductPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    balance_krw: int | None = Field(description="null in a masked view")
    opened_on: date | None
    maturity_date: date | None


class ContactBase(BaseModel):
    channel: Channel
    reason: str = Field(default="", max_length=60)
    notes: str = Field(default="", max_length=2000)
    outcome: str = Field(default="", max_length=40)


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class ContactCreate(ContactBase):
    model_config = ConfigDict(extra="forbid")
    at: datetime | None = Field(
        default=None, description="when (ISO 8601; no zone = UTC); default now"
    )

    @field_validator("at")
    @classmethod
    def _in_range(cls, at: datetime | None) -> datetime | None:
        if at is None:
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if not EARLIEST <= at < LATEST:  # compared before any conversion can overflow
            raise ValueError("must be between 1900 and 2200")
        return at.astimezone(UTC)


class ContactPublic(ContactBase):
    model_config = ConfigDict(from_attributes=True)
    id: int
    customer_id: int
    at: datetime
    handled_by: str


class CustomerDetail(CustomerPublic):
    phones: list[PhonePublic]
    products: list[ProductPublic]
    contacts: list[ContactPublic]
    view: Literal["full", "masked"] = "full"
    #: the field groups hidden in this view
    masked: list[str] = []
    #: why this read was allowed, as the access log records it
    access_basis: str = ""


class CustomerPage(BaseModel):
    items: list[CustomerPublic]
    total: int
    limit: int
    offset: int


class Lookup(BaseModel):
    phone: str = Field(description="the number searched, in E.164 form")
    customers: list[CustomerDetail]


def mask_number(number: str) -> str:
    return "*" * max(0, len(number) - 4) + number[-4:]


def detail(record: CustomerRecord, decision: Decision) -> CustomerDetail:
    base = CustomerPublic.model_validate(record.customer)
    masked = decision.view == "masked"
    phones = [PhonePublic.model_validate(p) for p in record.phones]
    products = [ProductPublic.model_validate(p) for p in record.products]
    contacts = [ContactPublic.model_validate(c) for c in record.contacts]
    if masked:
        phones = [p.model_copy(update={"number": mask_number(p.number)}) for p in phones]
        products = [p.model_copy(update={"balance_krw": None}) for p in products]
        contacts = [c.model_copy(update={"notes": ""}) for c in contacts]
    return CustomerDetail(
        **base.model_dump(), phones=phones, products=products, contacts=contacts,
        view=decision.view, masked=["phones", "balances", "notes"] if masked else [],
        access_basis=decision.basis,
    )


def _stated(reason: str | None, reason_text: str) -> StatedReason | None:
    return StatedReason(reason, reason_text) if reason is not None else None


def _allow(
    request: Request,
    session: Session,
    user: User,
    action: Action,
    customer_ids: list[int],
    reason: StatedReason | None,
) -> dict[int, Decision]:
    """The policy's decision per customer; refusals are logged and raise 403."""
    now = datetime.now(UTC)
    current = current_customer_ids(request, agent_login(session, user))
    decisions = {
        cid: decide(user.role, action, relationship_of(session, user, cid, now, current), reason)
        for cid in customer_ids
    }
    refused = [cid for cid, d in decisions.items() if not d.allowed]
    if refused:
        why = decisions[refused[0]].why_not
        log_access(
            session, user, client_ip(request), refused,
            AccessEntry(action, (), "denied", reason.text if reason else "", allowed=False), now,
        )
        raise Forbidden(why)
    return decisions


def _log_reads(
    request: Request,
    session: Session,
    user: User,
    action: Action,
    decisions: dict[int, Decision],
    reason: StatedReason | None,
) -> None:
    now = datetime.now(UTC)
    for cid, decision in decisions.items():
        entry = AccessEntry(
            action, fields_shown(decision.view), decision.basis, reason.text if reason else ""
        )
        log_access(session, user, client_ip(request), [cid], entry, now)


@router.get("", response_model=CustomerPage)
def get_customers(
    request: Request,
    session: SessionDep,
    user: Reader,
    tier: ValueTier | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CustomerPage:
    """A page of customers (profile fields only), for the roles whose work needs a list."""
    decision = decide(user.role, "list", NONE)
    now = datetime.now(UTC)
    if not decision.allowed:
        log_access(session, user, client_ip(request), [None],
                   AccessEntry("list", (), "denied", allowed=False), now)
        raise Forbidden(decision.why_not)
    items, total = list_customers(session, tier.value if tier else None, limit, offset)
    check_read_rate(request, session, user, len(items), now)
    log_access(session, user, client_ip(request), [c.id for c in items if c.id is not None],
               AccessEntry("list", ("profile",), decision.basis), now)
    return CustomerPage(
        items=[CustomerPublic.model_validate(c) for c in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/lookup", response_model=Lookup)
def lookup_by_phone(
    request: Request,
    session: SessionDep,
    user: Reader,
    phone: Annotated[str, Query(min_length=3, max_length=32, description="any common form")],
    reason: ReasonCode = None,
    reason_text: ReasonText = "",
) -> Lookup:
    """Screen pop by number: the customers holding it (empty list when none)."""
    try:
        e164 = normalize_phone(phone)
    except ValueError as exc:
        raise field_error(("query", "phone"), str(exc)) from exc
    ids = customer_ids_by_phone(session, e164)[:20]  # a number is shared by a family at most
    stated = _stated(reason, reason_text)
    decisions = _allow(request, session, user, "lookup", ids, stated)
    check_read_rate(request, session, user, len(ids), datetime.now(UTC))
    records = [(cid, customer_record(session, cid)) for cid in ids]
    _log_reads(request, session, user, "lookup", decisions, stated)
    return Lookup(phone=e164, customers=[detail(r, decisions[cid]) for cid, r in records if r])


@router.get("/{customer_id}", response_model=CustomerDetail)
def get_customer(
    request: Request,
    session: SessionDep,
    user: Reader,
    customer_id: Id64,
    reason: ReasonCode = None,
    reason_text: ReasonText = "",
) -> CustomerDetail:
    """One customer's record; the agent console's screen pop reads its current contact's."""
    if customer_record(session, customer_id, contacts_limit=0) is None:
        raise NotFound(f"customer {customer_id} not found")
    stated = _stated(reason, reason_text)
    decisions = _allow(request, session, user, "read", [customer_id], stated)
    check_read_rate(request, session, user, 1, datetime.now(UTC))
    record = customer_record(session, customer_id)
    assert record is not None
    _log_reads(request, session, user, "read", decisions, stated)
    return detail(record, decisions[customer_id])


@router.post("/{customer_id}/contacts", response_model=ContactPublic, status_code=201)
def post_contact(
    request: Request,
    session: SessionDep,
    user: Writer,
    customer_id: Id64,
    body: ContactCreate,
    reason: ReasonCode = None,
    reason_text: ReasonText = "",
) -> ContactPublic:
    """Record a contact in the customer's history, handled by the logged-in user (agents:
    only within a contact they handled)."""
    if customer_record(session, customer_id, contacts_limit=0) is None:
        raise NotFound(f"customer {customer_id} not found")
    stated = _stated(reason, reason_text)
    decision = _allow(request, session, user, "write", [customer_id], stated)[customer_id]
    at = body.at or datetime.now(UTC)
    row = ContactHistory(
        customer_id=customer_id,
        channel=body.channel.value,
        at=at,
        reason=body.reason,
        notes=body.notes,
        outcome=body.outcome,
        handled_by=user.username,
    )
    stored = ContactPublic.model_validate(add_contact(session, row))
    log_access(session, user, client_ip(request), [customer_id],
               AccessEntry("write", ("history", "notes"), decision.basis,
                           reason_text if stated else ""), datetime.now(UTC))
    return stored
