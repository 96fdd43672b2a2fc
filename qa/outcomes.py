"""The service-standard KPIs beyond the queue's service: sales, customer focus, handling.

``events`` ──▶ :class:`~qa.records.ContactRecord` (the one record) ──▶ :class:`OutcomeRow`
(the few fields these KPIs read; the server's interaction row carries the same fields, so a
row read back from the database enters here too) ──▶ :class:`OutcomeCounts` (sums per group,
added like :class:`~qa.counts.KpiCounts`) ──▶ the formulas below. The streaming path
(:class:`~qa.accumulator.KpiAccumulator`) adds each record's :func:`outcome_of` as it changes,
so the wallboard and the reports hold the same sums.

What each figure counts (``A`` inbound contacts answered, ``C`` outbound dials connected)::

    offers per call             offers_made / A          (OfferRecorded "made" on inbound calls)
    cross-sell per call         cross_sell_sales / A     (OfferRecorded "accepted", cross_sell)
    up-sell per call            up_sell_sales / A        (OfferRecorded "accepted", up_sell)
    outbound positive response  outbound_positive / C    (reached outbound contacts with an
                                                          accepted offer, once per contact)

(the sales definitions, A, C and the formulas, are written once below, "the sales
definitions"; :mod:`qa.sales` and the wallboard use them.)
    self-service ratio          self_service_completed / self_service_entered
    complaint ratio             complaints / (A + C)     (answered contacts with >= 1 complaint)
    satisfaction (mean)         survey_score_sum / surveys
    satisfaction (top two box)  survey_top_two / surveys (score 4 or 5 of 5)
    first-contact resolution    (fcr_eligible - fcr_repeated) / fcr_eligible
    transfer rate               transferred / A          (answered calls transferred at least once)
    talk-time ratio             talk_seconds / handle_seconds   (talk, hold included, in handle time)
    AHT                         handle_seconds / handled

Attribution: every sum of a contact goes to its *arrival* group: the queue it arrived in, its
caller's tier (VIP or general, :mod:`qa.segments`), the agent who *first* answered it (and that
agent's team and site) and its arrival interval; an outcome recorded later (a survey answered
the next day) still counts with the contact's arrival. A self-service end has no agent and no
tier: it counts under its queue (and interval) only.

First-contact resolution (FCR): an inbound contact answered by an agent, with a customer and a
contact reason (``WrapUpEnded.reason``, the first wrap-up that gave one), is *eligible*; it is
*repeated* when another eligible contact of the same customer with the same reason arrived
after it, within ``fcr_days`` days (``0 < later.arrived_at - arrived_at <= fcr_days * 86400``).
FCR is a share of the eligible contacts not repeated, attributed to the *first* contact (its
agent did not resolve it); a report of a period therefore needs the contacts up to ``fcr_days``
after its end to see the repeats (:func:`count_outcomes` is given them and ``period`` marks
which ones to report). Source: SQM Group / ICMI, *FCR measurement*, "no repeat for the same
reason within N days" (N = 7 here by default, the usual choice of 3 to 30).

Occupancy is :func:`qa.kpis.occupancy` over agent time (state changes), not over contacts.

This module imports only numpy, :mod:`qa.records`, :mod:`qa.counts` and :mod:`routing.events`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from qa.counts import ratio
from qa.records import ContactRecord, RecordBuilder
from routing.events import Event, SelfServiceEnded

#: A repeat within this many days makes a contact not resolved at first contact.
FCR_DAYS = 7.0
#: Survey scores of this or more are the "top two box" of a 1-5 scale.
TOP_TWO_MIN_SCORE = 4
DAY_SECONDS = 86_400.0


@dataclass(slots=True)
class OutcomeRow:
    """One contact as these KPIs read it (from a :class:`ContactRecord` or a stored row).

    ``served``: an inbound contact answered by an agent, or an outbound dial connected.
    ``handle_seconds`` / ``talk_seconds``: None until known (the contact is wrapped up).
    (Not frozen: a frozen dataclass's ``__init__`` costs a ``object.__setattr__`` per field,
    and reports build one row per stored contact.)"""

    contact_id: str
    direction: str
    arrived_at: float
    served: bool
    transfers: int = 0
    handle_seconds: float | None = None
    talk_seconds: float | None = None
    offers_made: int = 0
    cross_sell_sales: int = 0
    up_sell_sales: int = 0
    sales: int = 0
    sales_amount: float = 0.0
    complaints: int = 0
    survey_score: int | None = None
    customer: str | None = None
    reason: str | None = None


def row_of_record(rec: ContactRecord) -> OutcomeRow:
    """The :class:`OutcomeRow` of a contact record (the fields :mod:`app.eventlog` stores)."""
    handle = rec.handle_seconds
    if rec.direction == "outbound":
        served = rec.answered_at is not None or rec.dial_result == "connected"
    else:
        served = rec.answered_at is not None
    return OutcomeRow(
        rec.contact_id, rec.direction, rec.arrived_at, served, rec.transfers, handle,
        None if handle is None else rec.talk_seconds, rec.offers_made, rec.cross_sell_sales,
        rec.up_sell_sales, rec.sales, rec.sales_amount, rec.complaints, rec.survey_score,
        rec.customer_id, rec.reason,
    )


@dataclass(slots=True)
class OutcomeCounts:
    """The sums behind the figures of this module for one group; adding two adds the sums
    (subtracting takes a contact's earlier contribution back, the streaming path)."""

    answered: int = 0
    transferred: int = 0
    handled: int = 0
    handle_seconds: float = 0.0
    talk_seconds: float = 0.0
    offers_made: int = 0
    cross_sell_sales: int = 0
    up_sell_sales: int = 0
    sales_amount: float = 0.0
    connected: int = 0
    outbound_positive: int = 0
    complaints: int = 0
    surveys: int = 0
    survey_score_sum: int = 0
    survey_top_two: int = 0
    fcr_eligible: int = 0
    fcr_repeated: int = 0
    self_service_entered: int = 0
    self_service_completed: int = 0

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(*(getattr(self, f.name) + getattr(other, f.name)
                               for f in fields(self)))

    def __sub__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(*(getattr(self, f.name) - getattr(other, f.name)
                               for f in fields(self)))

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(OutcomeCounts))
_FLOAT_FIELDS: tuple[bool, ...] = tuple(f.type in (float, "float") for f in fields(OutcomeCounts))


