"""The contact state machine and the engine's per-contact record.

States (``ContactState``)::

    queued ─offer─▶ offered ─answer─▶ connected ◀─▶ held
      ▲  │            │  │                │  │
      │  │            │  └ ring timeout ──┘  ├─ hang_up ─▶ ended
      │  └─ abandon ─▶ abandoned ◀ (caller hangs up while ringing)
      └─────────── transferred ◀─ transfer ┘  (then queued again, or offered at once)

``transferred`` is passed through during a transfer; ``abandoned`` and
``ended`` are final. A callback contact stays ``queued`` (it keeps its place)
and cannot be abandoned. A callback whose dial did not reach the customer goes
from ``offered``, ``connected`` or ``held`` back to ``queued`` (to wait for its
retry) or, after its last attempt, to ``ended``; so ``offered → ended`` and
``connected/held → queued`` exist for callbacks only (the engine checks that;
``hang_up`` still needs a conversation). A move outside :data:`ALLOWED` raises
:class:`routing.errors.IllegalTransition` naming both states.
"""

from __future__ import annotations

from enum import StrEnum

from routing.errors import IllegalTransition


class ContactState(StrEnum):
    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    HELD = "held"
    TRANSFERRED = "transferred"
    ABANDONED = "abandoned"
    ENDED = "ended"


_S = ContactState

#: The transition table: ``ALLOWED[current]`` is the set of states reachable in one move.
ALLOWED: dict[ContactState, frozenset[ContactState]] = {
    _S.QUEUED: frozenset({_S.OFFERED, _S.ABANDONED}),
    _S.OFFERED: frozenset({_S.CONNECTED, _S.QUEUED, _S.ABANDONED, _S.ENDED}),
    _S.CONNECTED: frozenset({_S.HELD, _S.TRANSFERRED, _S.ENDED, _S.QUEUED}),
    _S.HELD: frozenset({_S.CONNECTED, _S.TRANSFERRED, _S.ENDED, _S.QUEUED}),
    _S.TRANSFERRED: frozenset({_S.QUEUED, _S.OFFERED}),
    _S.ABANDONED: frozenset(),
    _S.ENDED: frozenset(),
}


def check_contact_transition(contact_id: str, current: ContactState, target: ContactState) -> None:
    """Raise :class:`IllegalTransition` unless ``current → target`` is in :data:`ALLOWED`."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(
            "contact", contact_id, current.value, target.value, (s.value for s in ALLOWED[current])
        )


class ContactRecord:
    """The engine's mutable record of one contact (internal; read it through views).

    ``since`` is the arrival time and ``order`` the arrival sequence number:
    together they are the caller's *place*, kept through ring timeouts,
    skill expansion, overflow and transfers. ``key`` is the routing priority
    key (see :func:`routing.policy.priority_key`), fixed at arrival.
    ``token`` changes at every placement in a line and every offer; timers and
    heap entries carry the token they were made with and are stale once it
    changes. ``line`` is the (queue, tier, site) line the contact waits in, or
    None; ``reserved_for`` the agent whose personal line holds it.
    ``preference_done`` is set once the preferred agent no longer applies (the
    contact was offered, its window ended, or the agent was not there).
    ``dial_attempts`` counts a callback's dials that did not reach the customer;
    ``retry_at`` is when such a callback is due again (it waits outside any line
    until then), else None. ``ended_by`` is the agent who had the contact when it ended
    (whose wrap-up finishes it: :meth:`RoutingEngine.forget_finished`).
    """

    __slots__ = (
        "agent_id",
        "callback",
        "contact_id",
        "customer_id",
        "dial_attempts",
        "direction",
        "ended_by",
        "key",
        "line",
        "order",
        "preference_done",
        "preferred_agent_id",
        "queue",
        "rank",
        "reserved_for",
        "retry_at",
        "since",
        "site",
        "state",
        "tier",
        "token",
    )

    def __init__(
        self,
        contact_id: str,
        queue: str,
        tier: str,
        rank: int,
        since: float,
        order: int,
        key: tuple[float, float, int],
        customer_id: str | None = None,
        preferred_agent_id: str | None = None,
        site: str | None = None,
        direction: str = "inbound",
    ) -> None:
        self.contact_id = contact_id
        self.queue = queue
        self.tier = tier
        self.rank = rank
        self.customer_id = customer_id
        self.preferred_agent_id = preferred_agent_id
        self.site = site
        self.direction = direction
        self.since = since
        self.order = order
        self.key = key
        self.state = ContactState.QUEUED
        self.agent_id: str | None = None
        #: the agent who had the contact when it ended: its wrap-up is the contact's last
        self.ended_by: str | None = None
        self.callback = False
        self.dial_attempts = 0
        self.retry_at: float | None = None
        self.preference_done = False
        self.reserved_for: str | None = None
        self.line: tuple[str, str, str | None] | None = None
        self.token = 0
