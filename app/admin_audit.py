"""The admin audit log (table ``admin_audit``): every change made through administration,
with who and when. :func:`record_change` adds the row to the caller's session, so it is
committed together with the change it describes (or not at all)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import AdminAudit, User


def record_change(
    session: Session, actor: User, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Add an audit row for ``actor``'s change (does not commit). Never put passwords in
    ``detail``."""
    session.add(
        AdminAudit(
            at=datetime.now(UTC),
            actor=actor.username,
            action=action,
            target=target[:80],
            detail=detail or {},
        )
    )


def recent_changes(session: Session, limit: int = 50) -> list[AdminAudit]:
    return list(
        session.exec(
            select(AdminAudit).order_by(col(AdminAudit.at).desc(), col(AdminAudit.id).desc())
            .limit(limit)
        ).all()
    )
