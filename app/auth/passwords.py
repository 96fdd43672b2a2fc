"""Passwords: argon2id hashes, and a bounded number of hashes at once.

An argon2id verification takes ~64 MiB and most of a core for ~50 ms (RFC 9106 low-memory
profile: t=3, m=64 MiB, p=4). Forty logins at once would take 2.5 GiB, so every hash the
server computes for a request goes through :class:`HashSlots`: at most ``slots`` at once,
the others wait up to ``wait_seconds`` in the event loop (holding no thread and no database
connection) and then get 429 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.api.errors import TooManyRequests
from app.models import User

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_dummy_hash: str | None = None

#: hashes at once per server process: 2 x 64 MiB, one per core of a small server
DEFAULT_HASH_SLOTS = 2
#: how long a login waits for a free slot before it is answered 429
DEFAULT_HASH_WAIT_SECONDS = 2.0
#: hashing threads run at this niceness (Linux: per thread, inherited by argon2's lane
#: threads), so a burst of logins takes the CPU the request handlers leave over
HASH_NICENESS = 10

T = TypeVar("T")


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    """An argon2id hash (parameters travel inside the hash, so verification needs none)."""
    return (hasher or _HASHER).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verify(password: str) -> None:
    """Spend the time of one verification, so unknown usernames cost as much as known ones."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _HASHER.hash(secrets.token_hex(8))
    verify_password(_dummy_hash, password)


def password_stamp(user: User) -> str:
    """A short digest of the password hash, kept in the session cookie as a second check."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)
    except (OSError, AttributeError):  # not Linux, or not allowed: run at normal priority
        pass


class ServerBusy(TooManyRequests):
    """No hash slot freed in time (429, ``Retry-After: 1``)."""


class HashSlots:
    """At most ``slots`` password hashes at once; a caller waits ``wait_seconds`` at most.

    ``await slots.run(fn, *args)`` runs ``fn`` on one of ``slots`` hashing threads of its own
    (lower priority: :data:`HASH_NICENESS`) once a slot is free, or raises
    :class:`ServerBusy` (429, ``Retry-After: 1``) when none frees in time. The semaphore is
    created lazily in the running event loop.
    """

    def __init__(
        self, slots: int = DEFAULT_HASH_SLOTS, wait_seconds: float = DEFAULT_HASH_WAIT_SECONDS
    ) -> None:
        if slots < 1:
            raise ValueError(f"slots must be >= 1, got {slots!r}")
        if not wait_seconds > 0:
            raise ValueError(f"wait_seconds must be > 0, got {wait_seconds!r}")
        self.slots = slots
        self.wait_seconds = wait_seconds
        self.busy = 0  # hashes running now (for tests and the benchmark)
        self.peak = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:  # one per event loop (tests)
            self._semaphore, self._loop = asyncio.Semaphore(self.slots), loop
        semaphore = self._semaphore
        try:
            await asyncio.wait_for(semaphore.acquire(), self.wait_seconds)
        except TimeoutError:
            raise ServerBusy(
                "the server is busy checking other logins; try again in 1 s",
                headers={"Retry-After": "1"},
            ) from None
        self.busy += 1
        self.peak = max(self.peak, self.busy)
        try:
            yield
        finally:
            self.busy -= 1
            semaphore.release()

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        async with self.slot():
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    self.slots, thread_name_prefix="password-hash", initializer=_lower_priority
                )
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def close(self) -> None:
        """Stop the hashing threads (the app's shutdown)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
