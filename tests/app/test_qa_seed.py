"""The demo's QA seed: the bank form in both languages, evaluations of demo contacts, and
coaching follow-ups that ``app.qa_coaching.due_follow_ups`` reports due today and overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from app import qa_coaching, qa_evaluations
from app.models import Interaction, QaEvaluation, QaFollowUp
from app.seed.qa_forms import BANK_FORM_KEY, seed_qa
from app.testing import create_user, make_app, make_settings

TODAY = date(2027, 3, 15)


def test_seed_qa_form_evaluations_and_due_follow_ups(sqlite_url: str) -> None:
    app = make_app(make_settings(sqlite_url))
    engine = app.state.engine
    create_user(engine, "qa01", "qa")
    create_user(engine, "supervisor01", "supervisor")
    agents = [create_user(engine, f"agent0{i}", "agent") for i in range(1, 4)]
    with Session(engine) as session:
        for day in range(1, 45):
            for n, agent in enumerate(agents):
                at = datetime.combine(TODAY - timedelta(days=day), time(1 + n), UTC)
                session.add(Interaction(contact_id=f"c{day}-{n}", queue="deposits",
                                        agent_id=agent.agent_id, arrived_at=at,
                                        answered_at=at + timedelta(seconds=9),
                                        ended_at=at + timedelta(seconds=200),
                                        outcome="answered", handle_seconds=230.0))
        session.commit()
    written = seed_qa(engine, TODAY, seed=1)
    assert written == 12  # four contacts of each of the three agents
    assert seed_qa(engine, TODAY, seed=1) == 0  # once only
    with Session(engine) as session:
        (summary,) = qa_evaluations.list_forms(session)
        form = summary.parsed
        assert summary.form.key == BANK_FORM_KEY
        assert form.label("ko") == "인바운드 상담 품질 평가표"
        assert form.label("en") == "Inbound call quality form"
        assert set(form.fatal_ids) == {"identity_verified", "mandatory_disclosure"}
        assert form.question("product_accuracy").critical  # type: ignore[union-attr]
        rows = session.exec(select(QaEvaluation)).all()
        assert len(rows) == 12 and {r.status for r in rows} == {"submitted", "disputed"}
        assert all(r.total is not None for r in rows)
        due, overdue = qa_coaching.due_follow_ups(session, TODAY)
        assert [v.due_on for v in due] == [TODAY]
        assert [v.due_on for v in overdue] == [TODAY - timedelta(days=3)]
        assert [p.point.question_id for p in due[0].points] == ["open_questions",
                                                                "product_accuracy"]
        assert due[0].points[0].progress.before_n + due[0].points[0].progress.after_n >= 1
        assert len(session.exec(select(QaFollowUp)).all()) == 2
