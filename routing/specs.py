"""What the outside world tells the engine about an agent and a contact.

Both are frozen, checked at construction (``ValueError`` naming the field),
and re-exported by :mod:`routing.engine`, which is where callers import them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from routing.events import DIRECTIONS, TIERS, Direction


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """An agent: skills ``{skill: proficiency 1–5}`` and a site."""

    agent_id: str
    skills: Mapping[str, int]
    site: str = "seoul"

    def __post_init__(self) -> None:
        if not self.agent_id:
            raise ValueError("agent_id must not be empty")
        for skill, level in self.skills.items():
            if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
                raise ValueError(
                    f"skills[{skill!r}] must be a proficiency from 1 to 5, got {level!r}"
                )
        if not self.site:
            raise ValueError("site must not be empty")


@dataclass(frozen=True, slots=True)
class ContactSpec:
    """A contact to route: its queue, the customer's tier and optional routing hints."""

    contact_id: str
    queue: str
    tier: str = "core"
    customer_id: str | None = None
    preferred_agent_id: str | None = None
    site: str | None = None
    direction: Direction = "inbound"

    def __post_init__(self) -> None:
        if not self.contact_id:
            raise ValueError("contact_id must not be empty")
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {list(TIERS)}, got {self.tier!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {list(DIRECTIONS)}, got {self.direction!r}")
