"""`contactops import SOURCE FILE`: call history into the event log, an industry
do-not-call list (``contactops import dnc FILE --list NAME``, :mod:`app.industry_dnc`: the stored
list becomes the file's numbers; importing it twice changes nothing), or payments toward
debts (``contactops import payments FILE``, :mod:`app.payments`: payments not stored yet are
added; importing it twice changes nothing), which say whether promises to pay were kept.

Sources: ``anonbank`` (the Technion "Anonymous Bank" call-by-call file,
:mod:`app.importers.anonbank`), ``queue-log`` (Asterisk's queue log,
:mod:`app.importers.queue_log`) and ``cdr`` (a call-detail CSV, :mod:`app.importers.cdr`).
Every row of the file is read and checked first: a bad row stops the import with one line
naming the row (or line) number and the field, and nothing of the file is stored. The calls
are then stored in batches through the live center's store
(:meth:`app.eventlog.SqlEventStore.append_many`, source ``import``: the events and the
interaction rows built from them by :class:`qa.records.RecordBuilder`, one transaction per
batch), then the agents' state changes the file records. Contacts already in the database
(same contact id) and agent state changes already stored (same agent, state and time) are
skipped, so importing the same file twice changes nothing. Times without a zone are read on
``--tz``'s clock (default UTC; the anonbank file is always read as UTC). A progress bar runs
on stderr; the last line on stdout says how many calls were imported and skipped.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.cli import CliError
from app.importers import anonbank, cdr, queue_log
from app.importers.calls import ImportBatch, ImportedCall, RowError
from app.models import EventRecord, Interaction
from routing.events import AgentStateChanged

#: source name -> its reader of a whole file (lines, the zone of times without one)
READERS: dict[str, Callable[[Iterator[str], tzinfo], ImportBatch]] = {
    "anonbank": anonbank.read_batch,
    "queue-log": queue_log.read_batch,
    "cdr": cdr.read_batch,
}
SOURCES = tuple(READERS)
T = TypeVar("T")
BATCH = 500


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "import",
        help="import call history (anonbank, queue-log, cdr) into the event log",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", choices=(*SOURCES, "dnc", "payments"))
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    parser.add_argument("--tz", default="UTC",
                        help="zone of times written without one (IANA name, default UTC)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--list", default="KR-financial", dest="dnc_list",
                        help="dnc only: the list's name (default KR-financial)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.db import make_engine
    from app.settings import Settings

    if args.source == "dnc":
        return run_dnc(args)
    if args.source == "payments":
        return run_payments(args)
    try:
        zone = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"--tz: unknown time zone {args.tz!r} (e.g. Asia/Seoul, UTC)") from None
    batch = read_file(args.source, args.file, zone)
    engine = make_engine(args.url or Settings().database_url)
    try:
        started = time.perf_counter()
        imported, skipped = import_calls(engine, batch.calls,
                                         None if args.no_progress else sys.stderr)
        states = import_agent_events(engine, batch.agent_events)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    extra = f", {states} agent state changes" if batch.agent_events else ""
    left = "".join(f"; left out {n} {why}" for why, n in sorted(batch.left_out.items()))
    print(f"imported {imported} calls{extra}, skipped {skipped} already stored{left} "
          f"({seconds:.1f} s)")
    return 0


def run_dnc(args: argparse.Namespace) -> int:
    """``contactops import dnc FILE --list NAME``."""
    from datetime import UTC, datetime

    from app import industry_dnc
    from app.db import make_engine
    from app.settings import Settings

    try:
        name = industry_dnc.check_source(args.dnc_list)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    numbers = _read_checked(args.file, industry_dnc.read_numbers)
    engine = make_engine(args.url or Settings().database_url)
    try:
        done = industry_dnc.replace_list(engine, name, numbers, datetime.now(UTC))
    finally:
        engine.dispose()
    print(f"do-not-call list {done.source}: {done.numbers} numbers ({done.added} added, "
          f"{done.removed} removed, {done.kept} kept)")
    return 0


def run_payments(args: argparse.Namespace) -> int:
    """``contactops import payments FILE``."""
    from datetime import UTC, datetime

    from app import payments
    from app.db import make_engine
    from app.settings import Settings

    lines = _read_checked(args.file, payments.read_payments)
    engine = make_engine(args.url or Settings().database_url)
    try:
        done = payments.store_payments(engine, lines, datetime.now(UTC))
    except RowError as exc:
        raise CliError(f"{args.file}: {exc}; nothing imported") from None
    finally:
        engine.dispose()
    print(f"payments: {done.lines} lines ({done.added} added, {done.skipped} already stored)")
    return 0


def _read_checked(path: Path, reader: Callable[[Iterator[str]], T]) -> T:
    """``reader`` over the file's lines; :class:`CliError` (one line) when it cannot be."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return reader(iter(fh))
    except RowError as exc:
        raise CliError(f"{path}: {exc}; nothing imported") from None
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason}); nothing imported") from None
    except csv.Error as exc:
        raise CliError(f"{path}: not a CSV file ({exc}); nothing imported") from None
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise CliError(f"{path}: not readable (permission denied)") from None


