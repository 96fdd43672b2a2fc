"""Asterisk's queue log (``/var/log/asterisk/queue_log``, or the ``queue_log`` table exported
with ``|`` between columns): ``time|callid|queue|agent|event|data1|data2|...``.

``time`` is Unix seconds (the file), or a date and time (a database export, e.g.
``2026-12-01 09:00:05.123456``; without a zone it is read on ``--tz``'s clock). ``agent``
is the queue member: its login is the part after the channel technology and before any
``@`` (``SIP/8007`` -> ``8007``, ``Local/1001@agents/n`` -> ``1001``, ``Agent/3001`` ->
``3001``; a member name with spaces gets ``_``). One call (one ``callid``) becomes the
:mod:`routing.events` events of contact ``ql-<callid>``; each line (Asterisk's meaning of its
data fields in brackets):

==================================================  ==========================================
``ENTERQUEUE(url|callerid)``                         ``ContactArrived`` in the queue (tier
                                                     ``core``: the log has no value tier)
``RINGNOANSWER(ringtime ms)``                        ``ContactOffered`` ``ringtime`` earlier,
                                                     ``ContactOfferTimedOut``
``CONNECT(holdtime|bridged channel|ringtime s)``     ``ContactOffered`` ``ringtime`` earlier,
                                                     ``ContactAnswered`` (the wait ends here)
``COMPLETEAGENT`` / ``COMPLETECALLER``               ``ContactEnded`` and ``WrapUpEnded`` (the
``(holdtime|calltime|origposition)``, ``AGENTDUMP``  log has no wrap-up: 0 s)
``ABANDON(position|origposition|waittime)``          ``ContactAbandoned``
``EXITWITHTIMEOUT`` / ``EXITEMPTY`` / ``EXITWITHKEY`` ``ContactAbandoned``: the caller left the
                                                     queue unanswered (the queue's timeout, no
                                                     member, a key); counted as abandoned
``TRANSFER`` / ``BLINDTRANSFER`` /                   followed by an ``ENTERQUEUE`` of the same
``ATTENDEDTRANSFER``                                 call: ``ContactTransferred`` to that queue
                                                     (a leg, :class:`qa.records.Leg`); else the
                                                     call left the center: ``ContactEnded``
``AGENTLOGIN`` / ``AGENTCALLBACKLOGIN``,             ``AgentStateChanged`` to ``ready`` (an
``ADDMEMBER`` (first queue)                          ``ADDMEMBER`` when not logged in)
``AGENTLOGOFF`` / ``AGENTCALLBACKLOGOFF``,           ``AgentStateChanged`` to ``logged_out``
``REMOVEMEMBER`` (last queue)
``PAUSE`` / ``PAUSEALL (reason)``                    ``not_ready`` (reason: data1, else
                                                     ``pause``)
``UNPAUSE`` / ``UNPAUSEALL``                         ``ready``
==================================================  ==========================================

An agent's state change is written only when the state changes (a ``PAUSE`` per queue is one
change). Other events (``QUEUESTART``, ``CONFIGRELOAD``, ``DID``, ``RINGCANCELED``...) are
read and left out. An ``ENTERQUEUE`` of a call that ended (no transfer) is a new contact
``ql-<callid>-2`` (a call the dialplan sent on to another queue after it left the first).
Lines of calls that started before the file (no ``ENTERQUEUE``) and calls still open at its
end are left out (and counted): a later import of a longer log stores them whole.

Errors name the line (1 = the first line of the file) and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Literal, NoReturn

from app.importers.calls import ImportBatch, ImportedCall, RowError, parse_id, parse_time
from routing.events import (
    MAX_TEXT_LENGTH,
    AgentStateChanged,
    AgentStateName,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactEnded,
    ContactOffered,
    ContactOfferTimedOut,
    ContactTransferred,
    Event,
    WrapUpEnded,
)

UNIT = "line"
PREFIX = "ql-"
#: callids up to this long (the contact id adds ``ql-`` and maybe ``-2``: 40 at most)
MAX_CALLID = 34
NO_ONE = ("NONE", "")
_EVENT = re.compile(r"^[A-Z][A-Z_]*$")
_ENDS = ("COMPLETEAGENT", "COMPLETECALLER", "AGENTDUMP")
_EXITS = ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY")
_TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
_LOGINS = ("AGENTLOGIN", "AGENTCALLBACKLOGIN")
_LOGOFFS = ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF")
_CALL_EVENTS = ("ENTERQUEUE", "CONNECT", "RINGNOANSWER", *_ENDS, *_EXITS, *_TRANSFERS)
_AGENT_EVENTS = (*_LOGINS, *_LOGOFFS, "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "PAUSEALL",
                 "UNPAUSE", "UNPAUSEALL")
Stage = Literal["waiting", "talking", "transferring", "done"]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the log: ``time|callid|queue|agent|event|data...``."""

    number: int
    at: float
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def datum(self, i: int) -> str:
        """``data{i}`` (1-based, as Asterisk names them), ``""`` when absent."""
        return self.data[i - 1].strip() if len(self.data) >= i else ""


