"""QA evaluations API: forms, contacts to score, evaluations, the agent's answer to them,
calibration sessions, coaching sessions and their follow-ups, agent scorecards.

Roles (admin passes every guard):

* forms: read by qa and supervisors; created and edited (a new version each time) by qa;
* contacts (the interaction log, with sampling) and a contact's events: qa, supervisors;
* evaluations: scored by qa; read by qa and supervisors, and by an agent for their own
  contacts only (another agent's evaluation is a 404 to them); acknowledged or disputed by
  the evaluated agent;
* calibration: qa (each evaluator and the expert score once);
* coaching: opened and followed up by supervisors (the center head); qa reads;
* scorecards: supervisors and qa; an agent reads their own.

Bad input is a 422 naming the field (``body.answers.q3``); rules live in :mod:`qa`, rows in
:mod:`app.qa_evaluations`, :mod:`app.qa_coaching` and :mod:`app.qa_scorecards`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from app import qa_coaching, qa_scorecards
from app import qa_evaluations as store
from app.api.errors import NotFound, field_error
from app.api.params import Id32, Id64
from app.auth import require_role
from app.deps import SessionDep
from app.models import QaEvaluation, Role, User
from app.queries import start_of_center_day
from qa.evaluation_sampling import MAX_PER_AGENT, RuleName

router = APIRouter(prefix="/api/qa", tags=["qa"])

QaUser = Annotated[User, Depends(require_role("qa"))]
Reader = Annotated[User, Depends(require_role("qa", "supervisor"))]
Anyone = Annotated[User, Depends(require_role("qa", "supervisor", "agent"))]
Supervisor = Annotated[User, Depends(require_role("supervisor"))]
Code = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
ContactId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:\-]{1,40}$")]
Comment = Annotated[str, Field(max_length=2000)]


def utc_now() -> datetime:
    """The wall clock (one place, so tests can move it)."""
    return datetime.now(UTC)


def unprocessable(exc: ValueError, where: str = "body") -> RequestValidationError:
    """A core's ``ValueError("answers.q3: ...")`` as a 422 on ``body.answers.q3``."""
    text = str(exc)
    head, sep, msg = text.partition(": ")
    if sep and " " not in head:
        return field_error([where, *head.split(".")], msg)
    return field_error([where], text)


# --- forms ------------------------------------------------------------------------------


class FormBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Code
    definition: dict[str, Any] = Field(description="title, title_en, sections[] of questions[]")


class FormEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definition: dict[str, Any]


class FormPublic(BaseModel):
    form_id: int
    key: str
    version_id: int
    version: int
    versions: int
    definition: dict[str, Any]


@router.get("/forms", response_model=list[FormPublic])
def get_forms(session: SessionDep, user: Reader) -> list[FormPublic]:
    return [FormPublic(form_id=f.form.id or 0, key=f.form.key, version_id=f.latest.id or 0,
                       version=f.latest.version, versions=f.versions,
                       definition=f.latest.definition) for f in store.list_forms(session)]


@router.post("/forms", response_model=FormPublic, status_code=201)
def post_form(session: SessionDep, user: QaUser, body: FormBody) -> FormPublic:
    try:
        row = store.create_form(session, user, body.key, body.definition, utc_now())
    except ValueError as exc:
        raise unprocessable(exc, "body.definition") from exc
    return FormPublic(form_id=row.form_id, key=body.key, version_id=row.id or 0,
                      version=row.version, versions=1, definition=row.definition)


@router.put("/forms/{form_id}", response_model=FormPublic)
def put_form(session: SessionDep, user: QaUser, form_id: Id32, body: FormEdit) -> FormPublic:
    """Edit a form: stores the next version; evaluations keep the version they were scored on."""
    try:
        row = store.edit_form(session, user, form_id, body.definition, utc_now())
    except ValueError as exc:
        raise unprocessable(exc, "body.definition") from exc
    form, _, _ = store.version_with_form(session, row.id or 0)
    return FormPublic(form_id=form_id, key=form.key, version_id=row.id or 0,
                      version=row.version, versions=row.version, definition=row.definition)


