"""Evaluation forms: sections of weighted questions, critical and fatal items, versions.

A QA analyst scores a recorded contact on a form (:mod:`qa.evaluations` holds the scoring
rules). A form is a tree of plain frozen dataclasses:

* :class:`EvaluationForm` — a ``key`` (stable across versions), a ``version`` (1, 2, ...),
  titles and :class:`Section` s;
* :class:`Section` — an ``id`` and :class:`Question` s;
* :class:`Question` — an ``id`` (stable across versions, so an agent's scores on "identity
  check" can be followed from one version to the next), a ``kind``:

  - ``yes_no``: answered ``"yes"`` (full points) or ``"no"`` (none);
  - ``scale``: answered an integer ``1..scale_max`` (``1`` none, ``scale_max`` full points,
    linear between);

  a ``weight`` (its points, > 0), whether ``N/A`` is allowed (``na_allowed``), and whether
  it is ``critical`` (failing it fails its section) or ``fatal`` (failing it fails the whole
  form). For a scale question ``pass_value`` is the lowest answer that counts as passed
  (default: the middle of the scale rounded up, 3 on a 1–5 scale); a yes/no question passes
  on ``"yes"``.

Forms are versioned: a scored evaluation keeps the version it was scored on, and editing a
form never changes a version; :func:`next_version` makes the edited form the next version.
Texts come in Korean (``title``) and optionally English (``title_en``; empty: the Korean one
is shown). :func:`form_from_dict` / :func:`form_to_dict` are the JSON form the database and
the API store and exchange; both check every field and name the one at fault.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

QuestionKind = Literal["yes_no", "scale"]
QUESTION_KINDS: tuple[QuestionKind, ...] = get_args(QuestionKind)
#: Ids of sections and questions: short codes (they key answers and coaching points).
ID_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")
#: Largest scale a question may use (1..10) and weight it may carry: sizes a person reads.
MAX_SCALE = 10
MAX_WEIGHT = 100.0
#: Upper bounds on a form's size (a form is filled in by hand; bounded work on user input).
MAX_SECTIONS = 20
MAX_QUESTIONS = 100
MAX_TEXT = 200


def _check_id(value: object, field: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError(f"{field} must be a code of a-z, 0-9 and _ (1-40), got {value!r}")
    return value


def _check_text(value: object, field: str, required: bool = True) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        raise ValueError(f"{field} must be a text of 1-{MAX_TEXT} characters, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a form (see the module docstring for the meaning of each field)."""

    id: str
    title: str
    kind: QuestionKind = "yes_no"
    weight: float = 1.0
    scale_max: int = 5
    na_allowed: bool = False
    critical: bool = False
    fatal: bool = False
    pass_value: int | None = None
    title_en: str = ""

    def __post_init__(self) -> None:
        _check_id(self.id, "question id")
        _check_text(self.title, f"question {self.id}: title")
        _check_text(self.title_en, f"question {self.id}: title_en", required=False)
        if self.kind not in QUESTION_KINDS:
            raise ValueError(f"question {self.id}: kind must be one of {QUESTION_KINDS}, "
                             f"got {self.kind!r}")
        if not (isinstance(self.weight, int | float) and 0 < self.weight <= MAX_WEIGHT
                and math.isfinite(self.weight)):
            raise ValueError(f"question {self.id}: weight must be > 0 and <= {MAX_WEIGHT}, "
                             f"got {self.weight!r}")
        if self.kind == "scale":
            if not isinstance(self.scale_max, int) or not 2 <= self.scale_max <= MAX_SCALE:
                raise ValueError(f"question {self.id}: scale_max must be 2-{MAX_SCALE}, "
                                 f"got {self.scale_max!r}")
            if self.pass_value is not None and not 1 <= self.pass_value <= self.scale_max:
                raise ValueError(f"question {self.id}: pass_value must be 1-{self.scale_max}, "
                                 f"got {self.pass_value!r}")

    @property
    def passing_value(self) -> int:
        """Lowest scale answer that passes: ``pass_value``, else ``ceil((1 + scale_max) / 2)``."""
        if self.pass_value is not None:
            return self.pass_value
        return math.ceil((1 + self.scale_max) / 2)

    def label(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    title_en: str = ""

    def __post_init__(self) -> None:
        _check_id(self.id, "section id")
        _check_text(self.title, f"section {self.id}: title")
        _check_text(self.title_en, f"section {self.id}: title_en", required=False)
        if not self.questions:
            raise ValueError(f"section {self.id}: needs at least one question")

    def label(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


@dataclass(frozen=True, slots=True)
class EvaluationForm:
    """A form at one version. Question ids are unique over the whole form."""

    key: str
    version: int
    title: str
    sections: tuple[Section, ...]
    title_en: str = ""

    def __post_init__(self) -> None:
        _check_id(self.key, "form key")
        _check_text(self.title, "title")
        _check_text(self.title_en, "title_en", required=False)
        if not isinstance(self.version, int) or self.version < 1:
            raise ValueError(f"version must be an integer >= 1, got {self.version!r}")
        if not 1 <= len(self.sections) <= MAX_SECTIONS:
            raise ValueError(f"sections must number 1-{MAX_SECTIONS}, got {len(self.sections)}")
        seen_sections: set[str] = set()
        seen: set[str] = set()
        for section in self.sections:
            if section.id in seen_sections:
                raise ValueError(f"section id {section.id!r} appears twice")
            seen_sections.add(section.id)
            for question in section.questions:
                if question.id in seen:
                    raise ValueError(f"question id {question.id!r} appears twice")
                seen.add(question.id)
        if len(seen) > MAX_QUESTIONS:
            raise ValueError(f"a form has at most {MAX_QUESTIONS} questions, got {len(seen)}")

    def questions(self) -> Iterator[tuple[Section, Question]]:
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question | None:
        return next((q for _, q in self.questions() if q.id == question_id), None)

    @property
    def fatal_ids(self) -> tuple[str, ...]:
        return tuple(q.id for _, q in self.questions() if q.fatal)

    def label(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title


def next_version(current: EvaluationForm, edited: EvaluationForm) -> EvaluationForm:
    """The edited form as the version after ``current`` (same key); ``current`` is unchanged.

    Raises ``ValueError`` when the keys differ (an edit cannot move to another form) or
    when nothing changed (an identical form is not a new version).
    """
    if edited.key != current.key:
        raise ValueError(f"key must stay {current.key!r}, got {edited.key!r}")
    if replace(edited, version=current.version) == current:
        raise ValueError(f"nothing changed; the form stays at version {current.version}")
    return replace(edited, version=current.version + 1)


# --- the JSON form ------------------------------------------------------------------


def _question_from(raw: object, where: str) -> Question:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be an object")  # noqa: TRY004 - bad JSON: one error kind
    known = {"id", "title", "title_en", "kind", "weight", "scale_max", "na_allowed",
             "critical", "fatal", "pass_value"}
    extra = sorted(set(raw) - known)
    if extra:
        raise ValueError(f"{where}: unknown field {extra[0]!r}")
    for flag in ("na_allowed", "critical", "fatal"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise ValueError(f"{where}.{flag} must be true or false")
    for number in ("scale_max", "pass_value"):
        value = raw.get(number)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"{where}.{number} must be an integer")
    weight = raw.get("weight", 1.0)
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise ValueError(f"{where}.weight must be a number")  # noqa: TRY004 - bad JSON: one error kind
    try:
        return Question(
            id=raw.get("id"),  # type: ignore[arg-type]  # checked in __post_init__
            title=raw.get("title", ""), title_en=raw.get("title_en", ""),
            kind=raw.get("kind", "yes_no"), weight=float(weight),
            scale_max=raw.get("scale_max", 5), na_allowed=raw.get("na_allowed", False),
            critical=raw.get("critical", False), fatal=raw.get("fatal", False),
            pass_value=raw.get("pass_value"),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _section_from(raw: object, where: str) -> Section:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be an object")  # noqa: TRY004 - bad JSON: one error kind
    questions = raw.get("questions")
    if not isinstance(questions, Sequence) or isinstance(questions, str):
        raise ValueError(f"{where}.questions must be a list")  # noqa: TRY004 - bad JSON: one error kind
    if len(questions) > MAX_QUESTIONS:
        raise ValueError(f"{where}.questions: at most {MAX_QUESTIONS}")
    parsed = tuple(_question_from(q, f"{where}.questions[{i}]") for i, q in enumerate(questions))
    try:
        return Section(id=raw.get("id"), title=raw.get("title", ""),  # type: ignore[arg-type]
                       title_en=raw.get("title_en", ""), questions=parsed)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def form_from_dict(raw: Mapping[str, Any], *, key: str, version: int) -> EvaluationForm:
    """A form from its JSON definition (``title``, ``title_en``, ``sections``).

    ``key`` and ``version`` come from storage, not from the definition. Raises
    ``ValueError`` naming the field at fault (``sections[1].questions[0].weight: ...``).
    """
    sections = raw.get("sections")
    if not isinstance(sections, Sequence) or isinstance(sections, str):
        raise ValueError("sections must be a list")  # noqa: TRY004 - bad JSON: one error kind
    if len(sections) > MAX_SECTIONS:
        raise ValueError(f"sections: at most {MAX_SECTIONS}")
    parsed = tuple(_section_from(s, f"sections[{i}]") for i, s in enumerate(sections))
    return EvaluationForm(key=key, version=version, title=raw.get("title", ""),
                          title_en=raw.get("title_en", ""), sections=parsed)


def form_to_dict(form: EvaluationForm) -> dict[str, Any]:
    """The JSON definition of ``form`` (without key and version); inverse of
    :func:`form_from_dict`."""
    return {
        "title": form.title,
        "title_en": form.title_en,
        "sections": [
            {
                "id": s.id, "title": s.title, "title_en": s.title_en,
                "questions": [
                    {"id": q.id, "title": q.title, "title_en": q.title_en, "kind": q.kind,
                     "weight": q.weight, "scale_max": q.scale_max, "na_allowed": q.na_allowed,
                     "critical": q.critical, "fatal": q.fatal, "pass_value": q.pass_value}
                    for q in s.questions
                ],
            }
            for s in form.sections
        ],
    }
