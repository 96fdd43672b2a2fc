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

Every ``DialAttempted`` and ``DialResult`` is kept with the engine's events
(``keep_events``); the summary's ``rule_violations`` re-checks every placed dial against
the rules with the history before it (an audit of the dialler, which must find none).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

import numpy as np

from routing.engine import AgentSpec, ContactSpec, QueueConfig, RoutingEngine
from routing.events import (
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactArrived,
    ContactOffered,
    DialAttempted,
    DialMode,
    DialResult,
    DialResultName,
    Event,
    WrapUpEnded,
)
from simulations.driver import Action, Caller, Driver, Talk
from simulations.kernel import AGENT_SCHEDULE, ARRIVAL, COMPLETION, TIMER, Kernel
from telesales.blending import ReserveFeedback, blend_model, blend_threshold
from telesales.blending_plan import BlendPlan, plan_day
from telesales.contact_rules import (
    ContactRules,
    DialTarget,
    PastDial,
    check_dial,
    next_allowed,
    rules_for,
)
from telesales.pacing import CONNECT_LIMIT_SECONDS, PacingConfig, PredictivePacer

MODES: tuple[DialMode | Literal["none"], ...] = ("preview", "progressive", "predictive", "none")
DAY = 86400.0
#: the calendar day the simulation's day 0 is (a Monday), in the customers' zone
FIRST_DAY = datetime(2027, 1, 4)
#: limits that keep a scenario's run bounded
MAX_AGENTS = 500
MAX_DAYS = 366
#: no dial is placed in the last seconds before the campaign closes
LAST_DIAL_MARGIN = 60.0


class OutboundScenarioError(ValueError):
    """A scenario field that cannot be used; ``field`` names it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class InboundLoad:
    """Inbound calls during the campaign's hours (Poisson arrivals, exponential talk and
    patience), answered by the campaign's agents before any outbound work."""

    #: the calls per hour of the first step (all day when there are no steps)
    calls_per_hour: float
    aht_seconds: float
    patience_mean_seconds: float | None = 120.0
    service_level_threshold_seconds: float = 20.0
    #: an intraday forecast: (seconds after midnight, calls per hour) steps, in time order
    steps: tuple[tuple[float, float], ...] = ()

    def rate_at(self, t: float) -> float:
        """Calls per hour at simulated time ``t`` (the step in force at its time of day)."""
        rate = self.calls_per_hour
        second = t % DAY
        for start, r in self.steps:
            if second >= start:
                rate = r
        return rate

    @property
    def peak_calls_per_hour(self) -> float:
        return max([self.calls_per_hour, *(r for _, r in self.steps)])


BlendPolicy = Literal["reserve", "model", "plan"]
BLEND_POLICIES: tuple[BlendPolicy, ...] = ("reserve", "model", "plan")
INBOUND_QUEUE = "inbound"
#: the not-ready reason of a preview agent while the number it dialled rings
PREVIEW_DIALING = "preview_dialing"


