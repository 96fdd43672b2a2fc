"""Rosters API: drafts, hand edits with instant checks, publication, export, background builds.

Roles: planners (and admin) build, edit and publish; supervisors read; an agent reads only
their own published shifts (``/mine``). Unsafe methods need the CSRF token (``X-CSRF-Token``).

* ``GET  /api/wfm/rosters`` — the newest rosters with their versions (planner, supervisor).
* ``POST /api/wfm/rosters`` — ``{name, problem, shifts}``: a new roster whose version 1 is a
  draft (e.g. a ROSTER.json from ``contactops schedule``). ``problem`` is PROBLEM.json.
* ``GET  /api/wfm/rosters/versions/{id}`` — one version: its ROSTER.json, the requirement,
  agents (login, name, skills, time off), shift types and the rule checks.
* ``POST /api/wfm/rosters/versions/{id}/evaluate`` — ``{shifts}``: coverage, under/over
  coverage and rule violations of edited shifts (:func:`wfm.roster_checks.evaluate_roster`),
  nothing stored: the page calls it on every edit.
* ``PUT  /api/wfm/rosters/versions/{id}/shifts`` — ``{shifts}``: save a draft (409 once
  published).
* ``POST /api/wfm/rosters/versions/{id}/publish`` — publish a draft (who and when kept).
* ``POST /api/wfm/rosters/versions/{id}/draft`` — a new draft copied from a version.
* ``GET  /api/wfm/rosters/versions/{id}/export.csv`` and ``export.json`` — the shifts as CSV
  (one row per shift and per break, lunch or other activity) and the ROSTER.json.
* ``GET  /api/wfm/rosters/published?start=&end=`` — the shifts in force (planner, supervisor).
* ``GET  /api/wfm/rosters/mine?start=&days=`` — the caller's own published shifts (agents).
* ``POST /api/wfm/rosters/jobs`` — build a roster in the background: either the chain
  (``queues, start, days, interval_minutes, method, service_level_target, threshold_seconds,
  shrinkage, time_limit_seconds``: history → forecast → staffing → roster) or a ready
  ``problem``. 202 with the job; one running job per planner (409), at most
  :data:`app.roster_jobs.MAX_RUNNING_JOBS` overall (429), ``time_limit_seconds`` at most
  :data:`MAX_JOB_SECONDS`. The result is saved as a new draft.
* ``GET  /api/wfm/rosters/jobs`` — the caller's own jobs, newest first.
* ``GET  /api/wfm/rosters/jobs/{id}`` — state, step and the solver's improving solutions.
* ``POST /api/wfm/rosters/jobs/{id}/cancel`` — stop: the best roster so far is kept.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from app.api.errors import Forbidden, NotFound, field_error
from app.api.wfm import PRINTABLE
from app.auth import require_role
from app.deps import SessionDep
from app.models import Agent, AgentSkill, RosterVersion, User
from app.roster_chain import DEFAULT_RULES, DEFAULT_SHIFT_TYPES, ChainSpec
from app.roster_jobs import RosterJob, default_name, jobs_of
from app.rosters import (
    create_roster,
    get_roster,
    get_version,
    list_rosters,
    new_draft_from,
    publish,
    published_shifts,
    save_draft,
)
from wfm.forecast_methods import Method
from wfm.roster_checks import MAX_SHIFTS, evaluate_roster
from wfm.roster_problem import RosterProblem, parse_roster_problem

router = APIRouter(prefix="/api/wfm/rosters", tags=["rosters"])

Planner = Annotated[User, Depends(require_role("planner"))]
Reader = Annotated[User, Depends(require_role("planner", "supervisor"))]
AnyUser = Annotated[User, Depends(require_role("agent", "supervisor", "planner", "qa"))]

MAX_JOB_SECONDS = 300.0
MAX_JOB_DAYS = 14  # below app.rosters.MAX_ROSTER_DAYS
MAX_QUEUES = 20
MAX_MINE_DAYS = 42
Text40 = Annotated[str, Field(min_length=1, max_length=40, pattern=PRINTABLE)]
VersionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
JobId = Annotated[str, Path(min_length=1, max_length=40)]
When = Annotated[str, Field(min_length=10, max_length=40, pattern=PRINTABLE)]


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Text40
    start: When
    end: When


class WorkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skill: Text40
    start: When
    end: When


class ShiftIn(BaseModel):
    """A shift as in ROSTER.json (naive local ISO times)."""

    model_config = ConfigDict(extra="forbid")
    agent: Text40
    shift_type: Annotated[str, Field(min_length=1, max_length=100, pattern=PRINTABLE)]
    start: When
    end: When
    activities: list[ActivityIn] = Field(default_factory=list, max_length=6)
    work: list[WorkIn] | None = Field(default=None, max_length=40)


class ShiftsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shifts: list[ShiftIn] = Field(max_length=MAX_SHIFTS)


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=PRINTABLE)]
    problem: dict[str, Any]
    shifts: list[ShiftIn] = Field(default_factory=list, max_length=MAX_SHIFTS)


class JobBody(BaseModel):
    """The chain (``queues`` and its parameters) or a ready ``problem``: exactly one."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str | None, Field(default=None, min_length=1, max_length=100, pattern=PRINTABLE)]
    queues: list[Text40] | None = Field(default=None, min_length=1, max_length=MAX_QUEUES)
    start: date | None = None
    days: int = Field(default=7, ge=1, le=MAX_JOB_DAYS)
    interval_minutes: Literal[15, 30, 60] = 30
    method: Method | None = None
    history_days: int = Field(default=56, ge=7, le=730)
    service_level_target: float = Field(default=0.8, gt=0, lt=1)
    threshold_seconds: float = Field(default=20, ge=0, le=600, allow_inf_nan=False)
    shrinkage: float = Field(default=0.3, ge=0, le=0.9)
    time_limit_seconds: float = Field(default=30, gt=0, le=MAX_JOB_SECONDS, allow_inf_nan=False)
    problem: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> JobBody:
        if (self.queues is None) == (self.problem is None):
            raise ValueError("give exactly one of queues (the chain) or problem")
        if self.queues is not None and self.start is None:
            raise ValueError("start is required with queues")
        return self


