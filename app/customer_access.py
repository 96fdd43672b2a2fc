"""Customer data on a need-to-know basis: the facts :func:`app.customer_policy.decide` needs,
the append-only access log, and per-user read limits.

* :func:`relationship_of` finds what ties a user to a customer: the agent's current contact
  (the live engine's view of the agent: its contact, or the last one while it is remembered),
  a recent contact (an interaction the agent's agent handled within
  :data:`RECENT_CONTACT_HOURS`), the managed book (``Customer.relationship_manager_id``).
* :func:`log_access` appends one row per customer to ``customer_access_log`` (who, when,
  which customer, which fields, why, from where), denied attempts included. Nothing in the
  service updates or deletes these rows; no route does.
* :class:`CustomerReadLimiter` counts customer records read per user over a sliding window;
  past the limit reads get 429 and supervisors and admins get an alert.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.from_thread
from fastapi.requests import HTTPConnection
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.alerts import raise_alert
from app.api.errors import TooManyRequests
from app.customer_policy import Relationship
from app.models import Agent, Customer, CustomerAccess, Interaction, User
from routing.errors import UnknownId

#: an interaction the agent handled this recently still lets the agent open the customer
RECENT_CONTACT_HOURS = 24
#: customer records one user may read per window (a busy agent opens ~1 a minute)
DEFAULT_READS_PER_WINDOW = 120
READ_WINDOW_SECONDS = 600.0
#: rows one search or export of the access log returns at most
MAX_LOG_ROWS = 10_000
EXPORT_COLUMNS = (
    "id", "at", "username", "role", "customer_id", "action", "fields", "reason", "reason_text",
    "ip", "allowed",
)


def agent_login(session: Session, user: User) -> str | None:
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    return agent.login if agent is not None else None


def current_customer_ids(conn: HTTPConnection, login: str | None) -> set[int]:
    """Customers on the agent's current (or last remembered) contact in the live engine.

    Call from a worker thread: the engine is read in the event loop's thread.
    """
    if login is None:
        return set()
    from app.live import get_services

    def read() -> set[int]:
        engine = get_services(conn).center.engine
        try:
            view = engine.agent_view(login)
        except UnknownId:
            return set()
        ids: set[int] = set()
        for cid in (view.contact_id, view.last_contact_id):
            if cid is None:
                continue
            try:
                customer = engine.contact_view(cid).customer_id
            except UnknownId:
                continue
            if customer is not None and customer.isdigit():
                ids.add(int(customer))
        return ids

    return anyio.from_thread.run_sync(read)


def relationship_of(
    session: Session, user: User, customer_id: int, now: datetime, current: set[int]
) -> Relationship:
    if user.agent_id is None:
        return Relationship()
    recent = session.exec(
        select(Interaction.id).where(
            Interaction.agent_id == user.agent_id,
            Interaction.customer_id == customer_id,
            col(Interaction.arrived_at) >= now - timedelta(hours=RECENT_CONTACT_HOURS),
        )
    ).first()
    manager = session.exec(
        select(Customer.relationship_manager_id).where(Customer.id == customer_id)
    ).first()
    return Relationship(
        current_contact=customer_id in current,
        recent_contact=recent is not None,
        managed_book=manager is not None and manager == user.agent_id,
    )


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """What one request did with customer data (one log row per customer)."""

    action: str
    fields: Sequence[str]
    basis: str
    reason_text: str = ""
    allowed: bool = True


def log_access(
    session: Session,
    user: User,
    ip: str,
    customer_ids: Iterable[int | None],
    entry: AccessEntry,
    now: datetime,
) -> None:
    """Append the rows and commit (the log is written even when the read is refused)."""
    fields = ",".join(entry.fields)[:400]
    for customer_id in customer_ids:
        session.add(
            CustomerAccess(
                at=now,
                user_id=user.id,
                username=user.username,
                role=user.role,
                customer_id=customer_id,
                action=entry.action,
                fields=fields,
                reason=entry.basis[:40],
                reason_text=entry.reason_text[:200],
                ip=ip[:64],
                allowed=entry.allowed,
            )
        )
    session.commit()


class CustomerReadLimiter:
    """Customer records read per user over a sliding :data:`READ_WINDOW_SECONDS` window."""

    def __init__(
        self, reads_per_window: int = DEFAULT_READS_PER_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if reads_per_window < 1:
            raise ValueError(f"reads_per_window must be >= 1, got {reads_per_window!r}")
        self.limit = reads_per_window
        self.clock = clock
        self._reads: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, user_id: int, count: int) -> int | None:
        """Count ``count`` reads for the user; the seconds to wait when over the limit
        (nothing counted then), else None."""
        with self._lock:
            now = self.clock()
            window = self._reads.setdefault(user_id, deque())
            while window and window[0] <= now - READ_WINDOW_SECONDS:
                window.popleft()
            if len(window) + count > self.limit:
                oldest = window[0] if window else now
                return max(1, int(oldest + READ_WINDOW_SECONDS - now + 0.999))
            window.extend([now] * count)
            return None


def check_read_rate(
    conn: HTTPConnection, session: Session, user: User, count: int, now: datetime
) -> None:
    """429 (and an alert for supervisors and admins) when ``user`` reads past the limit."""
    limiter: CustomerReadLimiter = conn.app.state.customer_read_limiter
    assert user.id is not None
    wait = limiter.take(user.id, count)
    if wait is None:
        return
    raise_alert(
        session,
        "customer_read_rate",
        user.username,
        f"more than {limiter.limit} customer records within {int(READ_WINDOW_SECONDS) // 60} "
        "minutes; further reads refused for now",
        now,
    )
    raise TooManyRequests(
        f"too many customer records read; try again in {wait} s (supervisors are alerted)",
        headers={"Retry-After": str(wait)},
    )


# --- the auditor's view ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogQuery:
    username: str | None = None
    customer_id: int | None = None
    action: str | None = None
    allowed: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


def search_log(
    session: Session, query: LogQuery, limit: int, offset: int
) -> tuple[list[CustomerAccess], int]:
    stmt = select(CustomerAccess)
    count = select(func.count()).select_from(CustomerAccess)
    conditions = []
    if query.username:
        conditions.append(col(CustomerAccess.username) == query.username.lower())
    if query.customer_id is not None:
        conditions.append(col(CustomerAccess.customer_id) == query.customer_id)
    if query.action:
        conditions.append(col(CustomerAccess.action) == query.action)
    if query.allowed is not None:
        conditions.append(col(CustomerAccess.allowed) == query.allowed)
    if query.since is not None:
        conditions.append(col(CustomerAccess.at) >= query.since)
    if query.until is not None:
        conditions.append(col(CustomerAccess.at) < query.until)
    for condition in conditions:
        stmt = stmt.where(condition)
        count = count.where(condition)
    rows = session.exec(
        stmt.order_by(col(CustomerAccess.at).desc(), col(CustomerAccess.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(session.exec(count).one())


def log_csv(rows: Iterable[CustomerAccess]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        values = [getattr(row, name) for name in EXPORT_COLUMNS]
        writer.writerow(
            _csv_safe(v.isoformat() if isinstance(v, datetime) else v) for v in values
        )
    return out.getvalue()


def _csv_safe(value: object) -> object:
    """Cells a spreadsheet would run as a formula are quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
