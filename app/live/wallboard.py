"""The live center's wallboard: :class:`dashboards.wallboard.WallboardState` with the goals
the routing engine runs on.

The aggregation (segments, service level per caller's goal, agents, replay after a
restart) is :mod:`dashboards.wallboard`; this module only hands it the live queues and
their service-level goals (:class:`routing.events.ServiceLevelGoals`, from the engine's
:class:`routing.policy.QueueConfig` s, which are built from the ``queue`` rows that the QA
report reads too). The demo's note outside business hours is set by :mod:`app.live`.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboards.wallboard import WallboardState
from routing.events import TIERS, ServiceLevelGoals
from routing.policy import QueueConfig


def goals_of(queues: Mapping[str, QueueConfig]) -> ServiceLevelGoals:
    """The goals table of the engine's queues (each tier's goal as routing holds it)."""
    return ServiceLevelGoals({name: {t: q.goal_for(t) for t in TIERS}
                              for name, q in queues.items()})


def live_wallboard(queues: Mapping[str, QueueConfig]) -> WallboardState:
    """A wallboard for the engine's ``queues``: every configured queue shows, busy or not,
    and callers are held to their queue's goals."""
    wallboard = WallboardState(goals=goals_of(queues))
    wallboard.queues.update(queues)
    return wallboard
