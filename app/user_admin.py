"""User administration: create, disable or enable, reset a password, unlock, assign a role
and an agent profile. Each change is recorded in the admin audit log in the same commit.

Used by the JSON API (``/api/users``) and the admin page (``/admin``); errors are the
service's domain errors (404, 409) or ``ValueError`` naming what is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.admin_audit import record_change
from app.alerts import acknowledge, open_alerts
from app.api.errors import Conflict, NotFound
from app.auth.authenticate import find_user
from app.auth.lockout import locked_user_ids, unlock
from app.auth.login_limits import LoginRateLimiter, normalize_username
from app.auth.sessions import revoke_user_sessions
from app.models import Agent, Role, User


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def all_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))).all())


def locked_ids(session: Session) -> set[int]:
    return locked_user_ids(session, datetime.now(UTC))


def _check_agent(session: Session, agent_id: int | None, user_id: int | None) -> None:
    if agent_id is None:
        return
    if session.get(Agent, agent_id) is None:
        raise NotFound(f"agent {agent_id} not found")
    linked = session.exec(select(User).where(User.agent_id == agent_id)).first()
    if linked is not None and linked.id != user_id:
        raise Conflict(f"agent_id {agent_id} is already linked to user {linked.username!r}")


def create_user(
    session: Session,
    actor: User,
    username: str,
    password_hash: str,
    role: Role,
    locale: str = "ko",
    agent_id: int | None = None,
) -> User:
    """``password_hash`` is computed by the caller (a bounded hash slot)."""
    username = normalize_username(username)
    if find_user(session, username) is not None:
        raise Conflict(f"username {username!r} is taken (usernames ignore case)")
    _check_agent(session, agent_id, None)
    user = User(
        username=username, password_hash=password_hash, role=role.value, locale=locale,
        agent_id=agent_id,
    )
    session.add(user)
    record_change(session, actor, "user.create", username,
                  {"role": role.value, "agent_id": agent_id})
    session.commit()
    session.refresh(user)
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    user = get_user(session, user_id)
    if user.id == actor.id and not active:
        raise Conflict("you cannot disable your own account")
    user.active = active
    session.add(user)
    if not active:
        revoke_user_sessions(session, user_id)
    record_change(session, actor, "user.enable" if active else "user.disable", user.username)
    session.commit()
    session.refresh(user)
    return user


def reset_password(session: Session, actor: User, user_id: int, password_hash: str) -> User:
    """Set a new password (hashed by the caller); all the user's sessions are revoked."""
    user = get_user(session, user_id)
    user.password_hash = password_hash
    user.is_default_password = False
    session.add(user)
    revoke_user_sessions(session, user_id)
    record_change(session, actor, "user.reset_password", user.username)
    session.commit()
    session.refresh(user)
    return user


def unlock_user(
    session: Session, actor: User, user_id: int, limiter: LoginRateLimiter
) -> User:
    """End the user's lock-out (database and this process's per-account window)."""
    user = get_user(session, user_id)
    now = datetime.now(UTC)
    ended = unlock(session, user_id, actor.username, now)
    for alert in open_alerts(session):  # the lock-out's alert is dealt with
        if alert.kind == "account_locked" and alert.subject == user.username and alert.id:
            acknowledge(session, alert.id, actor.username, now)
    record_change(session, actor, "user.unlock", user.username, {"locks_ended": ended})
    session.commit()
    limiter.reset_account(user.username)
    session.refresh(user)
    return user


def assign(
    session: Session, actor: User, user_id: int, role: Role, agent_id: int | None
) -> User:
    """Give the user a role and an agent profile (None: none); their sessions end when the
    role changes, so a new role takes effect at once."""
    user = get_user(session, user_id)
    if user.id == actor.id and role is not Role.admin:
        raise Conflict("you cannot take the admin role from yourself")
    _check_agent(session, agent_id, user.id)
    before = {"role": user.role, "agent_id": user.agent_id}
    user.role = role.value
    user.agent_id = agent_id
    session.add(user)
    if before["role"] != role.value:
        revoke_user_sessions(session, user_id)
    record_change(session, actor, "user.assign", user.username,
                  {"before": before, "after": {"role": role.value, "agent_id": agent_id}})
    session.commit()
    session.refresh(user)
    return user

