"""Helpers for tests of the web service (importable by every part's tests).

Typical use::

    from app.testing import make_client, make_settings, create_user, login

    def test_something(database_url):
        with make_client(make_settings(database_url)) as client:   # schema created, lifespan run
            create_user(client.app, "sup", "supervisor")
            login(client, "sup")                                   # cookies + X-CSRF-Token header
            assert client.get("/api/me").json()["role"] == "supervisor"

* :func:`make_settings` — settings for a test database (non-demo, a non-default secret).
* :func:`create_schema` — ``app.dbmigrate.upgrade(url)``; a new SQLite file is a copy of a
  template migrated once per process.
* :func:`make_client` — creates the schema, builds the app and returns a ``TestClient``
  (use it as a context manager so the startup checks run).
* :func:`create_user` — a user with a role (and, for agents, an Agent row) and a password
  hashed with cheap argon2 parameters, so tests stay fast (verification reads the
  parameters from the hash).
* :func:`login` — logs the client in through the login form, handling the CSRF token, and
  sets the ``X-CSRF-Token`` header that JSON API calls need.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app import dbmigrate
from app.auth.cookies import CSRF_COOKIE, CSRF_HEADER
from app.auth.passwords import hash_password
from app.models import Agent, Role, User
from app.settings import Settings

TEST_SECRET_KEY = "contactops-test-secret-key-not-for-production"
TEST_PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "demo_mode": False,
        "default_locale": "ko",
    }
    values.update(overrides)
    return Settings(**values)


def create_schema(database_url: str) -> None:
    """Bring the database at ``database_url`` to the latest revision.

    A SQLite file that does not exist yet is a copy of a template this process migrated once
    (:func:`_sqlite_template`): running the twenty-odd migrations costs ~0.3 s a test, a copy
    a millisecond, and the copy is the same schema (the template *is* a migrated database).
    Any other database, or a SQLite file that exists, is upgraded by Alembic.
    """
    target = _sqlite_file(database_url)
    if target is not None and not target.exists():
        shutil.copyfile(_sqlite_template(), target)
        return
    dbmigrate.upgrade(database_url)


def _sqlite_file(database_url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL with no query, else ``None``."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.query:
        return None
    if url.database == ":memory:" or url.database.startswith("file:"):
        return None
    return Path(url.database)


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite file migrated to head, made once per process and removed at its exit."""
    folder = Path(tempfile.mkdtemp(prefix="contactops-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    template = folder / "template.db"
    dbmigrate.upgrade(f"sqlite:///{template}")
    return template


def make_app(settings: Settings) -> FastAPI:
    from app.main import create_app

    create_schema(settings.database_url)
    return create_app(settings)


def make_client(settings: Settings, **client_kwargs: Any) -> TestClient:
    """Create the schema, build the app and return a TestClient on it (not yet logged in)."""
    client_kwargs.setdefault("follow_redirects", False)
    return TestClient(make_app(settings), **client_kwargs)


def _engine(target: FastAPI | Engine) -> Engine:
    return target.state.engine if isinstance(target, FastAPI) else target


def create_user(
    target: FastAPI | Engine,
    username: str,
    role: str | Role,
    password: str = TEST_PASSWORD,
    *,
    locale: str = "ko",
    with_agent: bool | None = None,
    site: str = "seoul",
    is_default_password: bool = False,
) -> User:
    """Insert a user (agents get an Agent row unless ``with_agent=False``) and return it."""
    role = Role(role)
    with Session(_engine(target)) as session:
        agent_id = None
        if with_agent if with_agent is not None else role is Role.agent:
            agent = Agent(login=username, name=f"Agent {username}", site=site, team="team-1")
            session.add(agent)
            session.flush()
            agent_id = agent.id
        user = User(
            username=username,
            password_hash=hash_password(password, hasher=FAST_HASHER),
            role=role.value,
            locale=locale,
            agent_id=agent_id,
            is_default_password=is_default_password,
        )
        session.add(user)
        session.commit()
        session.refresh(user)
        session.expunge(user)
        return user


def login(client: TestClient, username: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the form (GET /login for the CSRF cookie, then POST) or fail loudly."""
    client.get("/login")
    token = client.cookies.get(CSRF_COOKIE)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token or ""},
        follow_redirects=False,
    )
    if response.status_code != 303:
        raise AssertionError(
            f"login of {username!r} failed: {response.status_code} {response.text[:200]}"
        )
    client.headers[CSRF_HEADER] = client.cookies.get(CSRF_COOKIE) or ""


def logout(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": client.headers.get(CSRF_HEADER, "")})
    client.headers.pop(CSRF_HEADER, None)
    client.cookies.clear()
