"""What every importer hands the storing path: calls as events, agent events, and errors.

A source module (:mod:`app.importers.anonbank`, :mod:`app.importers.queue_log`,
:mod:`app.importers.cdr`) reads its whole file into an :class:`ImportBatch`: one
:class:`ImportedCall` per call (its contact id, the file row it starts on and its
:mod:`routing.events` events in time order) and the agents' state changes
(:class:`routing.events.AgentStateChanged`) the file records. :mod:`app.cli.importer` stores
them through the live center's store, skipping what is already stored.

A bad row raises :class:`RowError`, whose message names the row (or line) and the field.
Times are read by :func:`parse_time`: Unix seconds, or ISO 8601 with or without a zone (a
time without a zone is read on the clock the user names, ``--tz``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from routing.events import MAX_ID_LENGTH, AgentStateChanged, Event

#: Unix seconds accepted from 2000-01-01 to 2100-01-01 (a wrong column is far outside).
EARLIEST, LATEST = 946_684_800.0, 4_102_444_800.0
_EPOCH = re.compile(r"^\d{9,10}(\.\d{1,6})?$")
_ID = re.compile(r"^[A-Za-z0-9_.:@/+-]+$")


class RowError(ValueError):
    """A row that cannot be imported; the message names the row (or line) and the field."""

    def __init__(self, row: int, field: str, problem: str, unit: str = "row") -> None:
        super().__init__(f"{unit} {row}: field {field}: {problem}")
        self.row, self.field = row, field


@dataclass(frozen=True, slots=True)
class ImportedCall:
    """One call of a file: its contact id, the row it starts on, its events in time order."""

    contact_id: str
    row: int
    events: tuple[Event, ...]


@dataclass(slots=True)
class ImportBatch:
    """What a file holds: its calls, its agents' state changes, and what was left out
    (``left_out``: reason -> count, e.g. calls still open at the end of the file)."""

    calls: list[ImportedCall] = field(default_factory=list)
    agent_events: list[AgentStateChanged] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)

    def leave_out(self, reason: str, n: int = 1) -> None:
        self.left_out[reason] = self.left_out.get(reason, 0) + n


def parse_time(value: str, zone: tzinfo, row: int, field_name: str, unit: str = "row") -> float:
    """Unix seconds of ``value``: Unix seconds (``1366720340`` or ``1366720340.25``), or an
    ISO 8601 date and time (``2026-12-01 09:00:05``, ``2026-12-01T09:00:05.5+09:00``,
    ``...Z``); a time without a zone is on ``zone``'s clock."""
    text = value.strip()
    if _EPOCH.match(text):
        at = float(text)
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise RowError(row, field_name, "expected Unix seconds or an ISO 8601 time "
                           f"(2026-12-01T09:00:05+09:00), got {value!r}", unit) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        at = moment.timestamp()
    if not EARLIEST <= at < LATEST:
        raise RowError(row, field_name, f"time out of range (years 2000 to 2099), got {value!r}",
                       unit)
    return at


def parse_id(value: str, row: int, field_name: str, unit: str = "row",
             limit: int = MAX_ID_LENGTH) -> str:
    """An id (letters, digits and ``_.:@/+-``), at most ``limit`` characters."""
    text = value.strip()
    if not text or len(text) > limit or not _ID.match(text):
        raise RowError(row, field_name, f"expected an id of 1 to {limit} letters, digits or "
                       f"_.:@/+-, got {value!r}", unit)
    return text


def parse_seconds(value: str, row: int, field_name: str, unit: str = "row",
                  maximum: float = 86_400.0) -> float:
    """A duration in seconds, ``0 .. maximum`` (whole or decimal)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= maximum:
        raise RowError(row, field_name, f"expected seconds 0..{maximum:g}, got {value!r}", unit)
    return seconds
