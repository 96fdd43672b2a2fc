"""The ``contactops`` command line. Each subcommand lives in its own module here.

A module registers itself with ``register(subparsers)`` and sets ``func`` on its
parser; ``func(args) -> int`` returns the exit code. Errors a user can fix are
raised as :class:`CliError` (or ``ValueError`` from a core) and printed as one line,
with exit code 2, never as a traceback; so are, as a safety net, operating-system errors
(``--out /dev/full``), unreadable CSV, input nested too deeply and values out of range
(:func:`one_line`). So is a database that cannot be reached or a database URL that is not
one (:data:`DATABASE_ERRORS`), whichever command meets it.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.db",
    "app.cli.demo",
    "app.cli.serve",
    "app.cli.forecast",
    "app.cli.staffing",
    "app.cli.simulate",
    "app.cli.simulate_outbound",
    "app.cli.schedule",
    "app.cli.kpis",
    "app.cli.importer",
    "app.cli.telephony",
    "app.cli.campaigns",
)


class CliError(Exception):
    """An error the user can fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contactops",
        description="Contact-center operations suite with workforce management.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    database_errors = (ArgumentError, InterfaceError, OperationalError, PoolTimeout)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CliError, ValueError, FileNotFoundError, PermissionError) as exc:
        print(f"contactops {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, csv.Error, RecursionError, OverflowError, MemoryError) as exc:
        print(f"contactops {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except database_errors as exc:  # unreachable database, bad URL: one line too
        from app.dbmigrate import describe_error

        print(f"contactops {args.command}: error: {describe_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def one_line(exc: BaseException) -> str:
    """A safety net's message for an error a command did not foresee (disk full, a CSV field
    over the csv module's 128 KiB, JSON nested past the recursion limit, a date out of range)."""
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, csv.Error):
        return f"not a readable CSV ({exc})"
    if isinstance(exc, RecursionError):
        return "input nested too deeply"
    if isinstance(exc, MemoryError):
        return "out of memory (input too large)"
    return f"value out of range ({exc})"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
