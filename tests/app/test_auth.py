"""Passwords, sessions, role guards (HTTP and websocket), CSRF and login rate limiting."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.errors import TooManyRequests
from app.auth.cookies import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from app.auth.guards import require_role, require_role_ws
from app.auth.login_limits import LoginRateLimiter
from app.auth.passwords import hash_password, verify_password
from app.main import create_app
from app.models import User
from app.settings import Settings
from app.testing import (
    TEST_PASSWORD,
    create_user,
    login,
    make_app,
    make_client,
    make_settings,
)
from tests.app.test_errors_no_500 import http_routes, paths_for

PUBLIC = {
    "/",
    "/login",
    "/logout",
    "/locale",
    "/api/health",
    "/api/docs",
    "/api/openapi.json",
    "/api/docs/oauth2-redirect",
    "/api/docs/redoc",
    "/api/docs/assets/{name}",  # Swagger UI / ReDoc bundles served from the package
    "/docs",  # redirects to /api/docs
    "/redoc",  # redirects to /api/docs/redoc
}

STATIC_SUFFIXES = (".js", ".css", ".map", ".png", ".svg", ".ico", ".woff2")  # public assets


def _form_login(
    client: TestClient, username: str, password: str = TEST_PASSWORD, token: str | None = None
):
    client.get("/login")
    csrf = client.cookies.get(CSRF_COOKIE) if token is None else token
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf}
    )


# --- passwords ---------------------------------------------------------------------------


def test_argon2id_hash_round_trip() -> None:
    digest = hash_password("s3cret-pass")
    assert digest.startswith("$argon2id$")
    assert verify_password(digest, "s3cret-pass")
    assert not verify_password(digest, "wrong")
    assert not verify_password("not-a-hash", "s3cret-pass")


# --- login, cookies ----------------------------------------------------------------------


def test_login_sets_httponly_samesite_session_cookie(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "agent01", "agent")
        response = _form_login(client, "agent01")
        assert response.status_code == 303
        assert response.headers["location"] == "/agent"
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
        assert "httponly" in session.lower() and "samesite=lax" in session.lower()
        csrf = next(c for c in cookies if c.startswith(CSRF_COOKIE + "="))
        assert "httponly" not in csrf.lower()  # scripts read it for the X-CSRF-Token header
        assert client.get("/api/me").json()["username"] == "agent01"


@pytest.mark.parametrize(
    "username,password", [("agent01", "wrong password"), ("nobody", TEST_PASSWORD)]
)
def test_bad_credentials_re_render_the_form(sqlite_url: str, username: str, password: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        response = _form_login(client, username, password)
        assert response.status_code == 401
        assert 'name="username"' in response.text
        assert SESSION_COOKIE not in client.cookies


def test_login_without_csrf_token_is_refused(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        response = _form_login(client, "agent01", token="forged")
        assert response.status_code == 403
        assert SESSION_COOKIE not in client.cookies


def test_login_next_is_followed_but_never_off_site(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "sup", "supervisor")
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
        form = {"username": "sup", "password": TEST_PASSWORD, "csrf_token": token}
        assert (
            client.post("/login", data={**form, "next": "//evil.example"}).headers["location"]
            == "/wallboard"
        )
        client.cookies.delete(SESSION_COOKIE)
        form["csrf_token"] = client.cookies.get(CSRF_COOKIE)  # a login rotates the token
        assert (
            client.post("/login", data={**form, "next": "/qa?days=3"}).headers["location"]
            == "/qa?days=3"
        )


def test_tampered_session_cookie_is_not_a_login(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        value = client.cookies.get(SESSION_COOKIE)
        assert value
        client.cookies.clear()
        client.cookies.set(
            SESSION_COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
        )
        assert client.get("/api/me").status_code == 401


def test_password_reset_ends_the_users_sessions(database_url: str) -> None:
    with make_client(make_settings(database_url)) as admin, TestClient(admin.app) as victim:
        create_user(admin.app, "admin", "admin")
        user = create_user(admin.app, "agent01", "agent")
        login(admin, "admin")
        login(victim, "agent01")
        assert victim.get("/api/me").status_code == 200
        response = admin.post(
            f"/api/users/{user.id}/password", json={"password": "a new passphrase"}
        )
        assert response.status_code == 204
        assert victim.get("/api/me").status_code == 401
        login(victim, "agent01", "a new passphrase")


def test_logout_needs_the_csrf_token_then_ends_the_session(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        client.headers.pop(CSRF_HEADER)
        assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
        assert client.get("/api/me").status_code == 200
        token = client.cookies.get(CSRF_COOKIE)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/api/me").status_code == 401


def _copy_session_cookies(source: TestClient, target: TestClient) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        target.cookies.set(name, source.cookies.get(name) or "")


def test_copied_cookie_is_refused_after_logout(database_url: str) -> None:
    """Logout revokes the server-side session: a copy of the cookie stops working too."""
    with make_client(make_settings(database_url)) as client, TestClient(client.app) as thief:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        _copy_session_cookies(client, thief)
        assert thief.get("/api/me").status_code == 200
        token = client.cookies.get(CSRF_COOKIE)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert thief.get("/api/me").status_code == 401


def test_copied_cookie_is_refused_after_password_reset_and_change(database_url: str) -> None:
    with make_client(make_settings(database_url)) as admin, TestClient(admin.app) as user:
        create_user(admin.app, "admin", "admin")
        agent = create_user(admin.app, "agent01", "agent")
        login(admin, "admin")
        login(user, "agent01")
        with TestClient(admin.app) as thief:
            _copy_session_cookies(user, thief)
            assert thief.get("/api/me").status_code == 200
            response = admin.post(
                f"/api/users/{agent.id}/password", json={"password": "a new passphrase"}
            )
            assert response.status_code == 204
            assert thief.get("/api/me").status_code == 401
            assert user.get("/api/me").status_code == 401
        # changing one's own password keeps this session and ends the copies
        login(user, "agent01", "a new passphrase")
        with TestClient(admin.app) as thief:
            _copy_session_cookies(user, thief)
            changed = user.post(
                "/api/me/password",
                json={"current_password": "a new passphrase", "new_password": "third passphrase"},
            )
            assert changed.status_code == 204
            assert thief.get("/api/me").status_code == 401
        user.headers[CSRF_HEADER] = user.cookies.get(CSRF_COOKIE) or ""
        assert user.get("/api/me").status_code == 200


def test_session_expiry_is_enforced_on_the_server(sqlite_url: str) -> None:
    """An expired session record refuses the cookie even while its signature is still valid."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session, select

    from app.models import UserSession

    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        assert client.get("/api/me").status_code == 200
        with Session(client.app.state.engine) as db:
            record = db.exec(select(UserSession)).one()
            assert len(record.id) == 64  # a digest, not the cookie's id
            assert (SESSION_COOKIE, record.id) not in client.cookies.items()
            record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
            db.add(record)
            db.commit()
        assert client.get("/api/me").status_code == 401


