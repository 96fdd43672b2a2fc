"""``contactops serve``: run the web service with uvicorn (settings from ``CONTACTOPS_*``).

Before it binds the port it refuses, with one line and exit code 2: unsafe settings (the
default or a weak secret outside demo mode), a database it cannot reach or that is not
migrated to the latest revision ("run `contactops db upgrade` first"), and users who still
have the default password outside demo mode. It stops within a few seconds of SIGTERM
whatever is running (:data:`SHUTDOWN_GRACE_SECONDS`).
"""

from __future__ import annotations

import argparse
from typing import TypedDict

from app.cli import CliError
from app.settings import Settings

#: On SIGTERM (or Ctrl-C) requests in flight get this many seconds to finish; then they are
#: cancelled (their computations killed, :mod:`app.deadlines`), the lifespan shutdown runs,
#: and uvicorn re-raises the signal, which ends the process whatever a thread still runs.
SHUTDOWN_GRACE_SECONDS = 3


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("serve", help="run the web service (pages, API, websockets)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default %(default)s)")
    parser.set_defaults(func=run)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build the app from ``settings`` and serve it until interrupted (used by ``demo`` too)."""
    import uvicorn

    from app.dbmigrate import DatabaseNotReady, check_current
    from app.main import create_app, refuse_default_passwords

    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    settings.check_production_safety()
    try:
        check_current(settings.database_url)  # the schema the code needs, or one line
    except DatabaseNotReady as exc:
        raise CliError(str(exc)) from exc
    app = create_app(settings)
    refuse_default_passwords(app)  # fail before binding the port, with a one-line message
    print(f"contactops: serving on http://{host}:{port}/ (API docs at /api/docs)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info",
                timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS, **proxy_options(settings))


class ProxyOptions(TypedDict, total=False):
    """The keyword arguments of ``uvicorn.run`` that say which proxies are trusted."""

    proxy_headers: bool
    forwarded_allow_ips: str


def proxy_options(settings: Settings) -> ProxyOptions:
    """uvicorn's proxy options: trust ``X-Forwarded-*`` only from ``forwarded_allow_ips``.

    With a TLS-terminating proxy listed there, requests arrive as https (so cookies get
    ``Secure``) and the client IP is the forwarded one (so login rate limits are per client).
    """
    if not settings.forwarded_allow_ips:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}


def run(args: argparse.Namespace) -> int:
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: one line for the user
        raise ValueError(f"invalid CONTACTOPS_* settings: {exc}") from exc
    try:
        serve(settings, args.host, args.port)
    except RuntimeError as exc:  # refused: default secret or default passwords
        raise ValueError(str(exc)) from exc
    return 0
