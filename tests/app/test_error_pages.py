"""HTML error pages (issue 7): pages answer 403, 404, 405, 409, 422, 429, 500 and 503 with an
HTML page in the user's language inside the usual frame (navigation of the role), the API
keeps its problem+json; bytes that are not UTF-8 in a form or query are a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app.api.errors import Conflict, TooManyRequests, field_error
from app.testing import create_user, login, make_app, make_settings

PAGE_TITLES = {  # status: (Korean title, English title)
    403: ("접근 권한 없음", "Not allowed"),
    404: ("페이지를 찾을 수 없습니다", "Page not found"),
    405: ("허용되지 않는 요청", "Not allowed here"),
    409: ("충돌", "Conflict"),
    422: ("입력 값이 올바르지 않습니다", "Invalid input"),
    429: ("요청이 너무 많습니다", "Too many requests"),
    500: ("오류가 발생했습니다", "Something went wrong"),
    503: ("서비스가 바쁩니다", "Service busy"),
}


def _raise(code: int) -> Any:
    if code == 409:
        raise Conflict("already done")
    if code == 422:
        raise field_error(("query", "when"), "not a date")
    if code == 429:
        raise TooManyRequests("slow down", headers={"Retry-After": "7"})
    if code == 503:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))
    raise RuntimeError("boom")


def _app_with_failing_pages(database_url: str) -> FastAPI:
    app = make_app(make_settings(database_url))
    for prefix in ("/test-page", "/api/test-page"):
        app.add_api_route(prefix + "/{code}", _raise, methods=["GET"])
    return app


def _client(app: FastAPI, username: str, role: str, locale: str) -> TestClient:
    create_user(app, username, role, locale=locale)
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    login(client, username)
    return client


def _page_of(response: Any, status: int, title: str) -> str:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    text = str(response.text)
    assert f'data-status="{status}"' in text and title in text
    return text


@pytest.mark.parametrize(("locale", "index"), [("ko", 0), ("en", 1)])
def test_pages_get_html_errors_in_the_users_language_with_navigation(
    sqlite_url: str, locale: str, index: int
) -> None:
    app = _app_with_failing_pages(sqlite_url)
    with _client(app, "agent1", "agent", locale) as client:
        expected = {
            404: client.get("/no-such-page"),
            403: client.get("/planner"),
            405: client.delete("/agent"),
            409: client.get("/test-page/409"),
            422: client.get("/test-page/422"),
            429: client.get("/test-page/429"),
            500: client.get("/test-page/500"),
            503: client.get("/test-page/503"),
        }
        for status, response in expected.items():
            text = _page_of(response, status, PAGE_TITLES[status][index])
            assert f'<html lang="{locale}">' in text
            assert 'href="/agent"' in text and "agent1" in text  # navigation and user bar
        assert "query.when" in expected[422].text  # the field at fault is named
        assert expected[429].headers["retry-after"] == "7"
        assert expected[503].headers["retry-after"]
        assert "boom" not in expected[500].text  # no internals


def test_the_api_keeps_problem_json(sqlite_url: str) -> None:
    app = _app_with_failing_pages(sqlite_url)
    with _client(app, "agent1", "agent", "ko") as client:
        for code in (409, 422, 429, 500, 503):
            response = client.get(f"/api/test-page/{code}")
            assert response.status_code == code
            assert response.headers["content-type"] == "application/problem+json"
        assert client.get("/api/no-such").headers["content-type"] == "application/problem+json"


def test_an_anonymous_visitor_gets_the_page_with_a_login_link(sqlite_url: str) -> None:
    app = make_app(make_settings(sqlite_url))
    with TestClient(app, follow_redirects=False) as client:
        text = _page_of(client.get("/no-such-page"), 404, PAGE_TITLES[404][0])
        assert 'href="/login"' in text
        assert client.get("/agent").status_code == 303  # pages still redirect to the login


@pytest.mark.parametrize("body", [b"username=\xff\xfe&password=x", b"username=%FF&password=x"])
def test_invalid_utf8_in_the_login_form_is_a_422_naming_the_field(
    sqlite_url: str, body: bytes
) -> None:
    app = make_app(make_settings(sqlite_url))
    with TestClient(app, follow_redirects=False) as client:
        client.get("/login")
        token = client.cookies.get("contactops_csrf") or ""
        response = client.post(
            "/login", content=body + b"&csrf_token=" + token.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"})
        text = _page_of(response, 422, PAGE_TITLES[422][0])
        assert "body.username" in text


def test_invalid_utf8_in_an_api_query_or_form_is_a_422_naming_the_field(sqlite_url: str) -> None:
    app = make_app(make_settings(sqlite_url))
    with TestClient(app, follow_redirects=False) as client:
        response = client.get("/api/health?probe=%FF%FE")
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "probe"]
        assert client.get("/api/health?probe=%EC%95%88").status_code == 200  # UTF-8 is fine


def test_the_issues_500s_are_422s_naming_the_field(sqlite_url: str) -> None:
    """Issue 7: a forecast starting 0001-01-01 and a history dated 9999-12-31 were 500s."""
    app = make_app(make_settings(sqlite_url))
    with _client(app, "plan1", "planner", "en") as client:
        for start in ("0001-01-01", "9999-12-31"):
            response = client.post("/api/wfm/forecast", json={"queue": "deposits", "start": start})
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["loc"] == ["body", "start"]
        rows = "".join(f"9999-12-{d:02d} {h:02d}:00,10\n" for d in range(1, 32) for h in range(24))
        response = client.post("/api/wfm/history/upload", files={
            "file": ("h.csv", ("start,offered\n" + rows).encode(), "text/csv")})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "file"]
        assert "1900 to 2999" in response.json()["detail"]
        assert client.get("/api/health").status_code == 200  # the connection still serves
