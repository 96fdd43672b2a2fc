"""The SIP telephony adapter: calls that Kamailio holds become contacts of the live center.

The proxy (:mod:`app.sip.kamailio`) reports each step of a call by its SIP Call-ID; this
adapter turns them into the routing engine's actions, so the events are the built-in
telephony's (``ContactArrived``, ``ContactQueued``, ``ContactOffered``, ``ContactAnswered``,
``ContactEnded``, ``ContactAbandoned``) and KPIs, wallboard and adherence need no change:

========================  =========================================================
proxy says                engine does
========================  =========================================================
route (INVITE to queue)   ``arrive`` (tier from the customer found by the calling
                          number); the answer waits for the engine's offer
ringing (180/183)         nothing (the offer is the ring)
answered (200)            ``answer`` by the offered agent (idempotent: the console may
                          have answered first)
ended (BYE)               ``hang_up`` (the agent goes to wrap-up)
cancelled (CANCEL)        ``abandon`` while not answered; a held route gets 409
failed (4xx/5xx/6xx ring) the agent did not take it: ``set_not_ready`` (``ring_no_answer``)
                          puts the call back in its line; the proxy asks again
route with Referred-By    the caller's new leg after a blind transfer (SIP REFER): joins
                          the transferred contact (below)
========================  =========================================================

**Blind transfer.** The agent's softphone sends REFER to the caller and the console tells the
suite (``ContactTransferred``: the contact waits in the target queue at its original place);
the caller then places a new call (a new Call-ID) to the queue's number. That new leg is
joined to the transferred contact, not counted as a new arrival: by its ``Referred-By`` (the
transferring agent, as RFC 3892 asks of the transferee), or else by the calling number of a
contact transferred and still waiting for its caller. A phone without the console (only the
REFER) works too: the new leg finds the call still with the referring agent and the adapter
transfers it in the engine then. The first leg's BYE after a transfer ends nothing; if the
caller's new leg does not come within ``transfer_wait_seconds``, the contact is abandoned.

The contact id is :func:`sip_contact_id` of the Call-ID, so a call's routing decision is found
in the event log from the Call-ID alone. The number-to-customer lookup is the router's own
(tier and customer id for routing, as the built-in telephony draws them); an agent's screen
pop of that customer is a read of the agent's, traced by :mod:`app.customer_access`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from app.live.center import LiveCenter
from routing.engine import RoutingEngine
from routing.errors import RoutingError, UnknownId
from routing.events import TIERS, ContactOffered, ContactTransferred, Event
from routing.specs import ContactSpec

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger("contactops.sip")

SipEvent = Literal["ringing", "answered", "ended", "cancelled", "failed"]
SIP_EVENTS: tuple[SipEvent, ...] = ("ringing", "answered", "ended", "cancelled", "failed")
#: a held call's route request waits at most this long for the engine's offer
DEFAULT_ROUTE_WAIT_SECONDS = 600.0
#: after a transfer, the caller's new leg must come within this long once the first has ended
DEFAULT_TRANSFER_WAIT_SECONDS = 30.0
#: a referred leg that finds its call still with the agent waits this long for the console's
#: transfer (which carries the agent's note) before the adapter transfers the call itself
CONSOLE_TRANSFER_GRACE_SECONDS = 2.0
_ABANDONED = "\x00abandoned"

#: (calling number) -> (customer id, tier), or None when no customer has that number
CallerLookup = Callable[[str], "tuple[str, str] | None"]


def sip_contact_id(call_id: str) -> str:
    """The contact id of the call with SIP Call-ID ``call_id`` (stable, 24 characters)."""
    return "sip-" + hashlib.sha256(call_id.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass
class RouteResult:
    """The proxy's answer: ``agent`` to relay to, or a ``refusal`` (its HTTP status)."""

    agent: str | None = None
    refusal: Literal["unknown_queue", "abandoned", "timeout", "stopped"] | None = None
    #: how long the agent's phone may ring (ms): the engine's ring timeout less a second, so
    #: the proxy's give-up (reported as ``failed``) comes before the engine's own; 0 = no limit
    ring_ms: int = 0


@dataclass
class _Call:
    contact_id: str
    queue: str
    caller: str = ""
    offers: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    agent: str | None = None  # offered to (the last offer taken by the proxy)
    answered: bool = False
    over: bool = False
    #: the legs' keys (:func:`sip_contact_id` of each Call-ID), the current one last
    legs: list[str] = field(default_factory=list)
    #: the agent who transferred the call, while the caller's new leg has not come yet
    transferred_by: str | None = None
    #: the queue or agent it was transferred to
    transfer_target: str | None = None
    transfer_seen: asyncio.Event = field(default_factory=asyncio.Event)


