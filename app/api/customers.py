"""Customers: detail with phones, products and contact history; screen pop by phone; list.

Roles: agent, supervisor and qa read; agent and supervisor record contacts (admin always).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.api.errors import NotFound, field_error
from app.api.params import Id64, Limit, Offset
from app.auth import require_role
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

Reader = Annotated[User, Depends(require_role("agent", "supervisor", "qa"))]
Writer = Annotated[User, Depends(require_role("agent", "supervisor"))]


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
    number: str
    kind: str


class ProductPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    balance_krw: int
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


class CustomerPage(BaseModel):
    items: list[CustomerPublic]
    total: int
    limit: int
    offset: int


class Lookup(BaseModel):
    phone: str = Field(description="the number searched, in E.164 form")
    customers: list[CustomerDetail]


def detail(record: CustomerRecord) -> CustomerDetail:
    base = CustomerPublic.model_validate(record.customer)
    return CustomerDetail(
        **base.model_dump(),
        phones=[PhonePublic.model_validate(p) for p in record.phones],
        products=[ProductPublic.model_validate(p) for p in record.products],
        contacts=[ContactPublic.model_validate(c) for c in record.contacts],
    )


@router.get("", response_model=CustomerPage)
def get_customers(
    session: SessionDep,
    user: Reader,
    tier: ValueTier | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CustomerPage:
    items, total = list_customers(session, tier.value if tier else None, limit, offset)
    return CustomerPage(
        items=[CustomerPublic.model_validate(c) for c in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/lookup", response_model=Lookup)
def lookup_by_phone(
    session: SessionDep,
    user: Reader,
    phone: Annotated[str, Query(min_length=3, max_length=32, description="any common form")],
) -> Lookup:
    """Screen pop: the customers holding this number (empty list when none)."""
    try:
        e164 = normalize_phone(phone)
    except ValueError as exc:
        raise field_error(("query", "phone"), str(exc)) from exc
    records = [customer_record(session, cid) for cid in customer_ids_by_phone(session, e164)]
    return Lookup(phone=e164, customers=[detail(r) for r in records if r is not None])


@router.get("/{customer_id}", response_model=CustomerDetail)
def get_customer(session: SessionDep, user: Reader, customer_id: Id64) -> CustomerDetail:
    record = customer_record(session, customer_id)
    if record is None:
        raise NotFound(f"customer {customer_id} not found")
    return detail(record)


@router.post("/{customer_id}/contacts", response_model=ContactPublic, status_code=201)
def post_contact(
    session: SessionDep, user: Writer, customer_id: Id64, body: ContactCreate
) -> ContactPublic:
    """Record a contact in the customer's history, handled by the logged-in user."""
    if customer_record(session, customer_id, contacts_limit=0) is None:
        raise NotFound(f"customer {customer_id} not found")
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
    return ContactPublic.model_validate(add_contact(session, row))
