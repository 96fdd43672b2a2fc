"""Account lock-outs (table ``account_lock``) after too many failed logins from any address.

A lock lasts :data:`LOCKOUT_SECONDS` unless an admin ends it earlier (:func:`unlock`); each
lock raises an ``account_locked`` alert for supervisors and admins (:mod:`app.alerts`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.alerts import raise_alert
from app.models import AccountLock, User
from app.queries import as_utc

LOCKOUT_SECONDS = 15 * 60


def active_lock(session: Session, user_id: int, now: datetime) -> AccountLock | None:
    """The lock holding ``user_id`` at ``now``, if any."""
    lock = session.exec(
        select(AccountLock)
        .where(AccountLock.user_id == user_id, col(AccountLock.unlocked_at).is_(None))
        .order_by(col(AccountLock.locked_until).desc())
    ).first()
    if lock is None or as_utc(lock.locked_until) <= now:
        return None
    return lock


def lock_account(session: Session, user: User, failures: int, now: datetime) -> AccountLock:
    """Lock ``user`` out for :data:`LOCKOUT_SECONDS` and alert; commits."""
    assert user.id is not None
    lock = AccountLock(
        user_id=user.id,
        locked_at=now,
        locked_until=now + timedelta(seconds=LOCKOUT_SECONDS),
        failures=failures,
    )
    session.add(lock)
    session.commit()
    raise_alert(
        session,
        "account_locked",
        user.username,
        f"{failures} failed logins within 15 minutes from any address; locked until "
        f"{lock.locked_until:%Y-%m-%d %H:%M} UTC or an admin unlocks it",
        now,
    )
    return lock


def unlock(session: Session, user_id: int, by: str, now: datetime) -> int:
    """End every active lock of ``user_id`` (does not commit); returns how many."""
    locks = session.exec(
        select(AccountLock).where(
            AccountLock.user_id == user_id, col(AccountLock.unlocked_at).is_(None)
        )
    ).all()
    for lock in locks:
        lock.unlocked_at = now
        lock.unlocked_by = by
        session.add(lock)
    return len(locks)


def locked_user_ids(session: Session, now: datetime) -> set[int]:
    rows = session.exec(
        select(AccountLock.user_id, AccountLock.locked_until).where(
            col(AccountLock.unlocked_at).is_(None)
        )
    ).all()
    return {uid for uid, until in rows if as_utc(until) > now}