@router.get("/form-versions/{version_id}", response_model=FormPublic)
def get_form_version(session: SessionDep, user: Anyone, version_id: Id32) -> FormPublic:
    form, row, _ = store.version_with_form(session, version_id)
    latest = store.latest_version(session, form.id or 0)
    return FormPublic(form_id=form.id or 0, key=form.key, version_id=version_id,
                      version=row.version, versions=latest.version, definition=row.definition)


# --- contacts -----------------------------------------------------------------------------


class ContactPublic(BaseModel):
    contact_id: str
    agent_id: int | None
    agent: str
    queue: str
    direction: str
    tier: str
    arrived_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    handle_seconds: float | None
    disposition: str | None
    transferred: bool
    complaint: bool
    evaluations: int


def _contact_public(row: store.ContactRow) -> ContactPublic:
    i = row.interaction
    return ContactPublic(
        contact_id=i.contact_id, agent_id=i.agent_id, agent=row.agent_login, queue=i.queue,
        direction=i.direction, tier=i.tier, arrived_at=i.arrived_at, answered_at=i.answered_at,
        ended_at=i.ended_at, handle_seconds=i.handle_seconds, disposition=i.disposition,
        transferred=row.transferred, complaint=row.complaint, evaluations=row.evaluations)


@router.get("/contacts", response_model=list[ContactPublic])
def get_contacts(
    session: SessionDep, user: Reader,
    days: Annotated[int, Query(ge=1, le=92)] = 7,
    agent_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    per_agent: Annotated[int | None, Query(ge=1, le=MAX_PER_AGENT)] = None,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
    rule: RuleName | None = None,
    min_handle_seconds: Annotated[float, Query(ge=0, le=86_400)] = 600.0,
    limit: Annotated[int, Query(ge=1, le=store.MAX_CONTACTS)] = 100,
) -> list[ContactPublic]:
    """Recent answered contacts, newest first; ``per_agent`` draws a random sample per agent
    (``seed``), ``rule`` picks long calls (handle time over ``min_handle_seconds``),
    transfers or complaints (flags from the event log)."""
    since = start_of_center_day(utc_now(), days - 1)
    if rule is not None or per_agent is not None:
        rows = store.sample_contacts(session, since, per_agent=per_agent, seed=seed, rule=rule,
                                     min_handle_seconds=min_handle_seconds)
    else:
        rows = store.recent_contacts(session, since, agent_id=agent_id, limit=limit)
    return [_contact_public(r) for r in rows]


class EventPublic(BaseModel):
    seq: int
    type: str
    at: float
    agent_id: str | None
    payload: dict[str, Any]


class ContactDetail(BaseModel):
    contact: ContactPublic
    events: list[EventPublic]


@router.get("/contacts/{contact_id}", response_model=ContactDetail)
def get_contact(
    session: SessionDep, user: Reader,
    contact_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:\-]{1,40}$")],
) -> ContactDetail:
    """A contact's row and its events in the log (the record's source), for context."""
    interaction, login = store.contact(session, contact_id)
    events = store.contact_events(session, interaction.contact_id)
    row = store.ContactRow(interaction, login,
                           any(e.type == store.TRANSFER_EVENT for e in events),
                           any(e.type == store.COMPLAINT_EVENT for e in events), 0)
    return ContactDetail(contact=_contact_public(row), events=[
        EventPublic(seq=e.seq or 0, type=e.type, at=e.at, agent_id=e.agent_id,
                    payload=e.payload) for e in events])


# --- evaluations --------------------------------------------------------------------------


class EvaluationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: ContactId
    form_version_id: int = Field(ge=1, le=2**31 - 1)
    answers: dict[Code, Annotated[str, Field(max_length=4)]] = Field(
        description="question id → yes, no, na or a scale number", max_length=200)
    comment: Comment = ""


