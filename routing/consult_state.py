"""A consultation in progress: the engine's record of it and the refusal it causes.

A consult (:mod:`routing.consult`) links a held contact, the agent who holds it and the
colleague that agent calls first. While it lasts, the contact cannot be resumed,
transferred or reported as a failed callback dial: the agent completes or cancels the
consult first (:class:`ConsultInProgress`).
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.errors import RoutingError


class ConsultRecord:
    """The engine's mutable record of one consult (internal).

    ``agent_id`` holds the caller on hold and calls ``colleague_id`` (the next free agent of
    ``queue`` when called through a queue, else ``queue`` is None); ``answered_at`` is when
    the colleague answered (None while it rings).
    """

    __slots__ = ("agent_id", "answered_at", "colleague_id", "contact_id", "queue", "started_at")

    def __init__(self, contact_id: str, agent_id: str, colleague_id: str, queue: str | None,
                 started_at: float) -> None:
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.colleague_id = colleague_id
        self.queue = queue
        self.started_at = started_at
        self.answered_at: float | None = None


@dataclass(frozen=True, slots=True)
class ConsultView:
    """A consult in progress, as the console shows it (a frozen snapshot of the record)."""

    contact_id: str
    agent_id: str
    colleague_id: str
    queue: str | None
    started_at: float
    answered_at: float | None

    @classmethod
    def of(cls, consult: ConsultRecord) -> ConsultView:
        return cls(consult.contact_id, consult.agent_id, consult.colleague_id, consult.queue,
                   consult.started_at, consult.answered_at)


class ConsultInProgress(RoutingError):
    """An action on a contact whose agent is consulting a colleague about it."""

    def __init__(self, action: str, consult: ConsultRecord) -> None:
        self.consult = consult
        super().__init__(
            f"contact {consult.contact_id}: cannot {action} while agent {consult.agent_id} "
            f"consults {consult.colleague_id} (complete or cancel the consult first)")
