"""Outbound campaign simulation: a dialler in preview, progressive or predictive mode, the
contact rules checked before every dial, on the same routing engine and driver as inbound.

A planner runs the same campaign in each mode before dialling for real
(``contactops simulate-outbound SCENARIO.json --days N --seed S --out RESULT.json``).

The story of a dial::

    lead ──check_dial──▶ DialAttempted ──ring──▶ live answer ──▶ engine.arrive(outbound)
      ▲       (refused: the rule is counted)   │                   │ agent within 2 s?
      └──── retry (rules' retry interval) ◀────┤ no answer / busy  ├─ yes: talk, wrap-up
                                               │ machine           └─ no: engine.abandon,
                                                                      DialResult(abandoned)

* A live answer becomes a contact of the routing engine (``direction="outbound"``, the
  campaign's queue) played by :class:`simulations.driver.Driver` like an inbound caller
  whose patience is the 2-second rule (:data:`telesales.pacing.CONNECT_LIMIT_SECONDS`):
  the dialler abandons it when no agent is connected by then. Robot agents answer an
  outbound connect at once (no ring: the customer is already on the line).
* A live answer that the answering-machine detector wrongly calls a machine
  (``amd_false_positive``) is dropped and counted as abandoned.
* **preview**: an idle agent previews a lead for ``preview_seconds``, then dials it; its
  answer goes to that agent (``preferred_agent_id``). **progressive**: one dial per idle
  agent. **predictive**: :class:`telesales.pacing.PredictivePacer` decides.
* Agents log in at ``open`` and out at ``close`` every day; no dial is placed outside the
  campaign's hours or the rules' calling hours in the customer's time zone.
* **Blending** (``inbound``): inbound calls (Poisson, at the rate of the forecast's step) are
  answered first by the same agents; the dialler places outbound work only while no inbound
  call waits and more agents are idle than the reserve: ``blend_reserve`` (policy
  ``reserve``), Bhulai and Koole's threshold for the load of the moment with the measured
  feedback (policy ``model``, :mod:`telesales.blending`), or the day's plan of thresholds
  with the feedback, agents ending their wrap-up within the service-level threshold counted
  as idle (policy ``plan``, :mod:`telesales.blending_plan`).

The module is the run: the kernel, the engine, the agents' days, inbound calls and blending.
The dialler is :class:`simulations.dialer.Dialer` (the live center drives the same one), the
leads :class:`simulations.outbound_leads.SyntheticLeads`, the scenario
:mod:`simulations.outbound_scenario`, the figures :mod:`simulations.outbound_figures`.

Every ``DialAttempted`` and ``DialResult`` is kept with the engine's events
(``keep_events``); the summary's ``rule_violations`` re-checks every placed dial against
the rules with the history before it (an audit of the dialler, which must find none).
"""

from __future__ import annotations

import math

import numpy as np

from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine
from routing.events import (
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactOffered,
    Event,
    Party,
    WrapUpEnded,
)
from simulations.dialer import Dialer, DialerSpec, ring_outcome
from simulations.driver import Action, Caller, Driver, Talk
from simulations.kernel import AGENT_SCHEDULE, ARRIVAL, TIMER, Kernel
from simulations.outbound_figures import DailyTally, InboundFigures, OutboundRun
from simulations.outbound_leads import SimLead, SyntheticLeads, party_reached
from simulations.outbound_scenario import (
    DAY,
    INBOUND_QUEUE,
    MAX_DAYS,
    OutboundScenario,
    OutboundScenarioError,
)
from telesales.blending import ReserveFeedback, blend_model, blend_threshold
from telesales.blending_plan import BlendPlan, plan_day

#: no dial is placed in the last seconds before the campaign closes
LAST_DIAL_MARGIN = 60.0


