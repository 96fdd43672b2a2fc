"""``/admin``: administration (admins). Users and roles (create, disable or enable, reset a
password, unlock, assign a role and an agent profile), security alerts, queues with
their service-level goals per tier, and business hours and holidays per site. Every change goes through the same functions as the API
(:mod:`app.user_admin`, :func:`app.api.queues.patch_queue`) and is recorded in the admin
audit log, which auditors read on ``/audit``.

Forms post here (CSRF token in the form) and come back with ``?done=...`` (post, redirect,
get); a refused change renders the page again with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app import business_hours, routing_settings, user_admin
from app.admin_audit import record_change
from app.alerts import acknowledge, open_alerts
from app.api.admin import HolidayBody, RoutingPolicyBody
from app.api.agents import SkillBase, SkillsUpdate, patch_skills
from app.api.errors import DomainError
from app.api.params import INT32_MAX, Id32, Id64
from app.api.queues import QueueUpdate, patch_queue
from app.api.users import UserCreate
from app.auth.guards import require_role
from app.auth.passwords import hash_password
from app.deps import SessionDep
from app.models import Agent, Role, User
from app.pages import render
from app.queries import queues, served_skills, skills_of
from routing.events import TIERS
from wfm.business_hours import DAY_TYPES, Holiday, HoursError, check_holiday, parse_range_text

router = APIRouter(tags=["pages"], include_in_schema=False)

Admin = Annotated[User, Depends(require_role("admin"))]
Text = Annotated[str, Form(max_length=200)]
MIN_PASSWORD = 8


def _context(session: Session, error: str | None = None, done: str | None = None) -> dict[str, Any]:
    agents = list(session.exec(select(Agent).order_by(col(Agent.login))).all())
    skills = skills_of(session, [a.id for a in agents if a.id is not None])
    return {
        "skills": {aid: {s.skill: s.proficiency for s in rows} for aid, rows in skills.items()},
        "served_skills": sorted(served_skills(session)),
        "users": user_admin.all_users(session),
        "locked": user_admin.locked_ids(session),
        "agents": agents,
        "agent_login": {a.id: a.login for a in agents},
        "roles": [r.value for r in Role],
        "alerts": open_alerts(session),
        "queues": queues(session),
        "routing": routing_settings.current_values(session),
        "hours": business_hours.hours_table(session),
        "queue_hours": business_hours.queue_hours_table(session),
        "day_types": DAY_TYPES,
        "holidays": business_hours.list_holidays(session),
        "sites": business_hours.SITES,
        "tiers": TIERS,
        "error": error,
        "done": done,
    }


def _page(request: Request, session: Session, user: User, error: str | None = None,
          done: str | None = None, status_code: int = 200) -> Response:
    return render(request, "admin.html", user, _context(session, error, done), status_code)


def _back(done: str) -> Response:
    return RedirectResponse(f"/admin?done={done}", status_code=303)


def _refused(request: Request, session: Session, user: User, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, DomainError) else 422
    detail = exc.detail if isinstance(exc, DomainError) else _one_line(exc)
    session.rollback()
    return _page(request, session, user, error=detail, status_code=status)


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def _agent_id(text: str) -> int | None:
    """The agent profile chosen in a form ("" = none)."""
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= INT32_MAX:
        raise ValueError(f"agent_id: not an agent id: {text[:20]!r}")
    return int(text)


@router.get("/admin")
def admin_page(request: Request, session: SessionDep, user: Admin, done: str = "") -> Response:
    return _page(request, session, user, done=done[:40] or None)


@router.post("/admin/users")
async def admin_create_user(
    request: Request, session: SessionDep, user: Admin, username: Text = "",
    password: Text = "", role: Text = "", agent_id: Text = "",
) -> Response:
    try:
        body = UserCreate(username=username, password=password, role=role,  # type: ignore[arg-type]
                          agent_id=_agent_id(agent_id))
        password_hash = await request.app.state.hash_slots.run(hash_password, body.password)
        await run_in_threadpool(user_admin.create_user, session, user, body.username,
                                password_hash, body.role, body.locale, body.agent_id)
    except (DomainError, ValidationError, ValueError) as exc:
        return _refused(request, session, user, exc)
    return _back("created")


@router.post("/admin/users/{user_id}/active")
def admin_set_active(
    request: Request, session: SessionDep, user: Admin, user_id: Id32, active: Text = ""
) -> Response:
    try:
        user_admin.set_active(session, user, user_id, active == "1")
    except DomainError as exc:
        return _refused(request, session, user, exc)
    return _back("enabled" if active == "1" else "disabled")


@router.post("/admin/users/{user_id}/password")
async def admin_reset_password(
    request: Request, session: SessionDep, user: Admin, user_id: Id32, password: Text = ""
) -> Response:
    if len(password) < MIN_PASSWORD:
        return _refused(request, session, user,
                        ValueError(f"password: at least {MIN_PASSWORD} characters"))
    try:
        password_hash = await request.app.state.hash_slots.run(hash_password, password)
        await run_in_threadpool(user_admin.reset_password, session, user, user_id, password_hash)
    except DomainError as exc:
        return _refused(request, session, user, exc)
    return _back("password_reset")


@router.post("/admin/users/{user_id}/unlock")
def admin_unlock(request: Request, session: SessionDep, user: Admin, user_id: Id32) -> Response:
    try:
        user_admin.unlock_user(session, user, user_id, request.app.state.login_limiter)
    except DomainError as exc:
        return _refused(request, session, user, exc)
    return _back("unlocked")


@router.post("/admin/users/{user_id}/assign")
def admin_assign(
    request: Request, session: SessionDep, user: Admin, user_id: Id32, role: Text = "",
    agent_id: Text = "",
) -> Response:
    try:
        chosen = Role(role)
        agent = _agent_id(agent_id)
        user_admin.assign(session, user, user_id, chosen, agent)
    except (DomainError, ValueError) as exc:
        return _refused(request, session, user, exc)
    return _back("assigned")


@router.post("/admin/alerts/{alert_id}/acknowledge")
def admin_acknowledge(request: Request, session: SessionDep, user: Admin, alert_id: Id64) -> Response:
    from datetime import UTC, datetime

    alert = acknowledge(session, alert_id, user.username, datetime.now(UTC))
    if alert is not None:
        record_change(session, user, "alert.acknowledge", f"{alert.kind}:{alert.subject}",
                      {"alert_id": alert_id})
        session.commit()
    return _back("acknowledged")


@router.post("/admin/queues/{queue_id}/goals")
async def admin_queue_goals(
    request: Request, session: SessionDep, user: Admin, queue_id: Id32
) -> Response:
    form = await request.form()
    goals: dict[str, dict[str, str]] = {}
    for tier in TIERS:
        target, threshold = form.get(f"target_{tier}"), form.get(f"threshold_{tier}")
        if isinstance(target, str) and isinstance(threshold, str) and target and threshold:
            goals[tier] = {"target": target, "threshold_seconds": threshold}
    try:
        body = QueueUpdate.model_validate({"service_level_goals": goals})
        await run_in_threadpool(patch_queue, session, user, queue_id, body)
    except (DomainError, ValidationError) as exc:
        return _refused(request, session, user, exc)
    return _back("goals_saved")


async def _skill_form(request: Request) -> dict[str, Any]:
    """``skill_<name>`` fields of the form as {name: proficiency} (blank and 0 left out)."""
    form = await request.form()
    chosen: dict[str, Any] = {}
    for key, value in list(form.items())[:100]:
        if key.startswith("skill_") and isinstance(value, str) and value.strip() not in ("", "0"):
            chosen[key.removeprefix("skill_")[:40]] = value.strip()[:3]
    return chosen


@router.post("/admin/agents/{agent_id}/skills")
def admin_agent_skills(
    request: Request, session: SessionDep, user: Admin, agent_id: Id32,
    form: Annotated[dict[str, Any], Depends(_skill_form)],
) -> Response:
    """The agent's whole skill set from the form (``skill_<name>``: 1-5, blank or 0 = none);
    applied to the live engine at once, like ``PATCH /api/agents/{id}/skills``."""
    try:
        body = SkillsUpdate(skills=[SkillBase(skill=k, proficiency=v) for k, v in form.items()])
        patch_skills(request, session, user, agent_id, body)
    except (DomainError, ValidationError) as exc:
        return _refused(request, session, user, exc)
    return _back("skills_saved")


@router.post("/admin/routing-policy")
async def admin_routing_policy(request: Request, session: SessionDep, user: Admin) -> Response:
    """The live routing policy from the form (blank number = never); applies at next start."""
    form = await request.form()
    values: dict[str, Any] = {}
    for name in routing_settings.FIELDS:
        value = form.get(name)
        text = value.strip()[:40] if isinstance(value, str) else ""
        values[name] = text or None
    try:
        body = RoutingPolicyBody.model_validate(values)
        await run_in_threadpool(routing_settings.save_settings, session, user, body.model_dump())
    except (DomainError, ValidationError) as exc:
        return _refused(request, session, user, exc)
    return _back("routing_saved")


@router.post("/admin/business-hours/{site}")
async def admin_business_hours(request: Request, session: SessionDep, user: Admin,
                               site: str) -> Response:
    """A site's hours from the form: ``hours_<day type>`` as ``09:00-12:00, 13:00-18:00``;
    blank is closed, except Monday to Friday, where blank follows "Mon-Fri" (``closed``
    closes that day)."""
    form = await request.form()
    days: dict[str, Any] = {}
    try:
        if site not in business_hours.SITES:
            raise HoursError("site", f"must be one of {', '.join(business_hours.SITES)}")
        for day_type in DAY_TYPES:
            value = form.get(f"hours_{day_type}")
            text = value.strip()[:120] if isinstance(value, str) else ""
            if day_type in ("mon", "tue", "wed", "thu", "fri") and not text:
                days[day_type] = None
                continue
            days[day_type] = parse_range_text(text, f"hours.{day_type}")
        await run_in_threadpool(business_hours.set_site_hours, session, user, site, days)
    except (DomainError, HoursError) as exc:
        return _refused(request, session, user, exc)
    return _back("hours_saved")


@router.post("/admin/holidays")
def admin_add_holiday(request: Request, session: SessionDep, user: Admin, day: Text = "",
                      name: Text = "", site: Text = "") -> Response:
    try:
        body = HolidayBody.model_validate({"day": day, "name": name, "site": site or None})
        holiday = check_holiday(Holiday(body.day, body.name, body.site))
        business_hours.add_holiday(session, user, holiday)
    except (DomainError, ValidationError, HoursError) as exc:
        return _refused(request, session, user, exc)
    return _back("holiday_added")


@router.post("/admin/holidays/{holiday_id}/delete")
def admin_delete_holiday(request: Request, session: SessionDep, user: Admin,
                         holiday_id: Id32) -> Response:
    try:
        business_hours.delete_holiday(session, user, holiday_id)
    except DomainError as exc:
        return _refused(request, session, user, exc)
    return _back("holiday_deleted")


QUEUE_DAY_TYPES = ("weekday", "sat", "sun", "holiday")


@router.post("/admin/business-hours/queues/{queue}")
async def admin_queue_hours(request: Request, session: SessionDep, user: Admin,
                            queue: str) -> Response:
    """A queue's own hours from the form (``hours_<weekday|sat|sun|holiday>``); blank
    follows the sites that day, ``-`` closes the queue."""
    form = await request.form()
    days: dict[str, Any] = {}
    try:
        for day_type in QUEUE_DAY_TYPES:
            value = form.get(f"hours_{day_type}")
            text = value.strip()[:120] if isinstance(value, str) else ""
            days[day_type] = parse_range_text(text, f"{queue[:40]}.{day_type}") if text else None
        await run_in_threadpool(business_hours.set_queue_hours, session, user, queue[:40], days)
    except (DomainError, HoursError) as exc:
        return _refused(request, session, user, exc)
    return _back("queue_hours_saved")
