"""Dials left ringing by a stopped server, closed when the live center starts again.

A dial rings in the live center's memory (:mod:`app.preview_dial`: the robot customer's
answer is an action on the center's kernel, the dial itself a :class:`PreviewDials` entry).
When the server stops while a dial rings, the event log holds a ``DialAttempted`` with no
``DialResult``: the contact stays ``dialing`` in its interaction row, and no dial row reaches
the customer's contact history, so the contact rules would not count the attempt and an
agent could dial the customer again at once.

At start (:func:`close_dials_left_ringing`, called where the live services are built, next
to :func:`app.live.services.close_interrupted`) each such dial is closed:

* a ``DialResult`` with result :data:`RESULT_AT_RESTART` = ``abandoned``, at the instant the
  ring would have ended at the latest (the dial's time plus the ring timeout, and never
  after the restart), appended to the log once: a second start finds the result and does
  nothing;
* for a dial of the agenda (a ``lead-N`` or ``campaign-N`` key and a known customer), the
  dial row of the customer's history and the lead's or list entry's fate, exactly as an
  agent's "record result" would have left them (:func:`app.agenda_results.settle_failed_dial`):
  the row is written before the result is appended and never twice, so a crash between the
  two is repaired by the next start.

Why ``abandoned``: nobody knows what happened on the line. The customer may have answered into
silence, which is what an abandoned outbound call is; counting it so is the conservative
choice for the rules that protect customers: the dial counts toward the abandonment cap of
the pacing (:mod:`qa.dials`) and the customer is not dialled again for 72 hours
(:mod:`telesales.contact_rules`). Calling it ``no_answer`` would let a customer who did answer
into silence be dialled again minutes later.

Only dials of the last :data:`LOOKBACK_DAYS` are looked for: the ``event_log.at`` index keeps
the start's search to one pass over those days (2 s on PostgreSQL for a week of a bank's
41,000 dials a day, ``benchmarks/bench_pool_claims.py``), not years of log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.agenda import lead_id_of
from app.agenda_results import BASIS, dial_recorded, dials_placed, settle_failed_dial
from app.eventlog import SqlEventStore
from app.models import Customer, CustomerAccess, EventRecord
from app.preview_dial import PreviewDial
from routing.events import DialAttempted, DialResult, DialResultName, event_from_json

log = logging.getLogger("contactops.live")

#: the result a dial left ringing is closed with (module docstring: why)
RESULT_AT_RESTART: DialResultName = "abandoned"
#: how far back a start looks for dials left ringing: a center closed over a long holiday
#: (Chuseok, Lunar New Year: five days) still has its dials closed; a dial older than that is
#: past the 72-hour no-redial window already, and is missing only from 30-day figures
LOOKBACK_DAYS = 7
#: the event log's source of the live center's own events (an importer's dials are history)
LIVE_SOURCE = "live"
#: who the access log names for the rows written at start
SYSTEM_USER = "restart"

_EVENTS = EventRecord.__table__  # type: ignore[attr-defined]
#: contact ids per ``IN (...)`` (SQLite's bound-parameter limit)
_IN_CHUNK = 900


def dials_left_ringing(engine: Engine, since: float) -> list[tuple[int, DialAttempted]]:
    """``(seq, event)`` of every live ``DialAttempted`` at or after ``since`` whose contact
    has no ``DialResult`` in the log, in log order.

    One pass over the window's dial events grouped by contact (a result always follows its
    attempt, so it is in the window too), then the few attempts found are read: a
    correlated ``NOT EXISTS`` per attempt was quadratic where the planner chose the ``type``
    index for it (9 s for 4,000 dials on SQLite)."""
    is_result = case((_EVENTS.c.type == DialResult.type_name, 1), else_=0)
    unanswered = (select(_EVENTS.c.contact_id)
                  .where(_EVENTS.c.type.in_((DialAttempted.type_name, DialResult.type_name)),
                         _EVENTS.c.at >= since, _EVENTS.c.source == LIVE_SOURCE)
                  .group_by(_EVENTS.c.contact_id)
                  .having(func.sum(is_result) == 0))
    with engine.connect() as conn:
        contacts = [str(c) for c in conn.execute(unanswered).scalars() if c is not None]
        rows: list[Any] = []
        for i in range(0, len(contacts), _IN_CHUNK):
            rows += conn.execute(
                select(_EVENTS.c.seq, _EVENTS.c.payload)
                .where(_EVENTS.c.contact_id.in_(contacts[i:i + _IN_CHUNK]),
                       _EVENTS.c.type == DialAttempted.type_name, _EVENTS.c.at >= since,
                       _EVENTS.c.source == LIVE_SOURCE)).all()
    out: list[tuple[int, DialAttempted]] = []
    for seq, payload in sorted(rows, key=lambda r: int(r[0])):
        event = event_from_json(payload)
        if isinstance(event, DialAttempted):
            out.append((int(seq), event))
    return out


@dataclass(frozen=True, slots=True)
class ClosedDial:
    """One dial closed at start: its result, and whether a history row was written."""

    result: DialResult
    settled: bool


def _customer_id(dial: DialAttempted) -> int | None:
    raw = dial.customer_id or ""
    return int(raw) if raw.isdigit() else None


def closing_result(dial: DialAttempted, attempt: int, now: float,
                   ring_seconds: float) -> DialResult:
    """The ``DialResult`` that closes ``dial``: abandoned, when its ring ended at the latest."""
    at = max(dial.at, min(dial.at + ring_seconds, now))
    return DialResult(at, dial.contact_id, dial.campaign, RESULT_AT_RESTART, dial.agent_id,
                      attempt)


def settle(session: Session, dial: DialAttempted, result: DialResult, now: datetime,
           ring_seconds: float) -> bool:
    """The agenda's side of a closed dial: its history row and the lead or entry's fate
    (once: nothing when the row is there). False for a dial that is not the agenda's."""
    customer_id = _customer_id(dial)
    if customer_id is None or session.get(Customer, customer_id) is None:
        return False
    if dial_recorded(session, customer_id, dial.contact_id):
        return False
    preview = PreviewDial(
        contact_id=dial.contact_id, campaign=dial.campaign, lead_id=lead_id_of(dial.campaign),
        customer_id=customer_id, tier="core", agent=dial.agent_id or "",
        attempt=result.attempt, placed_at=dial.at, result=result.result,
        ended_at=result.at)
    settle_failed_dial(session, preview, dial.agent_id or SYSTEM_USER, now, ring_seconds)
    session.add(CustomerAccess(at=now, username=SYSTEM_USER, role="system",
                               customer_id=customer_id, action="write", fields="history",
                               reason=BASIS, reason_text=f"dial {dial.contact_id} closed "
                               "at restart"))
    session.commit()
    return True


def _attempt(session: Session, dial: DialAttempted) -> int:
    """The dial's number among the dials of its key (its row not written yet)."""
    customer_id = _customer_id(dial)
    if customer_id is None:
        return 0
    done = dials_placed(session, customer_id, dial.campaign)
    return done if dial_recorded(session, customer_id, dial.contact_id) else done + 1


def close_dials_left_ringing(store: SqlEventStore, now: float,
                             ring_seconds: float) -> list[ClosedDial]:
    """Close every dial left ringing (module docstring); call it only when no live center
    of this log rings a dial (its start). Returns what was closed."""
    since = now - LOOKBACK_DAYS * 86_400.0
    ringing = dials_left_ringing(store.engine, since)
    if not ringing:
        return []
    closed: list[ClosedDial] = []
    at = datetime.fromtimestamp(now, UTC)
    with Session(store.engine) as session:
        for _, dial in ringing:
            result = closing_result(dial, _attempt(session, dial), now, ring_seconds)
            closed.append(ClosedDial(result, settle(session, dial, result, at, ring_seconds)))
    store.append(c.result for c in closed)
    log.warning("live center: %d dial(s) left ringing by a previous run closed as %s",
                len(closed), RESULT_AT_RESTART)
    return closed
