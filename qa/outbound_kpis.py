"""Outbound KPIs of telesales and collections: right-party contacts, contacts per hour,
conversion, promises to pay, folded from events.

``events`` ──▶ :func:`fold_outbound` ──▶ one :class:`OutboundContact` per dialled contact
(and per contact with a promise) ──▶ :func:`count_outbound` per group ──▶
:class:`OutboundCounts` ──▶ the formulas below. Whether a promise was kept is
:mod:`qa.promises`' (payments in, :class:`~qa.promises.PromiseCounts` out).

What is counted, per contact (the facts and the events that carry them)::

    dials        DialAttempted                 (callbacks' dials have none: not counted)
    connect      DialResult "connected"        the customer's line answered, an agent took it
    party        WrapUpEnded.party             right_party / third_party / wrong_party, as
                                               the agent said at wrap-up (None: not said)
    RPC          a connect whose party is right_party
    sales        OfferRecorded "accepted"      on the outbound contact; ``amount`` summed
    promises     PromiseToPay                  on the outbound contact
    work time    dialling + handling           see below

**Outbound work time** (the "hour" of contacts per hour) is the agent time spent on
outbound calls: for a dial an agent placed (``DialAttempted.agent_id``: preview and
progressive), the dial's ring, ``DialResult.at - DialAttempted.at``; for a connected call,
its handle time, ``WrapUpEnded.at - ContactAnswered.at`` (talk, hold and wrap-up). It is
*not* logged-in time in an outbound state: the bank's agents are blended (one login takes
inbound and outbound work, :mod:`telesales.blending`), so their ready and not-ready time
belongs to neither side, and the event log has no outbound state to measure. Idle time
between dials (predictive agents waiting in ``ready``) is left out for the same reason, so
this figure is a productivity of outbound time actually worked, higher than the
"per logged-in hour" a dedicated outbound floor would report.

Formulas (``D`` dials, ``C`` connects, ``R`` RPCs, ``S`` sales, ``P`` promises on outbound
contacts, ``H`` outbound work hours)::

    contacts per hour         = Ch / H        (Ch: the connects whose handling ended)
    RPCs per hour             = R / H
    right-party-contact rate  = R / C
    conversion (telesales)    = S / R         (accepted offers per right-party contact)
    promise-to-pay rate       = P / R         (collections)
    connect rate              = C / D         (as :func:`qa.dials.connect_rate`)

each NaN when its denominator is 0. Contacts per hour counts only the connects whose
handling ended (their wrap-up ended, so ``H`` holds all their time): a call still in talk
would count whole against a few seconds of ring (a live floor read mid-call showed 300
contacts an hour). ``R`` is such a count already (the party is said at wrap-up). The promise-kept and kept-amount ratios are
:mod:`qa.promises`'. A connect the agent gave no party is in ``C`` and in
``party_unknown``, never in ``R``.

Attribution: a contact counts whole at its first dial's time (a contact with a promise
but no dial, such as an inbound call, at its promise's time), in its dial's campaign and
under the agent who wrapped it up (else who answered it, else who dialled it; ``None``
for a predictive dial no agent took).

This module imports only :mod:`routing.events`, :mod:`qa.counts` and :mod:`qa.promises`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from typing import TypeVar

from qa.counts import ratio
from qa.promises import (
    PaymentBook,
    Promise,
    PromiseCounts,
    kept_amount_ratio,
    promise_kept_ratio,
)
from routing.events import (
    ContactAnswered,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
    Party,
    PromiseToPay,
    WrapUpEnded,
)

HOUR_SECONDS = 3600.0
K = TypeVar("K", bound=Hashable)


@dataclass(slots=True)
class OutboundContact:
    """One contact as these KPIs read it (module docstring)."""

    contact_id: str
    at: float
    campaign: str | None = None
    dialler: str | None = None
    agent: str | None = None
    outbound: bool = False
    dials: int = 0
    connected: bool = False
    handled: bool = False  # answered and wrapped up: all of its work time is counted
    party: Party | None = None
    sales: int = 0
    sales_amount: float = 0.0
    promises: list[PromiseToPay] = field(default_factory=list)
    work_seconds: float = 0.0
    _dialled_at: float | None = None
    _answered_at: float | None = None

    @property
    def group_agent(self) -> str | None:
        """The agent the contact counts under."""
        return self.agent or self.dialler


def fold_outbound(events: Iterable[Event]) -> list[OutboundContact]:
    """The outbound contacts (and the contacts with a promise) of ``events``, in the order
    they were first seen."""
    contacts: dict[str, OutboundContact] = {}
    for ev in events:
        if isinstance(ev, DialAttempted):
            c = contacts.setdefault(ev.contact_id, OutboundContact(ev.contact_id, ev.at))
            c.outbound, c.campaign = True, c.campaign or ev.campaign
            c.dials += 1
            if ev.agent_id is not None:
                c.dialler, c._dialled_at = ev.agent_id, ev.at
            continue
        if isinstance(ev, PromiseToPay):
            c = contacts.setdefault(ev.contact_id, OutboundContact(ev.contact_id, ev.at))
            c.promises.append(ev)
            continue
        step = contacts.get(getattr(ev, "contact_id", ""))
        if step is not None and step.outbound:
            _add_step(step, ev)
    return list(contacts.values())


def _add_step(c: OutboundContact, ev: Event) -> None:
    """A dial's result, an answer, a wrap-up or an offer of an outbound contact."""
    if isinstance(ev, DialResult):
        if c._dialled_at is not None:
            c.work_seconds += max(0.0, ev.at - c._dialled_at)
            c._dialled_at = None
        c.connected = c.connected or ev.result == "connected"
    elif isinstance(ev, ContactAnswered):
        c.agent = ev.agent_id
        if c._answered_at is None:
            c._answered_at = ev.at
    elif isinstance(ev, WrapUpEnded):
        c.agent = ev.agent_id or c.agent
        if ev.party is not None:
            c.party = ev.party
        if c._answered_at is not None:
            c.work_seconds += max(0.0, ev.at - c._answered_at)
            c._answered_at = None
            c.handled = True
    elif isinstance(ev, OfferRecorded) and ev.result == "accepted":
        c.sales += 1
        c.sales_amount += ev.amount or 0.0


