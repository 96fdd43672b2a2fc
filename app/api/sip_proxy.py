"""What the SIP proxy asks of the suite (``/api/sip/...``; see :mod:`app.sip.kamailio`).

Only the proxy calls these, with the shared secret (``CONTACTOPS_SIP_SHARED_SECRET``) in the
JSON body. The secret is checked before anything else of the body: without real telephony
(``CONTACTOPS_TELEPHONY=sip``), without a secret or with a wrong one every call is 401, so an
anonymous caller learns nothing of the fields. Bodies are small and typed: a bad field (of
a caller with the secret) is a 422 naming it.

* ``POST /api/sip/ha1`` ``{secret, username}`` → the account's HA1 as text (404 unknown);
* ``POST /api/sip/route`` ``{secret, call_id, queue, caller, referred_by}`` → held until the routing
  engine offers the call, then ``AGENT:RING_MS`` as text (the agent's SIP username and how
  long its phone may ring); 404 unknown queue, 409 the
  caller hung up meanwhile, 503 no live center or no offer within the wait;
* ``POST /api/sip/event`` ``{secret, call_id, event, status}`` → ``{"known": bool}``.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, StringConstraints
from sqlmodel import select

from app.api.errors import Conflict, NotAuthenticated, NotFound, problem
from app.deps import SessionDep, SettingsDep
from app.models import SipAccount
from app.sip.adapter import SipEvent, SipTelephony

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,60}$")]


class _Signed(BaseModel):
    secret: str = Field(min_length=1, max_length=200)


class Ha1In(_Signed):
    username: Name


class RouteIn(_Signed):
    call_id: str = Field(min_length=1, max_length=200)
    queue: Name
    caller: str = Field(default="", max_length=60)
    #: the user part of ``Referred-By`` (a transferred caller's new leg), "" without
    referred_by: str = Field(default="", max_length=60)


class EventIn(_Signed):
    call_id: str = Field(min_length=1, max_length=200)
    event: SipEvent
    status: int | None = Field(default=None, ge=100, le=699)


async def _proxy_only(request: Request, settings: SettingsDep) -> None:
    """401 unless the body carries this suite's shared secret (runs before body validation)."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    given = body.get("secret") if isinstance(body, dict) else None
    secret = settings.sip_shared_secret
    if settings.telephony != "sip" or not secret or not isinstance(given, str) or not (
            hmac.compare_digest(given.encode(), secret.encode())):
        raise NotAuthenticated("not the SIP proxy of this suite")


router = APIRouter(prefix="/api/sip", tags=["sip proxy"], include_in_schema=False,
                   dependencies=[Depends(_proxy_only)])


def _adapter(request: Request) -> SipTelephony | None:
    adapter = getattr(request.app.state, "sip_telephony", None)
    return adapter if isinstance(adapter, SipTelephony) and adapter.running else None


@router.post("/ha1", response_class=PlainTextResponse)
def ha1(body: Ha1In, session: SessionDep, settings: SettingsDep) -> PlainTextResponse:
    """The digest HA1 of an agent's SIP account (the proxy checks a REGISTER with it)."""
    account = session.exec(select(SipAccount).where(
        SipAccount.username == body.username, SipAccount.realm == settings.sip_domain)).first()
    if account is None:
        raise NotFound(f"no SIP account {body.username!r}")
    return PlainTextResponse(account.ha1, headers={"Cache-Control": "no-store"})


@router.post("/route", response_class=PlainTextResponse, response_model=None)
async def route(body: RouteIn, request: Request) -> PlainTextResponse:
    """Hold the call until the engine offers it; the agent's username."""
    adapter = _adapter(request)
    if adapter is None:
        return problem(503, "the live center is not running")  # type: ignore[return-value]
    result = await adapter.route(body.call_id, body.queue, body.caller, body.referred_by)
    if result.agent is not None:
        return PlainTextResponse(f"{result.agent}:{result.ring_ms}")
    if result.refusal == "unknown_queue":
        raise NotFound(f"no queue {body.queue!r}")
    if result.refusal == "abandoned":
        raise Conflict("the caller hung up")
    return problem(503, f"no agent: {result.refusal}")  # type: ignore[return-value]


@router.post("/event")
async def event(body: EventIn, request: Request) -> dict[str, bool]:
    """One step of a call the proxy saw (ringing, answered, ended, cancelled, failed)."""
    adapter = _adapter(request)
    if adapter is None:
        return {"known": False}
    return {"known": await adapter.report(body.call_id, body.event, body.status)}
