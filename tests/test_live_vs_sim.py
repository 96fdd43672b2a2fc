"""One scripted scenario, one driver, two clocks: the live path and the simulator write the same events.

The story (fixed arrival times, queues, tiers, handle times, patience, ring and
wrap-up times, agents' shifts and a break) is data, :data:`SCRIPT_CONTACTS` and
:data:`AGENTS`, made into one scenario (:func:`scenario`).

* Simulator: ``simulations.center.CenterSimulation`` (the general path, virtual clock)
  fed the scripted callers through its public ``contacts=`` argument.
* Live: the app's engine task (``app.live``, the center's real-time kernel on a manual
  clock), its agents loaded from the database as in production, every event stored in
  the database, and the *same* driver (``simulations.driver.Driver`` with the scenario's
  ``ScenarioBehaviour``) attached to it: the callers' arrivals and the agents' duty plan
  are scheduled on the center, the driver observes the stored events and schedules its
  reactions there, the center applies each at its own time under the kernel's tie rule.

The live log (read back from the database) must equal the simulator's event list.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.live import get_services
from routing.engine import ContactSpec
from routing.events import ContactAnswered, Event
from simulations.callers import ScriptedContact
from simulations.center import CenterSimulation, ScenarioBehaviour, duty_plan
from simulations.driver import Driver
from simulations.kernel import AGENT_SCHEDULE, ARRIVAL
from simulations.scenario import Scenario, parse_scenario
from tests.app.live_helpers import live_client

RING_SECONDS = 2.5
WRAP_UP_SECONDS = {"deposits": 15.0, "vip": 20.0}
#: (agent, skills, shift start, shift end, breaks) in seconds from the scenario start.
AGENTS: tuple[tuple[str, dict[str, int], float, float, tuple[tuple[float, float], ...]], ...] = (
    ("agent01", {"deposits": 4, "vip": 2}, 0.0, 2400.0, ((900.0, 1200.0),)),
    ("agent02", {"deposits": 3}, 60.0, 3000.0, ()),
    ("agent03", {"vip": 5, "deposits": 1}, 120.0, 1800.0, ()),
)


def _contacts() -> list[tuple[float, str, str, float, float]]:
    """(arrived_at, queue, tier, handle_seconds, patience_seconds), in arrival order."""
    rng = np.random.default_rng(20261125)
    t, out = 30.0, []
    for _ in range(40):
        t = round(t + float(rng.exponential(55.0)) + 0.001, 3)
        vip = rng.random() < 0.3
        queue = "vip" if vip else "deposits"
        tier = str(rng.choice(["private_banker", "platinum"] if vip else ["gold", "core", "silver"]))
        handle = round(float(rng.exponential(150.0)) + 5.0, 3)
        patience = round(float(rng.exponential(90.0)) + 1.0, 3) if rng.random() < 0.8 else math.inf
        out.append((t, queue, tier, handle, patience))
    return out


SCRIPT_CONTACTS = _contacts()


# --- the simulator half ----------------------------------------------------------------


def scenario() -> Scenario:
    return parse_scenario({
        "interval_minutes": 60,
        "queues": [
            {"name": q, "calls_per_interval": [0], "aht_seconds": 100.0,
             "wrap_up_seconds": WRAP_UP_SECONDS[q]} for q in ("deposits", "vip")
        ],
        "roster": [
            {"agent_id": a, "skills": skills, "shifts": [{
                "day": 0, "start": start / 60, "end": end / 60,
                "breaks": [{"start": b / 60, "end": e / 60} for b, e in breaks]}]}
            for a, skills, start, end, breaks in AGENTS
        ],
        "routing": {"ring_seconds": RING_SECONDS},
    })


def scripted() -> list[ScriptedContact]:
    return [ScriptedContact(at, queue, tier, handle, patience)
            for at, queue, tier, handle, patience in SCRIPT_CONTACTS]


def simulator_events() -> list[Event]:
    sim = CenterSimulation(scenario(), np.random.default_rng(0), keep_events=True,
                           contacts=scripted())
    return sim.run().events


# --- the live half ---------------------------------------------------------------------


def live_events(client: Any, clock: Any) -> list[Event]:
    """The same driver on the live center: schedule the story, step the clock to each
    next due time until every caller is done, read the log back."""
    services = get_services(client.app)
    center, store = services.center, services.store
    s = scenario()
    driver = Driver(ScenarioBehaviour(s, np.random.default_rng(0)), center.port)
    center.observers.append(lambda now, stored: driver.observe(e for _, e in stored))
    for spec, plan in duty_plan(s):
        for at, move in plan:
            center.schedule(at, driver.duty(spec.agent_id, move), move, AGENT_SCHEDULE)
    for i, c in enumerate(sorted(scripted(), key=lambda c: c.arrived_at)):
        spec = ContactSpec(f"c{i}", c.queue, c.tier)
        center.schedule(c.arrived_at, driver.arrival(spec, c.handle_seconds, c.patience_seconds),
                        f"arrive c{i}", ARRIVAL)
    arrived_by = max(c[0] for c in SCRIPT_CONTACTS)
    while True:
        due = center.next_due()
        if due is None or (due > arrived_by and driver.open <= 0):
            break
        clock.set(max(due, clock.now()))
        client.portal.call(center.run_until, due)
    return [event for _, event in store.replay()]


def seed_agents(app: Any) -> None:
    from sqlmodel import Session, select

    from app.models import Agent, AgentSkill, Queue
    from app.testing import create_user

    with Session(app.state.engine) as session:
        session.add(Queue(name="vip", skill="vip"))
        session.commit()
    create_user(app, "agent03", "agent")
    with Session(app.state.engine) as session:
        for agent in session.exec(select(Agent)).all():
            for skill in session.exec(select(AgentSkill).where(AgentSkill.agent_id == agent.id)):
                session.delete(skill)
        session.commit()
        logins = {a.login: a.id for a in session.exec(select(Agent)).all()}
        for name, skills, *_ in AGENTS:
            for skill, level in skills.items():
                session.add(AgentSkill(agent_id=logins[name], skill=skill, proficiency=level))
        session.commit()



def test_live_path_and_simulator_write_identical_event_sequences(database_url: str) -> None:
    expected = simulator_events()
    with live_client(database_url, start=0.0, prepare=seed_agents) as (client, clock):
        live = live_events(client, clock)
    answered = sum(isinstance(e, ContactAnswered) for e in expected)
    abandoned = sum(e.type_name == "contact_abandoned" for e in expected)
    assert answered > 10 and abandoned > 3  # the script exercises both endings
    assert math.isfinite(expected[-1].at)
    for i, (a, b) in enumerate(zip(live, expected)):
        assert a == b, f"event {i} differs: live {a} vs simulator {b}"
    assert len(live) == len(expected), (live[len(expected):], expected[len(live):])
