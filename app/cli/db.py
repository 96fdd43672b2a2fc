"""``contactops db``: database migrations (Alembic, scripts packaged in ``app/migrations``).

- ``contactops db upgrade [REVISION]``: bring the database to REVISION (default ``head``);
- ``contactops db current``: print the revision the database is at;
- ``contactops db rebuild-summaries``: rebuild the report pages' sums from the interaction rows
  (:func:`app.report_summaries.rebuild_summaries`);
- ``contactops db revision -m MSG``: autogenerate a new migration from ``app/models.py``
  (for developers: run it from a source checkout; it compares the models with a scratch
  SQLite database upgraded to head, so it needs no running server).

The database is ``Settings().database_url`` (``CONTACTOPS_DATABASE_URL``), or ``--url``
(before or after the action: ``db --url URL current`` and ``db current --url URL`` are the
same). A database that cannot be reached, a URL that is not one, or a revision that does
not exist is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError

from app.cli import CliError

URL_HELP = "database URL (default: CONTACTOPS_DATABASE_URL)"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("db", help="database migrations: upgrade, current, revision")
    parser.add_argument("--url", help=URL_HELP)
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION")
    actions.required = True
    up = actions.add_parser("upgrade", help="upgrade the database to the latest revision")
    up.add_argument("revision", nargs="?", default="head")
    current = actions.add_parser("current", help="print the database's revision")
    rebuild = actions.add_parser(
        "rebuild-summaries", help="rebuild the report pages' sums from the interaction rows")
    for action in (up, current, rebuild):  # SUPPRESS: not given here keeps the one given before
        action.add_argument("--url", default=argparse.SUPPRESS, help=URL_HELP)
    rev = actions.add_parser("revision", help="autogenerate a migration from app/models.py")
    rev.add_argument("-m", "--message", required=True, help="what the migration does")
    rev.add_argument(
        "--against",
        help="database URL to compare with (default: a scratch SQLite database at head)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.db_command == "revision":
        url = args.against or "a scratch SQLite database"
    else:
        url = args.url or _settings_url()
    try:
        return _run(args, url)
    except SQLAlchemyError as exc:
        from app.dbmigrate import describe_error

        raise CliError(describe_error(exc, url)) from exc
    except CommandError as exc:  # alembic: e.g. a revision that does not exist
        raise CliError(" ".join(str(exc).split())) from exc


def _run(args: argparse.Namespace, url: str) -> int:
    from app import dbmigrate

    if args.db_command == "revision":
        return _revision(args.message, args.against)
    if args.db_command == "rebuild-summaries":
        return _rebuild_summaries(url)
    if args.db_command == "upgrade":
        dbmigrate.upgrade(url, args.revision)
        print(f"database at {dbmigrate.current(url)} ({_redact(url)})")
        return 0
    print(dbmigrate.current(url) or "(not versioned: run `contactops db upgrade`)")
    return 0


def _rebuild_summaries(url: str) -> int:
    import sys

    from app import dbmigrate
    from app.db import make_engine
    from app.report_summaries import rebuild_summaries

    try:
        dbmigrate.check_current(url)
    except dbmigrate.DatabaseNotReady as exc:
        raise CliError(str(exc)) from exc

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"\rdays {done}/{total}")
        sys.stderr.flush()

    engine = make_engine(url)
    try:
        rows = rebuild_summaries(engine, progress)
    finally:
        engine.dispose()
    sys.stderr.write("\n")
    print(f"summaries rebuilt from {rows} inbound rows ({_redact(url)})")
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
    from app.dbmigrate import redact

    return redact(url)
