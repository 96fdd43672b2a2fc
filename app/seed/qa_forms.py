"""The demo's QA: the bank's call evaluation form (Korean and English), a few evaluations of
real demo contacts, an acknowledgement and a dispute, and two coaching sessions whose
follow-ups are due today and overdue (so the center head's list is not empty).

Deterministic for a given ``seed`` and ``today``. Runs after the call history is written;
does nothing when the history holds no answered contact or a form exists already.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import qa_coaching, qa_evaluations
from app.models import Interaction, QaForm, User
from app.queries import CENTER_TZ
from qa.coaching import follow_up_due
from qa.evaluation_forms import EvaluationForm

BANK_FORM_KEY = "bank_inbound"


def _q(qid: str, ko: str, en: str, **kw: Any) -> dict[str, Any]:
    return {"id": qid, "title": ko, "title_en": en, **kw}


#: The bank's inbound call form: 100 points; identity and disclosures are fatal, product
#: accuracy critical (4 of 5 to pass).
BANK_FORM: dict[str, Any] = {
    "title": "인바운드 상담 품질 평가표",
    "title_en": "Inbound call quality form",
    "sections": [
        {"id": "greeting", "title": "인사 및 본인 확인", "title_en": "Greeting and identity check",
         "questions": [
             _q("greeting", "표준 인사말과 상담사 소개", "Standard greeting and introduction",
                weight=5),
             _q("identity_verified", "본인 확인 절차 완료 (실명·생년월일·인증)",
                "Identity verified (name, date of birth, authentication)", weight=10,
                fatal=True),
         ]},
        {"id": "needs", "title": "니즈 파악", "title_en": "Needs discovery",
         "questions": [
             _q("open_questions", "개방형 질문으로 고객 요구 파악",
                "Open questions to find the customer's need", kind="scale", weight=10),
             _q("active_listening", "경청 및 요약 확인", "Active listening and summarising",
                kind="scale", weight=5),
         ]},
        {"id": "product", "title": "상품 설명", "title_en": "Product explanation",
         "questions": [
             _q("product_accuracy", "상품 설명의 정확성 (금리·수수료·조건)",
                "Accuracy of the product explanation (rates, fees, terms)", kind="scale",
                weight=15, critical=True, pass_value=4),
             _q("clear_explanation", "이해하기 쉬운 설명", "Easy-to-follow explanation",
                kind="scale", weight=5),
         ]},
        {"id": "compliance", "title": "준법 고지", "title_en": "Compliance disclosures",
         "questions": [
             _q("mandatory_disclosure", "필수 고지 사항 안내 (투자 위험·중도 해지·청약 철회)",
                "Mandatory disclosures (investment risk, early termination, cooling-off)",
                weight=15, fatal=True, na_allowed=True),
             _q("recording_notice", "녹취 고지", "Call recording notice", weight=5,
                critical=True),
         ]},
        {"id": "cross_sell", "title": "교차 판매", "title_en": "Cross-sell attempt",
         "questions": [
             _q("cross_sell_attempt", "고객 상황에 맞는 추가 상품 제안",
                "Offer of a further product that fits the customer", weight=10,
                na_allowed=True),
         ]},
        {"id": "closing", "title": "마무리", "title_en": "Closing",
         "questions": [
             _q("summary_check", "상담 내용 요약 및 추가 문의 확인",
                "Summary and check for further questions", weight=5),
             _q("closing_greeting", "표준 끝인사", "Standard closing", weight=5),
         ]},
    ],
}


def _answers(form: EvaluationForm, rng: np.random.Generator, skill: float) -> dict[str, str]:
    """Plausible answers of an agent of ``skill`` (0..1): mostly good, sometimes not."""
    out: dict[str, str] = {}
    for _, q in form.questions():
        if q.na_allowed and rng.random() < 0.2:
            out[q.id] = "na"
        elif q.kind == "yes_no":
            p = 0.97 if q.fatal else 0.6 + 0.4 * skill
            out[q.id] = "yes" if rng.random() < p else "no"
        else:
            mean = 2.5 + 2.3 * skill
            out[q.id] = str(int(np.clip(round(rng.normal(mean, 0.8)), 1, q.scale_max)))
    return out


class Call(NamedTuple):
    """An answered call an evaluation or a coaching session is about."""

    contact_id: str
    arrived_at: datetime


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), CENTER_TZ)


def seed_qa(engine: Engine, today: date, seed: int = 0) -> int:
    """Seed the form and the demo's evaluations; returns how many evaluations were written."""
    rng = np.random.default_rng(seed + 11)
    with Session(engine) as session:
        if session.exec(select(QaForm)).first() is not None:
            return 0
        qa = session.exec(select(User).where(User.username == "qa01")).first()
        sup = session.exec(select(User).where(User.username == "supervisor01")).first()
        if qa is None or sup is None:
            return 0
        version = qa_evaluations.create_form(session, qa, BANK_FORM_KEY, BANK_FORM,
                                             _at(today - timedelta(days=60), 9))
        _, _, form = qa_evaluations.version_with_form(session, version.id or 0)
        since = _at(today - timedelta(days=45), 0)
        agent_ids = sorted({a for a in session.exec(
            select(Interaction.agent_id).where(col(Interaction.agent_id).is_not(None))
            .distinct().order_by(col(Interaction.agent_id)).limit(6)).all() if a is not None})
        # each agent's answered calls of the last 45 days, as (contact id, arrival) pairs: 30,000
        # ORM objects in the session made each evaluation's commit expire them all (~6 s)
        by_agent: dict[int, list[Call]] = {}
        for agent_id in agent_ids:
            by_agent[agent_id] = [Call(*row) for row in session.exec(select(
                Interaction.contact_id, Interaction.arrived_at).where(
                Interaction.agent_id == agent_id, col(Interaction.answered_at).is_not(None),
                Interaction.arrived_at >= since).order_by(col(Interaction.arrived_at))
                .limit(5_000)).all()]
        written = 0
        for n, agent_id in enumerate(agent_ids):
            contacts = by_agent[agent_id]
            if not contacts:
                continue
            picks = sorted(rng.choice(len(contacts), size=min(4, len(contacts)), replace=False))
            skill = 0.35 + 0.1 * n
            for i in picks:
                c = contacts[int(i)]
                at = min(c.arrived_at + timedelta(days=1), _at(today, 0))
                evaluation, _ = qa_evaluations.save_evaluation(
                    session, qa, c.contact_id, version.id or 0, _answers(form, rng, skill),
                    "", at)
                written += 1
                if n == 0 and written == 1:
                    agent_user = session.exec(select(User).where(
                        User.agent_id == agent_id)).first()
                    if agent_user is not None:
                        qa_evaluations.respond(session, agent_user, evaluation.id or 0,
                                               "dispute", "고객이 이미 본인 인증을 마친 상태였습니다.",
                                               at + timedelta(hours=2))
        _coaching(session, sup, by_agent, version.form_id, today)
        return written


