"""``contactops db`` and ``contactops demo`` through the CLI entry point."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app import dbmigrate
from app.cli import main
from app.db import make_engine
from app.models import Customer, User


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite URL in CONTACTOPS_DATABASE_URL; one week of call history to be quick."""
    import app.seed.history

    monkeypatch.setattr(app.seed.history, "WEEKS", 1)
    url = f"sqlite:///{tmp_path / 'var' / 'demo.db'}"
    monkeypatch.setenv("CONTACTOPS_DATABASE_URL", url)
    return url


def _scalar(url: str, statement: object) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(statement).scalar_one()  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_db_upgrade_and_current(db_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current"]) == 0
    assert "not versioned" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip().endswith(dbmigrate.head() or "?")


def test_db_revision_refuses_when_models_match(capsys: pytest.CaptureFixture[str]) -> None:
    versions = Path(dbmigrate.__file__).parent / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    try:
        assert main(["db", "revision", "-m", "nothing new"]) == 2
        assert "nothing to generate" in capsys.readouterr().err
    finally:
        # a failing run wrote a migration into the source tree: never leave it behind
        for written in set(versions.glob("*.py")) - before:
            written.unlink()


def test_demo_no_serve_migrates_and_seeds(db_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--no-serve", "--customers", "1500", "--demo-password", "pw-1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "http://127.0.0.1:8000/" in out and "password: pw-1" in out
    assert dbmigrate.current(db_env) == dbmigrate.head()
    assert _scalar(db_env, select(func.count()).select_from(Customer.__table__)) == 1500  # type: ignore[attr-defined]

    # a second run keeps the data and gives the demo users this run's password
    assert main(["demo", "--no-serve", "--demo-password", "pw-2"]) == 0
    assert "already seeded" in capsys.readouterr().out
    assert _scalar(db_env, select(func.count()).select_from(Customer.__table__)) == 1500  # type: ignore[attr-defined]
    password_hash = _scalar(db_env, select(User.password_hash).where(User.username == "admin"))
    assert PasswordHasher().verify(str(password_hash), "pw-2")


def test_demo_serves_with_demo_settings(db_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.cli.serve

    calls: list[tuple[object, str, int]] = []
    monkeypatch.setattr(app.cli.serve, "serve",
                        lambda settings, host, port: calls.append((settings, host, port)),
                        raising=False)
    assert main(["demo", "--customers", "300", "--port", "8123", "--host", "0.0.0.0"]) == 0
    (settings, host, port), = calls
    assert (host, port) == ("0.0.0.0", 8123)
    assert settings.demo_mode and settings.live_center  # type: ignore[attr-defined]
    assert settings.demo_password == "demo"  # type: ignore[attr-defined]
    assert settings.database_url == db_env  # type: ignore[attr-defined]


@pytest.mark.parametrize("argv,message", [
    (["demo", "--customers", "0"], "must be at least 1"),
    (["demo", "--customers", "many"], "expected a whole number"),
    (["demo", "--port", "70000"], "TCP port"),
    (["demo", "--demo-password", "", "--no-serve"], "must not be empty"),
    (["db"], "required"),
    (["db", "revision"], "-m"),
])
def test_bad_arguments_give_a_message_and_exit_2(
    argv: list[str], message: str, db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


CONTACTOPS = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())"]


def test_command_line_demo_no_serve_in_a_fresh_process(tmp_path: Path) -> None:
    env = {**os.environ, "CONTACTOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    result = subprocess.run([*CONTACTOPS, "demo", "--no-serve", "--customers", "200"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "password: demo" in result.stdout
    bad = subprocess.run([*CONTACTOPS, "demo", "--port", "x"],
                         env=env, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "--port" in bad.stderr


def test_demo_registers_its_options() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    from app.cli import demo

    demo.register(sub)
    args = parser.parse_args(["demo"])
    assert (args.customers, args.demo_password, args.host, args.port, args.seed) == (
        20_000, "demo", "127.0.0.1", 8000, 0)
    assert not args.reset and not args.no_serve


# --- one line for a database that cannot be used; --url anywhere -------------------------


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("url,message", [
    ("bogus://x", "unknown kind of database URL"),
    ("not a url", "not a database URL"),
    ("postgresql://postgres:s3cret@127.0.0.1:1/x", "cannot use the database"),  # nobody listens
])
@pytest.mark.parametrize("action", ["upgrade", "current"])
def test_db_actions_on_unusable_urls_are_one_line(
    url: str, message: str, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _one_line_error(["db", "--url", url, action], capsys)
    assert message in err and "s3cret" not in err


@pytest.mark.postgres
def test_db_upgrade_of_a_missing_postgresql_database_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.conftest import PG_HOST, PG_PORT, PG_USER, pg_reachable

    if not pg_reachable():
        pytest.skip("PostgreSQL is not reachable")
    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/contactops_no_such_database"
    err = _one_line_error(["db", "--url", url, "upgrade"], capsys)
    assert 'database "contactops_no_such_database" does not exist' in err


def test_db_upgrade_to_an_unknown_revision_is_one_line(
    db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "nonsense" in _one_line_error(["db", "upgrade", "nonsense"], capsys)


def test_db_url_goes_before_or_after_the_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_url = f"sqlite:///{tmp_path / 'env.db'}"
    url = f"sqlite:///{tmp_path / 'given.db'}"
    monkeypatch.setenv("CONTACTOPS_DATABASE_URL", env_url)
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["db", "current", "--url", url]) == 0
    assert main(["db", "--url", url, "current"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-2] == out[-1] == dbmigrate.head()
    assert dbmigrate.current(env_url) is None  # the environment's database was left alone


@pytest.mark.parametrize("customers", [1, 2])
def test_demo_seeds_a_bank_of_any_size_from_one(
    customers: int, db_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--no-serve", "--customers", str(customers)]) == 0, capsys.readouterr()
    assert _scalar(db_env, select(func.count()).select_from(Customer.__table__)) == customers  # type: ignore[attr-defined]


def test_a_last_chunk_of_one_customer_is_seeded(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.seed
    import app.seed.history
    from app.models import CustomerPhone

    monkeypatch.setattr(app.seed.history, "WEEKS", 1)
    monkeypatch.setattr(app.seed, "CHUNK_CUSTOMERS", 4)  # 9 customers: chunks of 4, 4 and 1
    dbmigrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        for seed in range(4):  # some seeds give the last one no second line, some do
            app.seed.reset(engine)
            app.seed.seed_demo(engine, customers=9, seed=seed)
            with engine.connect() as conn:
                phones = conn.execute(select(CustomerPhone.customer_id)).scalars().all()
            assert set(phones) == set(range(1, 10))  # everyone has a mobile
    finally:
        engine.dispose()
