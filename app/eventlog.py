"""The durable event log: :class:`SqlEventStore` over the ``event_log`` table.

It follows :class:`routing.events.EventStore`: ``append`` commits one
transaction before it returns the sequence numbers (an event acknowledged is an
event stored), and ``replay`` yields events back in ``seq`` order. In the same
transaction it projects the events into the ``interaction`` table, one row per
contact with its timestamps and outcome, so the projection can never disagree
with the log it was built from.

Ordering
--------
``seq`` is the log's order. On PostgreSQL every append first takes a
transaction-scoped advisory lock, so appends from several processes commit in
``seq`` order and a reader following ``after_seq`` never skips a row that
commits late. SQLite serialises writers by itself (its 64-bit ids are
``INTEGER PRIMARY KEY``, the rowid, see ``app.models.BigId``).

Interaction projection
----------------------
The ``interaction`` row of a contact *is* its :class:`qa.records.ContactRecord`, the one
record every KPI reads: after each append, every contact the batch touched is folded by
:class:`qa.records.RecordBuilder` (the same fold the simulator and the wallboard use) -- only
the batch's events into the record the store kept from the contact's previous append, or,
when it kept none or another writer stored events of the contact since, all its events
read back from the log -- and its row written by :func:`interaction_values`:
times, agent (the first who answered), tier, customer, disposition, the outcome fields
:mod:`qa.outcomes` reads (talk time, transfers, contact reason, customer key, offers and
sales, complaints, survey score: :func:`qa.outcomes.row_of_record`), handle time
(:attr:`~qa.records.ContactRecord.handle_seconds`: talk, hold and wrap-up, known once
the wrap-up after the end is over) and ``outcome`` = :attr:`~qa.records.ContactRecord.status`
(``waiting``, ``callback``, ``answered``, ``abandoned``, ``callback_failed``; outbound
``dialing`` or the dial's failure), or ``"interrupted"`` (below).

Contacts interrupted by a restart: the routing engine lives in memory, so a contact
still open when the server stopped (waiting, or answered and not ended) is unknown to
the next run and can never end in the log. :meth:`SqlEventStore.mark_interrupted`,
called when the live center starts, sets their ``outcome`` to ``"interrupted"``. It
invents no event (nobody knows what the caller did), and ``ended_at`` stays empty (nobody
knows when it ended); a later event about the contact, if any, is still projected.

The report summaries (:mod:`app.report_summaries`, what /qa and the report pages read) follow
the rows in the same transaction: the cells of the touched rows as they were are taken away,
those of the rows as written added.

Events about contacts the log has never seen arrive are stored and not
projected. Agent ids in events are agent logins (``agent07``); the projection
stores the ``agent`` row's id when the login is known.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from app.models import Agent, EventRecord, Interaction
from app.outcome_summaries import apply_outcome_changes, outcome_rows_of
from app.report_summaries import apply_row_changes, contact_rows
from qa.records import ContactRecord, RecordBuilder
from routing.events import (
    Event,
    EventFormatError,
    check_values,
    event_from_json,
    field_choices,
)

#: Width of the id columns of ``event_log`` and ``interaction``; longer ids are refused.
MAX_ID_LENGTH = 40
#: Upper bound of ``at`` (year 2286): Unix time live, seconds from the start in simulations.
MAX_AT = 10_000_000_000.0
#: Outcomes of a contact still in progress (``mark_interrupted`` closes them after a restart).
INTERRUPTIBLE_OUTCOMES = ("waiting", "answered")
_ADVISORY_LOCK_KEY = 0x636F6E74  # "cont": one key for every appender of this log
_REPLAY_PAGE = 1000

_EVENTS = EventRecord.__table__  # type: ignore[attr-defined]
_INTERACTIONS = Interaction.__table__  # type: ignore[attr-defined]
_AGENTS = Agent.__table__  # type: ignore[attr-defined]


#: Longest text of each string field (the ``event_log``/``interaction`` columns that hold
#: it, or a sane bound for text kept only in the JSON payload).
FIELD_MAX_LENGTH: dict[str, int] = {
    "contact_id": MAX_ID_LENGTH, "agent_id": MAX_ID_LENGTH, "queue": MAX_ID_LENGTH,
    "campaign": MAX_ID_LENGTH, "target_queue": MAX_ID_LENGTH,
    "target_agent_id": MAX_ID_LENGTH, "customer_id": MAX_ID_LENGTH,
    "preferred_agent_id": MAX_ID_LENGTH, "site": MAX_ID_LENGTH,
    "disposition": MAX_ID_LENGTH, "tier": MAX_ID_LENGTH, "direction": MAX_ID_LENGTH,
    "result": MAX_ID_LENGTH, "state": MAX_ID_LENGTH, "previous": MAX_ID_LENGTH,
    "mode": MAX_ID_LENGTH,
}  # tier, direction and result are cut to their interaction columns (20, 10, 20) when projected
#: Any other string field (reasons...): kept only in the payload.
DEFAULT_MAX_LENGTH = 200
_INT64 = 2**63


_FIELD_KINDS: dict[type[Event], dict[str, tuple[type, ...]]] = {}


def _field_kinds(cls: type[Event]) -> dict[str, tuple[type, ...]]:
    """For each field, the JSON scalar types it accepts (``None`` as ``type(None)``)."""
    known = _FIELD_KINDS.get(cls)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls)
    out: dict[str, tuple[type, ...]] = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        members = (hint,) if typing.get_origin(hint) is typing.Literal else typing.get_args(hint)
        out[f.name] = tuple(_json_type(h) for h in (members or (hint,)))
    _FIELD_KINDS[cls] = out
    return out


def _json_type(hint: Any) -> type:
    """The JSON scalar type of one member of an annotation (a ``Literal`` of texts: ``str``)."""
    if typing.get_origin(hint) is typing.Literal:
        return str
    return hint if isinstance(hint, type) else object


def _type_ok(value: Any, kinds: tuple[type, ...]) -> bool:
    if value is None:
        return type(None) in kinds
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int):
        return int in kinds or float in kinds
    if isinstance(value, float):
        return float in kinds
    return isinstance(value, str) and str in kinds


def _encodable(text: str) -> bool:
    """Whether ``text`` is valid UTF-8 material: JSON's ``\\ud800`` escapes decode to lone
    surrogates, which neither SQLite nor PostgreSQL can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_storable(event: Event) -> None:
    """Refuse events the log cannot hold; the message names the field.

    Refused: a value of the wrong JSON type for its field (an int ``contact_id``, a string
    ``priority``), NaN or infinite numbers (JSON cannot carry them), integers beyond 64 bits,
    NUL characters (PostgreSQL text cannot hold them), lone surrogates (not UTF-8), a value
    outside its field's ``Literal`` (:func:`routing.events.field_choices`), strings longer than
    :data:`FIELD_MAX_LENGTH` (else :data:`DEFAULT_MAX_LENGTH`), ``at`` outside
    ``[0, MAX_AT)``, and values :func:`routing.events.check_values` refuses (a promise to pay
    of no amount). The same events are refused on every database.
    """
    kinds = _field_kinds(type(event))
    choices = field_choices(type(event))
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        where = f"{event.type_name}.{f.name}"
        allowed = choices.get(f.name)
        if allowed and value is not None and value not in allowed:
            raise EventFormatError(f"{where} must be one of {list(allowed)}, got {value!r}")
        if not _type_ok(value, kinds[f.name]):
            names = "/".join(sorted("null" if k is type(None) else k.__name__ for k in kinds[f.name]))
            raise EventFormatError(f"{where} must be {names}, got {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise EventFormatError(f"{where} must be a finite number, got {value!r}")
        if isinstance(value, int) and not isinstance(value, bool) and not -_INT64 <= value < _INT64:
            raise EventFormatError(f"{where} must fit in 64 bits")
        if isinstance(value, str):
            if "\x00" in value:
                raise EventFormatError(f"{where} must not contain NUL characters")
            if not _encodable(value):
                raise EventFormatError(
                    f"{where} must be valid Unicode text (a lone surrogate such as \\ud800 "
                    "cannot be stored)")
            limit = FIELD_MAX_LENGTH.get(f.name, DEFAULT_MAX_LENGTH)
            if len(value) > limit:
                raise EventFormatError(
                    f"{where} must be at most {limit} characters, got {len(value)}")
    if not 0.0 <= event.at < MAX_AT:
        raise EventFormatError(
            f"{event.type_name}.at must be seconds in [0, {MAX_AT:.0f}) (Unix time, or from a "
            f"simulation's start), got {event.at!r}"
        )
    check_values(event)


def epoch_to_datetime(at: float) -> datetime:
    """Unix epoch seconds to an aware UTC datetime."""
    return datetime.fromtimestamp(at, UTC)


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


#: Contacts whose folded record an event store keeps between appends (the oldest go first;
#: a contact not kept is folded again from the log).
KEPT_CONTACTS = 10_000
#: Ids per ``IN (...)`` of :meth:`SqlEventStore.append_many` (SQLite's bound-parameter limit).
_IN_CHUNK = 900


class SqlEventStore:
    """:class:`routing.events.EventStore` on the ``event_log`` table of ``engine``.

    ``source`` is written on every row (``live``, ``pbx``, ``simulation``...).
    """

    def __init__(
        self, engine: Engine, source: str = "live", kept_contacts: int = KEPT_CONTACTS
    ) -> None:
        self.engine = engine
        self.source = source
        self._agent_ids: dict[str, int | None] = {}
        # contact -> (seq of its last event, its record folded up to it): appends fold only
        # their new events into it; kept for the latest KEPT_CONTACTS contacts
        self._kept: OrderedDict[str, tuple[int, ContactRecord]] = OrderedDict()
        self.kept_contacts = kept_contacts  # 0: every append folds the contact from the log

    # --- writing ----------------------------------------------------------------------

    def append(self, events: Iterable[Event]) -> list[int]:
        """Store ``events`` and their projection in one transaction; return their seqs."""

        def write(conn: Connection, batch: list[Event]) -> list[int]:
            seqs = [self._insert_event(conn, event) for event in batch]
            self._project(conn, batch, seqs)
            return seqs

        return self._write(events, write)

    def append_many(self, events: Iterable[Event]) -> list[int]:
        """:meth:`append` for a large batch (an importer's): the same rows, seqs and
        projection in one transaction, written with multi-row inserts.

        The events go in with one multi-row ``INSERT ... RETURNING seq`` (in their order);
        the contacts with no event stored before this batch are folded from the batch alone
        and their new interaction rows inserted together; a contact the log already holds,
        or one with a row already, takes :meth:`append`'s path (folded from the log, its row
        updated). The report summaries get the same delta as :meth:`append` gives."""

        def write(conn: Connection, batch: list[Event]) -> list[int]:
            rows = [self._event_row(event) for event in batch]
            seqs = [int(seq) for seq in conn.execute(
                insert(_EVENTS).returning(_EVENTS.c.seq, sort_by_parameter_order=True),
                rows).scalars()]
            self._project_many(conn, batch, seqs)
            return seqs

        return self._write(events, write)

    def _write(self, events: Iterable[Event],
               write: Callable[[Connection, list[Event]], list[int]]) -> list[int]:
        """Check ``events``, then ``write`` them in one transaction (serialised by an advisory
        lock on PostgreSQL); a rolled-back batch drops the kept records it may have touched."""
        batch = list(events)
        for event in batch:
            check_storable(event)
        if not batch:
            return []
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                 {"k": _ADVISORY_LOCK_KEY})
                return write(conn, batch)
        except BaseException:  # rolled back: the kept records may hold this batch's events
            for event in batch:
                self._kept.pop(getattr(event, "contact_id", None) or "", None)
            raise

    def _project_many(self, conn: Connection, batch: list[Event], seqs: list[int]) -> None:
        new: dict[str, list[tuple[int, Event]]] = {}
        for seq, event in zip(seqs, batch, strict=True):
            contact = getattr(event, "contact_id", None)
            if contact:
                new.setdefault(contact, []).append((seq, event))
        if not new:
            return
        ids = list(new)
        first = seqs[0]
        known: set[str] = set()  # contacts with earlier events or a row: the one-by-one path
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i:i + _IN_CHUNK]
            known.update(conn.execute(select(_EVENTS.c.contact_id).distinct().where(
                _EVENTS.c.contact_id.in_(chunk), _EVENTS.c.seq < first)).scalars())
            known.update(conn.execute(select(_INTERACTIONS.c.contact_id).where(
                _INTERACTIONS.c.contact_id.in_(chunk))).scalars())
        if known:
            old = [pair for c in ids if c in known for pair in new[c]]
            self._project(conn, [e for _, e in old], [seq for seq, _ in old])
        fresh = [c for c in ids if c not in known]
        builder = RecordBuilder()
        for contact_id in fresh:
            for _, event in new[contact_id]:
                builder.add(event_from_json(event.to_json()))  # the event as stored
        logins = {r.agent_id for r in builder.records.values() if r.agent_id is not None}
        pks: dict[str, int | None] = {}  # this batch's agents, one query (none cached absent)
        wanted = sorted(logins - self._agent_ids.keys())
        for i in range(0, len(wanted), _IN_CHUNK):
            pks.update((str(login), int(pk)) for login, pk in conn.execute(
                select(_AGENTS.c.login, _AGENTS.c.id).where(
                    _AGENTS.c.login.in_(wanted[i:i + _IN_CHUNK]))))
        self._agent_ids.update(pks)
        rows: list[dict[str, Any]] = []
        for contact_id in fresh:
            record = builder.records.get(contact_id)
            if record is None:
                continue  # never arrived (a log that starts mid-call): not projected
            values = interaction_values(record)
            agent = record.agent_id
            values["agent_id"] = (None if agent is None else self._agent_ids[agent]
                                  if agent in self._agent_ids else _int_or_none(agent))
            rows.append({"contact_id": contact_id, **values})
            self._kept[contact_id] = (new[contact_id][-1][0], record)
        while len(self._kept) > self.kept_contacts:
            self._kept.popitem(last=False)
        if rows:
            conn.execute(insert(_INTERACTIONS), rows)
            written = [r["contact_id"] for r in rows]
            after = contact_rows(conn, written)
            apply_row_changes(conn, after[:0], after)
            apply_outcome_changes(conn, written, None)

    def _event_row(self, event: Event) -> dict[str, Any]:
        return {
            "type": event.type_name,
            "at": event.at,
            "contact_id": getattr(event, "contact_id", None),
            "agent_id": getattr(event, "agent_id", None),
            "payload": event.to_json(),
            "source": self.source,
        }

    def _insert_event(self, conn: Connection, event: Event) -> int:
        row: dict[str, Any] = {
            "type": event.type_name,
            "at": event.at,
            "contact_id": getattr(event, "contact_id", None),
            "agent_id": getattr(event, "agent_id", None),
            "payload": event.to_json(),
            "source": self.source,
        }
        seq = conn.execute(insert(_EVENTS).values(**row).returning(_EVENTS.c.seq)).scalar_one()
        return int(seq)

    def mark_interrupted(self) -> list[str]:
        """Close the rows of contacts left open by a previous run as ``"interrupted"``.

        Open means ``outcome`` ``waiting`` or ``answered``, no ``ended_at``, and the contact
        is in this log (rows imported as history without events are left alone). Call it only
        when no routing engine holds live contacts of this log (the live center's start).
        Returns the contact ids closed.
        """
        logged = (select(_EVENTS.c.seq)
                  .where(_EVENTS.c.contact_id == _INTERACTIONS.c.contact_id).exists())
        open_rows = (_INTERACTIONS.c.ended_at.is_(None)
                     & _INTERACTIONS.c.outcome.in_(INTERRUPTIBLE_OUTCOMES) & logged)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
            ids = conn.execute(select(_INTERACTIONS.c.contact_id).where(open_rows)).scalars().all()
            if ids:
                conn.execute(update(_INTERACTIONS).where(open_rows).values(outcome="interrupted"))
        return [str(i) for i in ids]

    # --- reading ----------------------------------------------------------------------

    def replay(self, after_seq: int = 0) -> Iterator[tuple[int, Event]]:
        """Yield ``(seq, event)`` for every event with ``seq > after_seq``, in order, page by page."""
        cursor = after_seq
        while True:
            page = self.read(after_seq=cursor, limit=_REPLAY_PAGE)
            yield from page
            if len(page) < _REPLAY_PAGE:
                return
            cursor = page[-1][0]

    def read(self, after_seq: int = 0, limit: int = 1000) -> list[tuple[int, Event]]:
        """At most ``limit`` events with ``seq > after_seq``, in order."""
        query = (
            select(_EVENTS.c.seq, _EVENTS.c.payload)
            .where(_EVENTS.c.seq > after_seq)
            .order_by(_EVENTS.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(int(seq), event_from_json(payload)) for seq, payload in rows]

    def read_since(self, at: float) -> list[tuple[int, Event]]:
        """Every event with ``at >= at``, in seq order (the wallboard's "today")."""
        query = select(_EVENTS.c.seq, _EVENTS.c.payload).where(_EVENTS.c.at >= at)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(_EVENTS.c.seq)).all()
        return [(int(seq), event_from_json(payload)) for seq, payload in rows]

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(_EVENTS.c.seq))).scalar()
        return int(value or 0)

    # --- projection ---------------------------------------------------------------------

    def _project(self, conn: Connection, batch: list[Event], seqs: list[int]) -> None:
        """Write the row of every contact ``batch`` touched, from all its events in the log
        (this transaction's included): the kept record with only the batch's events folded
        in, when no other writer added events of the contact since it was kept; else a fold
        of all its events read back from the log."""
        new: dict[str, list[tuple[int, Event]]] = {}
        for seq, event in zip(seqs, batch, strict=True):
            contact = getattr(event, "contact_id", None)
            if contact:
                new.setdefault(contact, []).append((seq, event))
        before = contact_rows(conn, new) if new else None  # the report summaries' delta
        outcome_before = outcome_rows_of(conn, new) if new else None
        for contact_id, events_in in new.items():
            record = self._fold_new(conn, contact_id, events_in)
            if record is None:
                continue  # never arrived (a log that starts mid-call): not projected
            values = interaction_values(record)
            agent = record.agent_id
            values["agent_id"] = None if agent is None else self._agent_pk(conn, agent)
            done = conn.execute(update(_INTERACTIONS)
                                .where(_INTERACTIONS.c.contact_id == contact_id).values(**values))
            if done.rowcount == 0:
                conn.execute(insert(_INTERACTIONS).values(contact_id=contact_id, **values))
        if before is not None:
            apply_row_changes(conn, before, contact_rows(conn, new))
            apply_outcome_changes(conn, list(new), outcome_before)

    def _fold_new(
        self, conn: Connection, contact_id: str, events_in: list[tuple[int, Event]]
    ) -> ContactRecord | None:
        kept = self._kept.pop(contact_id, None)
        first = events_in[0][0]
        if kept is not None:
            others = conn.execute(  # events of the contact another writer stored meanwhile
                select(func.count()).select_from(_EVENTS).where(
                    _EVENTS.c.contact_id == contact_id, _EVENTS.c.seq > kept[0],
                    _EVENTS.c.seq < first)).scalar_one()
            if others:
                kept = None
        builder = RecordBuilder()
        if kept is None:
            query = (select(_EVENTS.c.payload)
                     .where(_EVENTS.c.contact_id == contact_id, _EVENTS.c.seq < first)
                     .order_by(_EVENTS.c.seq))
            builder.extend(event_from_json(p) for (p,) in conn.execute(query))
        else:
            builder.records[contact_id] = kept[1]
        for _, event in events_in:
            # the record as the log holds it: the event as stored (JSON round trip)
            builder.add(event_from_json(event.to_json()))
        record = builder.records.get(contact_id)
        if record is not None:
            self._kept[contact_id] = (events_in[-1][0], record)
            while len(self._kept) > self.kept_contacts:
                self._kept.popitem(last=False)
        return record

    def _agent_pk(self, conn: Connection, login: str) -> int | None:
        if login in self._agent_ids:
            return self._agent_ids[login]
        pk = conn.execute(select(_AGENTS.c.id).where(_AGENTS.c.login == login)).scalar()
        if pk is None:
            return _int_or_none(login)  # not cached: the agent may be created later
        self._agent_ids[login] = int(pk)
        return int(pk)


