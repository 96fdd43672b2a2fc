"""One scripted scenario through the live path and through the simulator: the same events.

The story (fixed arrival times, queues, tiers, handle times, patience, ring and
wrap-up times, agents' shifts and a break) is data, :data:`SCRIPT`.

* Simulator: ``simulations.center.CenterSimulation`` (the general path) on a
  scenario with the same queues, roster and ring time, fed the scripted callers
  through its public ``contacts=`` argument (``ScriptedContact``).
* Live: the app's engine task (``app.live``) on a manual clock, fed exactly as in
  production: arrivals and abandons the way the telephony adapter feeds them
  (``center.submit``), every agent action through the console API over HTTP as
  that agent (login, ready, answer, hang up, wrap up, not-ready, logout), timers by
  the center itself. A small script runner plays the callers and agents with the
  simulator's rules (answer ``ring_seconds`` after an offer, hang up after the
  handle time, wrap up, take a due break or leave after the call in hand).

The live log (read back from the database) must equal the simulator's event list.
"""

from __future__ import annotations

import heapq
import itertools
import math
from typing import Any

import numpy as np

from app.live import get_services
from app.testing import login
from routing.engine import ContactSpec
from routing.events import (
    AgentStateChanged,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    Event,
    WrapUpEnded,
)
from simulations.callers import ScriptedContact
from simulations.center import CenterSimulation
from simulations.scenario import parse_scenario
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


