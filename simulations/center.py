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

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from qa.agent_time import AgentTime, AgentTimeBuilder
from qa.counts import CallbackCounts, count_callbacks
from qa.records import ContactTable, RecordBuilder
from routing.engine import (
    AgentSpec,
    ExpansionStep,
    QueueConfig,
    RoutingEngine,
    RoutingPolicy,
)
from routing.events import AgentStateChanged, ContactOffered, ContactQueued, Event, Party
from routing.specs import checked_contact_spec
from simulations.callers import ScriptedContact, draw_callers, scripted_callers
from simulations.collector import collector_paused
from simulations.driver import Action, Caller, Driver, DutyMove, Talk
from simulations.kernel import AGENT_SCHEDULE, REACTION, TIMER, Kernel
from simulations.scenario import Scenario


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


#: Duty moves at one instant, in this order.
_DUTY_ORDER: dict[DutyMove, int] = {"login": 0, "break": 1, "back": 2, "logout": 3}


def duty_plan(scenario: Scenario) -> list[tuple[AgentSpec, list[tuple[float, DutyMove]]]]:
    """Every agent of the scenario with its duty moves in time order: the groups' agents
    from their counts per interval (:func:`duty_spans`), the roster's from its shifts and
    breaks. The simulator and the live center (the live-vs-simulator test) schedule these
    on the driver (:meth:`simulations.driver.Driver.duty`)."""
    out = []
    for g in scenario.groups:
        for j, spans in enumerate(duty_spans(g.agents_per_interval, scenario.interval_seconds)):
            spec = AgentSpec(f"{g.name}-{j}", dict(g.skills), g.site)
            plan: list[tuple[float, DutyMove]] = [(a, "login") for a, _ in spans]
            plan += [(b, "logout") for _, b in spans]
            out.append((spec, sorted(plan, key=lambda x: (x[0], _DUTY_ORDER[x[1]]))))
    for a in scenario.roster:
        plan = []
        for sh in a.shifts:
            plan += [(sh.start, "login"), (sh.end, "logout")]
            plan += [x for bs, be in sh.breaks for x in ((bs, "break"), (be, "back"))]
        spec = AgentSpec(a.agent_id, dict(a.skills), a.site)
        out.append((spec, sorted(plan, key=lambda x: (x[0], _DUTY_ORDER[x[1]]))))
    return out


_new_tuple = tuple.__new__
#: Agent state changes folded at once into the agent time (bounds the batch's memory).
_AGENT_BATCH = 4096


