"""One place that turns errors into HTTP responses (RFC 9457 "problem details").

Every error under ``/api`` is a JSON problem::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "body.locale: Input should be 'ko' or 'en'",
     "errors": [{"loc": ["body", "locale"], "field": "body.locale", "msg": "..."}]}

* request validation (including malformed JSON bodies) -> 422, naming each field;
* domain exceptions raised anywhere in ``app/`` -> their status (:class:`NotFound` 404,
  :class:`Forbidden` 403, :class:`Conflict` 409, :class:`NotAuthenticated` 401);
* Starlette/FastAPI ``HTTPException`` (unknown route, wrong method) -> a problem too;
* NUL characters (``\\u0000`` in a JSON string, ``%00`` in a query, path or form value) ->
  422 naming the field, before any route runs (:class:`RejectNulMiddleware`): PostgreSQL
  text cannot hold them and SQLite would store them, so they are refused the same way on
  both databases, for every route;
* ``sqlalchemy.exc.DataError`` (the database refused a value: out of range) -> 422,
  a safety net behind the edge checks;
* no pooled connection within ``database_pool_timeout_seconds`` (``sqlalchemy.exc.TimeoutError``),
  or the database unreachable, locked or timing out (``OperationalError``,
  ``InterfaceError``) -> 503 ``database busy; nothing stored; retry`` with ``Retry-After``:
  the request's transaction did not commit, so it may be sent again as it is;
* anything unexpected -> a logged 500 problem without internals (tests assert none occur).

* a query parameter or form field whose bytes are not UTF-8 (``%FF`` in the login form) ->
  422 naming the field, before any route runs (the same middleware).

Pages (paths outside ``/api``) get the same status codes as HTML pages in the user's language
with the navigation (:mod:`app.pages.errors`), but an anonymous visitor of a page is
redirected to the login form instead of receiving a 401.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
    if not _is_api(request):
        return await _page(request, 422, fields=errors)
    detail = "; ".join(f"{e['field']}: {e['msg']}" for e in errors[:5]) or "invalid request"
    return problem(422, detail, errors=errors)


async def _page(
    request: Request,
    status: int,
    *,
    fields: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """The HTML error page of a page path (:func:`app.pages.errors.error_page`)."""
    from app.pages.errors import error_page

    return await error_page(request, status, fields=fields, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotAuthenticated) and not _is_api(request):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if not _is_api(request):
        return await _page(request, exc.status, headers=exc.headers)
    return problem(exc.status, exc.detail, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    if not _is_api(request):
        return await _page(request, exc.status_code, headers=headers)
    return problem(exc.status_code, str(exc.detail), headers=headers)


async def _data_error(request: Request, exc: Exception) -> Response:
    """The database refused a value (a NUL byte in text, a number out of the column's range):
    bad input that slipped past the edge checks, so a 422 rather than a 500."""
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
    return problem(422, "a value was refused by the database (out of range or invalid characters)")


DATABASE_BUSY_DETAIL = "database busy; nothing stored; retry"
#: Seconds a client is told to wait after a 503 for a busy database.
DATABASE_RETRY_AFTER_SECONDS = 2


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """No pooled connection in time, or the database did not answer: nothing was committed
    (the failing statement's transaction rolls back), so the client may retry as it is."""
    log.warning("database busy or unreachable on %s %s: %s: %s", request.method,
                request.url.path, type(exc).__name__, str(exc).splitlines()[0][:200])
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
    if not _is_api(request):
        return await _page(request, 503, headers=headers)
    return problem(503, DATABASE_BUSY_DETAIL, headers=headers)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if not _is_api(request):
        return await _page(request, 500)
    return problem(500, "internal error; it has been logged")


NUL_MESSAGE = "must not contain NUL characters (\\u0000)"
#: JSON bodies larger than this are not searched for NUL characters (none of the API's is).
MAX_SCANNED_BODY = 16 * 1024 * 1024


def find_nul(value: Any, loc: list[str | int]) -> list[str | int] | None:
    """The location of the first string (or object key) holding a NUL, walking without recursion."""
    stack: list[tuple[Any, list[str | int]]] = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                if "\x00" in key:
                    return where + [key]
                stack.append((child, where + [key]))
        elif isinstance(item, list):
            stack.extend((child, where + [i]) for i, child in reversed(list(enumerate(item))))
    return None


def _nul_in_pairs(text: str, prefix: str) -> list[str | int] | None:
    for name, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
        if "\x00" in name or "\x00" in value:
            return [prefix, name.replace("\x00", "\\u0000")]
    return None


UTF8_MESSAGE = "must be UTF-8 text"


def bad_utf8_in_pairs(raw: bytes, prefix: str) -> list[str | int] | None:
    """The first ``name=value`` pair of a query or form body whose name or value, once
    percent-decoded, is not UTF-8 (``%FF``, a raw ``\\xff`` byte), as ``[prefix, name]``."""
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        name_bytes = unquote_to_bytes(name.replace(b"+", b" "))
        try:
            name_bytes.decode("utf-8")
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return [prefix, name_bytes.decode("utf-8", errors="replace")]
    return None


class RejectNulMiddleware:
    """422 for a request carrying a NUL character in a path parameter, a query parameter,
    a JSON string (at any depth) or a form field, or bytes that are not UTF-8 in a query
    parameter or form field, naming the field (``query.team``, ``path.customer_id``,
    ``body.username``) before any route runs: a form field that is not text (invalid UTF-8 in
    the login form) is a request-decoding error, never a failed login or a 500. Bodies are
    buffered only when they may hold such a value (a JSON body with a ``\\u0000`` escape, a
    form body) and replayed unchanged otherwise; multipart uploads are left to their routes.
    Pages get the HTML 422 page, the API a problem."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = self._in_path(scope) or self._in_query(scope)
        if found is None:
            content_type = ""
            for key, value in scope.get("headers", ()):
                if key == b"content-type":
                    content_type = value.decode("latin-1").split(";")[0].strip().lower()
            is_json = content_type == "application/json" or content_type.endswith("+json")
            if is_json or content_type == "application/x-www-form-urlencoded":
                body, receive = await _buffer(receive)
                found = _in_body(body, is_json)
        if found is None:
            await self.app(scope, receive, send)
            return
        loc, msg = found
        field = ".".join(str(part) for part in loc)
        errors = [{"loc": loc, "field": field, "msg": msg, "type": "value_error"}]
        if str(scope.get("path", "")).startswith("/api"):
            response: Response = problem(422, f"{field}: {msg}", errors=errors)
        else:
            response = await _page(Request(scope, receive), 422, fields=errors)
        await response(scope, receive, send)

    @staticmethod
    def _in_path(scope: Scope) -> tuple[list[str | int], str] | None:
        path = str(scope.get("path", ""))
        if "\x00" not in path:
            return None
        name = _path_param_name(scope.get("app"), path)
        return (["path", name] if name else ["path"]), NUL_MESSAGE

    @staticmethod
    def _in_query(scope: Scope) -> tuple[list[str | int], str] | None:
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            return _nul_in_pairs(query.decode("latin-1"), "query") or ["query"], NUL_MESSAGE
        if b"%" in query or not query.isascii():
            loc = bad_utf8_in_pairs(query, "query")
            if loc is not None:
                return loc, UTF8_MESSAGE
        return None


def _route_formats(app: Any) -> list[str]:
    """The path templates of every route (``/api/customers/{customer_id}/contacts``)."""
    routes = getattr(app, "routes", ())
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x nests included routers
    except ImportError:
        return [str(r.path_format) for r in routes if hasattr(r, "path_format")]
    return [str(c.path_format) for c in iter_route_contexts(routes)]


def _path_param_name(app: Any, path: str) -> str | None:
    """The name of the path parameter holding the NUL, from the route whose template fits."""
    segments = path.split("/")
    for template in _route_formats(app):
        parts = template.split("/")
        if len(parts) != len(segments):
            continue
        name = None
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                if "\x00" in segment:
                    name = part[1:-1].split(":")[0]
            elif part != segment:
                break
        else:
            if name:
                return name
    return None


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body; return it and a ``receive`` that replays it."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _in_body(body: bytes, is_json: bool) -> tuple[list[str | int], str] | None:
    if is_json:
        if b"\\u0000" not in body or len(body) > MAX_SCANNED_BODY:
            return None
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON: the route's own parsing answers
            return None
        loc = find_nul(data, ["body"])
        return None if loc is None else (loc, NUL_MESSAGE)
    if b"%00" in body or b"\x00" in body:
        return _nul_in_pairs(body.decode("latin-1"), "body") or ["body"], NUL_MESSAGE
    loc = bad_utf8_in_pairs(body, "body")
    return None if loc is None else (loc, UTF8_MESSAGE)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one handler set of the service (and the NUL guard in front of every route)."""
    app.add_middleware(RejectNulMiddleware)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    for busy in (PoolTimeout, OperationalError, InterfaceError):
        app.add_exception_handler(busy, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
