"""Database tables (SQLModel). One family per entity; API schemas live in ``app/api``.

Tables work on SQLite and PostgreSQL alike: JSON columns use SQLAlchemy's
generic ``JSON`` type, times are timezone-aware UTC, and enumerations are
stored as short strings checked at the API edge.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Field, SQLModel

from telesales.campaigns import LIFE_EVENT_KINDS as CAMPAIGN_LIFE_EVENT_KINDS

#: 64-bit ids on PostgreSQL; plain INTEGER on SQLite, which only auto-numbers ``INTEGER PRIMARY KEY``.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class ValueTier(StrEnum):
    private_banker = "private_banker"
    platinum = "platinum"
    gold = "gold"
    silver = "silver"
    core = "core"
    inactive = "inactive"


class LifecycleStage(StrEnum):
    new = "new"
    growth = "growth"
    mature = "mature"
    churn_risk = "churn_risk"


class ProductKind(StrEnum):
    deposit = "deposit"
    loan = "loan"
    card = "card"
    fund = "fund"


class Channel(StrEnum):
    branch = "branch"
    call_center = "call_center"
    web = "web"
    outbound = "outbound"


class Site(StrEnum):
    seoul = "seoul"
    busan = "busan"


class Role(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    planner = "planner"
    qa = "qa"
    admin = "admin"
    #: reads the customer access log and the admin audit log, changes nothing
    auditor = "auditor"


# --- customers ------------------------------------------------------------------------


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    name: str = Field(max_length=100)
    value_tier: str = Field(default=ValueTier.core, max_length=20, index=True)
    lifecycle_stage: str = Field(default=LifecycleStage.mature, max_length=20)
    segment: str = Field(default="mass", max_length=40)
    annual_revenue_krw: int = Field(default=0, sa_type=BigInteger)
    marketing_consent: bool = False
    do_not_call: bool = False
    time_zone: str = Field(default="Asia/Seoul", max_length=40)
    home_branch: str = Field(default="", max_length=60)
    relationship_manager_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    birth_date: date | None = None
    created_at: datetime | None = None


class CustomerPhone(SQLModel, table=True):
    """Phone numbers in E.164 form; indexed for the screen-pop lookup."""

    __table_args__ = (Index("ix_customerphone_number", "number"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    customer_id: int = Field(foreign_key="customer.id", index=True, sa_type=BigInteger)
    number: str = Field(max_length=20)
    kind: str = Field(default="mobile", max_length=10)  # mobile, home, work


class Product(SQLModel, table=True):
    """A product held: deposit (with maturity date), loan, card or fund."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    customer_id: int = Field(foreign_key="customer.id", index=True, sa_type=BigInteger)
    kind: str = Field(max_length=10)
    name: str = Field(max_length=80)
    balance_krw: int = Field(default=0, sa_type=BigInteger)
    opened_on: date | None = None
    maturity_date: date | None = Field(default=None, index=True)
    #: a loan's days past due as the core banking system last reported (0: paid up)
    days_past_due: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ContactHistory(SQLModel, table=True):
    """Every contact with a customer on every channel."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    customer_id: int = Field(foreign_key="customer.id", index=True, sa_type=BigInteger)
    channel: str = Field(max_length=20)
    at: datetime = Field(index=True)
    reason: str = Field(default="", max_length=60)
    notes: str = Field(default="", max_length=2000)
    outcome: str = Field(default="", max_length=40)
    handled_by: str = Field(default="", max_length=60)  # agent login, branch teller, "web"


# --- agents, users, queues --------------------------------------------------------------


class Agent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=100)
    site: str = Field(default=Site.seoul, max_length=10)
    team: str = Field(default="", max_length=40)
    career_level: int = Field(default=1, ge=1, le=5)
    active: bool = True


class AgentSkill(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("agent_id", "skill"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    skill: str = Field(max_length=40)
    proficiency: int = Field(default=3, ge=1, le=5)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    locale: str = Field(default="ko", max_length=5)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    is_default_password: bool = False
    active: bool = True


class Queue(SQLModel, table=True):
    """A queue serves one skill; ``service_level_goals`` maps tier → {target, threshold_seconds}."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True, index=True)
    skill: str = Field(max_length=40)
    service_level_goals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    open_hours: str = Field(default="09:00-18:00", max_length=40)


# --- interactions and events ----------------------------------------------------------


def _zero(kind: Any) -> Any:
    """A count column that is 0 unless written (rows inserted before it existed, bulk seeds)."""
    return Column(kind, nullable=False, server_default="0")


