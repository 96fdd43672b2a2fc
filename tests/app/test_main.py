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
    assert app.docs_url == "/api/docs"
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
