"""The demo bank seed (app.seed), on SQLite and PostgreSQL.

One seed of 2,000 customers per backend is shared by the module. ``today`` is fixed at
2025-10-20 so the eight weeks of history hold Chuseok (lunar) and Hangul Day holidays
and paydays on business days.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path

import numpy as np
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from app import dbmigrate
from app.db import make_engine
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
from app.seed import is_seeded, reset, seed_demo
from app.seed.agents import QUEUES, agent_rows
from app.seed.history import history_days, inbound_frame, korean_holidays, paydays
from app.seed.progress import ProgressBar
from app.seed.tiers import TIERS, assign_tiers, tier_counts, top_share
from tests.conftest import _pg_schema_url

TODAY = date(2025, 10, 20)
N_CUSTOMERS = 2_000
PASSWORD = "s3cret-demo"
KST = timedelta(hours=9)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seed.db'}"
    else:
        database = request.getfixturevalue("pg_run_database")
        if database is None:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        url = _pg_schema_url(database)
    dbmigrate.upgrade(url)
    engine = make_engine(url)
    seed_demo(engine, customers=N_CUSTOMERS, password=PASSWORD, seed=7, today=TODAY)
    yield engine
    engine.dispose()


def _count(engine: Engine, model: type, *where: object) -> int:
    table = model.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _column(engine: Engine, *columns: object, where: tuple[object, ...] = ()) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return list(conn.execute(select(*columns).where(*where)).all())


def test_counts(seeded: Engine) -> None:
    assert _count(seeded, Customer) == N_CUSTOMERS
    assert _count(seeded, Agent) == 80
    assert _count(seeded, User) == 85
    assert _count(seeded, Queue) == 6
    assert _count(seeded, Product) > N_CUSTOMERS
    assert _count(seeded, ContactHistory) > N_CUSTOMERS
    assert 100_000 < _count(seeded, Interaction) < 300_000  # 8 weeks for 80 agents


def test_schema_still_matches_the_models_after_seeding(seeded: Engine) -> None:
    """The seed drops and rebuilds indexes and foreign keys on PostgreSQL: all are back."""
    assert dbmigrate.schema_diff(seeded.url.render_as_string(hide_password=False)) == []


def test_tier_proportions(seeded: Engine) -> None:
    tiers = Counter(t for (t,) in _column(seeded, Customer.value_tier))
    expected = dict(zip(TIERS, tier_counts(N_CUSTOMERS).tolist(), strict=True))
    assert tiers == expected
    counts = [tiers[t] for t in ("private_banker", "platinum", "gold", "silver", "core")]
    assert counts == sorted(counts)  # private banker smallest, core largest of the active
    assert 0.065 <= (tiers["private_banker"] + tiers["platinum"] + tiers["gold"]) / N_CUSTOMERS <= 0.075


def test_top_seven_percent_bring_ninety_percent_of_revenue(seeded: Engine) -> None:
    revenue = np.array([r for (r,) in _column(seeded, Customer.annual_revenue_krw)], dtype=float)
    assert (revenue >= 0).all()
    assert top_share(revenue, 0.07) == pytest.approx(0.90, abs=0.03)


def test_revenue_rule_holds_for_many_seeds() -> None:
    shares = []
    for s in range(10):
        rng = np.random.default_rng(s)
        from app.seed.tiers import annual_revenue_krw

        shares.append(top_share(annual_revenue_krw(rng, assign_tiers(rng, 20_000))))
    assert np.mean(shares) == pytest.approx(0.90, abs=0.01)


def test_phone_numbers_are_unique_e164(seeded: Engine) -> None:
    rows = _column(seeded, CustomerPhone.number, CustomerPhone.kind, CustomerPhone.customer_id)
    numbers = [n for n, _, _ in rows]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\+82(10|70)\d{8}", n) for n in numbers)
    mobile_owners = {c for _, k, c in rows if k == "mobile"}
    assert len(mobile_owners) == N_CUSTOMERS


def test_products_contacts_and_flags(seeded: Engine) -> None:
    kinds = Counter(k for (k,) in _column(seeded, Product.kind))
    assert set(kinds) == {"deposit", "loan", "card", "fund"}
    assert _count(seeded, Product, Product.kind == "deposit", Product.maturity_date.is_(None)) == 0
    assert _count(seeded, Product, Product.kind == "card", Product.maturity_date.is_not(None)) == 0
    channels = Counter(c for (c,) in _column(seeded, ContactHistory.channel))
    assert set(channels) == {"branch", "call_center", "web", "outbound"}
    assert _count(seeded, ContactHistory, ContactHistory.handled_by == "") == 0
    consent = _count(seeded, Customer, Customer.marketing_consent.is_(True))
    dnc = _count(seeded, Customer, Customer.do_not_call.is_(True))
    assert 0.3 * N_CUSTOMERS < consent < 0.7 * N_CUSTOMERS
    assert 0 < dnc < 0.15 * N_CUSTOMERS
    assert _count(seeded, Customer, Customer.do_not_call.is_(True),
                  Customer.marketing_consent.is_(True)) == 0


def test_relationship_managers_for_top_tiers(seeded: Engine) -> None:
    top = Customer.value_tier.in_(["private_banker", "platinum", "gold"])
    assert _count(seeded, Customer, top, Customer.relationship_manager_id.is_(None)) == 0
    assert _count(seeded, Customer, ~top, Customer.relationship_manager_id.is_not(None)) == 0
    managers = {m for (m,) in _column(seeded, Customer.relationship_manager_id, where=(top,))}
    vip_agents = {a for (a,) in _column(seeded, AgentSkill.agent_id, where=(AgentSkill.skill == "vip",))}
    assert managers <= vip_agents


def test_agents_sites_and_skills(seeded: Engine) -> None:
    agents = _column(seeded, Agent.login, Agent.site, Agent.career_level)
    assert sorted(a for a, _, _ in agents) == [f"agent{i:02d}" for i in range(1, 81)]
    assert {s for _, s, _ in agents} == {"seoul", "busan"}
    assert all(1 <= c <= 5 for _, _, c in agents)
    skills = _column(seeded, AgentSkill.skill, AgentSkill.proficiency)
    assert {s for s, _ in skills} == set(QUEUES)
    assert all(1 <= p <= 5 for _, p in skills)
    goals = dict(_column(seeded, Queue.name, Queue.service_level_goals))
    assert set(goals) == set(QUEUES)
    assert goals["vip"]["private_banker"] == {"target": 0.9, "threshold_seconds": 10}
    assert goals["deposits"]["core"] == {"target": 0.8, "threshold_seconds": 20}


def test_users_have_argon2_hashes_that_verify(seeded: Engine) -> None:
    users = _column(seeded, User.username, User.role, User.password_hash,
                    User.is_default_password, User.agent_id)
    roles = Counter(r for _, r, _, _, _ in users)
    assert roles == {"agent": 80, "supervisor": 2, "planner": 1, "qa": 1, "admin": 1}
    assert {u for u, *_ in users} >= {"supervisor01", "supervisor02", "planner01", "qa01", "admin"}
    hasher = PasswordHasher()
    for _, _, password_hash, default, _ in users:
        assert password_hash.startswith("$argon2id$")
        assert default is True
    assert hasher.verify(users[0][2], PASSWORD)
    logins = dict(_column(seeded, Agent.id, Agent.login))
    for username, role, _, _, agent_id in users:
        assert (role == "agent") == (agent_id is not None)
        if agent_id is not None:
            assert logins[agent_id] == username


def _inbound_per_day(engine: Engine) -> dict[date, int]:
    rows = _column(engine, Interaction.arrived_at, where=(Interaction.direction == "inbound",))
    per_day: dict[date, int] = Counter()
    for (at,) in rows:
        per_day[(at.astimezone(UTC) + KST).date()] += 1
    return per_day


def test_holidays_are_much_lower_and_paydays_higher(seeded: Engine) -> None:
    days = history_days(TODAY)
    assert days[-1] == TODAY - timedelta(days=1) and len(days) == 56
    closed = korean_holidays(days)
    assert date(2025, 10, 6) in closed  # Chuseok (lunar)
    pay = paydays(days, closed)
    per_day = _inbound_per_day(seeded)
    weekday_holidays = [d for d in days if d in closed and d.weekday() < 5]
    ordinary: dict[int, list[int]] = defaultdict(list)
    for d in days:
        if d.weekday() < 5 and d not in closed and d not in pay:
            ordinary[d.weekday()].append(per_day[d])
    normal = np.mean([np.mean(v) for v in ordinary.values()])
    assert len(weekday_holidays) >= 4
    assert max(per_day[d] for d in weekday_holidays) < 0.2 * normal
    for d in pay:  # each payday beats the ordinary days of its own weekday
        assert per_day[d] > 1.1 * np.mean(ordinary[d.weekday()]), d


def test_intraday_morning_peak_and_lunch_dip(seeded: Engine) -> None:
    rows = _column(seeded, Interaction.arrived_at, where=(Interaction.direction == "inbound",))
    half_hours = Counter()
    for (at,) in rows:
        local = at.astimezone(UTC) + KST
        half_hours[local.hour * 2 + local.minute // 30] += 1
    assert min(half_hours) >= 18 and max(half_hours) <= 35  # 09:00-18:00 KST
    morning = np.mean([half_hours[h] for h in (20, 21, 22)])  # 10:00-11:30
    lunch = np.mean([half_hours[h] for h in (24, 25)])  # 12:00-13:00
    assert morning > 1.4 * lunch


def test_interactions_are_consistent(seeded: Engine) -> None:
    rows = _column(seeded, Interaction.contact_id, Interaction.queue, Interaction.outcome,
                   Interaction.answered_at, Interaction.agent_id, Interaction.handle_seconds,
                   Interaction.arrived_at, Interaction.ended_at)
    assert len({r[0] for r in rows}) == len(rows)
    by_queue: dict[str, list[float]] = defaultdict(list)
    outcomes = Counter(r[2] for r in rows)
    for _, queue, outcome, answered, agent, handle, arrived, ended in rows:
        assert ended >= arrived
        if outcome == "answered":
            assert answered is not None and agent is not None and handle > 0
            by_queue[queue].append(handle)
        elif outcome in ("abandoned", "no_answer"):
            assert answered is None and handle is None
    inbound = outcomes["answered"] + outcomes["abandoned"]
    assert 0.02 < outcomes["abandoned"] / inbound < 0.15
    assert np.mean(by_queue["loans"]) > np.mean(by_queue["cards"])
    assert set(by_queue) == set(QUEUES)


def test_sequences_continue_after_the_seed(seeded: Engine) -> None:
    table = Customer.__table__  # type: ignore[attr-defined]
    with seeded.begin() as conn:
        new_id = conn.execute(insert(table).values(
            name="테스트", value_tier="core", lifecycle_stage="new", segment="mass",
            annual_revenue_krw=0, marketing_consent=False, do_not_call=False,
            time_zone="Asia/Seoul", home_branch="").returning(table.c.id)).scalar_one()
        conn.rollback()
    assert new_id == N_CUSTOMERS + 1


def test_same_seed_same_bank() -> None:
    frames = []
    for _ in range(2):
        rng = np.random.default_rng(3)
        _, _, staff = agent_rows(rng)
        frames.append(inbound_frame(rng, TODAY, assign_tiers(rng, 500), staff))
    for name in frames[0]:
        np.testing.assert_array_equal(np.ma.getdata(frames[0][name]), np.ma.getdata(frames[1][name]),
                                      err_msg=name)
        np.testing.assert_array_equal(np.ma.getmaskarray(frames[0][name]),
                                      np.ma.getmaskarray(frames[1][name]), err_msg=name)


def test_reset_empties_and_bad_size_is_refused(sqlite_url: str) -> None:
    dbmigrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with pytest.raises(ValueError, match="customers must be >= 1"):
            seed_demo(engine, customers=0)
        assert not is_seeded(engine)
        with engine.begin() as conn:
            conn.execute(insert(Agent.__table__).values(login="x", name="x", site="seoul",  # type: ignore[attr-defined]
                                                        team="", career_level=1, active=True))
            conn.execute(insert(User.__table__).values(username="x", password_hash="h", role="admin",  # type: ignore[attr-defined]
                                                       locale="ko", is_default_password=False, active=True))
        assert is_seeded(engine)
        with pytest.raises(ValueError, match="reset it first"):
            seed_demo(engine, customers=10)
        reset(engine)
        assert not is_seeded(engine)
        assert _count(engine, Agent) == 0
    finally:
        engine.dispose()


def test_progress_bar_writes_to_its_stream(tmp_path: Path) -> None:
    path = tmp_path / "progress.txt"
    with path.open("w") as stream:
        bar = ProgressBar(stream, interval_seconds=0.0)
        bar("customers", 0, 10)
        bar("customers", 10, 10)
    text = path.read_text()
    assert "customers" in text and "100.0%" in text and text.endswith("\n")
