"""The general path: a virtual-clock simulation that drives :class:`routing.engine.RoutingEngine`.

The story of a caller, as the driver plays it::

    arrive ──▶ engine.arrive ──▶ (offered) ──ring_seconds──▶ engine.answer
       │                                                       │ handle time
       └── patience ──▶ engine.abandon (if still waiting)       ▼
                                                  engine.hang_up ──wrap_up_seconds──▶ engine.end_wrap_up

Agents: every agent is added at time 0 (logged out). Counts per interval become one
duty span per agent (agent ``j`` of a group is on duty in interval ``k`` iff
``j < n_k``, the same rule as the fast path); a roster gives shifts and breaks. At the
start of a span the agent logs in and goes ready; at a break or at the end of the span
an idle agent goes not-ready / logs out at once, a busy one after the call in hand and
its wrap-up (a *pending* move). After the horizon no caller arrives, the last
interval's agents stay, and the run goes on until every caller has been answered and
finished, or has abandoned, or nothing more can happen. Callers still waiting then
(nobody left on duty who can take them, and they cannot abandon: an accepted callback
or a transferred caller after the roster went home) are *unserved*: the contact table
is closed at the end of the run (:mod:`qa.kpis`), so they count as offered, neither
answered nor abandoned. (A queue with patience ``null`` and nobody to serve it after
the horizon is refused by the scenario checks.)

Routing hints: each caller may have a site (the queue's ``site_mix``) and a preferred
agent (``preferred_agent_share``); both go to the engine in ``ContactSpec``, which
applies overflow and the preferred-agent window. Queues pass their
``min_proficiency`` and expansion steps to ``QueueConfig``.

The engine's timers (ring timeouts, skill expansion) are served by calling
``engine.advance(now)`` at ``engine.next_deadline()``.

Callbacks, holds and transfers (per queue, see ``docs/scenario.md``), each decision
drawn from the replication's generator at the moment it is taken (so a scenario
without them draws exactly what it drew before):

* **Callback.** When the engine offers one (``CallbackOffered``, policy
  ``callback_offer_wait_seconds``), the caller accepts with the queue's
  ``callback_acceptance_probability`` and the driver calls ``engine.request_callback``
  at once. An accepted callback keeps its place, never abandons (its patience timer
  is ignored) and is dialled by the engine when an agent frees (``ContactOffered``
  with ``callback=True``; the driver answers it like any offer).
* **Hold.** At the answer, with ``hold_probability``, the agent holds the caller once,
  half-way through the talk, for ``Exp(hold_mean_seconds)``: ``ContactHeld`` then
  ``ContactRetrieved``; the hold is added to the talk, so the handle time
  (``ended_at - answered_at``) is talk + hold.
* **Transfer.** With ``transfer_probability`` the talk ends with
  ``engine.transfer(..., to_queue=transfer_to)`` instead of ``hang_up``: the agent
  wraps up (the old queue's wrap-up), the caller waits again in the new queue (at the
  original place, the engine's rule) and that leg draws the new queue's handle time,
  hold and transfer. A transferred caller does not abandon again (the KPIs count the
  first answer only). Each leg ends with one ``WrapUpEnded``.

The result holds exactly the engine's events (and, for the driver's own actions, the
engine's answers to them), in order; the KPIs come from them through :mod:`qa.kpis`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qa.kpis import (
    AgentTime,
    AgentTimeBuilder,
    CallbackCounts,
    ContactTable,
    RecordBuilder,
    count_callbacks,
)
from routing.events import (
    AgentStateChanged,
    CallbackOffered,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactTransferred,
    Event,
    WrapUpEnded,
)
from simulations.callers import ScriptedContact, draw_callers, scripted_callers
from simulations.kernel import ABANDON, AGENT_SCHEDULE, COMPLETION, TIMER, Kernel
from simulations.scenario import Scenario

# event kinds on the kernel (and on the driver's work list)
_ANSWER, _HANG_UP, _WRAP_END, _ABANDON, _TIMER, _DUTY = range(6)
_HOLD, _RETRIEVE, _TRANSFER, _CALLBACK = range(6, 10)
_DUTY_LOGIN, _DUTY_BREAK, _DUTY_BACK, _DUTY_LOGOUT = range(4)
_IDLE = frozenset({"ready"})


@dataclass
class CenterRun:
    table: ContactTable
    agent_time: AgentTime
    end_seconds: float
    events: list[Event] = field(default_factory=list)
    n_events: int = 0
    callbacks: CallbackCounts = field(default_factory=CallbackCounts)


def duty_spans(counts: tuple[int, ...], interval_seconds: float) -> list[list[tuple[float, float]]]:
    """Per agent ``j`` of a group: its on-duty spans (``j < n_k``); the last runs to ``inf``."""
    spans: list[list[tuple[float, float]]] = []
    for j in range(max(counts, default=0)):
        mine: list[tuple[float, float]] = []
        start: float | None = None
        for k, n in enumerate(counts):
            on = j < n
            if on and start is None:
                start = k * interval_seconds
            elif not on and start is not None:
                mine.append((start, k * interval_seconds))
                start = None
        if start is not None:
            mine.append((start, math.inf))
        spans.append(mine)
    return spans


class CenterSimulation:
    """One replication of a scenario on the general path (see the module docstring).

    ``contacts``: fixed callers (:class:`~simulations.callers.ScriptedContact`) instead of
    drawing them from the scenario's forecasts; ``rng`` then only draws the callback,
    hold and transfer decisions (if the scenario has any).
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: np.random.Generator,
        keep_events: bool = False,
        *,
        contacts: Sequence[ScriptedContact] | None = None,
    ) -> None:
        from routing.engine import (
            AgentSpec,
            ExpansionStep,
            QueueConfig,
            RoutingEngine,
            RoutingPolicy,
        )

        self.s = scenario
        self.keep_events = keep_events
        self.events: list[Event] = []
        self.n_events = 0
        self.kernel = Kernel()
        self.records = RecordBuilder()
        self.agent_time = AgentTimeBuilder(scenario.interval_seconds, scenario.n_intervals)
        queues = [
            QueueConfig(
                name=q.name,
                skill=q.skill,
                min_proficiency=q.min_proficiency,
                expansion=tuple(ExpansionStep(*step) for step in q.expansion),
                aht_seconds=q.handle.mean + q.hold_probability * q.hold_mean_seconds,
            )
            for q in scenario.queues
        ]
        self.engine = RoutingEngine(queues, RoutingPolicy(**dict(scenario.policy)))
        self.rng = rng
        self.wrap = [q.wrap_up_seconds for q in scenario.queues]
        self.qnames = [q.name for q in scenario.queues]
        self.qindex = {name: i for i, name in enumerate(self.qnames)}
        self.c = (
            draw_callers(scenario, rng)
            if contacts is None
            else scripted_callers(contacts, self.qnames)
        )
        self.done = [False] * len(self.c)  # answered (at least once) or abandoned
        self.callback = [False] * len(self.c)  # accepted a callback: never abandons
        self.leg_queue = list(self.c.queue)  # the queue of the current leg (transfers)
        self.open = 0  # callers arrived and not yet finished (ended or abandoned)
        self.state: dict[str, str] = {}
        self.pending: dict[str, str] = {}  # agent -> "break" | "logout"
        self.ringing: dict[str, str] = {}  # agent -> the contact last offered to them
        self.timer_at = math.inf
        self._work: deque[tuple[Any, ...]] = deque()
        for spec, plan in self._agents(AgentSpec):
            self._emit(self.engine.add_agent(spec, 0.0))
            for at, what in plan:
                if math.isfinite(at):
                    self.kernel.schedule(at, AGENT_SCHEDULE, _DUTY, (spec.agent_id, what))

    def _agents(self, agent_spec: Any) -> list[tuple[Any, list[tuple[float, int]]]]:
        out = []
        for g in self.s.groups:
            for j, spans in enumerate(duty_spans(g.agents_per_interval, self.s.interval_seconds)):
                spec = agent_spec(f"{g.name}-{j}", dict(g.skills), g.site)
                plan = [(a, _DUTY_LOGIN) for a, _ in spans] + [(b, _DUTY_LOGOUT) for _, b in spans]
                out.append((spec, sorted(plan)))
        for a in self.s.roster:
            plan = []
            for sh in a.shifts:
                plan += [(sh.start, _DUTY_LOGIN), (sh.end, _DUTY_LOGOUT)]
                plan += [x for bs, be in sh.breaks for x in ((bs, _DUTY_BREAK), (be, _DUTY_BACK))]
            out.append((agent_spec(a.agent_id, dict(a.skills), a.site), sorted(plan)))
        return out

    # --- the engine's events, and what the driver does about them ----------------------

    def _emit(self, events: list[Event]) -> None:
        """Record the engine's events; queue the driver's reactions (run after, in order)."""
        now = self.kernel.now
        self.n_events += len(events)
        if self.keep_events:
            self.events.extend(events)
        add_record, add_agent_time, state = self.records.add, self.agent_time.add, self.state
        for ev in events:
            if isinstance(ev, AgentStateChanged):
                add_agent_time(ev)
                state[ev.agent_id] = ev.state
                continue
            add_record(ev)
            if isinstance(ev, ContactOffered):
                self.ringing[ev.agent_id] = ev.contact_id
                if self.s.ring_seconds > 0:
                    self.kernel.schedule(now + self.s.ring_seconds, COMPLETION, _ANSWER, ev)
                else:
                    self._work.append((_ANSWER, ev))
            elif isinstance(ev, ContactAnswered):
                self._talk(ev.contact_id, now)
            elif isinstance(ev, WrapUpEnded):
                self.open -= 1  # a leg of the caller's story ends with the agent's wrap-up
            elif isinstance(ev, ContactEnded) and ev.agent_id is not None:
                self._wrap_up(ev.agent_id, self.leg_queue[int(ev.contact_id[1:])], now)
            elif isinstance(ev, ContactTransferred):
                i = int(ev.contact_id[1:])
                self.open += 1  # the new leg ends with its own wrap-up
                self._wrap_up(ev.agent_id, self.leg_queue[i], now)
                if ev.target_queue is not None:  # the driver transfers to queues only
                    self.leg_queue[i] = self.qindex[ev.target_queue]
            elif isinstance(ev, CallbackOffered):
                q = self.s.queues[self.leg_queue[int(ev.contact_id[1:])]]
                p = q.callback_acceptance_probability
                if p > 0 and self.rng.random() < p:
                    self._work.append((_CALLBACK, ev.contact_id))

    def _talk(self, contact_id: str, now: float) -> None:
        """An answer: draw this leg's hold and transfer; schedule them and the end of talk."""
        i = int(contact_id[1:])
        q, k, rng = self.s.queues[self.leg_queue[i]], self.kernel, self.rng
        talk = float(q.handle.sample(rng, 1)[0]) if self.done[i] else self.c.handle[i]
        self.done[i] = True
        if q.hold_probability > 0 and rng.random() < q.hold_probability:
            hold = float(rng.exponential(q.hold_mean_seconds))
            k.schedule(now + talk / 2, COMPLETION, _HOLD, contact_id)
            k.schedule(now + talk / 2 + hold, COMPLETION, _RETRIEVE, contact_id)
            talk += hold
        if q.transfer_probability > 0 and rng.random() < q.transfer_probability:
            k.schedule(now + talk, COMPLETION, _TRANSFER, contact_id)
        else:
            k.schedule(now + talk, COMPLETION, _HANG_UP, contact_id)

    def _wrap_up(self, agent: str, queue: int, now: float) -> None:
        wrap = self.wrap[queue]
        if wrap > 0:
            self.kernel.schedule(now + wrap, COMPLETION, _WRAP_END, agent)
        else:
            self._work.append((_WRAP_END, agent))

    def _call(self, events: list[Event]) -> None:
        self._emit(events)
        while self._work:
            kind, arg = self._work.popleft()
            self._act(kind, arg)

    def _act(self, kind: int, arg: Any) -> None:
        now, eng = self.kernel.now, self.engine
        if kind == _ANSWER:
            ringing = self.ringing.get(arg.agent_id) == arg.contact_id
            if ringing and self.state.get(arg.agent_id) == "reserved":  # still ringing for them
                self._emit(eng.answer(arg.contact_id, arg.agent_id, now))
        elif kind == _HANG_UP:
            self._emit(eng.hang_up(arg, now))
        elif kind == _WRAP_END:
            self._end_wrap_up(arg, now)
        elif kind == _ABANDON:
            i = int(arg[1:])
            if not self.done[i] and not self.callback[i]:
                self.done[i] = True
                self.open -= 1
                self._emit(eng.abandon(arg, now))
        elif kind == _HOLD:
            self._emit(eng.hold(arg, now))
        elif kind == _RETRIEVE:
            self._emit(eng.retrieve(arg, now))
        elif kind == _TRANSFER:
            target = self.s.queues[self.leg_queue[int(arg[1:])]].transfer_to
            self._emit(eng.transfer(arg, now, to_queue=target))
        elif kind == _CALLBACK:
            i = int(arg[1:])
            if not self.done[i] and eng.contact_state(arg).value == "queued":
                self.callback[i] = True
                self._emit(eng.request_callback(arg, now))
        elif kind == _TIMER:
            self.timer_at = math.inf
            self._emit(eng.advance(now))
        elif kind == _DUTY:
            self._duty(arg[0], arg[1], now)

    def _end_wrap_up(self, agent: str, now: float) -> None:
        move = self.pending.pop(agent, None)
        if move is None:
            self._emit(self.engine.end_wrap_up(agent, now))
            return
        self._emit(
            self.engine.set_not_ready(agent, now, "break" if move == "break" else "shift_end")
        )
        if move == "logout":
            self._emit(self.engine.logout(agent, now))

    def _duty(self, agent: str, what: int, now: float) -> None:
        eng, state = self.engine, self.state.get(agent, "logged_out")
        if what == _DUTY_LOGIN:
            self.pending.pop(agent, None)
            if state == "logged_out":
                self._emit(eng.login(agent, now))
                self._emit(eng.set_ready(agent, now))
        elif what == _DUTY_LOGOUT:
            if state in ("ready", "not_ready"):
                self._emit(eng.logout(agent, now))
            elif state != "logged_out":
                self.pending[agent] = "logout"
        elif what == _DUTY_BREAK:
            if state == "ready":
                self._emit(eng.set_not_ready(agent, now, "break"))
            elif state != "logged_out":
                self.pending[agent] = "break"
        elif what == _DUTY_BACK:
            if self.pending.get(agent) == "break":
                del self.pending[agent]
            elif state == "not_ready":
                self._emit(eng.set_ready(agent, now))

    # --- the main loop ----------------------------------------------------------------

    def run(self) -> CenterRun:
        k, c, eng = self.kernel, self.c, self.engine
        n, i = len(c.arrived_at), 0
        qnames, tiers, sites, preferred = self.qnames, c.tier, c.site, c.preferred_agent
        from routing.engine import ContactSpec

        while True:
            t_next = c.arrived_at[i] if i < n else math.inf
            if t_next < k.peek():
                k.now = t_next
                cid = f"c{i}"
                self.open += 1
                if c.patience[i] < math.inf:
                    k.schedule(t_next + c.patience[i], ABANDON, _ABANDON, cid)
                spec = ContactSpec(
                    cid, qnames[c.queue[i]], tiers[i],
                    preferred_agent_id=preferred[i], site=sites[i],
                )
                self._call(eng.arrive(spec, t_next))
                i += 1
            elif i >= n and (self.open <= 0 or not len(k)):
                break
            else:
                _, kind, payload = k.pop()
                self._act(kind, payload)
                while self._work:
                    self._act(*self._work.popleft())
            deadline = eng.next_deadline()
            if deadline is not None and deadline < self.timer_at:
                self.timer_at = max(deadline, k.now)
                k.schedule(self.timer_at, TIMER, _TIMER)
        end = max(k.now, self.s.horizon_seconds)
        table = ContactTable.from_records(
            self.records.records.values(), queues=self.qnames, tiers=self.s.tiers, closed_at=end
        )
        return CenterRun(
            table,
            self.agent_time.result(now=end),
            end,
            self.events,
            self.n_events,
            count_callbacks(self.records.records.values()),
        )


def simulate_center(
    scenario: Scenario,
    rng: np.random.Generator,
    keep_events: bool = False,
    *,
    contacts: Sequence[ScriptedContact] | None = None,
) -> CenterRun:
    """One replication of any scenario on the general path (``contacts``: fixed callers)."""
    return CenterSimulation(scenario, rng, keep_events, contacts=contacts).run()
