"""One flat record per contact, built from the event log (Ciw's data record, for an ACD).

``events`` ──▶ :class:`RecordBuilder` ──▶ :class:`ContactRecord` (one per contact)
──▶ :class:`ContactTable` (the same records as numpy columns, which the simulator's
fast path also builds directly). Every KPI in :mod:`qa.kpis` reads these.

The conventions (what a *wait* is, when a contact counts as offered) are stated in
:mod:`qa.kpis`. This module imports only numpy and :mod:`routing.events`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
class ContactRecord:
    """Everything the KPIs need to know about one contact (Ciw's data record, for an ACD).

    Times are on the event clock; ``None`` means "did not happen". Only the *first*
    answer and the *first* arrival count for the wait (a transfer does not restart it).
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
    if rec.answered_at is None and rec.abandoned_at is None:
        assert isinstance(ev, ContactAnswered)
        rec.answered_at = ev.at
        rec.agent_id = ev.agent_id


def _abandoned(rec: ContactRecord, ev: Event) -> None:
    if rec.answered_at is None and rec.abandoned_at is None:
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
    rec.transfers += 1


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
    """

    arrived_at: FloatArray
    wait_seconds: FloatArray
    answered: BoolArray
    abandoned: BoolArray
    queue_index: IntArray
    tier_index: IntArray
    queues: tuple[str, ...]
    tiers: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.arrived_at)
        for f in ("wait_seconds", "answered", "abandoned", "queue_index", "tier_index"):
            if len(getattr(self, f)) != n:
                raise ValueError(f"{f} has {len(getattr(self, f))} rows, arrived_at has {n}")

    def __len__(self) -> int:
        return len(self.arrived_at)

    @classmethod
    def from_records(
        cls,
        records: Iterable[ContactRecord],
        queues: Sequence[str] = (),
        tiers: Sequence[str] = (),
        direction: str = "inbound",
    ) -> ContactTable:
        """Columns of the records with ``direction``; names not in ``queues``/``tiers`` are appended."""
        qnames, tnames = list(queues), list(tiers)
        qpos = {q: i for i, q in enumerate(qnames)}
        tpos = {t: i for i, t in enumerate(tnames)}
        arrived, wait, ans, ab, qi, ti = [], [], [], [], [], []
        for r in records:
            if r.direction != direction:
                continue
            if r.queue not in qpos:
                qpos[r.queue] = len(qnames)
                qnames.append(r.queue)
            if r.tier not in tpos:
                tpos[r.tier] = len(tnames)
                tnames.append(r.tier)
            w = r.wait_seconds
            arrived.append(r.arrived_at)
            wait.append(math.nan if w is None else w)
            ans.append(r.answered_at is not None)
            ab.append(r.answered_at is None and r.abandoned_at is not None)
            qi.append(qpos[r.queue])
            ti.append(tpos[r.tier])
        return cls(
            np.asarray(arrived, dtype=np.float64),
            np.asarray(wait, dtype=np.float64),
            np.asarray(ans, dtype=np.bool_),
            np.asarray(ab, dtype=np.bool_),
            np.asarray(qi, dtype=np.int64),
            np.asarray(ti, dtype=np.int64),
            tuple(qnames),
            tuple(tnames),
        )

    @classmethod
    def from_events(cls, events: Iterable[Event], **kwargs: Sequence[str]) -> ContactTable:
        return cls.from_records(records_from_events(events), **kwargs)  # type: ignore[arg-type]
