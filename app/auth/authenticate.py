"""The login check, in the order that keeps the server safe:

1. the rate limits take a place (:mod:`app.auth.login_limits`; memory only, no hash): 429;
2. the account's lock-out is read (one indexed row): 429 while locked;
3. a hash slot is awaited (:class:`app.auth.passwords.HashSlots`): 429 when none frees;
4. only then is the password hashed, in a worker thread, with a database session of its
   own (no pooled connection is held while waiting for a slot).

A failure that fills the per-account window locks an existing account out and alerts
supervisors and admins (:mod:`app.auth.lockout`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from math import ceil

from anyio import CapacityLimiter, to_thread
from fastapi.requests import HTTPConnection
from sqlalchemy import func
from sqlmodel import Session, select

from app.api.errors import NotAuthenticated, TooManyRequests
from app.auth.lockout import active_lock, lock_account
from app.auth.login_limits import (
    LoginRateLimiter,
    Reservation,
    client_ip,
    normalize_username,
)
from app.auth.passwords import HashSlots, burn_verify, verify_password
from app.models import User
from app.queries import as_utc

#: worker threads the login path's database lookups use at most, apart from the shared pool,
#: so a burst of logins never queues ahead of working users' requests
LOOKUP_THREADS = 4


class AccountLocked(TooManyRequests):
    """The account is locked out (429 with ``Retry-After``)."""


def find_user(session: Session, username: str) -> User | None:
    """The user named ``username``, compared case-insensitively."""
    if "\x00" in username:
        return None
    name = normalize_username(username)
    return session.exec(select(User).where(func.lower(User.username) == name)).first()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _load_unlocked(conn: HTTPConnection, username: str) -> User | None:
    """The user (detached) or None; raises :class:`AccountLocked` while a lock holds."""
    with Session(conn.app.state.engine) as session:
        user = find_user(session, username)
        if user is None or user.id is None:
            return None
        now = _utcnow()
        lock = active_lock(session, user.id, now)
        if lock is not None:
            wait = max(1, ceil((as_utc(lock.locked_until) - now).total_seconds()))
            raise AccountLocked(
                f"this account is locked after too many failed attempts; try again in {wait} s "
                "or ask an administrator to unlock it",
                headers={"Retry-After": str(wait)},
            )
        session.expunge(user)
        return user


def _lock_out(conn: HTTPConnection, user: User, failures: int) -> None:
    with Session(conn.app.state.engine) as session:
        if user.id is not None and active_lock(session, user.id, _utcnow()) is None:
            lock_account(session, user, failures, _utcnow())


def _verify(user: User | None, password: str) -> bool:
    if user is None:
        burn_verify(password)  # unknown usernames cost as much as known ones
        return False
    return verify_password(user.password_hash, password) and user.active


async def check_password(conn: HTTPConnection, username: str, password: str) -> User:
    """The user whose ``username`` and ``password`` these are, or raise
    :class:`TooManyRequests` (limits, lock-out, server busy) or :class:`NotAuthenticated`.

    Usernames are case-insensitive (stored in lower case; older mixed-case rows match too).
    """
    limiter: LoginRateLimiter = conn.app.state.login_limiter
    slots: HashSlots = conn.app.state.hash_slots
    reservation = limiter.reserve(username, client_ip(conn))
    try:
        user = await to_thread.run_sync(
            _load_unlocked, conn, username, limiter=login_threads(conn)
        )
        ok = await slots.run(_verify, user, password)
    except TooManyRequests:
        limiter.cancel(reservation)  # refused before any hash: the attempt does not count
        raise
    if not ok or user is None:
        await _after_failure(conn, limiter, reservation, user)
        raise NotAuthenticated("invalid username or password")
    limiter.succeeded(reservation)
    return user


async def _after_failure(
    conn: HTTPConnection, limiter: LoginRateLimiter, reservation: Reservation, user: User | None
) -> None:
    if user is not None and reservation.account_failures >= limiter.account_limit:
        await to_thread.run_sync(
            _lock_out, conn, user, reservation.account_failures, limiter=login_threads(conn)
        )


def login_threads(conn: HTTPConnection) -> CapacityLimiter:
    """The worker threads of the login path (lookups, and the login page's rendering): at
    most :data:`LOOKUP_THREADS` apart from the shared pool, one limiter per event loop."""
    loop = asyncio.get_running_loop()
    held = getattr(conn.app.state, "login_lookup_limiter", None)
    if held is None or held[0] is not loop:
        held = (loop, CapacityLimiter(LOOKUP_THREADS))
        conn.app.state.login_lookup_limiter = held
    limiter: CapacityLimiter = held[1]
    return limiter
