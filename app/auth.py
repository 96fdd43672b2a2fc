"""Authentication and authorisation: argon2 passwords, a signed session cookie, role guards,
CSRF protection and login rate limiting.

Session
    Every login creates a server-side :class:`~app.models.UserSession` row (table
    ``user_session``: SHA-256 of a random session id, user id, created/expires, revoked_at).
    ``contactops_session`` holds ``{"sid", "uid", "csrf", "pw"}`` signed with the secret key
    (itsdangerous, timed: ``settings.session_max_age_seconds``); HttpOnly, SameSite=Lax,
    ``Secure`` per ``settings.cookie_secure`` (None: when the request came over https; behind
    a TLS proxy set ``forwarded_allow_ips`` so the scheme is seen). A cookie is accepted only
    while its row exists, is not revoked and has not expired (checked on the server, so a
    copied cookie dies with the session): logout revokes the row; a password reset or change
    revokes all the user's sessions (:func:`revoke_user_sessions`). ``pw``, a short digest of
    the password hash, is kept as a second check.

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
    :func:`require_role_ws`, which closes the handshake with code 1008 instead; an open
    socket re-checks its session every few seconds (:func:`ws_session_allowed`) and is
    closed with code 1008 once the session is revoked (logout, password reset or change),
    expired, or its user deactivated or moved to a role the socket does not allow.

Rate limiting
    Failed logins (and wrong current passwords on ``POST /api/me/password``) are counted
    over a sliding 60 s window twice: per (username, client IP), limit
    ``settings.login_attempts_per_minute``; and per client IP across all usernames, limit
    :data:`PER_IP_FACTOR` times that (50 by default), which caps password spraying from one
    address. When either is full, attempts get 429 with ``Retry-After`` until the oldest
    failure leaves the window.

    Trade-off: the per-username part lets whoever shares a client IP with the user (same
    NAT, or every client when a proxy's ``X-Forwarded-For`` is not trusted: set
    ``forwarded_allow_ips``) lock that user out, but only while they keep failing: a
    lockout lasts at most the 60 s window after the last failure. A global per-username
    limit (any IP) would let anyone on the internet lock any account, so there is none;
    attackers spread over many IPs are slowed by argon2 and the per-IP limit only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request, WebSocket, WebSocketException, status
from fastapi.requests import HTTPConnection
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select
from starlette.concurrency import run_in_threadpool

from app.api.errors import Forbidden, NotAuthenticated, TooManyRequests
from app.deps import SessionDep, release_session
from app.models import Role, User, UserSession
from app.queries import as_utc
from app.settings import Settings

SESSION_COOKIE = "contactops_session"
CSRF_COOKIE = "contactops_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RATE_WINDOW_SECONDS = 60.0
PER_IP_FACTOR = 5  # failures per IP (all usernames) = PER_IP_FACTOR x per (username, IP)
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

    Keys are (username, IP) limited to ``attempts_per_minute`` and ("ip", IP) for all
    usernames from one address, limited to ``per_ip_attempts_per_minute`` (default
    :data:`PER_IP_FACTOR` x ``attempts_per_minute``). Use :meth:`check` before verifying a
    password, :meth:`failed` / :meth:`succeeded` after. ``clock`` returns seconds
    (monotonic); tests pass a fake one.
    """

    def __init__(
        self,
        attempts_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        per_ip_attempts_per_minute: int | None = None,
    ):
        if attempts_per_minute <= 0:
            raise ValueError(f"attempts_per_minute must be > 0, got {attempts_per_minute!r}")
        per_ip = per_ip_attempts_per_minute or PER_IP_FACTOR * attempts_per_minute
        if per_ip <= 0:
            raise ValueError(f"per_ip_attempts_per_minute must be > 0, got {per_ip!r}")
        self.limit = attempts_per_minute
        self.per_ip_limit = per_ip
        self.clock = clock
        self._failures: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()  # sync handlers run in a thread pool

    def _window(self, key: Hashable, now: float) -> deque[float]:
        window = self._failures.setdefault(key, deque())
        while window and window[0] <= now - RATE_WINDOW_SECONDS:
            window.popleft()
        return window

    def _limit_of(self, key: Hashable) -> int:
        return self.per_ip_limit if isinstance(key, tuple) and key[:1] == (_IP_KEY,) else self.limit

    def retry_after(self, key: Hashable) -> int | None:
        """Seconds to wait before trying again, or None when an attempt is allowed."""
        with self._lock:
            now = self.clock()
            window = self._window(key, now)
            if len(window) < self._limit_of(key):
                return None
            return max(1, int(window[0] + RATE_WINDOW_SECONDS - now + 0.999))

    def record_failure(self, key: Hashable) -> None:
        with self._lock:
            now = self.clock()
            self._window(key, now).append(now)
            if len(self._failures) > MAX_TRACKED_KEYS:  # bound memory: forget expired windows
                for stale in [k for k in self._failures if not self._window(k, now)]:
                    del self._failures[stale]

    def reset(self, key: Hashable) -> None:
        with self._lock:
            self._failures.pop(key, None)

    # --- both limits at once ---

    @staticmethod
    def _keys(username: str, ip: str) -> tuple[tuple[str, str], tuple[object, str]]:
        return (username.strip().casefold(), ip), (_IP_KEY, ip)

    def check(self, username: str, ip: str) -> None:
        """Raise :class:`TooManyRequests` (with ``Retry-After``) when either limit is full."""
        waits = [w for w in map(self.retry_after, self._keys(username, ip)) if w is not None]
        if waits:
            wait = max(waits)
            raise TooManyRequests(
                f"too many failed attempts; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )

    def failed(self, username: str, ip: str) -> None:
        for key in self._keys(username, ip):
            self.record_failure(key)

    def succeeded(self, username: str, ip: str) -> None:
        """Clear the (username, IP) window; the per-IP window keeps counting."""
        self.reset(self._keys(username, ip)[0])


class _IpKey:
    """Marker of per-IP keys (no username can equal it)."""

    def __repr__(self) -> str:
        return "<per-ip>"


_IP_KEY = _IpKey()


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def authenticate(
    session: Session, limiter: LoginRateLimiter, username: str, password: str, ip: str
) -> User:
    """Check a login; raise :class:`TooManyRequests` or :class:`NotAuthenticated`.

    Usernames are case-insensitive (stored in lower case; older mixed-case rows match too).
    """
    limiter.check(username, ip)
    user = None if "\x00" in username else find_user(session, username)
    if user is None:
        _burn_verify(password)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        limiter.failed(username, ip)
        raise NotAuthenticated("invalid username or password")
    limiter.succeeded(username, ip)
    return user


def normalize_username(username: str) -> str:
    return username.strip().lower()


def find_user(session: Session, username: str) -> User | None:
    """The user named ``username``, compared case-insensitively."""
    name = normalize_username(username)
    return session.exec(select(User).where(func.lower(User.username) == name)).first()


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
        CSRF_COOKIE, token, httponly=False, samesite="lax", secure=_secure(request), path="/"
    )


