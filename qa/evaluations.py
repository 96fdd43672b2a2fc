"""Scoring an evaluation: a form (:mod:`qa.evaluation_forms`) and one answer per question.

Answers are strings: ``"yes"`` / ``"no"`` for yes/no questions, ``"1"`` .. ``"scale_max"``
for scale questions, ``"na"`` (not applicable) where the question allows it. Every question
of the form must be answered; :func:`check_answers` names the first one at fault.

The rules, in order (``w`` is a question's weight):

1. **Credit.** A question's fraction ``f`` is 1 for ``yes``, 0 for ``no``, and
   ``(k - 1) / (scale_max - 1)`` for a scale answer ``k`` (1 → 0, ``scale_max`` → 1,
   linear between). It earns ``w * f`` points out of ``w``.
2. **N/A leaves numerator and denominator.** A question answered ``na`` earns nothing and
   its weight is not counted as possible either: it neither helps nor hurts.
3. **Pass.** A yes/no question passes on ``yes``; a scale question on ``k >= pass value``
   (:attr:`Question.passing_value`). Only critical and fatal items use it.
4. **Critical items fail their section.** If a critical (or fatal) item of a section is
   answered and does not pass, the section earns 0 points; its possible points still count.
5. **Section score** ``= 100 * earned / possible`` over its applicable questions (None when
   every question is N/A).
6. **Form score** ``= 100 * sum(earned) / sum(possible)`` over all sections, after rule 4
   (sections weigh by their questions' weights, so a section with more points weighs more).
7. **Fatal items fail the whole form.** If any fatal item is answered and does not pass,
   the form score is 0 (``raw_total`` keeps the score before this rule).
8. **Critical sub-score** ``= 100 * sum(w, passed) / sum(w)`` over the applicable critical
   and fatal items (pass/fail, weighted); **non-critical sub-score**
   ``= 100 * sum(w * f) / sum(w)`` over the applicable other items, before rules 4 and 7
   (it measures the soft skills themselves). Each is None when it covers no question.

Scores are in points out of 100, unrounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qa.evaluation_forms import EvaluationForm, Question

NA = "na"


def fraction_of(question: Question, value: str) -> float | None:
    """Rule 1: the share of the question's points an answer earns; None for N/A."""
    if value == NA:
        return None
    if question.kind == "yes_no":
        return 1.0 if value == "yes" else 0.0
    k = int(value)
    return (k - 1) / (question.scale_max - 1)


def passes(question: Question, value: str) -> bool | None:
    """Rule 3: whether the answer passes; None for N/A."""
    if value == NA:
        return None
    if question.kind == "yes_no":
        return value == "yes"
    return int(value) >= question.passing_value


def check_answer(question: Question, value: object) -> str:
    """``value`` if it is a valid answer to ``question``, else ``ValueError`` naming it."""
    if value == NA:
        if not question.na_allowed:
            raise ValueError(f"answers.{question.id}: N/A is not allowed on this question")
        return NA
    if question.kind == "yes_no":
        if value not in ("yes", "no"):
            raise ValueError(f"answers.{question.id}: must be yes or no, got {value!r}")
        return str(value)
    allowed = {str(k) for k in range(1, question.scale_max + 1)}
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"answers.{question.id}: must be 1-{question.scale_max}, got {value!r}")
    return value


def check_answers(form: EvaluationForm, answers: Mapping[str, object]) -> dict[str, str]:
    """Every question answered validly and nothing else; returns the answers as strings."""
    known = {q.id for _, q in form.questions()}
    extra = sorted(set(answers) - known)
    if extra:
        raise ValueError(f"answers.{extra[0]}: no such question on this form")
    out: dict[str, str] = {}
    for _, question in form.questions():
        if question.id not in answers:
            raise ValueError(f"answers.{question.id}: not answered")
        out[question.id] = check_answer(question, answers[question.id])
    return out


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    section_id: str
    value: str
    weight: float
    fraction: float | None
    passed: bool | None
    critical: bool
    fatal: bool


@dataclass(frozen=True, slots=True)
class SectionScore:
    section_id: str
    earned: float
    possible: float
    failed_critical: tuple[str, ...]

    @property
    def score(self) -> float | None:
        return None if self.possible <= 0 else 100.0 * self.earned / self.possible


@dataclass(frozen=True, slots=True)
class EvaluationScore:
    """The result of :func:`score_evaluation` (see the module docstring for each figure)."""

    total: float | None
    raw_total: float | None
    sections: tuple[SectionScore, ...]
    critical_score: float | None
    non_critical_score: float | None
    fatal_failed: tuple[str, ...]
    critical_failed: tuple[str, ...]
    questions: tuple[QuestionResult, ...]

    @property
    def failed(self) -> bool:
        """The form failed on a fatal item."""
        return bool(self.fatal_failed)

    def fraction(self, question_id: str) -> float | None:
        return next((q.fraction for q in self.questions if q.question_id == question_id), None)


def _percent(num: float, den: float) -> float | None:
    return None if den <= 0 else 100.0 * num / den


def score_evaluation(form: EvaluationForm, answers: Mapping[str, object]) -> EvaluationScore:
    """Score ``answers`` on ``form`` by rules 1-8 of the module docstring.

    Raises ``ValueError`` naming the question when an answer is missing or invalid.
    """
    checked = check_answers(form, answers)
    results: list[QuestionResult] = []
    sections: list[SectionScore] = []
    for section in form.sections:
        earned = possible = 0.0
        failed: list[str] = []
        for q in section.questions:
            value = checked[q.id]
            f, ok = fraction_of(q, value), passes(q, value)
            results.append(QuestionResult(q.id, section.id, value, q.weight, f, ok,
                                          q.critical, q.fatal))
            if f is None:
                continue  # rule 2
            earned += q.weight * f
            possible += q.weight
            if (q.critical or q.fatal) and ok is False:
                failed.append(q.id)
        sections.append(SectionScore(section.id, 0.0 if failed else earned, possible,
                                     tuple(failed)))
    raw_total = _percent(sum(s.earned for s in sections), sum(s.possible for s in sections))
    applicable = [r for r in results if r.fraction is not None]
    fatal_failed = tuple(r.question_id for r in applicable if r.fatal and r.passed is False)
    critical_failed = tuple(
        r.question_id for r in applicable if r.critical and not r.fatal and r.passed is False)
    hard = [r for r in applicable if r.critical or r.fatal]
    soft = [r for r in applicable if not (r.critical or r.fatal)]
    return EvaluationScore(
        total=(0.0 if fatal_failed and raw_total is not None else raw_total),
        raw_total=raw_total,
        sections=tuple(sections),
        critical_score=_percent(sum(r.weight for r in hard if r.passed),
                                sum(r.weight for r in hard)),
        non_critical_score=_percent(sum(r.weight * (r.fraction or 0.0) for r in soft),
                                    sum(r.weight for r in soft)),
        fatal_failed=fatal_failed,
        critical_failed=critical_failed,
        questions=tuple(results),
    )
