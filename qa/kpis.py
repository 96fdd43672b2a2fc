"""Contact-center KPIs, written once over the event log.

The live wallboard, the reports and the simulator all compute their figures here.
The path is always the same, after Ciw's data record:

``events`` ──▶ :class:`~qa.records.ContactRecord` (one flat record per contact, built by
:class:`~qa.records.RecordBuilder`) ──▶ :class:`~qa.records.ContactTable` (the same
records as numpy columns) ──▶ :class:`~qa.counts.KpiCounts` (the handful of sums every
KPI needs) ──▶ the KPI functions of this module (:func:`service_level`,
:func:`average_speed_of_answer`, :func:`abandonment_rate`, :func:`mean_wait`,
:func:`average_handle_time`, :func:`occupancy`).

A store that keeps one row per contact instead of events (the server's interaction
table) enters the same path at the table: :meth:`~qa.records.ContactTable.from_times`.
Outbound dials are counted apart, by :mod:`qa.dials`; the VIP and general segments are
:mod:`qa.segments`.

Agent time (for occupancy) goes ``events`` ──▶ :class:`~qa.agent_time.AgentTimeBuilder`
──▶ :class:`~qa.agent_time.AgentTime` (busy and available seconds per interval).

:class:`~qa.accumulator.KpiAccumulator` does the same incrementally, one event at a time,
for the wallboard (:mod:`dashboards.wallboard`): ``acc.add(event)`` then ``acc.counts()``
/ ``acc.service_level()``. It imports this module's formulas; this module does not import
it.

The stages before the formulas live in :mod:`qa.records` (the contact record and its
table), :mod:`qa.counts` (the sums) and :mod:`qa.agent_time`; import them from there (this
module re-exports nothing).

Conventions (the same names as the Erlang module uses)
------------------------------------------------------
* The *wait* of a contact is ``answered_at - arrived_at`` if it was answered, and
  ``abandoned_at - arrived_at`` if the caller hung up first. A contact still waiting
  is neither answered nor abandoned and is not counted as offered yet.
* *Offered* ``N = A + B + U + F``: answered ``A`` plus abandoned ``B`` (contacts whose
  wait ended) plus unserved ``U`` plus failed callbacks ``F``. ``U`` is 0 live and in
  any open log; it counts only in a table *closed* at a time ``t`` (a finished
  simulation closes its table at the end of the run): a contact still waiting at ``t``
  is *unserved*, neither answered nor abandoned, with the censored wait
  ``t - arrived_at``. So every caller who arrived is
  in ``N``; an unserved caller is never within the threshold and adds its censored wait
  to the mean wait over all offered contacts (a lower bound of its true wait).
* A *failed callback* ``F`` is a caller who accepted a callback that was closed after
  its last dial did not reach them (``ContactEnded(reason="callback_failed")``): the
  wait ended unserved, so it is offered, never within the threshold, neither answered
  nor abandoned; its wait runs to the close. A callback's answer is the answer of the
  dial that reached the customer (see :class:`~qa.records.ContactRecord`).
* *Within the threshold* means a wait ``<= T`` seconds: ``A_T`` answered and ``B_T``
  abandoned within ``T``.
* A *short abandon* is one after a wait ``< S`` seconds: ``B_S``.
* Contacts are attributed to the interval in which they *arrived*.
* *Handle time* of an answered contact is the agents' talk (hold included) and wrap-up
  on it: each answer to the transfer, the end or a callback dial's result, plus each
  agent's wrap-up (:attr:`~qa.records.ContactRecord.handle_seconds`, written once; the
  interaction table's ``handle_seconds`` is that figure; a transferred contact's wait in
  its next queue is not handle time); AHT is its mean over the answered contacts
  whose handle time is known (wrapped up). The simulator's fast path carries none.
* Only inbound contacts count (``direction == "inbound"``).

Transferred contacts
--------------------
A contact waits in one or more *legs*: its arrival leg (in its arrival queue, from
``ContactArrived``) and one leg per ``ContactTransferred`` (in the target queue; a
transfer to an agent stays in the contact's current queue), which starts at the
transfer and ends at the next ``ContactAnswered`` (answered) or ``ContactAbandoned``
(abandoned), else it is still waiting (unserved in a closed table).

* The **summary**, the **per-interval** and the **per-tier** figures count each
  *contact* once, by its arrival leg: offered once, in its arrival queue and arrival
  interval, its wait from arrival to its *first* answer; whatever happens after a
  transfer does not change them. So the summary's ``offered`` is the number of
  distinct callers.
* The **per-queue** figures (:func:`~qa.counts.counts_by_queue`) count every *leg*
  waited in the queue: the contacts that arrived in it (their arrival legs, as above)
  plus the legs *transferred in* (``KpiCounts.transferred_in`` of them), each with its
  own wait from the transfer to the answer in that queue. A queue's SL, ASA and
  abandonment therefore describe every wait in that queue; the per-queue ``offered``
  sum to the summary's ``offered`` plus the transferred-in legs.

Occupancy
---------
Per interval ``k`` of length ``L`` (``[k L, (k+1) L)``), over agent state spans from
``AgentStateChanged`` (:class:`~qa.agent_time.AgentTime`)::

    occupancy_k = busy_k / available_k
    busy_k      = seconds inside interval k in a BUSY state (reserved, talking, hold, wrap-up)
    available_k = busy_k + seconds inside interval k in an IDLE state (ready)

Only time inside the interval counts: a call that runs past the end of the last
interval (a simulation's run-on after the horizon) adds nothing after that end, to busy
or to available. The whole period: ``sum_k busy_k / sum_k available_k``
(:func:`total_occupancy`) over the horizon ``[0, K L)``. In steady state this is Erlang
A's ``a (1 - P(abandon)) / n`` (Erlang C's ``a / n``) for offered load ``a`` Erlangs on
``n`` agents: carried load over agents.

The qa package imports only numpy and :mod:`routing.events`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from qa.agent_time import (
    AgentTime,
)
from qa.counts import (
    CallbackCounts,
    KpiCounts,
    ratio,
)
from qa.records import (
    FloatArray,
)

__all__ = [
    "SERVICE_LEVEL_DEFINITIONS",
    "ServiceLevelDefinition",
    "abandonment_rate",
    "average_handle_time",
    "average_speed_of_answer",
    "callback_acceptance_rate",
    "callback_failure_rate",
    "callback_summary",
    "kpi_summary",
    "mean_callback_wait",
    "mean_wait",
    "occupancy",
    "service_level",
    "short_abandonment_rate",
    "total_occupancy",
]

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


# --- the KPI formulas ----------------------------------------------------------------


def service_level(
    counts: KpiCounts, definition: ServiceLevelDefinition = "answered_of_offered"
) -> float:
    """Share of contacts served within the threshold ``T`` (NaN when the denominator is 0).

    With ``A`` answered, ``B`` abandoned, ``N = A + B + U`` offered (``U`` unserved, see
    the module docstring), ``A_T`` answered with a
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
        return ratio(c.answered_within, c.offered)
    if definition == "answered_of_answered":
        return ratio(c.answered_within, c.answered)
    if definition == "excluding_abandoned_within_threshold":
        return ratio(c.answered_within, c.offered - c.abandoned_within)
    if definition == "abandoned_within_threshold_as_met":
        return ratio(c.answered_within + c.abandoned_within, c.offered)
    if definition == "excluding_short_abandons":
        return ratio(c.answered_within, c.offered - c.short_abandoned)
    raise ValueError(f"definition must be one of {SERVICE_LEVEL_DEFINITIONS}, got {definition!r}")


