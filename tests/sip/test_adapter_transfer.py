"""Blind transfer of a SIP call (REFER): the caller's new leg joins the transferred contact.

No proxy here: the adapter is driven as Kamailio drives it (``route`` for an INVITE to a
queue, ``report`` for each step), over a live center on a manual clock, and the event log
is read back. See :mod:`app.sip.adapter` for the rules.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from app.bus import InProcessBus
from app.live.center import LiveCenter, ManualClock
from app.sip.adapter import SipTelephony, sip_contact_id
from routing.engine import AgentSpec, QueueConfig, RoutingEngine, RoutingPolicy
from routing.events import MemoryEventStore

T0 = 1_764_000_000.0
FIRST = sip_contact_id("leg-1")


async def _center(**adapter: Any) -> tuple[LiveCenter, SipTelephony]:
    engine = RoutingEngine([QueueConfig("deposits", "deposits"), QueueConfig("cards", "cards")],
                           RoutingPolicy(ring_timeout_seconds=None))
    center = LiveCenter(engine, MemoryEventStore(), InProcessBus(), ManualClock(T0))
    for agent, skill in (("a1", "deposits"), ("a2", "cards")):
        await center.submit(lambda e, t, a=agent, s=skill: e.add_agent(AgentSpec(a, {s: 3}), t)
                            + e.login(a, t))
    await center.submit(lambda e, t: e.set_ready("a1", t))
    sip = SipTelephony(transfer_wait_seconds=0.05, console_grace_seconds=0.05)
    await sip.start(center)
    return center, sip


async def _talking_with_a1(center: LiveCenter, sip: SipTelephony) -> None:
    routed = await sip.route("leg-1", "deposits", "01012345678")
    assert routed.agent == "a1"
    assert await sip.report("leg-1", "answered", 200)


def _kinds(center: LiveCenter, contact_id: str) -> list[str]:
    store = center.store
    assert isinstance(store, MemoryEventStore)
    return [e.type_name for e in store.events if getattr(e, "contact_id", None) == contact_id]


def _run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(scenario())  # type: ignore[arg-type]


def test_the_callers_new_leg_joins_the_contact_the_console_transferred() -> None:
    async def scenario() -> tuple[list[str], list[str], SipTelephony]:
        center, sip = await _center()
        await _talking_with_a1(center, sip)
        await center.submit(lambda e, t: e.transfer(FIRST, t, to_queue="cards"))
        await center.submit(lambda e, t: e.set_ready("a2", t))
        # the agent's leg ends (its BYE) before the caller's new INVITE: nothing ends
        assert await sip.report("leg-1", "ended", 200)
        routed = await sip.route("leg-2", "cards", "01012345678", referred_by="a1")
        assert routed.agent == "a2"
        assert await sip.report("leg-2", "answered", 200)
        assert await sip.report("leg-2", "ended", 200)
        await center.stop()
        return _kinds(center, FIRST), _kinds(center, sip_contact_id("leg-2")), sip

    first, second, sip = _run(scenario)
    assert first.count("contact_arrived") == 1 and first.count("contact_answered") == 2
    assert "contact_transferred" in first and first.count("contact_ended") == 1
    assert "contact_abandoned" not in first
    assert second == []  # the new leg is no new arrival
    assert sip.calls == {} and sip.legs == {} and sip.legs_joined == 1 and sip.calls_routed == 1


def test_without_referred_by_the_calling_number_finds_the_transferred_contact() -> None:
    async def scenario() -> tuple[str | None, list[str]]:
        center, sip = await _center()
        await _talking_with_a1(center, sip)
        await center.submit(lambda e, t: e.set_ready("a2", t))
        await center.submit(lambda e, t: e.transfer(FIRST, t, to_queue="cards"))
        stranger = asyncio.ensure_future(sip.route("other", "cards", "01099999999"))
        for _ in range(100):  # until the stranger's call is in line
            await asyncio.sleep(0.01)
            if _kinds(center, sip_contact_id("other")):
                break
        routed = await sip.route("leg-2", "cards", "01012345678")
        assert not stranger.done()  # a different caller is a new call, waiting in line
        stranger.cancel()
        await center.stop()
        return routed.agent, _kinds(center, sip_contact_id("other"))

    agent, stranger_kinds = _run(scenario)
    assert agent == "a2"
    assert stranger_kinds[:2] == ["contact_arrived", "contact_queued"]


def test_a_phone_that_only_refers_gets_its_call_transferred_by_the_adapter() -> None:
    async def scenario() -> tuple[str | None, list[str]]:
        center, sip = await _center()
        await _talking_with_a1(center, sip)
        await center.submit(lambda e, t: e.set_ready("a2", t))
        routed = await sip.route("leg-2", "cards", "01012345678", referred_by="a1")
        await center.stop()
        return routed.agent, _kinds(center, FIRST)

    agent, kinds = _run(scenario)
    assert agent == "a2"
    assert kinds.count("contact_transferred") == 1 and kinds[-1] == "contact_offered"


def test_a_transfer_to_an_agent_joins_when_referred_by_the_transferring_agent() -> None:
    async def scenario() -> tuple[str | None, str | None]:
        center, sip = await _center()
        refused = await sip.route("nobody", "a2", "01011112222")  # an agent's name, no REFER
        await _talking_with_a1(center, sip)
        await center.submit(lambda e, t: e.set_ready("a2", t))
        await center.submit(lambda e, t: e.transfer(FIRST, t, to_agent="a2"))
        routed = await sip.route("leg-2", "a2", "01012345678", referred_by="a1")
        await center.stop()
        return refused.refusal, routed.agent

    refusal, agent = _run(scenario)
    assert refusal == "unknown_queue"
    assert agent == "a2"


def test_a_transferred_caller_who_never_calls_back_is_abandoned() -> None:
    async def scenario() -> tuple[list[str], SipTelephony]:
        center, sip = await _center()
        await _talking_with_a1(center, sip)
        await center.submit(lambda e, t: e.transfer(FIRST, t, to_queue="cards"))
        assert await sip.report("leg-1", "ended", 200)
        await asyncio.sleep(0.2)  # transfer_wait_seconds is 0.05 here
        await center.stop()
        return _kinds(center, FIRST), sip

    kinds, sip = _run(scenario)
    assert kinds[-1] == "contact_abandoned"
    assert sip.calls == {} and sip.legs == {}
