"""Database reads and writes behind the API and the pages (no HTTP here, no business rule).

Times are timezone-aware UTC (SQLModel's ``UTCDateTime`` refuses naive values); bounds
passed in are converted with :func:`as_utc` (a naive value is taken as UTC).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import (
    Agent,
    AgentSkill,
    ContactHistory,
    Customer,
    CustomerPhone,
    EventRecord,
    Product,
    Queue,
    User,
)
from routing.events import TIERS, ServiceLevelGoal, ServiceLevelGoals

CENTER_TZ = ZoneInfo("Asia/Seoul")  # the bank's centers are in Seoul and Busan
LOGGED_OUT = "logged_out"


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (naive input is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def start_of_center_day(now: datetime, days_back: int = 0) -> datetime:
    """Midnight (center time) ``days_back`` days before ``now``'s day, in UTC."""
    local = as_utc(now).astimezone(CENTER_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_back)
    return as_utc(midnight)


# --- customers -----------------------------------------------------------------------------


@dataclass
class CustomerRecord:
    customer: Customer
    phones: list[CustomerPhone] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    contacts: list[ContactHistory] = field(default_factory=list)


def customer_record(
    session: Session, customer_id: int, contacts_limit: int = 20
) -> CustomerRecord | None:
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    phones = session.exec(
        select(CustomerPhone)
        .where(CustomerPhone.customer_id == customer_id)
        .order_by(col(CustomerPhone.id))
    ).all()
    products = session.exec(
        select(Product).where(Product.customer_id == customer_id).order_by(col(Product.id))
    ).all()
    contacts = session.exec(
        select(ContactHistory)
        .where(ContactHistory.customer_id == customer_id)
        .order_by(col(ContactHistory.at).desc(), col(ContactHistory.id).desc())
        .limit(contacts_limit)
    ).all()
    return CustomerRecord(customer, list(phones), list(products), list(contacts))


def phone_lookup_statement(e164: str) -> SelectOfScalar[int]:
    """The screen-pop query: an equality on ``CustomerPhone.number`` (ix_customerphone_number)."""
    return select(CustomerPhone.customer_id).where(CustomerPhone.number == e164).distinct()


def customer_ids_by_phone(session: Session, e164: str) -> list[int]:
    """Screen pop: ids of customers holding the E.164 number."""
    return sorted(int(r) for r in session.exec(phone_lookup_statement(e164)).all())


def list_customers(
    session: Session, tier: str | None, limit: int, offset: int
) -> tuple[list[Customer], int]:
    query = select(Customer)
    count = select(func.count()).select_from(Customer)
    if tier is not None:
        query = query.where(Customer.value_tier == tier)
        count = count.where(Customer.value_tier == tier)
    items = session.exec(query.order_by(col(Customer.id)).offset(offset).limit(limit)).all()
    return list(items), int(session.exec(count).one())


def add_contact(session: Session, contact: ContactHistory) -> ContactHistory:
    session.add(contact)
    session.commit()
    session.refresh(contact)
    return contact


# --- agents --------------------------------------------------------------------------------


def skills_of(session: Session, agent_ids: Sequence[int]) -> dict[int, list[AgentSkill]]:
    out: dict[int, list[AgentSkill]] = defaultdict(list)
    if not agent_ids:
        return out
    rows = session.exec(
        select(AgentSkill)
        .where(col(AgentSkill.agent_id).in_(agent_ids))
        .order_by(col(AgentSkill.skill))
    ).all()
    for row in rows:
        out[row.agent_id].append(row)
    return out


def list_agents(
    session: Session, site: str | None, team: str | None, limit: int, offset: int
) -> tuple[list[Agent], int]:
    query = select(Agent)
    count = select(func.count()).select_from(Agent)
    for column, value in ((Agent.site, site), (Agent.team, team)):
        if value is not None:
            query = query.where(column == value)
            count = count.where(column == value)
    items = session.exec(query.order_by(col(Agent.id)).offset(offset).limit(limit)).all()
    return list(items), int(session.exec(count).one())


