"""The API's documentation (issue 7): the OpenAPI document lists the error responses as
problem+json; Swagger UI and ReDoc load nothing from outside the server (checked in Chromium
with every other host blocked); OPTIONS is answered with Allow and CORS stays closed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.docs import ASSETS
from app.testing import make_app, make_settings
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS, serve_in_thread

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def client(sqlite_url: str) -> TestClient:
    return TestClient(make_app(make_settings(sqlite_url)), follow_redirects=False)


def _problem_codes(operation: dict[str, object]) -> set[str]:
    responses = operation["responses"]
    assert isinstance(responses, dict)
    return {code for code, response in responses.items()
            if response.get("content", {}).get("application/problem+json", {}).get("schema")
            == PROBLEM_REF}


def test_every_operation_lists_its_error_responses_as_problems(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type", "title", "status", "detail"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    seen: set[str] = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = _problem_codes(operation)
            assert {"422", "429", "503"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "409" in codes, (method, path)
            seen |= codes
    assert seen == {"401", "403", "404", "409", "422", "429", "503"}
    staffing = schema["paths"]["/api/wfm/staffing"]["post"]
    assert {"401", "403"} <= _problem_codes(staffing)
    assert not {"401", "403"} & _problem_codes(schema["paths"]["/api/health"]["get"])


def test_docs_pages_and_assets_are_served_from_the_package(client: TestClient) -> None:
    for page, script in (("/api/docs", "swagger-ui-bundle.js"),
                         ("/api/docs/redoc", "redoc.standalone.js")):
        html = client.get(page).text
        assert f"/api/docs/assets/{script}" in html
        assert "cdn" not in html.lower() and "fonts.googleapis" not in html
        csp = client.get(page).headers["content-security-policy"]
        assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    for name, media in ASSETS.items():
        response = client.get(f"/api/docs/assets/{name}")
        assert response.status_code == 200 and len(response.content) > 1000
        assert response.headers["content-type"].startswith(media)
    assert client.get("/api/docs/assets/..%2Fcore.py").status_code == 404
    assert client.get("/docs").headers["location"] == "/api/docs"
    assert client.get("/redoc").headers["location"] == "/api/docs/redoc"


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/wfm/staffing", "OPTIONS, POST"),
        ("/api/health", "GET, HEAD, OPTIONS"),
        ("/agent", "GET, HEAD, OPTIONS"),
        ("/static/app.css", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_is_answered_with_allow_and_no_cors(
    client: TestClient, path: str, allow: str
) -> None:
    for headers in ({}, {"Origin": "https://elsewhere.example",
                         "Access-Control-Request-Method": "POST"}):
        response = client.options(path, headers=headers)
        assert response.status_code == 204 and response.headers["allow"] == allow
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_options_on_an_unknown_path_is_a_404(client: TestClient) -> None:
    assert client.options("/api/no-such-thing").status_code == 404


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
def test_docs_render_in_a_browser_cut_off_from_every_other_host(
    sqlite_url: str, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    app = make_app(make_settings(sqlite_url))
    for base in serve_in_thread(app):
        outside = _render_docs_offline(sync_api, base, tmp_path)
        assert outside == []  # nothing was asked of any other host


def _render_docs_offline(sync_api, base: str, tmp_path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """Open both pages with every request to another host aborted; the URLs it asked for."""
    outside: list[str] = []

    def block(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", block)
            page.goto(f"{base}/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=20_000)
            assert page.get_by_text("/api/wfm/staffing", exact=True).count() >= 1
            page.screenshot(path=str(tmp_path / "swagger.png"))
            page.goto(f"{base}/redoc")
            page.get_by_text("/api/wfm/staffing").first.wait_for(timeout=20_000)
            page.screenshot(path=str(tmp_path / "redoc.png"))
        finally:
            browser.close()
    return outside
