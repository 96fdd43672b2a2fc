"""Bad input never causes a 500: walk EVERY HTTP route of the app with invalid input.

Routes are discovered from ``app.routes`` (so routes other parts add later are walked too);
request bodies are fuzzed field by field from the OpenAPI schema where the route has one.
Each route is called as an admin (past the role guards, on SQLite and PostgreSQL) and
anonymously (SQLite), with:

* path ids that are zero, negative, not numbers, beyond 64 bits, and valid-looking;
* query parameters of the wrong type, out of range, empty and huge;
* malformed JSON, ``[]``, ``null``, ``{}``, a form body, and per-field wrong types and sizes.

Every answer must be below 500; all failures are collected and reported together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.cookies import SESSION_COOKIE
from app.models import Customer, CustomerPhone, Interaction, Product, Queue
from app.testing import create_user, login, make_client, make_settings

PATH_VALUES = ("0", "-1", "abc", "99999999999999999999999", "1", "999999")
QUERY_VALUES = ("abc", "-1", "0", "99999999999999999999999", "", "x" * 3000, "1.5", "%00")
#: sent as they are (not re-encoded): a real NUL, an encoded surrogate, bytes that are not UTF-8
RAW_QUERY_VALUES = ("%00", "%ED%A0%80", "%FF%FE")
RAW_BODIES: tuple[tuple[bytes, str], ...] = (
    (b'{"unterminated": ', "application/json"),
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b"{}", "application/json"),
    (b"\xff\xfe not utf-8", "application/json"),
    (b'{"a": 1}', "text/plain"),
    (b"csrf_token=x&username=%00&locale=zz&next=//evil", "application/x-www-form-urlencoded"),
    (b"[" * 3000 + b"]" * 3000, "application/json"),  # nested beyond the JSON decoder's recursion
    (b'{"name": "a\\u0000b", "notes": "\\u0000", "x": [{"\\u0000": 1}]}', "application/json"),
    # lone surrogates: valid JSON escapes that are not Unicode text (cannot be stored)
    ((b'{"name": "a\\ud800", "notes": "\\udc00x", "skills": [{"skill": "\\ud800", '
      b'"proficiency": 3}], "username": "\\ud83d", "password": "\\ud800\\ud800"}'),
     "application/json"),
    (b'[{"type": "contact_arrived", "at": 1, "contact_id": "\\ud800", "queue": "q"}]',
     "application/json"),
)
PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


@dataclass(frozen=True)
class Endpoint:
    path_format: str  # with the prefixes of the routers it was included through
    method: str
    route: APIRoute


def http_routes(app: FastAPI) -> Iterator[Endpoint]:
    """Every HTTP endpoint, including routes of included routers (FastAPI >= 0.16x keeps
    them behind ``_IncludedRouter``; ``iter_route_contexts`` flattens them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: routes are flat already
        contexts: Iterator[Any] = iter(app.routes)
        pairs = ((r, r) for r in contexts)
    else:
        pairs = ((c.original_route, c) for c in iter_route_contexts(app.routes))
    for route, context in pairs:
        if isinstance(route, APIRoute):
            for method in sorted(set(context.methods or ()) - {"HEAD", "OPTIONS"}):
                yield Endpoint(str(context.path_format), method, route)


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def bad_values(prop: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    """Values that must be rejected for a property of this schema (wrong type or size)."""
    prop = resolve(prop, components)
    kinds = {prop.get("type")} | {resolve(s, components).get("type") for s in prop.get("anyOf", [])}
    out: list[Any] = [{"nested": ["x"]}, [1, 2]]
    if "string" in kinds:
        out += [12345, "x" * (int(prop.get("maxLength", 100_000)) + 1), "\x00"]
    if kinds & {"integer", "number"}:
        out += ["abc", 10**30, -(10**30), 1e308, True]
    if "array" in kinds:
        out += ["not a list", [{"nested": 1}] * 3, list(range(1000))]
    if "object" in kinds:
        out += ["not an object", {"": None, "x" * 300: -1}]
    if "boolean" in kinds:
        out += ["maybe", 2]
    if "enum" in prop:
        out += ["not-a-member"]
    return out


def json_bodies(endpoint: Endpoint, openapi: dict[str, Any]) -> list[Any]:
    """Per-field invalid JSON bodies from the route's OpenAPI request schema (if any)."""
    operation = openapi["paths"].get(endpoint.path_format, {}).get(endpoint.method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return []
    components = openapi.get("components", {}).get("schemas", {})
    schema = resolve(schema, components)
    props = schema.get("properties", {})
    bodies: list[Any] = [{name: "x" * 100_001 for name in props}, {"unexpected_field": 1}]
    for name, prop in props.items():
        bodies += [{name: value} for value in bad_values(prop, components)]
    return bodies


def query_names(route: APIRoute) -> list[str]:
    """Query parameters of the route and of all its dependencies."""

    def walk(dependant: Dependant) -> Iterator[str]:
        yield from (p.alias for p in dependant.query_params)
        for sub in dependant.dependencies:
            yield from walk(sub)

    return sorted(set(walk(route.dependant)))


def paths_for(path_format: str) -> list[str]:
    if not PARAM.search(path_format):
        return [path_format]
    return [PARAM.sub(value, path_format) for value in PATH_VALUES]


def requests_for(endpoint: Endpoint, openapi: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Each bad path id alone; then the bad query values, raw bodies and per-field bodies on
    the valid-looking id ``1``, whose rows :func:`seed` makes, so they reach the handler's
    real path (crossing all six ids with every bad query and body sent each six times, most
    of them stopped at the id before the handler ran)."""
    method = endpoint.method
    paths = paths_for(endpoint.path_format)
    path = paths[len(paths) - 2] if len(paths) > 1 else paths[0]  # the valid-looking id "1"
    for bad_path in paths:
        yield {"method": method, "url": bad_path}
    for name in query_names(endpoint.route):
        for value in QUERY_VALUES:
            yield {"method": method, "url": path, "params": {name: value}}
        for raw_value in RAW_QUERY_VALUES:
            yield {"method": method, "url": f"{path}?{name}={raw_value}"}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        for raw, content_type in RAW_BODIES:
            yield {"method": method, "url": path, "content": raw,
                   "headers": {"content-type": content_type}}
    if method in ("POST", "PUT", "PATCH"):
        for body in json_bodies(endpoint, openapi):
            yield {"method": method, "url": path, "json": body}


def seed(app: FastAPI) -> None:
    """Rows with id 1 everywhere, so valid-looking ids reach the handlers' real paths."""
    with Session(app.state.engine) as session:
        customer = Customer(name="김민지", value_tier="gold")
        session.add(customer)
        session.flush()
        assert customer.id is not None
        session.add(CustomerPhone(customer_id=customer.id, number="+821012345678"))
        session.add(Product(customer_id=customer.id, kind="deposit", name="정기예금"))
        session.add(Queue(name="deposits", skill="deposits"))
        session.add(Interaction(contact_id="c-1", queue="deposits", arrived_at=datetime.now(UTC)))
        session.commit()


def walk(client: TestClient, app: FastAPI, as_admin: bool) -> list[str]:
    openapi = app.openapi()
    failures: list[str] = []
    count = 0
    for endpoint in http_routes(app):
        for request in requests_for(endpoint, openapi):
            if as_admin and SESSION_COOKIE not in client.cookies:
                login(client, "admin")  # a walked POST /logout ends the session: log in again
            response = client.request(**request)
            count += 1
            if response.status_code >= 500:
                shown = {k: (str(v)[:80]) for k, v in request.items()}
                failures.append(f"{response.status_code} {shown} -> {response.text[:200]}")
    assert count > 100, f"walked only {count} requests; route discovery is broken"
    return failures


def test_no_route_answers_500_as_admin(database_url: str) -> None:
    """Past the role guards, on both databases (the handlers' queries differ by dialect)."""
    assert not (failures := _walk_app(database_url, as_admin=True)), _report(failures)


def test_no_route_answers_500_anonymously(sqlite_url: str) -> None:
    """Without a session nearly every route stops at the role guards before a query of its
    own; the few open ones (login, health, the proxy's routes) get the same requests in the
    admin walk on both databases, so this one runs on SQLite only."""
    assert not (failures := _walk_app(sqlite_url, as_admin=False)), _report(failures)


def _walk_app(database_url: str, as_admin: bool) -> list[str]:
    with make_client(make_settings(database_url), raise_server_exceptions=False) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        seed(app)
        create_user(app, "admin", "admin", with_agent=True)
        if as_admin:
            login(client, "admin")
        return walk(client, app, as_admin)


def _report(failures: list[str]) -> str:
    return f"{len(failures)} requests answered 5xx:\n" + "\n".join(failures[:40])


def test_walk_covers_every_route(sqlite_url: str) -> None:
    """Discovery finds the foundation's routes (and so will find routes added later)."""
    with make_client(make_settings(sqlite_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        found = {(e.path_format, e.method) for e in http_routes(app)}
    for expected in [
        ("/api/health", "GET"),
        ("/api/customers/{customer_id}", "GET"),
        ("/api/customers/{customer_id}/contacts", "POST"),
        ("/api/agents/{agent_id}/skills", "PATCH"),
        ("/api/queues/{queue_id}", "PATCH"),
        ("/api/users", "POST"),
        ("/login", "POST"),
        ("/agent", "GET"),
    ]:
        assert expected in found


@pytest.mark.parametrize("request_kwargs,field", [
    ({"method": "POST", "url": "/api/customers/1/contacts",
      "json": {"channel": "web", "notes": "a\u0000b"}}, "body.notes"),
    ({"method": "GET", "url": "/api/agents", "params": {"team": "\x00"}}, "query.team"),
    ({"method": "GET", "url": "/api/customers", "params": {"tier": "x\x00"}}, "query.tier"),
    ({"method": "GET", "url": "/api/customers/%00"}, "path.customer_id"),
    ({"method": "POST", "url": "/api/events", "json": [{"type": "contact_arrived", "at": 1.0,
      "contact_id": "c", "queue": "q\u0000"}]}, "body.0.queue"),
])
def test_nul_characters_are_422_naming_the_field_on_every_database(
    database_url: str, request_kwargs: dict[str, Any], field: str
) -> None:
    """PostgreSQL text cannot hold NUL and SQLite would store it: refused the same way on both."""
    with make_client(make_settings(database_url), raise_server_exceptions=False) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        seed(app)
        create_user(app, "admin", "admin", with_agent=True)
        login(client, "admin")
        response = client.request(**request_kwargs)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]
        if request_kwargs["url"].endswith("/contacts"):
            assert client.get("/api/customers/1").status_code == 200
            assert "a\x00b" not in client.get("/api/customers/1").text


def test_nested_json_is_never_500(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url), raise_server_exceptions=False) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        seed(app)
        create_user(app, "admin", "admin", with_agent=True)
        login(client, "admin")
        deep = b"[" * 3000 + b"]" * 3000
        for url in ("/api/events", "/api/customers/1/contacts", "/api/users"):
            r = client.post(url, content=deep, headers={"content-type": "application/json"})
            assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:200])
