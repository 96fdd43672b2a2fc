"""Shared fixtures: a fresh database per test, on SQLite always and PostgreSQL when reachable.

PostgreSQL: each test *run* gets its own database (``contactops_t_<random>``, dropped at
the end); each test gets its own schema inside it, selected through ``search_path`` in
the URL, so runs and tests never collide. Redis: each test gets its own key prefix.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

PG_HOST = os.environ.get("CONTACTOPS_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CONTACTOPS_TEST_PG_PORT", "5432"))
PG_ADMIN_DB = os.environ.get("CONTACTOPS_TEST_PG_DB", "test")
PG_USER = os.environ.get("CONTACTOPS_TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("CONTACTOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

#: CI runs hypothesis derandomized (the same examples every run), so a landing never hangs on
#: a lucky draw; developers' runs explore new examples each time. ``print_blob`` prints the
#: reproduction of any failure.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def pg_reachable() -> bool:
    return _reachable(PG_HOST, PG_PORT)


def redis_reachable() -> bool:
    return _reachable("127.0.0.1", 6379)


@pytest.fixture(scope="session")
def pg_run_database() -> Iterator[str | None]:
    """A PostgreSQL database for this test run, or None when the server is not reachable."""
    if not pg_reachable():
        yield None
        return
    import psycopg

    name = f"contactops_t_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_ADMIN_DB}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_schema_url(database: str) -> str:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return (
        f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
        f"?options=-csearch_path%3D{schema}"
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: SQLite file always; PostgreSQL schema when reachable."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contactops.db'}"
    database = request.getfixturevalue("pg_run_database")
    if database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return _pg_schema_url(database)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'contactops.db'}"


@pytest.fixture
def redis_url() -> str:
    if not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key/channel prefix unique to this test, so runs never collide on the shared server."""
    return f"contactops-test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture(scope="session")
def anonymous_bank_path() -> Path:
    path = SHARED_DATA / "anonymous_bank_1999" / "data_anonymous_bank_february.txt"
    if not path.exists():
        pytest.skip(f"real data not found at {path}")
    return path