def _now() -> datetime:
    return datetime.now(UTC)


def _uid(user: User) -> int:
    assert user.id is not None
    return user.id


def parse_problem(data: Any, loc: tuple[str | int, ...]) -> RosterProblem:
    """PROBLEM.json checked by the core; its ValueError becomes a 422 naming the path."""
    try:
        return parse_roster_problem(data)
    except ValueError as exc:
        path, _, msg = str(exc).partition(": ")
        raise field_error((*loc, path), msg or str(exc)) from None


def evaluate(problem: RosterProblem, shifts: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        return evaluate_roster(problem, shifts).to_json()
    except ValueError as exc:
        path, _, msg = str(exc).partition(": ")
        raise field_error(("body", path), msg or str(exc)) from None


def _shift_dicts(shifts: list[ShiftIn]) -> list[dict[str, Any]]:
    return [s.model_dump(exclude_none=True) for s in shifts]


def _usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.username).where(col(User.id).in_(wanted))).all()
    return {i: n for i, n in rows if i is not None}


def version_summary(v: RosterVersion, names: dict[int, str]) -> dict[str, Any]:
    roster = v.roster or {}
    return {
        "id": v.id,
        "roster_id": v.roster_id,
        "version": v.version,
        "status": v.status,
        "based_on": v.based_on,
        "created_by": names.get(v.created_by or 0),
        "created_at": v.created_at.isoformat(),
        "updated_at": v.updated_at.isoformat(),
        "published_by": names.get(v.published_by or 0),
        "published_at": v.published_at.isoformat() if v.published_at else None,
        "solver_status": roster.get("status"),
        "shifts": len(roster.get("shifts", [])),
    }


def _agents_public(session: Session, problem: RosterProblem) -> list[dict[str, Any]]:
    logins = [a.id for a in problem.agents]
    names = dict(
        session.exec(select(Agent.login, Agent.name).where(col(Agent.login).in_(logins))).all()
    )
    return [
        {
            "id": a.id,
            "name": names.get(a.id, a.id),
            "skills": list(a.skills),
            "shift_types": list(a.shift_types),
            "time_off": sorted(problem.date_of(d).isoformat() for d in a.time_off),
        }
        for a in problem.agents
    ]


