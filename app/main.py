"""The app factory: ``create_app(settings) -> FastAPI``. Nothing is built at import time.

The factory checks the settings are safe for production, builds the database engine
(``app.state.engine``), the templates and the login rate limiter, registers the one error
handler set, mounts ``/static`` and includes every router named in :data:`ROUTER_MODULES`.
At startup (lifespan), outside demo mode, it refuses to run while any user still has a
default password.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.api.docs import install_api_docs
from app.api.errors import install_error_handlers
from app.api.health import package_version
from app.api.options import install_options
from app.auth.body_limit import BodyLimitMiddleware
from app.auth.headers import SecurityHeadersMiddleware
from app.auth.login_limits import LoginRateLimiter
from app.auth.passwords import HashSlots
from app.customer_access import CustomerReadLimiter
from app.db import make_engine
from app.deadlines import install_cpu_work
from app.i18n import make_templates
from app.queries import users_with_default_password
from app.settings import Settings
from app.wfm_history import MAX_UPLOAD_BYTES

#: the history upload's file limit plus room for the multipart envelope
UPLOAD_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024

log = logging.getLogger("contactops")

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Modules exposing ``router: APIRouter``, included in this order. Others add theirs with a
#: one-line edit. Modules in :data:`OPTIONAL_ROUTER_MODULES` are skipped while they do not exist.
ROUTER_MODULES: tuple[str, ...] = (
    "app.api.health",
    "app.api.users",
    "app.api.customers",
    "app.api.agents",
    "app.api.queues",
    "app.api.wfm",
    "app.api.rosters",
    "app.api.console",
    "app.api.console_offers",
    "app.api.console_agenda",
    "app.api.supervision",
    "app.api.events",
    "app.api.ws",
    "app.api.audit",
    "app.api.admin",
    "app.pages.login",
    "app.pages.agent",
    "app.pages.wallboard",
    "app.pages.planner",
    "app.pages.roster",
    "app.pages.qa",
    "app.pages.admin",
    "app.pages.audit",
    "app.api.adherence",
    "app.pages.adherence",
    "app.api.intraday",
    "app.pages.intraday",
    "app.api.whatif",
    "app.pages.whatif",
    "app.api.qa_evaluations",
    "app.pages.qa_evaluations",
    "app.pages.qa_coaching",
    "app.pages.qa_scorecards",
    "app.api.console_day",
    "app.api.customer_profile",
    "app.api.sip",
    "app.api.sip_proxy",
    "app.api.kb",
    "app.pages.kb",
    "app.api.standards",
    "app.pages.standards",
    "app.pages.reports",
    "app.pages.campaigns",
)
OPTIONAL_ROUTER_MODULES: frozenset[str] = frozenset()


def load_router(name: str) -> APIRouter | None:
    """Import ``name`` and return its ``router``; None only if an optional module is absent."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if name in OPTIONAL_ROUTER_MODULES and exc.name == name:
            log.info("router module %s not present; skipped", name)
            return None
        raise
    router = getattr(module, "router", None)
    if not isinstance(router, APIRouter):
        raise TypeError(f"{name}.router must be a fastapi.APIRouter, got {type(router).__name__}")
    return router


def refuse_default_passwords(app: FastAPI) -> None:
    """Outside demo mode, a user with a default password stops the server from starting."""
    settings: Settings = app.state.settings
    if settings.demo_mode:
        return
    names = users_with_default_password(app.state.engine)
    if names:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise RuntimeError(
            f"refusing to start outside demo mode: {len(names)} user(s) still have the default "
            f"password ({shown}); reset them (POST /api/users/{{id}}/password in demo mode) "
            "or run with CONTACTOPS_DEMO_MODE=true"
        )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from app.live import start_live_center, stop_live_center

    try:
        refuse_default_passwords(app)
        # bus (Redis when configured) and the engine task; telephony and robot agents only
        # when settings.live_center is on
        await start_live_center(app)
        try:
            yield
        finally:
            app.state.cpu_work.stop_all()  # no computation outlives the server (app.deadlines)
            await stop_live_center(app)  # before the database engine is disposed
    finally:
        app.state.hash_slots.close()  # the password-hashing threads (app.auth.passwords)
        app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. ``settings`` default to the environment (``CONTACTOPS_*``)."""
    settings = settings if settings is not None else Settings()
    settings.check_production_safety()
    app = FastAPI(
        title="contactops",
        version=package_version(),
        docs_url=None,  # offline Swagger UI and ReDoc: app.api.docs
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout_seconds=settings.database_pool_timeout_seconds,
    )
    app.state.templates = make_templates()
    app.state.login_limiter = LoginRateLimiter(
        settings.login_attempts_per_minute, account_failures=settings.account_lockout_failures
    )
    app.state.hash_slots = HashSlots(settings.password_hash_slots)
    app.state.customer_read_limiter = CustomerReadLimiter(settings.customer_reads_per_10_minutes)
    install_error_handlers(app)
    install_cpu_work(app)  # bounded CPU-heavy requests (app.deadlines)
    # bodies refused by size before anything reads them (login included); history uploads larger
    app.add_middleware(BodyLimitMiddleware, larger={"/api/wfm/history/upload": UPLOAD_LIMIT})
    app.add_middleware(SecurityHeadersMiddleware)  # X-Frame-Options, CSP, nosniff, Referrer
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for name in ROUTER_MODULES:
        router = load_router(name)
        if router is not None:
            app.include_router(router)
    install_api_docs(app)  # after the routers: the OpenAPI document lists their errors
    install_options(app)  # OPTIONS: 204 with Allow on known paths, CORS stays closed
    return app
