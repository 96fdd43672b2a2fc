"""The industry do-not-call list: imported from a file, honoured before every outbound dial.

A bank's outbound center must not call numbers on the industry's register (Korea's 두낫콜
register of the financial industry, the US national registry, the UK's TPS). The register
is delivered as a file and re-delivered whole; ``contactops import dnc FILE --list NAME``
(:mod:`app.cli.importer`) makes the stored list of ``NAME`` equal to the file: numbers new in
the file are added, numbers no longer in it are removed, the rest are kept, so importing the
same file twice changes nothing. Several lists (sources) may be kept; a number is refused
while any list holds it.

File format: UTF-8 text, one number per line, or a CSV whose first column is the number (an
optional header line whose first field is not a number, e.g. ``number``, is skipped); blank
lines and lines starting with ``#`` are ignored. Numbers are written as people write them
(``010-1234-5678``, ``+82 10 1234 5678``) and stored in E.164 (:func:`app.phone.normalize_phone`,
national numbers taken as Korean). A line that is not a phone number stops the import with one
line naming the line number, and nothing of the file is stored.

:func:`listed` answers which of some numbers are on a list; the agent's agenda and preview
dialing (:mod:`app.agenda`) pass them to :func:`telesales.contact_rules.check_dial` as
``industry_do_not_call``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from sqlmodel import select as sqlmodel_select

from app.importers.calls import RowError
from app.models import IndustryDoNotCall
from app.phone import normalize_phone
from app.seed.bulk import table_of

#: the most numbers one file may hold (Korea's register held about 10 million in 2025)
MAX_NUMBERS = 30_000_000
#: longest list name
MAX_SOURCE = 40
#: rows per INSERT/DELETE statement
CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class DncImport:
    """What one import changed on list ``source``."""

    source: str
    numbers: int
    added: int
    removed: int
    kept: int


def check_source(source: str) -> str:
    """The list name, stripped; ``ValueError`` naming it when empty or too long."""
    name = source.strip()
    if not name or len(name) > MAX_SOURCE:
        raise ValueError(f"--list: a name of 1 to {MAX_SOURCE} characters, not {source!r}")
    return name


def read_numbers(lines: Iterable[str]) -> set[str]:
    """The file's numbers in E.164; :class:`RowError` naming the line of a bad one."""
    numbers: set[str] = set()
    for line_no, row in enumerate(csv.reader(_content(lines)), start=1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        raw = row[0].strip()
        try:
            numbers.add(normalize_phone(raw))
        except ValueError:
            if not numbers and not any(ch.isdigit() for ch in raw):
                continue  # a header line
            raise RowError(line_no, "number", f"not a phone number: {raw[:40]!r}",
                           "line") from None
        if len(numbers) > MAX_NUMBERS:
            raise RowError(line_no, "number", f"more than {MAX_NUMBERS:,} numbers in one file",
                           "line")
    return numbers


def _content(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        yield line.lstrip("\ufeff")


def replace_list(engine: Engine, source: str, numbers: set[str], now: datetime) -> DncImport:
    """Make list ``source`` hold exactly ``numbers`` (one transaction)."""
    name = check_source(source)
    table = table_of(IndustryDoNotCall)
    with engine.begin() as conn:
        stored = set(conn.execute(select(table.c.number).where(table.c.source == name))
                     .scalars())
        new = sorted(numbers - stored)
        gone = sorted(stored - numbers)
        for i in range(0, len(new), CHUNK):
            conn.execute(insert(table), [{"source": name, "number": n, "imported_at": now}
                                         for n in new[i:i + CHUNK]])
        for i in range(0, len(gone), CHUNK):
            conn.execute(delete(table).where(table.c.source == name,
                                             table.c.number.in_(gone[i:i + CHUNK])))
    return DncImport(name, len(numbers), len(new), len(gone), len(stored) - len(gone))


def listed(session: Session, numbers: Iterable[str]) -> frozenset[str]:
    """Those of ``numbers`` (E.164) that some industry list holds."""
    wanted = sorted({n for n in numbers if n})
    found: set[str] = set()
    for i in range(0, len(wanted), CHUNK):
        found.update(session.exec(sqlmodel_select(IndustryDoNotCall.number).where(
            col(IndustryDoNotCall.number).in_(wanted[i:i + CHUNK]))).all())
    return frozenset(found)
