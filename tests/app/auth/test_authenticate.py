"""The login check in its order: limits before the hash, per account across addresses with a
lock-out and an alert, a bounded number of hashes at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.auth import authenticate
from app.auth.cookies import CSRF_COOKIE
from app.auth.lockout import active_lock
from app.models import AccountLock, SecurityAlert
from app.settings import Settings
from app.testing import TEST_PASSWORD, create_user, make_app, make_settings


@contextmanager
def built(settings: Settings) -> Iterator[FastAPI]:
    """The app without its lifespan (no live center); its engine disposed afterwards."""
    app = make_app(settings)
    try:
        yield app
    finally:
        app.state.engine.dispose()


async def _login(app: FastAPI, username: str, password: str, ip: str = "10.0.0.1") -> int:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/login")
        token = client.cookies.get(CSRF_COOKIE) or ""
        response = await client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        return response.status_code


@pytest.fixture
def counted_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password verification the login path starts (known and unknown users)."""
    calls: list[str] = []
    real = authenticate._verify
    lock = threading.Lock()

    def counting(user: object, password: str) -> bool:
        with lock:
            calls.append(password)
        return real(user, password)  # type: ignore[arg-type]

    monkeypatch.setattr(authenticate, "_verify", counting)
    return calls


def test_concurrent_wrong_passwords_are_counted_before_the_hash(
    database_url: str, counted_hashes: list[str]
) -> None:
    with built(make_settings(database_url, login_attempts_per_minute=3)) as app:
        create_user(app, "agent01", "agent")

        async def burst() -> list[int]:
            return await asyncio.gather(*(_login(app, "agent01", f"wrong{i}") for i in range(30)))

        statuses = asyncio.run(burst())
        assert sorted(statuses) == [401] * 3 + [429] * 27
        assert len(counted_hashes) == 3  # only the window's places reached argon2


def test_per_account_limit_holds_across_addresses_and_locks_out(
    database_url: str, counted_hashes: list[str]
) -> None:
    settings = make_settings(database_url, login_attempts_per_minute=5, account_lockout_failures=6)
    with built(settings) as app:
        user = create_user(app, "agent01", "agent")

        async def spread() -> list[int]:  # one wrong guess from each of 6 addresses
            return [await _login(app, "agent01", "guess", f"10.0.1.{i}") for i in range(6)]

        assert asyncio.run(spread()) == [401] * 6
        with Session(app.state.engine) as session:
            assert user.id is not None
            assert active_lock(session, user.id, datetime.now(UTC)) is not None
            alert = session.exec(select(SecurityAlert)).one()
            assert (alert.kind, alert.subject) == ("account_locked", "agent01")
        hashed = len(counted_hashes)
        # a 7th address, even with the right password: refused before the hash
        assert asyncio.run(_login(app, "agent01", TEST_PASSWORD, "10.0.2.1")) == 429
        assert len(counted_hashes) == hashed


def test_lock_holds_after_the_memory_window_is_gone(database_url: str) -> None:
    """The lock is in the database: another server process (a fresh limiter) refuses too."""
    settings = make_settings(database_url, account_lockout_failures=2)
    with built(settings) as app:
        create_user(app, "agent01", "agent")
        for ip in ("10.0.0.1", "10.0.0.2"):
            assert asyncio.run(_login(app, "agent01", "guess", ip)) == 401
    with built(settings) as other:  # same database, empty limiter (another process)
        assert asyncio.run(_login(other, "agent01", TEST_PASSWORD, "10.0.0.3")) == 429
        with Session(other.state.engine) as session:
            assert len(session.exec(select(AccountLock)).all()) == 1


def test_unknown_usernames_are_limited_per_account_without_a_lock(database_url: str) -> None:
    with built(make_settings(database_url, account_lockout_failures=3)) as app:

        async def spread() -> list[int]:
            return [await _login(app, "nobody", "guess", f"10.0.3.{i}") for i in range(5)]

        assert asyncio.run(spread()) == [401, 401, 401, 429, 429]
        with Session(app.state.engine) as session:
            assert session.exec(select(AccountLock)).all() == []


def test_hashes_at_once_are_bounded_and_waiters_get_429(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(database_url, password_hash_slots=2, login_attempts_per_minute=50)
    with built(settings) as app:
        app.state.hash_slots.wait_seconds = 0.2
        create_user(app, "agent01", "agent")
        release = threading.Event()
        running: list[int] = []
        peak = [0]
        lock = threading.Lock()

        def slow(user: object, password: str) -> bool:
            with lock:
                running.append(1)
                peak[0] = max(peak[0], len(running))
            release.wait(5)
            with lock:
                running.pop()
            return False

        monkeypatch.setattr(authenticate, "_verify", slow)

        async def burst() -> list[int]:
            tasks = [asyncio.create_task(_login(app, "agent01", "x", f"10.0.4.{i}"))
                     for i in range(6)]
            try:  # two hold the slots until released: the first four to finish gave up
                finished: set[asyncio.Task[int]] = set()
                while len(finished) < 4:
                    done, _ = await asyncio.wait(set(tasks) - finished, timeout=30,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    assert done, "no login finished within 30 s"
                    finished |= done
                assert sorted(t.result() for t in finished) == [429] * 4
            finally:
                release.set()
            return await asyncio.gather(*tasks)

        statuses = asyncio.run(burst())
        assert peak[0] == 2
        assert sorted(statuses) == [401, 401, 429, 429, 429, 429]
        assert app.state.hash_slots.peak == 2