@dataclass(frozen=True, slots=True)
class OutboundScenario:
    """A campaign to simulate (the JSON fields, documented in the README)."""

    agents: int
    #: the live-answer rate of a dial; a list of (seconds after midnight, rate) steps
    answer_rate: tuple[tuple[float, float], ...]
    aht_seconds: float
    mode: DialMode | Literal["none"]
    abandon_cap: float = 0.03
    open_seconds: float = 9 * 3600.0
    close_seconds: float = 18 * 3600.0
    wrap_seconds: float = 15.0
    machine_rate: float = 0.10
    busy_rate: float = 0.05
    amd_false_positive: float = 0.0
    preview_seconds: float = 15.0
    ring_timeout_seconds: float = 25.0
    campaign: str = "campaign"
    campaign_type: Literal["telesales", "collections", "service"] = "telesales"
    country: str = "KR"
    time_zone: str = "Asia/Seoul"
    #: a live-answer rate per day (cycled), instead of ``answer_rate``'s constant
    answer_rate_by_day: tuple[float, ...] = ()
    #: blending: inbound calls the same agents answer first (None: outbound only)
    inbound: InboundLoad | None = None
    #: blending: outbound dials only while more than this many agents are idle
    blend_reserve: int = 2
    #: blending with a forecast (0: off): the reserve is also at least the inbound calls
    #: expected within this many seconds (rate × horizon, plus one standard deviation),
    #: less the agents whose inbound wrap-up ends within it
    blend_horizon_seconds: float = 0.0
    #: blending policy: ``reserve`` (``blend_reserve`` and ``blend_horizon_seconds``) or
    #: ``model`` (the reserve of :func:`telesales.blending.blend_threshold` for the inbound
    #: load of the moment, corrected by the measured service level) or ``plan``
    #: (:func:`telesales.blending_plan.plan_day`: the day's margin spread over the steps)
    blend_policy: BlendPolicy = "reserve"
    #: the ``model`` policy: the inbound service level it may lose against inbound-only
    blend_sl_margin: float = 0.005
    #: the ``model`` policy: correct the reserve by the service level measured so far
    blend_feedback: bool = True

    def rate_at(self, t: float) -> float:
        if self.answer_rate_by_day:
            by_day = self.answer_rate_by_day
            return by_day[int(t // DAY) % len(by_day)]
        second = t % DAY
        rate = self.answer_rate[0][1]
        for start, r in self.answer_rate:
            if second >= start:
                rate = r
        return rate


def _hhmm(value: object, name: str) -> float:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise OutboundScenarioError(name, "expected HH:MM")
    try:
        hh, mm = int(value[:2]), int(value[3:])
    except ValueError as exc:
        raise OutboundScenarioError(name, "expected HH:MM") from exc
    if not (0 <= hh < 24 and 0 <= mm < 60):
        raise OutboundScenarioError(name, f"{value} is not a time of day")
    return hh * 3600.0 + mm * 60.0


def _num(data: Mapping[str, Any], name: str, default: float | None, lo: float, hi: float,
         *, integer: bool = False, open_low: bool = False) -> Any:
    value = data.get(name, default)
    if value is None:
        raise OutboundScenarioError(name, "is required")
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not isinstance(value, int)):
        raise OutboundScenarioError(name, "expected an integer" if integer else "expected a number")
    if not (lo < value <= hi if open_low else lo <= value <= hi) or math.isnan(value):
        raise OutboundScenarioError(name, f"must be between {lo:g} and {hi:g}")
    return value


KNOWN = frozenset({
    "agents", "answer_rate", "aht_seconds", "mode", "abandon_cap", "open", "close",
    "wrap_seconds", "machine_rate", "busy_rate", "amd_false_positive", "preview_seconds",
    "ring_timeout_seconds", "campaign", "campaign_type", "country", "time_zone",
    "answer_rate_by_day", "inbound", "blend_reserve",
    "blend_horizon_seconds", "blend_policy", "blend_sl_margin", "blend_feedback"})

INBOUND_KNOWN = frozenset({"calls_per_hour", "aht_seconds", "patience_mean_seconds",
                           "service_level_threshold_seconds"})


def _inbound(data: object) -> InboundLoad | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise OutboundScenarioError("inbound", "expected an object")
    unknown = sorted(set(data) - INBOUND_KNOWN)
    if unknown:
        raise OutboundScenarioError(f"inbound.{unknown[0]}", "unknown field")
    named = {f"inbound.{k}": v for k, v in data.items()}
    patience = named.get("inbound.patience_mean_seconds", 120.0)
    steps = _inbound_steps(named.get("inbound.calls_per_hour"))
    return InboundLoad(
        calls_per_hour=steps[0][1] if steps else _num(
            named, "inbound.calls_per_hour", None, 0.0, 100_000.0, open_low=True),
        steps=steps,
        aht_seconds=_num(named, "inbound.aht_seconds", None, 1.0, 7200.0),
        patience_mean_seconds=None if patience is None else _num(
            named, "inbound.patience_mean_seconds", 120.0, 0.0, 86400.0, open_low=True),
        service_level_threshold_seconds=_num(
            named, "inbound.service_level_threshold_seconds", 20.0, 0.0, 3600.0))


def _inbound_steps(raw: object) -> tuple[tuple[float, float], ...]:
    """``inbound.calls_per_hour`` as a list of ``{"from": "HH:MM", "calls_per_hour": N}``
    steps (an intraday forecast); () when it is a single number."""
    if not isinstance(raw, list):
        return ()
    name = "inbound.calls_per_hour"
    if not 0 < len(raw) <= 96:
        raise OutboundScenarioError(name, "expected 1 to 96 steps")
    steps: list[tuple[float, float]] = []
    for i, step in enumerate(raw):
        at = f"{name}[{i}]"
        if not isinstance(step, Mapping):
            raise OutboundScenarioError(at, 'expected {"from": "HH:MM", "calls_per_hour": N}')
        steps.append((_hhmm(step.get("from"), f"{at}.from"),
                      _num({f"{at}.calls_per_hour": step.get("calls_per_hour")},
                           f"{at}.calls_per_hour", None, 0.0, 100_000.0)))
    starts = [start for start, _ in steps]
    if starts != sorted(set(starts)):
        raise OutboundScenarioError(name, "steps must be in time order")
    if not any(rate > 0 for _, rate in steps):
        raise OutboundScenarioError(name, "at least one step must have calls")
    steps[0] = (0.0, steps[0][1])
    return tuple(steps)


def scenario_from_dict(data: object) -> OutboundScenario:
    """Parse and validate a scenario (:class:`OutboundScenarioError` names the field)."""
    if not isinstance(data, Mapping):
        raise OutboundScenarioError("scenario", "expected a JSON object")
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise OutboundScenarioError(unknown[0], "unknown field")
    raw_rate = data.get("answer_rate")
    steps: list[tuple[float, float]] = []
    if isinstance(raw_rate, list):
        if not 0 < len(raw_rate) <= 96:
            raise OutboundScenarioError("answer_rate", "expected 1 to 96 steps")
        for i, step in enumerate(raw_rate):
            if not isinstance(step, Mapping):
                raise OutboundScenarioError(f"answer_rate[{i}]", 'expected {"from": "HH:MM", "rate": R}')
            steps.append((_hhmm(step.get("from"), f"answer_rate[{i}].from"),
                          _num(step, "rate", None, 0.0, 1.0, open_low=True)))
        if [s for s, _ in steps] != sorted(s for s, _ in steps):
            raise OutboundScenarioError("answer_rate", "steps must be in time order")
        steps[0] = (0.0, steps[0][1])
    else:
        steps.append((0.0, _num(data, "answer_rate", None, 0.0, 1.0, open_low=True)))
    by_day_raw = data.get("answer_rate_by_day", [])
    if not isinstance(by_day_raw, list) or len(by_day_raw) > MAX_DAYS:
        raise OutboundScenarioError("answer_rate_by_day", f"expected a list of at most {MAX_DAYS} rates")
    by_day = tuple(_num({f"answer_rate_by_day[{i}]": r}, f"answer_rate_by_day[{i}]", None,
                        0.0, 1.0, open_low=True) for i, r in enumerate(by_day_raw))
    mode = data.get("mode", "predictive")
    if mode not in MODES:
        raise OutboundScenarioError("mode", f"expected one of {', '.join(MODES)}")
    kind = data.get("campaign_type", "telesales")
    if kind not in ("telesales", "collections", "service"):
        raise OutboundScenarioError("campaign_type", "expected telesales, collections or service")
    open_s = _hhmm(data.get("open", "09:00"), "open")
    close_s = _hhmm(data.get("close", "18:00"), "close")
    if close_s <= open_s:
        raise OutboundScenarioError("close", "must be after open")
    aht = _num(data, "aht_seconds", None, 1.0, 7200.0)
    wrap = _num(data, "wrap_seconds", min(15.0, aht / 4), 0.0, 3600.0)
    if wrap >= aht:
        raise OutboundScenarioError("wrap_seconds", "must be less than aht_seconds")
    machine = _num(data, "machine_rate", 0.10, 0.0, 1.0)
    busy = _num(data, "busy_rate", 0.05, 0.0, 1.0)
    if machine + busy > 1.0:
        raise OutboundScenarioError("busy_rate", "machine_rate + busy_rate must not exceed 1")
    campaign = data.get("campaign", "campaign")
    if not isinstance(campaign, str) or not 0 < len(campaign) <= 40:
        raise OutboundScenarioError("campaign", "expected a name of 1 to 40 characters")
    country = data.get("country", "KR")
    zone = data.get("time_zone", "Asia/Seoul")
    if not isinstance(zone, str):
        raise OutboundScenarioError("time_zone", "expected an IANA time zone")
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError) as exc:
        raise OutboundScenarioError("time_zone", f"unknown time zone {zone!r}") from exc
    scenario = OutboundScenario(
        agents=_num(data, "agents", None, 1, MAX_AGENTS, integer=True),
        answer_rate=tuple(steps), aht_seconds=float(aht),
        mode=cast('DialMode | Literal["none"]', mode),
        abandon_cap=_num(data, "abandon_cap", 0.03, 0.0, 0.5, open_low=True),
        open_seconds=open_s, close_seconds=close_s, wrap_seconds=float(wrap),
        machine_rate=machine, busy_rate=busy,
        amd_false_positive=_num(data, "amd_false_positive", 0.0, 0.0, 0.5),
        preview_seconds=_num(data, "preview_seconds", 15.0, 0.0, 600.0),
        ring_timeout_seconds=_num(data, "ring_timeout_seconds", 25.0, 1.0, 120.0),
        campaign=campaign, campaign_type=kind, country=str(country), time_zone=zone,
        answer_rate_by_day=by_day, inbound=_inbound(data.get("inbound")),
        blend_reserve=_num(data, "blend_reserve", 2, 0, MAX_AGENTS, integer=True),
        blend_horizon_seconds=_num(data, "blend_horizon_seconds", 0.0, 0.0, 3600.0),
        blend_policy=_blend_policy(data.get("blend_policy", "reserve")),
        blend_sl_margin=_num(data, "blend_sl_margin", 0.005, 0.0, 0.5),
        blend_feedback=_flag(data, "blend_feedback", True))
    if scenario.mode == "none" and scenario.inbound is None:
        raise OutboundScenarioError("mode", "none (no dialling) needs inbound calls")
    try:
        rules_for(scenario.country, scenario.campaign_type)
    except ValueError as exc:
        raise OutboundScenarioError("country", str(exc)) from exc
    return scenario


