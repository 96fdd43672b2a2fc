"""Who may see which customer data, and why: one pure function, no database, no HTTP.

Korea's Personal Information Protection Act (PIPA) and the bank supervisors' rules ask for
least privilege (each person sees the personal data their task needs) and an access record
for every read. The rules, in plain words:

* An **agent** reads a customer's full record when the customer is on the agent's current
  or recent contact (the screen pop), is in the agent's managed book (the customer's
  relationship manager) or on the agent's outbound agenda; otherwise only with a stated
  reason (a code and a few words), and then with phone numbers and balances masked. An
  agent never lists customers, and writes notes only within a contact the agent handled
  (current or recent).
* A **supervisor** reads and lists customers (escalations, monitoring), full record; writes
  notes with a stated reason or within a contact.
* **QA** reads a customer to review a contact, masked; never lists or writes.
* An **admin** lists and reads masked (the user who administers the system does not need
  balances); writes nothing.
* **Planners** and **auditors** read no customer data (auditors read the access log).

:func:`decide` is the only place these rules live; the API asks it and logs what it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Action = Literal["read", "list", "lookup", "write"]
View = Literal["full", "masked"]

#: reasons a user may state for a read that no relationship covers (the access log keeps
#: it): the customer asked through another channel (branch, web, mail); returning a call the
#: customer asked for; handling a complaint; checking suspected fraud or identity theft;
#: reviewing a recorded contact (QA); escalation or monitoring by a supervisor
StatedReasonCode = Literal[
    "customer_request", "callback", "complaint", "fraud_check", "quality_review", "supervision"
]
STATED_REASONS: tuple[str, ...] = get_args(StatedReasonCode)
#: bases that come from the relationship (checked by the server, never taken on trust)
RelationshipBasis = Literal["current_contact", "recent_contact", "managed_book", "outbound_agenda"]
RELATIONSHIP_BASES: tuple[str, ...] = get_args(RelationshipBasis)
#: field groups hidden in a masked view (no full account numbers or resident numbers are
#: stored; if they come, they join this list)
MASKED_FIELDS: tuple[str, ...] = ("phones", "balances", "notes")
#: the field groups of a customer's full record, as the access log names them
RECORD_FIELDS: tuple[str, ...] = ("profile", "phones", "products", "balances", "history", "notes")
MIN_REASON_TEXT = 5


@dataclass(frozen=True, slots=True)
class Relationship:
    """What ties the user to this customer, as the server found it."""

    current_contact: bool = False
    recent_contact: bool = False
    managed_book: bool = False
    outbound_agenda: bool = False

    def basis(self) -> str | None:
        """The strongest tie, as logged (None when there is none)."""
        for name in RELATIONSHIP_BASES:
            if getattr(self, name):
                return name
        return None

    @property
    def handled_contact(self) -> bool:
        return self.current_contact or self.recent_contact


NONE = Relationship()


@dataclass(frozen=True, slots=True)
class StatedReason:
    code: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    #: what the access log records as the reason (relationship basis or stated code)
    basis: str
    view: View = "masked"
    why_not: str = ""


def fields_shown(view: View) -> tuple[str, ...]:
    """The field groups a response with ``view`` carries (what the access log records)."""
    if view == "full":
        return RECORD_FIELDS
    return tuple(f for f in RECORD_FIELDS if f not in MASKED_FIELDS)


def _deny(why: str) -> Decision:
    return Decision(False, "denied", "masked", why)


def _stated(reason: StatedReason | None) -> str | None:
    """The stated reason's code when it is usable, else None."""
    if reason is None or reason.code not in STATED_REASONS:
        return None
    if len(reason.text.strip()) < MIN_REASON_TEXT:
        return None
    return reason.code


def decide(
    role: str,
    action: Action,
    relationship: Relationship = NONE,
    reason: StatedReason | None = None,
) -> Decision:
    """May a user of ``role`` do ``action`` on a customer, given the ``relationship`` the
    server found and the ``reason`` the user stated? ``list`` and ``lookup`` concern many
    customers (no relationship); the others one."""
    if role == "agent":
        return _agent(action, relationship, reason)
    if role == "supervisor":
        return _supervisor(action, relationship, reason)
    if role == "qa":
        if action == "read":
            return Decision(True, _stated(reason) or "quality_review", "masked")
        return _deny("QA reads customers one at a time to review a contact")
    if role == "admin":
        if action in ("read", "list", "lookup"):
            return Decision(True, _stated(reason) or "administration", "masked")
        return _deny("administrators do not write customer history")
    return _deny(f"the role {role} has no access to customer data")


def _agent(action: Action, rel: Relationship, reason: StatedReason | None) -> Decision:
    basis = rel.basis()
    stated = _stated(reason)
    if action == "list":
        return _deny("agents do not list customers; open the customer of your contact")
    if action == "write":
        if rel.handled_contact:
            return Decision(True, basis or "current_contact", "full")
        return _deny("notes only within a contact you handled (current or recent)")
    if action == "read" and basis is not None:
        return Decision(True, basis, "full")
    if stated is not None:
        return Decision(True, stated, "masked")
    return _deny(
        "this customer is not on your contact, book or agenda; state a reason "
        f"(reason: one of {', '.join(STATED_REASONS)}, and reason_text of at least "
        f"{MIN_REASON_TEXT} characters)"
    )


def _supervisor(action: Action, rel: Relationship, reason: StatedReason | None) -> Decision:
    basis = rel.basis() or _stated(reason) or "supervision"
    if action == "write" and not rel.handled_contact and _stated(reason) is None:
        return _deny("notes within a contact you handled, or with a stated reason")
    return Decision(True, basis, "full")


def decide_profile_change(
    role: str, relationship: Relationship = NONE, reason: StatedReason | None = None
) -> Decision:
    """May a user of ``role`` change a customer's contact details or life events (the
    profile refresh)? An **agent** only on the call with the customer (``current_contact``:
    offered, talking, on hold or wrapping it up), never from a recent call, the managed book
    or a stated reason; a **supervisor** on a call with the customer or with a stated reason;
    nobody else."""
    if role == "agent":
        if relationship.current_contact:
            return Decision(True, "current_contact", "full")
        return _deny("agents change a customer's profile only on a call with the customer")
    if role == "supervisor":
        basis = "current_contact" if relationship.current_contact else _stated(reason)
        if basis is None:
            return _deny("a profile change needs a call with the customer or a stated reason")
        return Decision(True, basis, "full")
    return _deny(f"the role {role} does not change customer profiles")