class Interaction(SQLModel, table=True):
    """One row per contact with its timestamps and outcome (a projection of the event log)."""

    __table_args__ = (Index("ix_interaction_queue_arrived", "queue", "arrived_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    contact_id: str = Field(max_length=40, unique=True)
    queue: str = Field(max_length=40)
    direction: str = Field(default="inbound", max_length=10)
    customer_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    tier: str = Field(default="core", max_length=20)
    agent_id: int | None = Field(default=None, index=True)
    arrived_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    wrapup_ended_at: datetime | None = None
    outcome: str = Field(default="", max_length=20)  # answered, abandoned, callback, ...
    handle_seconds: float | None = None
    disposition: str | None = Field(default=None, max_length=40)
    # the outcome fields of the contact record (qa.outcomes; migration 0015)
    talk_seconds: float | None = None
    transfers: int = Field(default=0, sa_column=_zero(Integer))
    reason: str | None = Field(default=None, max_length=40)
    customer_key: str | None = Field(default=None, max_length=40)
    offers_made: int = Field(default=0, sa_column=_zero(Integer))
    cross_sell_sales: int = Field(default=0, sa_column=_zero(Integer))
    up_sell_sales: int = Field(default=0, sa_column=_zero(Integer))
    sales: int = Field(default=0, sa_column=_zero(Integer))
    sales_amount: float = Field(default=0.0, sa_column=_zero(Float))
    complaints: int = Field(default=0, sa_column=_zero(Integer))
    survey_score: int | None = None


class EventRecord(SQLModel, table=True):
    """The append-only event log: one row per :class:`routing.events.Event` in JSON form."""

    __tablename__ = "event_log"

    seq: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    type: str = Field(max_length=40, index=True)
    at: float = Field(index=True)
    contact_id: str | None = Field(default=None, max_length=40, index=True)
    agent_id: str | None = Field(default=None, max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    source: str = Field(default="live", max_length=20)


# --- web sessions (auth: app/auth.py) ----------------------------------------------------


class UserSession(SQLModel, table=True):
    """A server-side login session; the signed cookie carries the random id.

    ``id`` is the SHA-256 hex digest of the cookie's session id, so a copy of this table
    cannot be replayed as cookies. A session is valid while ``revoked_at`` is null and
    ``expires_at`` lies in the future (times in UTC).
    """

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    revoked_at: datetime | None = None


# --- limits, customer access log, administration (issue 7; app/auth/, app/privacy/, admin) --


class AccountLock(SQLModel, table=True):
    """A login lock-out of one account after too many failures from any address.

    Active while ``unlocked_at`` is null and ``locked_until`` lies ahead; an admin ends it
    early (``unlocked_at``, ``unlocked_by``). Rows are kept as history.
    """

    __tablename__ = "account_lock"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    locked_at: datetime
    locked_until: datetime
    failures: int = 0
    unlocked_at: datetime | None = None
    unlocked_by: str | None = Field(default=None, max_length=40)


class SecurityAlert(SQLModel, table=True):
    """Something supervisors and admins must see: an account locked, a user reading
    customers faster than allowed. Shown on the admin page until acknowledged."""

    __tablename__ = "security_alert"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(index=True)
    kind: str = Field(max_length=40)  # account_locked, customer_read_rate
    subject: str = Field(max_length=40)  # the username concerned
    detail: str = Field(default="", max_length=400)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=40)


class CustomerAccess(SQLModel, table=True):
    """The append-only access log of customer data: who, when, which customer, which fields,
    why and from where. No route updates or deletes a row (PIPA-style access records)."""

    __tablename__ = "customer_access_log"
    __table_args__ = (Index("ix_customer_access_log_user_at", "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(index=True)
    user_id: int | None = Field(default=None)
    username: str = Field(max_length=40)
    role: str = Field(max_length=20)
    customer_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    action: str = Field(max_length=20)  # read, list, lookup, search, write
    fields: str = Field(default="", max_length=400)  # comma-separated field groups
    reason: str = Field(default="", max_length=40)  # current_contact, managed_book, ...
    reason_text: str = Field(default="", max_length=200)
    ip: str = Field(default="", max_length=64)
    allowed: bool = True


class AdminAudit(SQLModel, table=True):
    """Every change made through administration: who, when, what, on which target."""

    __tablename__ = "admin_audit"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=40)
    action: str = Field(max_length=40)  # user.create, user.disable, queue.goals, ...
    target: str = Field(default="", max_length=80)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
# --- rosters (WFM scheduling; queries in app/rosters.py, API in app/api/rosters.py) ------


class RosterStatus(StrEnum):
    draft = "draft"
    published = "published"


class Roster(SQLModel, table=True):
    """A roster for one horizon (``days`` days from ``start_day``, center-local dates).

    Its :class:`RosterVersion` rows hold the problem and the shifts; versions are numbered
    1, 2, ... per roster.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    start_day: date = Field(index=True)
    days: int = Field(ge=1, le=42)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime


class RosterVersion(SQLModel, table=True):
    """One version of a roster: a draft (editable) or published (never edited again).

    ``problem`` is the PROBLEM.json the roster answers (:mod:`wfm.roster_problem`);
    ``roster`` is the ROSTER.json (``status, objective, best_bound, gap, shifts, coverage,
    under_coverage, over_coverage``), agents named by their login, times naive local
    (Asia/Seoul). A new draft is a copy of a published version with the next number.
    """

    __tablename__ = "roster_version"
    __table_args__ = (UniqueConstraint("roster_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    roster_id: int = Field(foreign_key="roster.id", index=True)
    version: int = Field(ge=1)
    status: str = Field(default=RosterStatus.draft, max_length=10, index=True)
    problem: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    roster: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    based_on: int | None = Field(default=None)  # id of the version this draft was copied from
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime
    updated_at: datetime
    published_by: int | None = Field(default=None, foreign_key="user.id")
    published_at: datetime | None = Field(default=None, index=True)
# --- forecast snapshots (planner accuracy over time: app/api/wfm.py, wfm/accuracy.py) ------


class ForecastSnapshot(SQLModel, table=True):
    """A published forecast, kept as it was, to compare with the calls that came.

    ``source`` is the forecast's history (``queue:NAME`` or ``upload:ID``); ``intervals`` the
    rows as the forecast API returned them (``start, offered, offered_low, offered_high``
    and ``aht_seconds``).
    """

    __tablename__ = "forecast_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=80, index=True)
    method: str = Field(max_length=40)
    interval_minutes: int
    first_day: date
    days: int
    created_at: datetime
    created_by: int | None = Field(default=None, foreign_key="user.id")
    intervals: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
# --- live routing policy administered by an admin (app/routing_settings.py, issue 7) -------


class RoutingSettings(SQLModel, table=True):
    """The live center's routing policy as an admin set it (one row, id 1; no row = the
    built-in policy of :func:`app.live.routing_config.live_routing_policy`). A None number
    means "never" (ring forever, strict tiers)."""

    __tablename__ = "routing_settings"

    id: int | None = Field(default=None, primary_key=True)
    selection: str = Field(max_length=40)
    ring_timeout_seconds: float | None = Field(default=None)
    ageing_seconds_per_level: float | None = Field(default=None)
    preferred_agent_wait_seconds: float
    updated_at: datetime
    updated_by: str = Field(max_length=80)
# --- QA evaluations, calibration, coaching (qa/evaluation_forms.py ...; app/qa_evaluations.py) --


class QaForm(SQLModel, table=True):
    """An evaluation form; its content lives in numbered :class:`QaFormVersion` rows."""

    __tablename__ = "qa_form"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True, index=True)
    created_at: datetime
    created_by: str = Field(max_length=40)
    active: bool = True


class QaFormVersion(SQLModel, table=True):
    """One version of a form: ``definition`` is :func:`qa.evaluation_forms.form_to_dict`.
    Never edited: an edit adds the next version."""

    __tablename__ = "qa_form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="qa_form.id", index=True)
    version: int = Field(ge=1)
    title: str = Field(max_length=200)
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime
    created_by: str = Field(max_length=40)


class QaCalibration(SQLModel, table=True):
    """A calibration session: evaluators and an expert score one contact on one version."""

    __tablename__ = "qa_calibration"

    id: int | None = Field(default=None, primary_key=True)
    form_version_id: int = Field(foreign_key="qa_form_version.id", index=True)
    contact_id: str = Field(max_length=40, index=True)
    expert: str = Field(max_length=40)
    created_at: datetime
    created_by: str = Field(max_length=40)


class QaEvaluation(SQLModel, table=True):
    """A scored contact. ``kind``: ``regular`` (counts for the agent), or ``calibration``
    (a score given in calibration session ``calibration_id``; never counts for the agent).
    Scores are stored as :func:`qa.evaluations.score_evaluation` gave them at scoring time.
    ``status``: ``submitted``, ``acknowledged`` or ``disputed`` (the agent's answer), then
    ``reviewed`` once QA has answered a dispute."""

    __tablename__ = "qa_evaluation"
    __table_args__ = (Index("ix_qa_evaluation_agent_contact_at", "agent_id", "contact_at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    form_version_id: int = Field(foreign_key="qa_form_version.id", index=True)
    contact_id: str = Field(max_length=40, index=True)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    contact_at: datetime
    evaluator: str = Field(max_length=40)
    evaluated_at: datetime = Field(index=True)
    kind: str = Field(default="regular", max_length=20)
    calibration_id: int | None = Field(default=None, foreign_key="qa_calibration.id", index=True)
    total: float | None = None
    raw_total: float | None = None
    critical_score: float | None = None
    non_critical_score: float | None = None
    fatal_failed: bool = False
    comment: str = Field(default="", max_length=2000)
    status: str = Field(default="submitted", max_length=20)


class QaAnswer(SQLModel, table=True):
    """One answer of an evaluation (``value``: yes, no, na or a scale number) and its credit."""

    __tablename__ = "qa_answer"
    __table_args__ = (UniqueConstraint("evaluation_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    evaluation_id: int = Field(foreign_key="qa_evaluation.id", index=True, sa_type=BigInteger)
    question_id: str = Field(max_length=40, index=True)
    value: str = Field(max_length=4)
    fraction: float | None = None


class QaAcknowledgement(SQLModel, table=True):
    """The agent's answer to an evaluation (``acknowledge`` or ``dispute``) or QA's ``reply``
    to a dispute, with a comment."""

    __tablename__ = "qa_acknowledgement"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    evaluation_id: int = Field(foreign_key="qa_evaluation.id", index=True, sa_type=BigInteger)
    kind: str = Field(max_length=20)
    comment: str = Field(default="", max_length=2000)
    at: datetime
    by: str = Field(max_length=40)


class QaCoachingSession(SQLModel, table=True):
    """A supervisor's coaching session with an agent about one contact."""

    __tablename__ = "qa_coaching_session"

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    contact_id: str = Field(max_length=40)
    contact_at: datetime
    evaluation_id: int | None = Field(default=None, foreign_key="qa_evaluation.id",
                                      sa_type=BigInteger)
    form_id: int = Field(foreign_key="qa_form.id")
    opened_at: datetime
    opened_by: str = Field(max_length=40)
    notes: str = Field(default="", max_length=2000)


class QaCoachingPoint(SQLModel, table=True):
    """An improvement point tied to a question of the session's form (by question id)."""

    __tablename__ = "qa_coaching_point"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="qa_coaching_session.id", index=True)
    question_id: str = Field(max_length=40)
    note: str = Field(default="", max_length=500)


class QaFollowUp(SQLModel, table=True):
    """The re-check of a coaching session, due on ``due_on`` (center-local day)."""

    __tablename__ = "qa_follow_up"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="qa_coaching_session.id", index=True)
    due_on: date = Field(index=True)
    done_at: datetime | None = None
    done_by: str | None = Field(default=None, max_length=40)
    note: str = Field(default="", max_length=2000)


# --- business hours and holidays per site (wfm/business_hours.py, app/business_hours.py) ---


class SiteHours(SQLModel, table=True):
    """A site's opening hours on one day type (``weekday``, ``mon`` ... ``sun``,
    ``holiday``): ``ranges`` is a list of ``["HH:MM", "HH:MM"]`` in center time; an empty
    list means closed. A site with no row at all is open around the clock but on holidays."""

    __tablename__ = "site_hours"
    __table_args__ = (UniqueConstraint("site", "day_type"),)

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=10, index=True)
    day_type: str = Field(max_length=10)
    ranges: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON))
    updated_at: datetime
    updated_by: str = Field(max_length=80)


