"""What the outside world tells the engine about an agent and a contact.

Both are frozen, checked at construction (``ValueError`` naming the field),
and re-exported by :mod:`routing.engine`, which is where callers import them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

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


def _contact_spec_init(
    self: ContactSpec,
    contact_id: str,
    queue: str,
    tier: str = "core",
    customer_id: str | None = None,
    preferred_agent_id: str | None = None,
    site: str | None = None,
    direction: Direction = "inbound",
) -> None:
    """``ContactSpec.__init__``: the fields set through their slots' descriptors, then
    checked. The ``__init__`` that ``dataclass`` writes for a frozen class sets each field
    with ``object.__setattr__``, which is twice as slow; a simulation makes one spec per
    caller. Same signature, defaults and checks; still frozen."""
    _set_contact_id(self, contact_id)
    _set_queue(self, queue)
    _set_tier(self, tier)
    _set_customer_id(self, customer_id)
    _set_preferred_agent_id(self, preferred_agent_id)
    _set_site(self, site)
    _set_direction(self, direction)
    self.__post_init__()


#: Each field's slot descriptor's ``__set__`` (it sets a slot of a frozen instance).
_SETTERS = {f.name: getattr(ContactSpec, f.name).__set__ for f in fields(ContactSpec)}
_set_contact_id = _SETTERS["contact_id"]
_set_queue = _SETTERS["queue"]
_set_tier = _SETTERS["tier"]
_set_customer_id = _SETTERS["customer_id"]
_set_preferred_agent_id = _SETTERS["preferred_agent_id"]
_set_site = _SETTERS["site"]
_set_direction = _SETTERS["direction"]
_contact_spec_init.__qualname__ = "ContactSpec.__init__"
ContactSpec.__init__ = _contact_spec_init  # type: ignore[method-assign]
_new_spec = object.__new__


def checked_contact_spec(
    contact_id: str,
    queue: str,
    tier: str,
    customer_id: str | None,
    preferred_agent_id: str | None,
    site: str | None,
    direction: Direction,
) -> ContactSpec:
    """A :class:`ContactSpec` of fields the caller has checked already (the simulator's
    callers, drawn from a scenario whose checks passed, with ids it makes itself): every
    field positional and ``__post_init__``'s checks not run again, one spec per caller.
    Anyone else builds ``ContactSpec(...)``, which checks."""
    spec: ContactSpec = _new_spec(ContactSpec)
    _set_contact_id(spec, contact_id)
    _set_queue(spec, queue)
    _set_tier(spec, tier)
    _set_customer_id(spec, customer_id)
    _set_preferred_agent_id(spec, preferred_agent_id)
    _set_site(spec, site)
    _set_direction(spec, direction)
    return spec
