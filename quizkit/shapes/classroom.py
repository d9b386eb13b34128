"""The shape of `quizkit class --json`: a class's exam reports read together (core/classroom.py).

The HTML report (`--html`, io/class_html.py) is drawn from this same value, so the page and the
JSON always show the same figures. Marks and shares are 0 to 1, rounded to four decimals.
"""

from __future__ import annotations

from typing import TypedDict


class ClassDeckJSON(TypedDict):
    id: str
    title: str


class ClassStudentJSON(TypedDict):
    name: str
    """The --name the student gave, else the report's file name."""
    file: str
    score: float
    seconds: float
    weak_tags: list[str]
    """Tags where the student scored below the pass mark, weakest first."""


class OptionPicksJSON(TypedDict):
    option: str
    right: bool
    picked: int
    top: int
    """Picked by the top group (group_size students)."""
    bottom: int


class ClassQuestionJSON(TypedDict):
    number: int
    card: str
    where: str | None
    """"file:line" in the deck, given --deck."""
    kind: str
    question: str
    facility: float
    point_biserial: float | None
    """None when the question or the rest of the score does not vary."""
    upper_lower: float
    options: list[OptionPicksJSON]
    """Choice, multi and true/false questions; empty for the others."""
    flags: list[str]
    """Why the question looks broken, in words; empty when it does not."""


class ClassTagJSON(TypedDict):
    tag: str
    questions: int
    mastery: float


class LeftOutJSON(TypedDict):
    file: str
    reason: str


class ClassJSON(TypedDict):
    deck: ClassDeckJSON
    seed: int | None
    students: int
    pass_mark: float
    alpha: float | None
    """Cronbach's alpha (KR-20 for 0/1 marks); None below two questions or when no total varies."""
    group_size: int
    per_student: list[ClassStudentJSON]
    per_question: list[ClassQuestionJSON]
    per_tag: list[ClassTagJSON]
    """Weakest first."""
    left_out: list[LeftOutJSON]
    notes: list[str]
