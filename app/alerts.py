"""Security alerts for supervisors and admins (table ``security_alert``): an account locked
after failures from any address, a user reading customers faster than allowed.

Shown on the admin page (newest first) until someone acknowledges them; the same alert
(kind, subject) is not raised twice while one is open.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app.models import SecurityAlert

#: alerts listed at most on a page
MAX_ALERTS_SHOWN = 200


def raise_alert(session: Session, kind: str, subject: str, detail: str, now: datetime) -> bool:
    """Add an open alert unless one of the same ``kind`` and ``subject`` is open; commits.
    Returns whether a new alert was added."""
    open_one = session.exec(
        select(SecurityAlert.id).where(
            SecurityAlert.kind == kind,
            SecurityAlert.subject == subject,
            col(SecurityAlert.acknowledged_at).is_(None),
        )
    ).first()
    if open_one is not None:
        return False
    session.add(SecurityAlert(at=now, kind=kind, subject=subject, detail=detail[:400]))
    session.commit()
    return True


def open_alerts(session: Session, limit: int = MAX_ALERTS_SHOWN) -> list[SecurityAlert]:
    return list(
        session.exec(
            select(SecurityAlert)
            .where(col(SecurityAlert.acknowledged_at).is_(None))
            .order_by(col(SecurityAlert.at).desc(), col(SecurityAlert.id).desc())
            .limit(limit)
        ).all()
    )


def acknowledge(session: Session, alert_id: int, by: str, now: datetime) -> SecurityAlert | None:
    """Mark an alert seen (does not commit); None when there is no such alert."""
    alert = session.get(SecurityAlert, alert_id)
    if alert is None:
        return None
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = by
        session.add(alert)
    return alert
