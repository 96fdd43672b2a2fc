"""Contact-center KPIs, written once over the event log.

The live wallboard, the reports and the simulator all compute their figures here.
The path is always the same, after Ciw's data record:

``events`` ──▶ :class:`ContactRecord` (one flat record per contact, built by
:class:`RecordBuilder`) ──▶ :class:`ContactTable` (the same records as numpy
columns) ──▶ :class:`KpiCounts` (the handful of sums every KPI needs) ──▶ the KPI
functions (:func:`service_level`, :func:`average_speed_of_answer`,
:func:`abandonment_rate`, :func:`mean_wait`, :func:`occupancy`).

Agent time (for occupancy) goes ``events`` ──▶ :class:`AgentTimeBuilder` ──▶
:class:`AgentTime` (busy and available seconds per interval).

:class:`KpiAccumulator` does the same incrementally, one event at a time, for the
wallboard: ``acc.add(event)`` then ``acc.counts()`` / ``acc.service_level()``.

Conventions (the same names as the Erlang module uses)
------------------------------------------------------
* The *wait* of a contact is ``answered_at - arrived_at`` if it was answered, and
  ``abandoned_at - arrived_at`` if the caller hung up first. A contact still waiting
  is neither answered nor abandoned and is not counted as offered yet.
* *Offered* ``N = A + B``: answered ``A`` plus abandoned ``B`` (contacts whose wait ended).
* *Within the threshold* means a wait ``<= T`` seconds: ``A_T`` answered and ``B_T``
  abandoned within ``T``.
* A *short abandon* is one after a wait ``< S`` seconds: ``B_S``.
* Contacts are attributed to the interval in which they *arrived*.
* Only inbound contacts count (``direction == "inbound"``).

This module imports only numpy and :mod:`routing.events`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
import numpy.typing as npt

from routing.events import (
    AgentStateChanged,
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

ServiceLevelDefinition = Literal[
    "answered_of_offered",
    "answered_of_answered",
    "excluding_abandoned_within_threshold",
    "abandoned_within_threshold_as_met",
    "excluding_short_abandons",
]
SERVICE_LEVEL_DEFINITIONS: tuple[str, ...] = (
    "answered_of_offered",
    "answered_of_answered",
    "excluding_abandoned_within_threshold",
    "abandoned_within_threshold_as_met",
    "excluding_short_abandons",
)

#: Agent states that count as working a contact (numerator of occupancy). Ringing and
#: reserved count: the agent is held for that contact and can take no other.
BUSY_STATES: frozenset[str] = frozenset(
    {"reserved", "ringing", "offered", "talking", "hold", "held", "on_hold", "wrap_up"}
)
#: Agent states that count as available but idle.
IDLE_STATES: frozenset[str] = frozenset({"ready", "idle", "available"})


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


# --- the sums every KPI needs ------------------------------------------------------


@dataclass(slots=True)
class KpiCounts:
    """The sums behind every contact KPI, for one group of contacts. Adding two adds the sums.

    ``offered = answered + abandoned``; ``wait_answered_seconds`` is the sum of the waits
    of answered contacts, ``wait_all_seconds`` that over all offered contacts.
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0
    wait_answered_seconds: float = 0.0
    wait_all_seconds: float = 0.0

    def __add__(self, other: KpiCounts) -> KpiCounts:
        return KpiCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def add_contact(self, wait: float, answered: bool, threshold: float, short: float) -> None:
        """Count one contact whose wait ended (answered, or abandoned if not ``answered``)."""
        self.offered += 1
        self.wait_all_seconds += wait
        if answered:
            self.answered += 1
            self.wait_answered_seconds += wait
            self.answered_within += wait <= threshold
        else:
            self.abandoned += 1
            self.abandoned_within += wait <= threshold
            self.short_abandoned += wait < short

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def count_contacts(
    table: ContactTable,
    threshold_seconds: float,
    short_abandon_seconds: float = 0.0,
    mask: BoolArray | None = None,
) -> KpiCounts:
    """:class:`KpiCounts` of the contacts of ``table`` selected by ``mask`` (all by default)."""
    ans, ab, wait = table.answered, table.abandoned, table.wait_seconds
    if mask is not None:
        ans, ab, wait = ans[mask], ab[mask], wait[mask]
    wa, wb = wait[ans], wait[ab]
    return KpiCounts(
        offered=int(ans.sum() + ab.sum()),
        answered=int(ans.sum()),
        abandoned=int(ab.sum()),
        answered_within=int((wa <= threshold_seconds).sum()),
        abandoned_within=int((wb <= threshold_seconds).sum()),
        short_abandoned=int((wb < short_abandon_seconds).sum()),
        wait_answered_seconds=float(wa.sum()),
        wait_all_seconds=float(wa.sum() + wb.sum()),
    )


