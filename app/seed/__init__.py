"""The demo bank: a deterministic seed of customers, agents, users, queues and call history.

``seed_demo(engine, customers=20000, password="demo", seed=0, progress=None, today=None)``
fills an empty, migrated database from ``np.random.default_rng(seed)``; the same seed,
size and ``today`` give the same bank. Modules, one concept each:

- :mod:`app.seed.tiers`: value tiers and revenue (the top 7 % bring 90 % of revenue);
- :mod:`app.seed.customers`: customers and phone numbers; :mod:`app.seed.products`;
  :mod:`app.seed.contacts` (contact history on every channel);
- :mod:`app.seed.agents`: agents, skills, users, queues;
- :mod:`app.seed.history`: eight weeks of calls (``interaction``);
- :mod:`app.seed.roster`: the published roster of the current week, built by the solver
  from that history (after the main transaction; ``roster=False`` leaves it out; a roster
  the solver cannot build is logged as a warning and the bank stays seeded);
- :mod:`app.seed.names` (Korean names), :mod:`app.seed.kst` (Korean local time ↔ UTC);
- :mod:`app.seed.bulk`: executemany on SQLite, COPY on PostgreSQL (indexes and foreign
  keys rebuilt after the load, then ANALYZE); :mod:`app.seed.progress`: the stderr bar.

Customers are generated and written in chunks of :data:`CHUNK_CUSTOMERS`, so memory stays
flat for 4,000,000 customers. Everything is written in one transaction: a seed that fails
leaves the database as it was. Ids are assigned by the seed (customers are 1..N), and the
PostgreSQL sequences are moved past them afterwards.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from app.models import (
    Agent,
    AgentSkill,
    ContactHistory,
    Customer,
    CustomerPhone,
    Interaction,
    Product,
    Queue,
    User,
)
from app.report_summaries import mark_span_stale
from app.seed.agents import Staff, agent_rows, hash_password, queue_rows, user_rows
from app.seed.bulk import Frame, deferred_indexes, reset_sequences, table_of, write_frame
from app.seed.campaigns import seed_campaigns
from app.seed.contacts import contact_frame
from app.seed.customers import (
    PHONE_SPACE,
    SECOND_PHONE_SHARE,
    customer_frame,
    mobile_numbers,
    phone_frame,
)
from app.seed.history import inbound_frame, outbound_frame
from app.seed.hours import seed_hours
from app.seed.kb_articles import seed_kb
from app.seed.leads import seed_leads
from app.seed.offers import seed_offers
from app.seed.products import product_frame
from app.seed.qa_forms import seed_qa
from app.seed.roster import seed_roster
from app.seed.standards import seed_standards
from app.seed.tiers import assign_tiers

__all__ = ["CHUNK_CUSTOMERS", "Progress", "SeedSummary", "is_seeded", "reset", "seed_demo"]

log = logging.getLogger("contactops.seed")

CHUNK_CUSTOMERS = 50_000
Progress = Callable[[str, int, int], None]  # (stage, done, total)
SEEDED_MODELS = (Agent, AgentSkill, User, Queue, Customer, CustomerPhone, Product,
                 ContactHistory, Interaction)


@dataclass(frozen=True)
class SeedSummary:
    rows: dict[str, int] = field(default_factory=dict)  # table name -> rows written
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def seed_demo(
    engine: Engine,
    customers: int = 20_000,
    password: str = "demo",
    seed: int = 0,
    progress: Progress | None = None,
    today: date | None = None,
    roster: bool = True,
) -> SeedSummary:
    """Seed the demo bank into a migrated, empty database; returns rows written per table.

    Raises ``ValueError`` for ``customers < 1``, an empty password, or a database that
    already holds users or customers (see :func:`reset`).

    ``today`` (default: today in Seoul) ends the eight weeks of call history (the last day
    is yesterday) and anchors birth dates, product maturities and contact history.
    """
    if customers < 1:
        raise ValueError(f"customers must be >= 1, got {customers!r}")
    if not password:
        raise ValueError("password must not be empty")
    if is_seeded(engine):
        raise ValueError("the database already holds users or customers: reset it first")
    if today is None:
        today = (datetime.now(UTC) + timedelta(hours=9)).date()
    report = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    rows: dict[str, int] = {}
    with engine.begin() as conn:
        staff = _seed_people(conn, rng, password, rows)
        seed_hours(conn, today, rows)
        seed_standards(conn, today, rows)  # this year's service standards
        tiers = assign_tiers(rng, customers)
        offsets = (int(rng.integers(PHONE_SPACE)), int(rng.integers(PHONE_SPACE)))
        report("customers", 0, customers)
        big_tables = [table_of(m) for m in (Customer, CustomerPhone, Product, ContactHistory)]
        with deferred_indexes(conn, big_tables):
            _seed_customers(conn, rng, customers, tiers, offsets, staff, today, rows, report)
            report("indexes", 0, 1)
        report("indexes", 1, 1)
        calls = (inbound_frame(rng, today, tiers, staff), outbound_frame(rng, today, tiers, staff))
        total_calls = sum(len(frame["contact_id"]) for frame in calls)
        report("call history", 0, total_calls)
        for frame in calls:
            _write(conn, Interaction, frame, rows)
            report("call history", rows["interaction"], total_calls)
        # the report summaries read these days from the rows until rebuild-summaries runs
        midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
        mark_span_stale(conn, midnight - timedelta(days=60), midnight + timedelta(days=2))
        reset_sequences(conn, [table_of(m) for m in SEEDED_MODELS])
    _analyze(engine, report)
    seed_qa(engine, today, seed)  # the QA form, demo evaluations and coaching (app.seed.qa_forms)
    for table, count in seed_offers(engine, today, seed).items():  # life events, past offers
        rows[table] = rows.get(table, 0) + count
    for table, count in seed_leads(engine, today, seed).items():  # the agents' agendas
        rows[table] = rows.get(table, 0) + count
    rows["kb_article"] = seed_kb(engine)  # the knowledge base (app.seed.kb_articles)
    rows.update(seed_campaigns(engine, today))  # the demo campaigns (app.seed.campaigns)
    if roster:
        report("roster", 0, 1)
        try:
            seed_roster(engine, today)
            rows["roster"] = rows["roster_version"] = 1
        except ValueError as exc:  # the bank is seeded; a planner can build the roster later
            log.warning("the demo roster was not built: %s", exc)
        report("roster", 1, 1)
    return SeedSummary(rows=rows, seconds=time.perf_counter() - started)


def _analyze(engine: Engine, report: Progress) -> None:
    """Refresh the planner's statistics on PostgreSQL after the bulk load.

    Without them (until autovacuum gets round to it) the planner guesses, and e.g. the
    screen pop's "latest contacts of a customer" can walk the whole ``at`` index backwards.
    """
    if engine.dialect.name != "postgresql":
        return
    report("statistics", 0, 1)
    with engine.begin() as conn:
        preparer = conn.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table_of(m)) for m in SEEDED_MODELS)
        conn.exec_driver_sql(f"ANALYZE {names}")
    report("statistics", 1, 1)


def _seed_customers(conn: Connection, rng: np.random.Generator, customers: int,
                    tiers: np.ndarray, offsets: tuple[int, int], staff: Staff, today: date,
                    rows: dict[str, int], report: Progress) -> None:
    """Customers with their phones, products and contact history, chunk by chunk."""
    for start in range(0, customers, CHUNK_CUSTOMERS):
        ids = np.arange(start + 1, min(start + CHUNK_CUSTOMERS, customers) + 1, dtype=np.int64)
        chunk = tiers[start:start + len(ids)]
        frames = (
            (Customer, customer_frame(rng, ids, chunk, today, staff.manager_ids)),
            (CustomerPhone, _phones(rng, ids, rows.get("customerphone", 0) + 1, offsets)),
            (Product, product_frame(rng, ids, chunk, today, rows.get("product", 0) + 1)),
            (ContactHistory, contact_frame(
                rng, ids, chunk, today, rows.get("contacthistory", 0) + 1, staff.logins)),
        )
        for model, frame in frames:
            _write(conn, model, frame, rows)
        report("customers", int(ids[-1]), customers)


def _phones(rng: np.random.Generator, ids: np.ndarray, first_id: int,
            offsets: tuple[int, int]) -> Frame:
    """:func:`~app.seed.customers.phone_frame`, also for a chunk where nobody has a second line.

    That happens for a handful of customers (``--customers 1``, or a last chunk of one after
    50,000): ``phone_frame`` cannot format an empty list of landlines with numpy 2, so such
    a chunk gets its mobiles here, with the same draws from ``rng`` (the bank stays the same
    for a seed).
    """
    probe = np.random.Generator(type(rng.bit_generator)())
    probe.bit_generator.state = rng.bit_generator.state
    if (probe.random(len(ids)) < SECOND_PHONE_SHARE).any():
        return phone_frame(rng, ids, first_id, offsets)
    rng.random(len(ids))  # the draw phone_frame makes to pick second lines (none here)
    return {
        "id": np.arange(first_id, first_id + len(ids), dtype=np.int64),
        "customer_id": ids,
        "number": mobile_numbers(ids, offsets[0]).astype(object),
        "kind": np.full(len(ids), "mobile", dtype=object),
    }


def _seed_people(conn: Connection, rng: np.random.Generator, password: str,
                 rows: dict[str, int]) -> Staff:
    agents, skills, staff = agent_rows(rng)
    users = user_rows(agents, hash_password(password))
    for model, batch in ((Agent, agents), (AgentSkill, skills), (User, users),
                         (Queue, queue_rows())):
        conn.execute(insert(table_of(model)), batch)
        name = table_of(model).name
        rows[name] = rows.get(name, 0) + len(batch)
    return staff


def _write(conn: Connection, model: type[SQLModel], frame: Frame, rows: dict[str, int]) -> None:
    table = table_of(model)
    rows[table.name] = rows.get(table.name, 0) + write_frame(conn, table, frame)


def is_seeded(engine: Engine) -> bool:
    """True when the database already holds users or customers."""
    with engine.connect() as conn:
        for model in (User, Customer):
            if conn.execute(select(func.count()).select_from(table_of(model))).scalar_one():
                return True
    return False


def reset(engine: Engine) -> None:
    """Delete every row of every table in ``app.models`` (keeps the schema and its revision)."""
    from sqlmodel import SQLModel

    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            preparer = conn.dialect.identifier_preparer
            names = ", ".join(preparer.format_table(t) for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for table in tables:
            conn.execute(table.delete())
