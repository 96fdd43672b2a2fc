"""Forms: validation naming the field, the JSON round trip, versions."""

from __future__ import annotations

import pytest

from qa.evaluation_forms import form_from_dict, form_to_dict, next_version
from tests.qa.qa_form_fixture import small_form


def test_json_round_trip_keeps_the_form() -> None:
    form = small_form()
    again = form_from_dict(form_to_dict(form), key="small", version=1)
    assert again == form
    assert again.fatal_ids == ("q1",)
    assert again.label("en") == "Small form" and again.label("ko") == "작은 양식"


def test_editing_makes_the_next_version_and_leaves_the_old_one() -> None:
    v1 = small_form()
    raw = form_to_dict(v1)
    raw["sections"][1]["questions"][1]["weight"] = 4
    v2 = next_version(v1, form_from_dict(raw, key="small", version=1))
    assert v2.version == 2 and v1.version == 1
    assert v2.question("q4").weight == 4.0  # type: ignore[union-attr]
    assert v1.question("q4").weight == 2.0  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="key must stay 'small'"):
        next_version(v1, form_from_dict(raw, key="other", version=1))
    with pytest.raises(ValueError, match="nothing changed"):
        next_version(v1, form_from_dict(form_to_dict(v1), key="small", version=1))


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r["sections"][0]["questions"][0].update(weight=0), r"sections\[0\].questions\[0\]: question q1: weight must be > 0"),
    (lambda r: r["sections"][0]["questions"][1].update(kind="stars"), r"question q2: kind must be one of"),
    (lambda r: r["sections"][1]["questions"][0].update(id="q1"), "question id 'q1' appears twice"),
    (lambda r: r["sections"][0]["questions"][1].update(scale_max=1), "scale_max must be 2-10"),
    (lambda r: r["sections"][0]["questions"][0].update(fatal="yes"), r"sections\[0\].questions\[0\].fatal must be true or false"),
    (lambda r: r["sections"][0].update(questions=[]), "needs at least one question"),
    (lambda r: r.update(sections="x"), "sections must be a list"),
    (lambda r: r["sections"][0]["questions"][0].update(colour="red"), "unknown field 'colour'"),
])
def test_bad_definitions_name_the_field(change, message: str) -> None:  # type: ignore[no-untyped-def]
    raw = form_to_dict(small_form())
    change(raw)
    with pytest.raises(ValueError, match=message):
        form_from_dict(raw, key="small", version=1)
