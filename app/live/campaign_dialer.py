"""The live center dials its progressive and predictive campaigns by itself: the simulator's
dialler (:class:`simulations.dialer.Dialer`) on the wall clock.

For every campaign in those modes that has a queue (:func:`app.campaign_dialing.dialing_campaigns`)
one dialler runs while the campaign is ``active`` (a supervisor starts and stops it on
/campaigns). Its agents are the agents with the campaign queue's skill, robots and people
alike; the robot customers of :mod:`app.live.robot_customers` answer its dials; a live answer
is connected to the agent the engine offers it to at once, within the 2-second rule, or
abandoned. With inbound calls in the center (the telephony's forecast for the queue) the
dialler keeps Bhulai and Koole's reserve of idle agents for them
(:func:`telesales.blending.blend_threshold`) and dials nothing while an inbound call waits in
the queue.

The demo center (``contactops demo``) plays business hours when the bank is closed (its
calls follow :meth:`app.live.telephony.DemoDayProfile.demo_time`); its dialler asks the
contact rules at that same time (``rule_time``), so the demo dials at night as it takes
calls, within the calling hours of the time it plays. The dials' rows carry the true time:
the rules then see the demo's dials as later than the time they are asked at, which only
ever refuses more.

No database work ever runs in the engine task: a ticker (:meth:`CampaignDialing.tick`, every
:data:`TICK_SECONDS`) re-reads the campaigns, writes the ended dials and settles their entries
(:func:`app.campaign_dialing.settle_dials`) and loads the next leads the rules allow
(:func:`app.campaign_dialing.load_leads`) in worker threads; the dialler then checks each lead
again against the rules at the instant of its dial, on the history it keeps in memory.

The dialler's own events reach the log with the engine's: a dial placed or a ring's outcome
inside the action that did it (before the action's engine events), a connect or an abandon
learned from the engine in a step scheduled at once (:meth:`CampaignDialing._step`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from app.background_loop import BackgroundLoop
from app.campaign_dialing import (
    DialingCampaign,
    DialOutcome,
    LiveLead,
    dial_label,
    dialing_campaigns,
    load_leads,
    settle_dials,
)
from app.live.center import LiveCenter
from app.live.robot_customers import RobotCustomers
from routing.engine import RoutingEngine
from routing.events import AgentStateChanged, ContactOffered, DialResultName, Event, Party
from simulations.dialer import Dialer, DialerSpec
from simulations.driver import Action, Caller, Driver, Talk
from simulations.kernel import REACTION
from telesales.blending import blend_threshold
from telesales.contact_rules import PastDial, check_dial, rules_for

log = logging.getLogger("contactops.live")

#: how often the ticker runs (seconds): campaigns, dial rows, leads
TICK_SECONDS = 5.0
#: leads loaded for a campaign when fewer than this many are in memory
LEADS_LOW = 10
#: leads loaded at once (one query of entries, a few of rule inputs)
LEADS_PER_LOAD = 40
#: the inbound callers' patience and the service level threshold blending protects (the
#: bank's general goal: 80 % in 20 s) and the service level it may lose
BLEND_PATIENCE_SECONDS = 120.0
BLEND_THRESHOLD_SECONDS = 20.0
BLEND_MAX_LOSS = 0.005
#: the rules' country of the center's dials (as the agenda's)
COUNTRY = "KR"

#: ``rate(queue, at)``: the inbound calls per hour expected in ``queue`` at epoch ``at``
InboundRate = Callable[[str, float], float]


def _wall(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def _same(at: float) -> float:
    return at


class CampaignLeads:
    """The leads of one campaign in memory (:class:`simulations.dialer.LeadSource`).
    ``rule_time`` maps the clock's time to the time the rules are asked at (the demo's
    business-hours clock, see :class:`CampaignDialing`)."""

    def __init__(self, campaign: DialingCampaign, mode: str, ring_seconds: float,
                 rule_time: Callable[[float], float] = _same) -> None:
        self.campaign, self.mode, self.ring_seconds = campaign, mode, ring_seconds
        self.rule_time = rule_time
        self.rules = rules_for(COUNTRY, campaign.type)
        self.queue: deque[LiveLead] = deque()
        #: entries loaded, ringing, or ended and not yet written: not to be loaded again
        self.busy: set[int] = set()
        #: entry id -> epoch before which the rules refuse it (no need to read it before)
        self.later: dict[int, float] = {}
        self.outcomes: list[DialOutcome] = []
        self.refused = 0

    def exclude(self, now: float) -> set[int]:
        self.later = {k: t for k, t in self.later.items() if t > now}
        return self.busy | set(self.later)

    def add(self, leads: Sequence[LiveLead], later: dict[int, datetime]) -> None:
        for lead in leads:
            if lead.entry_id not in self.busy:
                self.busy.add(lead.entry_id)
                self.queue.append(lead)
        self.later.update({k: t.timestamp() for k, t in later.items()})

    def next_lead(self, now: float) -> LiveLead | None:
        """The next loaded lead the rules still allow at ``now`` (the instant of the dial)."""
        wall = _wall(self.rule_time(now))
        while self.queue:
            lead = self.queue.popleft()
            decision = check_dial(self.rules, lead.target, lead.history, wall,
                                  campaign=lead.key, ring_seconds=self.ring_seconds,
                                  holidays=lead.holidays, industry_do_not_call=lead.industry)
            if decision.allowed:
                return lead
            self.refused += 1
            self.busy.discard(lead.entry_id)  # read again, and decided, at the next load
        return None

    def placed(self, lead: LiveLead, now: float) -> None:
        lead.history.append(PastDial(_wall(now), lead.key, lead.campaign_type, None))

    def settled(self, lead: LiveLead, result: DialResultName, now: float) -> int:
        last = lead.history[-1]
        lead.history[-1] = PastDial(last.at, last.campaign, last.campaign_type, result)
        self.outcomes.append(DialOutcome(lead.entry_id, lead.customer_id, lead.key, result,
                                         _wall(now), self.mode))
        return sum(1 for d in lead.history if d.campaign == lead.key)


@dataclass
class LiveTally:
    """Today's figures of one dialler in this process (:class:`simulations.dialer.DialFigures`);
    /campaigns reads the day's figures from the log instead (every process, restarts)."""

    dials: int = 0
    live_answers: int = 0
    connects: int = 0
    abandons: int = 0
    machines: int = 0
    amd_drops: int = 0
    preview_seconds: float = 0.0
    handle_seconds: float = 0.0

    def dialled(self, t: float) -> None:
        self.dials += 1

    def answered_live(self, t: float) -> None:
        self.live_answers += 1

    def machine(self, t: float) -> None:
        self.machines += 1

    def amd_false_positive(self, t: float) -> None:
        self.amd_drops += 1

    def connected(self, t: float) -> None:
        self.connects += 1

    def abandoned(self, t: float) -> None:
        self.abandons += 1

    def previewed(self, t: float, seconds: float) -> None:
        self.preview_seconds += seconds

    def handled(self, started: float, seconds: float) -> None:
        self.handle_seconds += seconds