def _https(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss")


def _secure(conn: HTTPConnection) -> bool:
    """Whether cookies get ``Secure``: ``settings.cookie_secure``, or the request's scheme."""
    forced = getattr(conn.app.state.settings, "cookie_secure", None)
    return _https(conn) if forced is None else bool(forced)


def _utcnow() -> datetime:
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
    now = _utcnow()
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
    value = _serializer(settings).dumps(
        {"sid": sid, "uid": user.id, "csrf": token, "pw": _password_stamp(user)}
    )
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    set_csrf_cookie(request, response, token)
    request.state.csrf_token = token


def _store_session(db: Session, row: UserSession, now: datetime) -> None:
    # housekeeping: expired sessions (anyone's; indexed) are of no further use, so the table
    # holds at most the sessions started within session_max_age_seconds (revoked ones too)
    db.exec(delete(UserSession).where(col(UserSession.expires_at) <= now))  # type: ignore[call-overload]
    db.add(row)
    db.commit()


def revoke_session(conn: HTTPConnection, db: Session) -> None:
    """Revoke the session of this request's cookie (if any); commits."""
    payload = _session_payload(conn)
    sid = payload.get("sid") if payload else None
    if not isinstance(sid, str):
        return
    db.exec(  # type: ignore[call-overload]
        update(UserSession)
        .where(col(UserSession.id) == _sid_digest(sid), col(UserSession.revoked_at).is_(None))
        .values(revoked_at=_utcnow())
    )
    db.commit()


def revoke_user_sessions(db: Session, user_id: int) -> None:
    """Revoke every session of ``user_id`` (password reset/change); does not commit."""
    db.exec(  # type: ignore[call-overload]
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=_utcnow())
    )


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
    sid = payload.get("sid")
    if not isinstance(uid, int) or isinstance(uid, bool) or not isinstance(sid, str):
        return None
    record = session.get(UserSession, _sid_digest(sid))
    if (
        record is None
        or record.user_id != uid
        or record.revoked_at is not None
        or as_utc(record.expires_at) <= _utcnow()
    ):
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


