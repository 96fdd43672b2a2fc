"""The agent state machine and the engine's per-agent record.

States (``AgentState``), as the wallboard shows them::

    logged_out ─login─▶ not_ready ◀─▶ ready ─offer─▶ reserved ─answer─▶ talking ◀─▶ hold
                      (reason code)      ▲              │ ring timeout /             │
                                         │              │ decline → not_ready        ▼
                                         └── end_wrap_up ◀──────── wrap_up ◀── hang_up / transfer

``reserved`` is "ringing": a contact is offered to the agent, who can take no
other. ``reserved → ready`` happens when the caller hangs up while it rings;
``reserved → wrap_up`` when the agent records that a callback's dial did not
reach the customer (the agent worked it: no blame, a disposition follows).
``talking → ready`` is a colleague's consult call that ends without a transfer
(:mod:`routing.consult`): cancelled, or the caller hung up.
A move outside :data:`ALLOWED` raises :class:`routing.errors.IllegalTransition`
naming both states. ``not_ready → not_ready`` is allowed: it changes the reason.
"""

from __future__ import annotations

from enum import StrEnum

from routing.errors import IllegalTransition


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    NOT_READY = "not_ready"
    READY = "ready"
    RESERVED = "reserved"
    TALKING = "talking"
    HOLD = "hold"
    WRAP_UP = "wrap_up"


_S = AgentState

#: The transition table: ``ALLOWED[current]`` is the set of states reachable in one move.
ALLOWED: dict[AgentState, frozenset[AgentState]] = {
    _S.LOGGED_OUT: frozenset({_S.NOT_READY}),
    _S.NOT_READY: frozenset({_S.NOT_READY, _S.READY, _S.LOGGED_OUT}),
    _S.READY: frozenset({_S.NOT_READY, _S.RESERVED, _S.LOGGED_OUT}),
    _S.RESERVED: frozenset({_S.TALKING, _S.READY, _S.NOT_READY, _S.WRAP_UP}),
    _S.TALKING: frozenset({_S.HOLD, _S.WRAP_UP, _S.READY}),
    _S.HOLD: frozenset({_S.TALKING, _S.WRAP_UP}),
    _S.WRAP_UP: frozenset({_S.READY, _S.NOT_READY}),
}

#: States in which the agent counts as staffed (logged in).
LOGGED_IN: frozenset[AgentState] = frozenset(set(AgentState) - {_S.LOGGED_OUT})


def check_agent_transition(agent_id: str, current: AgentState, target: AgentState) -> None:
    """Raise :class:`IllegalTransition` unless ``current → target`` is in :data:`ALLOWED`."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(
            "agent", agent_id, current.value, target.value, (s.value for s in ALLOWED[current])
        )


class AgentRecord:
    """The engine's mutable record of one agent (internal; read it through views).

    ``idle_since`` is when the agent last became ready (longest-idle ordering);
    ``ready_seq`` is a fresh sequence number at each entry into ``ready`` and
    marks the agent's live entries in the ready index (older ones are stale).
    ``thresholds[queue]`` is how long a contact of that queue must have waited
    before this agent becomes eligible through the queue's skill expansion
    (0 for the queue's own skill); queues the agent can never serve are absent.
    ``personal`` holds the contacts waiting for this agent only (preferred
    agent window, direct transfer), in insertion order.
    """

    __slots__ = (
        "agent_id",
        "contact_id",
        "idle_since",
        "indexed",
        "last_contact_id",
        "personal",
        "ready_seq",
        "reason",
        "site",
        "skills",
        "state",
        "state_since",
        "thresholds",
    )

    def __init__(self, agent_id: str, skills: dict[str, int], site: str, now: float) -> None:
        self.agent_id = agent_id
        self.skills = skills
        self.site = site
        self.state = AgentState.LOGGED_OUT
        self.reason: str | None = None
        self.state_since = now
        self.idle_since = now
        self.ready_seq = 0
        self.indexed = False
        self.contact_id: str | None = None
        self.last_contact_id: str | None = None
        self.thresholds: dict[str, float] = {}
        self.personal: dict[str, None] = {}
