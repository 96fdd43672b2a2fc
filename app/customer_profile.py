"""The profile refresh's database work: a customer's contact details and life events, changed
with a row of the change log (``customer_profile_change``) for every change, in the same
transaction.

Who may change what is :func:`app.customer_policy.decide_profile_change`; when a refresh is
due is :func:`telesales.profile_refresh.refresh_status`. Values in the log are short texts
(``+821012345678 (mobile)``, ``child_wedding 2027-05-01 · note``, ``true``); an empty text
means "none" (added or removed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.api.errors import NotFound
from app.models import (
    Customer,
    CustomerLifeEvent,
    CustomerPhone,
    CustomerProfileChange,
)

#: change-log rows a profile shows (newest first)
CHANGES_SHOWN = 20
#: what a refresh with nothing to change records
CONFIRMED = "refresh_confirmed"
#: the kinds of phone number a profile records
PHONE_KINDS: tuple[str, ...] = ("mobile", "home", "work")
#: the fields the change log names (besides :data:`CONFIRMED`)
PROFILE_FIELDS: tuple[str, ...] = ("phone", "marketing_consent", "do_not_call", "home_branch",
                                   "life_event")
#: phone numbers and life events one customer may have at most
MAX_PHONES = 10
MAX_LIFE_EVENTS = 50


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes the profile, and on which contact (None: no call, a stated reason)."""

    username: str
    contact_id: str | None
    now: datetime


@dataclass(frozen=True, slots=True)
class Profile:
    customer: Customer
    phones: list[CustomerPhone]
    life_events: list[CustomerLifeEvent]
    changes: list[CustomerProfileChange]


def phone_text(phone: CustomerPhone | None) -> str:
    return "" if phone is None else f"{phone.number} ({phone.kind})"


def life_event_text(event: CustomerLifeEvent | None) -> str:
    if event is None:
        return ""
    parts = [event.kind, event.on_date.isoformat() if event.on_date else ""]
    text = " ".join(p for p in parts if p)
    return f"{text} · {event.note}"[:600] if event.note else text


def value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)[:600]


def load_profile(session: Session, customer_id: int) -> Profile:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    phones = session.exec(select(CustomerPhone).where(CustomerPhone.customer_id == customer_id)
                          .order_by(col(CustomerPhone.id))).all()
    events = session.exec(
        select(CustomerLifeEvent).where(CustomerLifeEvent.customer_id == customer_id)
        .order_by(col(CustomerLifeEvent.on_date).desc(), col(CustomerLifeEvent.id).desc())
    ).all()
    changes = session.exec(
        select(CustomerProfileChange).where(CustomerProfileChange.customer_id == customer_id)
        .order_by(col(CustomerProfileChange.at).desc(), col(CustomerProfileChange.id).desc())
        .limit(CHANGES_SHOWN)
    ).all()
    return Profile(customer, list(phones), list(events), list(changes))


def _log(session: Session, customer_id: int, field: str, old: str, new: str,
         actor: Actor) -> None:
    session.add(CustomerProfileChange(
        customer_id=customer_id, field=field, old_value=old, new_value=new,
        changed_by=actor.username[:80], at=actor.now, contact_id=actor.contact_id))


def change_details(session: Session, customer_id: int, values: dict[str, object],
                   actor: Actor) -> list[str]:
    """Set the customer's fields in ``values`` (``marketing_consent``, ``do_not_call``,
    ``home_branch``); a field set to its current value is no change. Returns the fields
    changed (committed)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    changed = []
    for name, value in values.items():
        old = getattr(customer, name)
        if old == value:
            continue
        setattr(customer, name, value)
        _log(session, customer_id, name, value_text(old), value_text(value), actor)
        changed.append(name)
    session.add(customer)
    session.commit()
    return changed


def confirm(session: Session, customer_id: int, actor: Actor) -> None:
    """The agent went through the profile with the customer and nothing changed."""
    _log(session, customer_id, CONFIRMED, "", "", actor)
    session.commit()


def numbers_of(session: Session, customer_id: int) -> dict[str, int]:
    rows = session.exec(select(CustomerPhone).where(CustomerPhone.customer_id == customer_id))
    return {p.number: int(p.id or 0) for p in rows}


def phone_of(session: Session, customer_id: int, phone_id: int) -> CustomerPhone:
    phone = session.get(CustomerPhone, phone_id)
    if phone is None or phone.customer_id != customer_id:
        raise NotFound(f"phone {phone_id} of customer {customer_id} not found")
    return phone


def add_phone(session: Session, customer_id: int, number: str, kind: str,
              actor: Actor) -> CustomerPhone:
    phone = CustomerPhone(customer_id=customer_id, number=number, kind=kind)
    session.add(phone)
    _log(session, customer_id, "phone", "", phone_text(phone), actor)
    session.commit()
    session.refresh(phone)
    return phone


def change_phone(session: Session, phone: CustomerPhone, number: str | None, kind: str | None,
                 actor: Actor) -> bool:
    old = phone_text(phone)
    phone.number = number or phone.number
    phone.kind = kind or phone.kind
    new = phone_text(phone)
    if new == old:
        return False
    session.add(phone)
    _log(session, phone.customer_id, "phone", old, new, actor)
    session.commit()
    return True


def remove_phone(session: Session, phone: CustomerPhone, actor: Actor) -> None:
    _log(session, phone.customer_id, "phone", phone_text(phone), "", actor)
    session.delete(phone)
    session.commit()


def life_event_of(session: Session, customer_id: int, event_id: int) -> CustomerLifeEvent:
    event = session.get(CustomerLifeEvent, event_id)
    if event is None or event.customer_id != customer_id:
        raise NotFound(f"life event {event_id} of customer {customer_id} not found")
    return event


def count_life_events(session: Session, customer_id: int) -> int:
    return len(session.exec(select(CustomerLifeEvent.id)
                            .where(CustomerLifeEvent.customer_id == customer_id)).all())


def add_life_event(session: Session, customer_id: int, kind: str, on_date: date | None,
                   note: str, actor: Actor) -> CustomerLifeEvent:
    event = CustomerLifeEvent(customer_id=customer_id, kind=kind, on_date=on_date, note=note,
                              recorded_by=actor.username[:80], recorded_at=actor.now)
    session.add(event)
    _log(session, customer_id, "life_event", "", life_event_text(event), actor)
    session.commit()
    session.refresh(event)
    return event


def change_life_event(session: Session, event: CustomerLifeEvent, values: dict[str, object],
                      actor: Actor) -> bool:
    old = life_event_text(event)
    for name, value in values.items():
        setattr(event, name, value)
    new = life_event_text(event)
    if new == old:
        session.rollback()
        return False
    event.recorded_by, event.recorded_at = actor.username[:80], actor.now
    session.add(event)
    _log(session, event.customer_id, "life_event", old, new, actor)
    session.commit()
    return True


def remove_life_event(session: Session, event: CustomerLifeEvent, actor: Actor) -> None:
    _log(session, event.customer_id, "life_event", life_event_text(event), "", actor)
    session.delete(event)
    session.commit()


def last_refresh(changes: Sequence[CustomerProfileChange]) -> CustomerProfileChange | None:
    """The newest row of the log (``changes`` newest first), i.e. the last refresh."""
    return changes[0] if changes else None