def version_detail(session: Session, v: RosterVersion) -> dict[str, Any]:
    head = get_roster(session, v.roster_id)
    problem = parse_problem(v.problem, ("problem",))
    names = _usernames(session, {v.created_by, v.published_by})
    shifts = list((v.roster or {}).get("shifts", []))
    return {
        **version_summary(v, names),
        "name": head.name,
        "start_day": head.start_day.isoformat(),
        "days": head.days,
        "interval_minutes": problem.interval_minutes,
        "required": {s: [round(float(x), 4) for x in r] for s, r in problem.required.items()},
        "shift_types": {
            n: {
                "length_minutes": t.length_minutes,
                "earliest_start_minutes": t.earliest_start_minutes,
                "latest_start_minutes": t.latest_start_minutes,
                "start_step_minutes": t.start_step_minutes,
                "activities": [a.kind for a in t.activities],
            }
            for n, t in problem.shift_types.items()
        },
        "agents": _agents_public(session, problem),
        "roster": {k: val for k, val in (v.roster or {}).items() if k != "coverage"},
        "evaluation": evaluate(problem, shifts),
    }


# --- reading ----------------------------------------------------------------------------------


@router.get("")
def get_rosters(
    session: SessionDep, user: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[dict[str, Any]]:
    found = list_rosters(session, limit)
    ids = {v.created_by for _, vs in found for v in vs} | {
        v.published_by for _, vs in found for v in vs
    }
    names = _usernames(session, ids)
    return [
        {
            "id": head.id,
            "name": head.name,
            "start_day": head.start_day.isoformat(),
            "days": head.days,
            "versions": [version_summary(v, names) for v in versions],
        }
        for head, versions in found
    ]


@router.get("/versions/{version_id}")
def get_roster_version(session: SessionDep, user: Reader, version_id: VersionId) -> dict[str, Any]:
    return version_detail(session, get_version(session, version_id))


@router.get("/published")
def get_published(
    session: SessionDep,
    user: Reader,
    start: Annotated[datetime, Query()],
    end: Annotated[datetime, Query()],
) -> list[dict[str, Any]]:
    if not timedelta(0) < end - start <= timedelta(days=MAX_MINE_DAYS):
        raise field_error(("query", "end"), f"must be after start, at most {MAX_MINE_DAYS} days")
    return published_shifts(session, start, end)


@router.get("/mine")
def get_mine(
    session: SessionDep,
    user: AnyUser,
    start: Annotated[date, Query()],
    days: Annotated[int, Query(ge=1, le=MAX_MINE_DAYS)] = 7,
) -> list[dict[str, Any]]:
    """The caller's own published shifts (agents: their login; others have none)."""
    if user.agent_id is None:
        raise Forbidden("only agents have shifts of their own")
    agent = session.get(Agent, user.agent_id)
    if agent is None:
        raise NotFound("your agent record is missing")
    first = datetime(start.year, start.month, start.day)
    return [
        s
        for s in published_shifts(session, first, first + timedelta(days=days))
        if s["agent"] == agent.login
    ]


def _export_name(session: Session, v: RosterVersion, ext: str) -> str:
    head = get_roster(session, v.roster_id)
    return f"roster-{head.start_day.isoformat()}-v{v.version}.{ext}"


@router.get("/versions/{version_id}/export.json")
def export_json(session: SessionDep, user: Reader, version_id: VersionId) -> Response:
    v = get_version(session, version_id)
    body = json.dumps(v.roster or {}, ensure_ascii=False, indent=1)
    disposition = f'attachment; filename="{_export_name(session, v, "json")}"'
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": disposition})


CSV_COLUMNS = ("agent", "date", "shift_type", "kind", "start", "end")


@router.get("/versions/{version_id}/export.csv")
def export_csv(session: SessionDep, user: Reader, version_id: VersionId) -> Response:
    """One row per shift (``kind`` = ``shift``) and one per activity inside it."""
    v = get_version(session, version_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in (v.roster or {}).get("shifts", []):
        day = s["start"][:10]
        writer.writerow((s["agent"], day, s["shift_type"], "shift", s["start"], s["end"]))
        for a in s.get("activities", []):
            writer.writerow((s["agent"], day, s["shift_type"], a["kind"], a["start"], a["end"]))
    disposition = f'attachment; filename="{_export_name(session, v, "csv")}"'
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})


# --- editing and publication --------------------------------------------------------------------


@router.post("", status_code=201)
def post_roster(session: SessionDep, user: Planner, body: CreateBody) -> dict[str, Any]:
    problem = parse_problem(body.problem, ("body", "problem"))
    shifts = _shift_dicts(body.shifts)
    evaluation = evaluate(problem, shifts)
    roster = {"status": "manual", "objective": None, "best_bound": None, "gap": None,
              "shifts": shifts, **evaluation}
    roster.pop("violations", None)
    v = create_roster(session, name=body.name, start_day=problem.start, days=problem.days,
                      problem=body.problem, roster=roster, user_id=_uid(user), now=_now())
    return version_detail(session, v)