def _user_then_release(conn: HTTPConnection, session: Session) -> User | None:
    try:
        return user_from_cookie(conn, session)
    finally:
        release_session(session)


async def current_user(request: Request, session: SessionDep) -> User:
    """The logged-in user; enforces CSRF on unsafe methods. 401 when not logged in.

    The lookup runs in a worker thread (a wait for a pooled connection must never stall
    the event loop) and gives its connection back at once (:func:`app.deps.release_session`):
    reading the body for the CSRF token, or awaiting the live center, holds none.
    """
    user = await run_in_threadpool(_user_then_release, request, session)
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


def _detached_user(conn: HTTPConnection) -> User | None:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with Session(conn.app.state.engine) as session:
            user = user_from_cookie(conn, session)
            if user is not None:
                session.expunge(user)
            return user
    except SQLAlchemyError as exc:  # busy or down: "try again later", not a crash
        raise WebSocketException(status.WS_1013_TRY_AGAIN_LATER, "database busy") from exc


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
        user = await run_in_threadpool(_detached_user, websocket)
        if user is None:
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "not logged in")
        if user.role not in allowed:
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, f"role {user.role} refused")
        return user

    guard.__name__ = f"require_role_ws_{'_'.join(roles) or 'admin'}"
    return guard


def ws_session_allowed(conn: HTTPConnection, *roles: str) -> bool | None:
    """Whether the session of this (websocket) connection's cookie still admits one of ``roles``.

    One primary-key read of ``user_session`` and one of ``user`` on a short session of its
    own (run it in a worker thread). None when the database could not answer: the caller
    keeps the socket and asks again later rather than closing every socket on a busy moment.
    """
    from sqlalchemy.exc import SQLAlchemyError

    allowed = _allowed(roles)
    try:
        with Session(conn.app.state.engine) as session:
            user = user_from_cookie(conn, session)
            return user is not None and user.role in allowed
    except SQLAlchemyError:
        return None


# --- security headers ----------------------------------------------------------------------

#: ``onsubmit="return false"`` on the planner's form, allowed by hash (CSP3 'unsafe-hashes')
_INLINE_HANDLER_HASHES = ("'sha256-GZIcz60Uwd6wT3vaYke/atSr53TehbYAPepOa3d03Vw='",)

#: Pages load scripts only from this origin (``/static``, the locally served Plotly file);
#: styles allow 'unsafe-inline' because agent.js/wallboard.js and Plotly add ``<style>``
#: elements and the templates use ``style=`` attributes (style injection cannot run script).
#: Websockets are same-origin ('self' covers ws:/wss: on the same host, CSP Level 3).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-hashes' " + " ".join(_INLINE_HANDLER_HASHES),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: The API docs (Swagger UI from a CDN, with an inline script) only refuse framing.
DOCS_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'"
DOCS_PREFIX = "/api/docs"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding anti-framing, CSP, nosniff and referrer headers to every
    HTTP response (headers a route already set are kept). Websockets pass untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = DOCS_CONTENT_SECURITY_POLICY if path.startswith(DOCS_PREFIX) else (
            CONTENT_SECURITY_POLICY
        )
        extra = (*SECURITY_HEADERS, (b"content-security-policy", csp.encode()))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
