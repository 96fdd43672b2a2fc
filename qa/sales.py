"""Sales figures of the bank's service standards: cross-sell and up-sell per inbound call,
and the outbound positive-response ratio, folded from events.

The facts come from :class:`routing.events.OfferRecorded` (an agent put an offer to the
contact's customer, with its result), the contacts' directions (``ContactArrived.direction``;
a ``DialAttempted`` starts an outbound contact) and their answers and dial results. Each
event adds to :class:`SalesCounts` *at its own time* (:meth:`SalesTally.add` returns what it
adds), so a period's figures are the sum of the increments of the events inside it, the
same in the streaming wallboard (:mod:`dashboards.sales`) and in a batch pass
(:func:`sales_counts`):

* ``inbound_calls`` ``I``: inbound contacts answered by an agent (counted at the first
  answer; callbacks count as inbound: they return an inbound caller's call);
* ``cross_sells`` ``X`` / ``up_sells`` ``U``: offers of that kind *accepted* on inbound
  contacts (counted at the ``accepted`` event; ``retention`` offers are not sales);
* ``offers_made``: offers put to inbound callers (``made`` events), for context;
* ``outbound_dials`` / ``outbound_connected`` ``C``: outbound dials that ended
  (``DialResult``) / that reached the customer (``result == "connected"``), of outbound
  contacts or of contacts whose direction is unknown (only outbound dials and callbacks have
  dial results, and a callback's contact arrived as inbound); their connect rate is
  :func:`qa.dials.connect_rate`;
* ``outbound_reached`` ``C``: outbound contacts that reached the customer (a dial
  ``connected`` or an answer), each once however many dials it took (counted at the first);
* ``outbound_positive`` ``P``: reached outbound contacts with at least one accepted offer
  (counted once, when the contact is both reached and has an acceptance).

Offers count only on an inbound contact an agent answered. The definitions and formulas are
:mod:`qa.outcomes`' ("the sales definitions"), the very ones of the batch KPIs::

    cross-sell per inbound call   = X / I        (qa.outcomes.sales_per_call)
    up-sell per inbound call      = U / I
    positive-response ratio       = P / C        (qa.outcomes.positive_response)

each NaN when its denominator is 0. A "positive response" is an acceptance
(:func:`qa.outcomes.is_positive_response`); ``follow_up`` and ``declined`` are not. Over
the contacts of a period that arrived and ended in it, these figures equal
:func:`qa.outcomes.outcome_figures` of :func:`qa.outcomes.outcomes_from_events` (a test
asserts it); they differ only in *when* a count lands (here at its event, there with the
contact's arrival) and for a callback whose answer a failed dial later took back (counted
here, as the wallboard saw it).

This module imports only :mod:`routing.events`, :mod:`qa.counts`, :mod:`qa.dials` and
:mod:`qa.outcomes`.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, fields

from qa.dials import DialCounts, connect_rate
from qa.outcomes import is_positive_response, positive_response, sale_kind, sales_per_call
from routing.events import (
    ContactAnswered,
    ContactArrived,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
)

#: Contacts whose direction and answer the tally remembers (the oldest are forgotten past
#: this: a day of the bank's 56,000 contacts fits three times over).
KEPT_CONTACTS = 200_000


@dataclass(slots=True)
class SalesCounts:
    """The sums the sales figures need (module docstring); adding two adds the counts."""

    inbound_calls: int = 0
    cross_sells: int = 0
    up_sells: int = 0
    offers_made: int = 0
    outbound_dials: int = 0
    outbound_connected: int = 0
    outbound_positive: int = 0
    outbound_reached: int = 0

    def __add__(self, other: SalesCounts) -> SalesCounts:
        return SalesCounts(*(getattr(self, f.name) + getattr(other, f.name)
                             for f in fields(self)))

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def cross_sell_per_call(c: SalesCounts) -> float:
    """Accepted cross-sells per answered inbound call, ``X / I``."""
    return sales_per_call(c.cross_sells, c.inbound_calls)


def up_sell_per_call(c: SalesCounts) -> float:
    """Accepted up-sells per answered inbound call, ``U / I``."""
    return sales_per_call(c.up_sells, c.inbound_calls)


def positive_response_ratio(c: SalesCounts) -> float:
    """Reached outbound contacts with an accepted offer per reached outbound contact,
    ``P / C``."""
    return positive_response(c.outbound_positive, c.outbound_reached)


@dataclass(slots=True)
class _Contact:
    outbound: bool
    answered: bool = False
    reached: bool = False
    accepted: bool = False
    positive: bool = False


class SalesTally:
    """Folds events one at a time; :meth:`add` returns what the event adds (or None)."""

    def __init__(self, kept_contacts: int = KEPT_CONTACTS) -> None:
        self.kept_contacts = kept_contacts
        self._contacts: OrderedDict[str, _Contact] = OrderedDict()

    def _remember(self, contact_id: str, outbound: bool) -> _Contact:
        found = self._contacts.get(contact_id)
        if found is None:
            found = self._contacts[contact_id] = _Contact(outbound)
            while len(self._contacts) > self.kept_contacts:
                self._contacts.popitem(last=False)
        return found

    def add(self, event: Event) -> SalesCounts | None:
        if isinstance(event, ContactArrived):
            self._remember(event.contact_id, event.direction == "outbound")
        elif isinstance(event, DialAttempted):
            self._remember(event.contact_id, True)
        elif isinstance(event, ContactAnswered):
            contact = self._contacts.get(event.contact_id)
            if contact is None:
                return None
            if contact.outbound:
                return self._reach(contact, SalesCounts())
            if not contact.answered:
                contact.answered = True
                return SalesCounts(inbound_calls=1)
        elif isinstance(event, DialResult):
            contact = self._contacts.get(event.contact_id)
            if contact is None or contact.outbound:
                connected = event.result == "connected"
                dial = SalesCounts(outbound_dials=1, outbound_connected=int(connected))
                return self._reach(contact, dial) if contact is not None and connected else dial
        elif isinstance(event, OfferRecorded):
            return self._offer(event)
        return None

    @staticmethod
    def _reach(contact: _Contact, counts: SalesCounts) -> SalesCounts:
        """An outbound contact reached its customer: ``C`` once, and ``P`` if it already
        has an acceptance."""
        if not contact.reached:
            contact.reached = True
            counts.outbound_reached += 1
            if contact.accepted and not contact.positive:
                contact.positive = True
                counts.outbound_positive += 1
        return counts

    def _offer(self, event: OfferRecorded) -> SalesCounts | None:
        contact = self._contacts.get(event.contact_id)
        if contact is None:
            return None  # a contact never seen (a log that starts mid-call)
        if contact.outbound:
            if is_positive_response(event.result) and not contact.accepted:
                contact.accepted = True
                if contact.reached and not contact.positive:
                    contact.positive = True
                    return SalesCounts(outbound_positive=1)
            return None
        if not contact.answered:
            return None  # offers count on answered inbound calls only (A)
        if event.result == "made":
            return SalesCounts(offers_made=1)
        kind = sale_kind(event.kind, event.result)
        if kind == "cross_sell":
            return SalesCounts(cross_sells=1)
        if kind == "up_sell":
            return SalesCounts(up_sells=1)
        return None


def sales_counts(events: Iterable[Event], start: float = -math.inf,
                 end: float = math.inf) -> SalesCounts:
    """The counts of the events whose time is in ``[start, end)`` (all events are folded,
    so contacts that arrived before ``start`` are known)."""
    tally = SalesTally()
    total = SalesCounts()
    for event in events:
        added = tally.add(event)
        if added is not None and start <= event.at < end:
            total = total + added
    return total


def sales_figures(c: SalesCounts) -> dict[str, float | int | None]:
    """The JSON figures: the counts and the three ratios (None for NaN)."""
    out: dict[str, float | int | None] = {f.name: getattr(c, f.name) for f in fields(c)}
    for name, value in (("cross_sell_per_call", cross_sell_per_call(c)),
                        ("up_sell_per_call", up_sell_per_call(c)),
                        ("positive_response_ratio", positive_response_ratio(c)),
                        ("connect_rate", connect_rate(DialCounts(c.outbound_dials,
                                                                 c.outbound_connected)))):
        out[name] = None if math.isnan(value) else value
    return out
