"""The errors the routing engine raises, so that an adapter can map them.

* :class:`RoutingError` (a ``ValueError``): the call breaks a routing rule at
  this moment (an illegal state change, a transfer to a logged-out agent, a
  duplicate id). The live server maps it to HTTP 409.
* :class:`UnknownId` (a ``KeyError``): no agent, contact or queue with that id.
  The live server maps it to HTTP 404.

Messages name the ids and, for state changes, both states.
"""

from __future__ import annotations

from collections.abc import Iterable


class RoutingError(ValueError):
    """A call that breaks a routing rule in the current state."""


class IllegalTransition(RoutingError):
    """A state machine was asked for a move its transition table forbids.

    The message names the entity, the current state and the requested one, e.g.
    ``agent a1: cannot go from ready to talking (allowed from ready: logged_out,
    not_ready, reserved)``.
    """

    def __init__(
        self,
        kind: str,
        entity_id: str,
        current: str,
        target: str,
        allowed: Iterable[str] = (),
        *,
        action: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.kind = kind
        self.entity_id = entity_id
        self.current = current
        self.target = target
        head = f"{kind} {entity_id}: cannot go from {current} to {target}"
        if action is not None:
            head += f" by {action}"
        if expected is not None:
            super().__init__(f"{head} (expected state {expected})")
            return
        allowed_text = ", ".join(sorted(allowed)) or "nothing (final state)"
        super().__init__(f"{head} (allowed from {current}: {allowed_text})")


class DuplicateId(RoutingError):
    """An agent or contact id that the engine already knows."""


class ClockError(RoutingError):
    """``now`` is not a finite number, or earlier than a time the engine has already seen."""


class UnknownId(KeyError):
    """No entity with this id; ``str()`` gives a readable message (not a quoted key)."""

    kind = "entity"

    def __init__(self, entity_id: str) -> None:
        self.entity_id = entity_id
        super().__init__(entity_id)

    def __str__(self) -> str:
        return f"unknown {self.kind} id {self.entity_id!r}"


class UnknownAgent(UnknownId):
    kind = "agent"


class UnknownContact(UnknownId):
    kind = "contact"


class UnknownQueue(UnknownId):
    kind = "queue"
