"""The engine's timers: a heap of deadlines whose entries go stale instead of being removed.

A timer is ``(deadline, seq, kind, contact_id, token)``, ordered by deadline and then by
the engine's sequence number, so timers due at the same instant fire in the order they
were set (never by dict order or ``id()``). Like SimPy's event heap, nothing is ever
searched for and deleted: a timer is *valid* only while its contact still carries the
``token`` it was made with (:class:`~routing.contact_state.ContactRecord` changes it at
every placement and offer) and is in the state the timer is about:

* ``RING`` (ring timeout): the contact is still ``offered``;
* ``PREFERRED_END`` (end of a preferred-agent window) and ``TRANSFER_END`` (end of the
  wait for the not-ready target of a direct transfer): still ``queued`` and reserved for
  an agent's personal line;
* ``WIDEN`` (a skill-expansion or overflow step): still ``queued`` in a line;
* ``RETRY`` (a callback due again after a dial that did not reach the customer): still
  ``queued`` and waiting for its retry (``retry_at`` set);
* ``CONSULT_RING`` (the ring timeout of a consult call to a colleague, :mod:`routing.consult`):
  the contact is still ``held`` (the consult's every step changes the token).

Stale timers are dropped when they reach the top of the heap.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Mapping

from routing.contact_state import ContactRecord, ContactState

# Timer kinds. Timers due at the same instant fire in the order they were set (the
# sequence number), whatever their kind.
RING, PREFERRED_END, WIDEN, TRANSFER_END, RETRY = 0, 1, 2, 3, 4
CONSULT_RING = 5
_OFFERED = ContactState.OFFERED

#: ``(deadline, seq, kind, contact_id, token)``.
Timer = tuple[float, int, int, str, int]


class Timers:
    """The pending timers of one engine, over the engine's own ``contacts`` mapping."""

    __slots__ = ("_contacts", "_heap", "last_deadline", "set_count")

    def __init__(self, contacts: Mapping[str, ContactRecord]) -> None:
        self._contacts = contacts
        self._heap: list[Timer] = []
        #: Timers set so far (only grows): the next deadline can come earlier only when it does.
        self.set_count = 0
        #: The deadline of the timer set last (``inf`` before the first): a loop that saw
        #: ``set_count`` grow by one knows the new timer without :meth:`next_deadline`.
        self.last_deadline = math.inf

    def schedule(self, deadline: float, seq: int, kind: int, contact: ContactRecord) -> None:
        """Set a timer for ``contact`` as it is now (its current token)."""
        self.set_count += 1
        self.last_deadline = deadline
        heapq.heappush(self._heap, (deadline, seq, kind, contact.contact_id, contact.token))

    def pending(self) -> int:
        """Timers in the heap (valid or stale)."""
        return len(self._heap)

    def next_deadline(self) -> float | None:
        """The deadline of the first valid timer (None: none pending); drops stale ones."""
        heap, contacts = self._heap, self._contacts
        while heap:
            top = heap[0]
            contact = contacts.get(top[3])
            # the common case of _valid, inlined: a ring timeout still ringing
            if (contact is not None and contact.token == top[4] and top[2] == RING
                    and contact.state is _OFFERED):
                return top[0]
            if self._valid(top):
                return top[0]
            heapq.heappop(heap)
        return None

    def pop_due(self, now: float) -> Iterator[tuple[int, ContactRecord]]:
        """``(kind, contact)`` of every valid timer due at or before ``now``, in order.

        Lazy: each timer is popped and checked only when the previous one has been
        handled, so a timer made stale (or set) by handling an earlier one is seen as such.
        """
        heap = self._heap
        while heap and heap[0][0] <= now:
            timer = heapq.heappop(heap)
            if self._valid(timer):
                yield timer[2], self._contacts[timer[3]]

    def _valid(self, timer: Timer) -> bool:
        contact = self._contacts.get(timer[3])
        if contact is None or contact.token != timer[4]:
            return False
        if timer[2] == RING:
            return contact.state is ContactState.OFFERED
        if timer[2] == CONSULT_RING:
            return contact.state is ContactState.HELD
        if contact.state is not ContactState.QUEUED:
            return False
        kind = timer[2]
        if kind == PREFERRED_END or kind == TRANSFER_END:
            return contact.reserved_for is not None
        if kind == RETRY:
            return contact.retry_at is not None
        return contact.line is not None
