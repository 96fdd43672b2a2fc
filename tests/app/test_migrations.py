"""Alembic migrations: they upgrade an empty database on SQLite and PostgreSQL, and they
match app/models.py exactly (a table added to the models without a migration fails here:
run ``contactops db revision -m "add <table>"`` and check the script)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app import dbmigrate
from app.db import make_engine
from app.models import Customer


def test_upgrade_creates_every_table_of_the_models(database_url: str) -> None:
    assert dbmigrate.current(database_url) is None
    dbmigrate.upgrade(database_url)
    assert dbmigrate.current(database_url) == dbmigrate.head()
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_match_migrations(database_url: str) -> None:
    dbmigrate.upgrade(database_url)
    diff = dbmigrate.schema_diff(database_url)
    assert diff == [], (
        "app/models.py differs from the migrations; add one with "
        f"`contactops db revision -m MSG`: {diff}"
    )


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    dbmigrate.upgrade(database_url)
    dbmigrate.upgrade(database_url)
    assert dbmigrate.current(database_url) == dbmigrate.head()


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    dbmigrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config = dbmigrate.alembic_config(database_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    dbmigrate.upgrade(database_url)
    assert dbmigrate.current(database_url) == dbmigrate.head()


def test_big_integer_keys_autoincrement(database_url: str) -> None:
    """BigInteger ids get values on both backends (INTEGER PRIMARY KEY on SQLite)."""
    dbmigrate.upgrade(database_url)
    engine = make_engine(database_url)
    table = Customer.__table__  # type: ignore[attr-defined]
    try:
        with engine.begin() as connection:
            connection.execute(insert(table), [{"name": "김민준", "value_tier": "core",
                                                "lifecycle_stage": "new", "segment": "mass",
                                                "annual_revenue_krw": 0,
                                                "marketing_consent": False,
                                                "do_not_call": False, "time_zone": "Asia/Seoul",
                                                "home_branch": ""}] * 2)
            ids = connection.execute(select(table.c.id)).scalars().all()
    finally:
        engine.dispose()
    assert sorted(ids) == [1, 2]


def test_migrations_are_packaged_inside_app() -> None:
    assert dbmigrate.MIGRATIONS_DIR.parent.name == "app"
    assert (dbmigrate.MIGRATIONS_DIR / "env.py").is_file()
    assert (dbmigrate.MIGRATIONS_DIR / "script.py.mako").is_file()
    assert list((dbmigrate.MIGRATIONS_DIR / "versions").glob("0001_*.py"))
    assert dbmigrate.head() is not None


@pytest.mark.parametrize("taken,expected", [([], "0001"), (["0001", "0002"], "0003")])
def test_revision_ids_are_numbered(taken: list[str], expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    class Script:
        def __init__(self, revision: str) -> None:
            self.revision = revision

    class Directory:
        def walk_revisions(self) -> list[Script]:
            return [Script(r) for r in taken]

    monkeypatch.setattr(dbmigrate.ScriptDirectory, "from_config", lambda config: Directory())
    assert dbmigrate.next_revision_id() == expected


REVISION_SCRIPT = r'''
import shutil, sys
from pathlib import Path
from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel
from app import dbmigrate
import app.models  # noqa: F401

tmp = Path(sys.argv[1])
shutil.copytree(dbmigrate.MIGRATIONS_DIR, tmp / "migrations")
dbmigrate.MIGRATIONS_DIR = tmp / "migrations"

class LateTable(SQLModel, table=True):  # a table appended to the models later
    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    note: str = Field(max_length=30, index=True)

scratch = f"sqlite:///{tmp / 'scratch.db'}"
dbmigrate.upgrade(scratch)
assert dbmigrate.schema_diff(scratch), "the new table should show as a difference"
script = dbmigrate.revision(scratch, "add late table")
print("SCRIPT", Path(script.path).name)
print(Path(script.path).read_text())
fresh = f"sqlite:///{tmp / 'fresh.db'}"
dbmigrate.upgrade(fresh)
assert dbmigrate.schema_diff(fresh) == [], dbmigrate.schema_diff(fresh)
print("CURRENT", dbmigrate.current(fresh))
'''


def test_a_table_added_later_gets_a_revision(tmp_path: Path) -> None:
    """The workflow for a table appended to app/models.py (in a copy of the scripts)."""
    result = subprocess.run([sys.executable, "-c", REVISION_SCRIPT, str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    name = next(line for line in result.stdout.splitlines() if line.startswith("SCRIPT "))[7:]
    number = int(name.split("_")[0])
    assert name.endswith("_add_late_table.py") and number >= 2
    assert "op.create_table('latetable'" in result.stdout
    assert "sa.BigInteger().with_variant(sa.Integer(), 'sqlite')" in result.stdout
    assert f"CURRENT {number:04d}" in result.stdout
