"""The unassigned pool handed out by claims (app/pool_claims.py), on SQLite and PostgreSQL:
the batch in the builder's order, disjoint claims, lapse and renewal, logout, one entry's
claim before a dial, the supervisor's counts, and agents claiming at once from many threads
never getting the same entry."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app import dbmigrate
from app.db import make_engine
from app.models import Agent, Campaign, CampaignListEntry
from app.pool_claims import (
    ClaimedElsewhere,
    ClaimPolicy,
    claim_batch,
    claim_entry,
    held,
    pool_counts,
    release_claims,
    renew_claims,
)

DAY = date(2027, 2, 20)
NOW = datetime(2027, 2, 20, 1, 0, tzinfo=UTC)
AGENTS = 8
POLICY = ClaimPolicy(batch=3, idle_minutes=30)


def _pool(engine: Engine, size: int) -> None:
    """Two campaigns (priority 200 and 100) sharing ``size`` pool entries, plus one entry
    managed by agent 1; entry scores fall with the customer id."""
    with Session(engine) as s:
        for i in range(1, AGENTS + 1):
            s.add(Agent(id=i, login=f"a{i:02d}", name=f"A{i}"))
        s.add(Campaign(id=1, name="low", type="telesales", priority=100, created_at=NOW,
                       updated_at=NOW))
        s.add(Campaign(id=2, name="high", type="telesales", priority=200, created_at=NOW,
                       updated_at=NOW))
        s.flush()
        for cid in range(1, size + 1):
            s.add(CampaignListEntry(campaign_id=1 + cid % 2, list_date=DAY, customer_id=cid,
                                    agent_id=None, score=1.0 - cid / 1000, rank=cid,
                                    reason="birthday", built_at=NOW))
        s.add(CampaignListEntry(campaign_id=1, list_date=DAY, customer_id=10_000, agent_id=1,
                                score=0.1, rank=999, reason="birthday", built_at=NOW))
        s.commit()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    dbmigrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _claimed(engine: Engine, agent_id: int) -> list[int]:
    """The customers of the agent's claims, in the pool's order."""
    with Session(engine) as s:
        rows = s.exec(select(CampaignListEntry.customer_id)
                      .join(Campaign, col(Campaign.id) == CampaignListEntry.campaign_id)
                      .where(CampaignListEntry.claimed_by == agent_id)
                      .order_by(col(Campaign.priority).desc(),
                                col(CampaignListEntry.score).desc())).all()
        return list(rows)


def test_a_batch_in_the_builders_order_and_never_the_same_entry_twice(engine: Engine) -> None:
    _pool(engine, 10)
    with Session(engine) as s:
        assert claim_batch(s, 1, DAY, NOW, POLICY) == 3
        assert claim_batch(s, 1, DAY, NOW, POLICY) == 0  # already holds a batch
        assert claim_batch(s, 2, DAY, NOW, POLICY) == 3
        assert held(s, 1, DAY, NOW, POLICY) == 3
    # the high-priority campaign (odd customers) first, each by score
    assert _claimed(engine, 1) == [1, 3, 5]
    assert _claimed(engine, 2) == [7, 9, 2]
    with Session(engine) as s:  # the managed entry is agent 1's own, never claimed
        managed = s.exec(select(CampaignListEntry).where(
            CampaignListEntry.customer_id == 10_000)).one()
        assert managed.claimed_by is None
        assert claim_batch(s, 3, DAY + timedelta(days=1), NOW, POLICY) == 0  # no list


def test_an_idle_agents_claims_lapse_and_work_renews_them(engine: Engine) -> None:
    _pool(engine, 4)
    later = NOW + timedelta(minutes=31)
    with Session(engine) as s:
        assert claim_batch(s, 1, DAY, NOW, POLICY) == 3
        assert claim_batch(s, 2, DAY, NOW, POLICY) == 1
        assert renew_claims(s, 2, NOW + timedelta(minutes=20)) == 1
        # 31 minutes on: agent 1 did nothing (lapsed), agent 2 worked 11 minutes ago
        assert held(s, 1, DAY, later, POLICY) == 0 and held(s, 2, DAY, later, POLICY) == 1
        assert claim_batch(s, 3, DAY, later, POLICY) == 3
    assert _claimed(engine, 3) == [1, 3, 2] and _claimed(engine, 1) == []
    with Session(engine) as s:
        assert claim_batch(s, 1, DAY, later, POLICY) == 0  # the pool is taken
        assert release_claims(s, 3) == 3  # a logout
        assert claim_batch(s, 1, DAY, later, POLICY) == 3
    assert _claimed(engine, 1) == [1, 3, 2]


def test_one_entry_claimed_before_a_dial(engine: Engine) -> None:
    _pool(engine, 3)
    with Session(engine) as s:
        ids = {e.customer_id: e.id for e in s.exec(select(CampaignListEntry)).all()}
        assert claim_entry(s, ids[2], 1, NOW, POLICY)  # free: now agent 1's
        assert claim_entry(s, ids[2], 1, NOW, POLICY)  # theirs: renewed
        with pytest.raises(ClaimedElsewhere, match="claimed by agent a01") as refused:
            claim_entry(s, ids[2], 2, NOW, POLICY)
        assert refused.value.holder == "a01"
        # lapsed: anyone may take it
        assert claim_entry(s, ids[2], 2, NOW + timedelta(minutes=31), POLICY)
        assert not claim_entry(s, ids[10_000], 2, NOW, POLICY)  # agent 1's managed customer
        assert not claim_entry(s, 987_654, 2, NOW, POLICY)  # no such entry


def test_supervisor_counts_live_claims_per_agent(engine: Engine) -> None:
    _pool(engine, 5)
    with Session(engine) as s:
        claim_batch(s, 2, DAY, NOW, POLICY)
        claim_batch(s, 1, DAY, NOW + timedelta(minutes=10), ClaimPolicy(batch=1))
        counts = pool_counts(s, DAY, NOW + timedelta(minutes=15), POLICY)
        assert (counts.claimed, counts.unclaimed) == ([("a01", 1), ("a02", 3)], 1)
        counts = pool_counts(s, DAY, NOW + timedelta(minutes=35), POLICY)  # a02's lapsed
        assert (counts.claimed, counts.unclaimed) == ([("a01", 1)], 4)


def test_policy_names_the_field_at_fault() -> None:
    with pytest.raises(ValueError, match="batch"):
        ClaimPolicy(batch=-1)
    with pytest.raises(ValueError, match="idle_minutes"):
        ClaimPolicy(idle_minutes=0)


def test_agents_claiming_at_once_never_share_an_entry(engine: Engine) -> None:
    """Eight threads, each its own session and connection, claim batches of 5 from a pool
    of 60 at the same instant (a barrier before each round), then work their claims off
    (``done``) and claim again, three rounds: 120 asked for, 60 to give. The claims counted
    by the threads add up to the entries claimed (no entry went to two agents) and the
    whole pool was handed out."""
    _pool(engine, 60)
    policy = ClaimPolicy(batch=5, idle_minutes=30)
    barrier = threading.Barrier(AGENTS)
    got: dict[int, int] = dict.fromkeys(range(1, AGENTS + 1), 0)
    errors: list[BaseException] = []

    def agent(agent_id: int) -> None:
        try:
            with Session(engine) as s:
                for _ in range(3):
                    barrier.wait(timeout=30)
                    got[agent_id] += claim_batch(s, agent_id, DAY, NOW, policy)
                    s.execute(update(CampaignListEntry).where(
                        col(CampaignListEntry.claimed_by) == agent_id).values(status="done"))
                    s.commit()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(1, AGENTS + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with Session(engine) as s:
        rows = s.exec(select(CampaignListEntry.claimed_by).where(
            col(CampaignListEntry.agent_id).is_(None))).all()
    assert None not in rows and len(rows) == 60  # the whole pool handed out ...
    assert sum(got.values()) == 60  # ... each entry to one agent
    assert all(rows.count(a) == n <= 15 for a, n in got.items())
