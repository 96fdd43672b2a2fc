"""Server-side sessions (table ``user_session``).

Every login creates a :class:`~app.models.UserSession` row (SHA-256 of a random session id,
user id, created/expires, revoked_at); the signed cookie (:mod:`app.auth.cookies`) carries
the id. A cookie is accepted only while its row exists, is not revoked and has not expired
(checked on the server, so a copied cookie dies with the session): logout revokes the row; a
password reset or change revokes all the user's sessions (:func:`revoke_user_sessions`).
``pw``, a short digest of the password hash, is kept as a second check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from fastapi import Request
from fastapi.requests import HTTPConnection
from fastapi.responses import Response
from sqlalchemy import update
from sqlmodel import Session, col, delete

from app.auth.cookies import (
    SESSION_COOKIE,
    new_csrf_token,
    secure,
    serializer,
    session_payload,
    set_csrf_cookie,
)
from app.auth.passwords import password_stamp
from app.models import User, UserSession
from app.queries import as_utc
from app.settings import Settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sid_digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(
    request: Request, response: Response, user: User, db: Session | None = None
) -> None:
    """Log ``user`` in on ``response``: a new server-side session row, a fresh CSRF token and
    the signed cookie carrying the session id. ``db`` defaults to a session of its own."""
    settings: Settings = request.app.state.settings
    if user.id is None:
        raise ValueError("start_session needs a stored user")
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        id=_sid_digest(sid),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.session_max_age_seconds),
    )
    if db is None:
        with Session(request.app.state.engine) as own:
            _store_session(own, row, now)
    else:
        _store_session(db, row, now)
    token = new_csrf_token()
    value = serializer(settings).dumps(
        {"sid": sid, "uid": user.id, "csrf": token, "pw": password_stamp(user)}
    )
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )
    set_csrf_cookie(request, response, token)
    request.state.csrf_token = token


def _store_session(db: Session, row: UserSession, now: datetime) -> None:
    # housekeeping: expired sessions (anyone's; indexed) are of no further use, so the table
    # holds at most the sessions started within session_max_age_seconds (revoked ones too)
    db.exec(delete(UserSession).where(col(UserSession.expires_at) <= now))
    db.add(row)
    db.commit()


def revoke_session(conn: HTTPConnection, db: Session) -> None:
    """Revoke the session of this request's cookie (if any); commits."""
    payload = session_payload(conn)
    sid = payload.get("sid") if payload else None
    if not isinstance(sid, str):
        return
    db.exec(
        update(UserSession)
        .where(col(UserSession.id) == _sid_digest(sid), col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    db.commit()


def revoke_user_sessions(db: Session, user_id: int) -> None:
    """Revoke every session of ``user_id`` (password reset/change, disabled); no commit."""
    db.exec(
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def user_from_cookie(conn: HTTPConnection, session: Session) -> User | None:
    """The logged-in user of this request or websocket, or None."""
    payload = session_payload(conn)
    if payload is None:
        return None
    uid = payload.get("uid")
    sid = payload.get("sid")
    if not isinstance(uid, int) or isinstance(uid, bool) or not isinstance(sid, str):
        return None
    record = session.get(UserSession, _sid_digest(sid))
    if (
        record is None
        or record.user_id != uid
        or record.revoked_at is not None
        or as_utc(record.expires_at) <= utcnow()
    ):
        return None
    user = session.get(User, uid)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(payload.get("pw", "")), password_stamp(user)):
        return None
    return user
