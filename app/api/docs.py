"""The API's documentation: the OpenAPI document with its error responses, and the Swagger UI
and ReDoc pages served entirely from the installed packages (no CDN: they work on an
air-gapped bank network).

* ``/api/openapi.json`` — FastAPI's document, in which every operation also lists the error
  responses it can give, as ``application/problem+json`` (:data:`PROBLEM_SCHEMA`, the body
  :func:`app.api.errors.problem` writes): 422 and 503 everywhere (validation; database busy
  or a computation stopped), 429 everywhere (rate limits), 401 and 403 where a login guard
  applies, 404 where the path has parameters, 409 on unsafe methods. Clients and schema
  fuzzers can rely on it.
* ``/api/docs`` (Swagger UI) and ``/api/docs/redoc`` (ReDoc); ``/docs`` and ``/redoc``
  redirect there. Their scripts, style sheet and icon are the files the ``fastapi-offline``
  package ships (Swagger UI 5 and ReDoc 2 bundles), served under ``/api/docs/assets/``; ReDoc
  is told not to load Google fonts, Swagger UI not to call the online validator, and both
  pages carry a content-security policy (:data:`DOCS_CSP`) that lets them reach this server
  only.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from app.api.errors import PROBLEM_MEDIA_TYPE

DOCS_PATH = "/api/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
OPENAPI_PATH = "/api/openapi.json"
#: The files served under ASSETS_PATH, from the fastapi-offline package's static folder.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each field at fault (422).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"},
                                                                 {"type": "integer"}]}},
                    "field": {"type": "string"},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
ERROR_DESCRIPTIONS = {
    "401": "Not logged in",
    "403": "The user's role may not do this (or the CSRF token is missing)",
    "404": "Not found",
    "409": "Conflicts with the current state",
    "422": "Invalid input; `errors` names each field",
    "429": "Too many requests; see Retry-After",
    "503": "Busy (database, computation workers) or stopped at its deadline; nothing stored",
}
UNSAFE = {"post", "put", "patch", "delete"}
#: The documentation pages' own content-security policy: everything from this server only
#: (ReDoc's sidebar would fetch its vendor's logo from a CDN; here it is never requested and
#: the image hides itself). Inline script and style, and blob workers, are what the bundles
#: need. The security-headers middleware keeps a policy a route has set.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:;"
    " style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:;"
    " worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


def _asset_file(name: str) -> Any:
    return resources.files("fastapi_offline").joinpath("static", name)


@router.get(f"{ASSETS_PATH}/{{name}}")
def docs_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, "no such asset")
    with resources.as_file(_asset_file(name)) as path:
        return FileResponse(path, media_type=ASSETS[name],
                            headers={"Cache-Control": "public, max-age=86400"})


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


@router.get(DOCS_PATH)
def swagger_ui() -> HTMLResponse:
    return _offline(get_swagger_ui_html(
        openapi_url=OPENAPI_PATH,
        title="contactops API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=f"{DOCS_PATH}/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None},  # no call to the online validator
    ))


@router.get(f"{DOCS_PATH}/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(f"{DOCS_PATH}/redoc")
def redoc() -> HTMLResponse:
    return _offline(get_redoc_html(
        openapi_url=OPENAPI_PATH,
        title="contactops API",
        redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    ))


@router.get("/docs")
def docs_redirect() -> RedirectResponse:
    return RedirectResponse(DOCS_PATH, status_code=307)


@router.get("/redoc")
def redoc_redirect() -> RedirectResponse:
    return RedirectResponse(f"{DOCS_PATH}/redoc", status_code=307)


def _guarded(dependant: Dependant) -> bool:
    """Whether a login guard (a dependency from :mod:`app.auth`) applies to the route."""
    stack = [dependant]
    while stack:
        item = stack.pop()
        module = getattr(item.call, "__module__", "") or ""
        if module == "app.auth" or module.startswith("app.auth."):
            return True
        stack.extend(item.dependencies)
    return False


def _error_codes(method: str, path: str, guarded: bool) -> list[str]:
    codes = ["422", "429", "503"]
    if guarded:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if method in UNSAFE:
        codes.append("409")
    return sorted(codes)


def openapi_with_errors(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the error responses of every operation (module docstring)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                         description=app.description)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components.pop("HTTPValidationError", None)  # our 422 is a problem, not FastAPI's body
    components.pop("ValidationError", None)
    guarded = {(m.lower(), r.path_format): _guarded(r.dependant)
               for r in _api_routes(app) for m in r.methods}
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, path, guarded.get((method, path), False)):
                responses[code] = {"description": ERROR_DESCRIPTIONS[code], "content": problem}
    app.openapi_schema = schema
    return schema


def _api_routes(app: FastAPI) -> list[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: routes are flat
        return [r for r in app.routes if isinstance(r, APIRoute)]
    out = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            out.append(context)
    return out


def install_api_docs(app: FastAPI) -> None:
    """Serve the documentation pages and the OpenAPI document with its error responses.
    Call after every router is included; build the app with ``docs_url=None`` and
    ``redoc_url=None`` (these pages replace FastAPI's CDN-loading ones)."""
    app.include_router(router)
    app.openapi = lambda: openapi_with_errors(app)  # type: ignore[method-assign]
