"""``/agent``: the agent's console — profile, skills and the screen pop by phone number.

The live softphone (ready/not-ready, offers, answer, wrap-up) is added by ``/static/agent.js``
and the live-center routes; this page renders what the database knows.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.auth import require_role
from app.auth.headers import content_security_policy
from app.deps import SessionDep
from app.i18n import choose_locale
from app.models import Agent, User
from app.pages import render
from app.pages.console_labels import console_labels
from app.phone import normalize_phone
from app.queries import customer_ids_by_phone, customer_record, skills_of
from app.sip.accounts import ws_uri as sip_ws_uri

router = APIRouter(tags=["pages"], include_in_schema=False)

AgentUser = Annotated[User, Depends(require_role("agent"))]


@router.get("/agent")
def agent_page(
    request: Request,
    session: SessionDep,
    user: AgentUser,
    phone: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    agent = session.get(Agent, user.agent_id) if user.agent_id else None
    skills = skills_of(session, [agent.id]).get(agent.id, []) if agent and agent.id else []
    lookup: dict[str, object] | None = None
    if phone:
        try:
            e164 = normalize_phone(phone)
        except ValueError:
            lookup = {"phone": phone, "error": True, "records": []}
        else:
            records = [
                customer_record(session, cid, 10) for cid in customer_ids_by_phone(session, e164)
            ]
            lookup = {"phone": e164, "error": False, "records": [r for r in records if r]}
    context = {"agent": agent, "skills": skills, "lookup": lookup, "phone": phone or ""}
    locale = choose_locale(request, user, request.app.state.settings.default_locale)
    context["console_labels"] = console_labels(locale)  # the scripts' words (console_labels)
    settings = request.app.state.settings
    context["sip"] = settings.telephony == "sip"
    response = render(request, "agent.html", user, context)
    if context["sip"]:
        # the softphone registers over WebSocket with the proxy, another origin than the page's
        response.headers["content-security-policy"] = content_security_policy(
            extra_connect=(sip_ws_uri(settings),)
        )
    return response