class LiveBlending:
    """Inbound first (:class:`simulations.dialer.Blending`): nothing dialled while an inbound
    call waits in the queue; the reserve of idle agents of Bhulai and Koole's threshold for the
    queue's forecast rate (none without a forecast)."""

    def __init__(self, engine: RoutingEngine, queue: str, agents: Callable[[], int],
                 rate: InboundRate | None) -> None:
        self.engine, self.queue, self.agents, self.rate = engine, queue, agents, rate

    def holds_outbound(self, now: float) -> bool:
        return any(c.direction != "outbound" for c in self.engine.waiting_contacts(self.queue))

    def reserve(self, now: float) -> int:
        if self.rate is None:
            return 0
        per_hour = self.rate(self.queue, now)
        aht = self.engine.queues[self.queue].aht_seconds
        return _threshold(self.agents(), round(per_hour, 1), round(aht))


@functools.lru_cache(maxsize=4096)
def _threshold(agents: int, calls_per_hour: float, aht_seconds: float) -> int:
    if agents <= 0 or calls_per_hour <= 0:
        return 0
    return blend_threshold(agents, calls_per_hour / 3600.0, aht_seconds,
                           BLEND_PATIENCE_SECONDS, BLEND_THRESHOLD_SECONDS, BLEND_MAX_LOSS)


class _Customers:
    """The connector's behaviour: it plays customers only (it drives no agent)."""

    def ring_seconds(self, offer: ContactOffered) -> float:
        return 0.0

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(caller.handle_seconds)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return 0.0, None

    def party(self, queue: str) -> Party | None:
        return None  # it wraps up no outbound call of its own

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        return False


@dataclass
class CampaignRun:
    campaign: DialingCampaign
    dialer: Dialer[LiveLead]
    leads: CampaignLeads
    tally: LiveTally = field(default_factory=LiveTally)


