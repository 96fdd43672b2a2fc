"""Scoring rules of qa.evaluations with hand-computed figures (form in qa_form_fixture)."""

from __future__ import annotations

import pytest

from qa.evaluation_forms import EvaluationForm, Question, Section
from qa.evaluations import score_evaluation
from tests.qa.qa_form_fixture import GOOD, small_form


def test_weights_scale_credit_and_na() -> None:
    s = score_evaluation(small_form(), GOOD)
    # a: 2*1 + 3*0.75 = 4.25 of 5; b: 5*1 + 2*0.5 = 6 of 7 (q5 N/A: out of both)
    a, b = s.sections
    assert (a.earned, a.possible, a.score) == (4.25, 5.0, 85.0)
    assert (b.earned, b.possible) == (6.0, 7.0)
    assert b.score == pytest.approx(600 / 7)
    assert s.total == pytest.approx(100 * 10.25 / 12)  # 85.4166...
    assert s.critical_score == 100.0  # q1 (2) and q3 (5) passed
    assert s.non_critical_score == pytest.approx(100 * 3.25 / 5)  # q2 2.25 of 3, q4 1 of 2
    assert not s.failed and s.critical_failed == ()


def test_na_neither_helps_nor_hurts() -> None:
    answered_yes = score_evaluation(small_form(), {**GOOD, "q5": "yes"})
    answered_no = score_evaluation(small_form(), {**GOOD, "q5": "no"})
    na = score_evaluation(small_form(), GOOD)
    assert answered_yes.total == pytest.approx(100 * 11.25 / 13)
    assert answered_no.total == pytest.approx(100 * 10.25 / 13)
    assert answered_no.total < na.total < answered_yes.total


def test_a_failed_critical_item_fails_its_section_only() -> None:
    s = score_evaluation(small_form(), {**GOOD, "q3": "no"})
    a, b = s.sections
    assert b.earned == 0.0 and b.possible == 7.0 and b.score == 0.0
    assert a.score == 85.0
    assert s.total == pytest.approx(100 * 4.25 / 12)  # 35.41...
    assert s.critical_score == pytest.approx(100 * 2 / 7)
    assert s.non_critical_score == pytest.approx(65.0)  # soft skills unchanged
    assert s.critical_failed == ("q3",) and not s.failed


def test_a_failed_fatal_item_fails_the_whole_form() -> None:
    s = score_evaluation(small_form(), {**GOOD, "q1": "no"})
    assert s.total == 0.0 and s.failed and s.fatal_failed == ("q1",)
    assert s.raw_total == pytest.approx(100 * 6 / 12)  # section a zeroed, b 6 of 7
    assert s.critical_score == pytest.approx(100 * 5 / 7)


def test_critical_scale_item_passes_from_its_pass_value() -> None:
    form = EvaluationForm("f", 1, "양식", (Section("s", "구간", (
        Question("acc", "정확성", kind="scale", weight=4, critical=True),
        Question("tone", "어조", weight=1),
    )),))
    assert form.question("acc").passing_value == 3  # type: ignore[union-attr]
    passed = score_evaluation(form, {"acc": "3", "tone": "yes"})
    assert passed.total == pytest.approx(100 * (4 * 0.5 + 1) / 5)
    failed = score_evaluation(form, {"acc": "2", "tone": "yes"})
    assert failed.total == 0.0 and failed.critical_failed == ("acc",)


def test_all_na_gives_no_score() -> None:
    form = EvaluationForm("f", 1, "양식", (Section("s", "구간", (
        Question("x", "질문", na_allowed=True),)),))
    s = score_evaluation(form, {"x": "na"})
    assert s.total is None and s.critical_score is None and s.non_critical_score is None


@pytest.mark.parametrize(("answers", "message"), [
    ({**GOOD, "q1": "na"}, "answers.q1: N/A is not allowed"),
    ({k: v for k, v in GOOD.items() if k != "q4"}, "answers.q4: not answered"),
    ({**GOOD, "q4": "6"}, "answers.q4: must be 1-5"),
    ({**GOOD, "q3": "maybe"}, "answers.q3: must be yes or no"),
    ({**GOOD, "zz": "yes"}, "answers.zz: no such question"),
])
def test_bad_answers_name_the_question(answers: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_evaluation(small_form(), answers)