@dataclass(slots=True)
class _Call:
    contact_id: str
    row: int
    queue: str
    events: list[Event] = field(default_factory=list)
    stage: Stage = "waiting"
    agent: str = ""
    transfer_at: float = 0.0
    pieces: int = 1

    @property
    def done(self) -> bool:
        return self.stage == "done"

    @property
    def last_at(self) -> float:
        return self.events[-1].at if self.events else -1.0


def agent_login(member: str, number: int) -> str:
    """The login of a queue member (module docstring): ``SIP/8007`` -> ``8007``."""
    name = member.strip()
    if "/" in name:
        name = name.split("/", 1)[1]
    name = re.sub(r"\s+", "_", name.split("@", 1)[0])
    return parse_id(name, number, "agent", UNIT)


def parse_line(text: str, number: int, zone: tzinfo) -> Line:
    """One line, checked; raises :class:`RowError` naming the line and the field."""
    parts = text.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise RowError(number, "columns", "expected time|callid|queue|agent|event|data..., "
                       f"got {len(parts)} field(s) (is this a queue_log?)", UNIT)
    at = parse_time(parts[0], zone, number, "time", UNIT)
    event = parts[4].strip()
    if not _EVENT.match(event):
        raise RowError(number, "event", f"expected an event name such as ENTERQUEUE, got "
                       f"{event!r}", UNIT)
    return Line(number, at, parts[1].strip(), parts[2].strip(), parts[3].strip(), event,
                tuple(parts[5:]))


def _seconds(value: str) -> float:
    """A duration field Asterisk wrote (bad or missing: 0, the field is only a hint)."""
    try:
        seconds = float(value)
    except ValueError:
        return 0.0
    return seconds if 0 <= seconds <= 86_400 else 0.0


