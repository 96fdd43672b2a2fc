"""Authentication and authorisation: argon2 passwords, a signed session cookie, role guards,
CSRF protection and login rate limiting.

Session
    ``contactops_session`` holds ``{"uid", "csrf", "pw"}`` signed with the secret key
    (itsdangerous, timed: ``settings.session_max_age_seconds``); HttpOnly, SameSite=Lax,
    ``Secure`` when the request came over https. ``pw`` is a short digest of the password
    hash, so resetting a password ends the user's other sessions.

CSRF (chosen scheme: *signed double-submit token*)
    A random token lives in the readable cookie ``contactops_csrf`` and, once logged in,
    inside the signed session as well. Every cookie-authenticated request with an unsafe
    method (POST, PUT, PATCH, DELETE) must echo it:

    * HTML forms send it as the hidden field ``csrf_token`` (pages render it);
    * JSON API calls send it in the header ``X-CSRF-Token`` (scripts read the cookie).

    The echoed token must equal the one bound in the signed session, so a token planted
    by a sibling sub-domain cannot be used. A cross-site page can neither read the cookie
    nor set a custom header without a CORS preflight (which the service never grants).
    The login form, made before there is a session, uses the plain double-submit check
    (form field equals cookie). SameSite=Lax is a second layer, not the only one.

Roles
    ``require_role("supervisor")`` returns a dependency giving the current :class:`User`;
    ``admin`` passes every guard. Use it as
    ``user: Annotated[User, Depends(require_role("supervisor"))]`` or in
    ``dependencies=[Depends(require_role(...))]``. Not logged in: 401 problem (API) or a
    redirect to ``/login`` (pages); wrong role: 403. Websockets use
    :func:`require_role_ws`, which closes the handshake with code 1008 instead.

Rate limiting
    Failed logins are counted per (username, client IP) over a sliding 60 s window; after
    ``settings.login_attempts_per_minute`` failures further attempts get 429 with
    ``Retry-After`` until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request, WebSocket, WebSocketException, status
from fastapi.requests import HTTPConnection
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, select

from app.api.errors import Forbidden, NotAuthenticated, TooManyRequests
from app.deps import SessionDep
from app.models import Role, User
from app.settings import Settings

SESSION_COOKIE = "contactops_session"
CSRF_COOKIE = "contactops_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RATE_WINDOW_SECONDS = 60.0
MAX_TRACKED_KEYS = 10_000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_dummy_hash: str | None = None


# --- passwords -----------------------------------------------------------------------------


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    """An argon2id hash (parameters travel inside the hash, so verification needs none)."""
    return (hasher or _HASHER).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn_verify(password: str) -> None:
    """Spend the time of one verification, so unknown usernames cost as much as known ones."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _HASHER.hash(secrets.token_hex(8))
    verify_password(_dummy_hash, password)


def _password_stamp(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


# --- rate limiting -------------------------------------------------------------------------


class LoginRateLimiter:
    """Sliding-window count of failed logins per key, in memory (one per app instance).

    ``clock`` returns seconds (monotonic); tests pass a fake one.
    """

    def __init__(self, attempts_per_minute: int, clock: Callable[[], float] = time.monotonic):
        if attempts_per_minute <= 0:
            raise ValueError(f"attempts_per_minute must be > 0, got {attempts_per_minute!r}")
        self.limit = attempts_per_minute
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()  # sync handlers run in a thread pool

    def _window(self, key: tuple[str, str], now: float) -> deque[float]:
        window = self._failures.setdefault(key, deque())
        while window and window[0] <= now - RATE_WINDOW_SECONDS:
            window.popleft()
        return window

    def retry_after(self, key: tuple[str, str]) -> int | None:
        """Seconds to wait before trying again, or None when an attempt is allowed."""
        with self._lock:
            now = self.clock()
            window = self._window(key, now)
            if len(window) < self.limit:
                return None
            return max(1, int(window[0] + RATE_WINDOW_SECONDS - now + 0.999))

    def record_failure(self, key: tuple[str, str]) -> None:
        with self._lock:
            now = self.clock()
            self._window(key, now).append(now)
            if len(self._failures) > MAX_TRACKED_KEYS:  # bound memory: forget expired windows
                for stale in [k for k in self._failures if not self._window(k, now)]:
                    del self._failures[stale]

    def reset(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def authenticate(
    session: Session, limiter: LoginRateLimiter, username: str, password: str, ip: str
) -> User:
    """Check a login; raise :class:`TooManyRequests` or :class:`NotAuthenticated`."""
    key = (username.strip().casefold(), ip)
    wait = limiter.retry_after(key)
    if wait is not None:
        raise TooManyRequests(
            f"too many failed logins; try again in {wait} s", headers={"Retry-After": str(wait)}
        )
    name = username.strip()
    user = (
        None if "\x00" in name else session.exec(select(User).where(User.username == name)).first()
    )
    if user is None:
        _burn_verify(password)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        limiter.record_failure(key)
        raise NotAuthenticated("invalid username or password")
    limiter.reset(key)
    return user


# --- cookies -------------------------------------------------------------------------------


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="contactops.session")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token_for(request: Request) -> str:
    """The CSRF token this response should carry: the session's, the cookie's, or a new one."""
    cached = getattr(request.state, "csrf_token", None)
    if isinstance(cached, str):
        return cached
    payload = _session_payload(request)
    token = payload.get("csrf") if payload else request.cookies.get(CSRF_COOKIE)
    if not isinstance(token, str) or len(token) < 16:
        token = new_csrf_token()
    request.state.csrf_token = token
    return token


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=False, samesite="lax", secure=_https(request), path="/"
    )