def read_file(source: str, path: Path, zone: tzinfo) -> ImportBatch:
    """The whole file read and checked; :class:`CliError` (one line) when it cannot be."""
    return _read_checked(path, lambda lines: READERS[source](lines, zone))


def import_calls(
    engine: Engine, calls: Sequence[ImportedCall], progress: TextIO | None = None
) -> tuple[int, int]:
    """Store the calls not stored yet, ``BATCH`` per transaction; ``(imported, skipped)``."""
    from app.eventlog import SqlEventStore

    present = _stored_ids(engine, (c.contact_id for c in calls))
    todo = [c for c in calls if c.contact_id not in present]
    store = SqlEventStore(engine, source="import")
    bar = _Bar(len(todo), progress)
    for i in range(0, len(todo), BATCH):
        batch = todo[i:i + BATCH]
        store.append_many(e for c in batch for e in c.events)
        bar.advance(len(batch))
    bar.close()
    return len(todo), len(calls) - len(todo)


def import_agent_events(engine: Engine, events: Sequence[AgentStateChanged]) -> int:
    """Store the agent state changes not stored yet (same agent, state and time); how many."""
    from app.eventlog import SqlEventStore

    if not events:
        return 0
    ats = [e.at for e in events]
    query = (select(col(EventRecord.agent_id), col(EventRecord.at), col(EventRecord.payload))
             .where(col(EventRecord.type) == AgentStateChanged.type_name,
                    col(EventRecord.at) >= min(ats), col(EventRecord.at) <= max(ats)))
    with engine.connect() as conn:
        present = {(agent, float(at), payload.get("state")) for agent, at, payload
                   in conn.execute(query)}
    todo = [e for e in events if (e.agent_id, e.at, e.state) not in present]
    store = SqlEventStore(engine, source="import")
    for i in range(0, len(todo), BATCH):
        store.append_many(todo[i:i + BATCH])
    return len(todo)


def _stored_ids(engine: Engine, ids: Iterable[str]) -> set[str]:
    wanted = list(ids)
    present: set[str] = set()
    with engine.connect() as conn:
        for i in range(0, len(wanted), 900):
            chunk = wanted[i:i + 900]
            query = select(col(Interaction.contact_id)).where(
                col(Interaction.contact_id).in_(chunk))
            present.update(str(x) for x in conn.execute(query).scalars())
    return present


class _Bar:
    """A one-line progress bar: ``[#####.....] 1500/33066``, redrawn in place."""

    WIDTH = 40

    def __init__(self, total: int, out: TextIO | None) -> None:
        self.total, self.done, self.out = total, 0, out

    def advance(self, n: int) -> None:
        self.done += n
        if self.out is None or self.total == 0:
            return
        filled = self.WIDTH * self.done // self.total
        self.out.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                       f"{self.done}/{self.total}")
        self.out.flush()

    def close(self) -> None:
        if self.out is not None and self.total:
            self.out.write("\n")
            self.out.flush()