def replace_skills(
    session: Session, agent_id: int, skills: Iterable[tuple[str, int]]
) -> list[AgentSkill]:
    """Make the agent's skill set exactly ``skills`` (name, proficiency), in one transaction."""
    existing = {
        s.skill: s for s in session.exec(select(AgentSkill).where(AgentSkill.agent_id == agent_id))
    }
    wanted = dict(skills)
    for name, row in existing.items():
        if name not in wanted:
            session.delete(row)
    for name, proficiency in wanted.items():
        row = existing.get(name) or AgentSkill(agent_id=agent_id, skill=name)
        row.proficiency = proficiency
        session.add(row)
    session.commit()
    return skills_of(session, [agent_id]).get(agent_id, [])


def agent_states(session: Session, source: str = "live") -> dict[str, str]:
    """Latest state per agent id, from ``agent_state_changed`` records of the event log
    (only those of ``source``: simulations writing to the same log do not show up)."""
    latest = (
        select(EventRecord.agent_id, func.max(EventRecord.seq).label("seq"))
        .where(EventRecord.type == "agent_state_changed", EventRecord.source == source)
        .group_by(EventRecord.agent_id)
        .subquery()
    )
    rows = session.exec(
        select(EventRecord).join(latest, col(EventRecord.seq) == latest.c.seq)
    ).all()
    return {str(r.agent_id): str(r.payload.get("state", LOGGED_OUT)) for r in rows if r.agent_id}


def agents_by_site_and_state(session: Session) -> dict[str, Counter[str]]:
    """Active agents counted by site and current state (no event yet: ``logged_out``)."""
    states = agent_states(session)
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for agent in session.exec(
        select(Agent).where(col(Agent.active).is_(True)).order_by(col(Agent.id))
    ):
        state = states.get(agent.login) or states.get(str(agent.id)) or LOGGED_OUT
        out[agent.site][state] += 1
    return dict(sorted(out.items()))


# --- queues and their service-level goals ------------------------------------------------


def queue_goals(raw: object) -> dict[str, ServiceLevelGoal]:
    """The usable goals of a ``Queue.service_level_goals`` value (``{tier: {"target": ...,
    "threshold_seconds": ...}}``): known tiers with a positive finite threshold and a
    target in (0, 1]; anything else is left out (the tier then has its default goal)."""
    out: dict[str, ServiceLevelGoal] = {}
    if not isinstance(raw, dict):
        return out
    for tier, goal in raw.items():
        if tier not in TIERS or not isinstance(goal, dict):
            continue
        try:
            out[tier] = ServiceLevelGoal(float(goal["threshold_seconds"]), float(goal["target"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def service_level_goals(session: Session) -> ServiceLevelGoals:
    """The goals table of the ``queue`` rows (:class:`routing.events.ServiceLevelGoals`):
    what the QA report holds each caller to, as routing and the wallboard do."""
    rows = session.connection().execute(select(Queue.name, Queue.service_level_goals)).all()
    return ServiceLevelGoals({name: queue_goals(goals) for name, goals in rows})


def queues(session: Session) -> list[Queue]:
    return list(session.exec(select(Queue).order_by(col(Queue.name))).all())


def served_skills(session: Session) -> set[str]:
    """The skills some queue serves (``Queue.skill``): the only skills worth giving agents."""
    return set(session.exec(select(Queue.skill).distinct()).all())


# --- users ---------------------------------------------------------------------------------


def users_with_default_password(engine: Engine) -> list[str]:
    """Usernames still on a default password (empty when the user table does not exist yet)."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table(str(User.__tablename__)):
        return []
    with Session(engine) as session:
        rows = session.exec(
            select(User.username).where(
                col(User.is_default_password).is_(True), col(User.active).is_(True)
            )
        ).all()
    return sorted(rows)
