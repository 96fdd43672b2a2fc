"""Database side of QA evaluations: forms and their versions, contacts to score (from the
interaction log), evaluations with their answers, the agent's acknowledgement or dispute,
and calibration sessions. Every rule (scoring, sampling, calibration) is in :mod:`qa`;
this module selects rows, calls it and stores what it returns.

Form versions: :func:`create_form` stores version 1; :func:`edit_form` stores the next
version (:func:`qa.evaluation_forms.next_version`); an evaluation points at the version row
it was scored on, so editing a form never changes a score given before.

Errors: a bad definition or answer is ``ValueError`` naming the field (the API answers
422), an unknown row :class:`app.api.errors.NotFound`, someone else's evaluation
:class:`app.api.errors.Forbidden`, a repeated answer :class:`app.api.errors.Conflict`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from sqlmodel import Session, col, func, select

from app.api.errors import Conflict, Forbidden, NotFound
from app.models import (
    Agent,
    EventRecord,
    Interaction,
    QaAcknowledgement,
    QaAnswer,
    QaCalibration,
    QaEvaluation,
    QaForm,
    QaFormVersion,
    Role,
    User,
)
from app.queries import as_utc
from qa.calibration import CalibrationResult, calibrate
from qa.evaluation_forms import EvaluationForm, form_from_dict, form_to_dict, next_version
from qa.evaluation_sampling import Candidate, RuleName, random_sample_per_agent, sample_by_rule
from qa.evaluations import EvaluationScore, score_evaluation

#: Most contacts a list or a sample shows (a person reads them).
MAX_CONTACTS = 500
#: The event types that flag a contact for the sampling rules (the row does not carry them).
TRANSFER_EVENT = "contact_transferred"
COMPLAINT_EVENT = "complaint_recorded"
Response = Literal["acknowledge", "dispute"]


# --- forms ------------------------------------------------------------------------------


def form_of(form: QaForm, version: QaFormVersion) -> EvaluationForm:
    return form_from_dict(version.definition, key=form.key, version=version.version)


def create_form(session: Session, actor: User, key: str, definition: Mapping[str, Any],
                now: datetime) -> QaFormVersion:
    """Store a new form as version 1 (``ValueError`` naming the field; 409 if the key exists)."""
    parsed = form_from_dict(definition, key=key, version=1)
    if session.exec(select(QaForm).where(QaForm.key == key)).first() is not None:
        raise Conflict(f"a form with key {key!r} exists; edit it to make a new version")
    form = QaForm(key=key, created_at=now, created_by=actor.username)
    session.add(form)
    session.flush()
    assert form.id is not None
    row = QaFormVersion(form_id=form.id, version=1, title=parsed.title,
                        definition=form_to_dict(parsed), created_at=now,
                        created_by=actor.username)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def latest_version(session: Session, form_id: int) -> QaFormVersion:
    row = session.exec(select(QaFormVersion).where(QaFormVersion.form_id == form_id)
                       .order_by(col(QaFormVersion.version).desc())).first()
    if row is None:
        raise NotFound(f"form {form_id} not found")
    return row


def edit_form(session: Session, actor: User, form_id: int, definition: Mapping[str, Any],
              now: datetime) -> QaFormVersion:
    """Store the edited form as the next version; earlier versions stay as they were."""
    form = session.get(QaForm, form_id)
    if form is None:
        raise NotFound(f"form {form_id} not found")
    current = latest_version(session, form_id)
    edited = next_version(form_of(form, current),
                          form_from_dict(definition, key=form.key, version=current.version))
    row = QaFormVersion(form_id=form_id, version=edited.version, title=edited.title,
                        definition=form_to_dict(edited), created_at=now,
                        created_by=actor.username)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def versions_of(session: Session, form_id: int) -> list[QaFormVersion]:
    """Every version of a form, oldest first."""
    return list(session.exec(select(QaFormVersion).where(QaFormVersion.form_id == form_id)
                             .order_by(col(QaFormVersion.version))).all())


@dataclass(frozen=True)
class FormSummary:
    form: QaForm
    latest: QaFormVersion
    parsed: EvaluationForm
    versions: int


def list_forms(session: Session) -> list[FormSummary]:
    out = []
    for form in session.exec(select(QaForm).order_by(col(QaForm.key))).all():
        assert form.id is not None
        versions = session.exec(select(QaFormVersion).where(QaFormVersion.form_id == form.id)
                                .order_by(col(QaFormVersion.version))).all()
        if versions:
            out.append(FormSummary(form, versions[-1], form_of(form, versions[-1]),
                                   len(versions)))
    return out


def version_with_form(session: Session, version_id: int) -> tuple[QaForm, QaFormVersion,
                                                                   EvaluationForm]:
    row = session.get(QaFormVersion, version_id)
    form = None if row is None else session.get(QaForm, row.form_id)
    if row is None or form is None:
        raise NotFound(f"form version {version_id} not found")
    return form, row, form_of(form, row)


# --- contacts to score --------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    interaction: Interaction
    agent_login: str
    transferred: bool
    complaint: bool
    evaluations: int


def _flags(session: Session, contact_ids: Sequence[str]) -> dict[str, set[str]]:
    if not contact_ids:
        return {}
    rows = session.exec(select(EventRecord.contact_id, EventRecord.type).where(
        col(EventRecord.contact_id).in_(contact_ids),
        col(EventRecord.type).in_((TRANSFER_EVENT, COMPLAINT_EVENT)))).all()
    out: dict[str, set[str]] = {}
    for contact_id, kind in rows:
        out.setdefault(str(contact_id), set()).add(kind)
    return out


def recent_contacts(session: Session, since: datetime, *, agent_id: int | None = None,
                    limit: int = 100) -> list[ContactRow]:
    """Answered and ended contacts (with an agent) that arrived since ``since``, newest
    first (a call still in progress cannot be scored yet)."""
    query = (select(Interaction, Agent.login).join(Agent, col(Agent.id) == Interaction.agent_id)
             .where(Interaction.arrived_at >= as_utc(since),
                    col(Interaction.answered_at).is_not(None),
                    col(Interaction.ended_at).is_not(None)))
    if agent_id is not None:
        query = query.where(Interaction.agent_id == agent_id)
    rows = session.exec(query.order_by(col(Interaction.arrived_at).desc())
                        .limit(min(limit, MAX_CONTACTS))).all()
    ids = [r.contact_id for r, _ in rows]
    flags = _flags(session, ids)
    counts = dict(session.exec(
        select(QaEvaluation.contact_id, func.count()).where(
            col(QaEvaluation.contact_id).in_(ids), QaEvaluation.kind == "regular")
        .group_by(col(QaEvaluation.contact_id))).all()) if ids else {}
    return [ContactRow(r, login, TRANSFER_EVENT in flags.get(r.contact_id, set()),
                       COMPLAINT_EVENT in flags.get(r.contact_id, set()),
                       int(counts.get(r.contact_id, 0)))
            for r, login in rows]


def sample_contacts(session: Session, since: datetime, *, per_agent: int | None = None,
                    seed: int = 0, rule: RuleName | None = None,
                    min_handle_seconds: float = 600.0) -> list[ContactRow]:
    """The contacts since ``since`` picked at random per agent (seeded) or by a rule
    (:mod:`qa.evaluation_sampling`), out of the latest :data:`MAX_CONTACTS`."""
    rows = recent_contacts(session, since, limit=MAX_CONTACTS)
    by_id = {r.interaction.contact_id: r for r in rows}
    candidates = [Candidate(r.interaction.contact_id, r.interaction.agent_id or 0,
                            as_utc(r.interaction.arrived_at).timestamp(),
                            r.interaction.handle_seconds, r.transferred, r.complaint)
                  for r in rows]
    if rule is not None:
        picked = sample_by_rule(candidates, rule, min_handle_seconds=min_handle_seconds)
    else:
        picked = random_sample_per_agent(candidates, per_agent or 1, np.random.default_rng(seed))
    return [by_id[c.contact_id] for c in picked]


def contact(session: Session, contact_id: str) -> tuple[Interaction, str]:
    row = session.exec(select(Interaction, Agent.login)
                       .join(Agent, col(Agent.id) == Interaction.agent_id, isouter=True)
                       .where(Interaction.contact_id == contact_id)).first()
    if row is None:
        raise NotFound(f"contact {contact_id} not found")
    return row[0], row[1] or ""


def contact_events(session: Session, contact_id: str, limit: int = 200) -> list[EventRecord]:
    """The contact's events in the log (its record's source), oldest first."""
    return list(session.exec(select(EventRecord).where(EventRecord.contact_id == contact_id)
                             .order_by(col(EventRecord.seq)).limit(limit)).all())


# --- evaluations ----------------------------------------------------------------------------


def save_evaluation(
    session: Session, actor: User, contact_id: str, version_id: int,
    answers: Mapping[str, object], comment: str, now: datetime, *,
    calibration_id: int | None = None,
) -> tuple[QaEvaluation, EvaluationScore]:
    """Score ``answers`` on the version and store the evaluation with its answers."""
    _, _, parsed = version_with_form(session, version_id)
    interaction, _ = contact(session, contact_id)
    if calibration_id is None and interaction.agent_id is None:
        raise ValueError("contact_id: this contact was not handled by an agent")
    score = score_evaluation(parsed, answers)
    evaluation = QaEvaluation(
        form_version_id=version_id, contact_id=contact_id, agent_id=interaction.agent_id,
        contact_at=as_utc(interaction.arrived_at), evaluator=actor.username, evaluated_at=now,
        kind="regular" if calibration_id is None else "calibration",
        calibration_id=calibration_id, total=score.total, raw_total=score.raw_total,
        critical_score=score.critical_score, non_critical_score=score.non_critical_score,
        fatal_failed=score.failed, comment=comment)
    session.add(evaluation)
    session.flush()
    assert evaluation.id is not None
    for r in score.questions:
        session.add(QaAnswer(evaluation_id=evaluation.id, question_id=r.question_id,
                             value=r.value, fraction=r.fraction))
    session.commit()
    session.refresh(evaluation)
    return evaluation, score


def may_read(user: User, evaluation: QaEvaluation) -> bool:
    """Agents read the evaluations of their own contacts (not calibration scores); QA,
    supervisors and admins read all."""
    if user.role == Role.agent:
        return (evaluation.kind == "regular" and user.agent_id is not None
                and evaluation.agent_id == user.agent_id)
    return user.role in (Role.qa, Role.supervisor, Role.admin)


def get_evaluation(session: Session, user: User, evaluation_id: int) -> QaEvaluation:
    row = session.get(QaEvaluation, evaluation_id)
    if row is None or not may_read(user, row):
        # another agent's evaluation is "not found" for an agent: its existence is not theirs
        raise NotFound(f"evaluation {evaluation_id} not found")
    return row


def answers_of(session: Session, evaluation_id: int) -> dict[str, QaAnswer]:
    rows = session.exec(select(QaAnswer).where(QaAnswer.evaluation_id == evaluation_id)).all()
    return {a.question_id: a for a in rows}


def list_evaluations(session: Session, user: User, *, agent_id: int | None = None,
                     since: datetime | None = None, limit: int = 200) -> list[QaEvaluation]:
    """Regular evaluations, newest first; an agent gets only their own."""
    query = select(QaEvaluation).where(QaEvaluation.kind == "regular")
    if user.role == Role.agent:
        if user.agent_id is None:
            return []
        agent_id = user.agent_id
    if agent_id is not None:
        query = query.where(QaEvaluation.agent_id == agent_id)
    if since is not None:
        query = query.where(QaEvaluation.evaluated_at >= as_utc(since))
    return list(session.exec(query.order_by(col(QaEvaluation.evaluated_at).desc(),
                                            col(QaEvaluation.id).desc())
                             .limit(min(limit, MAX_CONTACTS))).all())


def respond(session: Session, user: User, evaluation_id: int, kind: Response, comment: str,
            now: datetime) -> QaEvaluation:
    """The agent acknowledges or disputes an evaluation of their own contact (once)."""
    evaluation = get_evaluation(session, user, evaluation_id)
    if user.role != Role.agent or evaluation.agent_id != user.agent_id:
        raise Forbidden("only the evaluated agent acknowledges or disputes an evaluation")
    if evaluation.status != "submitted":
        raise Conflict(f"this evaluation is already {evaluation.status}")
    if kind == "dispute" and not comment.strip():
        raise ValueError("comment: say what you dispute")
    evaluation.status = "acknowledged" if kind == "acknowledge" else "disputed"
    session.add(evaluation)
    session.add(QaAcknowledgement(evaluation_id=evaluation_id, kind=kind, comment=comment,
                                  at=now, by=user.username))
    session.commit()
    session.refresh(evaluation)
    return evaluation


def answer_dispute(session: Session, user: User, evaluation_id: int, comment: str,
                   now: datetime) -> QaEvaluation:
    """QA's answer to a disputed evaluation (the score stands; a rescoring is a new
    evaluation): status ``reviewed``, the reply kept with the agent's dispute."""
    evaluation = get_evaluation(session, user, evaluation_id)
    if user.role not in (Role.qa, Role.admin):
        raise Forbidden("only QA answers a dispute")
    if evaluation.status != "disputed":
        raise Conflict(f"this evaluation is {evaluation.status}, not disputed")
    if not comment.strip():
        raise ValueError("comment: give the answer to the dispute")
    evaluation.status = "reviewed"
    session.add(evaluation)
    session.add(QaAcknowledgement(evaluation_id=evaluation_id, kind="reply", comment=comment,
                                  at=now, by=user.username))
    session.commit()
    session.refresh(evaluation)
    return evaluation


