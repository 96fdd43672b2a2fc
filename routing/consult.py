"""Consult transfer: the agent holds the caller, calls a colleague first, then transfers or not.

The story of a consult::

    agent talking/hold ─consult─▶ caller held, colleague rung (reserved)      ConsultStarted
        ├─ ring timeout ─▶ colleague not_ready (ring_no_answer)          ConsultEnded(no_answer)
        ├─ colleague not ready while it rings ─▶ colleague not_ready      ConsultEnded(declined)
        └─ answer_consult ─▶ colleague talking (the agents talk)               ConsultAnswered
              ├─ complete_consult ─▶ caller connected to the colleague,    ConsultEnded(completed)
              │                      the agent to wrap_up (a transfer)
              └─ cancel_consult ─▶ colleague ready; the caller stays held  ConsultEnded(cancelled)
                                   with the agent, who resumes (retrieve)
    at any time: the caller hangs up (hang_up) ─▶ the agent to wrap_up,
                 the colleague ready                                    ConsultEnded(caller_hung_up)

Rules:

* The colleague is a named agent who must be ``ready`` now, or the next free agent of a
  queue: the best ready agent of the queue's own pool (its skill at ``min_proficiency``, by
  the policy's selection rule, any site). Nobody free is refused (``RoutingError``): a
  consult is a conversation between two agents now, not a place in a line.
* The consult call rings like an offer (the policy's ``ring_timeout_seconds``); a colleague
  who lets it ring out goes not ready (``ring_no_answer``), as for an offer.
* While the consult lasts, the caller stays ``held`` with the agent (their hold time runs
  on) and the agent stays on ``hold``; resuming, transferring (blind) or reporting a callback
  dial are refused (:class:`routing.consult_state.ConsultInProgress`); hanging up ends the
  call for everyone.
* The colleague's agent record points at the contact (``contact_id``) from the ring on,
  so that their console shows the caller and the note; the contact's own ``agent_id``
  stays the consulting agent's until the transfer is completed.
* Completing needs the colleague to have answered; the caller then talks to the colleague
  (``held → connected``) and the agent goes to wrap-up, as after a blind transfer.
  Cancelling frees the colleague (``ready``, who may be offered the next contact at once).
"""

from __future__ import annotations

from routing.agent_state import AgentRecord, AgentState
from routing.consult_state import ConsultRecord, ConsultView
from routing.contact_state import ContactRecord, ContactState
from routing.engine_core import EngineCore, refusable
from routing.errors import IllegalTransition, RoutingError
from routing.events import (
    ConsultAnswered,
    ConsultEnded,
    ConsultOutcome,
    ConsultStarted,
    ContactEnded,
    ContactHeld,
    Event,
)
from routing.timers import CONSULT_RING

_CONNECTED, _HELD = ContactState.CONNECTED, ContactState.HELD


