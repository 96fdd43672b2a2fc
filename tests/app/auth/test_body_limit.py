"""Bodies refused by size before anything reads them: 413 before authentication."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from app.auth import authenticate
from app.auth.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimitMiddleware
from app.main import UPLOAD_LIMIT
from app.testing import make_settings
from tests.app.auth.test_authenticate import built

BIG = b"x" * (DEFAULT_MAX_BODY_BYTES + 1)


async def _post(app: object, path: str, content: bytes | AsyncIterator[bytes]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return await client.post(path, content=content, headers=headers)


def test_large_bodies_get_413_before_login_and_auth(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[object] = []
    monkeypatch.setattr(authenticate, "_verify", lambda *a: hashed.append(a) or False)
    body = b"username=agent01&password=" + BIG
    with built(make_settings(sqlite_url)) as app:
        for path in ("/login", "/api/me/password", "/api/customers/1/contacts"):
            response = asyncio.run(_post(app, path, body))
            assert response.status_code == 413, path
            assert response.headers["content-type"] == "application/problem+json"
        small = asyncio.run(_post(app, "/api/me/password", b"{}"))
        assert small.status_code == 401  # under the limit: the normal answer
    assert hashed == []


def test_streamed_body_without_length_is_cut_off(sqlite_url: str) -> None:
    sent = [0]

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 100 x 64 KiB = 6.4 MiB offered
            sent[0] += 1
            yield b"y" * 65536

    with built(make_settings(sqlite_url)) as app:
        response = asyncio.run(_post(app, "/login", chunks()))
    assert response.status_code == 413
    assert sent[0] <= DEFAULT_MAX_BODY_BYTES // 65536 + 2  # reading stopped at the limit


def test_limits_per_route() -> None:
    middleware = BodyLimitMiddleware(
        app=lambda *a: None,  # type: ignore[arg-type]
        larger={"/api/wfm/history/upload": UPLOAD_LIMIT},
    )
    assert middleware.limit_for("/login") == DEFAULT_MAX_BODY_BYTES
    assert middleware.limit_for("/api/wfm/history/upload") == UPLOAD_LIMIT > 20 * 1024 * 1024
    with pytest.raises(ValueError, match="max_bytes"):
        BodyLimitMiddleware(app=lambda *a: None, max_bytes=0)  # type: ignore[arg-type]
