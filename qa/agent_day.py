"""An agent's own figures over a period (the console's "my day"): handled calls, AHT, talk
time and sales, folded from the events of the contacts the agent worked.

Definitions (the suite's, written once elsewhere and only applied here):

* a contact is the agent's when the agent gave it its *first* answer
  (:attr:`qa.records.ContactRecord.agent_id`, as the ``interaction`` row and the
  scorecards count it) and that answer fell in ``[start, end)``;
* ``handled``: how many such contacts; ``aht_seconds``: their mean handle time, talk (hold
  included) and wrap-up, by :func:`qa.kpis.average_handle_time` over the contacts whose
  handle time is known (NaN when none is yet, e.g. the only call is still in wrap-up);
* ``talk_seconds``: the sum of their talk (hold included), so far;
* ``sales``: the agent's :class:`routing.events.OfferRecorded` events with
  ``result == "accepted"`` at a time in ``[start, end)`` (one event per sale, whatever the
  contact's first agent); ``sales_amount`` the sum of their known ``amount``;
  ``offers_made``: the agent's ``made`` steps in the period.

A contact transferred to the agent counts for the agent who answered it first, as in every
report of the suite; the sale the second agent records counts for the second agent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from qa.counts import KpiCounts
from qa.kpis import average_handle_time
from qa.records import records_from_events
from routing.events import Event, OfferRecorded


@dataclass(frozen=True, slots=True)
class AgentDayFigures:
    agent: str
    handled: int
    aht_seconds: float
    talk_seconds: float
    sales: int
    sales_amount: float
    offers_made: int


def agent_day_figures(
    events: Iterable[Event], agent: str, start: float, end: float
) -> AgentDayFigures:
    """The figures of ``agent`` (module docstring) over ``[start, end)``, from ``events``:
    every event of the contacts the agent worked, in log order (events of other contacts are
    harmless; a contact whose arrival is missing is not counted)."""
    if not end > start:
        raise ValueError(f"end must be after start, got start={start!r}, end={end!r}")
    batch = list(events)
    mine = [
        r for r in records_from_events(batch)
        if r.agent_id == agent and r.answered_at is not None and start <= r.answered_at < end
    ]
    known = [h for h in (r.handle_seconds for r in mine) if h is not None and math.isfinite(h)]
    counts = KpiCounts(handled=len(known), handle_seconds=float(sum(known)))
    offers = [
        e for e in batch
        if isinstance(e, OfferRecorded) and e.agent_id == agent and start <= e.at < end
    ]
    sales = [o for o in offers if o.result == "accepted"]
    return AgentDayFigures(
        agent=agent,
        handled=len(mine),
        aht_seconds=average_handle_time(counts),
        talk_seconds=float(sum(r.talk_seconds for r in mine)),
        sales=len(sales),
        sales_amount=float(sum(o.amount for o in sales if o.amount is not None)),
        offers_made=sum(1 for o in offers if o.result == "made"),
    )
