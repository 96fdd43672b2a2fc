"""Loading the live center's parts from the database: queues and agents into a routing
engine, the roster, the customers the telephony picks callers from, the arrival pattern
of the bank's history."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from app.live.routing_config import (
    LIVE_DEFAULT_GOALS,
    expansion_for,
)
from app.live.telephony import HourlyProfile
from app.models import Agent, AgentSkill, Customer, Interaction, Queue
from routing.engine import AgentSpec, ExpansionStep, QueueConfig, RoutingEngine, RoutingPolicy

log = logging.getLogger("contactops.live")

BANK_TIME_ZONE = "Asia/Seoul"
SCREEN_POP_SAMPLE = 2000
FALLBACK_QUEUE = "general"  # customers per tier the built-in telephony picks callers from
HISTORY_DAYS = 28



def _queue_config(
    row: Queue, expansion_table: Mapping[str, tuple[ExpansionStep, ...]] | None = None
) -> QueueConfig:
    from routing.events import TIERS, ServiceLevelGoal

    goals = dict(LIVE_DEFAULT_GOALS)  # tiers the row leaves out: the seeded bank's goals
    for tier, goal in (row.service_level_goals or {}).items():
        if tier in TIERS and isinstance(goal, dict):
            try:
                goals[tier] = ServiceLevelGoal(float(goal["threshold_seconds"]),
                                               float(goal["target"]))
            except (KeyError, TypeError, ValueError):
                log.warning("queue %s: ignoring malformed goal for %s", row.name, tier)
    expansion = expansion_for(row.name, row.skill, expansion_table or {})
    return QueueConfig(name=row.name, skill=row.skill, expansion=expansion,
                       service_level_goals=goals)


def active_agent_logins(db: Engine) -> list[str]:
    """The logins of the database's active agents (the wallboard's roster)."""
    agent_t = Agent.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        rows = conn.execute(
            select(agent_t.c.login).where(agent_t.c.active.is_(True)).order_by(agent_t.c.login)
        ).scalars().all()
    return [str(r) for r in rows]


def agent_specs(db: Engine, login: str | None = None) -> list[AgentSpec]:
    """An ``AgentSpec`` per active agent of the database (id = login), or just ``login``'s."""

    agent_t, skill_t = Agent.__table__, AgentSkill.__table__  # type: ignore[attr-defined]
    query = select(agent_t.c.id, agent_t.c.login, agent_t.c.site).where(agent_t.c.active.is_(True))
    if login is not None:
        query = query.where(agent_t.c.login == login)
    with db.connect() as conn:
        agents = conn.execute(query.order_by(agent_t.c.login)).all()
        skills = conn.execute(
            select(skill_t.c.agent_id, skill_t.c.skill, skill_t.c.proficiency)
        ).all()
    by_agent: dict[int, dict[str, int]] = {}
    for agent_pk, skill, proficiency in skills:
        by_agent.setdefault(agent_pk, {})[skill] = int(proficiency)
    specs = []
    for pk, agent_login, site in agents:
        try:
            specs.append(AgentSpec(agent_id=agent_login, skills=by_agent.get(pk, {}), site=site))
        except ValueError as exc:  # a bad row must not keep the center from starting
            log.warning("agent %s left out of routing: %s", agent_login, exc)
    return specs


def agent_specs_for(db: Engine, login: str) -> list[AgentSpec]:
    return agent_specs(db, login)


def build_routing_engine(
    db: Engine,
    policy: RoutingPolicy | None = None,
    expansion: Mapping[str, tuple[ExpansionStep, ...]] | None = None,
) -> RoutingEngine:
    """A routing engine with the database's queues (agents are added by the center).

    ``policy``: a ``RoutingPolicy`` (default: the engine's, proficiency first);
    ``expansion``: queue name -> ``ExpansionStep`` tuple (default: none), e.g.
    :data:`app.live.routing_config.LIVE_EXPANSION`.
    """

    with Session(db) as session:
        queues = session.exec(sqlmodel_select(Queue).order_by(Queue.name)).all()
    configs = []
    for queue in queues:
        try:
            configs.append(_queue_config(queue, expansion))
        except ValueError as exc:
            log.warning("queue %s left out of routing: %s", queue.name, exc)
    # The engine needs a queue; an empty database (tests, a fresh install) gets one.
    return RoutingEngine(configs or [QueueConfig(FALLBACK_QUEUE, FALLBACK_QUEUE)],
                         policy if policy is not None else RoutingPolicy())


def local_midnight(now: float, time_zone: str = BANK_TIME_ZONE) -> float:
    local = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def customers_by_tier(db: Engine) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    table = Customer.__table__  # type: ignore[attr-defined]
    with db.connect() as conn:
        tiers = conn.execute(select(table.c.value_tier).distinct()).scalars().all()
        for tier in tiers:
            ids = conn.execute(
                select(table.c.id).where(table.c.value_tier == tier).limit(SCREEN_POP_SAMPLE)
            ).scalars().all()
            out[str(tier)] = [int(i) for i in ids if i is not None]
    return out




def arrival_profile_from_history(
    db: Engine, days: int = HISTORY_DAYS, time_zone: str = BANK_TIME_ZONE
) -> HourlyProfile | None:
    """The bank's arrival pattern: inbound calls per queue, local weekday and hour, per week.

    Counts the ``interaction`` rows of the last ``days`` days of history (ending at the
    latest call recorded) per UTC hour in SQL, then folds the hours onto the local week:
    ``rate[q][24 d + h] = calls of q in hour (d, h) / (days / 7)``. None without history.
    """
    table = Interaction.__table__  # type: ignore[attr-defined]
    dialect = db.dialect.name
    with db.connect() as conn:
        latest = conn.execute(
            select(func.max(table.c.arrived_at)).where(table.c.direction == "inbound")
        ).scalar()
        if latest is None:
            return None
        since = latest - timedelta(days=days)
        if dialect == "sqlite":
            hour = func.strftime("%Y-%m-%d %H:00:00", table.c.arrived_at)
        else:
            hour = func.date_trunc("hour", table.c.arrived_at)
        rows = conn.execute(
            select(table.c.queue, hour.label("hour"), func.count())
            .where(table.c.direction == "inbound", table.c.arrived_at > since)
            .group_by(table.c.queue, hour)
        ).all()
    zone = ZoneInfo(time_zone)
    weeks = days / 7
    rates: dict[str, list[float]] = {}
    for queue, hour_start, count in rows:
        if isinstance(hour_start, str):
            hour_start = datetime.fromisoformat(hour_start)
        if hour_start.tzinfo is None:
            hour_start = hour_start.replace(tzinfo=UTC)
        local = hour_start.astimezone(zone)
        rates.setdefault(str(queue), [0.0] * 168)[24 * local.weekday() + local.hour] += (
            int(count) / weeks)
    return HourlyProfile(rates, time_zone) if rates else None


