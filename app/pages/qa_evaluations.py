"""QA evaluation pages: ``/qa/evaluations`` (QA analysts: contacts to score, sampling,
recent evaluations, forms, calibration sessions), scoring a contact, one evaluation,
a form and its versions, a calibration session, and ``/qa/my-evaluations`` (an agent's
evaluations of their own contacts, to acknowledge or dispute).

Forms post here (CSRF token in the form) and redirect (post, redirect, get); a refused
input renders the page again with the reason (422). The same functions as the API do the
work (:mod:`app.qa_evaluations`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session, select

from app import qa_evaluations as store
from app.api.errors import NotFound, field_error
from app.api.params import Id32, Id64
from app.api.qa_evaluations import unprocessable
from app.auth import require_role
from app.deps import SessionDep
from app.models import Agent, QaEvaluation, User
from app.pages import render
from app.queries import start_of_center_day
from qa.evaluation_forms import EvaluationForm
from qa.evaluation_sampling import MAX_PER_AGENT, RuleName
from qa.evaluations import score_evaluation

router = APIRouter(tags=["pages"], include_in_schema=False)

QaUser = Annotated[User, Depends(require_role("qa"))]
Reader = Annotated[User, Depends(require_role("qa", "supervisor"))]
Anyone = Annotated[User, Depends(require_role("qa", "supervisor", "agent"))]
AgentUser = Annotated[User, Depends(require_role("agent"))]
Text = Annotated[str, Form(max_length=2000)]
ContactQuery = Annotated[str, Query(pattern=r"^[A-Za-z0-9_.:\-]{1,40}$")]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EventRow:
    at: datetime
    type: str
    agent_id: str | None


class SampleQuery(BaseModel):
    """The contact list's filters (blank fields mean "not chosen")."""

    days: int = Field(default=7, ge=1, le=92)
    mode: str = Field(default="recent", pattern="^(recent|random|long_calls|transfers|complaints)$")
    per_agent: int = Field(default=2, ge=1, le=MAX_PER_AGENT)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    min_handle_seconds: float = Field(default=600.0, ge=0, le=86_400)


def _sample_query(request: Request) -> SampleQuery:
    raw = {k: v for k, v in request.query_params.items() if v.strip()}
    try:
        return SampleQuery.model_validate(raw)
    except ValidationError:
        return SampleQuery()


def _contacts(session: Session, q: SampleQuery) -> list[store.ContactRow]:
    since = start_of_center_day(utc_now(), q.days - 1)
    if q.mode == "recent":
        return store.recent_contacts(session, since, limit=50)
    if q.mode == "random":
        return store.sample_contacts(session, since, per_agent=q.per_agent, seed=q.seed)
    rule: RuleName = q.mode  # type: ignore[assignment]  # checked by the pattern
    return store.sample_contacts(session, since, rule=rule,
                                 min_handle_seconds=q.min_handle_seconds)


@router.get("/qa/evaluations")
def evaluations_page(request: Request, session: SessionDep, user: Reader) -> Response:
    q = _sample_query(request)
    forms = store.list_forms(session)
    context = {
        "q": q,
        "contacts": _contacts(session, q),
        "forms": forms,
        "evaluations": store.list_evaluations(session, user, limit=50),
        "agent_logins": _agent_logins(session),
        "calibrations": store.list_calibrations(session),
        "default_version": forms[0].latest.id if forms else None,
    }
    return render(request, "qa_evaluations.html", user, context)


def _agent_logins(session: Session) -> dict[int, str]:
    return {a.id or 0: a.login for a in session.exec(select(Agent)).all()}


def _score_context(session: Session, contact_id: str, version_id: int) -> dict[str, Any]:
    form, row, parsed = store.version_with_form(session, version_id)
    interaction, login = store.contact(session, contact_id)
    return {"contact": interaction, "agent_login": login, "form_row": form,
            "version": row, "form": parsed,
            "events": [EventRow(datetime.fromtimestamp(e.at, UTC), e.type, e.agent_id)
                       for e in store.contact_events(session, contact_id)]}


@router.get("/qa/evaluations/new")
def score_page(request: Request, session: SessionDep, user: QaUser, contact_id: ContactQuery,
               version_id: Annotated[int, Query(ge=1, le=2**31 - 1)]) -> Response:
    context = _score_context(session, contact_id, version_id)
    return render(request, "qa_score.html", user, {**context, "answers": {}, "error": None})