def _https(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss")


def start_session(request: Request, response: Response, user: User) -> None:
    """Log ``user`` in on ``response``: a fresh CSRF token bound into a new signed session."""
    settings: Settings = request.app.state.settings
    token = new_csrf_token()
    value = _serializer(settings).dumps(
        {"uid": user.id, "csrf": token, "pw": _password_stamp(user)}
    )
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=_https(request),
        path="/",
    )
    set_csrf_cookie(request, response, token)
    request.state.csrf_token = token


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def _session_payload(conn: HTTPConnection) -> dict[str, Any] | None:
    raw = conn.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    settings: Settings = conn.app.state.settings
    try:
        payload = _serializer(settings).loads(raw, max_age=settings.session_max_age_seconds)
    except BadSignature:  # includes SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None


def user_from_cookie(conn: HTTPConnection, session: Session) -> User | None:
    """The logged-in user of this request or websocket, or None."""
    payload = _session_payload(conn)
    if payload is None:
        return None
    uid = payload.get("uid")
    if not isinstance(uid, int) or isinstance(uid, bool):
        return None
    user = session.get(User, uid)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(payload.get("pw", "")), _password_stamp(user)):
        return None
    return user


# --- CSRF ----------------------------------------------------------------------------------


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
    token = (_session_payload(conn) or {}).get("csrf")
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


# --- dependencies --------------------------------------------------------------------------


async def current_user(request: Request, session: SessionDep) -> User:
    """The logged-in user; enforces CSRF on unsafe methods. 401 when not logged in."""
    user = user_from_cookie(request, session)
    if user is None:
        raise NotAuthenticated("not logged in")
    if request.method in UNSAFE_METHODS:
        await check_csrf(request, session_csrf_token(request))
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def _allowed(roles: tuple[str, ...]) -> frozenset[str]:
    valid = {r.value for r in Role}
    for role in roles:
        if role not in valid:
            raise ValueError(f"role must be one of {sorted(valid)}, got {role!r}")
    return frozenset(roles) | {Role.admin.value}


def _check_role(user: User, allowed: frozenset[str], roles: tuple[str, ...]) -> User:
    if user.role not in allowed:
        raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {user.role}")
    return user


def require_role(*roles: str) -> Callable[..., Awaitable[User]]:
    """A dependency returning the current user if their role is one of ``roles`` (or admin)."""
    allowed = _allowed(roles)

    async def guard(user: CurrentUser) -> User:
        return _check_role(user, allowed, roles)

    guard.__name__ = f"require_role_{'_'.join(roles) or 'admin'}"
    return guard


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if not origin:
        return True  # non-browser clients send no Origin
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


def require_role_ws(*roles: str) -> Callable[..., Awaitable[User]]:
    """Websocket variant of :func:`require_role`: refuses the handshake (close code 1008).

    Also refuses cross-origin handshakes (a browser always sends ``Origin``), which is the
    websocket form of CSRF. The database session is opened only for the check, never held
    for the socket's lifetime.
    """
    allowed = _allowed(roles)

    async def guard(websocket: WebSocket) -> User:
        if not _same_origin(websocket):
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "cross-origin websocket")
        with Session(websocket.app.state.engine) as session:
            user = user_from_cookie(websocket, session)
            if user is not None:
                session.expunge(user)
        if user is None:
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "not logged in")
        if user.role not in allowed:
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, f"role {user.role} refused")
        return user

    guard.__name__ = f"require_role_ws_{'_'.join(roles) or 'admin'}"
    return guard
