"""The routing indexes and the policy's priority formula."""

from __future__ import annotations

import random

import pytest

from routing.agent_state import AgentRecord, AgentState
from routing.contact_state import ContactRecord, ContactState
from routing.events import TIERS
from routing.matching import LazyHeap, ReadyAgentIndex, WaitingLines
from routing.policy import (
    DEFAULT_SERVICE_LEVEL_GOALS,
    ExpansionStep,
    QueueConfig,
    RoutingPolicy,
    ServiceLevelGoal,
)

# --- policy -------------------------------------------------------------------


def test_effective_priority_formula() -> None:
    policy = RoutingPolicy(ageing_seconds_per_level=60.0)
    assert policy.effective_priority("private_banker", 0.0) == 0.0
    assert policy.effective_priority("core", 0.0) == 4.0
    assert policy.effective_priority("core", 120.0) == pytest.approx(2.0)
    strict = RoutingPolicy(ageing_seconds_per_level=None)
    assert strict.effective_priority("core", 1e6) == 4.0


def test_priority_key_orders_as_effective_priority_at_any_time() -> None:
    policy = RoutingPolicy(ageing_seconds_per_level=30.0)
    contacts = [("gold", 0.0, 1), ("core", -70.0, 2), ("private_banker", 5.0, 3), ("core", 1.0, 4)]
    by_key = sorted(contacts, key=lambda c: policy.priority_key(*c))
    for now in (10.0, 100.0, 1000.0):
        by_p = sorted(contacts, key=lambda c: (policy.effective_priority(c[0], now - c[1]), c[1]))
        assert by_p == by_key


def test_policy_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="ring_timeout_seconds"):
        RoutingPolicy(ring_timeout_seconds=0)
    with pytest.raises(ValueError, match="selection"):
        RoutingPolicy(selection="random")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tier_rank lacks tier"):
        RoutingPolicy(tier_rank={"gold": 1})
    with pytest.raises(ValueError, match="preferred_agent_wait_seconds"):
        RoutingPolicy(preferred_agent_wait_seconds=-1)


def test_queue_config_validation_and_thresholds() -> None:
    with pytest.raises(ValueError, match="min_proficiency"):
        QueueConfig("q", "s", min_proficiency=6)
    with pytest.raises(ValueError, match="after_seconds order"):
        QueueConfig("q", "s", expansion=(ExpansionStep(20, "a"), ExpansionStep(10, "b")))
    with pytest.raises(ValueError, match="after_seconds"):
        ExpansionStep(0, "a")
    q = QueueConfig("cards", "cards", min_proficiency=4,
                    expansion=(ExpansionStep(10, "cards", 1), ExpansionStep(30, "general")))
    assert q.threshold_for({"cards": 5}) == 0.0
    assert q.threshold_for({"cards": 2}) == 10
    assert q.threshold_for({"general": 1, "cards": 2}) == 10
    assert q.threshold_for({"general": 3}) == 30
    assert q.threshold_for({"loans": 5}) is None


def test_service_level_goals_per_tier() -> None:
    q = QueueConfig("q", "s", service_level_goals={"gold": ServiceLevelGoal(15, 0.85)})
    assert q.goal_for("gold") == ServiceLevelGoal(15, 0.85)
    assert q.goal_for("private_banker") == ServiceLevelGoal(10, 0.9)
    assert set(DEFAULT_SERVICE_LEVEL_GOALS) == set(TIERS)
    with pytest.raises(ValueError, match="target"):
        ServiceLevelGoal(10, 1.5)


# --- heaps --------------------------------------------------------------------


def test_lazy_heap_drops_stale_entries_and_compacts() -> None:
    alive: set[int] = set()
    heap: LazyHeap[tuple[int]] = LazyHeap()

    def valid(e: tuple[int]) -> bool:
        return e[0] in alive

    for i in range(1000):
        alive.add(i)
        heap.push((i,), valid)
        if i % 10:
            alive.discard(i)
            heap.live -= 1
    assert heap.live == 100
    assert len(heap.entries) <= 2 * heap.live + 64
    assert heap.head(valid) == (0,)
    alive.discard(0)
    assert heap.head(valid) == (10,)


def _agent(aid: str, skills: dict[str, int], site: str, idle: float, seq: int) -> AgentRecord:
    agent = AgentRecord(aid, skills, site, 0.0)
    agent.state = AgentState.READY
    agent.idle_since = idle
    agent.ready_seq = seq
    return agent