def _day_plan(s: OutboundScenario) -> BlendPlan | None:
    """Policy ``plan``: the day's thresholds for the inbound forecast (the same every day)."""
    load = s.inbound
    if load is None or s.blend_policy != "plan":
        return None
    steps = load.steps or ((0.0, load.calls_per_hour),)
    return plan_day(s.agents, [(start, rate / 3600.0) for start, rate in steps],
                    s.open_seconds, s.close_seconds, load.aht_seconds,
                    load.patience_mean_seconds, load.service_level_threshold_seconds,
                    s.blend_sl_margin)


class _Robots:
    """Robot agents and customers of an outbound campaign (the driver's behaviour)."""

    def __init__(self, s: OutboundScenario, rng: np.random.Generator) -> None:
        self.s, self.rng = s, rng
        # who answered: a child stream, so the dials' draws are those of a run without it
        self.party_rng = rng.spawn(1)[0]

    def ring_seconds(self, offer: ContactOffered) -> float:
        return 0.0  # the customer is already on the line

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(caller.handle_seconds)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return self.s.wrap_seconds, None

    def party(self, queue: str) -> Party | None:
        return party_reached(self.party_rng, self.s.right_party_rate, self.s.wrong_party_rate)

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        return False


def dialer_spec(s: OutboundScenario) -> DialerSpec:
    """The scenario's campaign as the dialler dials it (its queue is named for it)."""
    return DialerSpec(mode=s.mode, campaign=s.campaign, queue=s.campaign,
                      abandon_cap=s.abandon_cap, amd_false_positive=s.amd_false_positive,
                      preview_seconds=s.preview_seconds, aht_seconds=s.aht_seconds,
                      wrap_seconds=s.wrap_seconds, prior_answer_rate=s.rate_at(s.open_seconds))