class QueueLogReader:
    """Folds the lines into calls and agent state changes (module docstring)."""

    def __init__(self) -> None:
        self.batch = ImportBatch()
        self.calls: dict[str, _Call] = {}
        self.agent_state: dict[str, AgentStateName] = {}
        self.memberships: dict[str, set[str]] = {}

    def read(self, lines: Iterator[str], zone: tzinfo) -> ImportBatch:
        seen = False
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            seen = True
            self.add(parse_line(text, number, zone))
        if not seen:
            raise RowError(0, "file", "the file is empty", UNIT)
        for call in self.calls.values():
            self._close(call)
        self.batch.calls.sort(key=lambda c: c.row)
        return self.batch

    def add(self, line: Line) -> None:
        if line.event in _AGENT_EVENTS:
            self._agent(line)
        elif line.event in _CALL_EVENTS:
            self._call(line)
        else:
            self.batch.leave_out(f"lines of other events ({line.event})")

    # --- calls ------------------------------------------------------------------------

    def _call(self, line: Line) -> None:
        callid = parse_id(line.callid, line.number, "callid", UNIT, MAX_CALLID)
        call = self.calls.get(callid)
        if line.event == "ENTERQUEUE":
            self._enter(line, callid, call)
            return
        if call is None or call.stage == "done":
            self.batch.leave_out("lines of calls that entered no queue in the file")
            return
        if call.stage == "transferring":  # not re-queued: the call left the center
            self._end(call, call.transfer_at)
            self._store(call)
            self.batch.leave_out("lines of calls after they were transferred out")
            return
        handler = {"CONNECT": self._connect, "RINGNOANSWER": self._ring}.get(line.event)
        if handler is not None:
            handler(line, call)
        elif line.event in _ENDS:
            if call.stage != "talking":
                self._unexpected(line)
            self._end(call, line.at)
        elif line.event in _EXITS:
            self._exit(line, call)
        elif line.event in _TRANSFERS:
            if call.stage != "talking":
                self._unexpected(line)
                return
            call.stage, call.transfer_at = "transferring", line.at
        if call.done:
            self._store(call)

    def _enter(self, line: Line, callid: str, call: _Call | None) -> None:
        queue = parse_id(line.queue, line.number, "queue", UNIT)
        if call is not None and call.stage == "transferring":
            call.events.append(ContactTransferred(call.transfer_at, call.contact_id, call.agent,
                                                  target_queue=queue))
            call.stage, call.queue = "waiting", queue
            return
        if call is not None and call.stage != "done":
            raise RowError(line.number, "event", f"call {callid} entered queue {queue} while "
                           f"still {call.stage} in {call.queue}", UNIT)
        pieces = 1 if call is None else call.pieces + 1
        cid = PREFIX + callid + ("" if pieces == 1 else f"-{pieces}")
        fresh = _Call(cid, line.number, queue, pieces=pieces)
        fresh.events.append(ContactArrived(line.at, cid, queue))
        self.calls[callid] = fresh

    def _connect(self, line: Line, call: _Call) -> None:
        if call.stage != "waiting":
            self._unexpected(line)
            return
        agent = agent_login(line.agent, line.number)
        rang = max(call.last_at, line.at - _seconds(line.datum(3)))
        call.events += [ContactOffered(rang, call.contact_id, agent, call.queue),
                        ContactAnswered(line.at, call.contact_id, agent, call.queue)]
        call.stage, call.agent = "talking", agent

    def _ring(self, line: Line, call: _Call) -> None:
        if call.stage != "waiting":
            self._unexpected(line)
            return
        agent = agent_login(line.agent, line.number)
        rang = max(call.last_at, line.at - _seconds(line.datum(1)) / 1000)
        call.events += [ContactOffered(rang, call.contact_id, agent, call.queue),
                        ContactOfferTimedOut(line.at, call.contact_id, agent, call.queue)]

    def _exit(self, line: Line, call: _Call) -> None:
        if call.stage != "waiting":
            self._unexpected(line)
            return
        call.events.append(ContactAbandoned(line.at, call.contact_id, call.queue))
        call.stage = "done"

    def _end(self, call: _Call, at: float) -> None:
        call.events += [ContactEnded(at, call.contact_id, call.agent, call.queue),
                        WrapUpEnded(at, call.contact_id, call.agent)]
        call.stage = "done"

    def _unexpected(self, line: Line) -> NoReturn:
        raise RowError(line.number, "event", f"{line.event} does not fit call "
                       f"{line.callid} here (check the lines before it)", UNIT)

    def _store(self, call: _Call) -> None:
        self.batch.calls.append(ImportedCall(call.contact_id, call.row, tuple(call.events)))

    def _close(self, call: _Call) -> None:
        """The end of the file: a transfer nobody re-queued ends there; open calls wait for
        a longer log."""
        if call.stage == "transferring":
            self._end(call, call.transfer_at)
            self._store(call)
        elif call.stage != "done":
            self.batch.leave_out("calls still open at the end of the file")

    # --- agents -----------------------------------------------------------------------

    def _agent(self, line: Line) -> None:
        agent = agent_login(line.agent, line.number)
        queues = self.memberships.setdefault(agent, set())
        state = self.agent_state.get(agent)
        kind = line.event
        reason: str | None = None
        new: AgentStateName | None = None
        if kind in _LOGINS:
            new = "ready"
        elif kind in _LOGOFFS:
            queues.clear()
            new = "logged_out"
        elif kind == "ADDMEMBER":
            queues.add(line.queue)
            new = "ready" if state in (None, "logged_out") else None
        elif kind == "REMOVEMEMBER":
            queues.discard(line.queue)
            new = "logged_out" if not queues else None
        elif kind in ("PAUSE", "PAUSEALL"):
            new = "not_ready"
            reason = (line.datum(1) or "pause")[:MAX_TEXT_LENGTH]
        elif state == "not_ready":  # UNPAUSE, UNPAUSEALL
            new = "ready"
        if new is None or new == state:
            return
        self.agent_state[agent] = new
        self.batch.agent_events.append(
            AgentStateChanged(line.at, agent, new, previous=state, reason=reason))


def read_batch(lines: Iterator[str], zone: tzinfo = UTC) -> ImportBatch:
    """The calls and agent state changes of a queue log (module docstring)."""
    return QueueLogReader().read(lines, zone)