def _answers_from(form: EvaluationForm, data: Any) -> dict[str, str]:
    return {q.id: str(data.get(f"q_{q.id}", ""))[:4] for _, q in form.questions()
            if data.get(f"q_{q.id}") is not None}


@router.post("/qa/evaluations")
async def score_post(request: Request, session: SessionDep, user: QaUser) -> Response:
    data = await request.form()
    contact_id = str(data.get("contact_id", ""))[:40]
    version_raw = str(data.get("version_id", ""))
    if not version_raw.isdigit() or not 1 <= int(version_raw) <= 2**31 - 1:
        raise field_error(["form", "version_id"], "not a form version")
    context = _score_context(session, contact_id, int(version_raw))
    answers = _answers_from(context["form"], data)
    comment = str(data.get("comment", ""))[:2000]
    try:
        row, _ = store.save_evaluation(session, user, contact_id, int(version_raw), answers,
                                       comment, utc_now())
    except ValueError as exc:
        session.rollback()
        return render(request, "qa_score.html", user,
                      {**context, "answers": answers, "error": str(exc)}, status_code=422)
    return RedirectResponse(f"/qa/evaluations/{row.id}", status_code=303)


def _evaluation_context(session: Session, evaluation: QaEvaluation) -> dict[str, Any]:
    form, version, parsed = store.version_with_form(session, evaluation.form_version_id)
    answers = store.answers_of(session, evaluation.id or 0)
    score = score_evaluation(parsed, {k: a.value for k, a in answers.items()})
    return {"evaluation": evaluation, "form": parsed, "version": version, "form_row": form,
            "answers": answers, "score": score,
            "sections": {s.section_id: s for s in score.sections},
            "responses": store.responses_of(session, evaluation.id or 0),
            "agent_login": _agent_logins(session).get(evaluation.agent_id or 0, "")}


@router.get("/qa/evaluations/{evaluation_id}")
def evaluation_page(request: Request, session: SessionDep, user: Anyone,
                    evaluation_id: Id64) -> Response:
    evaluation = store.get_evaluation(session, user, evaluation_id)
    return render(request, "qa_evaluation.html", user,
                  {**_evaluation_context(session, evaluation), "error": None})


@router.post("/qa/evaluations/{evaluation_id}/response")
def response_post(request: Request, session: SessionDep, user: AgentUser, evaluation_id: Id64,
                  kind: Annotated[str, Form(pattern="^(acknowledge|dispute)$")],
                  comment: Text = "") -> Response:
    try:
        store.respond(session, user, evaluation_id, kind, comment, utc_now())  # type: ignore[arg-type]
    except ValueError as exc:
        session.rollback()
        evaluation = store.get_evaluation(session, user, evaluation_id)
        return render(request, "qa_evaluation.html", user,
                      {**_evaluation_context(session, evaluation), "error": str(exc)},
                      status_code=422)
    return RedirectResponse(f"/qa/evaluations/{evaluation_id}", status_code=303)


@router.post("/qa/evaluations/{evaluation_id}/reply")
def reply_post(request: Request, session: SessionDep, user: QaUser, evaluation_id: Id64,
               comment: Text = "") -> Response:
    try:
        store.answer_dispute(session, user, evaluation_id, comment, utc_now())
    except ValueError as exc:
        session.rollback()
        evaluation = store.get_evaluation(session, user, evaluation_id)
        return render(request, "qa_evaluation.html", user,
                      {**_evaluation_context(session, evaluation), "error": str(exc)},
                      status_code=422)
    return RedirectResponse(f"/qa/evaluations/{evaluation_id}", status_code=303)


@router.get("/qa/my-evaluations")
def my_evaluations_page(request: Request, session: SessionDep, user: AgentUser) -> Response:
    rows = store.list_evaluations(session, user, limit=100)
    return render(request, "qa_my_evaluations.html", user, {"evaluations": rows})


# --- forms ------------------------------------------------------------------------------


def _form_page(request: Request, session: Session, user: User, form_id: int | None,
               text: str | None = None, error: str | None = None,
               status_code: int = 200, version: int | None = None) -> Response:
    """A form's questions at ``version`` (default the latest), its versions, and the editor
    (which always starts from the latest version)."""
    summary = shown = None
    versions: list[Any] = []
    if form_id is not None:
        summary = next((f for f in store.list_forms(session) if f.form.id == form_id), None)
        if summary is None:
            raise NotFound(f"form {form_id} not found")
        versions = store.versions_of(session, form_id)
        row = next((v for v in versions if v.version == version), summary.latest)
        shown = store.form_of(summary.form, row)
    if text is None:
        text = json.dumps(summary.latest.definition if summary else _EMPTY_FORM,
                          ensure_ascii=False, indent=2)
    return render(request, "qa_form.html", user, {
        "summary": summary, "shown": shown, "versions": versions, "text": text,
        "error": error}, status_code=status_code)