def interval_index(at: FloatArray, interval_seconds: float, start: float = 0.0) -> IntArray:
    """Index of the interval ``floor((at - start) / interval_seconds)`` each time falls in."""
    return np.floor((np.asarray(at) - start) / interval_seconds).astype(np.int64)


def counts_by_interval(
    table: ContactTable,
    interval_seconds: float,
    n_intervals: int,
    threshold_seconds: float,
    short_abandon_seconds: float = 0.0,
    mask: BoolArray | None = None,
) -> list[KpiCounts]:
    """:class:`KpiCounts` per arrival interval ``0 .. n_intervals-1`` (clock starts at 0)."""
    idx = interval_index(table.arrived_at, interval_seconds)
    base = np.ones(len(table), dtype=np.bool_) if mask is None else mask
    return [
        count_contacts(table, threshold_seconds, short_abandon_seconds, base & (idx == k))
        for k in range(n_intervals)
    ]


def counts_by_queue(
    table: ContactTable, threshold_seconds: float, short_abandon_seconds: float = 0.0
) -> dict[str, KpiCounts]:
    return {
        q: count_contacts(table, threshold_seconds, short_abandon_seconds, table.queue_index == i)
        for i, q in enumerate(table.queues)
    }


def counts_by_tier(
    table: ContactTable, threshold_seconds: float, short_abandon_seconds: float = 0.0
) -> dict[str, KpiCounts]:
    return {
        t: count_contacts(table, threshold_seconds, short_abandon_seconds, table.tier_index == i)
        for i, t in enumerate(table.tiers)
    }


# --- the KPI formulas ----------------------------------------------------------------


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan


def service_level(
    counts: KpiCounts, definition: ServiceLevelDefinition = "answered_of_offered"
) -> float:
    """Share of contacts served within the threshold ``T`` (NaN when the denominator is 0).

    With ``A`` answered, ``B`` abandoned, ``N = A + B`` offered, ``A_T`` answered with a
    wait ``<= T``, ``B_T`` abandoned with a wait ``<= T`` and ``B_S`` abandoned after
    ``< S`` seconds:

    * ``answered_of_offered`` (default): ``A_T / N``
    * ``answered_of_answered``: ``A_T / A``
    * ``excluding_abandoned_within_threshold``: ``A_T / (N - B_T)``
    * ``abandoned_within_threshold_as_met``: ``(A_T + B_T) / N``
    * ``excluding_short_abandons``: ``A_T / (N - B_S)``

    The names follow the Erlang module (``wfm.erlang``), where the first is
    ``P(W <= T)`` of Erlang C/A. Source: ICMI / Cleveland, *Call Center Management on
    Fast Forward*, ch. 3 (the common SL variants).
    """
    c = counts
    if definition == "answered_of_offered":
        return _ratio(c.answered_within, c.offered)
    if definition == "answered_of_answered":
        return _ratio(c.answered_within, c.answered)
    if definition == "excluding_abandoned_within_threshold":
        return _ratio(c.answered_within, c.offered - c.abandoned_within)
    if definition == "abandoned_within_threshold_as_met":
        return _ratio(c.answered_within + c.abandoned_within, c.offered)
    if definition == "excluding_short_abandons":
        return _ratio(c.answered_within, c.offered - c.short_abandoned)
    raise ValueError(f"definition must be one of {SERVICE_LEVEL_DEFINITIONS}, got {definition!r}")


def average_speed_of_answer(counts: KpiCounts) -> float:
    """ASA: mean wait of the answered contacts, ``sum(wait of answered) / A`` seconds."""
    return _ratio(counts.wait_answered_seconds, counts.answered)


def mean_wait(counts: KpiCounts) -> float:
    """Mean wait over all offered contacts (answered or abandoned), ``sum(wait) / N`` seconds."""
    return _ratio(counts.wait_all_seconds, counts.offered)


def abandonment_rate(counts: KpiCounts) -> float:
    """Share of offered contacts that abandoned, ``B / N``."""
    return _ratio(counts.abandoned, counts.offered)


def short_abandonment_rate(counts: KpiCounts) -> float:
    """Share of offered contacts that abandoned after less than ``S`` seconds, ``B_S / N``."""
    return _ratio(counts.short_abandoned, counts.offered)


