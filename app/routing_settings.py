"""The live routing policy as an admin sets it (table ``routing_settings``, issue 7).

The admin edits the :class:`routing.policy.RoutingPolicy` settings that
:func:`app.live.routing_config.live_routing_policy` builds: the agent-selection rule, the
ring timeout, tier ageing and the preferred-agent wait. Each change is one audit row
(``routing.policy``) in the same transaction. The live center reads the stored settings
when it starts; the running engine keeps its policy, so a change applies at the next start.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

from sqlalchemy import Engine
from sqlmodel import Session

from app.admin_audit import record_change
from app.models import RoutingSettings, User
from routing.policy import RoutingPolicy, SelectionRule

#: Upper bounds of the settings, in seconds (documented maxima; the API answers 422 above).
MAX_RING_TIMEOUT_SECONDS = 300.0
MAX_AGEING_SECONDS_PER_LEVEL = 3600.0
MAX_PREFERRED_AGENT_WAIT_SECONDS = 600.0
SELECTIONS: tuple[str, ...] = get_args(SelectionRule)
FIELDS = ("selection", "ring_timeout_seconds", "ageing_seconds_per_level",
          "preferred_agent_wait_seconds")


def stored_settings(session: Session) -> RoutingSettings | None:
    return session.get(RoutingSettings, 1)


def save_settings(session: Session, actor: User, values: dict[str, Any]) -> RoutingSettings:
    """Store ``values`` (already validated by the API model) and audit the change."""
    row = stored_settings(session)
    before = None if row is None else {f: getattr(row, f) for f in FIELDS}
    if row is None:
        row = RoutingSettings(id=1, updated_at=datetime.now(UTC), updated_by=actor.username,
                              **values)
    else:
        for name in FIELDS:
            setattr(row, name, values[name])
        row.updated_at = datetime.now(UTC)
        row.updated_by = actor.username
    session.add(row)
    record_change(session, actor, "routing.policy", "live center",
                  {"before": before, "after": {f: values[f] for f in FIELDS}})
    session.commit()
    session.refresh(row)
    return row


def policy_from(row: RoutingSettings) -> RoutingPolicy:
    """The engine policy of a stored row (other fields keep the engine's defaults)."""
    if row.selection not in SELECTIONS:  # a row written outside the API
        raise ValueError(f"selection must be one of {', '.join(SELECTIONS)}")
    return RoutingPolicy(
        selection=row.selection,  # type: ignore[arg-type]
        ring_timeout_seconds=row.ring_timeout_seconds,
        ageing_seconds_per_level=row.ageing_seconds_per_level,
        preferred_agent_wait_seconds=row.preferred_agent_wait_seconds,
    )


def stored_policy(db: Engine) -> RoutingPolicy | None:
    """The policy stored in ``db``, or None when no admin has set one."""
    with Session(db) as session:
        row = stored_settings(session)
        return None if row is None else policy_from(row)


def current_values(session: Session, settings: Any = None) -> dict[str, Any]:
    """The settings an admin sees: the stored ones, else the built-in policy's."""
    row = stored_settings(session)
    if row is not None:
        return {f: getattr(row, f) for f in FIELDS}
    from app.live.routing_config import live_routing_policy

    policy = live_routing_policy(settings)
    return {f: getattr(policy, f) for f in FIELDS}
