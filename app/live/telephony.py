"""Telephony adapters: where calls come from. The built-in one makes them up from the forecast.

:class:`TelephonyAdapter` is the small interface a real PBX adapter implements:
it is started with the :class:`~app.live.center.LiveCenter` and feeds it
arrivals (``engine.arrive``) and caller hang-ups (``engine.abandon``) through
``center.submit`` or ``center.schedule``; agent-side actions come from the
console API. Events a PBX produces itself can also be posted to ``/api/events``.

:class:`BuiltInTelephony` generates the demo bank's calls on the live clock:
for every queue a non-homogeneous Poisson process whose rate is piecewise
constant per hour (:class:`ArrivalProfile`, calls per hour by local hour of the
day and weekday), drawn one hour ahead with the simulator's own caller draw
(:func:`simulations.arrivals.draw_contacts`, what ``simulations.callers`` draws per
queue: Poisson count per interval, uniform order statistics within it, exponential
patience, a value tier from the queue's tier mix). Each call gets a customer of its
tier when the bank's customers are known (so the screen pop shows a real profile).
The callers are played by the simulator's driver (:class:`simulations.driver.Driver`):
one still waiting when their patience ends hangs up.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np

from app.business_hours import closed_message
from app.live.center import LiveCenter, Observer
from routing.engine import ContactSpec, RoutingEngine
from routing.events import ContactOffered, Event, Party
from simulations.arrivals import draw_contacts
from simulations.distributions import Distribution
from simulations.driver import Action, Caller, Driver, Talk
from simulations.kernel import ARRIVAL

log = logging.getLogger("contactops.live")

HOUR = 3600.0

#: Relative intraday shape of a bank's inbound calls by local hour (peak 10-11 h and 14-15 h).
BANK_INTRADAY_SHAPE: tuple[float, ...] = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.15, 0.45, 0.95, 1.00, 0.90,
    0.70, 0.85, 0.95, 0.85, 0.75, 0.55, 0.30, 0.18, 0.12, 0.08, 0.05, 0.03,
)
#: Monday..Sunday volume factors (Monday peak, quiet weekend).
BANK_WEEKDAY_FACTOR: tuple[float, ...] = (1.20, 1.05, 1.00, 1.00, 1.05, 0.35, 0.20)
#: Share of the day's calls per queue of the demo bank.
BANK_QUEUE_SHARE: Mapping[str, float] = {
    "deposits": 0.30, "loans": 0.20, "cards": 0.25, "fx": 0.07, "collections": 0.10, "vip": 0.08,
}
#: Tier mix of callers: the VIP queue hears the top tiers, the others everybody.
VIP_TIER_MIX: Mapping[str, float] = {"private_banker": 0.25, "platinum": 0.75}
GENERAL_TIER_MIX: Mapping[str, float] = {
    "private_banker": 0.005, "platinum": 0.02, "gold": 0.10, "silver": 0.20, "core": 0.55,
    "inactive": 0.125,
}


@dataclass(frozen=True)
class ArrivalProfile:
    """Calls per hour per queue: ``daily_calls * queue share * intraday shape * weekday factor``.

    The intraday shape is normalised to sum to 1 over the day, so a weekday of
    factor 1 has ``daily_calls`` calls in all. ``time_zone`` is the bank's local
    time, in which the hours and weekdays are read.
    """

    daily_calls: float = 4_000.0  # the demo bank's ordinary weekday (app.seed.history)
    queue_share: Mapping[str, float] = field(default_factory=lambda: dict(BANK_QUEUE_SHARE))
    intraday_shape: Sequence[float] = BANK_INTRADAY_SHAPE
    weekday_factor: Sequence[float] = BANK_WEEKDAY_FACTOR
    time_zone: str = "Asia/Seoul"

    def __post_init__(self) -> None:
        if not self.daily_calls >= 0:
            raise ValueError(f"daily_calls must be >= 0, got {self.daily_calls!r}")
        if len(self.intraday_shape) != 24 or min(self.intraday_shape) < 0:
            raise ValueError("intraday_shape must be 24 values >= 0")
        if len(self.weekday_factor) != 7 or min(self.weekday_factor) < 0:
            raise ValueError("weekday_factor must be 7 values >= 0")

    def calls_per_hour(self, queue: str, at: float) -> float:
        """The rate (calls per hour) of ``queue`` in the local hour containing epoch ``at``."""
        local = datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(self.time_zone))
        shape = self.intraday_shape[local.hour] / max(sum(self.intraday_shape), 1e-12)
        share = self.queue_share.get(queue, 0.0) / max(sum(self.queue_share.values()), 1e-12)
        return self.daily_calls * share * shape * self.weekday_factor[local.weekday()]


@dataclass(frozen=True)
class HourlyProfile:
    """Calls per hour per queue by local weekday and hour: ``rates[queue][24 * weekday + hour]``.

    Built from the bank's own call history (:func:`app.live.arrival_profile_from_history`):
    the mean number of inbound calls that arrived in that hour of the week.
    """

    rates: Mapping[str, Sequence[float]]
    time_zone: str = "Asia/Seoul"

    def __post_init__(self) -> None:
        for queue, values in self.rates.items():
            if len(values) != 168 or min(values) < 0:
                raise ValueError(f"rates[{queue!r}] must be 168 values >= 0")

    def calls_per_hour(self, queue: str, at: float) -> float:
        local = datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(self.time_zone))
        values = self.rates.get(queue)
        return float(values[24 * local.weekday() + local.hour]) if values else 0.0


class RateProfile(Protocol):
    def calls_per_hour(self, queue: str, at: float) -> float: ...


@dataclass(frozen=True)
class DemoDayProfile:
    """The demo center's "demo day" clock: a busy business hour whenever the bank is closed.

    The built-in telephony follows the bank's history, so at night or at the weekend the
    live demo would be flat. In demo mode (only) the rate is read on a demo-day clock:

    * Monday to Friday, ``open_hour`` <= local hour < ``close_hour`` (09:00-18:00 Seoul):
      the real time, unchanged;
    * otherwise: the same minute and second of ``pattern_hour`` (10:00, the morning peak)
      on the latest weekday (Monday to Friday) on or before the local date (a Saturday or
      Sunday reads Friday's 10:00 hour).

    ``rate(q, t) = inner.calls_per_hour(q, demo_time(t))``. :meth:`note` names the hour
    played (``"10:00"``) while the mapping is on, so the wallboard and the agent console
    can say so; None in business hours.
    """

    inner: RateProfile
    time_zone: str = "Asia/Seoul"
    open_hour: int = 9
    close_hour: int = 18
    pattern_hour: int = 10

    def __post_init__(self) -> None:
        if not 0 <= self.open_hour < self.close_hour <= 24:
            raise ValueError("need 0 <= open_hour < close_hour <= 24")
        if not self.open_hour <= self.pattern_hour < self.close_hour:
            raise ValueError("pattern_hour must be within the opening hours")

    def _local(self, at: float) -> datetime:
        return datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(self.time_zone))

    def is_open(self, at: float) -> bool:
        local = self._local(at)
        return local.weekday() < 5 and self.open_hour <= local.hour < self.close_hour

    def demo_time(self, at: float) -> float:
        """``at`` in business hours, else the same minute of ``pattern_hour`` of the latest weekday."""
        if self.is_open(at):
            return at
        local = self._local(at)
        back = max(0, local.weekday() - 4)  # Saturday -> Friday (1 day), Sunday -> Friday (2)
        day = (local - timedelta(days=back)).date()
        played = datetime(day.year, day.month, day.day, self.pattern_hour, local.minute,
                          local.second, local.microsecond, tzinfo=ZoneInfo(self.time_zone))
        return played.timestamp()

    def calls_per_hour(self, queue: str, at: float) -> float:
        return self.inner.calls_per_hour(queue, self.demo_time(at))

    def note(self, at: float) -> str | None:
        """``"10:00"`` while the demo plays the pattern hour instead of the real time."""
        return None if self.is_open(at) else f"{self.pattern_hour:02d}:00"


def demo_note(profile: Any, at: float) -> dict[str, str] | None:
    """What the wallboard and the console show while a :class:`DemoDayProfile` maps the clock."""
    hour = profile.note(at) if isinstance(profile, DemoDayProfile) else None
    if hour is None:
        return None
    return {"pattern_hour": hour, "message": f"demo: calls follow the {hour} pattern"}


class TelephonyAdapter(Protocol):
    """Where calls come from: started and stopped with the live center."""

    async def start(self, center: LiveCenter) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class CallerProfile:
    patience_mean_seconds: float = 120.0
    tier_mix: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {"vip": dict(VIP_TIER_MIX)})
    default_tier_mix: Mapping[str, float] = field(default_factory=lambda: dict(GENERAL_TIER_MIX))

    def mix_for(self, queue: str) -> Mapping[str, float]:
        return self.tier_mix.get(queue, self.default_tier_mix)


#: The telephony draws no talk time (the agent, robot or person, decides it).
_NO_HANDLE = Distribution("deterministic", 1.0)


class _Callers:
    """The callers' side of the driver's behaviour (the telephony drives no agent)."""

    def __init__(self, profile: CallerProfile, rng: np.random.Generator) -> None:
        self.profile = profile
        self.rng = rng

    def ring_seconds(self, offer: ContactOffered) -> float:
        return 0.0

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        return Talk(0.0)

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        return 0.0, None

    def party(self, queue: str) -> Party | None:
        return None  # it wraps up no outbound call of its own

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        return None

    def accepts_callback(self, caller: Caller) -> bool:
        return False  # the built-in callers do not take callback offers


class BuiltInTelephony:
    """Calls from :class:`ArrivalProfile` on the center's clock, one hour drawn at a time."""

    def __init__(
        self,
        queues: Sequence[str],
        rng: np.random.Generator,
        profile: RateProfile | None = None,
        callers: CallerProfile | None = None,
        customers_by_tier: Mapping[str, Sequence[int]] | None = None,
        closed: Callable[[str, float], bool] | None = None,
    ) -> None:
        self.closed = closed  # (queue, at) -> every site serving it closed (business hours)
        self.calls_closed = 0
        self.queues = tuple(queues)
        self.rng = rng
        self.profile: RateProfile = profile or ArrivalProfile()
        self.callers = callers or CallerProfile()
        self.customers_by_tier = {k: list(v) for k, v in (customers_by_tier or {}).items()}
        self._numbers = itertools.count(1)
        self._prefix = ""
        self._center: LiveCenter | None = None
        self.driver = Driver(_Callers(self.callers, rng), lambda *_: None, driven=())
        self._observer: Observer | None = None
        self._patience = Distribution("exponential", self.callers.patience_mean_seconds)
        self.calls_generated = 0

    async def start(self, center: LiveCenter) -> None:
        self._center = center
        self.driver = Driver(_Callers(self.callers, self.rng), center.port, driven=())
        self._observer = lambda now, stored: self.driver.observe(e for _, e in stored)
        center.observers.append(self._observer)
        start = center.clock.now()
        self._prefix = f"L{int(start):x}-"
        self._plan_hour(start)

    async def stop(self) -> None:
        if self._center is not None and self._observer in self._center.observers:
            self._center.observers.remove(self._observer)
        self._center = None

    def _plan_hour(self, start: float) -> None:
        """Draw the arrivals of ``[start, next hour boundary)`` and schedule the next draw."""
        center = self._center
        if center is None:
            return
        end = (start // HOUR + 1) * HOUR
        for queue in self.queues:
            expected = self.profile.calls_per_hour(queue, start) * (end - start) / HOUR
            mix = self.callers.mix_for(queue)
            tiers = list(mix)
            weights = np.asarray([mix[t] for t in tiers], dtype=float)
            draws = draw_contacts([expected], end - start, _NO_HANDLE, self._patience,
                                  list(weights / weights.sum()), self.rng)
            for offset, patience, tier in zip(draws.arrived_at, draws.patience_seconds,
                                              draws.tier_index, strict=True):
                self._schedule_call(center, queue, start + float(offset), tiers[int(tier)],
                                    float(patience))
        center.schedule(end, self._next_hour_action(end), "telephony next hour", ARRIVAL)

    def _next_hour_action(self, end: float) -> Action:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            self._plan_hour(end)
            return []
        return act

    def _schedule_call(self, center: LiveCenter, queue: str, at: float, tier: str,
                       patience: float) -> None:
        contact_id = f"{self._prefix}{next(self._numbers)}"
        customer = self._draw_customer(tier)
        spec = ContactSpec(contact_id=contact_id, queue=queue, tier=tier, customer_id=customer)
        arrival = self.driver.arrival(spec, 0.0, patience)  # the driver plays the patience

        def arrive(eng: RoutingEngine, now: float) -> list[Event]:
            if self.closed is not None and self.closed(queue, now):  # the closed message
                self.calls_closed += 1
                return [closed_message(spec, now)]
            self.calls_generated += 1
            return arrival(eng, now)

        center.schedule(at, arrive, f"arrive {contact_id}", ARRIVAL)

    def _draw_customer(self, tier: str) -> str | None:
        ids = self.customers_by_tier.get(tier)
        if not ids:
            return None
        return str(ids[int(self.rng.integers(len(ids)))])