class OutboundSimulation:
    """One run of a campaign (see the module docstring)."""

    def __init__(self, s: OutboundScenario, days: int, rng: np.random.Generator,
                 keep_events: bool = False) -> None:
        if not 1 <= days <= MAX_DAYS:
            raise OutboundScenarioError("days", f"must be between 1 and {MAX_DAYS}")
        self.s, self.n_days, self.rng, self.keep = s, days, rng, keep_events
        self.kernel: Kernel[Action] = Kernel()
        queues = [QueueConfig(name=s.campaign, skill=s.campaign, aht_seconds=s.aht_seconds)]
        skills = {s.campaign: 3}
        if s.inbound is not None:
            queues.append(QueueConfig(name=INBOUND_QUEUE, skill=INBOUND_QUEUE,
                                      aht_seconds=s.inbound.aht_seconds))
            skills[INBOUND_QUEUE] = 3
        self.engine = RoutingEngine(queues)
        self.inbound = InboundFigures()
        self.inbound_arrived: dict[str, float] = {}
        self.inbound_answered: dict[str, float] = {}
        self.driver = Driver(_Robots(s, rng), self.kernel.schedule)
        self.agents = [f"agent{i + 1:03d}" for i in range(s.agents)]
        self.events: list[Event] = []
        self.tally = DailyTally(days)
        self.leads = SyntheticLeads(s, days, self.kernel, self.tally)
        self.dialer: Dialer[SimLead] = Dialer(
            dialer_spec(s), self.agents, self.leads,
            lambda now: ring_outcome(rng, s.rate_at(now), s.machine_rate, s.busy_rate,
                                     s.ring_timeout_seconds),
            rng, self.kernel.schedule, self.driver, self.tally, self._record,
            blending=self if s.inbound is not None else None)
        self.n_inbound = 0
        self.timer_at = math.inf
        self.feedback = ReserveFeedback()
        self.feedback_day = 0
        self.plan: BlendPlan | None = _day_plan(s)
        for agent in self.agents:
            self._emit(self.engine.add_agent(AgentSpec(agent, skills), 0.0))
        for d in range(days):
            base = d * DAY
            for agent in self.agents:
                self.kernel.schedule(base + s.open_seconds, AGENT_SCHEDULE,
                                     self.driver.duty(agent, "login"))
                self.kernel.schedule(base + s.close_seconds, AGENT_SCHEDULE,
                                     self.driver.duty(agent, "logout"))
            self.kernel.schedule(base + s.open_seconds, ARRIVAL, self._set_open(True))
            if s.inbound is not None:
                self._draw_inbound(base + s.open_seconds, base + s.close_seconds)
            # the last dials a minute before closing, so that their answers find agents
            self.kernel.schedule(base + s.close_seconds - LAST_DIAL_MARGIN, AGENT_SCHEDULE,
                                 self._set_open(False))
        self.staffed = days * s.agents * (s.close_seconds - s.open_seconds)

    # --- plumbing -------------------------------------------------------------------

    def _emit(self, events: list[Event]) -> None:
        if self.keep:
            self.events.extend(events)
        self.driver.observe(events)
        self.dialer.track_agents(events)

    def _record(self, ev: Event) -> None:
        if self.keep:
            self.events.append(ev)

    def _set_open(self, value: bool) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            self.dialer.open = value
            return []
        return act

    # --- inbound (blending) ------------------------------------------------------------

    def _draw_inbound(self, start: float, end: float) -> None:
        """Poisson inbound arrivals over ``[start, end)``, each scheduled as a caller of the
        driver (exponential talk and patience)."""
        load = self.s.inbound
        assert load is not None
        peak = load.peak_calls_per_hour
        rate = peak / 3600.0
        t = start
        talk_mean = max(load.aht_seconds - self.s.wrap_seconds, 1.0)
        while True:
            t += float(self.rng.exponential(1.0 / rate))
            if t >= end:
                return
            # an intraday forecast: arrivals at the peak rate thinned to the step's (Lewis and
            # Shedler 1979); with one rate nothing is drawn, the same callers as before
            if load.steps and float(self.rng.random()) * peak >= load.rate_at(t):
                continue
            self.n_inbound += 1
            spec = ContactSpec(f"i{self.n_inbound}", INBOUND_QUEUE)
            patience = (math.inf if load.patience_mean_seconds is None
                        else float(self.rng.exponential(load.patience_mean_seconds)))
            self.kernel.schedule(t, ARRIVAL, self.driver.arrival(
                spec, float(self.rng.exponential(talk_mean)), patience))

    def holds_outbound(self, now: float) -> bool:
        """Blending: inbound first, no dial while an inbound call waits."""
        return bool(self.inbound_arrived)  # arrived inbound calls not answered nor abandoned

    def reserve(self, now: float) -> int:
        """Idle agents kept for inbound. Policy ``model``: Bhulai and Koole's threshold for
        the agents and the inbound load forecast now (:func:`telesales.blending.blend_threshold`,
        at most ``blend_sl_margin`` of service level lost), plus the measured correction
        (:class:`telesales.blending.ReserveFeedback`). Policy ``plan``: the day's plan
        (:meth:`telesales.blending_plan.BlendPlan.reserve`). Policy ``reserve``:
        ``blend_reserve``, or with a horizon H the inbound calls expected within H
        (λH + √(λH)) less the agents whose wrap-up ends within H (they will be idle for
        those calls), whichever is larger."""
        s = self.s
        if s.inbound is None:
            return s.blend_reserve
        offset = self.feedback.offset() if s.blend_feedback else 0
        if self.plan is not None:
            state, since = self.dialer.state, self.dialer.since
            left = [s.wrap_seconds - (now - since.get(a, now)) for a in self.agents
                    if state.get(a) == "wrap_up"]
            return self.plan.reserve(now % DAY, offset, left)
        if s.blend_policy == "model":
            return max(0, blend_threshold(*self._model_key(now), s.blend_sl_margin) + offset)
        h = s.blend_horizon_seconds
        if not h:
            return s.blend_reserve
        expected = s.inbound.rate_at(now) / 3600.0 * h
        state, since = self.dialer.state, self.dialer.since
        freeing = sum(1 for a in self.agents if state.get(a) == "wrap_up"
                      and s.wrap_seconds - (now - since.get(a, now)) <= h)
        return max(s.blend_reserve, math.ceil(expected + math.sqrt(expected)) - freeing)

    def _model_key(self, now: float) -> tuple[int, float, float, float | None, float]:
        load = self.s.inbound
        assert load is not None
        return (self.s.agents, load.rate_at(now) / 3600.0, load.aht_seconds,
                load.patience_mean_seconds, load.service_level_threshold_seconds)

    def _observe_inbound(self, within: bool, at: float) -> None:
        """The ``model`` policy's feedback: one inbound call ended, within the threshold or
        not, against the inbound-only service level predicted for its time less the margin."""
        s = self.s
        if s.blend_policy == "reserve" or not s.blend_feedback:
            return
        if int(at // DAY) != self.feedback_day:  # each day starts afresh
            self.feedback_day = int(at // DAY)
            self.feedback.deficit = 0.0
        goal = (self.plan.goal_at(at % DAY) if self.plan is not None else
                blend_model(*self._model_key(at)).service_level - s.blend_sl_margin)
        self.feedback.observe(within, goal)

    def _track_inbound(self, events: list[Event], at: float) -> None:
        """The inbound calls' figures (and the ``model`` policy's feedback)."""
        inbound = self.inbound
        for ev in events:
            kind = type(ev)
            if kind is ContactArrived and ev.queue == INBOUND_QUEUE:  # type: ignore[attr-defined]
                inbound.offered += 1
                self.inbound_arrived[ev.contact_id] = at  # type: ignore[attr-defined]
            elif kind is ContactAnswered:
                cid = ev.contact_id  # type: ignore[attr-defined]
                arrived = self.inbound_arrived.pop(cid, None)
                if arrived is None:
                    continue
                wait = at - arrived
                inbound.answered += 1
                inbound.wait_answered += wait
                assert self.s.inbound is not None
                within = wait <= self.s.inbound.service_level_threshold_seconds
                inbound.within += within
                self._observe_inbound(within, at)
                self.inbound_answered[cid] = at
            elif kind is ContactAbandoned:
                if self.inbound_arrived.pop(ev.contact_id, None) is not None:  # type: ignore[attr-defined]
                    inbound.abandoned += 1
                    self._observe_inbound(False, at)
            elif kind is WrapUpEnded:
                started = self.inbound_answered.pop(ev.contact_id, None)  # type: ignore[attr-defined]
                if started is not None:
                    inbound.handle_seconds += at - started

    # --- the loop -------------------------------------------------------------------

    def _timer(self, eng: RoutingEngine, now: float) -> list[Event]:
        self.timer_at = math.inf
        return eng.advance(now)

    def _pace(self, now: float) -> None:
        if now % DAY < self.s.close_seconds:
            self.dialer.pace(now)

    def run(self) -> OutboundRun:
        """Run every day to its end; the summary's figures and the audit."""
        k, eng = self.kernel, self.engine
        end = self.n_days * DAY
        inbound = self.s.inbound is not None
        while len(k):
            at, action = k.pop()
            if at > end:
                break
            events = action(eng, at)
            if events:
                self._emit(events)
                if inbound:
                    self._track_inbound(events, at)
                self.dialer.track(events, at)
            self._pace(at)
            deadline = eng.next_deadline()
            if deadline is not None and deadline < self.timer_at:
                self.timer_at = max(deadline, at)
                k.schedule(self.timer_at, TIMER, self._timer)
        return OutboundRun(self.s, self.tally.days, self.tally.buckets, self.staffed,
                           self.leads.audit(), self.leads.refusals, self.events,
                           self.inbound if inbound else None)


def simulate_outbound(scenario: OutboundScenario, days: int, rng: np.random.Generator,
                      keep_events: bool = False) -> OutboundRun:
    """One run of ``scenario`` over ``days`` days."""
    return OutboundSimulation(scenario, days, rng, keep_events).run()
