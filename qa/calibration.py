"""Calibration: several evaluators and an expert score the same contact on the same form.

The expert's scoring is the reference. Figures (scores by :func:`qa.evaluations.score_evaluation`,
in points out of 100):

* per evaluator: ``deviation = total - expert total`` (signed: positive is more lenient)
  and its absolute value; how many questions they answered differently from the expert;
  whether their fatal verdict (form failed on a fatal item, or not) agrees with the expert's;
* per question: over the evaluators, the mean absolute deviation of the question's credit
  from the expert's, ``mean |f_i - f_expert| * 100`` in points of that question (only where
  both answered it, i.e. neither said N/A; ``n`` says how many), and the share of
  evaluators who gave exactly the expert's answer (N/A included as an answer);
* spread of the evaluators' totals (the expert left out): ``max - min`` and the population
  standard deviation ``sqrt(mean((t_i - mean t)^2))``;
* ``mean_abs_deviation``: the mean of the evaluators' ``|deviation|``;
* ``fatal_agreement``: the share of evaluators whose fatal verdict equals the expert's.

A contact whose form total is None (every question N/A) has no deviation (None) and is left
out of the spread and the mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from qa.evaluation_forms import EvaluationForm
from qa.evaluations import EvaluationScore, score_evaluation

#: Most evaluators in one calibration session (a session is a meeting of people).
MAX_EVALUATORS = 50


@dataclass(frozen=True, slots=True)
class EvaluatorDeviation:
    evaluator: str
    total: float | None
    deviation: float | None
    questions_differing: int
    fatal_agrees: bool

    @property
    def abs_deviation(self) -> float | None:
        return None if self.deviation is None else abs(self.deviation)


@dataclass(frozen=True, slots=True)
class QuestionDeviation:
    question_id: str
    expert_value: str
    mean_abs_deviation: float | None
    n: int
    agreement: float | None


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    expert: EvaluationScore
    evaluators: tuple[EvaluatorDeviation, ...]
    questions: tuple[QuestionDeviation, ...]
    spread_range: float | None
    spread_std: float | None
    mean_abs_deviation: float | None
    fatal_agreement: float | None


def calibrate(
    form: EvaluationForm,
    expert_answers: Mapping[str, object],
    evaluator_answers: Mapping[str, Mapping[str, object]],
) -> CalibrationResult:
    """Compare each evaluator's scoring of one contact with the expert's (module docstring).

    Raises ``ValueError`` naming the evaluator and question when an answer is invalid.
    """
    if len(evaluator_answers) > MAX_EVALUATORS:
        raise ValueError(f"at most {MAX_EVALUATORS} evaluators, got {len(evaluator_answers)}")
    expert = score_evaluation(form, expert_answers)
    scores: dict[str, EvaluationScore] = {}
    for name, answers in sorted(evaluator_answers.items()):
        try:
            scores[name] = score_evaluation(form, answers)
        except ValueError as exc:
            raise ValueError(f"evaluator {name}: {exc}") from exc
    expert_by_q = {r.question_id: r for r in expert.questions}
    rows = []
    for name, score in scores.items():
        deviation = (None if score.total is None or expert.total is None
                     else score.total - expert.total)
        differing = sum(r.value != expert_by_q[r.question_id].value for r in score.questions)
        rows.append(EvaluatorDeviation(name, score.total, deviation, differing,
                                       score.failed == expert.failed))
    questions = []
    for question_id, ref in expert_by_q.items():
        theirs = [next(r for r in s.questions if r.question_id == question_id)
                  for s in scores.values()]
        gaps = [abs(r.fraction - ref.fraction) * 100.0 for r in theirs
                if r.fraction is not None and ref.fraction is not None]
        same = sum(r.value == ref.value for r in theirs)
        questions.append(QuestionDeviation(
            question_id, ref.value,
            float(np.mean(gaps)) if gaps else None, len(gaps),
            same / len(theirs) if theirs else None))
    totals = np.array([r.total for r in rows if r.total is not None], dtype=float)
    devs = [r.abs_deviation for r in rows if r.abs_deviation is not None]
    return CalibrationResult(
        expert=expert,
        evaluators=tuple(rows),
        questions=tuple(questions),
        spread_range=float(totals.max() - totals.min()) if totals.size else None,
        spread_std=float(totals.std()) if totals.size else None,
        mean_abs_deviation=float(np.mean(devs)) if devs else None,
        fatal_agreement=(sum(r.fatal_agrees for r in rows) / len(rows)) if rows else None,
    )
