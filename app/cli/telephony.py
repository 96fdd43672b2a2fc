"""``contactops telephony``: real telephony through a SIP proxy (see README "Real telephony").

``contactops telephony accounts [--rotate] [--agent LOGIN ...] [--url URL]`` makes a SIP
digest account for every active agent that has none (or whose realm is not the configured
``CONTACTOPS_SIP_DOMAIN``); ``--rotate`` makes new ones (new random password, only its HA1
kept). Prints one line per agent: username, realm, made/kept. No password is ever printed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("telephony", help="SIP telephony: agents' SIP accounts")
    tsub = p.add_subparsers(dest="telephony_command", metavar="ACTION")
    tsub.required = True
    acc = tsub.add_parser("accounts", help="make (or rotate) the agents' SIP digest accounts")
    acc.add_argument("--rotate", action="store_true", help="new credentials for every account")
    acc.add_argument("--agent", action="append", metavar="LOGIN",
                     help="only this agent (repeatable)")
    acc.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    acc.set_defaults(func=run_accounts)


def skipped_logins(session: Session, only: list[str] | None) -> list[str]:
    """Active agents' logins that cannot be SIP usernames (they get no account)."""
    from sqlmodel import select

    from app.models import Agent
    from app.sip.accounts import USERNAME_PATTERN

    logins = session.exec(select(Agent.login).where(Agent.active == True))
    return sorted(x for x in logins if not USERNAME_PATTERN.match(x)
                  and (not only or x in only))


def run_accounts(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.db import make_engine
    from app.sip.accounts import ensure_accounts

    settings = Settings()
    engine = make_engine(args.url or settings.database_url)
    try:
        with Session(engine) as session:
            rows = ensure_accounts(session, settings, rotate_all=args.rotate, only=args.agent)
            for account, made in rows:
                print(f"{account.username}\t{account.realm}\t{'made' if made else 'kept'}")
            print(f"{len(rows)} SIP accounts, {sum(made for _, made in rows)} made now")
            skipped = skipped_logins(session, only=args.agent)
            if skipped:
                print(f"no SIP account for logins that cannot be SIP usernames: "
                      f"{', '.join(skipped)}")
    finally:
        engine.dispose()
    return 0