@router.post("/versions/{version_id}/evaluate")
def post_evaluate(
    session: SessionDep, user: Planner, version_id: VersionId, body: ShiftsBody
) -> dict[str, Any]:
    v = get_version(session, version_id)
    problem = parse_problem(v.problem, ("problem",))
    return evaluate(problem, _shift_dicts(body.shifts))


@router.put("/versions/{version_id}/shifts")
def put_shifts(
    session: SessionDep, user: Planner, version_id: VersionId, body: ShiftsBody
) -> dict[str, Any]:
    v = get_version(session, version_id)
    problem = parse_problem(v.problem, ("problem",))
    shifts = _shift_dicts(body.shifts)
    evaluation = evaluate(problem, shifts)
    roster = dict(v.roster or {})
    roster.update(shifts=shifts, coverage=evaluation["coverage"],
                  under_coverage=evaluation["under_coverage"],
                  over_coverage=evaluation["over_coverage"], edited=True)
    save_draft(session, v, roster, _now())
    return version_detail(session, v)


@router.post("/versions/{version_id}/publish")
def post_publish(session: SessionDep, user: Planner, version_id: VersionId) -> dict[str, Any]:
    v = publish(session, get_version(session, version_id), _uid(user), _now())
    return version_detail(session, v)


@router.post("/versions/{version_id}/draft", status_code=201)
def post_draft(session: SessionDep, user: Planner, version_id: VersionId) -> dict[str, Any]:
    v = new_draft_from(session, get_version(session, version_id), _uid(user), _now())
    return version_detail(session, v)


# --- background builds ----------------------------------------------------------------------------


def _job_public(job: RosterJob) -> dict[str, Any]:
    return job.to_json()


@router.post("/jobs", status_code=202)
def post_job(request: Request, session: SessionDep, user: Planner, body: JobBody) -> dict[str, Any]:
    jobs = jobs_of(request.app.state)
    if body.problem is not None:
        problem = parse_problem(body.problem, ("body", "problem"))
        if problem.time_limit_seconds > MAX_JOB_SECONDS:
            raise field_error(("body", "problem", "time_limit_seconds"),
                              f"at most {MAX_JOB_SECONDS:g} in a background job")
        name = body.name or default_name(problem.start, problem.days)
        return _job_public(jobs.start(_uid(user), name, problem=body.problem))
    assert body.queues is not None and body.start is not None
    known = {str(s) for s in session.exec(select(AgentSkill.skill).distinct()).all()}
    for i, queue in enumerate(body.queues):
        if queue not in known:
            raise field_error(("body", "queues", i), f"no agent has the skill {queue!r}")
    spec = ChainSpec(
        start=body.start,
        days=body.days,
        interval_minutes=body.interval_minutes,
        queues=tuple(dict.fromkeys(body.queues)),
        method=body.method,
        history_days=body.history_days,
        service_level_target=body.service_level_target,
        threshold_seconds=body.threshold_seconds,
        shrinkage=body.shrinkage,
        shift_types=DEFAULT_SHIFT_TYPES,
        rules=dict(DEFAULT_RULES),
        time_limit_seconds=body.time_limit_seconds,
    )
    name = body.name or default_name(body.start, body.days)
    return _job_public(jobs.start(_uid(user), name, chain=spec))


def _own_job(request: Request, user: User, job_id: str) -> RosterJob:
    job = jobs_of(request.app.state).get(job_id)
    if job is None or (job.user_id != user.id and user.role != "admin"):
        raise NotFound(f"roster job {job_id} not found")
    return job


@router.get("/jobs")
def list_jobs(request: Request, user: Planner) -> list[dict[str, Any]]:
    """The caller's own jobs (running and recently finished), newest first."""
    return [_job_public(j) for j in reversed(jobs_of(request.app.state).of_user(_uid(user)))]


@router.get("/jobs/{job_id}")
def get_job(request: Request, user: Planner, job_id: JobId) -> dict[str, Any]:
    return _job_public(_own_job(request, user, job_id))


@router.post("/jobs/{job_id}/cancel", status_code=202)
def cancel_job(request: Request, user: Planner, job_id: JobId) -> dict[str, Any]:
    job = _own_job(request, user, job_id)
    job.stop.set()
    return _job_public(job)
