"""The app factory and ``contactops serve``."""

from __future__ import annotations

import sys
import types

import pytest
from fastapi import APIRouter

from app import main
from app.cli import build_parser
from app.cli import main as cli_main


def test_factory_puts_settings_engine_and_templates_on_state(sqlite_url: str) -> None:
    from app.testing import make_settings

    settings = make_settings(sqlite_url)
    app = main.create_app(settings)
    assert app.state.settings is settings
    assert str(app.state.engine.url).startswith("sqlite")
    assert app.docs_url is None  # the offline pages of app.api.docs serve /api/docs
    app.state.engine.dispose()


def test_optional_router_modules_are_skipped_only_when_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(main, "OPTIONAL_ROUTER_MODULES", frozenset({"app.api.not_there_yet"}))
    assert main.load_router("app.api.not_there_yet") is None
    with pytest.raises(ModuleNotFoundError):
        main.load_router("app.api.not_optional_and_missing")


def test_an_optional_module_without_a_router_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "app.api.no_router", types.ModuleType("app.api.no_router"))
    monkeypatch.setattr(main, "OPTIONAL_ROUTER_MODULES", frozenset({"app.api.no_router"}))
    with pytest.raises(TypeError, match="must be a fastapi.APIRouter"):
        main.load_router("app.api.no_router")