def outcome_values(row: OutcomeRow) -> tuple[float, ...]:
    """What one contact adds to its group's sums, in the order of :class:`OutcomeCounts`'
    fields (FCR and self-service apart: :class:`FcrTracker`, :func:`count_self_service`).

    A survey counts whatever became of the contact; the rest only for a contact served
    (answered, or an outbound dial connected): a complaint once per contact, an outbound
    dial as connected and positive when a sale was made, an inbound call as answered,
    transferred, its offers and sales, and its handle and talk time once known."""
    s = row.survey_score
    survey = (0, 0, 0) if s is None else (1, s, int(s >= TOP_TWO_MIN_SCORE))
    none = (0, 0, 0)
    if not row.served:
        return (0, 0, 0, 0.0, 0.0, 0, 0, 0, 0.0, 0, 0, 0, *survey, *none, 0)
    complaint = int(row.complaints > 0)
    if row.direction == "outbound":
        return (0, 0, 0, 0.0, 0.0, 0, 0, 0, 0.0, 1, int(row.sales > 0), complaint, *survey,
                *none, 0)
    handle = row.handle_seconds
    talk = 0.0 if handle is None else (row.talk_seconds or 0.0)
    return (1, int(row.transfers > 0), int(handle is not None),
            0.0 if handle is None else handle, talk, row.offers_made, row.cross_sell_sales,
            row.up_sell_sales, row.sales_amount, 0, 0, complaint, *survey, *none, 0)


