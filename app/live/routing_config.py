"""How the live center routes: the policy and the queues' skill expansion, in one place.

The ``queue`` table holds a queue's name, skill and per-tier service-level goals; it has
no column for skill expansion or for the agent-selection rule, so those live here, in
two tables read by :func:`app.live.build_routing_engine`.

Skill expansion (:data:`LIVE_EXPANSION`)
----------------------------------------
A queue serves its own skill at any proficiency (1-5) from the first second. When a
contact has waited long enough, more agents become eligible (see
:mod:`routing.policy`, "Skill expansion and overflow"). The demo bank's staffing
(``app.seed.agents``): everybody has ``deposits`` and ``cards``, about 65 % ``loans``,
about one in seven ``fx``, one in eight ``collections``, and only the 12 most senior
agents ``vip``. So:

=============  ==========================================  ===============================
queue          after ``s`` seconds of waiting, also ...    why
=============  ==========================================  ===============================
vip            20 s: deposits at proficiency >= 4           the VIP goal is 90 % in 10 s;
               45 s: any deposits agent                     12 agents cannot always hold it
fx             60 s: deposits at proficiency >= 4           ~11 specialists
collections    60 s: loans at proficiency >= 4              ~10 specialists
loans          60 s: deposits at proficiency >= 4           ~52 agents of 80
deposits       (none: every agent has the skill)
cards          (none: every agent has the skill)
=============  ==========================================  ===============================

The demo center uses this table; other centers get no expansion unless they ask for it
(``app.state.live_expansion``, see :mod:`app.live`): the ``queue`` table cannot carry
steps yet, and the simulator-parity test (``tests/test_live_vs_sim.py``) pins a plain
center to the simulator's queues, which have none.

The base pool keeps ``min_proficiency = 1`` for every queue, so any agent with the
queue's own skill (a junior at proficiency 1 or 2 included) is eligible at once.

Service-level goals come from the queue rows; a tier a row leaves out gets the seeded
bank's goal (:data:`LIVE_DEFAULT_GOALS`, :func:`routing.events.default_goal`: 90 % in 10 s
for the VIP tiers private_banker and platinum, 80 % in 20 s for the others), so a queue added
without goals is measured like the seeded ones.

Agent selection (:func:`live_routing_policy`)
---------------------------------------------
Production keeps the engine's default, :data:`PRODUCTION_SELECTION`
(``proficiency_then_longest_idle``: the best agent for the skill first). The demo
center (``demo_mode`` and ``live_center``) uses :data:`DEMO_SELECTION`
(``longest_idle``): with ~75 robots idle at low load, best-proficiency-first means a
person logged in as a junior agent is never offered a call; longest idle gives every
ready agent calls in turn, which is what a newcomer trying the console needs.
An installation can choose either with a ``routing_selection`` setting (read when the
settings carry one) or ``app.state.live_routing_policy`` (tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from routing.events import DEFAULT_SERVICE_LEVEL_GOALS, ServiceLevelGoal
from routing.policy import ExpansionStep, RoutingPolicy, SelectionRule

#: Agent selection of a production center: the engine's default.
PRODUCTION_SELECTION: SelectionRule = "proficiency_then_longest_idle"
#: Demo fairness: every ready agent gets calls in turn, so a person at a junior agent sees calls.
DEMO_SELECTION: SelectionRule = "longest_idle"

#: Skill expansion of the live queues, by queue name (module docstring for the reasons).
LIVE_EXPANSION: Mapping[str, tuple[ExpansionStep, ...]] = MappingProxyType({
    "vip": (ExpansionStep(20.0, "deposits", 4), ExpansionStep(45.0, "deposits", 1)),
    "fx": (ExpansionStep(60.0, "deposits", 4),),
    "collections": (ExpansionStep(60.0, "loans", 4),),
    "loans": (ExpansionStep(60.0, "deposits", 4),),
})


#: Per-tier goals of a live queue whose row does not set them: the one goals table's
#: defaults (:data:`routing.events.DEFAULT_SERVICE_LEVEL_GOALS`, also what the seed writes).
LIVE_DEFAULT_GOALS: Mapping[str, ServiceLevelGoal] = DEFAULT_SERVICE_LEVEL_GOALS


def is_demo_center(settings: Any) -> bool:
    """The ``contactops demo`` center: demo mode with the built-in telephony and robots."""
    return bool(getattr(settings, "demo_mode", False) and getattr(settings, "live_center", False))


def live_routing_policy(settings: Any, stored: RoutingPolicy | None = None) -> RoutingPolicy:
    """The routing policy of the live center for ``settings`` (module docstring); the one an
    admin stored (:mod:`app.routing_settings`), when given, wins."""
    if stored is not None:
        return stored
    selection = getattr(settings, "routing_selection", None)
    if selection is None:
        selection = DEMO_SELECTION if is_demo_center(settings) else PRODUCTION_SELECTION
    return RoutingPolicy(selection=selection)


def live_expansion(settings: Any) -> Mapping[str, tuple[ExpansionStep, ...]]:
    """The expansion table of the live center: :data:`LIVE_EXPANSION` for the demo, else none."""
    return LIVE_EXPANSION if is_demo_center(settings) else MappingProxyType({})


def expansion_for(
    queue: str, skill: str, table: Mapping[str, tuple[ExpansionStep, ...]] = LIVE_EXPANSION
) -> tuple[ExpansionStep, ...]:
    """The expansion steps of ``queue`` in ``table`` (none for a queue it does not name).

    A step on the queue's own skill adds nobody (the base pool already takes proficiency 1),
    so it is left out.
    """
    return tuple(s for s in table.get(queue, ()) if s.skill != skill)
