"""Callbacks: a waiting caller asks to be called back; the agent's dial may not reach them.

The rules (place kept, retries, closing a failed callback) are in :mod:`routing.engine`'s
docstring; this module holds the two actions of :class:`routing.engine.RoutingEngine`.
"""

from __future__ import annotations

from routing.consult_state import ConsultInProgress
from routing.contact_state import ContactRecord, ContactState
from routing.engine_core import DIALLING, EngineCore, refusable
from routing.errors import (
    IllegalTransition,
    RoutingError,
)
from routing.events import (
    CallbackScheduled,
    ContactEnded,
    DialResult,
    Event,
)
from routing.policy import (
    CALLBACK_DIAL_FAILURES,
    FINAL_DIAL_FAILURES,
    CallbackDialFailure,
)
from routing.timers import RETRY


class CallbackActions(EngineCore):
    """``request_callback`` and ``callback_not_reached``."""

    @refusable
    def request_callback(self, contact_id: str, now: float) -> list[Event]:
        """The waiting caller accepts a callback: keeps its place; ``[]`` if already one."""
        self._at(now)
        contact = self._contact(contact_id)
        if contact.state is not ContactState.QUEUED:
            raise RoutingError(
                f"contact {contact_id} is {contact.state.value}, not queued: no callback possible"
            )
        if contact.callback:
            return []
        contact.callback = True
        self._callbacks[contact.queue] += 1
        return [CallbackScheduled(now, contact_id, contact.queue)]

    @refusable
    def callback_not_reached(
        self, contact_id: str, now: float, result: CallbackDialFailure = "no_answer"
    ) -> list[Event]:
        """The dial of a callback did not reach the customer: ``DialResult``, then a retry or
        the end; the agent goes to wrap_up.

        The agent (console) or the dialler calls this for a callback that is
        *offered* (the agent was dialling), *connected* or *held* (the agent took it
        and nobody came to the phone). ``result`` is ``no_answer``, ``busy``,
        ``machine`` or ``invalid`` (the number does not work). Events, in order:

        1. ``DialResult(result, agent_id, attempt=n)``, ``n`` the dial's number;
        2. if ``n < callback_max_attempts`` and ``result`` is not ``invalid``:
           ``CallbackScheduled(due_at=now + callback_retry_delay_seconds)``: the
           callback waits outside any line until then (still counted as waiting and
           as a callback), then rejoins its line at its place (arrival time and
           sequence number: the caller is not sent to the back for our failed dial);
           else ``ContactEnded(reason="callback_failed")``: the callback is closed;
        3. the agent's move to wrap_up, never the ``ring_no_answer`` not-ready (the
           agent did the work); ``end_wrap_up`` then takes the disposition.

        Refused (nothing changes): a contact that is not a callback (``RoutingError``),
        one in another state (``IllegalTransition``), an unknown ``result``
        (``ValueError``).
        """
        self._at(now)
        contact = self._contact(contact_id)
        if not contact.callback:
            raise RoutingError(f"contact {contact_id} is not a callback: there is no dial to record")
        if contact.state not in DIALLING:
            raise IllegalTransition("contact", contact_id, contact.state.value, "queued",
                                    action="callback_not_reached",
                                    expected="offered, connected or held")
        if result not in CALLBACK_DIAL_FAILURES:
            raise ValueError(f"result must be one of {list(CALLBACK_DIAL_FAILURES)}, got {result!r}")
        if contact_id in self._consults:
            raise ConsultInProgress("callback_not_reached", self._consults[contact_id])
        agent = self._agents[contact.agent_id or ""]
        contact.dial_attempts += 1
        events: list[Event] = [DialResult(now, contact_id, contact.queue, result,
                                          agent.agent_id, contact.dial_attempts)]
        last = contact.dial_attempts >= self.policy.callback_max_attempts
        if last or result in FINAL_DIAL_FAILURES:
            self._move_contact(contact, ContactState.ENDED)
            contact.ended_by = agent.agent_id
            events.append(ContactEnded(now, contact_id, agent.agent_id, contact.queue,
                                       "callback_failed"))
        else:
            self._move_contact(contact, ContactState.QUEUED)
            events.append(self._park_for_retry(contact, now))
        events.append(self._release_agent(agent, contact, now))
        return events

    def _park_for_retry(self, contact: ContactRecord, now: float) -> CallbackScheduled:
        """Keep a queued callback out of every line until its retry is due (RETRY timer)."""
        due = now + self.policy.callback_retry_delay_seconds
        contact.retry_at = due
        contact.token = self._next()
        self._parked[contact.contact_id] = None
        self._schedule(due, RETRY, contact)
        return CallbackScheduled(now, contact.contact_id, contact.queue, due)