def simulator_events() -> list[Event]:
    scenario = parse_scenario({
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
    contacts = [ScriptedContact(at, queue, tier, handle, patience)
                for at, queue, tier, handle, patience in SCRIPT_CONTACTS]
    sim = CenterSimulation(scenario, np.random.default_rng(0), keep_events=True, contacts=contacts)
    return sim.run().events


# --- the live half ---------------------------------------------------------------------

DUTY, COMPLETION, TIMER, ABANDON, ARRIVAL = 0, 1, 2, 3, 4  # tie order, as the simulator's kernel


class LiveScript:
    """Plays :data:`SCRIPT_CONTACTS` and :data:`AGENTS` against the app, as people and phones would."""

    def __init__(self, client: Any, clock: Any) -> None:
        self.client, self.clock = client, clock
        self.center = get_services(client.app).center
        self.store = get_services(client.app).store
        self.heap: list[tuple[float, int, int, str, Any]] = []
        self.seq = itertools.count()
        self.state: dict[str, str] = {}
        self.pending: dict[str, str] = {}
        self.ringing: dict[str, str] = {}
        self.talking_with: dict[str, str] = {}
        self.done: set[str] = set()
        self.arrived = 0
        self.open = 0  # callers arrived and not finished: the simulator stops when none is left
        self.last_seq = 0
        self.sessions: dict[str, tuple[dict[str, str], str]] = {}
        for name, *_ in AGENTS:
            client.cookies.clear()
            login(client, name)
            self.sessions[name] = (dict(client.cookies), client.headers["X-CSRF-Token"])

    def push(self, at: float, priority: int, kind: str, payload: Any) -> None:
        heapq.heappush(self.heap, (at, priority, next(self.seq), kind, payload))

    def post(self, agent: str, path: str, body: dict[str, Any] | None = None) -> None:
        cookies, csrf = self.sessions[agent]
        self.client.cookies.clear()
        for key, value in cookies.items():
            self.client.cookies.set(key, value)
        response = self.client.post(f"/api/console/{path}", json=body,
                                    headers={"X-CSRF-Token": csrf})
        assert response.status_code == 200, (agent, path, response.text)

    def submit(self, action: Any) -> None:
        self.client.portal.call(self.center.submit, action)

    def run(self) -> list[Event]:
        for name, _skills, start, end, breaks in AGENTS:
            self.push(start, DUTY, "login", name)
            for b, e in breaks:
                self.push(b, DUTY, "break", name)
                self.push(e, DUTY, "back", name)
            self.push(end, DUTY, "logout", name)
        for i, (at, _q, _t, _h, patience) in enumerate(SCRIPT_CONTACTS):
            self.push(at, ARRIVAL, "arrive", i)
            if patience < math.inf:
                self.push(at + patience, ABANDON, "abandon", f"c{i}")
        while self.heap:
            if self.arrived == len(SCRIPT_CONTACTS) and self.open <= 0:
                break
            deadline = self.center.engine.next_deadline()
            if deadline is not None and deadline < self.heap[0][0]:
                self.clock.set(deadline)
                self.client.portal.call(self.center.run_until, deadline)
            else:
                at, _, _, kind, payload = heapq.heappop(self.heap)
                self.clock.set(at)
                self.act(kind, payload)
            self.react()
        return [event for _, event in self.store.replay()]

    def react(self) -> None:
        for seq, ev in self.store.replay(self.last_seq):
            self.last_seq = seq
            if isinstance(ev, AgentStateChanged):
                self.state[ev.agent_id] = ev.state
            elif isinstance(ev, WrapUpEnded):
                self.open -= 1
            elif isinstance(ev, ContactOffered):
                self.ringing[ev.agent_id] = ev.contact_id
                self.push(ev.at + RING_SECONDS, COMPLETION, "answer", ev)
            elif isinstance(ev, ContactAnswered):
                self.done.add(ev.contact_id)
                self.talking_with[ev.contact_id] = ev.agent_id
                handle = SCRIPT_CONTACTS[int(ev.contact_id[1:])][3]
                self.push(ev.at + handle, COMPLETION, "hangup", ev.contact_id)
            elif isinstance(ev, ContactEnded) and ev.agent_id is not None:
                queue = SCRIPT_CONTACTS[int(ev.contact_id[1:])][1]
                self.push(ev.at + WRAP_UP_SECONDS[queue], COMPLETION, "wrapup", ev.agent_id)

    def act(self, kind: str, payload: Any) -> None:
        if kind == "arrive":
            _at, queue, tier, _h, _p = SCRIPT_CONTACTS[payload]
            spec = ContactSpec(f"c{payload}", queue, tier)
            self.arrived += 1
            self.open += 1
            self.submit(lambda eng, now: eng.arrive(spec, now))
        elif kind == "abandon":
            if payload not in self.done:
                self.done.add(payload)
                self.open -= 1
                self.submit(lambda eng, now: eng.abandon(payload, now))
        elif kind == "answer":
            agent = payload.agent_id
            if self.ringing.get(agent) == payload.contact_id and self.state.get(agent) == "reserved":
                self.post(agent, "answer", {"contact_id": payload.contact_id})
        elif kind == "hangup":
            self.post(self.talking_with[payload], "hangup", {"contact_id": payload})
        elif kind == "wrapup":
            move = self.pending.pop(payload, None)
            if move is None:
                self.post(payload, "wrapup", {})
            else:
                self.post(payload, "not-ready", {"reason": "break" if move == "break" else "shift_end"})
                if move == "logout":
                    self.post(payload, "logout")
        else:
            self.duty(kind, payload)

    def duty(self, what: str, agent: str) -> None:
        state = self.state.get(agent, "logged_out")
        if what == "login":
            self.pending.pop(agent, None)
            if state == "logged_out":
                self.post(agent, "login")
                self.post(agent, "ready")
        elif what == "logout":
            if state in ("ready", "not_ready"):
                self.post(agent, "logout")
            elif state != "logged_out":
                self.pending[agent] = "logout"
        elif what == "break":
            if state == "ready":
                self.post(agent, "not-ready", {"reason": "break"})
            elif state != "logged_out":
                self.pending[agent] = "break"
        elif what == "back":
            if self.pending.get(agent) == "break":
                del self.pending[agent]
            elif state == "not_ready":
                self.post(agent, "ready")


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
        live = LiveScript(client, clock).run()
    answered = sum(isinstance(e, ContactAnswered) for e in expected)
    abandoned = sum(e.type_name == "contact_abandoned" for e in expected)
    assert answered > 10 and abandoned > 3  # the script exercises both endings
    for i, (a, b) in enumerate(zip(live, expected)):
        assert a == b, f"event {i} differs: live {a} vs simulator {b}"
    assert len(live) == len(expected), (live[len(expected):], expected[len(live):])
