"""``contactops demo``: migrate, seed the demo bank if the database is empty, and serve it.

    contactops demo [--customers N] [--demo-password PW] [--host H] [--port P] [--seed S]
                    [--reset] [--no-serve]

Runs with ``Settings(demo_mode=True, demo_password=PW, live_center=True)`` on
``CONTACTOPS_DATABASE_URL`` (default: a SQLite file under ./var/). Prints the URL and the
password first. An already seeded database is kept (``--reset`` empties and reseeds it);
its demo users are given the password of this run, so the printed password always works.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta

from app.cli import CliError

DEMO_USERS = "agent01..agent80, supervisor01, supervisor02, planner01, qa01, admin"
#: The largest demo bank (the customer base the suite is designed for; README "Limits").
MAX_CUSTOMERS = 4_000_000


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _customers(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_CUSTOMERS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_CUSTOMERS:,}, got {value:,}")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port (1-65535), got {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("demo", help="seed a demo bank and serve a live demo center")
    parser.add_argument("--customers", type=_customers, default=20_000,
                        help="customers to seed (default 20,000; at most 4,000,000, on PostgreSQL)")
    parser.add_argument("--demo-password", default="demo",
                        help="password of every demo user (default: demo)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8000)
    parser.add_argument("--seed", type=int, default=0, help="random seed of the demo bank")
    parser.add_argument("--reset", action="store_true", help="empty the database and reseed")
    parser.add_argument("--no-serve", action="store_true", help="prepare the database only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

    from app.db import make_engine
    from app.dbmigrate import describe_error, upgrade
    from app.settings import Settings

    if not args.demo_password.strip():
        raise CliError("--demo-password must not be empty")
    hour = Settings().campaign_lists_hour  # CONTACTOPS_CAMPAIGN_LISTS_HOUR, else at start
    settings = Settings(demo_mode=True, demo_password=args.demo_password, live_center=True,
                        campaign_lists_hour=0 if hour is None else hour)
    print(f"contactops demo: http://{args.host}:{args.port}/  "
          f"(users {DEMO_USERS}; password: {args.demo_password})", flush=True)
    try:
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            _prepare(engine, args)
        finally:
            engine.dispose()
    except (OperationalError, InterfaceError, ArgumentError) as exc:
        raise CliError(describe_error(exc, settings.database_url)) from exc
    if args.no_serve:
        return 0
    from app.cli.serve import serve

    serve(settings, args.host, args.port)
    return 0


def _prepare(engine, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from app.seed import is_seeded, reset, seed_demo
    from app.seed.progress import ProgressBar

    if args.reset:
        reset(engine)
    if is_seeded(engine):
        _set_demo_password(engine, args.demo_password)
        print("database already seeded; kept (use --reset to reseed)", flush=True)
        return
    summary = seed_demo(engine, customers=args.customers, password=args.demo_password,
                        seed=args.seed, progress=ProgressBar(sys.stderr), today=_today_in_seoul())
    print(f"seeded {summary.total_rows:,} rows in {summary.seconds:.1f} s", flush=True)


def _set_demo_password(engine, password: str) -> None:  # type: ignore[no-untyped-def]
    """Give the demo users who still have the default password this run's password."""
    from sqlalchemy import update

    from app.models import User
    from app.seed.agents import hash_password

    table = User.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.is_default_password.is_(True))
                     .values(password_hash=hash_password(password)))


def _today_in_seoul() -> date:
    return (datetime.now(UTC) + timedelta(hours=9)).date()
