"""The profile refresh from the screen pop: a customer's contact details (phones, marketing
consent, do-not-call, home branch) and life events, with who changed what and when.

* ``GET    /api/customers/{id}/profile`` — the details, life events, the newest changes,
  the last refresh (who, when) and whether a refresh is due
  (:func:`telesales.profile_refresh.refresh_status`: managed customers every 60 days), and
  ``may_edit``: whether this user may change it now.
* ``PATCH  /api/customers/{id}/profile`` — ``{marketing_consent?, do_not_call?, home_branch?}``.
* ``POST   /api/customers/{id}/profile/confirm`` — went through it with the customer, nothing
  changed (counts as a refresh).
* ``POST   /api/customers/{id}/phones`` — ``{number, kind}``; ``PATCH``/``DELETE``
  ``.../phones/{phone_id}``. Numbers in any common form, stored in E.164
  (:func:`app.phone.normalize_phone`); a number that cannot be one is a 422 naming ``number``.
* ``POST   /api/customers/{id}/life-events`` — ``{kind, on_date?, note?}`` (``kind`` one of
  :data:`app.models.LIFE_EVENT_KINDS`); ``PATCH``/``DELETE`` ``.../life-events/{event_id}``.

Every change answers the profile as it is after it. Least privilege
(:func:`app.customer_policy.decide_profile_change`): an agent changes only the customer of
the call the agent is on (the live engine says which), and the change log keeps that
contact; a supervisor also with a stated reason (``reason`` and ``reason_text`` as for
reads). Reads follow :func:`app.customer_policy.decide`. Every read, change and refusal is
appended to the customer access log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

import anyio.from_thread
from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from sqlmodel import Session

from app.api.customers import ReasonCode, ReasonText, mask_number
from app.api.errors import Conflict, Forbidden, NotFound, field_error
from app.api.params import Id64
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
    Decision,
    Relationship,
    StatedReason,
    decide,
    decide_profile_change,
)
from app.customer_profile import (
    MAX_LIFE_EVENTS,
    MAX_PHONES,
    PHONE_KINDS,
    Actor,
    Profile,
    add_life_event,
    add_phone,
    change_details,
    change_life_event,
    change_phone,
    confirm,
    count_life_events,
    last_refresh,
    life_event_of,
    load_profile,
    numbers_of,
    phone_of,
    remove_life_event,
    remove_phone,
)
from app.deps import SessionDep
from app.live import get_services
from app.models import LIFE_EVENT_KINDS, Customer, User
from app.phone import normalize_phone
from routing.errors import UnknownId
from telesales.profile_refresh import refresh_status

router = APIRouter(prefix="/api/customers", tags=["customer profile"])

Reader = Annotated[User, Depends(require_role("agent", "supervisor", "qa"))]
Writer = Annotated[User, Depends(require_role("agent", "supervisor"))]
ItemId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PhoneKind = Literal["mobile", "home", "work"]
READ_FIELDS = ("profile", "phones", "life_events", "profile_changes")
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 1, 1)


def utc_now() -> datetime:
    """The wall clock (one place, so tests can move it)."""
    return datetime.now(UTC)


# --- bodies ----------------------------------------------------------------------------


def _e164(raw: str | None) -> str | None:
    return None if raw is None else normalize_phone(raw)


def _life_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in LIFE_EVENT_KINDS:
        raise ValueError(f"must be one of {', '.join(LIFE_EVENT_KINDS)}")
    return kind


def _in_range(day: date | None) -> date | None:
    if day is not None and not EARLIEST <= day < LATEST:
        raise ValueError("must be between 1900 and 2200")
    return day


class DetailsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    marketing_consent: StrictBool | None = None
    do_not_call: StrictBool | None = None
    home_branch: str | None = Field(default=None, max_length=60, pattern=r"^[^\x00-\x1f]*$")


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=3, max_length=32, description="any common form; kept E.164")
    kind: PhoneKind = "mobile"

    @field_validator("number")
    @classmethod
    def _number(cls, raw: str) -> str | None:
        return _e164(raw)


class PhonePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str | None = Field(default=None, min_length=3, max_length=32)
    kind: PhoneKind | None = None

    @field_validator("number")
    @classmethod
    def _number(cls, raw: str | None) -> str | None:
        return _e164(raw)


class LifeEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=30, description="one of app.models.LIFE_EVENT_KINDS")
    on_date: date | None = None
    note: str = Field(default="", max_length=500)

    @field_validator("kind")
    @classmethod
    def _kind(cls, kind: str) -> str | None:
        return _life_kind(kind)

    @field_validator("on_date")
    @classmethod
    def _date(cls, day: date | None) -> date | None:
        return _in_range(day)


class LifeEventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str | None = Field(default=None, max_length=30)
    on_date: date | None = None
    note: str | None = Field(default=None, max_length=500)

    @field_validator("kind")
    @classmethod
    def _kind(cls, kind: str | None) -> str | None:
        return _life_kind(kind)

    @field_validator("on_date")
    @classmethod
    def _date(cls, day: date | None) -> date | None:
        return _in_range(day)


# --- answers ---------------------------------------------------------------------------


class PhoneOut(BaseModel):
    id: int
    number: str
    kind: str


class LifeEventOut(BaseModel):
    id: int
    kind: str
    on_date: date | None
    note: str
    recorded_by: str
    recorded_at: datetime | None


class ChangeOut(BaseModel):
    field: str
    old_value: str
    new_value: str
    changed_by: str
    at: datetime
    contact_id: str | None


class ProfileOut(BaseModel):
    customer_id: int
    name: str
    phones: list[PhoneOut]
    marketing_consent: bool
    do_not_call: bool
    home_branch: str
    #: the customer has a relationship manager (managed customers are refreshed every 60 days)
    managed: bool
    life_events: list[LifeEventOut]
    #: the newest changes, newest first
    changes: list[ChangeOut]
    last_refreshed_at: datetime | None
    last_refreshed_by: str | None
    days_since_refresh: int | None
    refresh_due: bool
    refresh_interval_days: int
    view: Literal["full", "masked"]
    #: this user may change the profile now (an agent: on a call with the customer)
    may_edit: bool
    #: the call the change log will name (the agent's current contact)
    contact_id: str | None
    phone_kinds: list[str] = list(PHONE_KINDS)
    life_event_kinds: list[str] = list(LIFE_EVENT_KINDS)


def profile_out(profile: Profile, view: Literal["full", "masked"], may_edit: bool,
                contact_id: str | None, now: datetime) -> ProfileOut:
    c = profile.customer
    last = last_refresh(profile.changes)
    last_at = None if last is None else _aware(last.at)
    status = refresh_status(last_at, now, managed=c.relationship_manager_id is not None)
    masked = view == "masked"
    return ProfileOut(
        customer_id=int(c.id or 0), name=c.name,
        phones=[PhoneOut(id=int(p.id or 0), number=mask_number(p.number) if masked else p.number,
                         kind=p.kind) for p in profile.phones],
        marketing_consent=c.marketing_consent, do_not_call=c.do_not_call,
        home_branch=c.home_branch, managed=c.relationship_manager_id is not None,
        life_events=[LifeEventOut(id=int(e.id or 0), kind=e.kind, on_date=e.on_date,
                                  note="" if masked else e.note, recorded_by=e.recorded_by,
                                  recorded_at=None if e.recorded_at is None
                                  else _aware(e.recorded_at))
                     for e in profile.life_events],
        changes=[ChangeOut(field=ch.field, old_value="•••" if masked and ch.old_value else
                           ch.old_value, new_value="•••" if masked and ch.new_value else
                           ch.new_value, changed_by=ch.changed_by, at=_aware(ch.at),
                           contact_id=ch.contact_id) for ch in profile.changes],
        last_refreshed_at=last_at, last_refreshed_by=None if last is None else last.changed_by,
        days_since_refresh=status.days_since, refresh_due=status.due,
        refresh_interval_days=status.interval_days, view=view, may_edit=may_edit,
        contact_id=contact_id,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- who may -----------------------------------------------------------------------------


def on_call(request: Request, login: str | None) -> tuple[str, int | None] | None:
    """The contact the agent is on now (offered, talking, on hold or in its wrap-up) and its
    customer, from the live engine; None when the agent is on no call. Call from a worker
    thread."""
    if login is None:
        return None

    def read() -> tuple[str, int | None] | None:
        engine = get_services(request).center.engine
        try:
            view = engine.agent_view(login)
            cid = view.contact_id or (view.last_contact_id if view.state == "wrap_up" else None)
            if cid is None:
                return None
            customer = engine.contact_view(cid).customer_id
        except UnknownId:
            return None
        return str(cid), int(customer) if customer is not None and customer.isdigit() else None

    return anyio.from_thread.run_sync(read)


def _stated(reason: str | None, text: str) -> StatedReason | None:
    return StatedReason(reason, text) if reason is not None else None


def _call_relationship(request: Request, session: Session, user: User,
                       customer_id: int) -> tuple[Relationship, str | None]:
    call = on_call(request, agent_login(session, user))
    on_this = call is not None and call[1] == customer_id
    return Relationship(current_contact=on_this), (call[0] if call and on_this else None)


def allow_change(request: Request, session: Session, user: User, customer_id: int,
                 reason: StatedReason | None, fields: tuple[str, ...]) -> tuple[Decision, Actor]:
    """The policy's decision on a change (403, logged, when refused) and who makes it."""
    if session.get(Customer, customer_id) is None:
        raise NotFound(f"customer {customer_id} not found")
    relationship, contact_id = _call_relationship(request, session, user, customer_id)
    decision = decide_profile_change(user.role, relationship, reason)
    now = utc_now()
    if not decision.allowed:
        log_access(session, user, client_ip(request), [customer_id],
                   AccessEntry("write", fields, "denied", reason.text if reason else "",
                               allowed=False), now)
        raise Forbidden(decision.why_not)
    return decision, Actor(user.username, contact_id, now)


