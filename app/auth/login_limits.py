"""Login rate limits, decided *before* any password is hashed.

Every login attempt (and every wrong current password on ``POST /api/me/password``) takes a
place in three sliding windows at once, atomically, before the hash:

* per (username, client IP): ``attempts_per_minute`` in 60 s;
* per client IP, all usernames: :data:`PER_IP_FACTOR` x that in 60 s (password spraying
  from one address);
* per account, all addresses: ``account_failures`` in :data:`ACCOUNT_WINDOW_SECONDS`
  (attackers spread over many addresses). When this one fills for an existing user the
  account is locked out (:mod:`app.auth.lockout`) and supervisors and admins are alerted.

A place is taken by :meth:`LoginRateLimiter.reserve` and counts as a failure at once, so 30
concurrent wrong passwords for one user cannot all reach the hash: only as many as the
window has room for do, the others get 429 with ``Retry-After``. A correct password gives
its places back (:meth:`succeeded`); a request that never hashed (server busy) too
(:meth:`cancel`).

Trade-off: the per-account window lets anyone lock an account by failing on purpose; the
lock lasts :data:`app.auth.lockout.LOCKOUT_SECONDS` at most (an admin unlocks earlier) and
is announced to supervisors and admins, which is what a bank's rules ask for.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from fastapi.requests import HTTPConnection

from app.api.errors import TooManyRequests

RATE_WINDOW_SECONDS = 60.0
PER_IP_FACTOR = 5  # failures per IP (all usernames) = PER_IP_FACTOR x per (username, IP)
#: the per-account window (any address): long enough that a slow distributed guesser is seen
ACCOUNT_WINDOW_SECONDS = 15 * 60.0
DEFAULT_ACCOUNT_FAILURES = 20
MAX_TRACKED_KEYS = 10_000


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    window_seconds: float


_PAIR = _Kind("pair", RATE_WINDOW_SECONDS)
_IP = _Kind("ip", RATE_WINDOW_SECONDS)
_ACCOUNT = _Kind("account", ACCOUNT_WINDOW_SECONDS)


@dataclass(frozen=True, slots=True)
class Reservation:
    """The places one attempt took, to be kept (failure) or given back (success)."""

    keys: tuple[tuple[_Kind, Hashable], ...]
    at: float
    #: failures in the account window including this one (for the lock-out decision)
    account_failures: int


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def normalize_username(username: str) -> str:
    return username.strip().lower()


class LoginRateLimiter:
    """Sliding windows of login attempts, in memory (one per app instance).

    ``clock`` returns seconds (monotonic); tests pass a fake one.
    """

    def __init__(
        self,
        attempts_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        per_ip_attempts_per_minute: int | None = None,
        account_failures: int = DEFAULT_ACCOUNT_FAILURES,
    ):
        if attempts_per_minute <= 0:
            raise ValueError(f"attempts_per_minute must be > 0, got {attempts_per_minute!r}")
        per_ip = per_ip_attempts_per_minute or PER_IP_FACTOR * attempts_per_minute
        if per_ip <= 0:
            raise ValueError(f"per_ip_attempts_per_minute must be > 0, got {per_ip!r}")
        if account_failures <= 0:
            raise ValueError(f"account_failures must be > 0, got {account_failures!r}")
        self.limit = attempts_per_minute
        self.per_ip_limit = per_ip
        self.account_limit = account_failures
        self.clock = clock
        self._windows: dict[tuple[_Kind, Hashable], deque[float]] = {}
        self._lock = threading.Lock()  # sync handlers run in a thread pool

    def _limit_of(self, kind: _Kind) -> int:
        return {"pair": self.limit, "ip": self.per_ip_limit}.get(kind.name, self.account_limit)

    def _window(self, key: tuple[_Kind, Hashable], now: float) -> deque[float]:
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - key[0].window_seconds:
            window.popleft()
        return window

    @staticmethod
    def _keys(username: str, ip: str) -> tuple[tuple[_Kind, Hashable], ...]:
        name = normalize_username(username)
        return ((_PAIR, (name, ip)), (_IP, ip), (_ACCOUNT, name))

    def _wait(self, key: tuple[_Kind, Hashable], now: float) -> int | None:
        window = self._window(key, now)
        if len(window) < self._limit_of(key[0]):
            return None
        return max(1, int(window[0] + key[0].window_seconds - now + 0.999))

    def reserve(self, username: str, ip: str) -> Reservation:
        """Take a place in every window, or raise :class:`TooManyRequests` (``Retry-After``)
        when one is full. Called before the password is hashed."""
        keys = self._keys(username, ip)
        with self._lock:
            now = self.clock()
            waits = [w for w in (self._wait(k, now) for k in keys) if w is not None]
            if waits:
                wait = max(waits)
                raise TooManyRequests(
                    f"too many failed attempts; try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            for key in keys:
                self._windows[key].append(now)
            account = len(self._windows[keys[2]])
            self._forget_stale(now)
        return Reservation(keys, now, account)

    def _give_back(self, reservation: Reservation, kinds: tuple[_Kind, ...]) -> None:
        with self._lock:
            for key in reservation.keys:
                if key[0] in kinds:
                    window = self._windows.get(key)
                    if window is not None and reservation.at in window:
                        window.remove(reservation.at)

    def succeeded(self, reservation: Reservation) -> None:
        """A correct password: its places go back and the (username, IP) window is cleared;
        the per-IP window keeps this attempt (a success does not excuse spraying)."""
        self._give_back(reservation, (_ACCOUNT,))
        with self._lock:
            self._windows.pop(reservation.keys[0], None)

    def cancel(self, reservation: Reservation) -> None:
        """The attempt never reached the hash (server busy): it does not count."""
        self._give_back(reservation, (_PAIR, _IP, _ACCOUNT))

    def reset_account(self, username: str) -> None:
        """An admin unlocked the account: its per-account window starts empty."""
        with self._lock:
            self._windows.pop((_ACCOUNT, normalize_username(username)), None)

    def retry_after(self, username: str, ip: str) -> int | None:
        """Seconds before an attempt would be allowed, or None (read-only)."""
        with self._lock:
            now = self.clock()
            waits = [w for w in (self._wait(k, now) for k in self._keys(username, ip)) if w]
        return max(waits) if waits else None

    def _forget_stale(self, now: float) -> None:
        if len(self._windows) <= MAX_TRACKED_KEYS:  # bound memory: forget expired windows
            return
        for stale in [k for k in self._windows if not self._window(k, now)]:
            del self._windows[stale]
