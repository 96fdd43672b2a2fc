"""Coaching pages: ``/qa/coaching`` (the center head: follow-ups due today and overdue,
every session's points with the agent's scores before and after), opening a session on a
contact, and recording a follow-up. The work is done by :mod:`app.qa_coaching`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import qa_coaching
from app import qa_evaluations as store
from app.api.params import Id32
from app.api.qa_evaluations import unprocessable
from app.auth import require_role
from app.deps import SessionDep
from app.models import QaEvaluation, QaFormVersion, User
from app.pages import render

router = APIRouter(tags=["pages"], include_in_schema=False)

Reader = Annotated[User, Depends(require_role("supervisor", "qa"))]
Supervisor = Annotated[User, Depends(require_role("supervisor"))]
ContactQuery = Annotated[str, Query(pattern=r"^[A-Za-z0-9_.:\-]{1,40}$")]


def utc_now() -> datetime:
    return datetime.now(UTC)


@router.get("/qa/coaching")
def coaching_page(request: Request, session: SessionDep, user: Reader) -> Response:
    today = qa_coaching.center_day(utc_now())
    due, overdue = qa_coaching.due_follow_ups(session, today)
    return render(request, "qa_coaching.html", user, {
        "today": today, "due_today": due, "overdue": overdue,
        "all": qa_coaching.follow_ups(session, today)})


def _new_context(session: Session, contact_id: str, evaluation_id: int | None,
                 form_id: int | None) -> dict[str, Any]:
    interaction, login = store.contact(session, contact_id)
    evaluation = session.get(QaEvaluation, evaluation_id) if evaluation_id else None
    forms = store.list_forms(session)
    if evaluation is not None:
        version = session.get(QaFormVersion, evaluation.form_version_id)
        form_id = version.form_id if version else form_id
    chosen = next((f for f in forms if f.form.id == form_id), forms[0] if forms else None)
    answers = store.answers_of(session, evaluation.id or 0) if evaluation else {}
    return {"contact": interaction, "agent_login": login, "evaluation": evaluation,
            "forms": forms, "chosen": chosen, "answers": answers}


@router.get("/qa/coaching/new")
def coaching_new(request: Request, session: SessionDep, user: Supervisor,
                 contact_id: ContactQuery,
                 evaluation_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
                 form_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    context = _new_context(session, contact_id, evaluation_id, form_id)
    return render(request, "qa_coaching_new.html", user, {**context, "error": None})


@router.post("/qa/coaching")
async def coaching_post(request: Request, session: SessionDep, user: Supervisor) -> Response:
    data = await request.form()
    contact_id = str(data.get("contact_id", ""))[:40]
    raw_eval = str(data.get("evaluation_id", ""))
    evaluation_id = int(raw_eval) if raw_eval.isdigit() and len(raw_eval) < 18 else None
    raw_form = str(data.get("form_id", ""))
    form_id = int(raw_form) if raw_form.isdigit() and len(raw_form) < 10 else 0
    raw_months = str(data.get("months", "1"))
    months = int(raw_months) if raw_months.isdigit() and len(raw_months) < 3 else 0
    chosen = [str(v)[:40] for v in data.getlist("point")][: qa_coaching.MAX_POINTS + 1]
    points = [(q, str(data.get(f"note_{q}", ""))[:500]) for q in chosen]
    try:
        qa_coaching.open_session(session, user, contact_id, form_id, points,
                                 str(data.get("notes", ""))[:2000], utc_now(), months=months,
                                 evaluation_id=evaluation_id)
    except ValueError as exc:
        session.rollback()
        try:
            context = _new_context(session, contact_id, evaluation_id, form_id)
        except ValueError:
            raise unprocessable(exc, "form") from exc
        return render(request, "qa_coaching_new.html", user, {**context, "error": str(exc)},
                      status_code=422)
    return RedirectResponse("/qa/coaching?opened=1", status_code=303)


@router.post("/qa/follow-ups/{follow_up_id}/done")
async def follow_up_done(request: Request, session: SessionDep, user: Supervisor,
                         follow_up_id: Id32) -> Response:
    data = await request.form()
    qa_coaching.complete_follow_up(session, user, follow_up_id,
                                   str(data.get("note", ""))[:2000], utc_now())
    return RedirectResponse("/qa/coaching?done=1", status_code=303)
