"""Property tests: random operation sequences against the engine's invariants.

A hypothesis state machine drives one engine with random agents, contacts and
actions (including illegal ones), advancing the clock through every deadline,
and after each step checks, by brute force over the public views:

* an offer goes only to an agent who was ready, and who is eligible: the
  queue's skill at its minimum proficiency, or an expansion step's skill once
  the caller has waited long enough, at the caller's site unless overflowed;
  or the caller's preferred agent (on the contact's first offer only) /
  direct-transfer target (while the transfer waits for them);
* higher priority first except where ageing says otherwise: no contact still
  waiting that the offered agent could have taken has a better priority key;
* the engine is work-conserving: no ready agent is eligible for a contact
  waiting in a line;
* a caller keeps their place (arrival time and sequence number) for life;
* one contact per agent and one agent per contact, with matching states;
* a refused call (IllegalTransition / RoutingError, unknown ids) changes
  nothing, the clock included: calls refused at a far-future time are mixed
  in, and no later call at the machine's own time may then fail with
  ClockError;
* callbacks whose dial is not answered wait for their retry outside every
  line (not offered, not counted against work conservation) and keep their place;
* the same calls give the same events (the whole run is replayed at the end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from routing import events as ev
from routing.engine import (
    CALLBACK_DIAL_FAILURES,
    AgentSpec,
    ContactSpec,
    ExpansionStep,
    QueueConfig,
    RoutingEngine,
    RoutingError,
    RoutingPolicy,
)
from routing.errors import ClockError
from routing.views import ContactView

QUEUES = [
    QueueConfig("cards", "cards", min_proficiency=3,
                expansion=(ExpansionStep(10.0, "cards", 1), ExpansionStep(25.0, "general", 2))),
    QueueConfig("loans", "loans", expansion=(ExpansionStep(30.0, "general", 1),)),
]
SKILLS = ("cards", "loans", "general")
SITES = ("seoul", "busan")
AGENT_IDS = tuple(f"a{i}" for i in range(7))

skills_st = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), min_size=1, max_size=3)
policy_st = st.builds(
    RoutingPolicy,
    ring_timeout_seconds=st.sampled_from([None, 15.0]),
    ageing_seconds_per_level=st.sampled_from([None, 20.0, 60.0]),
    preferred_agent_wait_seconds=st.sampled_from([0.0, 20.0]),
    selection=st.sampled_from(["proficiency_then_longest_idle", "longest_idle"]),
    overflow_after_seconds=st.sampled_from([None, 0.0, 40.0]),
    direct_transfer_wait_seconds=st.sampled_from([None, 10.0, 30.0]),
    callback_max_attempts=st.sampled_from([1, 2, 3]),
    callback_retry_delay_seconds=st.sampled_from([5.0, 40.0]),
)

WAITING_LIKE = {"queued"}
PAIRED = {"offered": "reserved", "connected": "talking", "held": "hold"}


class EngineMachine(RuleBasedStateMachine):
    @initialize(policy=policy_st,
                staff=st.lists(st.tuples(skills_st, st.sampled_from(SITES)), min_size=1, max_size=4))
    def setup(self, policy: RoutingPolicy, staff: list[tuple[dict[str, int], str]]) -> None:
        self.policy = policy
        self.engine = RoutingEngine(QUEUES, policy)
        self.queues = {q.name: q for q in QUEUES}
        self.now = 0.0
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.outputs: list[list[ev.Event] | str] = []
        self.agents: dict[str, AgentSpec] = {}
        self.contacts: list[str] = []
        self.places: dict[str, tuple[float, int]] = {}
        self.direct: dict[str, str] = {}
        self.offered: set[str] = set()
        self.serial = 0
        self.contact_specs: dict[str, ContactSpec] = {}
        self.pending: str | None = None
        for agent_id, (skills, site) in zip(AGENT_IDS, staff, strict=False):
            self.add_agent(agent_id, skills, site, ready=True)

    # --- calling the engine -----------------------------------------------------------

    def call(self, name: str, *args: Any, **kwargs: Any) -> list[ev.Event] | None:
        before = self.snapshot()
        self.calls.append((name, args, kwargs))
        try:
            out: list[ev.Event] = getattr(self.engine, name)(*args, **kwargs)
        except RoutingError as exc:  # includes IllegalTransition
            assert not isinstance(exc, ClockError), f"{name}{args}: a refused call moved the clock"
            self.outputs.append(type(exc).__name__)
            assert self.snapshot() == before, f"{name}{args} raised {exc} but changed state"
            return None
        self.outputs.append(out)
        self.check_offers(out, before)
        for event in out:
            if isinstance(event, ev.ContactTransferTimedOut):  # back in its queue's line
                assert self.direct.pop(event.contact_id) == event.agent_id
        return out

    def refuse(self, name: str, *args: Any, **kwargs: Any) -> None:
        """A call the engine must refuse; it must change nothing (clock included)."""
        before = self.snapshot()
        self.calls.append((name, args, kwargs))
        try:
            getattr(self.engine, name)(*args, **kwargs)
        except (KeyError, ValueError) as exc:  # unknown ids, routing errors, bad arguments
            self.outputs.append(type(exc).__name__)
        else:
            raise AssertionError(f"{name}{args} should have been refused")
        assert self.snapshot() == before, f"refused {name}{args} changed state"

    def snapshot(self) -> tuple[Any, ...]:
        return (
            tuple(self.engine.agents_snapshot()),
            tuple(self.engine.contact_view(c) for c in self.contacts),
            self.engine.next_deadline(),
        )

    def views(self) -> dict[str, ContactView]:
        ids = [*self.contacts, self.pending] if self.pending not in (None, *self.contacts) else self.contacts
        return {c: self.engine.contact_view(c) for c in ids if c is not None}

    # --- eligibility, by the rules written down once more ---------------------------------

    def eligible(self, agent_id: str, view: ContactView) -> bool:
        spec = self.agents[agent_id]
        waited = self.now
        threshold = self.queues[view.queue].threshold_for(spec.skills)
        if threshold is None or waited < view.arrived_at + threshold:
            return False
        overflow = self.policy.overflow_after_seconds
        return (view.site is None or view.site == spec.site
                or (overflow is not None and waited >= view.arrived_at + overflow))

    def key(self, view: ContactView) -> tuple[float, float, int]:
        return self.policy.priority_key(view.tier, view.arrived_at, view.order)

    def check_offers(self, out: list[ev.Event], before: tuple[Any, ...]) -> None:
        views = self.views()
        for i, event in enumerate(out):
            if not isinstance(event, ev.ContactOffered):
                continue
            change = out[i + 1]
            assert isinstance(change, ev.AgentStateChanged)
            assert (change.agent_id, change.state, change.previous) == (
                event.agent_id, "reserved", "ready"), out
            view = views[event.contact_id]
            first = event.contact_id not in self.offered
            self.offered.add(event.contact_id)
            if self.direct.get(event.contact_id) == event.agent_id:
                del self.direct[event.contact_id]  # the transfer reached its target
                continue
            if first and self.spec_of(event.contact_id).preferred_agent_id == event.agent_id:
                continue
            assert self.eligible(event.agent_id, view), (event, view, self.agents[event.agent_id])
            better = [
                v for v in views.values()
                if v.state == "queued" and v.reserved_for is None and v.retry_at is None
                and self.key(v) < self.key(view) and self.eligible(event.agent_id, v)
            ]
            assert not better, (event, better)

    def spec_of(self, contact_id: str) -> ContactSpec:
        return self.contact_specs[contact_id]

    # --- rules ----------------------------------------------------------------------------

    @rule(agent_id=st.sampled_from(AGENT_IDS), skills=skills_st, site=st.sampled_from(SITES),
          ready=st.booleans())
    def add_agent(self, agent_id: str, skills: dict[str, int], site: str, ready: bool) -> None:
        if agent_id in self.agents:
            return
        spec = AgentSpec(agent_id, skills, site)
        self.agents[agent_id] = spec
        self.call("add_agent", spec, self.now)
        self.call("login", agent_id, self.now)
        if ready:
            self.call("set_ready", agent_id, self.now)

    @rule(data=st.data())
    def agent_frees(self, data: st.DataObject) -> None:
        """The common moves: wrap-up ends, a not-ready agent comes back."""
        agents = [a for a in self.engine.agents_snapshot() if a.state in ("wrap_up", "not_ready")]
        if agents:
            agent = data.draw(st.sampled_from(agents))
            self.call("set_ready", agent.agent_id, self.now)

    @rule(agent=st.sampled_from(AGENT_IDS),
          action=st.sampled_from(["set_ready", "set_not_ready", "logout", "login", "end_wrap_up"]))
    def agent_action(self, agent: str, action: str) -> None:
        """Any move, legal or not."""
        if agent not in self.agents:
            return
        if action == "set_not_ready":
            self.call(action, agent, self.now, "break")
        else:
            self.call(action, agent, self.now)

    @rule(queue=st.sampled_from(["cards", "loans"]), tier=st.sampled_from(ev.TIERS),
          site=st.sampled_from([None, *SITES]),
          preferred=st.sampled_from([None, None, None, *AGENT_IDS[:3]]))
    def arrive(self, queue: str, tier: str, site: str | None, preferred: str | None) -> None:
        self.serial += 1
        spec = ContactSpec(f"c{self.serial}", queue, tier, site=site, preferred_agent_id=preferred)
        self.contact_specs[spec.contact_id] = spec
        self.pending = spec.contact_id
        self.call("arrive", spec, self.now)
        self.contacts.append(spec.contact_id)

    def pick(self, data: st.DataObject, states: set[str]) -> ContactView | None:
        views = [v for v in self.views().values() if v.state in states]
        return data.draw(st.sampled_from(views)) if views else None

    @rule(data=st.data())
    def answer(self, data: st.DataObject) -> None:
        view = self.pick(data, {"offered"})
        if view is not None:
            assert view.agent_id is not None
            self.call("answer", view.contact_id, view.agent_id, self.now)

    @rule(data=st.data(), action=st.sampled_from(["hang_up", "hold", "retrieve", "hang_up"]))
    def talk(self, data: st.DataObject, action: str) -> None:
        view = self.pick(data, {"connected", "held"})
        if view is not None:
            self.call(action, view.contact_id, self.now)

    @rule(data=st.data(), to_queue=st.sampled_from([None, "cards", "loans"]),
          to_agent=st.sampled_from(AGENT_IDS))
    def transfer(self, data: st.DataObject, to_queue: str | None, to_agent: str) -> None:
        view = self.pick(data, {"connected", "held"})
        if view is None or (to_queue is None and to_agent not in self.agents):
            return
        if to_queue is not None:
            self.direct.pop(view.contact_id, None)
            self.call("transfer", view.contact_id, self.now, to_queue=to_queue)
        else:
            previous = self.direct.get(view.contact_id)
            self.direct[view.contact_id] = to_agent
            if self.call("transfer", view.contact_id, self.now, to_agent=to_agent) is None:
                if previous is None:
                    del self.direct[view.contact_id]
                else:
                    self.direct[view.contact_id] = previous

    @rule(data=st.data(), action=st.sampled_from(["abandon", "request_callback", "abandon"]))
    def caller(self, data: st.DataObject, action: str) -> None:
        view = self.pick(data, {"queued", "offered", "connected"})
        if view is not None:
            self.call(action, view.contact_id, self.now)

    @rule(data=st.data(), result=st.sampled_from(CALLBACK_DIAL_FAILURES))
    def callback_dial(self, data: st.DataObject, result: str) -> None:
        """The dial of an offered or taken callback does not reach the customer."""
        views = [v for v in self.views().values()
                 if v.callback and v.state in ("offered", "connected", "held")]
        if views:
            view = data.draw(st.sampled_from(views))
            self.call("callback_not_reached", view.contact_id, self.now, result=result)

    @rule(data=st.data(), which=st.sampled_from([
        "set_ready", "set_not_ready", "logout", "login", "end_wrap_up", "set_skills",
        "arrive", "answer", "hold", "retrieve", "hang_up", "transfer", "abandon",
        "request_callback", "callback_not_reached", "add_agent",
    ]))
    def refused_in_the_future(self, data: st.DataObject, which: str) -> None:
        """A call refused at a far-future time: it must not move the clock."""
        later = self.now + 1000.0
        known = data.draw(st.sampled_from(sorted(self.agents)))
        if which == "add_agent":
            self.refuse(which, self.agents[known], later)  # duplicate id
        elif which == "set_skills":
            self.refuse(which, known, {"cards": 9}, later)  # proficiency out of range
        elif which == "set_not_ready":
            self.refuse(which, "ghost", later, "break")
        elif which == "arrive":
            self.refuse(which, ContactSpec("ghost", "nowhere"), later)
        elif which == "answer":
            self.refuse(which, "ghost", known, later)
        else:  # an unknown agent or contact (transfer: no target either)
            self.refuse(which, "ghost", later)

    @rule(dt=st.sampled_from([0.5, 3.0, 7.0, 12.0, 30.0, 60.0]))
    def tick(self, dt: float) -> None:
        target = self.now + dt
        while True:
            deadline = self.engine.next_deadline()
            if deadline is None or deadline > target:
                break
            assert deadline >= self.now
            self.now = deadline
            self.call("advance", deadline)
        self.now = target

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def one_contact_per_agent_with_matching_states(self) -> None:
        if not hasattr(self, "engine"):
            return
        views = self.views()
        agents = {a.agent_id: a for a in self.engine.agents_snapshot()}
        holders: dict[str, str] = {}
        for view in views.values():
            if view.state in PAIRED:
                assert view.agent_id is not None
                assert agents[view.agent_id].state == PAIRED[view.state], view
                assert agents[view.agent_id].contact_id == view.contact_id
                assert view.agent_id not in holders
                holders[view.agent_id] = view.contact_id
            else:
                assert view.agent_id is None, view
        for agent in agents.values():
            if agent.state in PAIRED.values():
                assert holders.get(agent.agent_id) == agent.contact_id
            else:
                assert agent.contact_id is None

    @invariant()
    def work_conserving(self) -> None:
        if not hasattr(self, "engine"):
            return
        ready = [a.agent_id for a in self.engine.agents_snapshot() if a.state == "ready"]
        for view in self.views().values():
            if view.state == "queued" and view.reserved_for is None and view.retry_at is None:
                for agent in ready:
                    assert not self.eligible(agent, view), (agent, view)

    @invariant()
    def places_are_kept(self) -> None:
        if not hasattr(self, "engine"):
            return
        for cid, view in self.views().items():
            place = (view.arrived_at, view.order)
            assert self.places.setdefault(cid, place) == place

    @invariant()
    def counts_match(self) -> None:
        if not hasattr(self, "engine"):
            return
        snap = self.engine.queue_snapshot(self.now)
        for name in self.queues:
            waiting = [v for v in self.views().values() if v.queue == name and v.state == "queued"]
            assert snap[name].waiting == len(waiting)
            assert snap[name].callbacks_waiting == sum(v.callback for v in waiting)
            listed = self.engine.waiting_contacts(name)
            assert sorted(v.contact_id for v in listed) == sorted(v.contact_id for v in waiting)
            assert [self.key(v) for v in listed] == sorted(self.key(v) for v in listed)
        deadline = self.engine.next_deadline()
        assert deadline is None or deadline > self.now - 1e-9 or deadline >= self.now

    def teardown(self) -> None:
        if not hasattr(self, "engine"):
            return
        replay = RoutingEngine(QUEUES, self.policy)
        outputs: list[list[ev.Event] | str] = []
        for name, args, kwargs in self.calls:
            method: Callable[..., list[ev.Event]] = getattr(replay, name)
            try:
                outputs.append(method(*args, **kwargs))
            except (KeyError, ValueError) as exc:  # RoutingError is a ValueError
                outputs.append(type(exc).__name__)
        assert outputs == self.outputs


EngineMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineMachine = EngineMachine.TestCase


@settings(max_examples=60, deadline=None)
@given(
    arrivals=st.lists(st.tuples(st.sampled_from(ev.TIERS), st.floats(0, 100)), min_size=1,
                      max_size=15),
    ageing=st.sampled_from([None, 10.0, 60.0]),
    wait=st.floats(0, 200),
)
def test_widening_never_reorders_callers(
    arrivals: list[tuple[str, float]], ageing: float | None, wait: float
) -> None:
    """Contacts whose pools widen while they wait are served, by one expert who frees
    again and again, exactly in priority-key order (tier with ageing, then arrival)."""
    policy = RoutingPolicy(ageing_seconds_per_level=ageing, ring_timeout_seconds=None)
    engine = RoutingEngine(QUEUES, policy)
    engine.add_agent(AgentSpec("expert", {"cards": 5}), 0.0)
    engine.login("expert", 0.0)
    engine.set_ready("expert", 0.0)
    engine.arrive(ContactSpec("first", "cards"), 0.0)
    engine.answer("first", "expert", 0.0)
    keys = {}
    for i, (tier, at) in enumerate(sorted(arrivals, key=lambda a: a[1])):
        for_now = engine.next_deadline()
        while for_now is not None and for_now <= at:
            engine.advance(for_now)
            for_now = engine.next_deadline()
        engine.arrive(ContactSpec(f"c{i}", "cards", tier), at)
        keys[f"c{i}"] = policy.priority_key(tier, at, engine.contact_view(f"c{i}").order)
    now = max(at for _tier, at in arrivals) + wait
    engine.advance(now)  # every pool widened: places must not have moved
    served = []
    current = "first"
    for _ in arrivals:
        engine.hang_up(current, now)
        got = [e for e in engine.end_wrap_up("expert", now) if isinstance(e, ev.ContactOffered)]
        current = got[0].contact_id
        served.append(current)
        engine.answer(current, "expert", now)
    assert served == sorted(keys, key=keys.__getitem__)
