"""One flat record per contact, built from the event log (Ciw's data record, for an ACD).

``events`` ──▶ :class:`RecordBuilder` ──▶ :class:`ContactRecord` (one per contact, with
a :class:`Leg` per transfer) ──▶ :class:`ContactTable` (the same records as numpy
columns, which the simulator's fast path also builds directly; the transferred-in legs
as a second table of the same shape). Every KPI in :mod:`qa.kpis` reads these.

The conventions (what a *wait* is, when a contact counts as offered, how a transferred
contact counts, what *unserved* means) are stated in :mod:`qa.kpis`. This module imports
only numpy and :mod:`routing.events`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from routing.events import (
    CallbackOffered,
    CallbackScheduled,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactHeld,
    ContactOffered,
    ContactOfferTimedOut,
    ContactTransferred,
    Event,
    WrapUpEnded,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# --- one flat record per contact ------------------------------------------------


@dataclass(slots=True)
class Leg:
    """The wait of a contact in ``queue`` after a transfer at ``started_at``, until the
    next answer or abandon (``None``: did not happen). A transfer to an agent starts a
    leg in the contact's current queue."""

    queue: str
    started_at: float
    answered_at: float | None = None
    abandoned_at: float | None = None

    @property
    def open(self) -> bool:
        return self.answered_at is None and self.abandoned_at is None

    @property
    def wait_seconds(self) -> float | None:
        """Wait in this leg: from the transfer to the answer (or hang-up); ``None`` while open."""
        end = self.answered_at if self.answered_at is not None else self.abandoned_at
        return None if end is None else end - self.started_at