class CampaignDialing(BackgroundLoop):
    """Every auto-dialled campaign of the live center (see the module docstring)."""

    task_name = "campaign-dialling"

    def __init__(self, db: Engine, center: LiveCenter, robots: RobotCustomers,
                 inbound_rate: InboundRate | None = None,
                 tick_seconds: float = TICK_SECONDS,
                 rule_time: Callable[[float], float] = _same) -> None:
        self.db, self.center, self.robots = db, center, robots
        self.rule_time = rule_time
        self.inbound_rate, self.tick_seconds = inbound_rate, tick_seconds
        self.runs: dict[int, CampaignRun] = {}
        self.retired: list[CampaignRun] = []  # a mode changed: its dials in flight end
        self.outbox: list[Event] = []
        self.step_pending = False
        self.connector = Driver(_Customers(), center.port, driven=())
        center.observers.append(self._observe)

    # --- the engine task's side ---------------------------------------------------------

    def _all_runs(self) -> list[CampaignRun]:
        return [*self.runs.values(), *self.retired]

    def _observe(self, now: float, stored: Sequence[tuple[int, Event]]) -> None:
        events = [e for _, e in stored]
        self.connector.observe(events)
        for run in self._all_runs():
            run.dialer.track_agents(events)
            run.dialer.track(events, now)
        if self.outbox or any(type(e) is AgentStateChanged for e in events):
            self._want_step(now)

    def _want_step(self, now: float) -> None:
        if not self.step_pending:
            self.step_pending = True
            self.center.schedule(now, self._step, "campaign dialling", REACTION)

    def _drain(self) -> list[Event]:
        out, self.outbox = self.outbox, []
        return out

    def _step(self, eng: RoutingEngine, now: float) -> list[Event]:
        """Pace every campaign now; the dialler's events so far, to be stored."""
        self.step_pending = False
        for run in self.runs.values():
            run.dialer.pace(now)
        return self._drain()

    def _port(self, at: float, priority: int, action: Action, label: str) -> None:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            events = action(eng, now)
            return [*self._drain(), *events]
        self.center.schedule(at, act, label, priority)

    # --- campaigns ----------------------------------------------------------------------

    def _skilled(self, queue: str) -> list[str]:
        engine = self.center.engine
        skill = engine.queues[queue].skill
        return [a.agent_id for a in engine.agents_snapshot()
                if any(s == skill for s, _ in a.skills)]

    def _new_run(self, c: DialingCampaign, now: float) -> CampaignRun:
        robots = self.robots
        aht = self.center.engine.queues[c.queue].aht_seconds
        spec = DialerSpec(mode="predictive" if c.mode == "predictive" else "progressive",
                          campaign=dial_label(c.name), queue=c.queue,
                          aht_seconds=max(aht, 30.0), wrap_seconds=min(15.0, aht / 4),
                          prior_answer_rate=max(robots.answer_rate, 0.01),
                          connect_on_offer=True)
        leads = CampaignLeads(c, spec.mode, robots.ring_timeout_seconds, self.rule_time)
        tally = LiveTally()
        agents = self._skilled(c.queue)
        stamp = int(now)
        dialer: Dialer[LiveLead] = Dialer(
            spec, agents, leads, lambda _now: robots.ring(), robots.rng, self._port,
            self.connector, tally, self.outbox_append,
            blending=LiveBlending(self.center.engine, c.queue, lambda: len(dialer.agents),
                                  self.inbound_rate),
            contact_id=lambda n: f"AD{c.id}-{stamp}-{n}")
        for view in self.center.engine.agents_snapshot():  # the agents as they are now
            dialer.state[view.agent_id] = view.state
            dialer.since[view.agent_id] = view.state_since
        return CampaignRun(c, dialer, leads, tally)

    def outbox_append(self, event: Event) -> None:
        self.outbox.append(event)

    def sync(self, campaigns: Sequence[DialingCampaign], now: float) -> None:
        """Dial the campaigns as they now are: new ones start, a changed mode, queue or name
        starts afresh (the old dialler's dials in flight end),
        ``active`` opens or closes the dialler, the skilled agents are re-read."""
        seen = set()
        for c in campaigns:
            seen.add(c.id)
            run = self.runs.get(c.id)
            if run is not None and (run.campaign.mode, run.campaign.queue, run.campaign.name) \
                    != (c.mode, c.queue, c.name):
                run.dialer.open = False
                self.retired.append(run)
                run = None
            if run is None:
                run = self.runs[c.id] = self._new_run(c, now)
            run.campaign = c
            run.dialer.open = c.active
            run.dialer.agents = self._skilled(c.queue)
        for cid in [k for k in self.runs if k not in seen]:  # no longer auto-dialled
            run = self.runs.pop(cid)
            run.dialer.open = False
            self.retired.append(run)
        self.retired = [r for r in self.retired if r.dialer.in_flight or r.dialer.pending
                        or r.leads.outcomes]

    # --- the ticker ---------------------------------------------------------------------

    async def tick(self) -> None:
        """Re-read the campaigns, write the ended dials, load leads, then pace (module doc)."""
        now = self.center.clock.now()
        queues = list(self.center.engine.queues)
        campaigns = await self.in_thread(dialing_campaigns, self.db, queues)
        self.sync(campaigns, now)
        for run in self._all_runs():
            await self._write(run, now)
        for run in self.runs.values():
            if run.dialer.open and len(run.leads.queue) < LEADS_LOW:
                loaded = await self.in_thread(
                    load_leads, self.db, run.campaign, _wall(self.rule_time(now)),
                    LEADS_PER_LOAD, run.leads.exclude(now), run.leads.ring_seconds,
                    _wall(now))
                run.leads.add(loaded.leads, loaded.later)
        await self.center.submit(self._step)

    async def _write(self, run: CampaignRun, now: float) -> None:
        outcomes, run.leads.outcomes = run.leads.outcomes, []
        if not outcomes:
            return
        try:
            await self.in_thread(settle_dials, self.db, outcomes, run.leads.ring_seconds,
                                 _wall(now))
        except Exception:
            run.leads.outcomes[:0] = outcomes  # written at the next tick
            raise
        run.leads.busy.difference_update(o.entry_id for o in outcomes)

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a busy database: the next tick tries again
                log.exception("campaign dialling: tick failed; retrying")
            await asyncio.sleep(self.tick_seconds)