def _blend_policy(value: object) -> BlendPolicy:
    for policy in BLEND_POLICIES:
        if value == policy:
            return policy
    raise OutboundScenarioError("blend_policy", f"expected one of {', '.join(BLEND_POLICIES)}")


def _flag(data: Mapping[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise OutboundScenarioError(name, "expected true or false")
    return value


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

    def ring_seconds(self, offer: ContactOffered) -> float:
        return 0.0  # the customer is already on the line

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(caller.handle_seconds)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return self.s.wrap_seconds, None

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        return False


@dataclass(slots=True)
class _Lead:
    customer: str
    history: list[PastDial] = field(default_factory=list)


@dataclass(slots=True)
class _Dial:
    lead: _Lead
    agent: str | None
    placed: float
    live: bool = False


@dataclass(slots=True)
class DayFigures:
    dials: int = 0
    live: int = 0
    connects: int = 0
    abandoned: int = 0
    machine: int = 0
    refused: int = 0
    handle_seconds: float = 0.0
    #: live answers the machine detector took for a machine (dropped: counted in abandoned)
    amd_false_positives: int = 0
    #: preview mode: agent time on outbound before a connect (reading the lead, then
    #: waiting on the line while its own dial rings)
    preview_seconds: float = 0.0


@dataclass(slots=True)
class InboundFigures:
    """Inbound calls of a blended run (service level: answered within the threshold over
    offered, abandoned included in offered)."""

    offered: int = 0
    answered: int = 0
    within: int = 0
    abandoned: int = 0
    wait_answered: float = 0.0
    handle_seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        return {
            "offered": self.offered, "answered": self.answered, "abandoned": self.abandoned,
            "service_level": self.within / self.offered if self.offered else 0.0,
            "asa_seconds": self.wait_answered / self.answered if self.answered else 0.0,
            "abandon_rate": self.abandoned / self.offered if self.offered else 0.0,
            "handle_seconds": round(self.handle_seconds, 1),
        }


@dataclass(slots=True)
class OutboundRun:
    """The result of :func:`simulate_outbound`: per day figures, the abandoned and live
    answers per 15 minutes (for every 24 h window), the events if kept."""

    scenario: OutboundScenario
    days: list[DayFigures]
    buckets: dict[int, list[int]]  # 15-min bucket -> [live, abandoned]
    staffed_seconds: float
    rule_violations: int
    refusals: dict[str, int]
    events: list[Event]
    inbound: InboundFigures | None = None

    def summary(self) -> dict[str, Any]:
        live = sum(d.live for d in self.days)
        abandoned = sum(d.abandoned for d in self.days)
        handle = sum(d.handle_seconds for d in self.days)
        return {
            "mode": self.scenario.mode,
            "agents": self.scenario.agents,
            "days": len(self.days),
            "dials": sum(d.dials for d in self.days),
            "live_answers": live,
            "connects": sum(d.connects for d in self.days),
            "abandoned": abandoned,
            "abandon_rate_total": abandoned / live if live else 0.0,
            "max_abandon_rate_24h": max_window_rate(self.buckets, len(self.days)),
            "max_abandon_rate_15min": max_bucket_rate(self.buckets),
            "amd_false_positives": sum(d.amd_false_positives for d in self.days),
            "agent_occupancy": handle / self.staffed_seconds if self.staffed_seconds else 0.0,
            "rule_violations": self.rule_violations,
            "refused_dials": dict(sorted(self.refusals.items())),
            **self._blend(handle, sum(d.preview_seconds for d in self.days)),
        }

    def _blend(self, outbound_handle: float, preview: float) -> dict[str, Any]:
        if self.inbound is None:
            return {}
        inbound_handle = self.inbound.handle_seconds
        not_inbound = self.staffed_seconds - inbound_handle
        work = outbound_handle + preview
        return {
            "inbound": self.inbound.summary(),
            "inbound_service_level": self.inbound.summary()["service_level"],
            # idle time used: outbound work (talk, wrap-up and, in preview mode, reading the
            # lead and waiting on its own dial) over the agents' time not spent on inbound
            # calls. The inbound-only center's idle time differs only by the handle of the
            # calls abandoned in one run and answered in the other (the benchmark divides by
            # the inbound-only run's own idle time)
            "idle_time_used": work / not_inbound if not_inbound > 0 else 0.0,
            "outbound_handle_seconds": round(outbound_handle, 1),
            "outbound_preview_seconds": round(preview, 1),
            "outbound_work_seconds": round(work, 1),
            "agent_occupancy": (inbound_handle + outbound_handle) / self.staffed_seconds,
            "idle_seconds": round(self.staffed_seconds - inbound_handle - work, 1),
            "blend_policy": self.scenario.blend_policy,
        }

    def per_day(self) -> list[dict[str, Any]]:
        return [{"day": i, "dials": d.dials, "live_answers": d.live, "connects": d.connects,
                 "abandoned": d.abandoned, "abandon_rate": d.abandoned / d.live if d.live else 0.0,
                 "amd_false_positives": d.amd_false_positives, "refused_dials": d.refused}
                for i, d in enumerate(self.days)]


BUCKET = 900.0


#: a live answer comes this many seconds after the dial (uniform), the robot customer's ring
ANSWER_AFTER_SECONDS = (3.0, 18.0)


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


def max_window_rate(buckets: Mapping[int, Sequence[int]], days: int) -> float:
    """The highest abandoned / live answers over every 24 h window inside the run (windows
    ending at each 15-minute boundary from the end of the first day)."""
    per_day = int(DAY // BUCKET)
    n = days * per_day
    live = np.zeros(n + 1)
    ab = np.zeros(n + 1)
    for b, (lv, a) in buckets.items():
        if 0 <= b < n:
            live[b + 1] += lv
            ab[b + 1] += a
    cl, ca = np.cumsum(live), np.cumsum(ab)
    if n < per_day:
        return float(ca[-1] / cl[-1]) if cl[-1] else 0.0
    wl = cl[per_day:] - cl[:-per_day]
    wa = ca[per_day:] - ca[:-per_day]
    rates = np.divide(wa, wl, out=np.zeros_like(wa), where=wl > 0)
    return float(rates.max()) if len(rates) else 0.0


def max_bucket_rate(buckets: Mapping[int, Sequence[int]], min_live: int = 1,
                    first: int | None = None, last: int | None = None) -> float:
    """The highest abandoned / live answers of a 15-minute bucket (buckets ``first`` to
    ``last`` inclusive when given; buckets with fewer than ``min_live`` live answers are
    skipped)."""
    rates = [ab / lv for b, (lv, ab) in buckets.items()
             if lv >= max(min_live, 1) and (first is None or b >= first)
             and (last is None or b <= last)]
    return max(rates, default=0.0)


class OutboundSimulation:
    """One run of a campaign (see the module docstring)."""

    def __init__(self, s: OutboundScenario, days: int, rng: np.random.Generator,
                 keep_events: bool = False) -> None:
        if not 1 <= days <= MAX_DAYS:
            raise OutboundScenarioError("days", f"must be between 1 and {MAX_DAYS}")
        self.s, self.n_days, self.rng, self.keep = s, days, rng, keep_events
        self.rules: ContactRules = rules_for(s.country, s.campaign_type)
        self.zone = ZoneInfo(s.time_zone)
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
        self.inbound_waiting = 0
        self.driver = Driver(_Robots(s, rng), self._port)
        self.agents = [f"agent{i + 1:03d}" for i in range(s.agents)]
        self.events: list[Event] = []
        self.days = [DayFigures() for _ in range(days)]
        self.buckets: dict[int, list[int]] = {}
        self.refusals: dict[str, int] = {}
        self.in_flight: dict[str, _Dial] = {}
        self.bound: set[str] = set()  # agents previewing or waiting for their own dial
        self.retries: list[tuple[float, int, _Lead]] = []
        self.placed: list[tuple[float, _Lead]] = []
        self.n_leads = 0
        self.n_dials = 0
        self.seq = 0
        self.open = False
        self.pacer = PredictivePacer(PacingConfig(abandon_cap=s.abandon_cap,
                                                  amd_false_positive=s.amd_false_positive),
                                     prior_answer_rate=s.rate_at(s.open_seconds),
                                     prior_handle_seconds=s.aht_seconds)
        self.answered_at: dict[str, float] = {}
        self.since: dict[str, float] = {}  # agent -> when its state last changed
        self.n_inbound = 0
        self.pending_dials: dict[str, _Dial] = {}
        self.timer_at = math.inf
        self.fresh_blocked_until = -math.inf
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

    def _port(self, at: float, priority: int, action: Action, label: str) -> None:
        self.kernel.schedule(at, priority, action)

    def _emit(self, events: list[Event]) -> None:
        if self.keep:
            self.events.extend(events)
        self.driver.observe(events)
        since = self.since
        for ev in events:
            if type(ev) is AgentStateChanged:
                since[ev.agent_id] = ev.at

    def _record(self, ev: Event) -> None:
        if self.keep:
            self.events.append(ev)

    def _set_open(self, value: bool) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            self.open = value
            return []
        return act

    def _wall(self, t: float) -> datetime:
        return (FIRST_DAY + timedelta(seconds=t)).replace(tzinfo=self.zone)

    def _bucket(self, t: float, live: int, abandoned: int) -> None:
        b = self.buckets.setdefault(int(t // BUCKET), [0, 0])
        b[0] += live
        b[1] += abandoned

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


    def _target(self, lead: _Lead) -> DialTarget:
        return DialTarget(lead.customer, f"+8210{int(lead.customer[1:]):08d}",
                          time_zone=self.s.time_zone, marketing_consent=True,
                          debt_id=lead.customer if self.s.campaign_type == "collections" else None)

    def _next_lead(self, now: float) -> _Lead | None:
        """A lead whose dial the rules allow now: a due retry first, else a fresh one."""
        wall = self._wall(now)
        while self.retries and self.retries[0][0] <= now:
            _, _, lead = heapq.heappop(self.retries)
            decision = check_dial(self.rules, self._target(lead), lead.history, wall,
                                  campaign=self.s.campaign,
                                  ring_seconds=self.s.ring_timeout_seconds)
            if decision.allowed:
                return lead
            for r in decision.refusals:
                self.refusals[r.rule] = self.refusals.get(r.rule, 0) + 1
            self._day(now).refused += 1
            self._requeue(lead, now)
        if now < self.fresh_blocked_until:
            return None
        self.n_leads += 1
        lead = _Lead(f"c{self.n_leads}")
        decision = check_dial(self.rules, self._target(lead), lead.history, wall,
                              campaign=self.s.campaign, ring_seconds=self.s.ring_timeout_seconds)
        if not decision.allowed:
            for r in decision.refusals:
                self.refusals[r.rule] = self.refusals.get(r.rule, 0) + 1
            self._day(now).refused += 1
            t = self._requeue(lead, now)
            if t is not None:  # the next fresh lead would be refused too until then
                self.fresh_blocked_until = t
            return None
        return lead

    def _requeue(self, lead: _Lead, now: float) -> float | None:
        """Put ``lead`` back for when the rules next allow it (None: never again), and
        wake the dialler then."""
        at = next_allowed(self.rules, self._target(lead), lead.history, self._wall(now),
                          campaign=self.s.campaign, ring_seconds=self.s.ring_timeout_seconds)
        if at is None:
            return None  # done with this lead (attempt cap, do-not-call, ...)
        t = (at.replace(tzinfo=None) - FIRST_DAY).total_seconds() if at.tzinfo is None else (
            at.astimezone(self.zone).replace(tzinfo=None) - FIRST_DAY).total_seconds()
        self.seq += 1
        due = max(t, now + 1.0)
        heapq.heappush(self.retries, (due, self.seq, lead))
        if due < self.n_days * DAY:
            self.kernel.schedule(due, ARRIVAL, self._wake)
        return due

    @staticmethod
    def _wake(eng: RoutingEngine, now: float) -> list[Event]:
        return []  # the loop paces after every item: a retry falls due

    def _day(self, t: float) -> DayFigures:
        return self.days[min(int(t // DAY), self.n_days - 1)]

    # --- dialling -------------------------------------------------------------------

    def _ready_agents(self) -> list[str]:
        state = self.driver.state
        return [a for a in self.agents if state.get(a) == "ready" and a not in self.bound]

    def _busy_remaining(self, now: float) -> list[tuple[float, float]]:
        """What is left of each busy agent's work, as ``(delay, mean)`` for the pacer: a
        talking agent the wrap-up to come, then the mean talk (talk is memoryless: its past
        says nothing of what is left); an agent in wrap-up what is left of the usual
        wrap-up, then nothing."""
        state, since = self.driver.state, self.since
        wrap = self.s.wrap_seconds
        out: list[tuple[float, float]] = []
        talk = max(self.pacer.handle.mean - wrap, 1.0)
        for a in self.agents:
            st = state.get(a)
            if st == "wrap_up":
                out.append((max(wrap - (now - since.get(a, now)), 0.0), 0.0))
            elif st in ("reserved", "talking", "hold"):
                out.append((wrap, talk))
        return out

    def _blend_reserve(self, now: float) -> int:
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
            left = [s.wrap_seconds - (now - self.since.get(a, now)) for a in self.agents
                    if self.driver.state.get(a) == "wrap_up"]
            return self.plan.reserve(now % DAY, offset, left)
        if s.blend_policy == "model":
            return max(0, blend_threshold(*self._model_key(now), s.blend_sl_margin) + offset)
        h = s.blend_horizon_seconds
        if not h:
            return s.blend_reserve
        expected = s.inbound.rate_at(now) / 3600.0 * h
        state, since = self.driver.state, self.since
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

    def _pace(self, now: float) -> None:
        if not self.open or now % DAY >= self.s.close_seconds:
            return
        s = self.s
        if s.mode == "none":
            return
        ready = self._ready_agents()
        if s.inbound is not None:
            # blending: inbound first; outbound only with more than the reserve idle
            if self.inbound_waiting > 0:
                return
            ready = ready[self._blend_reserve(now):]
        if s.mode == "preview":
            for agent in ready:
                self.bound.add(agent)
                self.kernel.schedule(now + s.preview_seconds, COMPLETION,
                                     self._preview_dial(agent))
            return
        if s.mode == "progressive":
            n = len(ready) - len(self.in_flight)
        else:
            # blending: agents freeing from a call are inbound's first, not counted on
            busy = self._busy_remaining(now) if s.inbound is None else []
            n = self.pacer.dials_to_place(now, len(ready), busy,
                                          [now - d.placed for d in self.in_flight.values()])
        for _ in range(max(0, n)):
            lead = self._next_lead(now)
            if lead is None:
                continue
            self._dial(lead, None, now)

    def _preview_dial(self, agent: str) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if not self.open or self.driver.state.get(agent) != "ready":
                self.bound.discard(agent)
                return []
            lead = self._next_lead(now)
            if lead is None:
                self.bound.discard(agent)
                return []
            self._dial(lead, agent, now)
            self._day(now).preview_seconds += self.s.preview_seconds
            # the agent is on the line it dialled (ringback): not ready for inbound until the
            # dial's outcome, so an inbound call cannot take the agent whose customer answers
            return eng.set_not_ready(agent, now, PREVIEW_DIALING)
        return act

    def _back_from_dial(self, eng: RoutingEngine, dial: _Dial, now: float) -> list[Event]:
        """A preview dial's agent, not ready while its dial rang, is ready again (unless
        the day's end logged it out meanwhile)."""
        agent = dial.agent
        if agent is None or self.driver.state.get(agent) != "not_ready":
            return []
        return eng.set_ready(agent, now)

    def _dial(self, lead: _Lead, agent: str | None, now: float) -> None:
        s, rng = self.s, self.rng
        self.n_dials += 1
        cid = f"d{self.n_dials}"
        lead.history.append(PastDial(self._wall(now), s.campaign, s.campaign_type, None,
                                     debt_id=lead.customer if s.campaign_type == "collections" else None))
        self.placed.append((now, lead))
        assert s.mode != "none"  # no dial is placed without a dialling mode
        self._record(DialAttempted(now, cid, s.campaign, lead.customer, agent, s.mode))
        self._day(now).dials += 1
        dial = self.in_flight[cid] = _Dial(lead, agent, now)
        after, result = ring_outcome(rng, s.rate_at(now), s.machine_rate, s.busy_rate,
                                     s.ring_timeout_seconds)
        dial.live = result == "connected"
        self.kernel.schedule(now + after, COMPLETION, self._outcome(cid, result))

    def _outcome(self, cid: str, result: DialResultName) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            dial = self.in_flight.pop(cid)
            s, day = self.s, self._day(now)
            if dial.agent is not None:
                self.bound.discard(dial.agent)
                day.preview_seconds += now - dial.placed  # the agent waited on its ring
            self.pacer.observe_dial(result == "connected", now - dial.placed)
            if result != "connected":
                if result == "machine":
                    day.machine += 1
                self._finish(cid, dial, result, now)
                return self._back_from_dial(eng, dial, now)
            day.live += 1
            if s.amd_false_positive and self.rng.random() < s.amd_false_positive:
                day.amd_false_positives += 1
                self._abandoned(cid, dial, now)
                return self._back_from_dial(eng, dial, now)
            handle = float(self.rng.exponential(s.aht_seconds - s.wrap_seconds))
            spec = ContactSpec(cid, s.campaign, customer_id=dial.lead.customer,
                               preferred_agent_id=dial.agent, direction="outbound")
            self.driver.arrive(spec, handle, CONNECT_LIMIT_SECONDS, now)
            self.pending_dials[cid] = dial
            # a preview dial's answer waits for its agent (preferred), who is ready at once
            return [*eng.arrive(spec, now), *self._back_from_dial(eng, dial, now)]
        return act

    def _finish(self, cid: str, dial: _Dial, result: DialResultName, now: float) -> None:
        lead = dial.lead
        last = lead.history[-1]
        lead.history[-1] = PastDial(last.at, last.campaign, last.campaign_type, result,
                                    debt_id=last.debt_id)
        self._record(DialResult(now, cid, self.s.campaign, result, dial.agent,
                                len(lead.history)))
        if result != "connected":
            self._requeue(lead, now)

    def _abandoned(self, cid: str, dial: _Dial, now: float) -> None:
        self._day(now).abandoned += 1
        self._bucket(now, 1, 1)
        self.pacer.observe_connect(now, abandoned=True)
        self._finish(cid, dial, "abandoned", now)

    # --- the loop -------------------------------------------------------------------

    def _timer(self, eng: RoutingEngine, now: float) -> list[Event]:
        self.timer_at = math.inf
        return eng.advance(now)

    def _track(self, events: list[Event], at: float) -> None:
        """What the dialler learns from the engine: connected, abandoned, handle times;
        the inbound calls' figures."""
        inbound = self.inbound
        for ev in events:
            kind = type(ev)
            if kind is ContactArrived and ev.queue == INBOUND_QUEUE:  # type: ignore[attr-defined]
                inbound.offered += 1
                self.inbound_arrived[ev.contact_id] = at  # type: ignore[attr-defined]
                self.inbound_waiting += 1
                continue
            if kind is ContactAnswered:
                cid = ev.contact_id  # type: ignore[attr-defined]
                arrived = self.inbound_arrived.pop(cid, None)
                if arrived is not None:
                    self.inbound_waiting -= 1
                    wait = at - arrived
                    inbound.answered += 1
                    inbound.wait_answered += wait
                    assert self.s.inbound is not None
                    within = wait <= self.s.inbound.service_level_threshold_seconds
                    inbound.within += within
                    self._observe_inbound(within, at)
                    self.answered_at[cid] = at
                    continue
                dial = self.pending_dials.pop(cid, None)
                if dial is not None:
                    self._day(at).connects += 1
                    self._bucket(at, 1, 0)
                    self.pacer.observe_connect(at, abandoned=False)
                    self.answered_at[cid] = at
                    self._finish(cid, dial, "connected", at)
            elif kind is ContactAbandoned:
                cid = ev.contact_id  # type: ignore[attr-defined]
                if self.inbound_arrived.pop(cid, None) is not None:
                    self.inbound_waiting -= 1
                    inbound.abandoned += 1
                    self._observe_inbound(False, at)
                    continue
                dial = self.pending_dials.pop(cid, None)
                if dial is not None:
                    self._abandoned(cid, dial, at)
            elif kind is WrapUpEnded:
                cid = ev.contact_id  # type: ignore[attr-defined]
                started = self.answered_at.pop(cid, None)
                if started is None:
                    continue
                if cid.startswith("i"):
                    inbound.handle_seconds += at - started
                else:
                    self.pacer.observe_handle(at - started)
                    self._day(started).handle_seconds += at - started

    def run(self) -> OutboundRun:
        """Run every day to its end; the summary's figures and the audit."""
        k, eng = self.kernel, self.engine
        end = self.n_days * DAY
        while len(k):
            at, action = k.pop()
            if at > end:
                break
            events = action(eng, at)
            if events:
                self._emit(events)
                self._track(events, at)
            self._pace(at)
            deadline = eng.next_deadline()
            if deadline is not None and deadline < self.timer_at:
                self.timer_at = max(deadline, at)
                k.schedule(self.timer_at, TIMER, self._timer)
        return OutboundRun(self.s, self.days, self.buckets, self.staffed,
                           self.audit(), self.refusals, self.events,
                           self.inbound if self.s.inbound is not None else None)

    def audit(self) -> int:
        """Re-check every placed dial against the rules with the history before it."""
        broken = 0
        for now, lead in self.placed:
            wall = self._wall(now)
            before = [d for d in lead.history if d.at < wall]
            decision = check_dial(self.rules, self._target(lead), before, wall,
                                  campaign=self.s.campaign,
                                  ring_seconds=self.s.ring_timeout_seconds)
            broken += 0 if decision.allowed else 1
        return broken


def simulate_outbound(scenario: OutboundScenario, days: int, rng: np.random.Generator,
                      keep_events: bool = False) -> OutboundRun:
    """One run of ``scenario`` over ``days`` days."""
    return OutboundSimulation(scenario, days, rng, keep_events).run()