class AnswerPublic(BaseModel):
    question_id: str
    value: str
    fraction: float | None


class ResponsePublic(BaseModel):
    kind: str
    comment: str
    at: datetime
    by: str


class EvaluationPublic(BaseModel):
    id: int
    contact_id: str
    agent_id: int | None
    form_version_id: int
    contact_at: datetime
    evaluator: str
    evaluated_at: datetime
    total: float | None
    raw_total: float | None
    critical_score: float | None
    non_critical_score: float | None
    fatal_failed: bool
    comment: str
    status: str
    answers: list[AnswerPublic] = []
    responses: list[ResponsePublic] = []


def _evaluation_public(session: SessionDep, e: QaEvaluation, full: bool) -> EvaluationPublic:
    out = EvaluationPublic(
        id=e.id or 0, contact_id=e.contact_id, agent_id=e.agent_id,
        form_version_id=e.form_version_id, contact_at=e.contact_at, evaluator=e.evaluator,
        evaluated_at=e.evaluated_at, total=e.total, raw_total=e.raw_total,
        critical_score=e.critical_score, non_critical_score=e.non_critical_score,
        fatal_failed=e.fatal_failed, comment=e.comment, status=e.status)
    if full:
        out.answers = [AnswerPublic(question_id=a.question_id, value=a.value,
                                    fraction=a.fraction)
                       for a in store.answers_of(session, e.id or 0).values()]
        out.responses = [ResponsePublic(kind=r.kind, comment=r.comment, at=r.at, by=r.by)
                         for r in store.responses_of(session, e.id or 0)]
    return out


@router.post("/evaluations", response_model=EvaluationPublic, status_code=201)
def post_evaluation(session: SessionDep, user: QaUser, body: EvaluationBody) -> EvaluationPublic:
    try:
        row, _ = store.save_evaluation(session, user, body.contact_id, body.form_version_id,
                                       body.answers, body.comment, utc_now())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    return _evaluation_public(session, row, True)


@router.get("/evaluations", response_model=list[EvaluationPublic])
def get_evaluations(
    session: SessionDep, user: Anyone,
    agent_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    days: Annotated[int, Query(ge=1, le=366)] = 92,
) -> list[EvaluationPublic]:
    """Regular evaluations, newest first; an agent gets their own whatever ``agent_id`` says."""
    since = start_of_center_day(utc_now(), days - 1)
    rows = store.list_evaluations(session, user, agent_id=agent_id, since=since)
    return [_evaluation_public(session, e, False) for e in rows]


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationPublic)
def get_evaluation(session: SessionDep, user: Anyone, evaluation_id: Id64) -> EvaluationPublic:
    return _evaluation_public(session, store.get_evaluation(session, user, evaluation_id), True)


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["acknowledge", "dispute"]
    comment: Comment = ""


@router.post("/evaluations/{evaluation_id}/response", response_model=EvaluationPublic)
def post_response(session: SessionDep, user: Anyone, evaluation_id: Id64,
                  body: ResponseBody) -> EvaluationPublic:
    """The evaluated agent acknowledges or disputes (with a comment), once."""
    try:
        row = store.respond(session, user, evaluation_id, body.kind, body.comment, utc_now())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    return _evaluation_public(session, row, True)


class ReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment


@router.post("/evaluations/{evaluation_id}/reply", response_model=EvaluationPublic)
def post_reply(session: SessionDep, user: QaUser, evaluation_id: Id64,
               body: ReplyBody) -> EvaluationPublic:
    """QA answers a disputed evaluation (status ``reviewed``); the score stands."""
    try:
        row = store.answer_dispute(session, user, evaluation_id, body.comment, utc_now())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    return _evaluation_public(session, row, True)


# --- calibration --------------------------------------------------------------------------


class CalibrationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: ContactId
    form_version_id: int = Field(ge=1, le=2**31 - 1)
    expert: str = Field(min_length=1, max_length=40)


class CalibrationScoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[Code, Annotated[str, Field(max_length=4)]] = Field(max_length=200)


class CalibrationPublic(BaseModel):
    id: int
    contact_id: str
    form_version_id: int
    expert: str
    scored_by: list[str]
    expert_total: float | None = None
    evaluators: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    spread_range: float | None = None
    spread_std: float | None = None
    mean_abs_deviation: float | None = None
    fatal_agreement: float | None = None


def _calibration_public(session: SessionDep, calibration_id: int) -> CalibrationPublic:
    view = store.calibration_view(session, calibration_id)
    cal, r = view.calibration, view.result
    out = CalibrationPublic(id=cal.id or 0, contact_id=cal.contact_id,
                            form_version_id=cal.form_version_id, expert=cal.expert,
                            scored_by=view.scored_by)
    if r is not None:
        out.expert_total = r.expert.total
        out.evaluators = [{"evaluator": e.evaluator, "total": e.total, "deviation": e.deviation,
                           "questions_differing": e.questions_differing,
                           "fatal_agrees": e.fatal_agrees} for e in r.evaluators]
        out.questions = [{"question_id": q.question_id, "expert_value": q.expert_value,
                          "mean_abs_deviation": q.mean_abs_deviation, "n": q.n,
                          "agreement": q.agreement} for q in r.questions]
        out.spread_range, out.spread_std = r.spread_range, r.spread_std
        out.mean_abs_deviation, out.fatal_agreement = r.mean_abs_deviation, r.fatal_agreement
    return out


@router.post("/calibrations", response_model=CalibrationPublic, status_code=201)
def post_calibration(session: SessionDep, user: QaUser,
                     body: CalibrationBody) -> CalibrationPublic:
    try:
        row = store.create_calibration(session, user, body.contact_id, body.form_version_id,
                                       body.expert, utc_now())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    return _calibration_public(session, row.id or 0)


@router.post("/calibrations/{calibration_id}/scores", response_model=CalibrationPublic)
def post_calibration_score(session: SessionDep, user: QaUser, calibration_id: Id32,
                           body: CalibrationScoreBody) -> CalibrationPublic:
    try:
        store.calibration_score(session, user, calibration_id, body.answers, utc_now())
    except ValueError as exc:
        raise unprocessable(exc) from exc
    return _calibration_public(session, calibration_id)


@router.get("/calibrations/{calibration_id}", response_model=CalibrationPublic)
def get_calibration(session: SessionDep, user: QaUser, calibration_id: Id32) -> CalibrationPublic:
    return _calibration_public(session, calibration_id)


# --- coaching -------------------------------------------------------------------------------


class PointBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question_id: Code
    note: str = Field(default="", max_length=500)


class CoachingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: ContactId
    form_id: int = Field(ge=1, le=2**31 - 1)
    points: list[PointBody] = Field(min_length=1, max_length=qa_coaching.MAX_POINTS)
    notes: Comment = ""
    follow_up_months: int = Field(default=1, ge=1, le=12)
    evaluation_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class PointPublic(BaseModel):
    question_id: str
    note: str
    before_mean: float | None
    before_n: int
    after_mean: float | None
    after_n: int
    improved: bool | None


class FollowUpPublic(BaseModel):
    follow_up_id: int
    session_id: int
    agent: str
    contact_id: str
    opened_at: datetime
    opened_by: str
    due_on: date
    status: str
    done_at: datetime | None
    done_by: str | None
    note: str
    points: list[PointPublic]