def test_an_optional_module_whose_own_import_fails_still_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the absence of the module itself is tolerated, not a missing import inside it."""

    def import_module(name: str) -> types.ModuleType:
        raise ModuleNotFoundError("No module named 'plotly_extra'", name="plotly_extra")

    monkeypatch.setattr(main.importlib, "import_module", import_module)
    monkeypatch.setattr(main, "OPTIONAL_ROUTER_MODULES", frozenset({"app.api.wfm"}))
    with pytest.raises(ModuleNotFoundError, match="plotly_extra"):
        main.load_router("app.api.wfm")


def test_router_modules_expose_routers() -> None:
    for name in main.ROUTER_MODULES:
        router = main.load_router(name)
        assert router is None or isinstance(router, APIRouter)


def test_serve_command_parses_host_and_port() -> None:
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert (args.host, args.port) == ("0.0.0.0", 8123)


def test_serve_refuses_the_default_secret_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    for name in ("CONTACTOPS_SECRET_KEY", "CONTACTOPS_DEMO_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONTACTOPS_DATABASE_URL", sqlite_url)
    assert cli_main(["serve", "--port", "8123"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "CONTACTOPS_SECRET_KEY" in err[0]


def test_serve_trusts_forwarded_headers_only_from_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    import uvicorn

    from app.cli import serve as serve_module
    from app.testing import create_schema, make_settings

    create_schema(sqlite_url)  # serve refuses an unmigrated database
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    serve_module.serve(make_settings(sqlite_url), "127.0.0.1", 8123)
    assert calls[-1]["proxy_headers"] is False and "forwarded_allow_ips" not in calls[-1]
    serve_module.serve(make_settings(sqlite_url, forwarded_allow_ips="10.0.0.5"), "127.0.0.1", 8123)
    assert calls[-1]["proxy_headers"] is True
    assert calls[-1]["forwarded_allow_ips"] == "10.0.0.5"


def test_forwarded_https_from_a_trusted_proxy_makes_cookies_secure(sqlite_url: str) -> None:
    from fastapi.testclient import TestClient
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from app.auth.cookies import SESSION_COOKIE
    from app.testing import create_user, make_app, make_settings

    app = make_app(make_settings(sqlite_url))
    create_user(app, "agent01", "agent")
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="*")
    with TestClient(app), TestClient(proxied, follow_redirects=False) as client:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        form = client.get("/login", headers=headers)
        csrf = next(c for c in form.headers.get_list("set-cookie") if c.startswith("contactops_csrf"))
        assert "secure" in csrf.lower()
        token = client.cookies.get("contactops_csrf") or ""
        response = client.post(  # the test client speaks http, so it would not send the cookie
            "/login",
            headers={**headers, "Cookie": f"contactops_csrf={token}"},
            data={"username": "agent01", "password": "correct horse battery", "csrf_token": token},
        )
        assert response.status_code == 303
        session = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
        )
        assert "secure" in session.lower()


def test_security_headers_on_pages_api_and_static(sqlite_url: str) -> None:
    from app.testing import make_client, make_settings

    with make_client(make_settings(sqlite_url)) as client:
        for path in ("/login", "/api/health", "/api/customers/1", "/static/app.css"):
            response = client.get(path)
            assert response.headers["x-frame-options"] == "DENY", path
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["referrer-policy"] == "same-origin", path
            csp = response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp, path
            assert "script-src 'self'" in csp and "object-src 'none'" in csp, path
        docs = client.get("/api/docs")
        assert docs.headers["x-frame-options"] == "DENY"
        assert docs.status_code == 200
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
        assert "default-src 'self'" in docs.headers["content-security-policy"]  # offline only


# --- serve refuses what cannot work, before it binds the port -----------------------------

GOOD_SECRET = "k3J9-vQx_2mZp7Lw"  # 16 characters, 16 distinct


def _serve_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                url: str) -> tuple[int, list[str], list[object]]:
    import uvicorn

    bound: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: bound.append(app))
    monkeypatch.setenv("CONTACTOPS_DATABASE_URL", url)
    monkeypatch.setenv("CONTACTOPS_SECRET_KEY", GOOD_SECRET)
    monkeypatch.delenv("CONTACTOPS_DEMO_MODE", raising=False)
    code = cli_main(["serve", "--port", "8123"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.strip().splitlines(), bound


def test_serve_refuses_an_unmigrated_database_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    code, err, bound = _serve_line(monkeypatch, capsys, database_url)
    assert code == 2 and not bound  # the port was never bound
    assert len(err) == 1 and "contactops db upgrade" in err[0]
    assert "serving on" not in capsys.readouterr().out


def test_serve_refuses_an_unreachable_database_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err, bound = _serve_line(monkeypatch, capsys, "bogus://x")
    assert code == 2 and not bound and len(err) == 1 and "bogus://x" in err[0]


def test_serve_starts_on_a_migrated_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    from app.testing import create_schema

    create_schema(sqlite_url)
    code, err, bound = _serve_line(monkeypatch, capsys, sqlite_url)
    assert code == 0 and len(bound) == 1 and err == []
    bound[0].state.engine.dispose()  # type: ignore[attr-defined]


@pytest.mark.parametrize("secret", [" " * 16, "\t" * 20, "aaaaaaaaaaaaaaaa", "abcabcabcabcabcabc",
                                    "short-but-mixed", "contactops-insecure-default-secret"])
def test_weak_secrets_are_refused_with_a_way_to_make_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_url: str,
    secret: str,
) -> None:
    from app.settings import MAKE_SECRET_HINT, Settings

    with pytest.raises(RuntimeError, match="CONTACTOPS_SECRET_KEY") as refused:
        main.create_app(Settings(database_url=sqlite_url, secret_key=secret, demo_mode=False))
    assert MAKE_SECRET_HINT in str(refused.value) and "\n" not in str(refused.value)
    monkeypatch.setenv("CONTACTOPS_SECRET_KEY", secret)
    monkeypatch.setenv("CONTACTOPS_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("CONTACTOPS_DEMO_MODE", raising=False)
    assert cli_main(["serve", "--port", "8123"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "secrets.token_urlsafe(32)" in err[0]


def test_random_secrets_pass_and_demo_mode_needs_none(sqlite_url: str) -> None:
    import secrets

    from app.settings import Settings

    for secret in [GOOD_SECRET] + [secrets.token_urlsafe(32) for _ in range(20)]:
        Settings(database_url=sqlite_url, secret_key=secret,
                 demo_mode=False).check_production_safety()
    Settings(database_url=sqlite_url, secret_key=" " * 16, demo_mode=True).check_production_safety()
