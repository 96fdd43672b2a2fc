"""Transfers: the agent sends the caller to another queue or to a colleague.

The rules (the caller keeps their place, direct transfers wait a bounded time) are in
:mod:`routing.engine`'s docstring; this module holds the action of
:class:`routing.engine.RoutingEngine`.
"""

from __future__ import annotations

from routing.agent_state import AgentRecord, AgentState
from routing.consult_state import ConsultInProgress
from routing.contact_state import ContactState, check_contact_transition
from routing.engine_core import EngineCore, refusable
from routing.errors import (
    RoutingError,
)
from routing.events import (
    ContactQueued,
    ContactTransferred,
    Event,
)
from routing.timers import TRANSFER_END


class TransferActions(EngineCore):
    """``transfer``."""

    @refusable
    def transfer(
        self,
        contact_id: str,
        now: float,
        *,
        to_queue: str | None = None,
        to_agent: str | None = None,
    ) -> list[Event]:
        """Blind transfer of a connected or held contact to a queue or to an agent.

        The transferring agent goes to wrap_up. To a queue: the contact waits
        there at its original place (arrival time), for that queue's eligible
        agents (the preferred agent served the first routing only). To an agent:
        offered at once if ready, else waits in that agent's personal line for at
        most the policy's ``direct_transfer_wait_seconds``, then goes back to its
        queue at its original place (``ContactTransferTimedOut``, from
        :meth:`advance`). A logged-out target is refused.
        """
        self._at(now)
        if (to_queue is None) == (to_agent is None):
            raise ValueError("transfer needs exactly one of to_queue or to_agent")
        contact = self._contact(contact_id)
        check_contact_transition(contact_id, contact.state, ContactState.TRANSFERRED)
        if contact_id in self._consults:  # complete the consult instead
            raise ConsultInProgress("transfer", self._consults[contact_id])
        agent = self._agents[contact.agent_id or ""]
        target: AgentRecord | None = None
        if to_queue is not None:
            self._queue(to_queue)
        else:
            assert to_agent is not None
            target = self._agent(to_agent)
            if target is agent:
                raise RoutingError(f"contact {contact_id} is already with agent {to_agent}")
            if target.state is AgentState.LOGGED_OUT:
                raise RoutingError(f"cannot transfer contact {contact_id}: agent {to_agent} is logged out")
        self._move_contact(contact, ContactState.TRANSFERRED)
        events: list[Event] = [ContactTransferred(now, contact_id, agent.agent_id, to_queue, to_agent)]
        events.append(self._release_agent(agent, contact, now))
        if to_queue is not None:
            contact.queue = to_queue
            self._move_contact(contact, ContactState.QUEUED)
            events.append(ContactQueued(now, contact_id, to_queue, contact.rank))
            events += self._route_waiting(contact, now)
            return events
        assert target is not None
        if target.state is AgentState.READY:
            return events + self._offer(contact, target, now)
        self._move_contact(contact, ContactState.QUEUED)
        events.append(ContactQueued(now, contact_id, contact.queue, contact.rank))
        wait = self.policy.direct_transfer_wait_seconds
        self._reserve(contact, target, None if wait is None else now + wait, TRANSFER_END)
        return events

