"""``contactops telephony``: real telephony through a SIP proxy (see README "Real telephony").

``contactops telephony accounts [--rotate] [--agent LOGIN ...] [--url URL]`` makes a SIP
digest account for every active agent that has none (or whose realm is not the configured
``CONTACTOPS_SIP_DOMAIN``); ``--rotate`` makes new ones (new random password, only its HA1
kept). Prints one line per agent: username, realm, made/kept. No password is ever printed.

``contactops telephony config --out DIR [--suite-url URL]`` writes the Kamailio
configuration (:mod:`app.sip.kamailio`) from the settings: ``CONTACTOPS_SIP_DOMAIN``,
``CONTACTOPS_SIP_LISTEN_ADDRESS``, ``CONTACTOPS_SIP_PORT``, ``CONTACTOPS_SIP_WS_PORT``,
``CONTACTOPS_SIP_SUITE_URL`` and ``CONTACTOPS_SIP_SHARED_SECRET`` (required).

``contactops telephony check`` asks the proxy over JSON-RPC (``CONTACTOPS_SIP_JSONRPC_URL``,
default ``http://ADDRESS:WS_PORT/RPC``) whether it runs and which agents are registered;
exit 1 with one line when it cannot be reached.
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
    cfg = tsub.add_parser("config", help="write the Kamailio configuration for this suite")
    cfg.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    cfg.add_argument("--suite-url", help="the suite's URL as the proxy reaches it "
                     "(default: CONTACTOPS_SIP_SUITE_URL)")
    cfg.add_argument("--hold-seconds", type=int, default=None,
                     help="longest hold of a call waiting for an agent (default 600)")
    cfg.set_defaults(func=run_config)
    chk = tsub.add_parser("check", help="is the proxy up, and which agents are registered")
    chk.add_argument("--rpc-url", help="Kamailio JSON-RPC URL (default: CONTACTOPS_SIP_JSONRPC_URL"
                     " or http://ADDRESS:WS_PORT/RPC)")
    chk.add_argument("--url", help="database URL (default: CONTACTOPS_DATABASE_URL)")
    chk.set_defaults(func=run_check)


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


def run_config(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.cli import CliError
    from app.sip.kamailio import DEFAULT_HOLD_SECONDS, ConfigError, ProxyConfig, write

    settings = Settings()
    if not settings.sip_shared_secret:
        raise CliError("set CONTACTOPS_SIP_SHARED_SECRET (the suite and the proxy share it)")
    try:
        cfg = ProxyConfig(
            domain=settings.sip_domain, listen_address=settings.sip_listen_address,
            sip_port=settings.sip_port, ws_port=settings.sip_ws_port,
            suite_url=args.suite_url or settings.sip_suite_url,
            shared_secret=settings.sip_shared_secret,
            hold_seconds=args.hold_seconds or DEFAULT_HOLD_SECONDS)
        written = write(cfg, Path(args.out))
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"--out: cannot write {args.out}: {exc.strerror}") from None
    for path in written:
        print(path)
    print(f"run: kamailio -DD -E -f {written[0]}")
    return 0


def rpc(url: str, method: str, timeout: float = 3.0) -> object:
    """One Kamailio JSON-RPC call over HTTP; its ``result``."""
    import json
    import urllib.request

    body = json.dumps({"jsonrpc": "2.0", "method": method, "id": 1}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        answer = json.loads(resp.read().decode("utf-8", "replace"))
    if "error" in answer:
        raise OSError(str(answer["error"]))
    return answer.get("result")


def registered_users(dump: object) -> set[str]:
    """The AORs' user parts in an ``ul.dump`` result."""
    users: set[str] = set()
    domains = dump.get("Domains", []) if isinstance(dump, dict) else []
    for domain in domains:
        for entry in (domain.get("Domain", {}) or {}).get("AoRs", []) or []:
            aor = str((entry.get("Info", {}) or {}).get("AoR", ""))
            if aor:
                users.add(aor.split("@", 1)[0].removeprefix("sip:"))
    return users


def run_check(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from app.cli import CliError
    from app.db import make_engine
    from app.models import SipAccount

    settings = Settings()
    url = args.rpc_url or settings.sip_jsonrpc_url or (
        f"http://{settings.sip_listen_address}:{settings.sip_ws_port}/RPC")
    try:
        version = rpc(url, "core.version")
        dump = rpc(url, "ul.dump")
    except (OSError, ValueError) as exc:
        raise CliError(f"proxy not reachable at {url}: {exc}") from None
    registered = registered_users(dump)
    engine = make_engine(args.url or settings.database_url)
    try:
        with Session(engine) as session:
            accounts = sorted(session.exec(select(SipAccount.username)
                                           .where(SipAccount.realm == settings.sip_domain)))
    finally:
        engine.dispose()
    print(f"proxy: {url} up ({version})")
    print(f"registered: {len(registered & set(accounts))} of {len(accounts)} agents' accounts")
    for name in accounts:
        print(f"{name}\t{'registered' if name in registered else 'not registered'}")
    return 0
