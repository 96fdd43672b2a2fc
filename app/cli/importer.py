"""`contactops import SOURCE FILE`: call history into the event log.

Sources: ``anonbank`` (the Technion "Anonymous Bank" call-by-call file,
:mod:`app.importers.anonbank`). Every row of the file is read and checked first: a bad
row stops the import with one line naming the row number and the field, and nothing of
the file is stored. The calls are then stored in batches through the live center's
store (:meth:`app.eventlog.SqlEventStore.append`, source ``import``: the events and the
interaction rows built from them by :class:`qa.records.RecordBuilder`, one transaction
per batch). Contacts already in the database (same contact id) are skipped, so importing
the same file twice changes nothing. A progress bar runs on stderr; the last line on
stdout says how many calls were imported and skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.cli import CliError
from app.importers import anonbank
from app.models import Interaction

SOURCES = ("anonbank",)
BATCH = 500


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "import",
        help="import call history (anonbank) into the event log",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", choices=SOURCES)
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.db import make_engine
    from app.settings import Settings

    path: Path = args.file
    with path.open(encoding="utf-8", newline="") as fh:
        try:
            calls = list(anonbank.read_calls(iter(fh)))
        except anonbank.RowError as exc:
            raise CliError(f"{path}: {exc}; nothing imported") from None
        except UnicodeDecodeError as exc:
            raise CliError(f"{path}: not UTF-8 text ({exc.reason}); nothing imported") from None
    engine = make_engine(args.url or Settings().database_url)
    try:
        started = time.perf_counter()
        imported, skipped = import_calls(engine, calls,
                                         None if args.no_progress else sys.stderr)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    print(f"imported {imported} calls, skipped {skipped} already stored "
          f"({seconds:.1f} s)")
    return 0


def import_calls(
    engine: Engine, calls: Sequence[anonbank.Call], progress: TextIO | None = None
) -> tuple[int, int]:
    """Store the calls not stored yet, ``BATCH`` per transaction; ``(imported, skipped)``."""
    from app.eventlog import SqlEventStore

    present = _stored_ids(engine, (c.contact_id for c in calls))
    todo = [c for c in calls if c.contact_id not in present]
    store = SqlEventStore(engine, source="import")
    bar = _Bar(len(todo), progress)
    for i in range(0, len(todo), BATCH):
        batch = todo[i:i + BATCH]
        store.append(e for c in batch for e in anonbank.call_events(c))
        bar.advance(len(batch))
    bar.close()
    return len(todo), len(calls) - len(todo)


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
