"""One place that turns errors into HTTP responses (RFC 9457 "problem details").

Every error under ``/api`` is a JSON problem::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "body.locale: Input should be 'ko' or 'en'",
     "errors": [{"loc": ["body", "locale"], "field": "body.locale", "msg": "..."}]}

* request validation (including malformed JSON bodies) -> 422, naming each field;
* domain exceptions raised anywhere in ``app/`` -> their status (:class:`NotFound` 404,
  :class:`Forbidden` 403, :class:`Conflict` 409, :class:`NotAuthenticated` 401);
* Starlette/FastAPI ``HTTPException`` (unknown route, wrong method) -> a problem too;
* ``sqlalchemy.exc.DataError`` (the database refused a value: NUL byte, out of range) -> 422,
  a safety net behind the edge checks;
* anything unexpected -> a logged 500 problem without internals (tests assert none occur).

Pages (paths outside ``/api``) get the same status codes, but an anonymous visitor of a
page is redirected to the login form instead of receiving a 401 problem.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("contactops.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TITLES = {422: "Unprocessable Content"}  # RFC 9110's name (http.HTTPStatus still says "Entity")


class DomainError(Exception):
    """Base of the errors ``app/`` raises for the client; mapped to ``status`` in one place."""

    status: int = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class NotAuthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    status = 429


def field_error(loc: Sequence[str | int], msg: str) -> RequestValidationError:
    """A 422 for a check made in a handler (e.g. a phone number that cannot be normalised)."""
    return RequestValidationError([{"loc": tuple(loc), "msg": msg, "type": "value_error"}])


def problem(
    status: int,
    detail: str,
    *,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem-details response with the standard title for ``status``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [part if isinstance(part, int | str) else str(part) for part in err.get("loc", ())]
        msg = str(err.get("msg", "invalid"))
        if err.get("type") == "json_invalid" and len(loc) == 2:  # ("body", character position)
            msg = f"{msg} at character {loc[1]}"
            loc = loc[:1]
        out.append(
            {
                "loc": loc,
                "field": ".".join(str(part) for part in loc),
                "msg": msg,
                "type": str(err.get("type", "value_error")),
            }
        )
    return out


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['msg']}" for e in errors[:5]) or "invalid request"
    return problem(422, detail, errors=errors)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotAuthenticated) and not _is_api(request):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if not _is_api(request):
        title = HTTPStatus(exc.status).phrase
        html = f"<!doctype html><title>{title}</title><h1>{exc.status} {title}</h1>"
        return HTMLResponse(html, status_code=exc.status, headers=exc.headers)
    return problem(exc.status, exc.detail, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    return problem(exc.status_code, str(exc.detail), headers=headers)


async def _data_error(request: Request, exc: Exception) -> Response:
    """The database refused a value (a NUL byte in text, a number out of the column's range):
    bad input that slipped past the edge checks, so a 422 rather than a 500."""
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
    return problem(422, "a value was refused by the database (out of range or invalid characters)")


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler set of the service."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _unexpected_error)
