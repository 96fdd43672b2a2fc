"""``OPTIONS`` answered properly: ``204 No Content`` with an ``Allow`` header listing the
methods of the route(s) at that path, for every known path, instead of ``405``; an unknown
path stays a 404.

CORS is **not** opened: no ``Access-Control-Allow-*`` header is ever sent, so a browser's
preflight from another origin gets its 204 and then refuses the cross-origin request (the
pages and the API are served from one origin; cookies and the CSRF token assume it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

#: Methods of a mounted static directory.
STATIC_METHODS = frozenset({"GET", "HEAD"})


def _route_methods(app: Any) -> Iterator[tuple[re.Pattern[str], frozenset[str]]]:
    """``(path regex, methods)`` of every HTTP route, through included routers."""
    routes = getattr(app, "routes", ())
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x nests routers
    except ImportError:  # pragma: no cover - older FastAPI: routes are flat
        contexts: Any = routes
    else:
        contexts = iter_route_contexts(routes)
    for context in contexts:
        route = getattr(context, "original_route", context)
        if isinstance(route, Mount):
            yield re.compile("^" + re.escape(route.path) + "/.*$"), STATIC_METHODS
            continue
        methods = getattr(context, "methods", None)
        path = getattr(context, "path_format", None)
        if methods and path:
            yield compile_path(path)[0], frozenset(methods)


def allowed_methods(app: Any, path: str) -> frozenset[str]:
    """The methods routes of ``app`` accept at ``path`` (empty for an unknown path)."""
    found: set[str] = set()
    for regex, methods in _route_methods(app):
        if regex.match(path):
            found |= methods
    if found:
        found |= {"OPTIONS"}
        if "GET" in found:
            found.add("HEAD")
    return frozenset(found)


class OptionsMiddleware:
    """204 with ``Allow`` for ``OPTIONS`` on a known path (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(scope.get("app"), str(scope.get("path", "")))
        if not methods:
            await self.app(scope, receive, send)  # unknown path: the usual 404
            return
        response = Response(status_code=204, headers={"Allow": ", ".join(sorted(methods))})
        await response(scope, receive, send)


def install_options(app: FastAPI) -> None:
    app.add_middleware(OptionsMiddleware)