class ScenarioBehaviour:
    """The scenario's callers and agents as the driver's policy functions
    (:class:`simulations.driver.Behaviour`), drawing from the replication's generator.

    Ring: the scenario's ``ring_seconds``. Talk: the caller's drawn handle time on the
    first leg, the leg's queue's handle distribution on a transferred leg; then, with the
    queue's ``hold_probability``, one hold of ``Exp(hold_mean_seconds)`` half-way; then,
    with ``transfer_probability``, a transfer to ``transfer_to``. Wrap-up: the queue's
    ``wrap_up_seconds``, no disposition. No breaks after a wrap-up (breaks come from the
    roster). A callback offer is accepted with the queue's
    ``callback_acceptance_probability``.
    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        self.rng = rng
        self.ring = scenario.ring_seconds
        self.queues = {q.name: q for q in scenario.queues}

    def ring_seconds(self, offer: ContactOffered) -> float:
        return self.ring

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        q, rng = self.queues[caller.queue], self.rng
        talk = caller.handle_seconds if first_leg else float(q.handle.sample(rng, 1)[0])
        hold = None
        if q.hold_probability > 0 and rng.random() < q.hold_probability:
            hold = float(rng.exponential(q.hold_mean_seconds))
        transfer = None
        if q.transfer_probability > 0 and rng.random() < q.transfer_probability:
            transfer = q.transfer_to
        if hold is None and transfer is None:
            return _new_tuple(Talk, (talk, None, None))  # Talk(talk) without its __new__'s frame
        return Talk(talk, hold, transfer)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return self.queues[queue].wrap_up_seconds, None

    def party(self, queue: str) -> Party | None:
        return None  # a center's scenario dials no one

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        p = self.queues[caller.queue].callback_acceptance_probability
        return p > 0 and self.rng.random() < p


class CenterSimulation:
    """One replication of a scenario on the general path (see the module docstring).

    ``contacts``: fixed callers (:class:`~simulations.callers.ScriptedContact`) instead of
    drawing them from the scenario's forecasts; ``rng`` then only draws the callback,
    hold and transfer decisions (if the scenario has any).

    The loop: the kernel's next item (an :data:`~simulations.driver.Action` of the
    driver, or the engine's timer) or the next caller, whichever comes first under the
    kernel's tie rule (callers arrive last at an instant); the events go to the contact
    records, the agent time and the driver, which schedules its reactions on the kernel.
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: np.random.Generator,
        keep_events: bool = False,
        *,
        contacts: Sequence[ScriptedContact] | None = None,
    ) -> None:
        self.s = scenario
        self.keep_events = keep_events
        self.events: list[Event] = []
        self.n_events = 0
        self.kernel: Kernel[Action] = Kernel()
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
        self.qnames = [q.name for q in scenario.queues]
        self.c = (
            draw_callers(scenario, rng)
            if contacts is None
            else scripted_callers(contacts, self.qnames)
        )
        self.driver = Driver(ScenarioBehaviour(scenario, rng), self.kernel.schedule)
        self._state = self.driver.state
        self._react = self.driver.reactions()
        del self._react[AgentStateChanged]  # handled inline by _emit
        self.timer_at = math.inf
        for spec, plan in duty_plan(scenario):
            self._emit(self.engine.add_agent(spec, 0.0))
            for at, what in plan:
                if math.isfinite(at):
                    self.kernel.schedule(at, AGENT_SCHEDULE, self.driver.duty(spec.agent_id, what))

    def _emit(self, events: list[Event]) -> None:
        """Record the engine's events and let the driver react, in one pass.

        Dispatch is on the event's exact type (events are final classes): an identity
        test for agent state changes (four in ten events: agent time, and the driver's
        view of the agent's state), else the contact record (``ContactQueued`` changes
        no record: :class:`qa.records.RecordBuilder` ignores it, so it is not handed
        over; a test holds the records equal to a fold of every event) and the driver's
        handler.
        """
        self.n_events += len(events)
        if self.keep_events:
            self.events.extend(events)
        add_record, add_agent_time = self.records.add, self.agent_time.add
        state, react = self._state, self._react
        for ev in events:
            kind = type(ev)
            if kind is AgentStateChanged:
                add_agent_time(ev)
                state[ev.agent_id] = ev.state  # type: ignore[attr-defined]
                continue
            if kind is not ContactQueued:
                add_record(ev)
            handler = react.get(kind)
            if handler is not None:
                handler(ev)

    def _timer(self, eng: RoutingEngine, now: float) -> list[Event]:
        self.timer_at = math.inf
        return eng.advance(now)

    # --- the main loop ----------------------------------------------------------------

    def run(self) -> CenterRun:
        """Run to the end (see the class docstring), the cyclic garbage collector paused
        (:func:`simulations.collector.collector_paused`: the loop frees what it makes by
        reference counting; the collector's scans were a fifth of its time)."""
        with collector_paused():
            return self._run()

    def _run(self) -> CenterRun:
        """Run to the end (see the class docstring).

        The kernel's pop and :meth:`_emit` are written out in the loop (it runs once per
        event of the run). The engine's next deadline is asked after the engine's timer
        fired and after any step in which the engine set a timer
        (:attr:`~routing.engine.RoutingEngine.timers_set` grew), unless that step set one
        timer, due no earlier than the timer item in the kernel: otherwise it can only
        have moved later, and the timer item already in the kernel comes first.
        """
        k, c, eng, driver = self.kernel, self.c, self.engine, self.driver
        n, i = len(c.arrived_at), 0
        arrived_at, patience, queue, handle = c.arrived_at, c.patience, c.queue, c.handle
        qnames, tiers, sites, preferred = self.qnames, c.tier, c.site, c.preferred_agent
        timer, arrive, checked_spec = self._timer, driver.arrive, checked_contact_spec
        instant = self.s.ring_seconds == 0
        heap, reactions = k.heap, k.reactions
        pop, popleft = heapq.heappop, reactions.popleft
        timers = eng.timers
        next_deadline, advance = timers.next_deadline, eng.advance
        keep, kept = self.keep_events, self.events
        # Agent state changes are folded into the agent time in batches (the fold reads
        # nothing else and nobody reads it before the end).
        agent_changes: list[AgentStateChanged] = []
        keep_change, fold_changes = agent_changes.append, self.agent_time.add_state_changes
        add_record, applies, records = self.records.add, self.records.appliers(), self.records.records
        state, react = self._state, self._react
        # One table lookup per event: the record's applier and the driver's handler of its
        # type (either None; no applier: RecordBuilder.add, which starts arrivals' records).
        dispatch = {kind: (applies.get(kind), react.get(kind)) for kind in {*applies, *react}}
        neither = (None, None)
        n_events = 0
        inf = math.inf
        timers_seen = -1  # eng.timers_set when the next deadline was last asked
        timer_at = self.timer_at  # when the timer item in the kernel is due (inf: none)
        t_next = arrived_at[0] if n else inf
        while True:
            if t_next < (k.now if reactions else heap[0][0] if heap else inf):
                k.now = t_next
                # the scenario's checks passed: its tiers, sites and agent ids are valid
                spec = checked_spec(f"c{i}", qnames[queue[i]], tiers[i], None, preferred[i],
                                    sites[i], "inbound")
                events = eng.arrive(spec, t_next)
                # A caller offered at once to an agent who answers with no ring is answered
                # at this instant (a reaction): no patience timer to set and skip later.
                at_once = instant and len(events) > 2 and type(events[2]) is ContactOffered
                arrive(spec, handle[i], inf if at_once else patience[i], t_next)
                i += 1
                if len(agent_changes) > _AGENT_BATCH:
                    fold_changes(agent_changes)
                    agent_changes.clear()
                t_next = arrived_at[i] if i < n else inf
            elif i >= n and (driver.open <= 0 or not (heap or reactions)):
                break
            elif reactions and not (heap and heap[0][0] == k.now and heap[0][1] == REACTION):
                events = popleft()(eng, k.now)
                if not events and timers.set_count == timers_seen:
                    continue
            else:
                now, _, _, action = pop(heap)
                k.now = max(k.now, now)
                if action is timer:
                    timer_at = inf
                    timers_seen = -1  # the timer item is spent: ask again whatever happens
                    # Its timer may have gone stale since (most often a ring timeout of an
                    # offer answered at once): then no timer is due, and advance would
                    # fire nothing.
                    deadline = next_deadline()
                    events = advance(now) if deadline is not None and deadline <= now else []
                else:
                    events = action(eng, now)
                    if not events and timers.set_count == timers_seen:
                        continue
            # _emit, written out
            n_events += len(events)
            if keep:
                kept.extend(events)
            for ev in events:
                kind = type(ev)
                if kind is AgentStateChanged:
                    keep_change(ev)  # type: ignore[arg-type]
                    state[ev.agent_id] = ev.state  # type: ignore[attr-defined]
                    continue
                apply, handler = dispatch.get(kind, neither)
                if apply is not None:  # RecordBuilder.add, written out
                    record = records.get(ev.contact_id)  # type: ignore[attr-defined]
                    if record is not None:
                        apply(record, ev)
                elif kind is not ContactQueued:  # ContactQueued changes no record
                    add_record(ev)
                if handler is not None:
                    handler(ev)
            set_count = timers.set_count
            if set_count != timers_seen:
                # One new timer (a ring timeout, most often) no earlier than the timer item
                # already in the kernel changes nothing: that item comes first.
                if set_count == timers_seen + 1 and timers.last_deadline >= timer_at:
                    timers_seen = set_count
                    continue
                timers_seen = set_count
                deadline = next_deadline()
                if deadline is not None and deadline < timer_at:
                    timer_at = max(deadline, k.now)
                    k.schedule(timer_at, TIMER, timer)
        fold_changes(agent_changes)
        self.timer_at = timer_at
        self.n_events += n_events
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