def average_speed_of_answer(counts: KpiCounts) -> float:
    """ASA: mean wait of the answered contacts, ``sum(wait of answered) / A`` seconds."""
    return ratio(counts.wait_answered_seconds, counts.answered)


def mean_wait(counts: KpiCounts) -> float:
    """Mean wait over all offered contacts (answered or abandoned), ``sum(wait) / N`` seconds."""
    return ratio(counts.wait_all_seconds, counts.offered)


def average_handle_time(counts: KpiCounts) -> float:
    """AHT: mean handle time (talk, hold and wrap-up) of the answered contacts whose handle
    time is known, ``sum(handle) / handled`` seconds (NaN when none is known)."""
    return ratio(counts.handle_seconds, counts.handled)


def abandonment_rate(counts: KpiCounts) -> float:
    """Share of offered contacts that abandoned, ``B / N`` (``N`` includes unserved)."""
    return ratio(counts.abandoned, counts.offered)


def short_abandonment_rate(counts: KpiCounts) -> float:
    """Share of offered contacts that abandoned after less than ``S`` seconds, ``B_S / N``."""
    return ratio(counts.short_abandoned, counts.offered)


def kpi_summary(
    counts: KpiCounts, definition: ServiceLevelDefinition = "answered_of_offered"
) -> dict[str, float]:
    """The standard figures of one group: counts, SL, ASA, mean wait, abandonment, AHT.

    ``unserved`` is ``U`` (0 unless the table was closed with callers still waiting);
    ``aht_seconds`` is NaN when no handle time is known."""
    return {
        "offered": float(counts.offered),
        "answered": float(counts.answered),
        "abandoned": float(counts.abandoned),
        "unserved": float(counts.unserved),
        "p_abandon": abandonment_rate(counts),
        "asa_seconds": average_speed_of_answer(counts),
        "mean_wait_seconds": mean_wait(counts),
        "service_level": service_level(counts, definition),
        "aht_seconds": average_handle_time(counts),
    }