@dataclass(slots=True)
class ContactRecord:
    """Everything the KPIs need to know about one contact (Ciw's data record, for an ACD).

    Times are on the event clock; ``None`` means "did not happen". The contact's own
    figures (``answered_at``, ``abandoned_at``, :attr:`wait_seconds`) are those of its
    arrival leg: the *first* arrival and the *first* answer (a transfer does not restart
    them). Each transfer adds a :class:`Leg` to ``legs``; the answer or abandon after a
    transfer closes that leg, not the contact's arrival leg.
    """

    contact_id: str
    queue: str
    tier: str
    direction: str
    arrived_at: float
    answered_at: float | None = None
    abandoned_at: float | None = None
    ended_at: float | None = None
    wrap_up_ended_at: float | None = None
    agent_id: str | None = None
    offers: int = 0
    offer_timeouts: int = 0
    holds: int = 0
    transfers: int = 0
    callback: bool = False
    callback_offered: bool = False
    callback_at: float | None = None
    legs: list[Leg] = field(default_factory=list)

    @property
    def queue_now(self) -> str:
        """The queue of the contact's current leg (its arrival queue until a transfer)."""
        return self.legs[-1].queue if self.legs else self.queue

    @property
    def wait_seconds(self) -> float | None:
        """Wait until answer, or until the caller hung up; ``None`` while still waiting."""
        if self.answered_at is not None:
            return self.answered_at - self.arrived_at
        if self.abandoned_at is not None:
            return self.abandoned_at - self.arrived_at
        return None

    @property
    def handle_seconds(self) -> float | None:
        """Talk (and hold) time: ``ended_at - answered_at``; wrap-up not included."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.answered_at

    @property
    def callback_wait_seconds(self) -> float | None:
        """Wait of an accepted callback: ``answered_at - callback_at`` (from the caller's
        acceptance to the agent's call back being answered); ``None`` if not (yet) both."""
        if self.callback_at is None or self.answered_at is None:
            return None
        return self.answered_at - self.callback_at


class RecordBuilder:
    """Folds events into :class:`ContactRecord` s, one event at a time (streaming).

    Events for contacts never seen arriving are ignored (a log that starts mid-call).
    """

    def __init__(self) -> None:
        self.records: dict[str, ContactRecord] = {}

    def add(self, event: Event) -> ContactRecord | None:
        """Apply one event; return the record it touched (or ``None``)."""
        if isinstance(event, ContactArrived):
            rec = self.records.get(event.contact_id)
            if rec is None:
                rec = ContactRecord(
                    event.contact_id, event.queue, event.tier, event.direction, event.at
                )
                self.records[event.contact_id] = rec
            return rec
        rec = self.records.get(getattr(event, "contact_id", ""))
        if rec is None:
            return None
        apply = _APPLY.get(type(event))
        if apply is not None:
            apply(rec, event)
        return rec

    def extend(self, events: Iterable[Event]) -> RecordBuilder:
        for event in events:
            self.add(event)
        return self


def _answered(rec: ContactRecord, ev: Event) -> None:
    if rec.legs and rec.legs[-1].open:
        rec.legs[-1].answered_at = ev.at
    elif rec.answered_at is None and rec.abandoned_at is None:
        assert isinstance(ev, ContactAnswered)
        rec.answered_at = ev.at
        rec.agent_id = ev.agent_id


def _abandoned(rec: ContactRecord, ev: Event) -> None:
    if rec.legs and rec.legs[-1].open:
        rec.legs[-1].abandoned_at = ev.at
    elif rec.answered_at is None and rec.abandoned_at is None:
        rec.abandoned_at = ev.at


def _offered(rec: ContactRecord, ev: Event) -> None:
    rec.offers += 1


def _timed_out(rec: ContactRecord, ev: Event) -> None:
    rec.offer_timeouts += 1


def _ended(rec: ContactRecord, ev: Event) -> None:
    rec.ended_at = ev.at


def _wrapped(rec: ContactRecord, ev: Event) -> None:
    rec.wrap_up_ended_at = ev.at


def _held(rec: ContactRecord, ev: Event) -> None:
    rec.holds += 1


def _transferred(rec: ContactRecord, ev: Event) -> None:
    assert isinstance(ev, ContactTransferred)
    rec.transfers += 1
    rec.legs.append(Leg(ev.target_queue or rec.queue_now, ev.at))


def _callback(rec: ContactRecord, ev: Event) -> None:
    rec.callback = True
    if rec.callback_at is None:
        rec.callback_at = ev.at


def _callback_offered(rec: ContactRecord, ev: Event) -> None:
    rec.callback_offered = True


#: How each contact event changes the contact's record (dispatch on the exact type).
_APPLY: dict[type[Event], Callable[[ContactRecord, Event], None]] = {
    ContactAnswered: _answered,
    ContactAbandoned: _abandoned,
    ContactOffered: _offered,
    ContactOfferTimedOut: _timed_out,
    ContactEnded: _ended,
    WrapUpEnded: _wrapped,
    ContactHeld: _held,
    ContactTransferred: _transferred,
    CallbackScheduled: _callback,
    CallbackOffered: _callback_offered,
}


def records_from_events(events: Iterable[Event]) -> list[ContactRecord]:
    """One :class:`ContactRecord` per contact that arrived, in order of arrival."""
    return list(RecordBuilder().extend(events).records.values())


# --- the same records as columns --------------------------------------------------


@dataclass(frozen=True)
class ContactTable:
    """Contact records as numpy columns (the fast path of the simulator builds this directly).

    ``wait_seconds`` is NaN for contacts still waiting; ``answered`` and ``abandoned``
    are exclusive. ``queue_index`` / ``tier_index`` index ``queues`` / ``tiers``.

    A table built *closed* at a time ``t`` (:meth:`from_records` with ``closed_at``: the
    end of a finished simulation) has no contact still waiting: one whose wait has not
    ended by ``t`` is *unserved* (:attr:`unserved`): neither answered nor abandoned, with
    the censored wait ``t - arrived_at``.

    ``transfer_legs``: the transferred-in legs (:class:`Leg`) as a table of the same shape
    and the same ``queues`` / ``tiers``: one row per leg, ``arrived_at`` the transfer's
    time (arrival in the leg's queue), ``queue_index`` the leg's queue, ``tier_index`` the
    contact's tier; ``None`` when there is none to report (the fast path).
    """

    arrived_at: FloatArray
    wait_seconds: FloatArray
    answered: BoolArray
    abandoned: BoolArray
    queue_index: IntArray
    tier_index: IntArray
    queues: tuple[str, ...]
    tiers: tuple[str, ...]
    transfer_legs: ContactTable | None = None

    def __post_init__(self) -> None:
        n = len(self.arrived_at)
        for f in ("wait_seconds", "answered", "abandoned", "queue_index", "tier_index"):
            if len(getattr(self, f)) != n:
                raise ValueError(f"{f} has {len(getattr(self, f))} rows, arrived_at has {n}")
        legs = self.transfer_legs
        if legs is not None and (legs.queues, legs.tiers) != (self.queues, self.tiers):
            raise ValueError("transfer_legs must have the same queues and tiers as the table")

    def __len__(self) -> int:
        return len(self.arrived_at)

    @property
    def unserved(self) -> BoolArray:
        """Contacts of a closed table still waiting at its close (see the class docstring)."""
        out: BoolArray = ~self.answered & ~self.abandoned & ~np.isnan(self.wait_seconds)
        return out

    @classmethod
    def from_records(
        cls,
        records: Iterable[ContactRecord],
        queues: Sequence[str] = (),
        tiers: Sequence[str] = (),
        direction: str = "inbound",
        closed_at: float | None = None,
    ) -> ContactTable:
        """Columns of the records with ``direction``; names not in ``queues``/``tiers`` are
        appended. ``closed_at``: close the table then (contacts still waiting are unserved)."""
        qnames, tnames = list(queues), list(tiers)
        qpos = {q: i for i, q in enumerate(qnames)}
        tpos = {t: i for i, t in enumerate(tnames)}

        def index(pos: dict[str, int], names: list[str], name: str) -> int:
            if name not in pos:
                pos[name] = len(names)
                names.append(name)
            return pos[name]

        rows = _Columns(closed_at)
        legs = _Columns(closed_at)
        for r in records:
            if r.direction != direction:
                continue
            ti = index(tpos, tnames, r.tier)
            rows.add(r.arrived_at, r.wait_seconds, r.answered_at is not None,
                     r.answered_at is None and r.abandoned_at is not None,
                     index(qpos, qnames, r.queue), ti)
            for leg in r.legs:
                legs.add(leg.started_at, leg.wait_seconds, leg.answered_at is not None,
                         leg.answered_at is None and leg.abandoned_at is not None,
                         index(qpos, qnames, leg.queue), ti)
        names = (tuple(qnames), tuple(tnames))
        return rows.table(*names, transfer_legs=legs.table(*names))

    @classmethod
    def from_events(cls, events: Iterable[Event], **kwargs: Any) -> ContactTable:
        return cls.from_records(records_from_events(events), **kwargs)


class _Columns:
    """Rows of a :class:`ContactTable` being built (waits closed at ``closed_at`` if given)."""

    def __init__(self, closed_at: float | None) -> None:
        self.closed_at = closed_at
        self.arrived: list[float] = []
        self.wait: list[float] = []
        self.answered: list[bool] = []
        self.abandoned: list[bool] = []
        self.queue: list[int] = []
        self.tier: list[int] = []

    def add(
        self, at: float, wait: float | None, answered: bool, abandoned: bool, qi: int, ti: int
    ) -> None:
        if wait is None and self.closed_at is not None:
            wait = max(self.closed_at - at, 0.0)  # unserved: censored at the close
        self.arrived.append(at)
        self.wait.append(math.nan if wait is None else wait)
        self.answered.append(answered)
        self.abandoned.append(abandoned)
        self.queue.append(qi)
        self.tier.append(ti)

    def table(
        self, queues: tuple[str, ...], tiers: tuple[str, ...], **kwargs: Any
    ) -> ContactTable:
        return ContactTable(
            np.asarray(self.arrived, dtype=np.float64),
            np.asarray(self.wait, dtype=np.float64),
            np.asarray(self.answered, dtype=np.bool_),
            np.asarray(self.abandoned, dtype=np.bool_),
            np.asarray(self.queue, dtype=np.int64),
            np.asarray(self.tier, dtype=np.int64),
            queues,
            tiers,
            **kwargs,
        )
