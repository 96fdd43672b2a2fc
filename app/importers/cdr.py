"""A call-detail CSV (one row per inbound call), for PBXs and ACDs that export call records.

UTF-8, comma-separated, a header line naming the columns (any order; unknown columns are an
error, so a wrong file is caught at its header). Columns (required ones in bold in
``docs/importers.md``):

================  ======================================================================
``call_id``       the call's id in the source system (required; letters, digits, ``_.:@/+-``,
                  at most 36): contact id ``cdr-<call_id>``, unique in the file
``start_time``    when the call reached the queue (required): ISO 8601 with a zone
                  (``2026-12-01T09:00:05+09:00``); without one it is on ``--tz``'s clock;
                  Unix seconds accepted
``queue``         the queue it waited in (required)
``outcome``       ``answered`` or ``abandoned`` (required)
``answered_time`` when an agent answered (required for ``answered``, empty otherwise)
``end_time``      when the call ended, or the caller hung up while waiting (required)
``agent``         the agent's login (required for ``answered``)
``wrap_up_seconds`` the agent's after-call work (default 0)
``disposition``   the wrap-up's disposition code (optional)
``reason``        the contact reason the agent chose (optional)
``tier``          the caller's value tier (``routing.events.TIERS``, default ``core``;
                  ``private_banker`` and ``platinum`` are the VIP group)
``customer_id``   the customer's number (digits, optional)
``caller_number`` the calling number (checked: digits, ``+``, ``-``; not stored: the event
                  log keeps no phone numbers)
``site``          the site that took the call (optional)
================  ======================================================================

One row becomes ``ContactArrived`` at ``start_time``; ``answered``: ``ContactAnswered`` by
``agent`` at ``answered_time`` (the wait), ``ContactEnded`` at ``end_time`` (the talk) and
``WrapUpEnded`` ``wrap_up_seconds`` later with the disposition and reason; ``abandoned``:
``ContactAbandoned`` at ``end_time``. Errors name the line (1 = the header) and the column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, tzinfo

from app.importers.calls import (
    ImportBatch,
    ImportedCall,
    RowError,
    parse_id,
    parse_seconds,
    parse_time,
)
from routing.events import (
    MAX_TEXT_LENGTH,
    TIERS,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    Event,
    WrapUpEnded,
)

UNIT = "line"
PREFIX = "cdr-"
REQUIRED: tuple[str, ...] = ("call_id", "start_time", "queue", "outcome", "end_time")
OPTIONAL: tuple[str, ...] = ("answered_time", "agent", "wrap_up_seconds", "disposition",
                             "reason", "tier", "customer_id", "caller_number", "site")
OUTCOMES = ("answered", "abandoned")
_NUMBER = re.compile(r"^\+?[0-9][0-9 -]{0,30}$")


def _text(value: str, row: int, name: str) -> str | None:
    text = value.strip()
    if len(text) > MAX_TEXT_LENGTH or "\x00" in text:
        raise RowError(row, name, f"at most {MAX_TEXT_LENGTH} characters", UNIT)
    return text or None


def parse_row(v: dict[str, str], row: int, zone: tzinfo) -> ImportedCall:
    """The events of one CSV row (module docstring); :class:`RowError` names the column."""
    cid = PREFIX + parse_id(v["call_id"], row, "call_id", UNIT, 36)
    start = parse_time(v["start_time"], zone, row, "start_time", UNIT)
    queue = parse_id(v["queue"], row, "queue", UNIT)
    outcome = v["outcome"].strip().lower()
    if outcome not in OUTCOMES:
        raise RowError(row, "outcome", f"expected answered or abandoned, got {v['outcome']!r}",
                       UNIT)
    tier = v.get("tier", "").strip() or "core"
    if tier not in TIERS:
        raise RowError(row, "tier", f"expected one of {', '.join(TIERS)}, got {tier!r}", UNIT)
    customer = v.get("customer_id", "").strip() or None
    if customer is not None and (not customer.isdigit() or len(customer) > 20):
        raise RowError(row, "customer_id", f"expected digits, got {customer!r}", UNIT)
    number = v.get("caller_number", "").strip()
    if number and not _NUMBER.match(number):
        raise RowError(row, "caller_number", f"expected a phone number, got {number!r}", UNIT)
    site = v.get("site", "").strip()
    end = parse_time(v["end_time"], zone, row, "end_time", UNIT)
    arrived = ContactArrived(start, cid, queue, tier, customer_id=customer,
                             site=parse_id(site, row, "site", UNIT) if site else None)
    events: list[Event] = [arrived]
    if outcome == "abandoned":
        if v.get("answered_time", "").strip():
            raise RowError(row, "answered_time", "an abandoned call has no answered time", UNIT)
        _after(end, start, row, "end_time", "start_time")
        events.append(ContactAbandoned(end, cid, queue))
        return ImportedCall(cid, row, tuple(events))
    for name in ("answered_time", "agent"):
        if not v.get(name, "").strip():
            raise RowError(row, name, "an answered call needs it", UNIT)
    answered = parse_time(v["answered_time"], zone, row, "answered_time", UNIT)
    agent = parse_id(v["agent"], row, "agent", UNIT)
    _after(answered, start, row, "answered_time", "start_time")
    _after(end, answered, row, "end_time", "answered_time")
    wrap = v.get("wrap_up_seconds", "").strip()
    wrap_seconds = parse_seconds(wrap, row, "wrap_up_seconds", UNIT) if wrap else 0.0
    events += [
        ContactAnswered(answered, cid, agent, queue),
        ContactEnded(end, cid, agent, queue),
        WrapUpEnded(end + wrap_seconds, cid, agent,
                    disposition=_text(v.get("disposition", ""), row, "disposition"),
                    reason=_text(v.get("reason", ""), row, "reason")),
    ]
    return ImportedCall(cid, row, tuple(events))


def _after(later: float, earlier: float, row: int, name: str, before: str) -> None:
    if later < earlier:
        raise RowError(row, name, f"is before {before}", UNIT)


def read_batch(lines: Iterator[str], zone: tzinfo = UTC) -> ImportBatch:
    """The calls of a call-detail CSV (module docstring)."""
    reader = csv.reader(lines)
    header = next(reader, None)
    while header is not None and not any(h.strip() for h in header):
        header = next(reader, None)
    if header is None:
        raise RowError(0, "file", "the file is empty", UNIT)
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    unknown = [n for n in names if n not in REQUIRED + OPTIONAL]
    missing = [n for n in REQUIRED if n not in names]
    if unknown or missing or len(set(names)) != len(names):
        problem = (f"unknown column {unknown[0]!r}" if unknown else
                   f"missing column {missing[0]!r}" if missing else "a column named twice")
        raise RowError(reader.line_num, "header",
                       f"{problem}; expected the columns {', '.join(REQUIRED)} and optionally "
                       f"{', '.join(OPTIONAL)}", UNIT)
    batch = ImportBatch()
    seen: set[str] = set()
    for values in reader:
        row = reader.line_num
        if not any(x.strip() for x in values):
            continue
        if len(values) != len(names):
            raise RowError(row, "columns", f"expected {len(names)} comma-separated, got "
                           f"{len(values)}", UNIT)
        call = parse_row(dict(zip(names, values, strict=True)), row, zone)
        if call.contact_id in seen:
            raise RowError(row, "call_id", f"{call.contact_id[len(PREFIX):]!r} is in the file "
                           "twice", UNIT)
        seen.add(call.contact_id)
        batch.calls.append(call)
    return batch