def changed(request: Request, session: Session, user: User, customer_id: int,
            decision: Decision, actor: Actor, fields: list[str],
            reason: StatedReason | None) -> ProfileOut:
    """Log the change (if anything changed) and answer the profile as it is now."""
    if fields:
        why = reason.text if reason else f"profile refresh on {actor.contact_id}"
        log_access(session, user, client_ip(request), [customer_id],
                   AccessEntry("write", tuple(fields), decision.basis, why), actor.now)
    return profile_out(load_profile(session, customer_id), "full", True, actor.contact_id,
                       actor.now)


# --- routes ------------------------------------------------------------------------------


@router.get("/{customer_id}/profile", response_model=ProfileOut)
def get_profile(request: Request, session: SessionDep, user: Reader, customer_id: Id64,
                reason: ReasonCode = None, reason_text: ReasonText = "") -> ProfileOut:
    """The customer's contact details, life events and change log (read: access-logged)."""
    load_profile(session, customer_id)  # 404 first
    now = utc_now()
    stated = _stated(reason, reason_text)
    login = agent_login(session, user)
    current = current_customer_ids(request, login)
    decision = decide(user.role, "read", relationship_of(session, user, customer_id, now,
                                                         current), stated)
    if not decision.allowed:
        log_access(session, user, client_ip(request), [customer_id],
                   AccessEntry("read", (), "denied", reason_text if stated else "",
                               allowed=False), now)
        raise Forbidden(decision.why_not)
    check_read_rate(request, session, user, 1, now)
    relationship, contact_id = _call_relationship(request, session, user, customer_id)
    may_edit = decide_profile_change(user.role, relationship, stated).allowed
    fields = READ_FIELDS if decision.view == "full" else ("profile", "life_events")
    log_access(session, user, client_ip(request), [customer_id],
               AccessEntry("read", fields, decision.basis, reason_text if stated else ""), now)
    return profile_out(load_profile(session, customer_id), decision.view, may_edit, contact_id,
                       now)