# --- callbacks ------------------------------------------------------------------------


def callback_acceptance_rate(counts: CallbackCounts) -> float:
    """Share of callback offers accepted, ``accepted / offered`` (NaN with no offer)."""
    return ratio(counts.accepted, counts.offered)


def mean_callback_wait(counts: CallbackCounts) -> float:
    """Mean wait of answered callbacks, ``sum(answered_at - callback_at) / answered`` seconds."""
    return ratio(counts.wait_seconds, counts.answered)


def callback_failure_rate(counts: CallbackCounts) -> float:
    """Share of the closed callbacks that never reached the customer,
    ``failed / (answered + failed)`` (pending ones are not closed yet; NaN with none closed)."""
    return ratio(counts.failed, counts.answered + counts.failed)


def callback_summary(counts: CallbackCounts) -> dict[str, float]:
    """The callback figures of a simulation's results: offered, accepted, acceptance rate,
    mean wait (the keys ``docs/scenario.md`` documents; the simulator never fails a
    callback). The failed ones are ``CallbackCounts.failed`` and
    :func:`callback_failure_rate`."""
    return {
        "callbacks_offered": float(counts.offered),
        "callbacks_accepted": float(counts.accepted),
        "callback_acceptance": callback_acceptance_rate(counts),
        "callback_wait_seconds": mean_callback_wait(counts),
    }


# --- occupancy ------------------------------------------------------------------------


def occupancy(agent_time: AgentTime) -> FloatArray:
    """Occupancy per interval: ``busy_k / available_k`` (module docstring, *Occupancy*).

    ``busy`` is time in a :data:`BUSY_STATES` state (reserved/ringing, talking, hold,
    wrap-up); ``available`` is that plus time in :data:`IDLE_STATES` (ready), both only
    inside the interval. Not-ready time (breaks, training) counts in neither, the usual
    WFM definition. NaN where no agent was available.
    """
    busy, avail = agent_time.busy_seconds, agent_time.available_seconds
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(avail > 0, busy / np.where(avail > 0, avail, 1.0), np.nan)


def total_occupancy(agent_time: AgentTime) -> float:
    """Occupancy over the horizon, ``sum_k busy_k / sum_k available_k`` (time after the
    last interval does not count)."""
    return ratio(float(agent_time.busy_seconds.sum()), float(agent_time.available_seconds.sum()))



# --- the figures of the ``contactops kpis`` command -------------------------------------


def kpi_figures(counts: KpiCounts) -> dict[str, object]:
    """The figures of one group as ``contactops kpis`` prints them:

    * ``offered`` ``N``, ``answered`` ``A``, ``abandoned`` ``B`` (the counts);
    * ``abandon_rate`` ``B / N`` (:func:`abandonment_rate`);
    * ``asa_seconds`` ``sum(wait of answered) / A`` (:func:`average_speed_of_answer`);
    * ``service_level``: one entry per name of :data:`SERVICE_LEVEL_DEFINITIONS`, each
      :func:`service_level` with that definition (``A_T / N``, ``A_T / A``,
      ``A_T / (N - B_T)``, ``(A_T + B_T) / N``, ``A_T / (N - B_S)``).

    A rate whose denominator is 0 is NaN (``None`` once written as JSON by the caller).
    """
    levels: dict[str, float] = {
        name: service_level(counts, name)  # type: ignore[arg-type]
        for name in SERVICE_LEVEL_DEFINITIONS
    }
    return {
        "offered": counts.offered,
        "answered": counts.answered,
        "abandoned": counts.abandoned,
        "abandon_rate": abandonment_rate(counts),
        "asa_seconds": average_speed_of_answer(counts),
        "service_level": levels,
    }