def interaction_values(record: ContactRecord) -> dict[str, Any]:
    """The ``interaction`` columns of ``record`` (all but ``contact_id`` and ``agent_id``):
    the record itself, cut to the columns' widths."""
    handle = record.handle_seconds
    return {
        "queue": record.queue[:MAX_ID_LENGTH],
        "direction": record.direction[:10],
        "customer_id": _int_or_none(record.customer_id),
        "tier": record.tier[:20],
        "arrived_at": epoch_to_datetime(record.arrived_at),
        "answered_at": _datetime_or_none(record.answered_at),
        "ended_at": _datetime_or_none(_ended_at(record)),
        "wrapup_ended_at": _datetime_or_none(record.wrap_up_ended_at),
        "outcome": record.status,
        "handle_seconds": handle,
        "disposition": None if record.disposition is None
        else record.disposition[:MAX_ID_LENGTH],
        # what qa.outcomes reads (qa.outcomes.row_of_record: the same fields)
        "talk_seconds": None if handle is None else record.talk_seconds,
        "transfers": record.transfers,
        "reason": None if record.reason is None else record.reason[:MAX_ID_LENGTH],
        "customer_key": None if record.customer_id is None
        else record.customer_id[:MAX_ID_LENGTH],
        "offers_made": record.offers_made,
        "cross_sell_sales": record.cross_sell_sales,
        "up_sell_sales": record.up_sell_sales,
        "sales": record.sales,
        "sales_amount": record.sales_amount,
        "complaints": record.complaints,
        "survey_score": record.survey_score,
    }


def _ended_at(record: ContactRecord) -> float | None:
    """When the contact ended: the end of the conversation, else when the caller hung up
    waiting (in the arrival leg or a later one)."""
    if record.ended_at is not None:
        return record.ended_at
    if record.abandoned_at is not None:
        return record.abandoned_at
    return record.legs[-1].abandoned_at if record.legs else None


def _datetime_or_none(at: float | None) -> datetime | None:
    return None if at is None else epoch_to_datetime(at)


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    text_value = str(value).strip()
    if text_value.isdigit() and len(text_value) < 19:
        return int(text_value)
    return None
