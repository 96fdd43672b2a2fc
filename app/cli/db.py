"""``contactops db``: database migrations (Alembic, scripts packaged in ``app/migrations``).

- ``contactops db upgrade [REVISION]``: bring the database to REVISION (default ``head``);
- ``contactops db current``: print the revision the database is at;
- ``contactops db revision -m MSG``: autogenerate a new migration from ``app/models.py``
  (for developers: run it from a source checkout; it compares the models with a scratch
  SQLite database upgraded to head, so it needs no running server).

The database is ``Settings().database_url`` (``CONTACTOPS_DATABASE_URL``), or ``--url``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from app.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("db", help="database migrations: upgrade, current, revision")
    parser.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION")
    actions.required = True
    up = actions.add_parser("upgrade", help="upgrade the database to the latest revision")
    up.add_argument("revision", nargs="?", default="head")
    actions.add_parser("current", help="print the database's revision")
    rev = actions.add_parser("revision", help="autogenerate a migration from app/models.py")
    rev.add_argument("-m", "--message", required=True, help="what the migration does")
    rev.add_argument(
        "--against",
        help="database URL to compare with (default: a scratch SQLite database at head)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app import dbmigrate

    if args.db_command == "revision":
        return _revision(args.message, args.against)
    url = args.url or _settings_url()
    if args.db_command == "upgrade":
        dbmigrate.upgrade(url, args.revision)
        print(f"database at {dbmigrate.current(url)} ({_redact(url)})")
        return 0
    print(dbmigrate.current(url) or "(not versioned: run `contactops db upgrade`)")
    return 0


def _revision(message: str, against: str | None) -> int:
    from app import dbmigrate

    if not message.strip():
        raise CliError("-m/--message must not be empty")
    with tempfile.TemporaryDirectory() as scratch:
        url = against or f"sqlite:///{Path(scratch) / 'revision.db'}"
        dbmigrate.upgrade(url)
        if not dbmigrate.schema_diff(url):
            raise CliError("app/models.py matches the migrations: nothing to generate")
        script = dbmigrate.revision(url, message)
    if script is None:
        raise CliError("alembic wrote no script")
    print(f"wrote {script.path}: read it before committing (autogenerate misses renames "
          "and server defaults)")
    return 0


def _settings_url() -> str:
    from app.settings import Settings

    return Settings().database_url


def _redact(url: str) -> str:
    """Hide a password in a URL before printing it."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - printing only
        return url
