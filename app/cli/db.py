"""`contactops db` (under construction)."""

from __future__ import annotations

import argparse

from app.cli import CliError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("db", help="(under construction)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise CliError("not built yet")
