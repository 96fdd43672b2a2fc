"""Caller segments of the reports: VIP and general.

The bank's VIP callers are its two top value tiers, ``private_banker`` and ``platinum``
(about 5 % of customers); their service-level goal is 90 % answered in 10 s, everyone
else's 80 % in 20 s. Gold is a top-revenue tier served by relationship managers, but its
calls are answered to the general goal, so it is *general* here.

The same two tiers are the VIP goals of :mod:`routing.policy`, the VIP segment of the
live wallboard and of the simulator's bank scenario; each of those still spells the set
out itself (this module is where they can take it from).
"""

from __future__ import annotations

from typing import Literal

from routing.events import VIP_TIERS

Segment = Literal["vip", "general"]
SEGMENTS: tuple[Segment, ...] = ("vip", "general")


def segment_of(tier: str) -> Segment:
    """``vip`` for the VIP tiers, ``general`` for every other tier (unknown ones included)."""
    return "vip" if tier in VIP_TIERS else "general"
