"""Agents' SIP accounts on the proxy and the console's SIP profile.

Each active agent has one digest account: username = the agent's login (``agent01``), realm
= ``settings.sip_domain``, HA1 = md5(username:realm:password). The suite makes a random
password, keeps only its HA1 and forgets the password: the proxy checks digests with the HA1
(``pv_www_authenticate`` with HA1 flag) and the browser's JsSIP registers with ``ha1`` +
``realm``, so no plain password exists anywhere after generation. Rotating makes a new one
(old registrations fail their next re-REGISTER). An account whose realm differs from the
configured domain is stale (its HA1 was made for another realm) and is re-made by
:func:`ensure_accounts`.

Queues are reached at ``sip:<queue name>@<domain>`` (the queue's "number").
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from app.models import Agent, Queue, SipAccount
from app.settings import Settings

#: SIP usernames the accounts may have (a login outside it cannot be a SIP user part)
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def ha1_of(username: str, realm: str, password: str) -> str:
    """md5(username:realm:password), lower-case hex (RFC 2617 HA1)."""
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def rotate(session: Session, agent: Agent, realm: str) -> SipAccount:
    """A new random password for ``agent`` (only its HA1 kept); creates the account if none."""
    if agent.id is None:
        raise ValueError("agent has no id")
    if not USERNAME_PATTERN.match(agent.login):
        raise ValueError(f"agent login {agent.login!r} cannot be a SIP username "
                         "(letters, digits, '.', '_', '-', at most 64)")
    password = secrets.token_urlsafe(24)
    account = session.exec(select(SipAccount).where(SipAccount.agent_id == agent.id)).first()
    if account is None:
        account = SipAccount(agent_id=agent.id, username=agent.login, realm=realm,
                             ha1=ha1_of(agent.login, realm, password), rotated_at=_now())
    else:
        account.username = agent.login
        account.realm = realm
        account.ha1 = ha1_of(agent.login, realm, password)
        account.rotated_at = _now()
    session.add(account)
    return account


def ensure_accounts(session: Session, settings: Settings, *, rotate_all: bool = False,
                    only: list[str] | None = None) -> list[tuple[SipAccount, bool]]:
    """An account for every active agent (``only``: those logins); made when missing, when its
    realm is not the configured domain, or always with ``rotate_all``. Returns (account,
    made_now) per agent, commits."""
    query = select(Agent).where(Agent.active == True)
    if only:
        query = query.where(Agent.login.in_(only))  # type: ignore[attr-defined]
    agents = list(session.exec(query.order_by(Agent.login)))
    if only:
        missing = sorted(set(only) - {a.login for a in agents})
        if missing:
            raise ValueError(f"no active agent with login {', '.join(missing)}")
    existing = {a.agent_id: a for a in session.exec(select(SipAccount))}
    out: list[tuple[SipAccount, bool]] = []
    for agent in agents:
        if agent.id is None or not USERNAME_PATTERN.match(agent.login):
            continue
        account = existing.get(agent.id)
        if (account is None or rotate_all or account.realm != settings.sip_domain
                or account.username != agent.login):
            out.append((rotate(session, agent, settings.sip_domain), True))
        else:
            out.append((account, False))
    session.commit()
    return out


def ws_uri(settings: Settings) -> str:
    """The WebSocket URI browsers register on."""
    if settings.sip_ws_uri:
        return settings.sip_ws_uri
    return f"ws://{settings.sip_listen_address}:{settings.sip_ws_port}/"


def queue_uri(queue: str, settings: Settings) -> str:
    """The SIP URI a caller dials to reach ``queue``."""
    return f"sip:{queue}@{settings.sip_domain}"


def profile_for_agent(session: Session, agent_id: int, settings: Settings) -> dict[str, Any] | None:
    """What the console's softphone needs to register (JsSIP with ``ha1`` + ``realm``), or
    None when SIP is not configured, the agent is unknown/inactive or has no account."""
    if settings.telephony != "sip":
        return None
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active:
        return None
    account = session.exec(select(SipAccount).where(SipAccount.agent_id == agent_id)).first()
    if account is None or account.realm != settings.sip_domain:
        return None
    queues = {q.name: queue_uri(q.name, settings)
              for q in session.exec(select(Queue).order_by(Queue.name))}
    return {
        "ws_uri": ws_uri(settings),
        "sip_uri": f"sip:{account.username}@{settings.sip_domain}",
        "username": account.username,
        "realm": account.realm,
        "ha1": account.ha1,
        "display_name": agent.name,
        "queues": queues,
    }