class SiteHoliday(SQLModel, table=True):
    """A holiday (the site follows its ``holiday`` hours); ``site`` None: every site."""

    __tablename__ = "site_holiday"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    name: str = Field(max_length=80)
    site: str | None = Field(default=None, max_length=10)


class QueueHours(SQLModel, table=True):
    """A queue's own hours on one day type (optional override, same form as
    :class:`SiteHours`): the queue takes calls when one of its sites is open *and* these
    say so. A queue with no row follows its sites."""

    __tablename__ = "queue_hours"
    __table_args__ = (UniqueConstraint("queue", "day_type"),)

    id: int | None = Field(default=None, primary_key=True)
    queue: str = Field(max_length=40, index=True)
    day_type: str = Field(max_length=10)
    ranges: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON))
    updated_at: datetime
    updated_by: str = Field(max_length=80)


# --- customers' life events (next best offers read them; the profile refresh edits them) ---


class CustomerLifeEvent(SQLModel, table=True):
    """A life event of a customer the bank knows of: ``kind`` one of
    :data:`LIFE_EVENT_KINDS` (e.g. ``child_wedding`` on the wedding's date), ``on_date``
    when it happens or happened, a free ``note``; who recorded it and when (the profile
    refresh keeps this current; next best offers read it)."""

    __tablename__ = "customer_life_event"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    customer_id: int = Field(foreign_key="customer.id", index=True, sa_type=BigInteger)
    kind: str = Field(max_length=30)
    on_date: date | None = None
    note: str = Field(default="", max_length=500)
    recorded_by: str = Field(default="", max_length=80)
    recorded_at: datetime | None = None


