"""Campaigns in the database: save (create or edit, admin-audited), read, and the day's list
counts a campaign manager reads (by campaign and reason, by agent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.admin_audit import record_change
from app.models import Agent, Campaign, CampaignListEntry, User
from telesales.campaigns import CampaignError, CampaignSpec, campaign_from_dict


def campaign_data(row: Campaign) -> dict[str, Any]:
    """The JSON object of a stored campaign (what :func:`campaign_from_dict` reads)."""
    return {"name": row.name, "type": row.type, "country": row.country, "rules": row.rules,
            "priority": row.priority, "dial_mode": row.dial_mode, "active": row.active}


def save_campaign(session: Session, actor: User | None, data: object, now: datetime,
                  campaign_id: int | None = None) -> Campaign:
    """Validate ``data`` (:func:`campaign_from_dict`) and create the campaign, or replace
    campaign ``campaign_id``; the change is admin-audited when ``actor`` is given (the seed
    has none) and committed. Raises :class:`CampaignError` naming the field, LookupError for
    an unknown id."""
    spec = campaign_from_dict(data)
    row = Campaign(created_at=now, updated_at=now, name="", type="") if campaign_id is None \
        else session.get(Campaign, campaign_id)
    if row is None:
        raise LookupError(f"no campaign {campaign_id}")
    clash = session.exec(select(Campaign.id).where(Campaign.name == spec.name)).first()
    if clash is not None and clash != row.id:
        raise CampaignError("name", f"a campaign named {spec.name!r} exists already")
    who = actor.username if actor is not None else "seed"
    _apply(row, spec, who, now)
    if campaign_id is None:
        row.created_by = who
    session.add(row)
    if actor is not None:
        session.flush()
        record_change(session, actor, "campaign_created" if campaign_id is None
                      else "campaign_updated", f"campaign {row.id} {row.name}",
                      campaign_data(row))
    session.commit()
    session.refresh(row)
    return row


def set_dialing(session: Session, actor: User, campaign_id: int, active: bool,
                now: datetime) -> Campaign | None:
    """Start (``active``) or stop a campaign's dialling: its ``active`` flag, which the live
    center's dialler reads within seconds; admin-audited and committed. None for an
    unknown id."""
    row = session.get(Campaign, campaign_id)
    if row is None:
        return None
    row.active = active
    row.updated_by, row.updated_at = actor.username, now
    session.add(row)
    record_change(session, actor, f"campaign_dialing_{'start' if active else 'stop'}",
                  f"campaign {row.name}", {"active": row.active})
    session.commit()
    return row


def _apply(row: Campaign, spec: CampaignSpec, who: str, now: datetime) -> None:
    row.name, row.type, row.country = spec.name, spec.campaign_type, spec.country
    row.rules = spec.rules.to_dict()
    row.priority, row.dial_mode, row.active = spec.priority, spec.dial_mode, spec.active
    row.updated_by, row.updated_at = who, now


@dataclass(frozen=True, slots=True)
class ListCounts:
    """The day's open entries: per campaign and reason, and per agent (None: the pool)."""

    by_reason: list[tuple[str, str, int]]
    by_agent: list[tuple[str | None, int]]
    total: int


def list_counts(session: Session, day: date) -> ListCounts:
    entry = CampaignListEntry
    open_today = (col(entry.list_date) == day, col(entry.status) == "open")
    by_reason = session.exec(
        select(Campaign.name, entry.reason, func.count())
        .join(Campaign, col(Campaign.id) == entry.campaign_id)
        .where(*open_today).group_by(Campaign.name, entry.reason)
        .order_by(Campaign.name, entry.reason)).all()
    by_agent = session.exec(
        select(Agent.login, func.count()).select_from(entry)
        .outerjoin(Agent, col(Agent.id) == entry.agent_id)
        .where(*open_today).group_by(Agent.login).order_by(Agent.login)).all()
    reasons = [(str(n), str(r), int(c)) for n, r, c in by_reason]
    return ListCounts(reasons, [(a, int(c)) for a, c in by_agent], sum(c for *_, c in reasons))