class SipTelephony:
    """Calls from the SIP proxy, one :class:`_Call` per held or connected call."""

    def __init__(self, lookup: CallerLookup | None = None,
                 route_wait_seconds: float = DEFAULT_ROUTE_WAIT_SECONDS,
                 transfer_wait_seconds: float = DEFAULT_TRANSFER_WAIT_SECONDS,
                 console_grace_seconds: float = CONSOLE_TRANSFER_GRACE_SECONDS) -> None:
        self.lookup = lookup
        self.route_wait_seconds = route_wait_seconds
        self.transfer_wait_seconds = transfer_wait_seconds
        self.console_grace_seconds = console_grace_seconds
        self.calls: dict[str, _Call] = {}  # by contact id
        self.legs: dict[str, _Call] = {}  # by leg key (sip_contact_id of a Call-ID)
        self._expiries: set[asyncio.Task[None]] = set()
        self.legs_joined = 0
        self._center: LiveCenter | None = None
        self._observer: Callable[[float, Sequence[tuple[int, Event]]], None] | None = None
        self.calls_routed = 0

    async def start(self, center: LiveCenter) -> None:
        self._center = center

        def observe(now: float, stored: Sequence[tuple[int, Event]]) -> None:
            for _, ev in stored:
                if isinstance(ev, ContactOffered):
                    call = self.calls.get(ev.contact_id)
                    if call is not None and not call.over:
                        call.offers.put_nowait(ev.agent_id)
                elif isinstance(ev, ContactTransferred):
                    call = self.calls.get(ev.contact_id)
                    if call is not None and not call.over:
                        call.transferred_by, call.agent, call.answered = ev.agent_id, None, False
                        call.transfer_target = ev.target_queue or ev.target_agent_id
                        call.transfer_seen.set()

        self._observer = observe
        center.observers.append(observe)

    async def stop(self) -> None:
        center, self._center = self._center, None
        if center is not None and self._observer in center.observers:
            center.observers.remove(self._observer)
        for call in self.calls.values():  # held requests end (503 at the proxy)
            call.over = True
            call.offers.put_nowait(_ABANDONED)
        for task in self._expiries:
            task.cancel()

    @property
    def running(self) -> bool:
        return self._center is not None

    def queues(self) -> Sequence[str]:
        return list(self._center.engine.queues) if self._center is not None else []

    async def route(self, call_id: str, queue: str, caller: str,
                    referred_by: str = "") -> RouteResult:
        """Hold until the engine offers the call (a new one arrives; a known one, after a
        failed ring, waits for its next offer; a transferred caller's new leg joins its
        contact)."""
        center = self._center
        if center is None:
            return RouteResult(refusal="stopped")
        key = sip_contact_id(call_id)
        call = self.legs.get(key)
        if call is None:
            is_queue = queue in center.engine.queues
            joined = self._transferred(referred_by, caller)
            if joined is not None and (is_queue or (
                    referred_by and self._is_agent(center, queue)
                    and joined.transfer_target in (None, queue))):
                call = await self._join(center, joined, key, queue, to_agent=not is_queue)
            elif not is_queue:
                return RouteResult(refusal="unknown_queue")
            else:
                customer, tier = await self._caller(caller)
                call = _Call(key, queue, caller=caller, legs=[key])
                self.calls[key] = self.legs[key] = call
                spec = ContactSpec(contact_id=key, queue=queue, tier=tier, customer_id=customer)
                try:
                    await center.submit(lambda eng, now: eng.arrive(spec, now))
                except RoutingError:
                    del self.calls[key], self.legs[key]
                    raise
                self.calls_routed += 1
        if call.over:
            return RouteResult(refusal="abandoned")
        try:
            agent = await asyncio.wait_for(call.offers.get(), self.route_wait_seconds)
        except TimeoutError:
            await self._abandon(call)
            return RouteResult(refusal="timeout")
        if agent == _ABANDONED:
            return RouteResult(refusal="abandoned" if self._center is not None else "stopped")
        call.agent = agent
        timeout = center.engine.policy.ring_timeout_seconds
        ring_ms = 0 if timeout is None else max(1000, int(timeout * 1000) - 1000)
        return RouteResult(agent=agent, ring_ms=ring_ms)

    def _transferred(self, referred_by: str, caller: str) -> _Call | None:
        """The contact a new leg continues: the one its ``Referred-By`` agent has (or has just
        transferred), else one transferred and waiting for a caller with this number."""
        if referred_by:
            found = [c for c in self.calls.values() if not c.over and (
                c.transferred_by == referred_by
                or (c.transferred_by is None and c.answered and c.agent == referred_by))]
            if caller:
                found = [c for c in found if c.caller == caller] or found
        elif caller:
            found = [c for c in self.calls.values()
                     if not c.over and c.transferred_by is not None and c.caller == caller]
        else:
            found = []
        return found[-1] if found else None

    @staticmethod
    def _is_agent(center: LiveCenter, name: str) -> bool:
        try:
            center.engine.agent_state(name)
        except UnknownId:
            return False
        return True

    async def _join(self, center: LiveCenter, call: _Call, key: str, target: str, *,
                    to_agent: bool) -> _Call:
        """Bind a new leg (``key``) to a transferred contact (to queue or agent ``target``)."""
        if call.transferred_by is None:  # the console's transfer may be on its way
            try:
                await asyncio.wait_for(call.transfer_seen.wait(), self.console_grace_seconds)
            except TimeoutError:  # only the phone referred: the engine moves it now
                await self._submit(center, lambda eng, now: eng.transfer(
                    call.contact_id, now, to_queue=None if to_agent else target,
                    to_agent=target if to_agent else None))
        call.transfer_seen.clear()
        call.transferred_by = call.transfer_target = None
        call.legs.append(key)
        self.legs[key] = call
        self.legs_joined += 1
        log.info("sip: a new leg joins transferred contact %s", call.contact_id)
        return call

    async def _caller(self, number: str) -> tuple[str | None, str]:
        if self.lookup is None or not number:
            return None, "core"
        found = await asyncio.to_thread(self.lookup, number)
        if found is None:
            return None, "core"
        customer, tier = found
        return customer, tier if tier in TIERS else "core"

    async def report(self, call_id: str, event: SipEvent, status: int | None = None) -> bool:
        """Apply one step the proxy saw; False when the call is not (or no longer) known."""
        center = self._center
        key = sip_contact_id(call_id)
        call = self.legs.get(key)
        if center is None or call is None:
            return False
        if key != call.legs[-1] or call.transferred_by is not None:
            # a leg left behind by a transfer: its end ends nothing of the contact
            if event in ("ended", "cancelled"):
                self._drop_leg(call, key)
            return True
        if event == "ringing":
            return True
        if event == "answered":
            if not call.answered and call.agent is not None:
                call.answered = True
                await self._submit(center, lambda eng, now: eng.answer(call.contact_id,
                                                                        call.agent or "", now))
            return True
        if event == "ended":
            if call.answered:
                await self._submit(center, lambda eng, now: eng.hang_up(call.contact_id, now))
            else:
                await self._abandon(call)
            self._forget(call)
            return True
        if event == "cancelled":
            if call.answered:  # the agent's 200 crossed the CANCEL: the call goes on, its BYE ends it
                return True
            await self._abandon(call)
            self._forget(call)
            return True
        # failed: the offered agent did not take the call; it goes back to its line
        agent, call.agent = call.agent, None
        if agent is not None and not call.answered:
            await self._submit(center, lambda eng, now: eng.set_not_ready(
                agent, now, "ring_no_answer"))
        return True

    async def _abandon(self, call: _Call) -> None:
        if call.over:
            return
        call.over = True
        call.offers.put_nowait(_ABANDONED)
        center = self._center
        if center is not None:
            await self._submit(center, lambda eng, now: eng.abandon(call.contact_id, now))

    def _forget(self, call: _Call) -> None:
        call.over = True
        self.calls.pop(call.contact_id, None)
        for key in call.legs:
            self.legs.pop(key, None)

    def _drop_leg(self, call: _Call, key: str) -> None:
        self.legs.pop(key, None)
        if key in call.legs:
            call.legs.remove(key)
        if call.transferred_by is not None and not call.legs:
            task = asyncio.get_running_loop().create_task(self._expire(call))
            self._expiries.add(task)
            task.add_done_callback(self._expiries.discard)

    async def _expire(self, call: _Call) -> None:
        """The caller's new leg after a transfer did not come: the caller is gone."""
        await asyncio.sleep(self.transfer_wait_seconds)
        if call.transferred_by is not None and not call.legs and not call.over:
            log.info("sip: transferred contact %s: no new leg from the caller", call.contact_id)
            await self._abandon(call)
            self._forget(call)

    @staticmethod
    async def _submit(center: LiveCenter,
                      action: Callable[[RoutingEngine, float], list[Event]]) -> None:
        """Apply an action; a step the engine refuses (the console acted first, the call
        already ended) is logged, not raised: the proxy's report is a fact, not a request."""
        try:
            await center.submit(action)
        except (RoutingError, UnknownId) as exc:
            log.info("sip: engine refused a step: %s", exc)


def db_caller_lookup(db: Engine) -> CallerLookup:
    """The customer (id, value tier) whose phone is the calling number, from the database."""
    from sqlalchemy import select

    from app.models import Customer, CustomerPhone
    from app.phone import normalize_phone

    phone_t = CustomerPhone.__table__  # type: ignore[attr-defined]
    customer_t = Customer.__table__  # type: ignore[attr-defined]

    def lookup(number: str) -> tuple[str, str] | None:
        try:
            e164 = normalize_phone(number)
        except ValueError:
            return None
        query = (select(customer_t.c.id, customer_t.c.value_tier)
                 .join(phone_t, phone_t.c.customer_id == customer_t.c.id)
                 .where(phone_t.c.number == e164).limit(1))
        with db.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (str(row[0]), str(row[1]))

    return lookup
