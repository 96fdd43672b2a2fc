"""The dialler: which leads to dial now and how many, the ring, and a live answer becoming a
contact of the routing engine under the 2-second connect rule. One component on both clocks:
the outbound simulation (:mod:`simulations.outbound`, virtual clock) and the live center's
campaign dialling (:mod:`app.live.campaign_dialer`, wall clock) drive the same
:class:`Dialer`.

The story of a dial::

    lead ──pace──▶ DialAttempted ──ring──▶ live answer ──▶ engine.arrive(outbound)
      ▲                                │                   │ agent within 2 s?
      └── the lead source's retry ◀────┤ no answer / busy  ├─ yes: DialResult(connected)
                                       │ machine           └─ no: engine.abandon,
                                                              DialResult(abandoned)

* **How many, now** (:meth:`Dialer.pace`): **preview**: each idle agent previews a lead for
  ``preview_seconds``, then dials it; its answer goes to that agent (``preferred_agent_id``),
  who is not ready (:data:`PREVIEW_DIALING`) while it rings. **progressive**: one dial per
  idle agent, less the dials ringing. **predictive**: :class:`telesales.pacing.PredictivePacer`
  decides from the idle agents, what is left of the busy agents' work and the dials ringing.
  With blending (:class:`Blending`) no dial while inbound calls wait, and the reserve of idle
  agents is kept for inbound.
* **Which lead**: the :class:`LeadSource`'s (the simulation's synthetic customers, or the
  day's campaign list entries in the live center); it checks the contact rules before it
  hands a lead out, keeps the lead's history and decides its retry when told the result.
* **The ring**: ``ring(now) -> (seconds, result)``, the robot customers of
  :func:`ring_outcome` on both clocks.
* **A live answer** becomes the engine's outbound contact on ``queue``, played by the
  ``connector`` (:meth:`simulations.driver.Driver.arrive`) as a caller whose patience is
  :data:`telesales.pacing.CONNECT_LIMIT_SECONDS`: the dialler drops it (abandoned) when no
  agent is connected by then. With ``connect_on_offer`` the dialler itself answers its
  contact the instant the engine offers it (the live center: the agent's line is bridged,
  robot or person); in the simulation the robot agents answer at once anyway.
* A live answer that the machine detector wrongly calls a machine (``amd_false_positive``)
  is dropped and counted as abandoned.

The dialler's own events (``DialAttempted``, ``DialResult``) go to ``record``; those made
inside an action (a dial placed by :meth:`Dialer.pace`, a ring's outcome) are recorded before
the action's engine events. Its figures go to a :class:`DialFigures`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

import numpy as np

from routing.engine import ContactSpec, RoutingEngine
from routing.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactOffered,
    DialAttempted,
    DialMode,
    DialResult,
    DialResultName,
    Event,
    WrapUpEnded,
)
from simulations.driver import Action, Port
from simulations.kernel import COMPLETION, REACTION
from telesales.pacing import CONNECT_LIMIT_SECONDS, PacingConfig, PredictivePacer

#: a live answer comes this many seconds after the dial (uniform), the robot customer's ring
ANSWER_AFTER_SECONDS = (3.0, 18.0)
#: the not-ready reason of a preview agent while the number it dialled rings
PREVIEW_DIALING = "preview_dialing"


def ring_outcome(
    rng: np.random.Generator, answer_rate: float, machine_rate: float, busy_rate: float,
    ring_timeout_seconds: float, answer_after: tuple[float, float] = ANSWER_AFTER_SECONDS,
) -> tuple[float, DialResultName]:
    """How a dial ends and how many seconds after it was placed: the customer answers
    (``connected``, after ``answer_after`` seconds, uniform) with probability
    ``answer_rate``; otherwise an answering machine picks up (``machine``, 7.5-17.5 s: its
    greeting is detected), the line is ``busy`` (2 s), or it rings out (``no_answer`` at
    ``ring_timeout_seconds``), with shares ``machine_rate`` and ``busy_rate`` of the calls not
    answered live. One uniform draw decides, then at most one more gives the time: the
    simulator's dialler and the live demo's robot customers call this alike."""
    u = rng.random()
    p = answer_rate
    if u < p:
        return float(rng.uniform(*answer_after)), "connected"
    if u < p + (1 - p) * machine_rate:
        return float(rng.uniform(5.0, 15.0)) + 2.5, "machine"
    if u < p + (1 - p) * (machine_rate + busy_rate):
        return 2.0, "busy"
    return ring_timeout_seconds, "no_answer"


class Lead(Protocol):
    """What the dialler reads of a lead: the customer it dials."""

    @property
    def customer(self) -> str: ...


LeadT = TypeVar("LeadT", bound=Lead)


class LeadSource(Protocol[LeadT]):
    """Where the leads come from, and what becomes of them."""

    def next_lead(self, now: float) -> LeadT | None:
        """A lead whose dial the contact rules allow at ``now`` (None: none now)."""
        ...

    def placed(self, lead: LeadT, now: float) -> None:
        """A dial of ``lead`` was placed at ``now`` (its history grows)."""
        ...

    def settled(self, lead: LeadT, result: DialResultName, now: float) -> int:
        """The dial ended with ``result``; the lead's retry is the source's. Returns the
        attempt number of the dial (1 = first)."""
        ...


class DialFigures(Protocol):
    """Counts the dialler keeps (per day and 15 minutes in the simulation; today's in the
    live center). ``t`` is when it happened."""

    def dialled(self, t: float) -> None: ...

    def answered_live(self, t: float) -> None: ...

    def machine(self, t: float) -> None: ...

    def amd_false_positive(self, t: float) -> None: ...

    def connected(self, t: float) -> None: ...

    def abandoned(self, t: float) -> None: ...

    def previewed(self, t: float, seconds: float) -> None: ...

    def handled(self, started: float, seconds: float) -> None: ...


class Blending(Protocol):
    """Inbound calls first: no outbound dial while :meth:`holds_outbound`, and
    :meth:`reserve` idle agents kept for inbound."""

    def holds_outbound(self, now: float) -> bool: ...

    def reserve(self, now: float) -> int: ...


class Connector(Protocol):
    """Plays a live answer as a caller of the engine (:meth:`simulations.driver.Driver.arrive`)."""

    def arrive(self, spec: ContactSpec, handle_seconds: float, patience: float,
               now: float) -> None: ...


@dataclass(frozen=True, slots=True)
class DialerSpec:
    """A campaign as the dialler dials it."""

    mode: DialMode | Literal["none"]
    #: the campaign named in ``DialAttempted`` and ``DialResult``
    campaign: str
    #: the engine queue its live answers arrive in (the agents' outbound skill)
    queue: str
    abandon_cap: float = 0.03
    amd_false_positive: float = 0.0
    preview_seconds: float = 15.0
    aht_seconds: float = 180.0
    wrap_seconds: float = 15.0
    #: the pacer's answer rate before it has measured one
    prior_answer_rate: float = 0.25
    #: the dialler answers its own contact for the agent it is offered to (see the module doc)
    connect_on_offer: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.abandon_cap <= 0.5:
            raise ValueError(f"abandon_cap must be in (0, 0.5], got {self.abandon_cap!r}")
        if not self.wrap_seconds < self.aht_seconds:
            raise ValueError(f"wrap_seconds must be less than aht_seconds, got "
                             f"{self.wrap_seconds!r} >= {self.aht_seconds!r}")
        if not 0 < self.prior_answer_rate <= 1:
            raise ValueError(f"prior_answer_rate must be in (0, 1], got "
                             f"{self.prior_answer_rate!r}")


@dataclass(slots=True)
class _Dial(Generic[LeadT]):
    lead: LeadT
    agent: str | None
    placed: float


def _numbered(n: int) -> str:
    return f"d{n}"


class Dialer(Generic[LeadT]):
    """One campaign's dialler (see the module docstring). ``open`` says whether it dials;
    ``agents`` are the agents that take its work, in the order they are given it."""

    def __init__(self, spec: DialerSpec, agents: Sequence[str], leads: LeadSource[LeadT],
                 ring: Callable[[float], tuple[float, DialResultName]],
                 rng: np.random.Generator, port: Port, connector: Connector,
                 figures: DialFigures, record: Callable[[Event], None],
                 blending: Blending | None = None,
                 contact_id: Callable[[int], str] = _numbered) -> None:
        self.spec, self.leads, self.ring, self.rng = spec, leads, ring, rng
        self.port, self.connector, self.figures, self.record = port, connector, figures, record
        self.blending, self.contact_id = blending, contact_id
        self.agents = list(agents)
        self.open = False
        self.state: dict[str, str] = {}  # every agent's state, as the events tell it
        self.since: dict[str, float] = {}  # agent -> when its state last changed
        self.in_flight: dict[str, _Dial[LeadT]] = {}  # ringing
        self.pending: dict[str, _Dial[LeadT]] = {}  # answered, waiting for an agent
        self.answered_at: dict[str, float] = {}
        self.bound: set[str] = set()  # agents previewing or waiting for their own dial
        self.n_dials = 0
        self.pacer = PredictivePacer(PacingConfig(abandon_cap=spec.abandon_cap,
                                                  amd_false_positive=spec.amd_false_positive),
                                     prior_answer_rate=spec.prior_answer_rate,
                                     prior_handle_seconds=spec.aht_seconds)

    # --- what the engine said -----------------------------------------------------------

    def track_agents(self, events: Iterable[Event]) -> None:
        """Every batch of events, in order: the agents' states and since when."""
        state, since = self.state, self.since
        for ev in events:
            if type(ev) is AgentStateChanged:
                state[ev.agent_id] = ev.state
                since[ev.agent_id] = ev.at

    def track(self, events: Iterable[Event], at: float) -> None:
        """What the dialler learns from the engine: its contacts connected or abandoned,
        their handle times (after :meth:`track_agents` for the same batch)."""
        for ev in events:
            kind = type(ev)
            if kind is ContactAnswered:
                cid = ev.contact_id  # type: ignore[attr-defined]
                dial = self.pending.pop(cid, None)
                if dial is not None:
                    self.figures.connected(at)
                    self.pacer.observe_connect(at, abandoned=False)
                    self.answered_at[cid] = at
                    self._finish(cid, dial, "connected", at)
            elif kind is ContactAbandoned:
                cid = ev.contact_id  # type: ignore[attr-defined]
                dial = self.pending.pop(cid, None)
                if dial is not None:
                    self._abandoned(cid, dial, at)
            elif kind is WrapUpEnded:
                started = self.answered_at.pop(ev.contact_id, None)  # type: ignore[attr-defined]
                if started is not None:
                    self.pacer.observe_handle(at - started)
                    self.figures.handled(started, at - started)
            elif kind is ContactOffered and self.spec.connect_on_offer:
                cid = ev.contact_id  # type: ignore[attr-defined]
                if cid in self.pending:
                    self.port(at, REACTION, self._connect(cid, ev.agent_id),  # type: ignore[attr-defined]
                              "connect")

    def _connect(self, cid: str, agent: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if cid not in self.pending:
                return []
            view = eng.contact_view(cid)
            if view.state != "offered" or view.agent_id != agent:
                return []
            return eng.answer(cid, agent, now)
        return act

    # --- how many, now ------------------------------------------------------------------

    def ready_agents(self) -> list[str]:
        state = self.state
        return [a for a in self.agents if state.get(a) == "ready" and a not in self.bound]

    def busy_remaining(self, now: float) -> list[tuple[float, float]]:
        """What is left of each busy agent's work, as ``(delay, mean)`` for the pacer: a
        talking agent the wrap-up to come, then the mean talk (talk is memoryless: its past
        says nothing of what is left); an agent in wrap-up what is left of the usual
        wrap-up, then nothing."""
        state, since = self.state, self.since
        wrap = self.spec.wrap_seconds
        out: list[tuple[float, float]] = []
        talk = max(self.pacer.handle.mean - wrap, 1.0)
        for a in self.agents:
            st = state.get(a)
            if st == "wrap_up":
                out.append((max(wrap - (now - since.get(a, now)), 0.0), 0.0))
            elif st in ("reserved", "talking", "hold"):
                out.append((wrap, talk))
        return out

    def pace(self, now: float) -> None:
        """Place the dials due now (the module docstring's *how many*)."""
        s = self.spec
        if not self.open or s.mode == "none":
            return
        ready = self.ready_agents()
        if self.blending is not None:
            if self.blending.holds_outbound(now):
                return
            ready = ready[self.blending.reserve(now):]
        if s.mode == "preview":
            for agent in ready:
                self.bound.add(agent)
                self.port(now + s.preview_seconds, COMPLETION, self._preview_dial(agent),
                          f"preview {agent}")
            return
        if s.mode == "progressive":
            n = len(ready) - len(self.in_flight)
        else:
            # blending: agents freeing from a call are inbound's first, not counted on
            busy = self.busy_remaining(now) if self.blending is None else []
            n = self.pacer.dials_to_place(now, len(ready), busy,
                                          [now - d.placed for d in self.in_flight.values()])
        for _ in range(max(0, n)):
            lead = self.leads.next_lead(now)
            if lead is None:
                continue
            self._dial(lead, None, now)

    def _preview_dial(self, agent: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if not self.open or self.state.get(agent) != "ready":
                self.bound.discard(agent)
                return []
            lead = self.leads.next_lead(now)
            if lead is None:
                self.bound.discard(agent)
                return []
            self._dial(lead, agent, now)
            self.figures.previewed(now, self.spec.preview_seconds)
            # the agent is on the line it dialled (ringback): not ready for inbound until the
            # dial's outcome, so an inbound call cannot take the agent whose customer answers
            return eng.set_not_ready(agent, now, PREVIEW_DIALING)
        return act

    # --- a dial -------------------------------------------------------------------------

    def _dial(self, lead: LeadT, agent: str | None, now: float) -> None:
        s = self.spec
        self.n_dials += 1
        cid = self.contact_id(self.n_dials)
        self.leads.placed(lead, now)
        assert s.mode != "none"  # no dial is placed without a dialling mode
        self.record(DialAttempted(now, cid, s.campaign, lead.customer, agent, s.mode))
        self.figures.dialled(now)
        self.in_flight[cid] = _Dial(lead, agent, now)
        after, result = self.ring(now)
        self.port(now + after, COMPLETION, self._outcome(cid, result), f"dial {cid}")

    def _back_from_dial(self, eng: RoutingEngine, dial: _Dial[LeadT],
                        now: float) -> list[Event]:
        """A preview dial's agent, not ready while its dial rang, is ready again (unless
        the day's end logged it out meanwhile)."""
        agent = dial.agent
        if agent is None or self.state.get(agent) != "not_ready":
            return []
        return eng.set_ready(agent, now)

    def _outcome(self, cid: str, result: DialResultName) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            dial = self.in_flight.pop(cid)
            s, figures = self.spec, self.figures
            if dial.agent is not None:
                self.bound.discard(dial.agent)
                figures.previewed(now, now - dial.placed)  # the agent waited on its ring
            self.pacer.observe_dial(result == "connected", now - dial.placed)
            if result != "connected":
                if result == "machine":
                    figures.machine(now)
                self._finish(cid, dial, result, now)
                return self._back_from_dial(eng, dial, now)
            figures.answered_live(now)
            if s.amd_false_positive and self.rng.random() < s.amd_false_positive:
                figures.amd_false_positive(now)
                self._abandoned(cid, dial, now)
                return self._back_from_dial(eng, dial, now)
            handle = float(self.rng.exponential(s.aht_seconds - s.wrap_seconds))
            spec = ContactSpec(cid, s.queue, customer_id=dial.lead.customer,
                               preferred_agent_id=dial.agent, direction="outbound")
            self.connector.arrive(spec, handle, CONNECT_LIMIT_SECONDS, now)
            self.pending[cid] = dial
            # a preview dial's answer waits for its agent (preferred), who is ready at once
            return [*eng.arrive(spec, now), *self._back_from_dial(eng, dial, now)]
        return act

    def _finish(self, cid: str, dial: _Dial[LeadT], result: DialResultName, now: float) -> None:
        attempt = self.leads.settled(dial.lead, result, now)
        self.record(DialResult(now, cid, self.spec.campaign, result, dial.agent, attempt))

    def _abandoned(self, cid: str, dial: _Dial[LeadT], now: float) -> None:
        self.figures.abandoned(now)
        self.pacer.observe_connect(now, abandoned=True)
        self._finish(cid, dial, "abandoned", now)