def test_ready_index_best_by_proficiency_then_idle_and_by_idle_only() -> None:
    agents: dict[str, AgentRecord] = {}
    index = ReadyAgentIndex(agents)
    for i, (skills, site, idle) in enumerate([
        ({"cards": 3}, "seoul", 1.0),
        ({"cards": 5}, "seoul", 5.0),
        ({"cards": 5}, "seoul", 4.0),
        ({"cards": 2}, "busan", 0.0),
        ({"loans": 5}, "seoul", -1.0),
    ]):
        agents[f"a{i}"] = _agent(f"a{i}", skills, site, idle, i + 1)
        index.add(agents[f"a{i}"])
    both = ["seoul", "busan"]
    assert index.best([("cards", 1)], both, by_proficiency=True) is agents["a2"]
    assert index.best([("cards", 1)], both, by_proficiency=False) is agents["a3"]
    assert index.best([("cards", 1)], ["seoul"], by_proficiency=False) is agents["a0"]
    assert index.best([("cards", 4)], ["busan"], by_proficiency=True) is None
    assert index.best([("cards", 1), ("loans", 1)], ["seoul"], by_proficiency=False) is agents["a4"]
    assert index.count("cards", 3) == 3
    index.remove(agents["a2"])
    agents["a2"].state = AgentState.RESERVED
    assert index.best([("cards", 1)], both, by_proficiency=True) is agents["a1"]
    assert index.count("cards", 3) == 2


def test_best_in_pool_is_best_over_every_site_as_agents_come_and_go() -> None:
    """``best_in_pool`` lists a pool's heaps once; a heap made later (a new site, a new
    proficiency) must count at once, and its answer is always ``best``'s at every site."""
    rng = random.Random(7)
    agents: dict[str, AgentRecord] = {}
    index = ReadyAgentIndex(agents)
    sites = ["seoul", "busan", "jeju"]
    seq = 0
    for step in range(400):
        ready = [a for a in agents.values() if a.state is AgentState.READY]
        if ready and rng.random() < 0.4:
            gone = rng.choice(ready)
            index.remove(gone)
            gone.state = AgentState.RESERVED
        else:
            seq += 1
            aid = f"a{step % 60}"
            agent = agents.get(aid)
            if agent is not None and agent.state is AgentState.READY:
                continue
            skills = {"cards": rng.randint(1, 5)} if rng.random() < 0.8 else {"loans": 3}
            # the third site only after a while: its heaps are made after the first lookups
            site = rng.choice(sites if step > 200 else sites[:2])
            agents[aid] = _agent(aid, skills, site, float(rng.randint(0, 50)), seq)
            index.add(agents[aid])
        for level in (1, 3, 5):
            for by_proficiency in (True, False):
                assert index.best_in_pool("cards", level, by_proficiency) is index.best(
                    [("cards", level)], list(index.sites), by_proficiency
                )


def test_best_in_pool_sees_a_site_that_arrives_after_the_first_lookup() -> None:
    agents: dict[str, AgentRecord] = {}
    index = ReadyAgentIndex(agents)
    agents["s"] = _agent("s", {"cards": 3}, "seoul", 10.0, 1)
    index.add(agents["s"])
    assert index.best_in_pool("cards", 1, by_proficiency=False) is agents["s"]
    agents["b"] = _agent("b", {"cards": 3}, "busan", 5.0, 2)  # idle longer, a new site
    index.add(agents["b"])
    assert index.best_in_pool("cards", 1, by_proficiency=False) is agents["b"]


def test_waiting_lines_heads_are_the_longest_waiting_per_line() -> None:
    contacts: dict[str, ContactRecord] = {}
    lines = WaitingLines(contacts)
    for i, (tier, site, since) in enumerate([
        ("gold", None, 5.0), ("gold", None, 1.0), ("core", None, 0.0), ("gold", "busan", 2.0),
    ]):
        c = ContactRecord(f"c{i}", "q", tier, TIERS.index(tier), since, i, (0.0, since, i))
        c.site = site
        contacts[c.contact_id] = c
        lines.add(c, 100 + i)
    heads = {(c.tier, site): c.contact_id for site, c in lines.heads("q")}
    assert heads == {("gold", None): "c1", ("core", None): "c2", ("gold", "busan"): "c3"}
    lines.remove(contacts["c1"])
    contacts["c1"].state = ContactState.OFFERED
    heads = {(c.tier, site): c.contact_id for site, c in lines.heads("q")}
    assert heads[("gold", None)] == "c0"
    assert sorted(c.contact_id for c in lines.members("q")) == ["c0", "c2", "c3"]
    assert list(lines.heads("other")) == []