def _coaching(session: Session, sup: User, by_agent: dict[int, list[Call]],
              form_id: int, today: date) -> None:
    """Two sessions opened a month ago (due today) and a month and three days ago (overdue)."""
    for n, (back, points) in enumerate((
            (0, [("open_questions", "고객 니즈를 먼저 질문하기"),
                 ("product_accuracy", "금리 조건을 정확히 안내하기")]),
            (3, [("cross_sell_attempt", "상황에 맞는 카드 상품 제안")]))):
        agents = sorted(by_agent)
        if len(agents) <= n:
            return
        opened_on = _month_before(today) - timedelta(days=back)
        contacts = [c for c in by_agent[agents[n]]
                    if c.arrived_at.date() < opened_on - timedelta(days=1)]
        if not contacts:
            continue
        qa_coaching.open_session(session, sup, contacts[-1].contact_id, form_id, points,
                                 "", _at(opened_on, 15))


def _month_before(day: date) -> date:
    """The day whose one-month follow-up falls on ``day`` (the same day a month back); on
    the 29th-31st, which no such day reaches, the previous month's last day (then the
    follow-up is overdue rather than due today)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    for d in range(day.day, 0, -1):
        try:
            candidate = date(year, month, d)
        except ValueError:
            continue
        if follow_up_due(candidate, 1) == day:
            return candidate
    return day.replace(day=1) - timedelta(days=1)
