"""Fast bulk loading of column-oriented data: executemany on SQLite, COPY on PostgreSQL.

Generators in :mod:`app.seed` produce a *frame*: a dict of column name → numpy array
(``np.ma.MaskedArray`` where a column holds NULLs; ``NaT`` is NULL in datetime columns).
:func:`write_frame` turns the arrays into Python values once and sends them:

- SQLite (and any other backend): SQLAlchemy Core ``insert(table)`` executemany, in
  batches of :data:`BATCH_ROWS`;
- PostgreSQL: ``COPY table (columns) FROM STDIN`` through psycopg's ``cursor.copy``
  on the same connection (so it shares the caller's transaction).

For big loads into empty tables on PostgreSQL, :func:`deferred_indexes` drops the
secondary indexes and foreign keys of the tables and builds them again at the end
(one sort per index and one join per foreign key instead of a B-tree insert and a
row-locking lookup per row), all inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC
from typing import Any

import numpy as np
from sqlalchemy import Table, insert, inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

BATCH_ROWS = 20_000
Frame = Mapping[str, np.ndarray]


def table_of(model: type[SQLModel]) -> Table:
    """The table of a SQLModel table class (SQLModel sets ``__table__`` on such classes;
    its metaclass does not declare it, so the type checker needs this one cast)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def frame_length(frame: Frame) -> int:
    lengths = {len(v) for v in frame.values()}
    if len(lengths) != 1:
        raise ValueError(f"frame columns differ in length: {sorted(lengths)}")
    return lengths.pop()


def to_python(column: np.ndarray) -> list[Any]:
    """Python values for a numpy column: aware UTC datetimes, dates, ints, None for NULL."""
    mask = np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else None
    data = np.ma.getdata(column)
    kind = data.dtype.kind
    if kind == "M":
        unit = np.datetime_data(data.dtype)[0]
        if unit == "D":
            values = data.astype(object).tolist()  # datetime.date, None for NaT
        else:
            values = [
                None if v is None else v.replace(tzinfo=UTC)
                for v in data.astype("datetime64[us]").astype(object).tolist()
            ]
    else:
        values = data.tolist()
    if mask is not None and mask.any():
        for i in np.flatnonzero(mask).tolist():
            values[i] = None
    return list(values)


def to_sqlite(column: np.ndarray) -> list[Any]:
    """Like :func:`to_python`, but datetimes and dates already as SQLAlchemy stores them on
    SQLite (``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, ``YYYY-MM-DD``), so rows can go to the
    driver without per-value bind processing."""
    data = np.ma.getdata(column)
    if data.dtype.kind != "M":
        return to_python(column)
    null = np.isnat(data) | np.ma.getmaskarray(column)
    if np.datetime_data(data.dtype)[0] == "D":
        text = np.datetime_as_string(data)
    else:
        text = np.char.replace(np.datetime_as_string(data.astype("datetime64[us]"), unit="us"),
                               "T", " ")
    values: list[Any] = text.tolist()
    for i in np.flatnonzero(null).tolist():
        values[i] = None
    return values


def iter_rows(frame: Frame) -> Iterator[tuple[Any, ...]]:
    return zip(*(to_python(col) for col in frame.values()), strict=True)


def write_frame(connection: Connection, table: Table, frame: Frame) -> int:
    """Insert every row of ``frame`` into ``table``; returns the number of rows."""
    n = frame_length(frame)
    if n == 0:
        return 0
    if connection.dialect.name == "postgresql":
        _copy(connection, table, frame)
    else:
        _executemany(connection, table, frame)
    return n


def _executemany(connection: Connection, table: Table, frame: Frame) -> None:
    """``insert(table)`` executemany in batches of :data:`BATCH_ROWS`.

    On SQLite the statement is compiled once and the rows (pre-rendered by
    :func:`to_sqlite`) go straight to the driver's ``executemany``: per-value bind
    processing of datetimes was more than half of the seed's time.
    """
    if connection.dialect.name == "sqlite":
        compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(frame))
        order = list(compiled.positiontup or [])
        if sorted(order) != sorted(frame):
            raise ValueError(f"cannot map columns {order} to frame {list(frame)}")
        columns = [to_sqlite(frame[name]) for name in order]
        rows = list(zip(*columns, strict=True))
        for start in range(0, len(rows), BATCH_ROWS):
            connection.exec_driver_sql(str(compiled), rows[start:start + BATCH_ROWS])
        return
    names = list(frame)
    statement = insert(table)
    batch: list[dict[str, Any]] = []
    for row in iter_rows(frame):
        batch.append(dict(zip(names, row)))
        if len(batch) >= BATCH_ROWS:
            connection.execute(statement, batch)
            batch = []
    if batch:
        connection.execute(statement, batch)


def _copy(connection: Connection, table: Table, frame: Frame) -> None:
    dbapi = connection.connection.driver_connection
    if dbapi is None:
        raise RuntimeError("the database connection is closed")
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in frame)
    sql = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"
    with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
        for row in iter_rows(frame):
            copy.write_row(row)


def reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the max id."""
    if connection.dialect.name != "postgresql":
        return  # SQLite's rowid keys continue from max(id) by themselves
    preparer = connection.dialect.identifier_preparer
    for table in tables:
        (pk,) = table.primary_key.columns
        name = preparer.format_table(table)
        column = preparer.quote(pk.name)
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', '{pk.name}'), "
            f"COALESCE((SELECT MAX({column}) FROM {name}), 0) + 1, false)"
        )


@contextmanager
def deferred_indexes(connection: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """On PostgreSQL, drop the tables' secondary indexes and foreign keys, rebuild on exit.

    The definitions come from the database itself (``pg_indexes`` / the inspector), so what
    is rebuilt is exactly what the migrations created. No-op on other backends.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    preparer = connection.dialect.identifier_preparer
    inspector = inspect(connection)
    index_sql: list[str] = []
    foreign_keys: list[tuple[str, str, str]] = []  # table, name, definition
    for table in tables:
        name = preparer.format_table(table)
        for fk in inspector.get_foreign_keys(table.name):
            definition = connection.exec_driver_sql(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = %(name)s AND conrelid = %(table)s::regclass",
                {"name": fk["name"], "table": name},
            ).scalar_one()
            foreign_keys.append((name, preparer.quote(fk["name"] or ""), definition))
        rows = connection.exec_driver_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_index x ON x.indexrelid = format('%%I.%%I', i.schemaname, i.indexname)::regclass "
            "WHERE i.tablename = %(table)s AND i.schemaname = current_schema() "
            "AND NOT x.indisprimary AND NOT x.indisunique",
            {"table": table.name},
        ).all()
        for index_name, definition in rows:
            index_sql.append(definition)
            connection.exec_driver_sql(f"DROP INDEX {preparer.quote(index_name)}")
    for table_name, fk_name, _ in foreign_keys:
        connection.exec_driver_sql(f"ALTER TABLE {table_name} DROP CONSTRAINT {fk_name}")
    yield
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for definition in index_sql:
        connection.exec_driver_sql(definition)
    for table_name, fk_name, definition in foreign_keys:
        connection.exec_driver_sql(
            f"ALTER TABLE {table_name} ADD CONSTRAINT {fk_name} {definition}"
        )