def kpi_summary(
    counts: KpiCounts, definition: ServiceLevelDefinition = "answered_of_offered"
) -> dict[str, float]:
    """The standard figures of one group: counts, SL, ASA, mean wait, abandonment."""
    return {
        "offered": float(counts.offered),
        "answered": float(counts.answered),
        "abandoned": float(counts.abandoned),
        "p_abandon": abandonment_rate(counts),
        "asa_seconds": average_speed_of_answer(counts),
        "mean_wait_seconds": mean_wait(counts),
        "service_level": service_level(counts, definition),
    }


# --- callbacks ------------------------------------------------------------------------


@dataclass(slots=True)
class CallbackCounts:
    """Sums behind the callback figures: callers ``offered`` a callback, ``accepted``
    (``CallbackScheduled``), accepted callbacks ``answered`` and the sum of their
    :attr:`ContactRecord.callback_wait_seconds`.

    An accepted callback cannot abandon (the engine ignores ``abandon`` for it); it is
    answered or still waiting, so it never counts in ``B``.
    """

    offered: int = 0
    accepted: int = 0
    answered: int = 0
    wait_seconds: float = 0.0


def count_callbacks(records: Iterable[ContactRecord], direction: str = "inbound") -> CallbackCounts:
    """:class:`CallbackCounts` over the records with ``direction``."""
    c = CallbackCounts()
    for r in records:
        if r.direction != direction:
            continue
        c.offered += r.callback_offered
        c.accepted += r.callback
        w = r.callback_wait_seconds
        if w is not None:
            c.answered += 1
            c.wait_seconds += w
    return c


def callback_acceptance_rate(counts: CallbackCounts) -> float:
    """Share of callback offers accepted, ``accepted / offered`` (NaN with no offer)."""
    return _ratio(counts.accepted, counts.offered)


def mean_callback_wait(counts: CallbackCounts) -> float:
    """Mean wait of answered callbacks, ``sum(answered_at - callback_at) / answered`` seconds."""
    return _ratio(counts.wait_seconds, counts.answered)


def callback_summary(counts: CallbackCounts) -> dict[str, float]:
    """The callback figures of one group: offered, accepted, acceptance rate, mean wait."""
    return {
        "callbacks_offered": float(counts.offered),
        "callbacks_accepted": float(counts.accepted),
        "callback_acceptance": callback_acceptance_rate(counts),
        "callback_wait_seconds": mean_callback_wait(counts),
    }


# --- agent time and occupancy --------------------------------------------------------


@dataclass(frozen=True)
class AgentTime:
    """Agent seconds per interval: ``busy`` (working a contact) and ``available`` (busy + idle).

    Not-ready and logged-out time is in neither.
    """

    busy_seconds: FloatArray
    available_seconds: FloatArray


def occupancy(agent_time: AgentTime) -> FloatArray:
    """Occupancy per interval: ``busy / available``.

    ``busy`` is time in a :data:`BUSY_STATES` state (reserved/ringing, talking, hold,
    wrap-up); ``available`` is that plus time in :data:`IDLE_STATES` (ready). Not-ready
    time (breaks, training) counts in neither, the usual WFM definition. NaN where no
    agent was available.
    """
    busy, avail = agent_time.busy_seconds, agent_time.available_seconds
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(avail > 0, busy / np.where(avail > 0, avail, 1.0), np.nan)


def total_occupancy(agent_time: AgentTime) -> float:
    """Occupancy over the whole period, ``sum(busy) / sum(available)``."""
    return _ratio(float(agent_time.busy_seconds.sum()), float(agent_time.available_seconds.sum()))


def seconds_per_interval(
    starts: FloatArray, ends: FloatArray, interval_seconds: float, n_intervals: int
) -> FloatArray:
    """Seconds of the spans ``[starts[i], ends[i])`` falling in each interval ``0 .. n-1``.

    Time past the last interval is added to the last one (calls finishing after the horizon).
    """
    out = np.zeros(n_intervals)
    starts, ends = np.asarray(starts, dtype=np.float64), np.asarray(ends, dtype=np.float64)
    if len(starts) == 0 or n_intervals == 0:
        return out
    last = n_intervals - 1
    k0 = np.clip(np.floor(starts / interval_seconds).astype(np.int64), 0, last)
    active = ends > starts
    m = 0
    while active.any():
        k = k0 + m
        lo = np.maximum(starts, k * interval_seconds)
        hi = np.where(k >= last, ends, np.minimum(ends, (k + 1) * interval_seconds))
        np.add.at(out, np.minimum(k, last), np.where(active, np.maximum(hi - lo, 0.0), 0.0))
        active &= (k < last) & (ends > (k + 1) * interval_seconds)
        m += 1
    return out


