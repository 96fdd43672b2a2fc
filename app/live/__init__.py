"""The live path: the engine task, the telephony adapter, the demo agents, and their wiring.

The app factory's lifespan calls::

    await start_live_center(app)   # before yield
    ...
    await stop_live_center(app)    # in finally, before the database engine is disposed

``start_live_center`` always builds the event bus (Redis when
``settings.redis_url`` is set) and the engine task, and, when
``settings.live_center`` is true, also starts the built-in telephony adapter
and the demo agents. Without the lifespan (or with ``live_center`` false) the
console API still works: :func:`get_center` builds the center lazily on first
use, with no telephony and no robots, so tests can script it.

Things tests may put on ``app.state`` before the first request:
``live_clock`` (a :class:`~app.live.center.Clock`, wall clock by default),
``live_seed`` (int, the robots' and telephony's seed), ``live_arrival_profile``
(anything with ``calls_per_hour(queue, at)``; default: the planner's forecast of the
coming week, :func:`app.live.forecast_rates.forecast_profile`; without enough history the
history's own week, :func:`arrival_profile_from_history`; else
:class:`~app.live.telephony.ArrivalProfile`),
``redis_channel_prefix`` (str), ``live_routing_policy`` (a ``RoutingPolicy``; default
:func:`app.live.routing_config.live_routing_policy` of the settings).

Demo center (``demo_mode`` and ``live_center``, what ``contactops demo`` runs): agents
are selected longest-idle first, and the telephony plays a busy hour's arrival pattern
when the bank is closed (:class:`~app.live.telephony.DemoDayProfile`; the wallboard
snapshot's ``demo`` entry says so), and the queues widen to more skills as contacts wait
(:data:`app.live.routing_config.LIVE_EXPANSION`). Outside demo mode none of this applies
unless asked for: ``app.state.live_expansion`` (a mapping queue -> steps, e.g.
``LIVE_EXPANSION``) gives any center expansion steps.

On start, contacts the log left open (a restart) are closed as ``interrupted`` in the
interaction table and left out of the wallboard's replay: the new engine does not know them.
"""


from __future__ import annotations

from app.live.center import Clock, LiveCenter, ManualClock, WallClock
from app.live.lifecycle import start_live_center, stop_live_center
from app.live.loaders import (
    active_agent_logins,
    agent_specs,
    agent_specs_for,
    arrival_profile_from_history,
    build_routing_engine,
)
from app.live.services import LiveServices, close_interrupted, get_bus, get_center, get_services

__all__ = [
    "Clock",
    "LiveCenter",
    "LiveServices",
    "ManualClock",
    "WallClock",
    "active_agent_logins",
    "agent_specs",
    "agent_specs_for",
    "arrival_profile_from_history",
    "build_routing_engine",
    "close_interrupted",
    "get_bus",
    "get_center",
    "get_services",
    "start_live_center",
    "stop_live_center",
]

