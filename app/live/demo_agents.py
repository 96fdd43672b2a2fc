"""Demo agents: robots that work the agents no person is driving, so the demo center is alive.

Each robot logs its agent in and makes it ready at start; when the engine offers
it a contact it answers after a short ring, talks for a simulated handle time,
hangs up, wraps up with a disposition, and now and then goes not-ready for a
break before it is ready again. Everything is scheduled on the live center's
clock with draws from one ``np.random.Generator``.

A person who logs in to the console as ``agentNN`` takes that agent over
(:meth:`DemoAgents.release`): the robot stops acting for it at once, and a call
it had in progress is the person's to finish.

People before robots: while a person is ready and idle and no contact waits, the robots
that are ready step aside (not ready, reason ``standby``), so the next call goes to the
person rather than to the longest-idle robot; they come back as soon as no person is idle or
a contact waits (one the person has no skill for, or when the person is already busy).
This uses only the engine's public moves, not the routing policy.

Distributions (why these values): ring 1-3 s uniform (a person picking up at once, as
the bank's VIP goal of 90 % answered in 10 s asks; 2-6 s left VIP callers who had waited
a few seconds in queue beyond the threshold, so the wallboard's VIP service level looked
poor for no reason of staffing);
talk lognormal with mean ``talk_mean_seconds`` (120 s, the bank's "about two
minutes") and coefficient of variation 0.8, the usual shape of call-center
service times (Brown et al. 2005, *JASA* 100:36); wrap-up 10-40 s uniform;
after a wrap-up a break with probability ``break_probability`` lasting
exponential ``break_mean_seconds``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.live.center import LiveCenter
from routing.engine import RoutingEngine
from routing.events import ContactOffered, Event, Party
from simulations.driver import Caller, Driver, Talk
from simulations.outbound_leads import party_reached

DISPOSITIONS = ("resolved", "resolved", "resolved", "follow_up", "escalated", "sale")
BREAK_REASONS = ("break", "coaching", "after_call_work", "lunch")
#: the not-ready reason of a robot stepping aside for an idle person
STANDBY = "standby"


@dataclass(frozen=True)
class RobotProfile:
    ring_seconds: tuple[float, float] = (1.0, 3.0)
    talk_mean_seconds: float = 120.0
    talk_cv: float = 0.8
    wrap_seconds: tuple[float, float] = (10.0, 40.0)
    break_probability: float = 0.05
    break_mean_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.talk_mean_seconds <= 0:
            raise ValueError(f"talk_mean_seconds must be > 0, got {self.talk_mean_seconds!r}")
        if not 0 <= self.break_probability <= 1:
            raise ValueError(f"break_probability must be in [0, 1], got {self.break_probability!r}")


class RobotBehaviour:
    """The robot profile as the driver's policy functions (:class:`simulations.driver.Behaviour`)."""

    def __init__(self, profile: RobotProfile, rng: np.random.Generator) -> None:
        self.profile = profile
        self.rng = rng

    def ring_seconds(self, offer: ContactOffered) -> float:
        return float(self.rng.uniform(*self.profile.ring_seconds))

    def talk(self, caller: Caller, first_leg: bool) -> Talk:
        """Lognormal with the profile's mean and coefficient of variation."""
        sigma2 = math.log1p(self.profile.talk_cv**2)
        mu = math.log(self.profile.talk_mean_seconds) - sigma2 / 2
        return Talk(float(self.rng.lognormal(mu, math.sqrt(sigma2))))

    def wrap_up(self, queue: str) -> tuple[float, str | None]:
        seconds = float(self.rng.uniform(*self.profile.wrap_seconds))
        return seconds, str(self.rng.choice(DISPOSITIONS))

    def party(self, queue: str) -> Party | None:
        """Who the robot reached on a campaign's connect (the simulator's shares)."""
        return party_reached(self.rng)

    def break_after_wrap_up(self, agent_id: str) -> tuple[str, float] | None:
        if self.rng.random() >= self.profile.break_probability:
            return None
        reason = str(self.rng.choice(BREAK_REASONS))
        return reason, float(self.rng.exponential(self.profile.break_mean_seconds))

    def accepts_callback(self, caller: Caller) -> bool:
        return False  # robots play agents; callers are the telephony's


class DemoAgents:
    """The robots of ``agent_ids`` on ``center``: the simulator's driver
    (:class:`simulations.driver.Driver`) with a robot profile, on the live clock."""

    def __init__(
        self,
        center: LiveCenter,
        agent_ids: Iterable[str],
        rng: np.random.Generator,
        profile: RobotProfile | None = None,
    ) -> None:
        self.center = center
        self.rng = rng
        self.profile = profile or RobotProfile()
        self.driver = Driver(RobotBehaviour(self.profile, rng), center.port, driven=agent_ids)
        #: robots standing aside for an idle person (they come back when no person is idle)
        self.parked: set[str] = set()
        center.observers.append(self._observe)

    def _observe(self, now: float, stored: Sequence[tuple[int, Event]]) -> None:
        self.driver.observe(e for _, e in stored)
        state = self.driver.state
        robots = self.driven
        person_idle = any(s == "ready" and a not in robots for a, s in state.items())
        robot_ready = any(state.get(a) == "ready" and a not in self.parked for a in robots)
        if (person_idle and robot_ready) or self.parked:
            self.center.schedule(now, self.people_first, "people first")

    def people_first(self, eng: RoutingEngine, now: float) -> list[Event]:
        """Robots step aside while a person is ready and idle and nothing waits; else back."""
        state = self.driver.state
        robots = self.driven
        person_idle = any(s == "ready" and a not in robots for a, s in state.items())
        events: list[Event] = []
        if person_idle and not eng.waiting_contacts():
            for agent in sorted(robots):
                if state.get(agent) == "ready" and eng.agent_view(agent).state == "ready":
                    events += eng.set_not_ready(agent, now, STANDBY)
                    self.parked.add(agent)
            return events
        for agent in sorted(self.parked):
            self.parked.discard(agent)
            if agent not in robots:
                continue  # a person took it over meanwhile
            view = eng.agent_view(agent)
            if view.state == "not_ready" and view.reason == STANDBY:
                events += eng.set_ready(agent, now)
        return events

    @property
    def driven(self) -> set[str]:
        """The agents the robots drive (a person has taken the others over)."""
        return self.driver.driven if self.driver.driven is not None else set()

    # --- control ------------------------------------------------------------------------

    async def start(self) -> None:
        """Log every robot in and make it ready, spread over the first 30 seconds."""
        now = self.center.clock.now()
        agents = sorted(self.driven)
        for i, agent_id in enumerate(agents):
            self.center.schedule(now + 30.0 * i / max(len(agents), 1),
                                 self.driver.duty(agent_id, "login"), f"login {agent_id}")

    def release(self, agent_id: str) -> bool:
        """A person takes ``agent_id`` over; True if a robot was driving it."""
        return self.driver.release(agent_id)

    def take_back(self, agent_id: str) -> None:
        self.driver.take_back(agent_id)
