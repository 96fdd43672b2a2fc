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
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from routing.events import (
    CallbackOffered,
    CallbackScheduled,
    ComplaintRecorded,
    ConsultAnswered,
    ConsultEnded,
    ConsultStarted,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactHeld,
    ContactOffered,
    ContactOfferTimedOut,
    ContactRetrieved,
    ContactTransferred,
    DialAttempted,
    DialResult,
    Event,
    OfferRecorded,
    SurveyAnswered,
    WrapUpEnded,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: How a contact's wait ended: answered by an agent, abandoned by the caller, or (an
#: accepted callback) closed after its last dial did not reach the customer.
Outcome = Literal["answered", "abandoned", "callback_failed"]
OUTCOMES: tuple[Outcome, ...] = ("answered", "abandoned", "callback_failed")
#: The results of a dial that did not connect (:data:`routing.events.DIAL_RESULTS`).
DialFailure = Literal["no_answer", "busy", "machine", "invalid", "abandoned"]
#: Where a contact stands (:attr:`ContactRecord.status`, the interaction row's ``outcome``).
Status = Outcome | DialFailure | Literal["waiting", "callback", "dialing"]


DIAL_FAILURES: tuple[DialFailure, ...] = ("no_answer", "busy", "machine", "invalid", "abandoned")
STATUSES: tuple[Status, ...] = (*OUTCOMES, *DIAL_FAILURES, "waiting", "callback", "dialing")


def _dial_status(result: str | None) -> Status:
    """An outbound dial not answered yet: its failure, else ``dialing`` (no result yet, or
    connected and about to be answered)."""
    for failure in DIAL_FAILURES:
        if result == failure:
            return failure
    return "dialing"


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
    callback_failed_at: float | None = None

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def outcome(self) -> Outcome | None:
        """How this leg's wait ended; ``None`` while open."""
        return _outcome(self.answered_at, self.abandoned_at, self.callback_failed_at)

    @property
    def wait_seconds(self) -> float | None:
        """Wait in this leg: from the transfer to the answer (or hang-up, or the failed
        callback's close); ``None`` while open."""
        end = _end_of_wait(self.answered_at, self.abandoned_at, self.callback_failed_at)
        return None if end is None else end - self.started_at


def _outcome(
    answered_at: float | None, abandoned_at: float | None, failed_at: float | None
) -> Outcome | None:
    if answered_at is not None:
        return "answered"
    if abandoned_at is not None:
        return "abandoned"
    if failed_at is not None:
        return "callback_failed"
    return None


def _end_of_wait(
    answered_at: float | None, abandoned_at: float | None, failed_at: float | None
) -> float | None:
    if answered_at is not None:
        return answered_at
    if abandoned_at is not None:
        return abandoned_at
    return failed_at


@dataclass(slots=True)
class ContactRecord:
    """Everything the KPIs need to know about one contact (Ciw's data record, for an ACD).

    Times are on the event clock; ``None`` means "did not happen". The contact's own
    figures (``answered_at``, ``abandoned_at``, :attr:`wait_seconds`) are those of its
    arrival leg: the *first* arrival and the *first* answer (a transfer does not restart
    them). Each transfer adds a :class:`Leg` to ``legs``; the answer or abandon after a
    transfer closes that leg, not the contact's arrival leg.

    Callbacks (``callback``: the caller accepted one). When the engine offers a callback
    (``ContactOffered.callback``) the agent dials out, and the agent's ``ContactAnswered``
    counts as the answer (the customer came to the phone) unless the dial is then
    reported as not reaching them: a ``DialResult`` other than ``connected`` takes that
    answer back (the callback waits for its retry, still unanswered). While the dial's
    answer may still be taken back, ``dial_answered_at`` holds its time; the conversation
    ending normally or a transfer settles it. ``ContactEnded(reason="callback_failed")``
    closes the wait as a *failed callback* (``callback_failed_at``): neither answered
    nor abandoned.
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
    callback_failed_at: float | None = None
    #: the current offer is a callback's dial (``ContactOffered.callback``)
    dialling: bool = False
    #: the answer of the callback's dial, while a ``DialResult`` may still take it back
    dial_answered_at: float | None = None
    customer_id: str | None = None
    #: the last wrap-up's disposition code
    disposition: str | None = None
    #: the last dial's result (outbound dials and callbacks' dials)
    dial_result: str | None = None
    #: agents' talk and wrap-up on this contact so far (see :attr:`handle_seconds`)
    talk_seconds: float = 0.0
    wrap_up_seconds: float = 0.0
    #: when the current conversation started (an agent answered); None: nobody talks to it
    talking_since: float | None = None
    #: agent -> when their wrap-up of this contact started (until their ``WrapUpEnded``)
    wrapping: dict[str, float] = field(default_factory=dict)
    #: the contact reason of the first wrap-up that gave one (``WrapUpEnded.reason``: what
    #: first-contact resolution compares, :mod:`qa.outcomes`)
    reason: str | None = None
    #: offers put to the customer (``OfferRecorded`` ``made``) and sales (``accepted``)
    offers_made: int = 0
    cross_sell_sales: int = 0
    up_sell_sales: int = 0
    #: accepted offers of any kind (cross-sell, up-sell, retention) and their summed amount
    sales: int = 0
    sales_amount: float = 0.0
    #: complaints raised on the contact (``ComplaintRecorded``)
    complaints: int = 0
    #: the customer's last satisfaction score (``SurveyAnswered``, 1 to 5), None: no answer
    survey_score: int | None = None
    #: the caller's time on hold so far, and since when the caller is on hold (None: not
    #: held). A consult does not stop the hold: the caller holds until the agent resumes, or
    #: until the completed consult connects them to the colleague.
    hold_seconds: float = 0.0
    held_since: float | None = None
    #: consults the agents started on this contact (:mod:`routing.consult`); a completed one
    #: also counts in ``transfers``
    consults: int = 0
    #: colleagues' talk in consults on this contact (answer to the consult's end)
    consult_seconds: float = 0.0
    #: colleague -> when they answered the consult in progress
    consulting: dict[str, float] = field(default_factory=dict)

    @property
    def queue_now(self) -> str:
        """The queue of the contact's current leg (its arrival queue until a transfer)."""
        return self.legs[-1].queue if self.legs else self.queue

    @property
    def outcome(self) -> Outcome | None:
        """How the arrival leg's wait ended; ``None`` while still waiting."""
        return _outcome(self.answered_at, self.abandoned_at, self.callback_failed_at)

    @property
    def wait_seconds(self) -> float | None:
        """Wait until answer, until the caller hung up, or until a failed callback was
        closed; ``None`` while still waiting."""
        end = _end_of_wait(self.answered_at, self.abandoned_at, self.callback_failed_at)
        return None if end is None else end - self.arrived_at

    @property
    def callback_failed(self) -> bool:
        """An accepted callback closed without reaching the customer (in any leg)."""
        return self.callback_failed_at is not None or any(
            leg.callback_failed_at is not None for leg in self.legs
        )

    @property
    def handle_seconds(self) -> float | None:
        """Handle time: the agents' talk (hold included) and wrap-up on this contact,
        ``talk_seconds + wrap_up_seconds`` (the one definition of handle time, :mod:`qa.kpis`),
        plus ``consult_seconds``: a colleague's talk in a consult is agent work on the contact
        too (0 for a contact without consults).

        Talk runs from each answer to the transfer, the end of the conversation, or a
        callback dial's result; each agent's wrap-up from there to their ``WrapUpEnded``. A
        transferred contact's wait in its next queue is not handle time. ``None`` until it
        is known: not answered, not ended, or a conversation or wrap-up still running."""
        if self.answered_at is None or self.ended_at is None or not self.finished:
            return None
        return self.talk_seconds + self.wrap_up_seconds + self.consult_seconds

    @property
    def finished(self) -> bool:
        """The contact's story is over: it abandoned (in its last leg), or it ended and no
        agent is still talking to it or wrapping it up."""
        if self.abandoned_at is not None or (self.legs and self.legs[-1].abandoned_at is not None):
            return True
        return (self.ended_at is not None and self.talking_since is None and not self.wrapping
                and not self.consulting)

    @property
    def status(self) -> Status:
        """Where the contact stands, as the interaction row's ``outcome`` says it
        (:data:`STATUSES`): its wait's outcome once it ended; the result of an outbound
        dial that did not connect; ``dialing`` for an outbound dial not answered yet;
        ``callback`` while an accepted callback waits; else ``waiting``."""
        outcome = self.outcome
        if outcome is not None:
            return outcome
        if self.direction == "outbound":
            return _dial_status(self.dial_result)
        return "callback" if self.callback else "waiting"

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
                rec = ContactRecord(event.contact_id, event.queue, event.tier, event.direction,
                                    event.at, customer_id=event.customer_id)
                self.records[event.contact_id] = rec
            return rec
        if isinstance(event, DialAttempted):
            rec = self.records.get(event.contact_id)
            if rec is None:  # an outbound dial: the record starts with the dial
                rec = ContactRecord(event.contact_id, event.campaign, "core", "outbound",
                                    event.at, customer_id=event.customer_id)
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

    @staticmethod
    def appliers() -> dict[type[Event], Callable[[ContactRecord, Event], None]]:
        """How each event type changes the record of its contact, for a loop that
        dispatches on the exact type itself (the simulator's): for a type listed,
        ``appliers()[type(ev)](records[ev.contact_id], ev)`` is what :meth:`add` does
        when the contact has a record (none: :meth:`add` ignores the event); any other
        type goes through :meth:`add` (arrivals and dials start a record)."""
        return dict(_APPLY)


def _answered(rec: ContactRecord, ev: ContactAnswered) -> None:
    """The wait of the current leg (or of the arrival leg) ends in an answer."""
    if rec.legs and rec.legs[-1].open:
        rec.legs[-1].answered_at = ev.at
    elif (rec.answered_at is None and rec.abandoned_at is None  # rec.outcome is None
          and rec.callback_failed_at is None):
        rec.answered_at = ev.at
        rec.agent_id = ev.agent_id
    else:
        return
    rec.talking_since = ev.at
    if rec.dialling:
        rec.dial_answered_at = ev.at


def _stop_talking(rec: ContactRecord, at: float, agent_id: str | None) -> None:
    """The conversation (if any) stops at ``at``; ``agent_id`` starts wrapping it up."""
    if rec.talking_since is not None:
        rec.talk_seconds += at - rec.talking_since
        rec.talking_since = None
    if agent_id is not None:
        rec.wrapping.setdefault(agent_id, at)


def _settle_dial(rec: ContactRecord) -> None:
    """The callback's dial reached the customer (or there was none): its answer stays."""
    rec.dialling = False
    rec.dial_answered_at = None


def _dial_result(rec: ContactRecord, ev: Event) -> None:
    """A callback's dial did not reach the customer: take back the answer of that dial."""
    assert isinstance(ev, DialResult)
    rec.dial_result = ev.result
    if not rec.callback or ev.result == "connected":
        return
    _stop_hold(rec, ev.at)
    _stop_talking(rec, ev.at, ev.agent_id)  # the dial's time and its wrap-up are agent work
    at = rec.dial_answered_at
    if at is not None:
        if rec.legs and rec.legs[-1].answered_at == at:
            rec.legs[-1].answered_at = None
        elif not rec.legs and rec.answered_at == at:
            rec.answered_at = None
            rec.agent_id = None
    _settle_dial(rec)


def _abandoned(rec: ContactRecord, ev: Event) -> None:
    if rec.legs and rec.legs[-1].open:
        rec.legs[-1].abandoned_at = ev.at
    elif rec.outcome is None:
        rec.abandoned_at = ev.at


def _offered(rec: ContactRecord, ev: ContactOffered) -> None:
    rec.offers += 1
    rec.dialling = ev.callback


def _timed_out(rec: ContactRecord, ev: Event) -> None:
    rec.offer_timeouts += 1
    _settle_dial(rec)


def _ended(rec: ContactRecord, ev: ContactEnded) -> None:
    at, agent_id = ev.at, ev.agent_id
    rec.ended_at = at
    if rec.held_since is not None:  # _stop_hold, written out
        rec.hold_seconds += at - rec.held_since
        rec.held_since = None
    if rec.talking_since is not None:  # _stop_talking, written out (once per call)
        rec.talk_seconds += at - rec.talking_since
        rec.talking_since = None
    if agent_id is not None:
        rec.wrapping.setdefault(agent_id, at)
    rec.dialling = False  # _settle_dial
    rec.dial_answered_at = None
    if ev.reason != "callback_failed":
        return
    if rec.legs and rec.legs[-1].open:
        rec.legs[-1].callback_failed_at = ev.at
    elif rec.outcome is None:
        rec.callback_failed_at = ev.at


def _wrapped(rec: ContactRecord, ev: WrapUpEnded) -> None:
    rec.wrap_up_ended_at = ev.at
    since = rec.wrapping.pop(ev.agent_id, None)
    if since is not None:
        rec.wrap_up_seconds += ev.at - since
    if ev.disposition is not None:
        rec.disposition = ev.disposition
    if rec.reason is None and ev.reason is not None:
        rec.reason = ev.reason


def _offer(rec: ContactRecord, ev: Event) -> None:
    """An offer step: ``made`` counts an offer put; ``accepted`` a sale of its kind."""
    assert isinstance(ev, OfferRecorded)
    if ev.result == "made":
        rec.offers_made += 1
    elif ev.result == "accepted":
        rec.sales += 1
        rec.cross_sell_sales += ev.kind == "cross_sell"
        rec.up_sell_sales += ev.kind == "up_sell"
        rec.sales_amount += ev.amount or 0.0


def _complaint(rec: ContactRecord, ev: Event) -> None:
    rec.complaints += 1


def _survey(rec: ContactRecord, ev: Event) -> None:
    assert isinstance(ev, SurveyAnswered)
    rec.survey_score = ev.score


def _held(rec: ContactRecord, ev: Event) -> None:
    rec.holds += 1
    if rec.held_since is None:
        rec.held_since = ev.at


def _stop_hold(rec: ContactRecord, at: float) -> None:
    if rec.held_since is not None:
        rec.hold_seconds += at - rec.held_since
        rec.held_since = None


def _retrieved(rec: ContactRecord, ev: Event) -> None:
    _stop_hold(rec, ev.at)


def _consult_started(rec: ContactRecord, ev: Event) -> None:
    rec.consults += 1


def _consult_answered(rec: ContactRecord, ev: Event) -> None:
    assert isinstance(ev, ConsultAnswered)
    rec.consulting[ev.colleague_id] = ev.at


def _consult_ended(rec: ContactRecord, ev: Event) -> None:
    """The colleague's consult talk ends; a completed consult is a transfer to the colleague:
    the agent's talk ends (their wrap-up starts), the caller's hold ends and the colleague's
    conversation with the caller starts (no new wait: the caller was never queued)."""
    assert isinstance(ev, ConsultEnded)
    since = rec.consulting.pop(ev.colleague_id, None)
    if since is not None:
        rec.consult_seconds += ev.at - since
    if ev.outcome != "completed":
        return
    rec.transfers += 1
    _settle_dial(rec)
    _stop_hold(rec, ev.at)
    _stop_talking(rec, ev.at, ev.agent_id)
    rec.talking_since = ev.at


def _transferred(rec: ContactRecord, ev: Event) -> None:
    assert isinstance(ev, ContactTransferred)
    _settle_dial(rec)  # a callback the agent transfers has reached the customer
    _stop_hold(rec, ev.at)
    _stop_talking(rec, ev.at, ev.agent_id)
    rec.transfers += 1
    rec.legs.append(Leg(ev.target_queue or rec.queue_now, ev.at))


def _callback(rec: ContactRecord, ev: Event) -> None:
    rec.callback = True
    if rec.callback_at is None:
        rec.callback_at = ev.at


def _callback_offered(rec: ContactRecord, ev: Event) -> None:
    rec.callback_offered = True


#: How each contact event changes the contact's record (dispatch on the exact type).
#: The four of every call take their own event type (no isinstance check per event).
_APPLY: dict[type[Event], Callable[[ContactRecord, Event], None]] = {
    ContactAnswered: cast(Callable[[ContactRecord, Event], None], _answered),
    ContactAbandoned: _abandoned,
    ContactOffered: cast(Callable[[ContactRecord, Event], None], _offered),
    ContactOfferTimedOut: _timed_out,
    ContactEnded: cast(Callable[[ContactRecord, Event], None], _ended),
    WrapUpEnded: cast(Callable[[ContactRecord, Event], None], _wrapped),
    ContactHeld: _held,
    ContactTransferred: _transferred,
    CallbackScheduled: _callback,
    CallbackOffered: _callback_offered,
    DialResult: _dial_result,
    OfferRecorded: _offer,
    ComplaintRecorded: _complaint,
    SurveyAnswered: _survey,
    ContactRetrieved: _retrieved,
    ConsultStarted: _consult_started,
    ConsultAnswered: _consult_answered,
    ConsultEnded: _consult_ended,
}


def records_from_events(events: Iterable[Event]) -> list[ContactRecord]:
    """One :class:`ContactRecord` per contact that arrived, in order of arrival."""
    return list(RecordBuilder().extend(events).records.values())


# --- the same records as columns --------------------------------------------------


@dataclass(frozen=True)
class ContactTable:
    """Contact records as numpy columns (the fast path of the simulator builds this directly).

    ``wait_seconds`` is NaN for contacts still waiting; ``answered``, ``abandoned`` and
    ``callback_failed`` (an accepted callback closed without reaching the customer; all
    False when not given) are exclusive. ``queue_index`` / ``tier_index`` index
    ``queues`` / ``tiers``.

    A table built *closed* at a time ``t`` (:meth:`from_records` with ``closed_at``: the
    end of a finished simulation) has no contact still waiting: one whose wait has not
    ended by ``t`` is *unserved* (:attr:`unserved`): neither answered nor abandoned, with
    the censored wait ``t - arrived_at``.

    ``transfer_legs``: the transferred-in legs (:class:`Leg`) as a table of the same shape
    and the same ``queues`` / ``tiers``: one row per leg, ``arrived_at`` the transfer's
    time (arrival in the leg's queue), ``queue_index`` the leg's queue, ``tier_index`` the
    contact's tier; ``None`` when there is none to report (the fast path).

    ``handle_seconds``: handle time (talk, hold and wrap-up,
    :attr:`ContactRecord.handle_seconds`) of answered contacts, NaN where unknown (not
    wrapped up yet); ``None`` when the source has none (the simulator's fast path).
    A contact whose wait ended but whose end time is unknown (NaN ``wait_seconds`` with
    ``abandoned`` or ``callback_failed`` set) counts in its class with an unknown wait.
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
    callback_failed: BoolArray | None = None
    handle_seconds: FloatArray | None = None

    def __post_init__(self) -> None:
        n = len(self.arrived_at)
        for f in ("wait_seconds", "answered", "abandoned", "queue_index", "tier_index",
                  "callback_failed", "handle_seconds"):
            column = getattr(self, f)
            if column is not None and len(column) != n:
                raise ValueError(f"{f} has {len(column)} rows, arrived_at has {n}")
        ended = self.answered.astype(np.int64) + self.abandoned + self.failed
        if np.any(ended > 1):
            raise ValueError("answered, abandoned and callback_failed must be exclusive")
        legs = self.transfer_legs
        if legs is not None and (legs.queues, legs.tiers) != (self.queues, self.tiers):
            raise ValueError("transfer_legs must have the same queues and tiers as the table")

    def __len__(self) -> int:
        return len(self.arrived_at)

    @property
    def failed(self) -> BoolArray:
        """``callback_failed``, all False when the table has no such column."""
        if self.callback_failed is None:
            return np.zeros(len(self), dtype=np.bool_)
        return self.callback_failed

    @property
    def unserved(self) -> BoolArray:
        """Contacts of a closed table still waiting at its close (see the class docstring)."""
        out: BoolArray = (~self.answered & ~self.abandoned & ~self.failed
                          & ~np.isnan(self.wait_seconds))
        return out

    @classmethod
    def from_times(
        cls,
        arrived_at: FloatArray,
        answered_at: FloatArray,
        ended_at: FloatArray,
        outcome_index: IntArray,
        queue_index: IntArray,
        tier_index: IntArray,
        queues: Sequence[str],
        tiers: Sequence[str],
        *,
        handle_seconds: FloatArray | None = None,
        ticks_per_second: float = 1.0,
    ) -> ContactTable:
        """An open table from per-contact times and outcomes (a store of one row per
        contact, such as the server's interaction table, rather than events).

        ``outcome_index`` indexes :data:`OUTCOMES` (``answered``, ``abandoned``,
        ``callback_failed``); ``-1``: the wait has not ended (still waiting). Times are in
        ticks (``ticks_per_second`` per second; NaN where unknown): give integral ticks
        (microseconds, say) and the waits are exact, so a wait of exactly ``T`` is within
        ``T`` on every database. The wait, as everywhere in :mod:`qa.kpis`::

            answered:               wait = answered_at - arrived_at
            abandoned, failed cb.:  wait = ended_at - arrived_at   (NaN if ended_at unknown)

        Raises ``ValueError`` for an answered contact with no ``answered_at``, or an
        ``outcome_index`` out of range.
        """
        code = np.asarray(outcome_index, dtype=np.int64)
        if np.any((code < -1) | (code >= len(OUTCOMES))):
            raise ValueError(f"outcome_index must be -1 or index OUTCOMES {OUTCOMES}")
        arrived = np.asarray(arrived_at, dtype=np.float64)
        answered = code == OUTCOMES.index("answered")
        if np.any(answered & np.isnan(answered_at)):
            raise ValueError("answered contacts need answered_at")
        end = np.where(answered, answered_at, np.where(code >= 0, ended_at, np.nan))
        return cls(
            arrived / ticks_per_second,
            (end - arrived) / ticks_per_second,
            answered,
            code == OUTCOMES.index("abandoned"),
            np.asarray(queue_index, dtype=np.int64),
            np.asarray(tier_index, dtype=np.int64),
            tuple(queues),
            tuple(tiers),
            callback_failed=code == OUTCOMES.index("callback_failed"),
            handle_seconds=None if handle_seconds is None
            else np.asarray(handle_seconds, dtype=np.float64),
        )

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
        handles: list[float] = []
        for r in records:
            if r.direction != direction:
                continue
            ti = tpos.get(r.tier)
            if ti is None:
                ti = index(tpos, tnames, r.tier)
            qi = qpos.get(r.queue)
            if qi is None:
                qi = index(qpos, qnames, r.queue)
            rows.add(r.arrived_at, r.wait_seconds, r.outcome, qi, ti)
            handle = r.handle_seconds
            handles.append(math.nan if handle is None else handle)
            for leg in r.legs:
                legs.add(leg.started_at, leg.wait_seconds, leg.outcome,
                         index(qpos, qnames, leg.queue), ti)
        names = (tuple(qnames), tuple(tnames))
        return rows.table(*names, transfer_legs=legs.table(*names),
                          handle_seconds=np.asarray(handles, dtype=np.float64))

    @classmethod
    def from_events(cls, events: Iterable[Event], **kwargs: Any) -> ContactTable:
        return cls.from_records(records_from_events(events), **kwargs)


#: ``OUTCOMES.index(outcome)``, and -1 for ``None`` (the wait has not ended).
_OUTCOME_CODE: dict[Outcome | None, int] = {None: -1, **{o: i for i, o in enumerate(OUTCOMES)}}


class _Columns:
    """Rows of a :class:`ContactTable` being built (waits closed at ``closed_at`` if given)."""

    def __init__(self, closed_at: float | None) -> None:
        self.closed_at = closed_at
        self.arrived: list[float] = []
        self.wait: list[float] = []
        self.outcome: list[int] = []
        self.queue: list[int] = []
        self.tier: list[int] = []

    def add(
        self, at: float, wait: float | None, outcome: Outcome | None, qi: int, ti: int
    ) -> None:
        if wait is None and self.closed_at is not None:
            wait = max(self.closed_at - at, 0.0)  # unserved: censored at the close
        self.arrived.append(at)
        self.wait.append(math.nan if wait is None else wait)
        self.outcome.append(_OUTCOME_CODE[outcome])
        self.queue.append(qi)
        self.tier.append(ti)

    def table(
        self, queues: tuple[str, ...], tiers: tuple[str, ...], **kwargs: Any
    ) -> ContactTable:
        code = np.asarray(self.outcome, dtype=np.int64)
        return ContactTable(
            np.asarray(self.arrived, dtype=np.float64),
            np.asarray(self.wait, dtype=np.float64),
            code == OUTCOMES.index("answered"),
            code == OUTCOMES.index("abandoned"),
            np.asarray(self.queue, dtype=np.int64),
            np.asarray(self.tier, dtype=np.int64),
            queues,
            tiers,
            callback_failed=code == OUTCOMES.index("callback_failed"),
            **kwargs,
        )