@router.patch("/{customer_id}/profile", response_model=ProfileOut)
def patch_details(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                  body: DetailsPatch, reason: ReasonCode = None,
                  reason_text: ReasonText = "") -> ProfileOut:
    values = body.model_dump(exclude_none=True)
    if "home_branch" in values:
        values["home_branch"] = str(values["home_branch"]).strip()
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated,
                                   tuple(values) or ("profile",))
    fields = change_details(session, customer_id, values, actor)
    return changed(request, session, user, customer_id, decision, actor, fields, stated)


@router.post("/{customer_id}/profile/confirm", response_model=ProfileOut)
def post_confirm(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                 reason: ReasonCode = None, reason_text: ReasonText = "") -> ProfileOut:
    """The profile was gone through with the customer and nothing changed (a refresh)."""
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated, ("profile",))
    confirm(session, customer_id, actor)
    return changed(request, session, user, customer_id, decision, actor, ["profile"], stated)


def _unique_number(session: Session, customer_id: int, number: str,
                   phone_id: int | None = None) -> None:
    owner = numbers_of(session, customer_id).get(number)
    if owner is not None and owner != phone_id:
        raise field_error(("body", "number"), f"{number} is already on this customer's profile")


@router.post("/{customer_id}/phones", response_model=ProfileOut, status_code=201)
def post_phone(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
               body: PhoneIn, reason: ReasonCode = None,
               reason_text: ReasonText = "") -> ProfileOut:
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated, ("phones",))
    _unique_number(session, customer_id, body.number)
    if len(numbers_of(session, customer_id)) >= MAX_PHONES:
        raise Conflict(f"a customer has at most {MAX_PHONES} phone numbers; remove one first")
    add_phone(session, customer_id, body.number, body.kind, actor)
    return changed(request, session, user, customer_id, decision, actor, ["phones"], stated)


