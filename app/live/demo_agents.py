"""Demo agents: robots that work the agents no person is driving, so the demo center is alive.

Each robot logs its agent in and makes it ready at start; when the engine offers
it a contact it answers after a short ring, talks for a simulated handle time,
hangs up, wraps up with a disposition, and now and then goes not-ready for a
break before it is ready again. Everything is scheduled on the live center's
clock with draws from one ``np.random.Generator``.

A person who logs in to the console as ``agentNN`` takes that agent over
(:meth:`DemoAgents.release`): the robot stops acting for it at once, and a call
it had in progress is the person's to finish.

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

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from app.live.center import LiveCenter
from routing.events import ContactAnswered, ContactEnded, ContactOffered, Event, WrapUpEnded

log = logging.getLogger("contactops.live")

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


class DemoAgents:
    """The robots of ``agent_ids`` on ``center``; an observer of the center's events."""

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
        self.driven: set[str] = set(agent_ids)
        center.observers.append(self.observe)

    # --- control ------------------------------------------------------------------------

    async def start(self) -> None:
        """Log every robot in and make it ready, spread over the first 30 seconds."""
        now = self.center.clock.now()
        for i, agent_id in enumerate(sorted(self.driven)):
            self.center.schedule(now + 30.0 * i / max(len(self.driven), 1),
                                 self._log_in(agent_id), f"login {agent_id}")

    def release(self, agent_id: str) -> bool:
        """A person takes ``agent_id`` over; True if a robot was driving it."""
        if agent_id in self.driven:
            self.driven.discard(agent_id)
            return True
        return False

    def take_back(self, agent_id: str) -> None:
        self.driven.add(agent_id)

    # --- what robots do -------------------------------------------------------------------

    def observe(self, now: float, stored: Sequence[tuple[int, Event]]) -> None:
        for _seq, event in stored:
            agent_id = getattr(event, "agent_id", None)
            if agent_id not in self.driven:
                continue
            if isinstance(event, ContactOffered):
                self._later(event.at + self.rng.uniform(*self.profile.ring_seconds),
                            agent_id, "answer", event.contact_id)
            elif isinstance(event, ContactAnswered):
                self._later(event.at + self._talk_seconds(), agent_id, "hang_up", event.contact_id)
            elif isinstance(event, ContactEnded):
                self._later(event.at + self.rng.uniform(*self.profile.wrap_seconds),
                            agent_id, "wrap_up", event.contact_id)
            elif isinstance(event, WrapUpEnded) and self.rng.random() < self.profile.break_probability:
                reason = str(self.rng.choice(BREAK_REASONS))
                self._later(event.at, agent_id, "break", reason)

    def _talk_seconds(self) -> float:
        """Lognormal with the profile's mean and coefficient of variation."""
        sigma2 = math.log1p(self.profile.talk_cv**2)
        mu = math.log(self.profile.talk_mean_seconds) - sigma2 / 2
        return float(self.rng.lognormal(mu, math.sqrt(sigma2)))

    def _later(self, at: float, agent_id: str, what: str, arg: str) -> None:
        if what == "answer":
            def act(eng, now):  # type: ignore[no-untyped-def]
                return eng.answer(arg, agent_id, now) if self._drives(agent_id) else []
        elif what == "hang_up":
            def act(eng, now):  # type: ignore[no-untyped-def]
                return eng.hang_up(arg, now) if self._drives(agent_id) else []
        elif what == "wrap_up":
            disposition = str(self.rng.choice(DISPOSITIONS))

            def act(eng, now):  # type: ignore[no-untyped-def]
                if not self._drives(agent_id):
                    return []
                return eng.end_wrap_up(agent_id, now, disposition=disposition)
        else:  # break
            back = at + float(self.rng.exponential(self.profile.break_mean_seconds))

            def act(eng, now):  # type: ignore[no-untyped-def]
                if not self._drives(agent_id):
                    return []
                events = eng.set_not_ready(agent_id, now, reason=arg)
                self.center.schedule(back, self._ready(agent_id), f"back {agent_id}")
                return events
        self.center.schedule(at, act, f"{what} {agent_id}")

    def _drives(self, agent_id: str) -> bool:
        return agent_id in self.driven

    def _log_in(self, agent_id: str):  # type: ignore[no-untyped-def]
        def act(eng, now):  # type: ignore[no-untyped-def]
            if not self._drives(agent_id):
                return []
            events = list(eng.login(agent_id, now))
            try:
                events += eng.set_ready(agent_id, now)
            except (LookupError, ValueError) as exc:  # keep the login's events
                log.debug("robot %s could not go ready: %s", agent_id, exc)
            return events
        return act

    def _ready(self, agent_id: str):  # type: ignore[no-untyped-def]
        def act(eng, now):  # type: ignore[no-untyped-def]
            return eng.set_ready(agent_id, now) if self._drives(agent_id) else []
        return act