def outcome_of(row: OutcomeRow) -> OutcomeCounts:
    """:func:`outcome_values` as :class:`OutcomeCounts`."""
    return OutcomeCounts(*outcome_values(row))  # type: ignore[arg-type]


def fcr_eligible(row: OutcomeRow) -> bool:
    """An inbound contact an agent answered, with a customer and a reason (module docstring)."""
    return (row.direction == "inbound" and row.served and bool(row.customer)
            and bool(row.reason))


@dataclass
class FcrTracker:
    """First-contact resolution, one eligible contact at a time in any order (module docstring).

    :meth:`add` files a contact under ``(customer, reason)`` and marks as *repeated* each
    contact of that key that it follows within the window, and itself if one follows it; the
    result does not depend on the order of the calls, so a stream (reasons arrive at wrap-up)
    and a batch agree. ``counts[group] = [eligible, repeated]``."""

    days: float = FCR_DAYS
    counts: dict[Hashable, list[int]] = field(default_factory=dict)
    #: (customer, reason) -> [arrived_at, group, repeated] of each contact filed under it
    _visits: dict[tuple[str, str], list[list[Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.days > 0:
            raise ValueError(f"fcr_days must be > 0, got {self.days!r}")

    def add(self, customer: str, reason: str, at: float, group: Hashable) -> None:
        window = self.days * DAY_SECONDS
        visits = self._visits.setdefault((customer, reason), [])
        repeated = False
        for v in visits:
            if at - window <= v[0] < at and not v[2]:
                v[2] = True
                self.counts[v[1]][1] += 1
            if at < v[0] <= at + window:
                repeated = True
        visits.append([at, group, repeated])
        cell = self.counts.setdefault(group, [0, 0])
        cell[0] += 1
        cell[1] += repeated

    def of(self, group: Hashable) -> tuple[int, int]:
        """``(eligible, repeated)`` of ``group``."""
        cell = self.counts.get(group, [0, 0])
        return cell[0], cell[1]


def count_outcomes(
    rows: Sequence[OutcomeRow],
    group_index: Sequence[int],
    n_groups: int,
    fcr_days: float = FCR_DAYS,
    counted: Sequence[bool] | None = None,
) -> list[OutcomeCounts]:
    """:class:`OutcomeCounts` of each group ``0 .. n_groups-1`` (negative index: left out).

    ``counted[i]`` False: row ``i`` is only looked at as a possible FCR repeat (a contact
    after the period), its own sums are not reported."""
    if len(group_index) != len(rows):
        raise ValueError(f"group_index has {len(group_index)} rows, there are {len(rows)}")
    n = len(rows)
    group = np.asarray(group_index, dtype=np.int64).reshape(n)
    if n and group.max(initial=-1) >= n_groups:
        raise ValueError(f"group_index must be < n_groups = {n_groups}")
    keep = group >= 0
    if counted is not None:
        keep &= np.asarray(counted, dtype=np.bool_).reshape(n)
    values = np.array([outcome_values(r) for r in rows], dtype=np.float64).reshape(
        n, len(_COUNT_FIELDS))
    sums = [np.bincount(group[keep], values[keep, k], minlength=n_groups)
            for k in range(len(_COUNT_FIELDS))]
    out = [OutcomeCounts(*(float(sums[k][g]) if _FLOAT_FIELDS[k] else int(np.rint(sums[k][g]))
                           for k in range(len(_COUNT_FIELDS))))  # type: ignore[arg-type]
           for g in range(n_groups)]
    fcr = FcrTracker(fcr_days)
    for i, row in enumerate(rows):
        if fcr_eligible(row):
            fcr.add(row.customer or "", row.reason or "", row.arrived_at,
                    int(group[i]) if keep[i] else -1)
    for g in range(n_groups):
        out[g].fcr_eligible, out[g].fcr_repeated = fcr.of(g)
    return out


def count_self_service(
    events: Iterable[Event], queues: Sequence[str]
) -> list[tuple[int, int]]:
    """``(entered, completed)`` self-service ends per queue of ``queues`` (others left out)."""
    position = {q: i for i, q in enumerate(queues)}
    out = [[0, 0] for _ in queues]
    for ev in events:
        if isinstance(ev, SelfServiceEnded) and ev.queue in position:
            cell = out[position[ev.queue]]
            cell[0] += 1
            cell[1] += ev.completed
    return [(a, b) for a, b in out]


def outcomes_from_events(
    events: Iterable[Event], fcr_days: float = FCR_DAYS
) -> dict[tuple[str, str], OutcomeCounts]:
    """:class:`OutcomeCounts` per ``(queue, tier)`` of the contacts' arrival (self-service
    under ``(queue, "")``), the batch twin of :meth:`qa.accumulator.KpiAccumulator.outcomes`."""
    events = list(events)
    records = list(RecordBuilder().extend(events).records.values())
    keys = sorted({(r.queue, r.tier) for r in records})
    position = {k: i for i, k in enumerate(keys)}
    rows = [row_of_record(r) for r in records]
    counts = count_outcomes(rows, [position[(r.queue, r.tier)] for r in records], len(keys),
                            fcr_days)
    out = dict(zip(keys, counts, strict=True))
    queues = sorted({e.queue for e in events if isinstance(e, SelfServiceEnded)})
    for q, (entered, completed) in zip(queues, count_self_service(events, queues), strict=True):
        cell = out.setdefault((q, ""), OutcomeCounts())
        cell.self_service_entered += entered
        cell.self_service_completed += completed
    return out


# --- the formulas -----------------------------------------------------------------------


def offers_per_call(c: OutcomeCounts) -> float:
    """Offers made per answered inbound call, ``offers_made / A``."""
    return ratio(c.offers_made, c.answered)


# --- the sales definitions (one for the batch KPIs here and the wallboard's qa.sales) -------
#
# The bank's sales-sense standards, counted once per *contact*:
#
#   A  inbound contacts answered by an agent (a callback is inbound: it returns an inbound
#      caller's call), each once however often it was answered;
#   X  offers of kind ``cross_sell`` accepted on those contacts (each acceptance is a sale);
#   U  offers of kind ``up_sell`` accepted on those contacts (``retention`` is not a sale);
#   C  outbound contacts that reached the customer (answered, or a dial ``connected``), each
#      once however many dials it took;
#   P  of those, the contacts with at least one accepted offer of any kind.
#
#   cross-sell per call = X / A      up-sell per call = U / A      positive response = P / C
#
# NaN when the denominator is 0 (unknown, not 0). qa.sales (the wallboard) counts the same
# contacts from the events as they come; a test asserts both give the same figures.

#: The offer result that is a sale (inbound) or a positive response (outbound).
SALE_RESULT = "accepted"
#: The offer kinds that count per inbound call.
SALE_KINDS: tuple[str, ...] = ("cross_sell", "up_sell")


def sale_kind(kind: str, result: str) -> str | None:
    """The sales figure an offer step adds to on an answered inbound call (``cross_sell`` or
    ``up_sell``), or None (not accepted, or not a sale: ``retention``)."""
    return kind if result == SALE_RESULT and kind in SALE_KINDS else None


def is_positive_response(result: str) -> bool:
    """An outbound offer step that makes its contact a positive response (an acceptance;
    ``follow_up`` and ``declined`` are not)."""
    return result == SALE_RESULT


def sales_per_call(sales: float, answered: float) -> float:
    """Sales of one kind per answered inbound call, ``X / A`` or ``U / A``."""
    return ratio(sales, answered)


def positive_response(positive: float, reached: float) -> float:
    """Reached outbound contacts with an accepted offer, of those reached, ``P / C``."""
    return ratio(positive, reached)


def cross_sell_per_call(c: OutcomeCounts) -> float:
    """Cross-sell sales per answered inbound call, ``X / A`` = ``cross_sell_sales / A``."""
    return sales_per_call(c.cross_sell_sales, c.answered)


def up_sell_per_call(c: OutcomeCounts) -> float:
    """Up-sell sales per answered inbound call, ``U / A`` = ``up_sell_sales / A``."""
    return sales_per_call(c.up_sell_sales, c.answered)


def outbound_positive_ratio(c: OutcomeCounts) -> float:
    """Reached outbound contacts whose customer accepted an offer, ``P / C`` =
    ``outbound_positive / connected``."""
    return positive_response(c.outbound_positive, c.connected)


def self_service_ratio(c: OutcomeCounts) -> float:
    """Callers served by self-service (IVR) alone, of those who entered it,
    ``self_service_completed / self_service_entered``."""
    return ratio(c.self_service_completed, c.self_service_entered)


def complaint_ratio(c: OutcomeCounts) -> float:
    """Answered contacts (inbound answered, outbound connected) with at least one complaint,
    ``complaints / (A + C)``."""
    return ratio(c.complaints, c.answered + c.connected)


def satisfaction_mean(c: OutcomeCounts) -> float:
    """Mean survey score (1-5), ``survey_score_sum / surveys``."""
    return ratio(c.survey_score_sum, c.surveys)


def satisfaction_top_two_box(c: OutcomeCounts) -> float:
    """Share of survey answers scoring 4 or 5, ``survey_top_two / surveys``."""
    return ratio(c.survey_top_two, c.surveys)


def first_contact_resolution(c: OutcomeCounts) -> float:
    """Share of eligible contacts with no repeat, ``(eligible - repeated) / eligible``."""
    return ratio(c.fcr_eligible - c.fcr_repeated, c.fcr_eligible)


def transfer_rate(c: OutcomeCounts) -> float:
    """Answered inbound calls transferred at least once, ``transferred / A``."""
    return ratio(c.transferred, c.answered)


def talk_time_ratio(c: OutcomeCounts) -> float:
    """Share of handle time spent talking to the customer (hold included; the rest is
    after-call work), ``talk_seconds / handle_seconds`` over the wrapped-up answered calls."""
    return ratio(c.talk_seconds, c.handle_seconds)


def average_handle_time(c: OutcomeCounts) -> float:
    """AHT, ``handle_seconds / handled`` (the same as :func:`qa.kpis.average_handle_time`)."""
    return ratio(c.handle_seconds, c.handled)


#: The figures of :func:`outcome_figures`, in order.
OUTCOME_FIGURES: tuple[str, ...] = (
    "offers_per_call", "cross_sell_per_call", "up_sell_per_call", "outbound_positive_ratio",
    "self_service_ratio", "complaint_ratio", "satisfaction_mean", "satisfaction_top_two_box",
    "first_contact_resolution", "transfer_rate", "talk_time_ratio", "aht_seconds",
)


def outcome_figures(c: OutcomeCounts) -> dict[str, float]:
    """Every figure of this module for one group (NaN where the denominator is 0)."""
    return {
        "offers_per_call": offers_per_call(c),
        "cross_sell_per_call": cross_sell_per_call(c),
        "up_sell_per_call": up_sell_per_call(c),
        "outbound_positive_ratio": outbound_positive_ratio(c),
        "self_service_ratio": self_service_ratio(c),
        "complaint_ratio": complaint_ratio(c),
        "satisfaction_mean": satisfaction_mean(c),
        "satisfaction_top_two_box": satisfaction_top_two_box(c),
        "first_contact_resolution": first_contact_resolution(c),
        "transfer_rate": transfer_rate(c),
        "talk_time_ratio": talk_time_ratio(c),
        "aht_seconds": average_handle_time(c),
    }