class AgentTimeBuilder:
    """Folds :class:`AgentStateChanged` events into :class:`AgentTime` (streaming).

    Closed state spans are kept as (start, end) lists and cut into intervals at
    :meth:`result` with :func:`seconds_per_interval`.
    """

    def __init__(self, interval_seconds: float, n_intervals: int) -> None:
        self.interval_seconds = interval_seconds
        self.n_intervals = n_intervals
        self._busy: tuple[list[float], list[float]] = ([], [])
        self._idle: tuple[list[float], list[float]] = ([], [])
        self._since: dict[str, tuple[str, float]] = {}

    def add(self, event: Event) -> None:
        if not isinstance(event, AgentStateChanged):
            return
        since = self._since
        prev = since.get(event.agent_id)
        if prev is not None and event.at > prev[1]:
            state = prev[0]
            spans = self._busy if state in BUSY_STATES else self._idle if state in IDLE_STATES else None
            if spans is not None:
                spans[0].append(prev[1])
                spans[1].append(event.at)
        since[event.agent_id] = (event.state, event.at)

    def result(self, now: float | None = None) -> AgentTime:
        """The agent time so far; states still open are counted up to ``now`` if given."""
        (bs, be), (is_, ie) = self._busy, self._idle
        if now is not None:
            bs, be, is_, ie = list(bs), list(be), list(is_), list(ie)
            for state, start in self._since.values():
                if now > start and state in BUSY_STATES:
                    bs.append(start)
                    be.append(now)
                elif now > start and state in IDLE_STATES:
                    is_.append(start)
                    ie.append(now)
        busy = seconds_per_interval(
            np.asarray(bs), np.asarray(be), self.interval_seconds, self.n_intervals
        )
        idle = seconds_per_interval(
            np.asarray(is_), np.asarray(ie), self.interval_seconds, self.n_intervals
        )
        return AgentTime(busy, busy + idle)


# --- incremental accumulator for the wallboard ---------------------------------------


@dataclass
class KpiAccumulator:
    """Streaming KPIs: ``add(event)`` one at a time; read the figures at any moment.

    Counts are kept per ``(queue, tier)``; :meth:`counts` sums any selection. Uses the
    same :class:`RecordBuilder` and :class:`KpiCounts` as the batch path, so the
    wallboard and the reports cannot drift apart.
    """

    threshold_seconds: float = 20.0
    short_abandon_seconds: float = 5.0
    direction: str = "inbound"
    _builder: RecordBuilder = field(default_factory=RecordBuilder)
    _by_key: dict[tuple[str, str], KpiCounts] = field(default_factory=dict)
    _waiting: dict[str, ContactRecord] = field(default_factory=dict)

    def add(self, event: Event) -> None:
        rec = self._builder.add(event)
        if rec is None or rec.direction != self.direction:
            return
        if isinstance(event, ContactArrived) and rec.wait_seconds is None:
            self._waiting[rec.contact_id] = rec
            return
        if rec.contact_id in self._waiting and rec.wait_seconds is not None:
            del self._waiting[rec.contact_id]
            key = (rec.queue, rec.tier)
            counts = self._by_key.setdefault(key, KpiCounts())
            counts.add_contact(
                rec.wait_seconds,
                rec.answered_at is not None,
                self.threshold_seconds,
                self.short_abandon_seconds,
            )
        if rec.wrap_up_ended_at is not None or (rec.abandoned_at is not None):
            self._builder.records.pop(rec.contact_id, None)  # done: keep memory bounded

    def counts(self, queue: str | None = None, tier: str | None = None) -> KpiCounts:
        total = KpiCounts()
        for (q, t), c in self._by_key.items():
            if (queue is None or q == queue) and (tier is None or t == tier):
                total = total + c
        return total

    def by_key(self) -> Mapping[tuple[str, str], KpiCounts]:
        return dict(self._by_key)

    def waiting(self, queue: str | None = None) -> list[ContactRecord]:
        """Contacts still waiting (arrived, neither answered nor abandoned), oldest first."""
        return [r for r in self._waiting.values() if queue is None or r.queue == queue]

    def longest_wait_seconds(self, now: float, queue: str | None = None) -> float:
        """``now - arrived_at`` of the oldest waiting contact; 0 if none waits."""
        waiting = self.waiting(queue)
        return max((now - r.arrived_at for r in waiting), default=0.0)

    def service_level(
        self,
        definition: ServiceLevelDefinition = "answered_of_offered",
        queue: str | None = None,
        tier: str | None = None,
    ) -> float:
        return service_level(self.counts(queue, tier), definition)