@dataclass(slots=True)
class OutboundCounts:
    """The sums behind the outbound figures of one group; adding two adds them."""

    dials: int = 0
    connects: int = 0
    handled_connects: int = 0
    right_party: int = 0
    third_party: int = 0
    wrong_party: int = 0
    party_unknown: int = 0
    sales: int = 0
    sales_amount: float = 0.0
    outbound_promises: int = 0
    promised_amount: float = 0.0
    work_seconds: float = 0.0

    def __add__(self, other: OutboundCounts) -> OutboundCounts:
        return OutboundCounts(*(getattr(self, f.name) + getattr(other, f.name)
                                for f in fields(self)))

    def add(self, c: OutboundContact) -> None:
        """Count one contact."""
        self.dials += c.dials
        self.work_seconds += c.work_seconds
        if c.outbound:
            self.outbound_promises += len(c.promises)
            self.promised_amount += sum(p.amount for p in c.promises)
            self.sales += c.sales
            self.sales_amount += c.sales_amount
        if not c.connected:
            return
        self.connects += 1
        self.handled_connects += c.handled
        if c.party == "right_party":
            self.right_party += 1
        elif c.party == "third_party":
            self.third_party += 1
        elif c.party == "wrong_party":
            self.wrong_party += 1
        else:
            self.party_unknown += 1


