"""Login and logout forms, the language switch, and ``/`` (to the user's home page)."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.errors import NotAuthenticated, TooManyRequests
from app.auth.authenticate import AccountLocked, check_password, login_threads
from app.auth.cookies import CSRF_COOKIE, SESSION_COOKIE, end_session
from app.auth.csrf import csrf_matches, session_csrf_token
from app.auth.passwords import ServerBusy
from app.auth.sessions import revoke_session, start_session, user_from_cookie
from app.deps import SessionDep
from app.i18n import LOCALE_COOKIE, SUPPORTED_LOCALES
from app.models import User
from app.pages import home_for, render, safe_next

router = APIRouter(tags=["pages"], include_in_schema=False)

FormText = Annotated[str, Form(max_length=200)]


@router.get("/")
def index(request: Request, session: SessionDep) -> Response:
    user = user_from_cookie(request, session)
    return RedirectResponse(home_for(user) if user else "/login", status_code=303)


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    """The form. Without a session cookie (every attacker) no database and no worker thread
    are needed: a burst of these never queues ahead of working users' requests."""
    user = None
    if request.cookies.get(SESSION_COOKIE):
        user = await run_in_threadpool(_cookie_user, request)
    if user is not None:
        return RedirectResponse(safe_next(next, home_for(user)), status_code=303)
    context = {"next": safe_next(next, ""), "error": None}
    return await to_thread.run_sync(
        render, request, "login.html", None, context, limiter=login_threads(request)
    )


def _cookie_user(request: Request) -> User | None:
    with Session(request.app.state.engine) as session:
        user = user_from_cookie(request, session)
        if user is not None:
            session.expunge(user)
        return user


@router.post("/login")
async def login_submit(
    request: Request,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "",
) -> Response:
    async def again(
        error: str, status_code: int, headers: dict[str, str] | None = None
    ) -> Response:
        # rendered on the login path's own threads: a burst of refusals never holds the event
        # loop or queues ahead of working users' requests
        context = {"next": safe_next(next, ""), "error": error, "username": username}
        return await to_thread.run_sync(
            render, request, "login.html", None, context, status_code, headers,
            limiter=login_threads(request),
        )

    if not csrf_matches(csrf_token, request.cookies.get(CSRF_COOKIE)):
        return await again("form_expired", 403)
    if not username or not password:
        return await again("missing_fields", 400)
    try:  # limits before the hash, a bounded number of hashes at once (app.auth.authenticate)
        user = await check_password(request, username, password)
    except AccountLocked as exc:
        return await again("account_locked", 429, exc.headers)
    except ServerBusy as exc:
        return await again("server_busy", 429, exc.headers)
    except TooManyRequests as exc:
        return await again("too_many_attempts", 429, exc.headers)
    except NotAuthenticated:
        return await again("invalid_credentials", 401)
    response = RedirectResponse(safe_next(next, home_for(user)), status_code=303)
    # the session row on a database session of its own, in a worker thread
    await run_in_threadpool(start_session, request, response, user)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf_token: FormText = "") -> Response:
    """End the session (needs the CSRF token, so a foreign page cannot log users out).

    The server-side session record is revoked, so a copy of the cookie stops working too.
    """
    user = user_from_cookie(request, session)
    if user is not None:
        if not csrf_matches(
            csrf_token or request.headers.get("X-CSRF-Token"), session_csrf_token(request)
        ):
            return Response("CSRF token missing or wrong", status_code=403)
        revoke_session(request, session)
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response


@router.post("/locale")
def switch_locale(
    request: Request,
    session: SessionDep,
    locale: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "",
) -> Response:
    """The language switch of the page header: the user's locale (or a cookie when anonymous)."""
    user = user_from_cookie(request, session)
    expected = session_csrf_token(request) if user else request.cookies.get(CSRF_COOKIE)
    if not csrf_matches(csrf_token, expected):
        return Response("CSRF token missing or wrong", status_code=403)
    if locale not in SUPPORTED_LOCALES:
        return Response(f"locale must be one of {', '.join(SUPPORTED_LOCALES)}", status_code=400)
    if user is not None:
        user.locale = locale
        session.add(user)
        session.commit()
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax", path="/")
    return response
