"""Demo agents: robots that work the agents no person is driving, so the demo center is alive.

Each robot logs its agent in and makes it ready at start; when the engine offers
it a contact it answers after a short ring, talks for a simulated handle time,
hangs up, wraps up with a disposition, and now and then goes not-ready for a
break before it is ready again. Everything is scheduled on the live center's
clock with draws from one ``np.random.Generator``.

A person who logs in to the console as ``agentNN`` takes that agent over
(:meth:`DemoAgents.release`): the robot stops acting for it at once, and a call
it had in progress is the person's to finish.

People before robots: the live center serves the agent idle longest, so a person who has
just gone ready would wait behind every idle robot (minutes in a quiet hour). While a
person is ready and not yet offered a call, the robots idle with a skill of theirs step
aside (not ready, reason ``after_call_work``) and come back as soon as no person is left
waiting, or after :data:`STEP_ASIDE_SECONDS` at most; robots finishing a call meanwhile are
idle for less time than the person, so the next call is the person's.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from app.live.center import LiveCenter
from routing.engine import RoutingEngine
from routing.events import AgentStateChanged, ContactOffered, Event
from simulations.driver import Caller, Driver, Talk

#: Longest a robot stays aside for a waiting person (then it is ready again, offered or not).
STEP_ASIDE_SECONDS = 20.0
STEP_ASIDE_REASON = "after_call_work"

DISPOSITIONS = ("resolved", "resolved", "resolved", "follow_up", "escalated", "sale")
BREAK_REASONS = ("break", "coaching", "after_call_work", "lunch")


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
        center.observers.append(lambda now, stored: self.driver.observe(e for _, e in stored))
        #: people (agents no robot drives) ready and not yet offered a call
        self.people_waiting: set[str] = set()
        #: robots standing aside for them
        self.aside: set[str] = set()
        center.observers.append(lambda now, stored: self._people_first(now, [e for _, e in stored]))

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

    # --- people before robots -------------------------------------------------------------

    def _people_first(self, now: float, events: list[Event]) -> None:
        was_waiting = bool(self.people_waiting)
        arrived: list[str] = []
        for ev in events:
            if not isinstance(ev, AgentStateChanged) or ev.agent_id in self.driven:
                continue
            if ev.state == "ready":
                self.people_waiting.add(ev.agent_id)
                arrived.append(ev.agent_id)
            else:
                self.people_waiting.discard(ev.agent_id)
        if arrived:
            self.center.schedule(now, self._step_aside(arrived), "robots step aside")
            self.center.schedule(now + STEP_ASIDE_SECONDS, self._come_back(force=True),
                                 "robots back")
        elif was_waiting and not self.people_waiting and self.aside:
            self.center.schedule(now, self._come_back(force=False), "robots back")

    def _step_aside(self, people: list[str]) -> Callable[[RoutingEngine, float], list[Event]]:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            skills = {s for p in people if p in self.people_waiting
                      for s, _ in eng.agent_view(p).skills}
            out: list[Event] = []
            for robot in sorted(self.driven):
                view = eng.agent_view(robot) if self.driver.state.get(robot) == "ready" else None
                if view is None or view.state != "ready" or view.contact_id is not None:
                    continue
                if skills & {s for s, _ in view.skills}:
                    out += eng.set_not_ready(robot, now, STEP_ASIDE_REASON)
                    self.aside.add(robot)
            return out
        return act

    def _come_back(self, force: bool) -> Callable[[RoutingEngine, float], list[Event]]:
        def act(eng: RoutingEngine, now: float) -> list[Event]:
            if self.people_waiting and not force:
                return []
            out: list[Event] = []
            for robot in sorted(self.aside):
                if robot in self.driven and self.driver.state.get(robot) == "not_ready":
                    out += eng.set_ready(robot, now)
            self.aside.clear()
            return out
        return act