#: the kinds of life event a customer's profile records: the ones campaign rules know
#: (defined once, in the core that validates those rules)
LIFE_EVENT_KINDS: tuple[str, ...] = CAMPAIGN_LIFE_EVENT_KINDS


# --- the profile refresh's change log (app/api/customer_profile.py, migration 0014) --------


class CustomerProfileChange(SQLModel, table=True):
    """One change of a customer's contact details or life events made from the screen pop:
    ``field`` (``phone``, ``marketing_consent``, ``do_not_call``, ``home_branch``,
    ``life_event``, or ``refresh_confirmed`` when the agent confirmed with the customer that
    nothing changed), the old and new value as text (empty: none), who (a username), when,
    and the contact it was made on (``contact_id``). Append-only: the newest row is the
    profile's last refresh."""

    __tablename__ = "customer_profile_change"
    __table_args__ = (Index("ix_customer_profile_change_customer_at", "customer_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    customer_id: int = Field(foreign_key="customer.id", sa_type=BigInteger)
    field: str = Field(max_length=40)
    old_value: str = Field(default="", max_length=600)
    new_value: str = Field(default="", max_length=600)
    changed_by: str = Field(max_length=80)
    at: datetime
    contact_id: str | None = Field(default=None, max_length=40)


#: an agent's events over a period (the console's day panel: the contacts the agent worked
#: today; the adherence feed's state changes of one agent), without scanning the whole day
Index("ix_event_log_agent_at", EventRecord.agent_id, EventRecord.at)  # type: ignore[arg-type]
# --- leads for outbound (a follow-up of an offer; app/api/console_offers.py) ---------------


class LeadStatus(StrEnum):
    """``closed`` (a follow-up recorded on the lead's call, or closed by hand), ``won`` (the
    customer accepted the lead's offer on a call the agent dialled from the agenda), ``lost``
    (declined, or the contact rules allow no further dial)."""

    open = "open"
    closed = "closed"
    won = "won"
    lost = "lost"


class Lead(SQLModel, table=True):
    """A customer to call back about ``offer``: created when an agent records an offer's
    result as ``follow_up``, due on ``due_on`` (center-local day); the outbound work takes the
    open ones. ``source_contact_id`` is the contact the offer was made on."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_status_due_on", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    customer_id: int = Field(foreign_key="customer.id", index=True, sa_type=BigInteger)
    offer: str = Field(max_length=40)
    kind: str = Field(default="cross_sell", max_length=20)
    created_by: int | None = Field(default=None, foreign_key="agent.id", index=True)
    created_at: datetime
    due_on: date
    status: str = Field(default=LeadStatus.open, max_length=10)
    source_contact_id: str = Field(default="", max_length=40, index=True)
    note: str = Field(default="", max_length=500)
    closed_at: datetime | None = None
# --- knowledge base (app.kb: articles beside the call, searched in Korean and English) ---


class KbArticle(SQLModel, table=True):
    """A knowledge-base article (product terms, a procedure, a script) in one ``language``
    (``ko``/``en``) of one ``kind`` (``product``/``procedure``/``script``); ``queues`` and
    ``reasons`` (contact reason codes) it applies to; ``status`` ``active`` or ``retired``;
    ``version`` counts saves (each kept in :class:`KbArticleVersion`).

    ``search_vector`` is the article's text-search document on PostgreSQL (a ``tsvector``
    written by :func:`app.kb.index_article` from :mod:`app.kb_text`'s analysis, GIN-indexed;
    no b-tree on ``status`` or ``language``: with two values each they would only tempt the
    planner away from the GIN index);
    on SQLite it stays NULL and the FTS5 table ``kb_article_fts`` (migration 0013) holds the
    analysed text instead."""

    __tablename__ = "kb_article"
    __table_args__ = (
        # fastupdate off: no pending list for searches to scan (articles change rarely)
        Index("ix_kb_article_search_vector", "search_vector", postgresql_using="gin",
              postgresql_with={"fastupdate": "off"}),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    language: str = Field(max_length=2)
    kind: str = Field(max_length=20)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    queues: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(default="active", max_length=10)
    version: int = 1
    updated_by: str = Field(max_length=80)
    updated_at: datetime
    search_vector: str | None = Field(
        default=None, sa_column=Column(TSVECTOR().with_variant(Text(), "sqlite"), nullable=True))


class KbArticleScope(SQLModel, table=True):
    """Where an *active* article applies, one row per queue or contact reason (``scope``
    ``queue`` or ``reason``), with the article's ``language`` and ``updated_at`` copied: the
    index the console's suggestions read, newest first, without touching the articles
    (rewritten with every save; a retired article has none)."""

    __tablename__ = "kb_article_scope"
    __table_args__ = (
        Index("ix_kb_article_scope_lookup", "scope", "value", "language", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="kb_article.id", index=True)
    scope: str = Field(max_length=10)
    value: str = Field(max_length=40)
    language: str = Field(max_length=2)
    updated_at: datetime


class KbArticleVersion(SQLModel, table=True):
    """Every saved version of an article (the current one included): the edit history."""

    __tablename__ = "kb_article_version"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="kb_article.id", index=True)
    version: int
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    language: str = Field(max_length=2)
    kind: str = Field(max_length=20)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    queues: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(max_length=10)
    updated_by: str = Field(max_length=80)
    updated_at: datetime
# --- service standards (qa/standards.py) -------------------------------------------------


class ServiceStandard(SQLModel, table=True):
    """A target of one KPI with its warn and alert limits (:class:`qa.standards.Standard`),
    for a year (``quarter`` 0) or a quarter, the center (``scope_id`` "") or a team or
    agent, every caller (``segment`` ``all``) or VIP / general."""

    __tablename__ = "service_standard"
    __table_args__ = (UniqueConstraint("kpi", "segment", "year", "quarter", "scope", "scope_id",
                                       name="uq_service_standard_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi: str = Field(max_length=40)
    segment: str = Field(default="all", max_length=10)
    year: int = Field(index=True)
    quarter: int = 0
    scope: str = Field(default="center", max_length=10)
    scope_id: str = Field(default="", max_length=40)
    target: float
    warn: float
    alert: float
    threshold_seconds: float | None = None
    updated_by: str = Field(default="", max_length=40)
    updated_at: datetime | None = None
# --- report summaries (the /qa and report pages over long periods; app/report_summaries.py) --


class InteractionSummary(SQLModel, table=True):
    """Sums of the inbound ``interaction`` rows per ``grain`` period (``day``: a center day,
    ``interval``: 30 minutes), queue, caller tier and wait bucket
    (:mod:`qa.wait_histogram`: counts, waits in whole microseconds, handle times in nanoseconds).
    Kept by the event store as it writes rows; ``contactops db rebuild-summaries`` rebuilds it."""

    __tablename__ = "interaction_summary"
    __table_args__ = (UniqueConstraint("grain", "period_start", "queue", "tier", "wait_bucket",
                                       name="uq_interaction_summary_cell"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    grain: str = Field(max_length=8)
    period_start: datetime
    queue: str = Field(max_length=40)
    tier: str = Field(max_length=20)
    wait_bucket: int
    offered: int = Field(default=0, sa_type=BigInteger)
    answered: int = Field(default=0, sa_type=BigInteger)
    abandoned: int = Field(default=0, sa_type=BigInteger)
    callback_failed: int = Field(default=0, sa_type=BigInteger)
    unserved: int = Field(default=0, sa_type=BigInteger)
    short_abandoned: int = Field(default=0, sa_type=BigInteger)
    wait_answered_micros: int = Field(default=0, sa_type=BigInteger)
    wait_all_micros: int = Field(default=0, sa_type=BigInteger)
    handled: int = Field(default=0, sa_type=BigInteger)
    handle_nanos: int = Field(default=0, sa_type=BigInteger)
    not_closed: int = Field(default=0, sa_type=BigInteger)


class InteractionSummaryStale(SQLModel, table=True):
    """Arrival times ``[first_at, last_at]`` whose ``interaction`` rows were written past the
    summaries (by the ORM, or before they existed): reports read those days from the rows
    until ``contactops db rebuild-summaries`` runs."""

    __tablename__ = "interaction_summary_stale"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    first_at: datetime = Field(index=True)
    last_at: datetime = Field(index=True)


class InteractionOutcomeSummary(SQLModel, table=True):
    """Sums of the ``interaction`` rows (every direction) per center ``day``, queue, caller
    tier, answering agent (``agent_id`` 0: none, or not served) and wait bucket: the
    :class:`InteractionSummary` sums of the inbound rows, and the :class:`qa.outcomes.
    OutcomeCounts` sums of all rows (``o_`` columns; handle and talk time in nanoseconds, sales
    amounts in micro-units), FCR's eligible and repeated contacts counted on the day of the
    first contact (:mod:`app.outcome_summaries`). Kept by the event store as it writes rows;
    ``contactops db rebuild-summaries`` rebuilds it."""

    __tablename__ = "interaction_outcome_summary"
    __table_args__ = (UniqueConstraint("day", "queue", "tier", "agent_id", "wait_bucket",
                                       name="uq_interaction_outcome_summary_cell"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    day: datetime
    queue: str = Field(max_length=40)
    tier: str = Field(max_length=20)
    agent_id: int
    wait_bucket: int
    offered: int = Field(default=0, sa_type=BigInteger)
    answered: int = Field(default=0, sa_type=BigInteger)
    abandoned: int = Field(default=0, sa_type=BigInteger)
    callback_failed: int = Field(default=0, sa_type=BigInteger)
    unserved: int = Field(default=0, sa_type=BigInteger)
    short_abandoned: int = Field(default=0, sa_type=BigInteger)
    wait_answered_micros: int = Field(default=0, sa_type=BigInteger)
    wait_all_micros: int = Field(default=0, sa_type=BigInteger)
    handled: int = Field(default=0, sa_type=BigInteger)
    handle_nanos: int = Field(default=0, sa_type=BigInteger)
    not_closed: int = Field(default=0, sa_type=BigInteger)
    contacts: int = Field(default=0, sa_type=BigInteger)
    inbound: int = Field(default=0, sa_type=BigInteger)
    o_answered: int = Field(default=0, sa_type=BigInteger)
    o_transferred: int = Field(default=0, sa_type=BigInteger)
    o_handled: int = Field(default=0, sa_type=BigInteger)
    o_handle_nanos: int = Field(default=0, sa_type=BigInteger)
    o_talk_nanos: int = Field(default=0, sa_type=BigInteger)
    o_offers_made: int = Field(default=0, sa_type=BigInteger)
    o_cross_sell_sales: int = Field(default=0, sa_type=BigInteger)
    o_up_sell_sales: int = Field(default=0, sa_type=BigInteger)
    o_sales_micros: int = Field(default=0, sa_type=BigInteger)
    o_connected: int = Field(default=0, sa_type=BigInteger)
    o_outbound_positive: int = Field(default=0, sa_type=BigInteger)
    o_complaints: int = Field(default=0, sa_type=BigInteger)
    o_surveys: int = Field(default=0, sa_type=BigInteger)
    o_survey_score_sum: int = Field(default=0, sa_type=BigInteger)
    o_survey_top_two: int = Field(default=0, sa_type=BigInteger)
    o_fcr_eligible: int = Field(default=0, sa_type=BigInteger)
    o_fcr_repeated: int = Field(default=0, sa_type=BigInteger)


#: FCR's repeats of a written contact (its customer's earlier and later contacts for a reason).
Index("ix_interaction_customer_reason", Interaction.customer_key, Interaction.reason,  # type: ignore[arg-type]
      Interaction.arrived_at)  # type: ignore[arg-type]

#: Outbound dials of a period (the /qa page's dial figures) without walking every inbound row.
Index("ix_interaction_direction_arrived", Interaction.direction, Interaction.arrived_at)  # type: ignore[arg-type]


class SipAccount(SQLModel, table=True):
    """An agent's SIP digest account on the proxy (:mod:`app.sip.accounts`): the username
    (``agent01``), realm and HA1 = md5(username:realm:password). The plain password is never
    stored; rotating makes a new random one and keeps only its HA1."""

    __tablename__ = "sip_account"

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id", unique=True, index=True)
    username: str = Field(max_length=64, unique=True, index=True)
    realm: str = Field(max_length=100)
    ha1: str = Field(max_length=32)
    rotated_at: datetime


class IndustryDoNotCall(SQLModel, table=True):
    """A number on an industry do-not-call list (Korea's 두낫콜 register, the US national
    registry, the UK TPS …), in E.164 form, as last imported from ``source``
    (:mod:`app.industry_dnc`). Every outbound dial is checked against it
    (:func:`telesales.contact_rules.check_dial`, rule ``do_not_call``)."""

    __tablename__ = "industry_do_not_call"

    source: str = Field(primary_key=True, max_length=40)
    number: str = Field(primary_key=True, max_length=16, index=True)
    imported_at: datetime


# --- campaigns and their daily lists (app/campaign_lists.py, migration 0018) ---------------


class Campaign(SQLModel, table=True):
    """An outbound campaign: ``type`` telesales, collections or service; ``country`` names
    the contact-rule set it dials under; ``rules`` its targeting rules
    (:func:`telesales.campaigns.rules_from_dict`); the higher ``priority`` wins a customer
    two campaigns pick the same day."""

    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    type: str = Field(max_length=20)
    country: str = Field(default="KR", max_length=2)
    rules: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    priority: int = 100
    active: bool = True
    dial_mode: str = Field(default="preview", max_length=12)
    created_by: str = Field(default="", max_length=80)
    created_at: datetime
    updated_by: str = Field(default="", max_length=80)
    updated_at: datetime


#: the open entries of the unassigned pool (a partial index's condition)
POOL_OPEN = "status = 'open' AND agent_id IS NULL"


class CampaignListEntry(SQLModel, table=True):
    """A customer on a campaign's list of one day (one campaign a customer a day: the unique
    key), with the agent who will call (the customer's relationship manager when any), the
    score and rank in the list, the reason for the agent to read (a code and its
    parameters) and the status (``open`` until worked).

    An entry with no agent is in the day's unassigned pool: ``claimed_by`` (an agent's id)
    and ``claimed_at`` (the claim, or its holder's latest work on the pool) say who it is
    handed out to, set together by one conditional UPDATE (:mod:`app.pool_claims`)."""

    __tablename__ = "campaign_list_entry"
    __table_args__ = (
        UniqueConstraint("list_date", "customer_id", name="uq_campaign_list_entry_day_customer"),
        Index("ix_campaign_list_entry_campaign_day_rank", "campaign_id", "list_date", "rank"),
        Index("ix_campaign_list_entry_agent_day", "agent_id", "list_date"),
        Index("ix_campaign_list_entry_claimed_day", "claimed_by", "list_date"),
        # the open pool in rank order, walked by each claim (app.pool_claims)
        Index("ix_campaign_list_entry_pool", "campaign_id", "list_date", "rank",
              postgresql_where=text(POOL_OPEN), sqlite_where=text(POOL_OPEN)),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    campaign_id: int = Field(foreign_key="campaign.id")
    list_date: date
    #: no foreign key on the customer and the agent: the builder selects both from their
    #: tables in the same statement, and the per-row checks of a million-row morning build
    #: took 40 % of its time (18 s of the customer key alone on 4 M customers)
    customer_id: int = Field(sa_type=BigInteger)
    agent_id: int | None = None
    score: float = Field(sa_type=Float)
    rank: int
    reason: str = Field(max_length=30)
    reason_params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="open", max_length=10)
    built_at: datetime
    #: the agent a pool entry is handed out to (no foreign key, as for ``agent_id``)
    claimed_by: int | None = None
    claimed_at: datetime | None = None


# --- payments toward debts (app/payments.py, migration 0021) ------------------------------


class Payment(SQLModel, table=True):
    """A payment of ``amount_krw`` on ``paid_on`` (the center's calendar) by a customer toward
    a debt (``product_id``, a loan; None when the core banking system did not allocate it),
    as imported from the bank's file (``contactops import payments``). ``payment_key`` is the
    payment's identity (customer, debt, day, amount, the file's reference): importing a
    payment again finds it there and adds nothing. Promises to pay are judged kept against
    these (:mod:`qa.promises`)."""

    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_customer_paid_on", "customer_id", "paid_on"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    payment_key: str = Field(max_length=120, unique=True)
    customer_id: int = Field(sa_type=BigInteger)
    product_id: int | None = Field(default=None, sa_type=BigInteger)
    paid_on: date
    amount_krw: int = Field(sa_type=BigInteger)
    reference: str = Field(default="", max_length=40)
    imported_at: datetime
