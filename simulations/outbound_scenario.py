"""An outbound campaign scenario: the JSON a planner writes (documented in the README,
"Outbound campaigns"), parsed and checked once, every error naming its field
(:class:`OutboundScenarioError`). :mod:`simulations.outbound` runs it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from routing.events import DialMode
from telesales.contact_rules import rules_for

MODES: tuple[DialMode | Literal["none"], ...] = ("preview", "progressive", "predictive", "none")
DAY = 86400.0
#: the calendar day the simulation's day 0 is (a Monday), in the customers' zone
FIRST_DAY = datetime(2027, 1, 4)
#: limits that keep a scenario's run bounded
MAX_AGENTS = 500
MAX_DAYS = 366


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
    #: shares of the connects that reach the customer and a wrong number (the rest a third
    #: party), as the robot agents say at wrap-up (:func:`simulations.outbound_leads.party_reached`)
    right_party_rate: float = 0.8
    wrong_party_rate: float = 0.05
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
    #: the ``model`` and ``plan`` policies: the inbound service level they may lose against
    #: inbound-only
    blend_sl_margin: float = 0.005
    #: the ``model`` policy: correct the reserve by the service level measured so far
    blend_feedback: bool = True
    #: fresh leads a day (a campaign's daily list; None: as many as the dialler asks for)
    leads_per_day: int | None = None

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
    "right_party_rate", "wrong_party_rate",
    "ring_timeout_seconds", "campaign", "campaign_type", "country", "time_zone",
    "answer_rate_by_day", "inbound", "blend_reserve",
    "blend_horizon_seconds", "blend_policy", "blend_sl_margin", "blend_feedback",
    "leads_per_day"})

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
    right = _num(data, "right_party_rate", 0.8, 0.0, 1.0)
    wrong = _num(data, "wrong_party_rate", 0.05, 0.0, 1.0)
    if right + wrong > 1.0:
        raise OutboundScenarioError("wrong_party_rate",
                                    "right_party_rate + wrong_party_rate must not exceed 1")
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
        right_party_rate=right, wrong_party_rate=wrong,
        preview_seconds=_num(data, "preview_seconds", 15.0, 0.0, 600.0),
        ring_timeout_seconds=_num(data, "ring_timeout_seconds", 25.0, 1.0, 120.0),
        campaign=campaign, campaign_type=kind, country=str(country), time_zone=zone,
        answer_rate_by_day=by_day, inbound=_inbound(data.get("inbound")),
        blend_reserve=_num(data, "blend_reserve", 2, 0, MAX_AGENTS, integer=True),
        blend_horizon_seconds=_num(data, "blend_horizon_seconds", 0.0, 0.0, 3600.0),
        blend_policy=_blend_policy(data.get("blend_policy", "reserve")),
        blend_sl_margin=_num(data, "blend_sl_margin", 0.005, 0.0, 0.5),
        blend_feedback=_flag(data, "blend_feedback", True),
        leads_per_day=None if data.get("leads_per_day") is None else _num(
            data, "leads_per_day", None, 1, 10_000_000, integer=True))
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