class ConsultActions(EngineCore):
    """``consult``, ``answer_consult``, ``complete_consult``, ``cancel_consult``, and the
    consult's part of a ring timeout, a colleague's decline and a caller's hang-up."""

    # ------------------------------------------------------------------ actions

    @refusable
    def consult(
        self,
        contact_id: str,
        now: float,
        *,
        to_agent: str | None = None,
        to_queue: str | None = None,
    ) -> list[Event]:
        """The agent of a connected or held contact calls a colleague first.

        A connected contact is put on hold (``ContactHeld``). Then ``ConsultStarted`` and the
        colleague's move to ``reserved`` (rung, with the ring timeout). Refused (nothing
        changes): not exactly one of ``to_agent``/``to_queue`` (``ValueError``), a contact
        neither connected nor held (``IllegalTransition``), one already in a consult, the
        agent themselves, a colleague not ready or a queue with nobody ready
        (``RoutingError``), unknown ids.
        """
        self._at(now)
        if (to_queue is None) == (to_agent is None):
            raise ValueError("consult needs exactly one of to_queue or to_agent")
        contact = self._contact(contact_id)
        if contact.state is not _CONNECTED and contact.state is not _HELD:
            raise IllegalTransition("contact", contact_id, contact.state.value, "held",
                                    action="consult", expected="connected or held")
        if contact_id in self._consults:
            raise RoutingError(f"contact {contact_id} is already in a consult with "
                               f"{self._consults[contact_id].colleague_id}")
        agent = self._agents[contact.agent_id or ""]
        colleague = self._colleague(agent, to_agent, to_queue)
        events: list[Event] = []
        if contact.state is _CONNECTED:
            self._move_contact(contact, _HELD)
            events += [ContactHeld(now, contact_id, agent.agent_id),
                       self._move_agent(agent, AgentState.HOLD, now, None)]
        self._consults[contact_id] = ConsultRecord(
            contact_id, agent.agent_id, colleague.agent_id, to_queue, now)
        events.append(ConsultStarted(now, contact_id, agent.agent_id, colleague.agent_id, to_queue))
        events.append(self._move_agent(colleague, AgentState.RESERVED, now, None))
        colleague.contact_id = contact_id
        contact.token = self._next()  # the consult's ring timer carries this token
        timeout = self.policy.ring_timeout_seconds
        if timeout is not None:
            self._schedule(now + timeout, CONSULT_RING, contact)
        return events

    @refusable
    def answer_consult(self, contact_id: str, colleague_id: str, now: float) -> list[Event]:
        """The colleague answers the consult call: reserved → talking (``ConsultAnswered``)."""
        self._at(now)
        consult = self._consult(contact_id)
        if consult.colleague_id != colleague_id:
            raise RoutingError(f"the consult on contact {contact_id} rings agent "
                               f"{consult.colleague_id}, not {colleague_id}")
        if consult.answered_at is not None:
            raise RoutingError(f"agent {colleague_id} already answered the consult on "
                               f"contact {contact_id}")
        colleague = self._agents[colleague_id]
        event = self._move_agent(colleague, AgentState.TALKING, now, None)
        consult.answered_at = now
        self._contacts[contact_id].token = self._next()  # the ring timer is stale
        return [ConsultAnswered(now, contact_id, consult.agent_id, colleague_id), event]

    @refusable
    def complete_consult(self, contact_id: str, now: float) -> list[Event]:
        """Transfer the held caller to the colleague who answered: the caller is connected to
        the colleague (``ConsultEnded(completed)``), the agent goes to wrap_up."""
        self._at(now)
        consult = self._consult(contact_id)
        if consult.answered_at is None:
            raise RoutingError(f"agent {consult.colleague_id} has not answered the consult on "
                               f"contact {contact_id} yet: wait, or cancel it")
        contact = self._contacts[contact_id]
        agent = self._agents[consult.agent_id]
        del self._consults[contact_id]
        events: list[Event] = [
            ConsultEnded(now, contact_id, agent.agent_id, consult.colleague_id, "completed"),
            self._release_agent(agent, contact, now),
        ]
        self._move_contact(contact, _CONNECTED)
        contact.agent_id = consult.colleague_id
        contact.token = self._next()
        return events

    @refusable
    def cancel_consult(self, contact_id: str, now: float) -> list[Event]:
        """End the consult without a transfer (either agent may): the colleague is ready again
        (and may be offered the next contact); the caller stays held with the agent."""
        self._at(now)
        consult = self._consult(contact_id)
        return self._end_consult(consult, now, "cancelled")

    def consult_of(self, contact_id: str) -> ConsultView | None:
        """The consult in progress on ``contact_id``, None if there is none (or no contact)."""
        consult = self._consults.get(contact_id)
        return None if consult is None else ConsultView.of(consult)

    # ------------------------------------------------------------------ the engine's hooks

    def _consult_rang_out(self, contact: ContactRecord, now: float) -> list[Event]:
        """The consult's ring timeout (from ``advance``): the colleague goes not ready."""
        consult = self._consults[contact.contact_id]
        return self._end_consult(consult, now, "no_answer", "ring_no_answer")

    def _consult_declined(
        self, agent: AgentRecord, now: float, reason: str, actor: str | None
    ) -> list[Event] | None:
        """A ringing colleague goes not ready (from ``set_not_ready``): the consult ends as
        declined. None when ``agent`` is not rung for a consult."""
        consult = self._consults.get(agent.contact_id or "")
        if consult is None or consult.colleague_id != agent.agent_id:
            return None
        return self._end_consult(consult, now, "declined", reason, actor)

    def _hang_up_in_consult(self, contact: ContactRecord, now: float) -> list[Event]:
        """The call ends (from ``hang_up``) while the agent consults: the consult ends, the
        contact ends, the agent goes to wrap_up, the colleague is ready again."""
        consult = self._consults.pop(contact.contact_id)
        agent = self._agents[consult.agent_id]
        colleague = self._agents[consult.colleague_id]
        events: list[Event] = [ConsultEnded(now, contact.contact_id, agent.agent_id,
                                            colleague.agent_id, "caller_hung_up")]
        self._move_contact(contact, ContactState.ENDED)
        contact.ended_by = agent.agent_id
        events += [ContactEnded(now, contact.contact_id, agent.agent_id, contact.queue),
                   self._release_agent(agent, contact, now)]
        return events + self._free_colleague(colleague, now)

    # ------------------------------------------------------------------ internal moves

    def _consult(self, contact_id: str) -> ConsultRecord:
        self._contact(contact_id)  # UnknownContact first
        consult = self._consults.get(contact_id)
        if consult is None:
            raise RoutingError(f"contact {contact_id} is not in a consult")
        return consult

    def _colleague(
        self, agent: AgentRecord, to_agent: str | None, to_queue: str | None
    ) -> AgentRecord:
        """The colleague to ring: the named agent if ready, else the queue's best ready agent."""
        if to_agent is not None:
            colleague = self._agent(to_agent)
            if colleague is agent:
                raise RoutingError(f"agent {to_agent} cannot consult themselves")
            if colleague.state is not AgentState.READY:
                raise RoutingError(f"agent {to_agent} is not ready for a consult "
                                   f"(state {colleague.state.value})")
            return colleague
        assert to_queue is not None
        queue = self._queue(to_queue)
        best = self._ready.best([(queue.skill, queue.min_proficiency)], tuple(self._ready.sites),
                                self.policy.selection == "proficiency_then_longest_idle")
        if best is None:
            raise RoutingError(f"no agent of queue {to_queue} is ready for a consult")
        return best

    def _end_consult(
        self, consult: ConsultRecord, now: float, outcome: ConsultOutcome,
        not_ready_reason: str | None = None, actor: str | None = None,
    ) -> list[Event]:
        """End a consult that did not transfer: the colleague goes ready (cancelled) or not
        ready with ``not_ready_reason``; the caller stays held with the agent."""
        del self._consults[consult.contact_id]
        self._contacts[consult.contact_id].token = self._next()  # the ring timer is stale
        colleague = self._agents[consult.colleague_id]
        events: list[Event] = [ConsultEnded(now, consult.contact_id, consult.agent_id,
                                            consult.colleague_id, outcome)]
        if not_ready_reason is None:
            return events + self._free_colleague(colleague, now)
        colleague.contact_id = None
        events.append(self._move_agent(colleague, AgentState.NOT_READY, now, not_ready_reason,
                                       actor))
        return events

    def _free_colleague(self, colleague: AgentRecord, now: float) -> list[Event]:
        """The colleague (ringing or talking) is ready again and may take the next contact."""
        colleague.contact_id = None
        event = self._move_agent(colleague, AgentState.READY, now, None)
        colleague.idle_since = now
        return [event, *self._serve_agent(colleague, now)]