@router.patch("/{customer_id}/phones/{phone_id}", response_model=ProfileOut)
def patch_phone(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                phone_id: ItemId, body: PhonePatch, reason: ReasonCode = None,
                reason_text: ReasonText = "") -> ProfileOut:
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated, ("phones",))
    phone = phone_of(session, customer_id, phone_id)
    if body.number is not None:
        _unique_number(session, customer_id, body.number, phone_id)
    did = change_phone(session, phone, body.number, body.kind, actor)
    return changed(request, session, user, customer_id, decision, actor,
                   ["phones"] if did else [], stated)


@router.delete("/{customer_id}/phones/{phone_id}", response_model=ProfileOut)
def delete_phone(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                 phone_id: ItemId, reason: ReasonCode = None,
                 reason_text: ReasonText = "") -> ProfileOut:
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated, ("phones",))
    remove_phone(session, phone_of(session, customer_id, phone_id), actor)
    return changed(request, session, user, customer_id, decision, actor, ["phones"], stated)


@router.post("/{customer_id}/life-events", response_model=ProfileOut, status_code=201)
def post_life_event(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                    body: LifeEventIn, reason: ReasonCode = None,
                    reason_text: ReasonText = "") -> ProfileOut:
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated,
                                   ("life_events",))
    if count_life_events(session, customer_id) >= MAX_LIFE_EVENTS:
        raise Conflict(f"a customer has at most {MAX_LIFE_EVENTS} life events")
    add_life_event(session, customer_id, body.kind, body.on_date, body.note.strip(), actor)
    return changed(request, session, user, customer_id, decision, actor, ["life_events"],
                   stated)


@router.patch("/{customer_id}/life-events/{event_id}", response_model=ProfileOut)
def patch_life_event(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                     event_id: ItemId, body: LifeEventPatch, reason: ReasonCode = None,
                     reason_text: ReasonText = "") -> ProfileOut:
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated,
                                   ("life_events",))
    event = life_event_of(session, customer_id, event_id)
    values = body.model_dump(exclude_unset=True)
    if values.get("kind", "") is None:
        raise field_error(("body", "kind"), "must be one of the kinds, not null")
    if "note" in values:
        values["note"] = (values["note"] or "").strip()
    did = change_life_event(session, event, values, actor)
    return changed(request, session, user, customer_id, decision, actor,
                   ["life_events"] if did else [], stated)


@router.delete("/{customer_id}/life-events/{event_id}", response_model=ProfileOut)
def delete_life_event(request: Request, session: SessionDep, user: Writer, customer_id: Id64,
                      event_id: ItemId, reason: ReasonCode = None,
                      reason_text: ReasonText = "") -> ProfileOut:
    stated = _stated(reason, reason_text)
    decision, actor = allow_change(request, session, user, customer_id, stated,
                                   ("life_events",))
    remove_life_event(session, life_event_of(session, customer_id, event_id), actor)
    return changed(request, session, user, customer_id, decision, actor, ["life_events"],
                   stated)