def test_cookie_secure_setting_and_forwarded_scheme(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url, cookie_secure=True)) as client:
        create_user(client.app, "agent01", "agent")
        response = _form_login(client, "agent01")
        cookies = response.headers.get_list("set-cookie")
        assert all("secure" in c.lower() for c in cookies if c.startswith(SESSION_COOKIE))
    with make_client(make_settings(sqlite_url), base_url="https://testserver") as client:
        response = _form_login(client, "agent01")
        cookies = response.headers.get_list("set-cookie")
        assert all("secure" in c.lower() for c in cookies if c.startswith(SESSION_COOKIE))
    with make_client(make_settings(sqlite_url)) as client:  # None: follows the http scheme
        response = _form_login(client, "agent01")
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith(SESSION_COOKIE))
        assert "secure" not in session.lower()


# --- CSRF on the JSON API ------------------------------------------------------------------


def test_json_mutation_needs_the_csrf_header(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        good = client.headers.pop(CSRF_HEADER)
        assert client.post("/api/me/locale", json={"locale": "en"}).status_code == 403
        bad = client.post("/api/me/locale", json={"locale": "en"}, headers={CSRF_HEADER: "x" * 43})
        assert bad.status_code == 403
        assert "X-CSRF-Token" in bad.json()["detail"]
        ok = client.post("/api/me/locale", json={"locale": "en"}, headers={CSRF_HEADER: good})
        assert ok.status_code == 200 and ok.json()["locale"] == "en"
        # reads need no token
        assert client.get("/api/me").status_code == 200


def test_csrf_token_of_another_session_is_refused(sqlite_url: str) -> None:
    """The token must be the one bound in this session, not any token the cookie jar holds."""
    with make_client(make_settings(sqlite_url)) as one, TestClient(one.app) as two:
        create_user(one.app, "a1", "agent")
        create_user(one.app, "a2", "agent")
        login(one, "a1")
        login(two, "a2")
        foreign = two.cookies.get(CSRF_COOKIE) or ""
        one.cookies.set(CSRF_COOKIE, foreign)
        response = one.post("/api/me/locale", json={"locale": "en"}, headers={CSRF_HEADER: foreign})
        assert response.status_code == 403


# --- role guards ---------------------------------------------------------------------------


def test_wrong_role_is_403_and_admin_passes_every_guard(database_url: str) -> None:
    with make_client(make_settings(database_url)) as client:
        create_user(client.app, "agent01", "agent")
        create_user(client.app, "admin", "admin")
        login(client, "agent01")
        response = client.get("/api/agents")
        assert response.status_code == 403
        assert response.json()["status"] == 403 and "supervisor" in response.json()["detail"]
        assert client.get("/wallboard").status_code == 403
        client.cookies.clear()
        login(client, "admin")
        for path in ("/api/agents", "/api/customers", "/api/users", "/agent", "/wallboard", "/qa"):
            assert client.get(path).status_code == 200, path


def test_anonymous_gets_401_on_api_and_a_login_redirect_on_pages(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        api = client.get("/api/me")
        assert api.status_code == 401 and api.json()["title"] == "Unauthorized"
        page = client.get("/wallboard?x=1")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fwallboard%3Fx%3D1"


def test_every_route_but_the_public_ones_needs_a_login(sqlite_url: str) -> None:
    """Walks app.routes (routes added by other parts included): anonymous never gets in."""
    with make_client(make_settings(sqlite_url)) as client:
        app = client.app
        assert isinstance(app, FastAPI)
        open_routes = []
        for endpoint in http_routes(app):
            if endpoint.path_format in PUBLIC or endpoint.path_format.endswith(STATIC_SUFFIXES):
                continue
            path = paths_for(endpoint.path_format)[-2 if "{" in endpoint.path_format else 0]
            response = client.request(endpoint.method, path, json={})
            refused = response.status_code == 401 or (
                response.status_code == 303 and response.headers["location"].startswith("/login")
            )
            if not refused:
                open_routes.append(
                    f"{endpoint.method} {endpoint.path_format} -> {response.status_code}"
                )
        assert not open_routes, "routes reachable without login:\n" + "\n".join(open_routes)


def test_require_role_rejects_unknown_role_names() -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        require_role("superuser")


def _ws_app(database_url: str) -> FastAPI:
    app = make_app(make_settings(database_url))

    @app.websocket("/ws/test")
    async def ws(
        websocket: WebSocket, user: Annotated[User, Depends(require_role_ws("supervisor"))]
    ) -> None:
        await websocket.accept()
        await websocket.send_json({"user": user.username})
        await websocket.close()

    return app


def test_websocket_guard(sqlite_url: str) -> None:
    app = _ws_app(sqlite_url)
    with TestClient(app) as client:
        create_user(app, "sup", "supervisor")
        create_user(app, "agent01", "agent")
        with pytest.raises(WebSocketDisconnect) as anonymous, client.websocket_connect("/ws/test"):
            pass
        assert anonymous.value.code == 1008
        login(client, "agent01")
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/test"):
            pass
        client.cookies.clear()
        login(client, "sup")
        with client.websocket_connect("/ws/test") as ws:
            assert ws.receive_json() == {"user": "sup"}
        evil = {"origin": "https://evil.example"}
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws/test", headers=evil):
            pass


# --- rate limiting ---------------------------------------------------------------------------


def test_login_rate_limit_per_username_and_ip(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url, login_attempts_per_minute=3)) as client:
        create_user(client.app, "agent01", "agent")
        create_user(client.app, "agent02", "agent")
        for _ in range(3):
            assert _form_login(client, "agent01", "wrong").status_code == 401
        blocked = _form_login(client, "agent01")  # even the right password now waits
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        assert _form_login(client, "agent02").status_code == 303  # another username is free


def test_login_rate_limit_per_ip_across_usernames() -> None:
    now = [0.0]
    limiter = LoginRateLimiter(3, clock=lambda: now[0], per_ip_attempts_per_minute=5)
    first = limiter.reserve("user0", "10.0.0.1")
    for i in range(1, 5):
        limiter.reserve(f"user{i}", "10.0.0.1")  # failures: the places are kept
    with pytest.raises(TooManyRequests) as raised:
        limiter.reserve("someone_else", "10.0.0.1")  # spraying from one address stops
    assert raised.value.headers == {"Retry-After": "60"}
    limiter.cancel(limiter.reserve("someone_else", "10.0.0.2"))  # other addresses are free
    limiter.succeeded(first)  # a success does not clear the per-IP window
    with pytest.raises(TooManyRequests):
        limiter.reserve("user0", "10.0.0.1")
    now[0] += 60.5
    limiter.reserve("user0", "10.0.0.1")
    assert LoginRateLimiter(10).per_ip_limit == 50


def test_usernames_are_case_insensitive_at_login(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url)) as client:
        create_user(client.app, "agent01", "agent")
        assert _form_login(client, "AGENT01").status_code == 303


