"""Preview dialing in the live center: the agent dials an agenda item, a robot customer answers.

The story of a dial (the simulator's preview mode, :mod:`simulations.outbound`, on the live
clock)::

    Dial ─▶ a ready agent → not_ready (preview_dialing) ─▶ DialAttempted(mode="preview")
         ─▶ ring (robot customer: RobotCustomers.ring) ─▶ connected: DialResult(connected),
            the call arrives as the agent's outbound contact (preferred agent) and is answered
            at once: talk, hold, hang up, wrap-up as any call
         ─▶ no_answer / busy / machine: DialResult(result), the agent back as before; the
            agent records the result (a dial row of the contact history) and the rules'
            retry interval decides when the lead can be dialled again

Every event goes through the center's engine task and event log, so the KPIs count the dial
(:mod:`qa.dials`) and the outbound contact (:mod:`qa.outcomes`). The dials in progress are
kept per process (:class:`PreviewDials` on ``app.state``) until the agent recorded the
result or ended the call's wrap-up.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.applications import Starlette

from routing.engine import ContactSpec, RoutingEngine
from routing.errors import RoutingError
from routing.events import DialAttempted, DialResult, DialResultName, Event
from simulations.kernel import COMPLETION

if TYPE_CHECKING:  # annotations only: the live package builds its services from the
    # agenda's modules (app.dial_recovery at start), which import this one
    from app.live.center import LiveCenter
    from app.live.robot_customers import RobotCustomers

#: the not-ready reason of an agent whose dial is ringing (the simulator's too)
PREVIEW_DIALING = "preview_dialing"
#: the agent states from which a dial may be placed
DIAL_FROM = ("ready", "not_ready")


@dataclass
class PreviewDial:
    """One dial placed from the agenda. ``result`` None while it rings."""

    contact_id: str
    campaign: str
    lead_id: int | None
    customer_id: int
    tier: str
    agent: str
    attempt: int
    placed_at: float = 0.0
    prior_state: str = "ready"
    prior_reason: str | None = None
    result: DialResultName | None = None
    ended_at: float | None = None


@dataclass
class PreviewDials:
    """The dials in progress of this process: by contact id, and each agent's latest."""

    by_contact: dict[str, PreviewDial] = field(default_factory=dict)
    by_agent: dict[str, str] = field(default_factory=dict)
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def of_agent(self, agent: str) -> PreviewDial | None:
        cid = self.by_agent.get(agent)
        return self.by_contact.get(cid) if cid is not None else None

    def add(self, dial: PreviewDial) -> None:
        self.by_contact[dial.contact_id] = dial
        self.by_agent[dial.agent] = dial.contact_id

    def done(self, dial: PreviewDial) -> None:
        self.by_contact.pop(dial.contact_id, None)
        if self.by_agent.get(dial.agent) == dial.contact_id:
            del self.by_agent[dial.agent]

    def new_contact_id(self, prefix: str) -> str:
        return f"P{prefix}-{next(self.numbers)}"


def preview_dials(app: Starlette) -> PreviewDials:
    dials: PreviewDials | None = getattr(app.state, "preview_dials", None)
    if dials is None:
        dials = app.state.preview_dials = PreviewDials()
    return dials


def outbound_queue(engine: RoutingEngine, agent: str) -> str:
    """The queue an agent's outbound call is counted in: ``outbound`` when configured, else
    the queue of the agent's best skill, else the first queue."""
    queues = engine.queues
    if "outbound" in queues:
        return "outbound"
    skills = sorted(engine.agent_view(agent).skills, key=lambda s: (-s[1], s[0]))
    for skill, _level in skills:
        for name, config in queues.items():
            if config.skill == skill:
                return name
    if not queues:
        raise RoutingError("the center has no queue for an outbound call")
    return next(iter(queues))


def place(dials: PreviewDials, dial: PreviewDial, robots: RobotCustomers,
          center: LiveCenter) -> Callable[[RoutingEngine, float], list[Event]]:
    """The engine-task action that places ``dial``: checks the agent may dial (logged in,
    ready or not ready, no dial ringing, the last failed dial recorded), then ``not_ready(preview_dialing)`` and
    ``DialAttempted``; the robot customer's answer is scheduled on the center's kernel."""

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        view = eng.agent_view(dial.agent)
        if view.state not in DIAL_FROM or view.contact_id is not None:
            raise RoutingError(f"agent {dial.agent} cannot dial while {view.state}")
        previous = dials.of_agent(dial.agent)
        if previous is not None and previous.result is None:
            raise RoutingError(f"agent {dial.agent} has a dial ringing ({previous.contact_id})")
        if previous is not None and previous.result != "connected":
            raise RoutingError(f"record the result of dial {previous.contact_id} first")
        if previous is not None:  # a connected call whose wrap-up ended outside the console
            dials.done(previous)
        dial.placed_at, dial.prior_state, dial.prior_reason = now, view.state, view.reason
        events: list[Event] = []
        if view.state == "ready":  # no inbound call may take the agent whose customer answers
            events += eng.set_not_ready(dial.agent, now, reason=PREVIEW_DIALING)
        events.append(DialAttempted(now, dial.contact_id, dial.campaign,
                                    str(dial.customer_id), dial.agent, "preview"))
        dials.add(dial)
        after, result = robots.ring()
        center.schedule(now + after, outcome(dial, result), f"dial {dial.contact_id}",
                        COMPLETION)
        return events

    return act


def _still_dialling(eng: RoutingEngine, dial: PreviewDial) -> bool:
    """Whether the agent is still as the dial left them (not ready, on no contact)."""
    view = eng.agent_view(dial.agent)
    reason = PREVIEW_DIALING if dial.prior_state == "ready" else dial.prior_reason
    return view.state == "not_ready" and view.reason == reason and view.contact_id is None


def _back_as_before(eng: RoutingEngine, dial: PreviewDial, now: float) -> list[Event]:
    """A dialling agent who was ready is ready again (unless they moved meanwhile)."""
    if dial.prior_state == "ready" and _still_dialling(eng, dial):
        return eng.set_ready(dial.agent, now)
    return []


def outcome(dial: PreviewDial, result: DialResultName) -> Callable[[RoutingEngine, float],
                                                                   list[Event]]:
    """The robot customer's answer: ``DialResult``; a live answer becomes the agent's
    outbound contact, answered at once (the agent is on the line it dialled). When the agent
    can no longer take it (logged out meanwhile), the live answer is abandoned."""

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        dial.ended_at = now
        waiting = _still_dialling(eng, dial)
        final: DialResultName = result if result != "connected" or waiting else "abandoned"
        dial.result = final
        events: list[Event] = [DialResult(now, dial.contact_id, dial.campaign, final,
                                          dial.agent, dial.attempt)]
        if final != "connected":
            return events + _back_as_before(eng, dial, now)
        spec = ContactSpec(dial.contact_id, outbound_queue(eng, dial.agent), tier=dial.tier,
                           customer_id=str(dial.customer_id), preferred_agent_id=dial.agent,
                           direction="outbound")
        events += eng.arrive(spec, now)
        events += eng.set_ready(dial.agent, now)  # the preferred agent: offered at once
        contact = eng.contact_view(dial.contact_id)
        if contact.state == "offered" and contact.agent_id == dial.agent:
            events += eng.answer(dial.contact_id, dial.agent, now)
        return events

    return act
