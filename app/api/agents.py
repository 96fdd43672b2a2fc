"""Agents with their skills; supervisors change skills.

Roles: supervisor, planner and qa read; supervisor changes skills (admin always).
Only skills some queue serves (``Queue.skill``) are accepted; another is a 422 naming it.
A skill change is stored and then applied to the live center's engine
(``RoutingEngine.set_skills``), so routing uses it at once; a ready agent may be offered a
waiting contact the new skills allow.
"""

from __future__ import annotations

from typing import Annotated

import anyio.from_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.admin_audit import record_change
from app.api.console import ServiceUnavailable
from app.api.errors import NotFound, field_error
from app.api.params import Id32, Limit, Offset
from app.auth import require_role
from app.deps import SessionDep, release_session
from app.live import get_services
from app.live.center import StoreUnavailable
from app.models import Agent, AgentSkill, Site, User
from app.queries import list_agents, replace_skills, served_skills, skills_of
from routing.engine import RoutingEngine
from routing.errors import UnknownId
from routing.events import Event

router = APIRouter(prefix="/api/agents", tags=["agents"])

Reader = Annotated[User, Depends(require_role("supervisor", "planner", "qa"))]
Supervisor = Annotated[User, Depends(require_role("supervisor"))]

SKILL_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class SkillBase(BaseModel):
    skill: str = Field(pattern=SKILL_PATTERN, description="skill name, e.g. deposits")
    proficiency: int = Field(ge=1, le=5, description="1 (novice) to 5 (expert)")


class SkillPublic(SkillBase):
    model_config = ConfigDict(from_attributes=True)
    skill: str  # stored names are returned as they are, unchecked
    proficiency: int


class SkillsUpdate(BaseModel):
    """The agent's complete skill set (replaces the current one)."""

    model_config = ConfigDict(extra="forbid")
    skills: list[SkillBase] = Field(max_length=50)

    @field_validator("skills")
    @classmethod
    def _unique(cls, skills: list[SkillBase]) -> list[SkillBase]:
        names = [s.skill for s in skills]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"each skill may appear once; repeated: {', '.join(duplicates)}")
        return skills


class AgentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    login: str
    name: str
    site: str
    team: str
    career_level: int
    active: bool
    skills: list[SkillPublic] = []


class AgentPage(BaseModel):
    items: list[AgentPublic]
    total: int
    limit: int
    offset: int


def public(agent: Agent, skills: list[AgentSkill]) -> AgentPublic:
    out = AgentPublic.model_validate(agent)
    out.skills = [SkillPublic.model_validate(s) for s in skills]
    return out


@router.get("", response_model=AgentPage)
def get_agents(
    session: SessionDep,
    user: Reader,
    site: Site | None = None,
    team: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AgentPage:
    agents, total = list_agents(session, site.value if site else None, team, limit, offset)
    skills = skills_of(session, [a.id for a in agents if a.id is not None])
    return AgentPage(
        items=[public(a, skills.get(a.id or 0, [])) for a in agents],
        total=total,
        limit=limit,
        offset=offset,
    )


def _agent(session: SessionDep, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent


@router.get("/{agent_id}", response_model=AgentPublic)
def get_agent(session: SessionDep, user: Reader, agent_id: Id32) -> AgentPublic:
    agent = _agent(session, agent_id)
    return public(agent, skills_of(session, [agent_id]).get(agent_id, []))


@router.patch("/{agent_id}/skills", response_model=AgentPublic)
def patch_skills(
    request: Request, session: SessionDep, user: Supervisor, agent_id: Id32, body: SkillsUpdate
) -> AgentPublic:
    agent = _agent(session, agent_id)
    known = served_skills(session)
    for i, item in enumerate(body.skills):
        if item.skill not in known:
            raise field_error(
                ("body", "skills", i, "skill"),
                f"unknown skill {item.skill!r}: no queue serves it "
                f"(known: {', '.join(sorted(known)) or 'none'})",
            )
    record_change(session, user, "agent.skills", agent.login,  # committed with the skills
                  {"skills": {s.skill: s.proficiency for s in body.skills}})
    skills = replace_skills(session, agent_id, [(s.skill, s.proficiency) for s in body.skills])
    result = public(agent, skills)  # read before the connection goes back
    release_session(session)  # committed: hold no connection while the center works
    apply_live(request, result.login, {s.skill: s.proficiency for s in skills})
    return result


def apply_live(request: Request, login: str, skills: dict[str, int]) -> None:
    """Give the live engine the agent's new skills (from a worker thread: sync handler).

    An agent the engine does not know (inactive) picks them up when it is added.
    """
    center = get_services(request).center

    def act(eng: RoutingEngine, now: float) -> list[Event]:
        return list(eng.set_skills(login, skills, now))

    try:
        anyio.from_thread.run(center.submit, act)
    except UnknownId:
        return
    except StoreUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from exc
