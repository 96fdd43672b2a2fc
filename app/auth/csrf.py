"""CSRF protection (chosen scheme: *signed double-submit token*).

A random token lives in the readable cookie ``contactops_csrf`` and, once logged in, inside
the signed session as well. Every cookie-authenticated request with an unsafe method (POST,
PUT, PATCH, DELETE) must echo it:

* HTML forms send it as the hidden field ``csrf_token`` (pages render it);
* JSON API calls send it in the header ``X-CSRF-Token`` (scripts read the cookie).

The echoed token must equal the one bound in the signed session, so a token planted by a
sibling sub-domain cannot be used. A cross-site page can neither read the cookie nor set a
custom header without a CORS preflight (which the service never grants). The login form,
made before there is a session, uses the plain double-submit check (form field equals
cookie). SameSite=Lax is a second layer, not the only one.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.requests import HTTPConnection

from app.api.errors import Forbidden
from app.auth.cookies import (
    CSRF_COOKIE,
    CSRF_FORM_FIELD,
    CSRF_HEADER,
    new_csrf_token,
    session_payload,
)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def csrf_token_for(request: Request) -> str:
    """The CSRF token this response should carry: the session's, the cookie's, or a new one."""
    cached = getattr(request.state, "csrf_token", None)
    if isinstance(cached, str):
        return cached
    payload = session_payload(request)
    token = payload.get("csrf") if payload else request.cookies.get(CSRF_COOKIE)
    if not isinstance(token, str) or len(token) < 16:
        token = new_csrf_token()
    request.state.csrf_token = token
    return token



async def _submitted_csrf_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def csrf_matches(submitted: str | None, expected: str | None) -> bool:
    if not expected or not submitted:
        return False
    return hmac.compare_digest(submitted.encode(), expected.encode())


def session_csrf_token(conn: HTTPConnection) -> str | None:
    """The token bound in the signed session (None when not logged in)."""
    token = (session_payload(conn) or {}).get("csrf")
    return token if isinstance(token, str) else None


async def check_csrf(request: Request, expected: str | None) -> None:
    """Raise 403 unless the submitted token equals ``expected`` (session's or cookie's)."""
    if not csrf_matches(await _submitted_csrf_token(request), expected):
        raise Forbidden(
            f"missing or wrong CSRF token: send the {CSRF_HEADER} header (JSON) or the "
            f"{CSRF_FORM_FIELD} form field, equal to the {CSRF_COOKIE} cookie"
        )


async def check_login_csrf(request: Request) -> None:
    await check_csrf(request, request.cookies.get(CSRF_COOKIE))


