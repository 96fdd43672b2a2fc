"""Role guards: the current user of a request (CSRF enforced on unsafe methods), the
``require_role`` dependency for HTTP routes and its websocket variant.

``require_role("supervisor")`` returns a dependency giving the current :class:`User`;
``admin`` passes every guard. Use it as
``user: Annotated[User, Depends(require_role("supervisor"))]`` or in
``dependencies=[Depends(require_role(...))]``. Not logged in: 401 problem (API) or a
redirect to ``/login`` (pages); wrong role: 403. Websockets use :func:`require_role_ws`,
which closes the handshake with code 1008 instead; an open socket re-checks its session
every few seconds (:func:`ws_session_allowed`) and is closed with code 1008 once the
session is revoked (logout, password reset or change), expired, or its user deactivated or
moved to a role the socket does not allow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, WebSocket, WebSocketException, status
from fastapi.requests import HTTPConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.errors import Forbidden, NotAuthenticated
from app.auth.csrf import UNSAFE_METHODS, check_csrf, session_csrf_token
from app.auth.sessions import user_from_cookie
from app.deps import SessionDep, release_session
from app.models import Role, User


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


def _allowed(roles: tuple[str, ...], admin: bool = True) -> frozenset[str]:
    valid = {r.value for r in Role}
    for role in roles:
        if role not in valid:
            raise ValueError(f"role must be one of {sorted(valid)}, got {role!r}")
    return frozenset(roles) | ({Role.admin.value} if admin else set())


def _check_role(user: User, allowed: frozenset[str], roles: tuple[str, ...]) -> User:
    if user.role not in allowed:
        raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {user.role}")
    return user


def require_role(*roles: str, admin: bool = True) -> Callable[..., Awaitable[User]]:
    """A dependency returning the current user if their role is one of ``roles`` (or admin).

    ``admin=False`` keeps admins out too: the audit trails are for auditors only, so that
    those who administer the system cannot read (or hide) the record of what they did.
    """
    allowed = _allowed(roles, admin)

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


    allowed = _allowed(roles)
    try:
        with Session(conn.app.state.engine) as session:
            user = user_from_cookie(conn, session)
            return user is not None and user.role in allowed
    except SQLAlchemyError:
        return None

