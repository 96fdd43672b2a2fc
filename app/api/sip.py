"""The logged-in agent's SIP profile for the console's softphone (``GET /api/console/sip-profile``).

Agents only, and only their own account. 404 with a clear detail while the suite does not
run real telephony (``CONTACTOPS_TELEPHONY=sip``) or the agent has no SIP account yet
(``contactops telephony accounts``). The response holds the HA1 (a credential): never cached.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from app.api.errors import Forbidden, NotFound
from app.auth import require_role
from app.deps import SessionDep, SettingsDep
from app.models import User
from app.sip.accounts import profile_for_agent

router = APIRouter(prefix="/api/console", tags=["console"])

AgentUser = Annotated[User, Depends(require_role("agent"))]


class SipProfileOut(BaseModel):
    ws_uri: str
    sip_uri: str
    username: str
    realm: str
    ha1: str
    display_name: str
    #: queue name → the SIP URI a caller dials to reach it
    queues: dict[str, str]


@router.get("/sip-profile", response_model=SipProfileOut)
def sip_profile(response: Response, session: SessionDep, settings: SettingsDep,
                user: AgentUser) -> SipProfileOut:
    """The logged-in agent's SIP registration data (WebSocket URI, AOR, realm, HA1)."""
    if user.agent_id is None:
        raise Forbidden(f"user {user.username} is not linked to an agent")
    if settings.telephony != "sip":
        raise NotFound("SIP telephony is not configured (CONTACTOPS_TELEPHONY is not 'sip')")
    profile = profile_for_agent(session, user.agent_id, settings)
    if profile is None:
        raise NotFound(f"agent of user {user.username} has no SIP account; run "
                       "'contactops telephony accounts'")
    response.headers["Cache-Control"] = "no-store"
    return SipProfileOut(**profile)
