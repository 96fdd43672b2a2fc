"""Database side of coaching: sessions with improvement points, their follow-ups, and each
point's before/after (the rules are in :mod:`qa.coaching`).

* :func:`open_session` — a supervisor coaches an agent on a contact; points name questions
  of a form; one follow-up falls due ``months`` calendar months later (center-local day).
* :func:`due_follow_ups` — ``(due_today, overdue)`` open follow-ups on ``today`` (what the
  center head and the wallboard show), each with its points' progress.
* :func:`complete_follow_up` — the center head records the re-check.

A point's progress compares the agent's credit on the point's question in *regular*
evaluations (calibration scores never count) of contacts before and after the coached
contact's time, over any version of the form that still asks the question (question ids are
stable across versions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.api.errors import Conflict, NotFound
from app.models import (
    Agent,
    QaAnswer,
    QaCoachingPoint,
    QaCoachingSession,
    QaEvaluation,
    QaFollowUp,
    QaForm,
    QaFormVersion,
    User,
)
from app.qa_evaluations import contact, form_of, latest_version
from app.queries import CENTER_TZ, as_utc
from qa.coaching import (
    FollowUpStatus,
    PointProgress,
    QuestionScore,
    follow_up_due,
    follow_up_status,
    point_progress,
    split_due,
)

#: Most points in one session, and most follow-ups a list shows.
MAX_POINTS = 20
MAX_LISTED = 500


@dataclass(frozen=True)
class PointView:
    point: QaCoachingPoint
    question_title: str
    question_title_en: str
    progress: PointProgress

    def label(self, locale: str) -> str:
        return self.question_title_en if locale == "en" and self.question_title_en \
            else self.question_title


@dataclass(frozen=True)
class FollowUpView:
    """A follow-up with its session, agent and points (``due_on`` and ``done`` make it a
    :class:`qa.coaching.FollowUpLike`)."""

    follow_up: QaFollowUp
    session: QaCoachingSession
    agent_login: str
    status: FollowUpStatus
    points: list[PointView] = field(default_factory=list)

    @property
    def due_on(self) -> date:
        return self.follow_up.due_on

    @property
    def done(self) -> bool:
        return self.follow_up.done_at is not None


def center_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(CENTER_TZ).date()


def open_session(
    session: Session, actor: User, contact_id: str, form_id: int,
    points: Sequence[tuple[str, str]], notes: str, now: datetime, *,
    months: int = 1, evaluation_id: int | None = None,
) -> QaCoachingSession:
    """Open a coaching session on ``contact_id`` with ``points`` (question id, note).

    ``ValueError`` naming the field: no point, a question the form's latest version does not
    ask, a contact without an agent, ``months`` out of 1-12.
    """
    interaction, _ = contact(session, contact_id)
    if interaction.agent_id is None:
        raise ValueError("contact_id: this contact was not handled by an agent")
    form = session.get(QaForm, form_id)
    if form is None:
        raise NotFound(f"form {form_id} not found")
    parsed = form_of(form, latest_version(session, form_id))
    if not points:
        raise ValueError("points: give at least one improvement point")
    if len(points) > MAX_POINTS:
        raise ValueError(f"points: at most {MAX_POINTS}")
    for i, (question_id, _) in enumerate(points):
        if parsed.question(question_id) is None:
            raise ValueError(f"points.{i}.question_id: the form has no question {question_id!r}")
    due_on = follow_up_due(center_day(now), months)
    if evaluation_id is not None:
        evaluation = session.get(QaEvaluation, evaluation_id)
        if evaluation is None or evaluation.contact_id != contact_id:
            raise ValueError("evaluation_id: not an evaluation of this contact")
    row = QaCoachingSession(agent_id=interaction.agent_id, contact_id=contact_id,
                            contact_at=as_utc(interaction.arrived_at),
                            evaluation_id=evaluation_id, form_id=form_id, opened_at=now,
                            opened_by=actor.username, notes=notes)
    session.add(row)
    session.flush()
    assert row.id is not None
    for question_id, note in points:
        session.add(QaCoachingPoint(session_id=row.id, question_id=question_id, note=note))
    session.add(QaFollowUp(session_id=row.id, due_on=due_on))
    session.commit()
    session.refresh(row)
    return row


def question_scores(session: Session, agent_id: int, form_id: int,
                    question_id: str) -> list[QuestionScore]:
    """The agent's credit on ``question_id`` in regular evaluations on any version of the form."""
    rows = session.exec(
        select(QaEvaluation.contact_at, QaAnswer.fraction)
        .join(QaAnswer, col(QaAnswer.evaluation_id) == QaEvaluation.id)
        .join(QaFormVersion, col(QaFormVersion.id) == QaEvaluation.form_version_id)
        .where(QaEvaluation.agent_id == agent_id, QaEvaluation.kind == "regular",
               QaFormVersion.form_id == form_id, QaAnswer.question_id == question_id)).all()
    return [QuestionScore(as_utc(at), fraction) for at, fraction in rows]