def _follow_up_public(v: qa_coaching.FollowUpView) -> FollowUpPublic:
    return FollowUpPublic(
        follow_up_id=v.follow_up.id or 0, session_id=v.session.id or 0, agent=v.agent_login,
        contact_id=v.session.contact_id, opened_at=v.session.opened_at,
        opened_by=v.session.opened_by, due_on=v.due_on, status=v.status,
        done_at=v.follow_up.done_at, done_by=v.follow_up.done_by, note=v.follow_up.note,
        points=[PointPublic(question_id=p.point.question_id, note=p.point.note,
                            before_mean=p.progress.before_mean, before_n=p.progress.before_n,
                            after_mean=p.progress.after_mean, after_n=p.progress.after_n,
                            improved=p.progress.improved) for p in v.points])


def center_today() -> date:
    return qa_coaching.center_day(utc_now())


@router.post("/coaching", response_model=FollowUpPublic, status_code=201)
def post_coaching(session: SessionDep, user: Supervisor, body: CoachingBody) -> FollowUpPublic:
    try:
        row = qa_coaching.open_session(
            session, user, body.contact_id, body.form_id,
            [(p.question_id, p.note) for p in body.points], body.notes, utc_now(),
            months=body.follow_up_months, evaluation_id=body.evaluation_id)
    except ValueError as exc:
        raise unprocessable(exc) from exc
    views = [v for v in qa_coaching.follow_ups(session, center_today(), agent_id=row.agent_id)
             if v.session.id == row.id]
    return _follow_up_public(views[0])


class DuePublic(BaseModel):
    today: date
    due_today: list[FollowUpPublic]
    overdue: list[FollowUpPublic]


@router.get("/follow-ups/due", response_model=DuePublic)
def get_due(session: SessionDep, user: Reader) -> DuePublic:
    """Open follow-ups due today and overdue (center-local day), with each point's before/after."""
    today = center_today()
    due, overdue = qa_coaching.due_follow_ups(session, today)
    return DuePublic(today=today, due_today=[_follow_up_public(v) for v in due],
                     overdue=[_follow_up_public(v) for v in overdue])


@router.get("/follow-ups", response_model=list[FollowUpPublic])
def get_follow_ups(session: SessionDep, user: Reader,
                   include_done: bool = True) -> list[FollowUpPublic]:
    return [_follow_up_public(v) for v in
            qa_coaching.follow_ups(session, center_today(), include_done=include_done)]


class FollowUpDoneBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Comment = ""


@router.post("/follow-ups/{follow_up_id}/done", response_model=FollowUpPublic)
def post_follow_up_done(session: SessionDep, user: Supervisor, follow_up_id: Id32,
                        body: FollowUpDoneBody) -> FollowUpPublic:
    row = qa_coaching.complete_follow_up(session, user, follow_up_id, body.note, utc_now())
    views = [v for v in qa_coaching.follow_ups(session, center_today()) if v.follow_up.id == row.id]
    if not views:
        raise NotFound(f"follow-up {follow_up_id} not found")
    return _follow_up_public(views[0])


# --- scorecards -----------------------------------------------------------------------------


class ScorecardPublic(BaseModel):
    agent: str
    evaluations: int
    qa_score: float | None
    fatal_failures: int
    handled: int
    aht_seconds: float | None
    adherence: float | None


@router.get("/scorecards", response_model=list[ScorecardPublic])
def get_scorecards(
    session: SessionDep, user: Anyone,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    agent_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ScorecardPublic]:
    """Per agent over ``from``..``to`` (center days; default the last 30 days); an agent gets
    their own card only."""
    last = to or center_today()
    first = from_ or last - timedelta(days=29)
    if user.role == Role.agent:
        if user.agent_id is None:
            return []
        agent_id = user.agent_id
    try:
        cards = qa_scorecards.scorecards(session, first, last, utc_now(), agent_id=agent_id)
    except ValueError as exc:
        raise field_error(["query", "from"], str(exc)) from exc
    return [ScorecardPublic(agent=c.agent, evaluations=c.evaluations, qa_score=c.qa_score,
                            fatal_failures=c.fatal_failures, handled=c.handled,
                            aht_seconds=None if c.aht_seconds != c.aht_seconds else c.aht_seconds,
                            adherence=c.adherence) for c in cards]