def test_password_change_wrong_current_password_is_rate_limited(sqlite_url: str) -> None:
    with make_client(make_settings(sqlite_url, login_attempts_per_minute=2)) as client:
        create_user(client.app, "agent01", "agent")
        login(client, "agent01")
        wrong = {"current_password": "guess", "new_password": "long enough"}
        for _ in range(2):
            assert client.post("/api/me/password", json=wrong).status_code == 422
        blocked = client.post("/api/me/password", json=wrong)
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        right = {"current_password": TEST_PASSWORD, "new_password": "long enough"}
        assert client.post("/api/me/password", json=right).status_code == 429


def test_rate_limiter_window_slides() -> None:
    now = [1000.0]
    limiter = LoginRateLimiter(2, clock=lambda: now[0])
    limiter.reserve("agent01", "10.0.0.1")
    now[0] += 30
    limiter.reserve("agent01", "10.0.0.1")
    assert limiter.retry_after("agent01", "10.0.0.1") == 30
    assert limiter.retry_after("agent01", "10.0.0.2") is None
    now[0] += 30.5  # the first failure left the window
    assert limiter.retry_after("agent01", "10.0.0.1") is None


# --- startup safety --------------------------------------------------------------------------


def test_refuses_to_start_with_a_default_password_outside_demo_mode(database_url: str) -> None:
    app = make_app(make_settings(database_url))
    create_user(app, "agent01", "agent", is_default_password=True)
    with pytest.raises(RuntimeError, match="default password.*agent01"), TestClient(app):
        pass
    demo = create_app(make_settings(database_url, demo_mode=True))
    with TestClient(demo) as client:
        assert client.get("/api/health").status_code == 200


def test_refuses_the_default_secret_outside_demo_mode(sqlite_url: str) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Settings(database_url=sqlite_url, demo_mode=False))
