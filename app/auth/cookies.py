"""The two cookies: ``contactops_session`` (signed, HttpOnly) and ``contactops_csrf``.

``contactops_session`` holds ``{"sid", "uid", "csrf", "pw"}`` signed with the secret key
(itsdangerous, timed: ``settings.session_max_age_seconds``); HttpOnly, SameSite=Lax,
``Secure`` per ``settings.cookie_secure`` (None: when the request came over https; behind a
TLS proxy set ``forwarded_allow_ips`` so the scheme is seen). The server-side half of a
session is in :mod:`app.auth.sessions`; the CSRF scheme in :mod:`app.auth.csrf`.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi.requests import HTTPConnection
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.settings import Settings

SESSION_COOKIE = "contactops_session"
CSRF_COOKIE = "contactops_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"


def serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="contactops.session")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def _https(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss")


def secure(conn: HTTPConnection) -> bool:
    """Whether cookies get ``Secure``: ``settings.cookie_secure``, or the request's scheme."""
    forced = getattr(conn.app.state.settings, "cookie_secure", None)
    return _https(conn) if forced is None else bool(forced)


def set_csrf_cookie(request: HTTPConnection, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=False, samesite="lax", secure=secure(request), path="/"
    )


def session_payload(conn: HTTPConnection) -> dict[str, Any] | None:
    """The signed session cookie's content, or None (absent, forged or expired)."""
    raw = conn.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    settings: Settings = conn.app.state.settings
    try:
        payload = serializer(settings).loads(raw, max_age=settings.session_max_age_seconds)
    except BadSignature:  # includes SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