_EMPTY_FORM: dict[str, Any] = {
    "title": "", "title_en": "",
    "sections": [{"id": "greeting", "title": "", "title_en": "", "questions": [
        {"id": "greeting", "title": "", "title_en": "", "kind": "yes_no", "weight": 1,
         "na_allowed": False, "critical": False, "fatal": False}]}],
}


def _parse(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"definition: not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(value, dict):
        raise ValueError("definition: must be a JSON object")  # noqa: TRY004 - one error kind
    return value


@router.get("/qa/forms/new")
def new_form_page(request: Request, session: SessionDep, user: QaUser) -> Response:
    return _form_page(request, session, user, None)


@router.get("/qa/forms/{form_id}")
def form_page(request: Request, session: SessionDep, user: Reader, form_id: Id32,
              version: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> Response:
    return _form_page(request, session, user, form_id, version=version)


@router.post("/qa/forms")
def form_create(request: Request, session: SessionDep, user: QaUser,
                key: Annotated[str, Form(max_length=40)] = "",
                definition: Annotated[str, Form(max_length=100_000)] = "") -> Response:
    try:
        if not key:
            raise ValueError("key: give the form a key (a-z, 0-9, _)")
        row = store.create_form(session, user, key, _parse(definition), utc_now())
    except ValueError as exc:
        session.rollback()
        return _form_page(request, session, user, None, definition, str(exc), 422)
    return RedirectResponse(f"/qa/forms/{row.form_id}?saved={row.version}", status_code=303)


@router.post("/qa/forms/{form_id}")
def form_edit(request: Request, session: SessionDep, user: QaUser, form_id: Id32,
              definition: Annotated[str, Form(max_length=100_000)] = "") -> Response:
    try:
        row = store.edit_form(session, user, form_id, _parse(definition), utc_now())
    except ValueError as exc:
        session.rollback()
        return _form_page(request, session, user, form_id, definition, str(exc), 422)
    return RedirectResponse(f"/qa/forms/{form_id}?saved={row.version}", status_code=303)


# --- calibration ------------------------------------------------------------------------


@router.post("/qa/calibrations")
def calibration_create(request: Request, session: SessionDep, user: QaUser,
                       contact_id: Annotated[str, Form(max_length=40)] = "",
                       version_id: Annotated[int, Form(ge=1, le=2**31 - 1)] = 1,
                       expert: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        row = store.create_calibration(session, user, contact_id, version_id,
                                       expert or user.username, utc_now())
    except ValueError as exc:
        session.rollback()
        raise unprocessable(exc, "form") from exc
    return RedirectResponse(f"/qa/calibrations/{row.id}", status_code=303)


def _calibration_page(request: Request, session: Session, user: User, calibration_id: int,
                      answers: dict[str, str] | None = None, error: str | None = None,
                      status_code: int = 200) -> Response:
    view = store.calibration_view(session, calibration_id)
    interaction, login = store.contact(session, view.calibration.contact_id)
    return render(request, "qa_calibration.html", user, {
        "view": view, "form": view.form, "contact": interaction, "agent_login": login,
        "answers": answers or {}, "error": error,
        "has_scored": user.username in view.scored_by}, status_code=status_code)


@router.get("/qa/calibrations/{calibration_id}")
def calibration_page(request: Request, session: SessionDep, user: QaUser,
                     calibration_id: Id32) -> Response:
    return _calibration_page(request, session, user, calibration_id)


@router.post("/qa/calibrations/{calibration_id}/scores")
async def calibration_score_post(request: Request, session: SessionDep, user: QaUser,
                                 calibration_id: Id32) -> Response:
    view = store.calibration_view(session, calibration_id)
    answers = _answers_from(view.form, await request.form())
    try:
        store.calibration_score(session, user, calibration_id, answers, utc_now())
    except ValueError as exc:
        session.rollback()
        return _calibration_page(request, session, user, calibration_id, answers, str(exc), 422)
    return RedirectResponse(f"/qa/calibrations/{calibration_id}", status_code=303)

