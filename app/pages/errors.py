"""HTML error pages for the pages (paths outside ``/api``): 403, 404, 405, 409, 422, 429,
500 and 503 in the user's language, inside the usual frame with the navigation of the
user's role (``error.html`` through :func:`app.pages.render`), never raw JSON or bare text.

:mod:`app.api.errors` calls :func:`error_page` for every error on a page path. The page
looks the user up from the session cookie on a connection of its own, in a worker thread;
when that fails (the database is down: the very case of a 503) it is drawn for an anonymous
visitor, and if even that fails a minimal page in the default language is sent: an error
page never raises an error of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.auth.sessions import user_from_cookie
from app.models import User

log = logging.getLogger("contactops.pages")

#: Title and explanation (msgids, translated in the template) of each status a page shows.
TEXTS: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be read."),
    403: ("Not allowed", "Your role may not open this page."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed here", "This address does not take this kind of request."),
    409: ("Conflict",
          "The request conflicts with the current state; reload the page and try again."),
    422: ("Invalid input", "Some of what was sent could not be accepted:"),
    429: ("Too many requests", "Wait a moment and try again."),
    500: ("Something went wrong",
          "The error has been logged. Try again, or go back to your start page."),
    503: ("Service busy", "Nothing was stored. Try again in a moment."),
}


def _user_or_none(request: Request) -> User | None:
    """The logged-in user (detached from its session), or None; never raises."""
    try:
        with Session(request.app.state.engine) as session:
            user = user_from_cookie(request, session)
            if user is not None:
                session.expunge(user)
            return user
    except (SQLAlchemyError, ValueError, KeyError, AttributeError):
        return None


async def error_page(
    request: Request,
    status: int,
    *,
    fields: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """The HTML page for ``status`` (see the module docstring)."""
    from app.pages import home_for, render

    title, message = TEXTS.get(status, TEXTS[500 if status >= 500 else 400])
    user = await run_in_threadpool(_user_or_none, request)
    context = {"status": status, "title": title, "message": message, "fields": list(fields),
               "home": home_for(user) if user is not None else "/login"}
    try:
        return render(request, "error.html", user, context, status_code=status, headers=headers)
    except Exception:
        log.exception("error page %s could not be rendered", status)
        return HTMLResponse(
            f"<!doctype html><title>{escape(title)}</title><h1>{status} {escape(title)}</h1>"
            f"<p>{escape(message)}</p><p><a href=\"/\">contactops</a></p>",
            status_code=status, headers=headers)