def count_outbound(contacts: Sequence[OutboundContact],
                   group_of: Callable[[OutboundContact], K | None],
                   start: float = -math.inf, end: float = math.inf,
                   ) -> dict[K, OutboundCounts]:
    """:class:`OutboundCounts` per group (``group_of`` a contact; None: left out) of the
    contacts whose time is in ``[start, end)``."""
    out: dict[K, OutboundCounts] = {}
    for c in contacts:
        if not start <= c.at < end:
            continue
        key = group_of(c)
        if key is not None:
            out.setdefault(key, OutboundCounts()).add(c)
    return out


def promises_of(c: OutboundContact, zone: tzinfo) -> list[Promise]:
    """The contact's promises as :class:`~qa.promises.Promise` s, made on the day of their
    event on ``zone``'s calendar (the center's)."""
    out = []
    for p in c.promises:
        made = datetime.fromtimestamp(p.at, zone).date()
        due = datetime.strptime(p.due_on, "%Y-%m-%d").date()
        out.append(Promise(p.customer_id, p.amount, made, max(due, made), p.product_id))
    return out


def count_promise_outcomes(contacts: Sequence[OutboundContact],
                           group_of: Callable[[OutboundContact], K | None],
                           book: PaymentBook, now: datetime, zone: tzinfo,
                           start: float = -math.inf, end: float = math.inf,
                           ) -> dict[K, PromiseCounts]:
    """:class:`~qa.promises.PromiseCounts` per group of the promises made in
    ``[start, end)`` (each at its own time), judged on ``now``'s day on ``zone``."""
    today = now.astimezone(zone).date()
    out: dict[K, PromiseCounts] = {}
    for c in contacts:
        key = group_of(c)
        if key is None:
            continue
        for event, promise in zip(c.promises, promises_of(c, zone), strict=True):
            if start <= event.at < end:
                out.setdefault(key, PromiseCounts()).add(promise.amount,
                                                         book.outcome(promise, today))
    return out


def contacts_per_hour(c: OutboundCounts) -> float:
    """Handled connects per outbound work hour, ``Ch / H`` (module docstring)."""
    return ratio(c.handled_connects, c.work_seconds / HOUR_SECONDS)


def rpc_per_hour(c: OutboundCounts) -> float:
    """Right-party contacts per outbound work hour, ``R / H``."""
    return ratio(c.right_party, c.work_seconds / HOUR_SECONDS)


def right_party_rate(c: OutboundCounts) -> float:
    """Right-party contacts per connect, ``R / C``."""
    return ratio(c.right_party, c.connects)


def conversion(c: OutboundCounts) -> float:
    """Accepted offers per right-party contact, ``S / R``."""
    return ratio(c.sales, c.right_party)


def promise_to_pay_rate(c: OutboundCounts) -> float:
    """Promises on outbound contacts per right-party contact, ``P / R``."""
    return ratio(c.outbound_promises, c.right_party)


def outbound_figures(c: OutboundCounts, p: PromiseCounts | None = None
                     ) -> dict[str, float | int]:
    """The JSON figures of a group: counts and rates (NaN for an unknown rate)."""
    p = p or PromiseCounts()
    return {
        "outbound_dials": c.dials, "outbound_connects": c.connects,
        "right_party_contacts": c.right_party, "third_party_contacts": c.third_party,
        "wrong_party_contacts": c.wrong_party, "party_unknown": c.party_unknown,
        "outbound_sales": c.sales, "outbound_sales_amount": c.sales_amount,
        "outbound_work_hours": c.work_seconds / HOUR_SECONDS,
        "contacts_per_hour": contacts_per_hour(c), "rpc_per_hour": rpc_per_hour(c),
        "right_party_rate": right_party_rate(c), "conversion": conversion(c),
        "promises_to_pay": p.promises, "promise_to_pay_rate": promise_to_pay_rate(c),
        "promises_kept": p.kept, "promises_broken": p.broken, "promises_pending": p.pending,
        "promise_kept_ratio": promise_kept_ratio(p), "kept_amount_ratio": kept_amount_ratio(p),
    }
