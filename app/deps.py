"""Typed FastAPI dependencies shared by every router: ``SessionDep`` and ``SettingsDep``.

Both read what the app factory put on ``app.state`` (``engine``, ``settings``); nothing is
built at import time. They take an ``HTTPConnection`` so they work for HTTP routes and
websockets alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.requests import HTTPConnection
from sqlmodel import Session

from app.settings import Settings


def get_session(conn: HTTPConnection) -> Iterator[Session]:
    """One SQLModel session per request, on the engine the factory built."""
    with Session(conn.app.state.engine) as session:
        yield session


def get_settings(conn: HTTPConnection) -> Settings:
    settings: Settings = conn.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