def responses_of(session: Session, evaluation_id: int) -> list[QaAcknowledgement]:
    return list(session.exec(select(QaAcknowledgement)
                             .where(QaAcknowledgement.evaluation_id == evaluation_id)
                             .order_by(col(QaAcknowledgement.at))).all())


# --- calibration ---------------------------------------------------------------------------


def create_calibration(session: Session, actor: User, contact_id: str, version_id: int,
                       expert: str, now: datetime) -> QaCalibration:
    version_with_form(session, version_id)
    contact(session, contact_id)
    if session.exec(select(User).where(User.username == expert)).first() is None:
        raise ValueError(f"expert: no user {expert!r}")
    row = QaCalibration(form_version_id=version_id, contact_id=contact_id, expert=expert,
                        created_at=now, created_by=actor.username)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def calibration_score(session: Session, actor: User, calibration_id: int,
                      answers: Mapping[str, object], now: datetime) -> QaEvaluation:
    """The actor's scoring in the session (one each; the expert's is the reference)."""
    cal = session.get(QaCalibration, calibration_id)
    if cal is None:
        raise NotFound(f"calibration {calibration_id} not found")
    taken = session.exec(select(QaEvaluation).where(
        QaEvaluation.calibration_id == calibration_id,
        QaEvaluation.evaluator == actor.username)).first()
    if taken is not None:
        raise Conflict(f"{actor.username} has already scored calibration {calibration_id}")
    evaluation, _ = save_evaluation(session, actor, cal.contact_id, cal.form_version_id,
                                    answers, "", now, calibration_id=calibration_id)
    return evaluation


@dataclass(frozen=True)
class CalibrationView:
    calibration: QaCalibration
    form: EvaluationForm
    scored_by: list[str]
    result: CalibrationResult | None  # None until the expert and one evaluator have scored


def calibration_view(session: Session, calibration_id: int) -> CalibrationView:
    cal = session.get(QaCalibration, calibration_id)
    if cal is None:
        raise NotFound(f"calibration {calibration_id} not found")
    _, _, parsed = version_with_form(session, cal.form_version_id)
    scores = session.exec(select(QaEvaluation).where(
        QaEvaluation.calibration_id == calibration_id).order_by(col(QaEvaluation.id))).all()
    answers = {e.evaluator: {q: a.value for q, a in answers_of(session, e.id or 0).items()}
               for e in scores}
    expert = answers.pop(cal.expert, None)
    result = calibrate(parsed, expert, answers) if expert is not None and answers else None
    return CalibrationView(cal, parsed, [e.evaluator for e in scores], result)


def list_calibrations(session: Session, limit: int = 50) -> list[QaCalibration]:
    return list(session.exec(select(QaCalibration).order_by(col(QaCalibration.id).desc())
                             .limit(limit)).all())
