"""The dialler on its own (simulations/dialer.py): one dial per idle agent in progressive
mode, the live answer connected at once when the dialler connects it, abandoned after the
2-second rule when no agent takes it; the lead source settles every dial; and a scenario's
daily list (``leads_per_day``) bounds the fresh leads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from routing.engine import AgentSpec, QueueConfig, RoutingEngine
from routing.events import (
    ContactAbandoned,
    ContactAnswered,
    DialAttempted,
    DialResult,
    DialResultName,
    Event,
    Party,
)
from simulations.dialer import Dialer, DialerSpec, ring_outcome
from simulations.driver import Action, Caller, Driver, Talk
from simulations.kernel import Kernel
from simulations.outbound import simulate_outbound
from simulations.outbound_scenario import OutboundScenarioError, scenario_from_dict
from telesales.pacing import CONNECT_LIMIT_SECONDS


@dataclass
class Lead:
    customer: str


@dataclass
class Leads:
    waiting: list[Lead]
    results: list[tuple[str, DialResultName]] = field(default_factory=list)

    def next_lead(self, now: float) -> Lead | None:
        return self.waiting.pop(0) if self.waiting else None

    def placed(self, lead: Lead, now: float) -> None:
        pass

    def settled(self, lead: Lead, result: DialResultName, now: float) -> int:
        self.results.append((lead.customer, result))
        return 1


class Figures:
    def __getattr__(self, name: str) -> Any:
        return lambda *args: None


class Nobody:
    """Customers only: no robot agent (the dialler connects its own answers)."""

    def ring_seconds(self, offer: Any) -> float:
        return 0.0

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(60.0)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return 0.0, None

    def party(self, queue: str) -> Party | None:
        return None

    def break_after_wrap_up(self, agent_id: str) -> None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        return False


def _run(ready: bool, seconds: float = 60.0) -> tuple[list[Event], Leads]:
    kernel: Kernel[Action] = Kernel()
    engine = RoutingEngine([QueueConfig(name="c", skill="c", aht_seconds=120.0)])
    events: list[Event] = []
    leads = Leads([Lead("7"), Lead("8"), Lead("9")])

    def port(at: float, priority: int, action: Action, label: str) -> None:
        kernel.schedule(at, priority, action)

    connector = Driver(Nobody(), port, driven=())
    dialer: Dialer[Lead] = Dialer(
        DialerSpec(mode="progressive", campaign="camp", queue="c", connect_on_offer=True),
        ["a1"], leads, lambda now: (5.0, "connected"), np.random.default_rng(1), port,
        connector, Figures(), events.append)

    def emit(batch: list[Event], at: float) -> None:
        events.extend(batch)
        connector.observe(batch)
        dialer.track_agents(batch)
        dialer.track(batch, at)

    emit([*engine.add_agent(AgentSpec("a1", {"c": 3}), 0.0), *engine.login("a1", 0.0)], 0.0)
    if ready:
        emit(engine.set_ready("a1", 0.0), 0.0)
    dialer.open = True
    dialer.pace(0.0)
    if not ready:  # progressive: no idle agent, no dial; force one to ring anyway
        dialer.agents = []
        dialer._dial(leads.waiting.pop(0), None, 0.0)
    while len(kernel):
        at, action = kernel.pop()
        if at > seconds:
            break
        emit(action(engine, at), at)
    return events, leads


def test_progressive_dials_one_lead_per_idle_agent_and_connects_it_at_once() -> None:
    events, leads = _run(ready=True)
    dials = [e for e in events if isinstance(e, DialAttempted)]
    assert [(d.at, d.customer_id, d.mode) for d in dials] == [(0.0, "7", "progressive")]
    answered = [e for e in events if isinstance(e, ContactAnswered)]
    assert [(a.at, a.contact_id, a.agent_id) for a in answered] == [(5.0, "d1", "a1")]
    assert [(r.result, r.at) for r in events if isinstance(r, DialResult)] == [
        ("connected", 5.0)]
    assert leads.results == [("7", "connected")]


def test_a_live_answer_nobody_takes_is_abandoned_after_two_seconds() -> None:
    events, leads = _run(ready=False)
    gone = [e for e in events if isinstance(e, ContactAbandoned)]
    assert [g.at for g in gone] == [5.0 + CONNECT_LIMIT_SECONDS]
    assert [(r.result, r.at) for r in events if isinstance(r, DialResult)] == [
        ("abandoned", 5.0 + CONNECT_LIMIT_SECONDS)]
    assert leads.results == [("7", "abandoned")]


def test_ring_outcome_shares() -> None:
    rng = np.random.default_rng(0)
    draws = [ring_outcome(rng, 0.3, 0.5, 0.2, 25.0)[1] for _ in range(20_000)]
    share = {r: draws.count(r) / len(draws) for r in set(draws)}
    assert share["connected"] == pytest.approx(0.3, abs=0.015)
    assert share["machine"] == pytest.approx(0.35, abs=0.015)
    assert share["busy"] == pytest.approx(0.14, abs=0.015)
    assert share["no_answer"] == pytest.approx(0.21, abs=0.015)


def test_leads_per_day_bounds_the_fresh_leads() -> None:
    base = {"agents": 12, "answer_rate": 0.3, "aht_seconds": 180, "mode": "progressive"}
    run = simulate_outbound(scenario_from_dict({**base, "leads_per_day": 40}), 2,
                            np.random.default_rng(3), keep_events=True)
    customers = {e.customer_id for e in run.events if isinstance(e, DialAttempted)}
    assert len(customers) == 80  # 40 a day, all dialled (12 agents have time for more)
    unbounded = simulate_outbound(scenario_from_dict(base), 1, np.random.default_rng(3))
    assert unbounded.summary()["dials"] > run.summary()["dials"]
    with pytest.raises(OutboundScenarioError) as exc:
        scenario_from_dict({**base, "leads_per_day": 0})
    assert exc.value.field == "leads_per_day"
