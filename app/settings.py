"""Settings of the service, read from the environment (``CONTACTOPS_*``).

Built by the app factory or the CLI, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "contactops-insecure-default-secret"
DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("var") / "contactops.db")


class Settings(BaseSettings):
    """Environment: ``CONTACTOPS_DATABASE_URL``, ``CONTACTOPS_REDIS_URL``, ``CONTACTOPS_SECRET_KEY``, ..."""

    model_config = SettingsConfigDict(env_prefix="CONTACTOPS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_channel_prefix: str = "contactops:"  # tests give each run its own
    secret_key: str = DEFAULT_SECRET_KEY
    demo_mode: bool = False
    demo_password: str = "demo"
    default_locale: str = "ko"
    session_max_age_seconds: int = Field(default=12 * 3600, gt=0)
    login_attempts_per_minute: int = Field(default=10, gt=0)
    #: uvicorn ``forwarded_allow_ips``: the proxies (comma-separated IPs/CIDRs, or "*") whose
    #: X-Forwarded-For/-Proto are trusted; None trusts no proxy (headers ignored)
    forwarded_allow_ips: str | None = None
    #: ``Secure`` on the session and CSRF cookies; None follows the request's scheme (https)
    cookie_secure: bool | None = None
    live_center: bool = False  # run the built-in telephony adapter and demo agents
    #: how the live engine picks among eligible agents; None: proficiency first in production,
    #: longest idle in the demo (so a person at a junior agent sees calls too)
    routing_selection: Literal["proficiency_then_longest_idle", "longest_idle"] | None = None

    def check_production_safety(self) -> None:
        """Refuse to run outside demo mode with the default secret."""
        if self.demo_mode:
            return
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 16:
            raise RuntimeError(
                "CONTACTOPS_SECRET_KEY must be set to a random value of at least 16 characters "
                "outside demo mode"
            )
