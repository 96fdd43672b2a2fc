"""A small form whose scores the tests of qa/ compute by hand."""

from __future__ import annotations

from qa.evaluation_forms import EvaluationForm, Question, Section


def small_form() -> EvaluationForm:
    """Section ``a``: q1 yes/no weight 2 *fatal*; q2 scale 1-5 weight 3, N/A allowed.
    Section ``b``: q3 yes/no weight 5 *critical*; q4 scale 1-5 weight 2; q5 yes/no weight 1,
    N/A allowed."""
    return EvaluationForm(
        key="small", version=1, title="작은 양식", title_en="Small form",
        sections=(
            Section("a", "인사", (
                Question("q1", "본인 확인", weight=2, fatal=True),
                Question("q2", "공감", kind="scale", weight=3, na_allowed=True),
            )),
            Section("b", "상품", (
                Question("q3", "설명 정확성", weight=5, critical=True),
                Question("q4", "경청", kind="scale", weight=2),
                Question("q5", "교차 판매", weight=1, na_allowed=True),
            )),
        ),
    )


#: q2 = 4 of 5 (credit 0.75), q4 = 3 of 5 (0.5), q5 N/A.
GOOD = {"q1": "yes", "q2": "4", "q3": "yes", "q4": "3", "q5": "na"}
