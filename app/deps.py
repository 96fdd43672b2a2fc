"""Typed FastAPI dependencies shared by every router: ``SessionDep`` and ``SettingsDep``.

Both read what the app factory put on ``app.state`` (``engine``, ``settings``); nothing is
built at import time. They take an ``HTTPConnection`` so they work for HTTP routes and
websockets alike.

Connections are scarce (a pool of ``database_pool_size + database_max_overflow`` per
process), so a request must not sit on one while it waits for something else: the login
check gives its connection back as soon as the user is loaded, and a handler that awaits
the live center calls :func:`release_connection` first. The session stays usable (its
objects stay loaded); its next query simply takes a connection again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.requests import HTTPConnection
from sqlmodel import Session

from app.settings import Settings

log = logging.getLogger("contactops.db")

#: Where :func:`get_session` leaves the request's session (``conn.state``).
SESSION_STATE_KEY = "db_session"


def get_session(conn: HTTPConnection) -> Iterator[Session]:
    """One SQLModel session per request, on the engine the factory built."""
    with Session(conn.app.state.engine) as session:
        setattr(conn.state, SESSION_STATE_KEY, session)
        try:
            yield session
        finally:
            setattr(conn.state, SESSION_STATE_KEY, None)


def release_session(session: Session) -> bool:
    """End ``session``'s read transaction and give its connection back to the pool.

    Loaded objects are kept (not expired), so a handler can go on using the current user.
    A session with unflushed changes is left alone (its owner decides when to commit);
    returns whether the connection was released.
    """
    if session.new or session.dirty or session.deleted:
        log.debug("session has pending changes; its connection is kept")
        return False
    if not session.in_transaction():
        return True
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()  # nothing pending: ends the transaction, the connection goes back
    finally:
        session.expire_on_commit = keep
    return True


def release_connection(conn: HTTPConnection) -> bool:
    """:func:`release_session` for this request's session, if it has one."""
    session = getattr(conn.state, SESSION_STATE_KEY, None)
    return release_session(session) if isinstance(session, Session) else True


def get_settings(conn: HTTPConnection) -> Settings:
    settings: Settings = conn.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
