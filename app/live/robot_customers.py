"""The demo's robot customers: how a dial placed from the console ends, on the live clock.

The built-in telephony has no real customers to ring, so a dial from the agent's agenda is
answered by a robot: live with probability ``answer_rate``, else by an answering machine, a
busy line or no answer, after a ring time, drawn by the simulator's own
:func:`simulations.dialer.ring_outcome` (the campaign simulation's customers are the same
robots). The generator is the app's: seeded from ``app.state.live_seed`` (tests set it, or set
``app.state.robot_customers`` outright), so a test's dial ends the same way every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from starlette.applications import Starlette

from routing.events import DialResultName
from simulations.dialer import ANSWER_AFTER_SECONDS, ring_outcome


@dataclass
class RobotCustomers:
    """Answer, machine and busy shares (as :class:`simulations.outbound_scenario.OutboundScenario`'s),
    the ring timeout (at least the contact rules' 15 s) and the live answer's delay."""

    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng())
    answer_rate: float = 0.6
    machine_rate: float = 0.10
    busy_rate: float = 0.05
    ring_timeout_seconds: float = 25.0
    answer_after_seconds: tuple[float, float] = ANSWER_AFTER_SECONDS

    def __post_init__(self) -> None:
        for name in ("answer_rate", "machine_rate", "busy_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        if self.machine_rate + self.busy_rate > 1.0:
            raise ValueError("machine_rate + busy_rate must be <= 1")
        low, high = self.answer_after_seconds
        if not 0.0 <= low <= high <= self.ring_timeout_seconds:
            raise ValueError(f"answer_after_seconds must be 0 <= low <= high <= "
                             f"ring_timeout_seconds, got {self.answer_after_seconds!r}")

    def ring(self) -> tuple[float, DialResultName]:
        """(seconds after the dial, result) of the next dial."""
        return ring_outcome(self.rng, self.answer_rate, self.machine_rate, self.busy_rate,
                            self.ring_timeout_seconds, self.answer_after_seconds)


def robot_customers(app: Starlette) -> RobotCustomers:
    """The app's robot customers, built on first use from the live seed."""
    robots: RobotCustomers | None = getattr(app.state, "robot_customers", None)
    if robots is None:
        seed = getattr(app.state, "live_seed", None)
        # a stream of its own: the telephony's and the demo agents' draws stay as they were
        robots = RobotCustomers(rng=np.random.default_rng(
            None if seed is None else [int(seed), 7]))
        app.state.robot_customers = robots
    return robots
