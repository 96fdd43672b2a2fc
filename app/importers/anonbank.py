"""The Technion "Anonymous Bank" call-by-call format (``../shared/data/anonymous_bank_1999``).

Tab-separated, one header line, 17 columns (README of the data set): ``vru+line, call_id,
customer_id, priority, type, date (YYMMDD), vru_entry, vru_exit, vru_time, q_start, q_exit,
q_time, outcome, ser_start, ser_exit, ser_time, server``; times ``H:MM:SS``.

One call becomes these events (:func:`call_events`), all with ``contact_id``
``anonbank-<vru+line>-<call_id>`` (the pair is unique in the file, so importing the same
file twice finds its contacts already stored):

* ``SelfServiceEnded`` at the VRU exit, ``seconds = vru_time`` (0 for the 25 rows whose
  ``vru_time`` is negative), ``completed = False`` (every
  call of the file asked for an agent after the VRU);
* ``ContactArrived`` when the call entered the queue: ``date + q_start``, or ``date +
  vru_exit`` when ``q_start`` is ``0:00:00`` (routed without queueing); queue = the
  ``type`` column (``PS``, ``PE``, ``IN``, ``NE``, ``NW``, ``TT``); tier
  :data:`VIP_TIER` for priority 2 (the VIP group), :data:`GENERAL_TIER` for 0 and 1;
* ``AGENT``: ``ContactAnswered`` by ``server`` after ``q_time`` seconds, then
  ``ContactEnded`` ``ser_time`` seconds later;
* ``customer_id``: as written (``0`` is none; 21 rows carry a spreadsheet's ``6.02701E+11``,
  kept as text in the event, no number on the interaction row);
* ``HANG``: ``ContactAbandoned`` after ``q_time`` seconds (so a wait is exactly ``q_time``);
* ``PHANTOM`` calls are left out (no event).

Times are the file's local clock read as UTC (the data has no zone; ``contactops kpis``
dates then select the file's own days).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from app.importers.calls import ImportBatch, ImportedCall, RowError
from routing.events import (
    VIP_TIERS,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    SelfServiceEnded,
)

COLUMNS: tuple[str, ...] = (
    "vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
    "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
    "ser_exit", "ser_time", "server",
)
VIP_TIER = VIP_TIERS[1]  # "platinum": priority 2, the bank's VIP group
GENERAL_TIER = "core"
OUTCOMES = ("AGENT", "HANG", "PHANTOM")
PRIORITIES = ("0", "1", "2")
QUEUES = ("PS", "PE", "IN", "NE", "NW", "TT")
MAX_SECONDS = 86_400
_TIME = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d)$")
_ID = re.compile(r"^[A-Za-z0-9_]{1,16}$")


@dataclass(frozen=True, slots=True)
class Call:
    """One call of the file that reached the queue (``PHANTOM`` rows are not calls)."""

    row: int
    contact_id: str
    queue: str
    tier: str
    customer_id: str | None
    vru_exit_at: float
    vru_seconds: float
    arrived_at: float
    wait_seconds: float
    answered: bool
    service_seconds: float
    server: str


def contact_id_of(vru_line: str, call_id: str) -> str:
    return f"anonbank-{vru_line}-{call_id}"


def _seconds_of_day(value: str, row: int, field: str) -> int:
    m = _TIME.match(value)
    if m is None:
        raise RowError(row, field, f"expected H:MM:SS, got {value!r}")
    h, mi, s = (int(g) for g in m.groups())
    return h * 3600 + mi * 60 + s


def _duration(value: str, row: int, field: str) -> int:
    if not value.isdigit() or int(value) > MAX_SECONDS:
        raise RowError(row, field, f"expected whole seconds 0..{MAX_SECONDS}, got {value!r}")
    return int(value)


def _signed(value: str, row: int, field: str) -> int:
    digits = value.removeprefix("-")
    if not digits.isdigit() or int(digits) > MAX_SECONDS:
        raise RowError(row, field, f"expected whole seconds, got {value!r}")
    return int(value)


def parse_row(values: list[str], row: int) -> Call | None:
    """The call of data row ``row`` (1 = the first row after the header), ``None`` for a
    ``PHANTOM``; raises :class:`RowError` naming the field of a bad value."""
    if len(values) != len(COLUMNS):
        raise RowError(row, "columns", f"expected {len(COLUMNS)} tab-separated, got {len(values)}")
    v = dict(zip(COLUMNS, (x.strip() for x in values), strict=True))
    outcome = v["outcome"]
    if outcome not in OUTCOMES:
        raise RowError(row, "outcome", f"expected one of {', '.join(OUTCOMES)}, got {outcome!r}")
    for field in ("vru+line", "call_id"):
        if not _ID.match(v[field]):
            raise RowError(row, field, f"expected letters and digits, got {v[field]!r}")
    if v["priority"] not in PRIORITIES:
        raise RowError(row, "priority", f"expected 0, 1 or 2, got {v['priority']!r}")
    if v["type"] not in QUEUES:
        raise RowError(row, "type", f"expected one of {', '.join(QUEUES)}, got {v['type']!r}")
    if not v["customer_id"] or len(v["customer_id"]) > 20:
        raise RowError(row, "customer_id", f"expected an id (0: none), got {v['customer_id']!r}")
    try:
        day = datetime.strptime(v["date"], "%y%m%d").replace(tzinfo=UTC)
    except ValueError:
        raise RowError(row, "date", f"expected YYMMDD, got {v['date']!r}") from None
    vru_exit = _seconds_of_day(v["vru_exit"], row, "vru_exit")
    vru_time = _signed(v["vru_time"], row, "vru_time")
    q_start = _seconds_of_day(v["q_start"], row, "q_start")
    q_time = _duration(v["q_time"], row, "q_time")
    ser_time = _duration(v["ser_time"], row, "ser_time")
    if outcome == "PHANTOM":
        return None
    if outcome == "AGENT" and not v["server"]:
        raise RowError(row, "server", "an answered call needs its agent (or NO_SERVER)")
    base = day.timestamp()
    arrived = base + (q_start if q_start else vru_exit)
    return Call(
        row=row,
        contact_id=contact_id_of(v["vru+line"], v["call_id"]),
        queue=v["type"],
        tier=VIP_TIER if v["priority"] == "2" else GENERAL_TIER,
        customer_id=None if v["customer_id"] == "0" else v["customer_id"],
        vru_exit_at=base + vru_exit,
        vru_seconds=float(max(vru_time, 0)),
        arrived_at=arrived,
        wait_seconds=float(q_time),
        answered=outcome == "AGENT",
        service_seconds=float(ser_time),
        server=v["server"][:40],
    )


def read_calls(lines: Iterator[str]) -> Iterator[Call]:
    """The calls of the file's lines (header first); raises :class:`RowError` at a bad row
    (row numbers count data rows from 1; blank lines are skipped but counted)."""
    header = next(lines, None)
    if header is None:
        raise RowError(0, "header", "the file is empty")
    names = [h.strip() for h in header.rstrip("\r\n").split("\t")]
    if tuple(names) != COLUMNS:
        raise RowError(0, "header", f"expected the columns {', '.join(COLUMNS)}")
    for row, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        call = parse_row(text.split("\t"), row)
        if call is not None:
            yield call


def call_events(call: Call) -> list[Event]:
    """The events of one call, in time order (module docstring)."""
    cid, queue = call.contact_id, call.queue
    out: list[Event] = [
        SelfServiceEnded(at=call.vru_exit_at, contact_id=cid, queue=queue, completed=False,
                         seconds=call.vru_seconds, customer_id=call.customer_id),
        ContactArrived(at=call.arrived_at, contact_id=cid, queue=queue, tier=call.tier,
                       customer_id=call.customer_id),
    ]
    end_of_wait = call.arrived_at + call.wait_seconds
    if call.answered:
        out.append(ContactAnswered(at=end_of_wait, contact_id=cid, agent_id=call.server,
                                   queue=queue))
        out.append(ContactEnded(at=end_of_wait + call.service_seconds, contact_id=cid,
                                agent_id=call.server, queue=queue))
    else:
        out.append(ContactAbandoned(at=end_of_wait, contact_id=cid, queue=queue))
    return out


def read_batch(lines: Iterator[str], zone: tzinfo = UTC) -> ImportBatch:
    """The file's calls for the storing path (:mod:`app.importers.calls`). ``zone`` is not
    used: the file's times are read as UTC (module docstring)."""
    return ImportBatch(calls=[ImportedCall(c.contact_id, c.row, tuple(call_events(c)))
                              for c in read_calls(lines)])