def _views(session: Session, rows: Sequence[tuple[QaFollowUp, QaCoachingSession, str]],
           today: date) -> list[FollowUpView]:
    out = []
    for follow_up, coaching, login in rows:
        form = session.get(QaForm, coaching.form_id)
        parsed = form_of(form, latest_version(session, coaching.form_id)) if form else None
        points = session.exec(select(QaCoachingPoint).where(
            QaCoachingPoint.session_id == coaching.id).order_by(col(QaCoachingPoint.id))).all()
        views = []
        for p in points:
            q = parsed.question(p.question_id) if parsed else None
            progress = point_progress(p.question_id, as_utc(coaching.contact_at),
                                      question_scores(session, coaching.agent_id,
                                                      coaching.form_id, p.question_id))
            views.append(PointView(p, q.title if q else p.question_id,
                                   q.title_en if q else "", progress))
        status = follow_up_status(follow_up.due_on, follow_up.done_at is not None, today)
        out.append(FollowUpView(follow_up, coaching, login, status, views))
    return out


def _joined(session: Session, *, open_only: bool, agent_id: int | None = None
            ) -> list[tuple[QaFollowUp, QaCoachingSession, str]]:
    query = (select(QaFollowUp, QaCoachingSession, Agent.login)
             .join(QaCoachingSession, col(QaCoachingSession.id) == QaFollowUp.session_id)
             .join(Agent, col(Agent.id) == QaCoachingSession.agent_id))
    if open_only:
        query = query.where(col(QaFollowUp.done_at).is_(None))
    if agent_id is not None:
        query = query.where(QaCoachingSession.agent_id == agent_id)
    rows = session.exec(query.order_by(col(QaFollowUp.due_on), col(QaFollowUp.id))
                        .limit(MAX_LISTED)).all()
    return [(f, s, login) for f, s, login in rows]


def due_follow_ups(session: Session, today: date) -> tuple[list[FollowUpView], list[FollowUpView]]:
    """``(due_today, overdue)``: open follow-ups due on ``today`` (center-local) and those
    past due, oldest first, each with its points' before/after."""
    rows = [r for r in _joined(session, open_only=True) if r[0].due_on <= today]
    return split_due(_views(session, rows, today), today)


def follow_ups(session: Session, today: date, *, include_done: bool = True,
               agent_id: int | None = None) -> list[FollowUpView]:
    """Every follow-up (open ones, and done ones when asked), by due day."""
    return _views(session, _joined(session, open_only=not include_done, agent_id=agent_id),
                  today)


def complete_follow_up(session: Session, actor: User, follow_up_id: int, note: str,
                       now: datetime) -> QaFollowUp:
    row = session.get(QaFollowUp, follow_up_id)
    if row is None:
        raise NotFound(f"follow-up {follow_up_id} not found")
    if row.done_at is not None:
        raise Conflict(f"follow-up {follow_up_id} was already done by {row.done_by}")
    row.done_at, row.done_by, row.note = now, actor.username, note
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
