"""Read-only views of the engine for the wallboard, the console and the simulator.

Views are frozen snapshots with plain values (states as their string values),
safe to hand to another task or serialise; they never alias engine state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from routing.agent_state import AgentRecord
from routing.contact_state import ContactRecord


@dataclass(frozen=True, slots=True)
class AgentView:
    agent_id: str
    state: str
    reason: str | None
    site: str
    skills: tuple[tuple[str, int], ...]
    #: The contact ringing or in conversation (reserved, talking, hold), else None.
    contact_id: str | None
    #: The last contact handled (the one in wrap-up while in wrap_up).
    last_contact_id: str | None
    #: When the agent entered ``state``.
    state_since: float
    #: Contacts waiting for this agent alone (preferred agent, direct transfer).
    personal_waiting: int

    @classmethod
    def of(cls, agent: AgentRecord) -> AgentView:
        return cls(
            agent.agent_id, agent.state.value, agent.reason, agent.site,
            tuple(sorted(agent.skills.items())), agent.contact_id, agent.last_contact_id,
            agent.state_since, len(agent.personal),
        )


@dataclass(frozen=True, slots=True)
class ContactView:
    contact_id: str
    queue: str
    tier: str
    state: str
    direction: str
    customer_id: str | None
    site: str | None
    #: Arrival time: the caller's place (with ``order``), kept through transfers.
    arrived_at: float
    order: int
    agent_id: str | None
    callback: bool
    #: The agent whose personal line holds the contact, if any.
    reserved_for: str | None
    preferred_agent_id: str | None
    #: A callback waiting for its retry after a dial that did not reach the customer:
    #: when it is due (not offered before then). None otherwise.
    retry_at: float | None = None
    #: Dials of this callback that did not reach the customer so far.
    dial_attempts: int = 0

    @classmethod
    def of(cls, contact: ContactRecord) -> ContactView:
        return cls(
            contact.contact_id, contact.queue, contact.tier, contact.state.value,
            contact.direction, contact.customer_id, contact.site, contact.since, contact.order,
            contact.agent_id, contact.callback, contact.reserved_for, contact.preferred_agent_id,
            contact.retry_at, contact.dial_attempts,
        )


@dataclass(frozen=True, slots=True)
class QueueView:
    queue: str
    skill: str
    #: Contacts waiting (not ringing), personal lines included.
    waiting: int
    callbacks_waiting: int
    longest_wait_seconds: float
    waiting_by_tier: Mapping[str, int]
    longest_wait_by_tier: Mapping[str, float]
    #: Logged-in / ready agents of the queue's base pool (skill ≥ min_proficiency).
    agents_staffed: int
    agents_ready: int
