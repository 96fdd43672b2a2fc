"""Settings of the service, read from the environment (``CONTACTOPS_*``).

Built by the app factory or the CLI, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.db import MAX_OVERFLOW, POOL_SIZE, POOL_TIMEOUT_SECONDS

DEFAULT_SECRET_KEY = "contactops-insecure-default-secret"
DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("var") / "contactops.db")
#: A secret outside demo mode: at least this long ...
MIN_SECRET_LENGTH = 16
#: ... and made of at least this many distinct characters. 16 random characters of
#: token_urlsafe's 64 have 14.3 distinct ones on average (fewer than 8: P = 1.3e-7); the
#: 43 of ``token_urlsafe(32)``, as :data:`MAKE_SECRET_HINT` makes, practically never.
#: "aaaa..." or a repeated short word has far fewer.
MIN_SECRET_DISTINCT_CHARACTERS = 8
MAKE_SECRET_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"


class Settings(BaseSettings):
    """Environment: ``CONTACTOPS_DATABASE_URL``, ``CONTACTOPS_REDIS_URL``, ``CONTACTOPS_SECRET_KEY``, ...

    ``CONTACTOPS_DATABASE_POOL_SIZE``, ``..._MAX_OVERFLOW`` and ``..._POOL_TIMEOUT_SECONDS``
    size the request handlers' connection pool per process (see :mod:`app.db`).
    """

    model_config = SettingsConfigDict(env_prefix="CONTACTOPS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    #: the request handlers' connection pool (the live center's event writer has its own)
    database_pool_size: int = Field(default=POOL_SIZE, ge=1, le=1000)
    database_max_overflow: int = Field(default=MAX_OVERFLOW, ge=0, le=1000)
    #: seconds a request waits for a pooled connection before it is answered 503
    database_pool_timeout_seconds: float = Field(default=POOL_TIMEOUT_SECONDS, gt=0, le=600)
    redis_url: str | None = None
    redis_channel_prefix: str = "contactops:"  # tests give each run its own
    secret_key: str = DEFAULT_SECRET_KEY
    demo_mode: bool = False
    demo_password: str = "demo"
    default_locale: str = "ko"
    session_max_age_seconds: int = Field(default=12 * 3600, gt=0)
    login_attempts_per_minute: int = Field(default=10, gt=0)
    #: failed logins for one account from any address within 15 minutes before it is locked
    account_lockout_failures: int = Field(default=20, gt=0, le=10_000)
    #: password hashes (argon2id, 64 MiB each) computed at once per server process
    password_hash_slots: int = Field(default=2, ge=1, le=64)
    #: customer records one user may read within 10 minutes (then 429 and an alert)
    customer_reads_per_10_minutes: int = Field(default=120, ge=1, le=100_000)
    #: uvicorn ``forwarded_allow_ips``: the proxies (comma-separated IPs/CIDRs, or "*") whose
    #: X-Forwarded-For/-Proto are trusted; None trusts no proxy (headers ignored)
    forwarded_allow_ips: str | None = None
    #: ``Secure`` on the session and CSRF cookies; None follows the request's scheme (https)
    cookie_secure: bool | None = None
    live_center: bool = False  # run the built-in telephony adapter and demo agents
    #: the live center rebuilds the day's campaign lists from this hour (center time, 0-23)
    #: each morning (app.campaign_lists.MorningRefresh); None: only the CLI and the page do
    #: (``contactops demo`` uses 0: the demo's lists are built as it starts)
    campaign_lists_hour: int | None = Field(default=None, ge=0, le=23)
    #: the unassigned pool of the day's lists is handed out (app.pool_claims): an agent's
    #: agenda holds at most this many pool entries claimed for them ...
    pool_batch_size: int = Field(default=10, ge=0, le=200)
    #: ... and their claims go back to the pool after this many minutes with no preview or
    #: dial of theirs (or at their logout)
    pool_claim_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    #: how the live engine picks among eligible agents; None: proficiency first in production,
    #: longest idle in the demo (so a person at a junior agent sees calls too)
    routing_selection: Literal["proficiency_then_longest_idle", "longest_idle"] | None = None
    #: bounded work (app.deadlines): a CPU-heavy request is stopped after this many seconds
    #: (503), and at most ``cpu_workers`` of them run at once per server process
    cpu_deadline_seconds: float = Field(default=30.0, gt=0, le=600)
    cpu_workers: int = Field(default=2, ge=1, le=64)
    #: schedule simulations (what-if): a Dask scheduler (``tcp://host:8786``) to run the
    #: replications on; None: the local process pool of ``simulation_workers`` (None: a core each)
    dask_address: str | None = None
    simulation_workers: int | None = Field(default=None, ge=1, le=256)
    #: the wallboard's day starts at this hour of the center's clock (Asia/Seoul) ...
    wallboard_day_start_hour: int = Field(default=0, ge=0, le=23)
    #: ... or, when set, its figures cover the last this many minutes (a sliding window)
    wallboard_window_minutes: float | None = Field(default=None, ge=1, le=1440)
    #: the service-level definition the wallboard shows (qa.kpis.service_level)
    wallboard_service_level_definition: Literal[
        "answered_of_offered", "answered_of_answered", "excluding_abandoned_within_threshold",
        "abandoned_within_threshold_as_met", "excluding_short_abandons"] = "answered_of_offered"
    #: wallboard colours (dashboards.thresholds.GoalThresholds): service level warns below
    #: each goal's target and alerts below target minus this margin
    wallboard_sl_alert_margin: float | None = Field(default=None, ge=0, le=1)
    wallboard_abandon_warn: float | None = Field(default=None, ge=0, le=1)
    wallboard_abandon_alert: float | None = Field(default=None, ge=0, le=1)
    #: ASA and longest-wait limits in seconds; unset: 1x/2x (ASA) and 1x/3x (longest wait)
    #: the goal's threshold
    wallboard_asa_warn_seconds: float | None = Field(default=None, ge=0, le=3600)
    wallboard_asa_alert_seconds: float | None = Field(default=None, ge=0, le=3600)
    wallboard_longest_wait_warn_seconds: float | None = Field(default=None, ge=0, le=36_000)
    wallboard_longest_wait_alert_seconds: float | None = Field(default=None, ge=0, le=36_000)
    #: telephony: "builtin" (the simulated adapter of app.live.telephony, the demo's) or
    #: "sip" (real calls through a Kamailio proxy, app.sip; see README "Real telephony (SIP)")
    telephony: Literal["builtin", "sip"] = "builtin"
    #: the SIP domain (realm of the agents' digest accounts, host part of their AORs)
    sip_domain: str = Field(default="contactops.local", min_length=1, max_length=100)
    #: the address Kamailio listens on (UDP and TCP on ``sip_port``, WebSocket on ``sip_ws_port``)
    sip_listen_address: str = Field(default="127.0.0.1", min_length=1, max_length=100)
    sip_port: int = Field(default=5060, ge=1, le=65535)
    sip_ws_port: int = Field(default=8088, ge=1, le=65535)
    #: the WebSocket URI browsers register on; None: ``ws://<listen address>:<ws port>/``
    sip_ws_uri: str | None = None
    #: the suite's base URL Kamailio calls for routing decisions
    sip_suite_url: str = Field(default="http://127.0.0.1:8000", min_length=1, max_length=200)
    #: shared secret Kamailio sends (header ``X-Contactops-Sip-Secret``) on its calls to the
    #: suite; None: SIP endpoints refuse every call
    sip_shared_secret: str | None = None
    #: Kamailio's JSON-RPC over HTTP (``contactops telephony check``)
    sip_jsonrpc_url: str | None = None

    def check_production_safety(self) -> None:
        """Refuse to run outside demo mode with the default secret or a weak one."""
        if self.demo_mode:
            return
        problem = secret_problem(self.secret_key)
        if problem is not None:
            raise RuntimeError(
                f"CONTACTOPS_SECRET_KEY {problem} outside demo mode; make one with: "
                f"{MAKE_SECRET_HINT}"
            )


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` cannot sign sessions (None when it can): the default, blank, shorter
    than :data:`MIN_SECRET_LENGTH` or with fewer than :data:`MIN_SECRET_DISTINCT_CHARACTERS`
    distinct characters."""
    if secret == DEFAULT_SECRET_KEY:
        return "must be set (it is the built-in default)"
    if not secret.strip():
        return "must not be blank"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"must be at least {MIN_SECRET_LENGTH} characters (got {len(secret)})"
    distinct = len(set(secret))
    if distinct < MIN_SECRET_DISTINCT_CHARACTERS:
        return (f"is too easy to guess: it needs at least {MIN_SECRET_DISTINCT_CHARACTERS} "
                f"different characters (got {distinct})")
    return None
