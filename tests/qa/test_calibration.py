"""Calibration figures, computed by hand on the small form (tests/qa/qa_form_fixture.py)."""

from __future__ import annotations

import math

import pytest

from qa.calibration import calibrate
from tests.qa.qa_form_fixture import GOOD, small_form

EXPERT_TOTAL = 100 * 10.25 / 12  # 85.4166...
LEE_TOTAL = 100 * 8.75 / 12  # q2 = 2 (credit 0.25): section a 2 + 0.75


def test_deviation_spread_and_fatal_agreement() -> None:
    result = calibrate(small_form(), GOOD, {
        "kim": GOOD,
        "lee": {**GOOD, "q2": "2"},
        "park": {**GOOD, "q1": "no"},  # fails the form on the fatal item: total 0
    })
    assert result.expert.total == pytest.approx(EXPERT_TOTAL)
    rows = {r.evaluator: r for r in result.evaluators}
    assert rows["kim"].deviation == 0.0 and rows["kim"].questions_differing == 0
    assert rows["lee"].deviation == pytest.approx(-12.5)
    assert rows["park"].deviation == pytest.approx(-EXPERT_TOTAL)
    assert rows["park"].abs_deviation == pytest.approx(EXPERT_TOTAL)
    assert [rows[n].fatal_agrees for n in ("kim", "lee", "park")] == [True, True, False]
    assert result.fatal_agreement == pytest.approx(2 / 3)
    assert result.spread_range == pytest.approx(EXPERT_TOTAL)
    totals = [EXPERT_TOTAL, LEE_TOTAL, 0.0]
    mean = sum(totals) / 3
    assert result.spread_std == pytest.approx(math.sqrt(sum((t - mean) ** 2 for t in totals) / 3))
    assert result.mean_abs_deviation == pytest.approx((0 + 12.5 + EXPERT_TOTAL) / 3)
    questions = {q.question_id: q for q in result.questions}
    assert questions["q2"].mean_abs_deviation == pytest.approx(50 / 3)  # gaps 0, 50, 0 points
    assert questions["q2"].agreement == pytest.approx(2 / 3) and questions["q2"].n == 3
    assert questions["q1"].mean_abs_deviation == pytest.approx(100 / 3)
    assert questions["q5"].mean_abs_deviation is None and questions["q5"].n == 0
    assert questions["q5"].agreement == 1.0  # all said N/A, as the expert did


def test_a_bad_answer_names_the_evaluator() -> None:
    with pytest.raises(ValueError, match="evaluator lee: answers.q4: not answered"):
        calibrate(small_form(), GOOD, {"lee": {k: v for k, v in GOOD.items() if k != "q4"}})
