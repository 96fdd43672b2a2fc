"""Caller segments of the reports: VIP and general.

The bank's VIP callers are its two top value tiers, ``private_banker`` and ``platinum``
(about 5 % of customers); their service-level goal is 90 % answered in 10 s, everyone
else's 80 % in 20 s. Gold is a top-revenue tier served by relationship managers, but its
calls are answered to the general goal, so it is *general* here.

This is the one rule: a caller is VIP by tier, whatever the queue (a core caller in the
``vip`` queue is general). The live wallboard (:mod:`dashboards.wallboard`), the QA report
and the simulator's bank scenario segment with it; the tiers are
:data:`routing.events.VIP_TIERS`, whose default goals (:func:`routing.events.default_goal`)
routing and the seed use.
"""

from __future__ import annotations

from typing import Literal

from routing.events import VIP_TIERS

Segment = Literal["vip", "general"]
SEGMENTS: tuple[Segment, ...] = ("vip", "general")


def segment_of(tier: str) -> Segment:
    """``vip`` for the VIP tiers, ``general`` for every other tier (unknown ones included)."""
    return "vip" if tier in VIP_TIERS else "general"
