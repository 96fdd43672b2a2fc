"""Database engine and sessions (SQLite file by default, PostgreSQL by URL).

Two kinds of engine per server process:

* the request engine (:func:`make_engine`, on ``app.state.engine``): a pool of
  ``pool_size + max_overflow`` connections shared by the request handlers; a handler that
  waits longer than ``pool_timeout_seconds`` for one gets ``sqlalchemy.exc.TimeoutError``,
  which the API maps to a 503 ("database busy; nothing stored; retry");
* the event writer (:func:`make_writer_engine`): a pool of its own, one connection, used
  only by the live center's event store. The center is the single writer of the event
  log, so however many requests wait for the request pool, the writer is never starved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

#: Defaults of the request pool (SQLAlchemy's own sizes; the wait is shorter than its 30 s so
#: a client gets its 503 well before a typical 30-60 s client timeout).
POOL_SIZE = 5
MAX_OVERFLOW = 10
POOL_TIMEOUT_SECONDS = 10.0
#: PostgreSQL: seconds to wait for a new connection before giving up (psycopg's default: forever).
CONNECT_TIMEOUT_SECONDS = 5
#: PostgreSQL: the writer's statements (advisory lock wait included) are cancelled after this,
#: so one append attempt can never hang the live center.
WRITER_STATEMENT_TIMEOUT_MS = 10_000


def make_engine(
    database_url: str,
    *,
    pool_size: int = POOL_SIZE,
    max_overflow: int = MAX_OVERFLOW,
    pool_timeout_seconds: float = POOL_TIMEOUT_SECONDS,
) -> Engine:
    """Build the engine; for SQLite, create the folder and turn on WAL and foreign keys.

    ``pool_*``: the connection pool (ignored for in-memory SQLite, which has one connection).
    """
    pool: dict[str, Any] = {"pool_size": pool_size, "max_overflow": max_overflow,
                            "pool_timeout": pool_timeout_seconds}
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        in_memory = not path or path == ":memory:" or "mode=memory" in database_url
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False},
                               **({} if in_memory else pool))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        return engine
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    connect_args: dict[str, Any] = {}
    if make_url(database_url).get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return create_engine(database_url, pool_pre_ping=True, connect_args=connect_args, **pool)


def is_in_memory(engine: Engine) -> bool:
    """An in-memory SQLite database: another engine would see another (empty) database."""
    url = engine.url
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or "mode=memory" in str(url))


def make_writer_engine(engine: Engine) -> Engine:
    """An engine of its own for the live center's event store, on ``engine``'s database.

    One connection (the center appends one batch at a time), so request handlers can never
    take the connection the event log needs. On PostgreSQL its statements time out after
    :data:`WRITER_STATEMENT_TIMEOUT_MS`. An in-memory SQLite ``engine`` is returned as is.
    """
    if is_in_memory(engine):
        return engine
    url = engine.url.render_as_string(hide_password=False)
    writer = make_engine(url, pool_size=1, max_overflow=0, pool_timeout_seconds=30.0)
    if writer.dialect.name == "postgresql":

        @event.listens_for(writer, "connect")
        def _statement_timeout(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET statement_timeout = {int(WRITER_STATEMENT_TIMEOUT_MS)}")
            dbapi_conn.commit()

    return writer


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
