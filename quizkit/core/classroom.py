"""A class's exam, item by item: the statistics Moodle's quiz report gives, for a terminal.

Pure: students' answers in, figures and flags out. Each question's score is its mark, 0 to 1
(a typo counts 1, a partly right self-mark 0.5).

- facility: the class's mean score on the question (the share who got it right);
- discrimination: the point-biserial correlation of the question's score with the rest of the
  score (the total without this question, so that the question does not correlate with itself),
  and the upper-lower index: the facility in the top 27 % of the class by total minus the
  facility in the bottom 27 %;
- for choice, multi and true/false questions, how often each option was picked, overall and by
  the top and bottom groups;
- the test's reliability: Cronbach's alpha (KR-20 when every mark is 0 or 1).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from msgspec import Struct, field

GROUP_SHARE = 0.27
"""The top and bottom groups: 27 % of the class each, Kelley's classic split."""

NEAR_ZERO = 0.15
"""A discrimination below this (point-biserial) says the question does not tell who knows the
material from who does not: keyed wrongly, ambiguous, or off the topic."""

TOO_EASY = 0.95
TOO_HARD = 0.10
DEAD_SHARE = 0.02
"""A distractor picked by fewer than this share of the class (and by nobody in a small class)
does no work, once enough students answered wrongly that it would have been picked by chance:
spread evenly over the distractors, the wrong answers would miss it with a chance under
CHANCE (in a class of 30, a question 28 got right says nothing about its distractors)."""

CHANCE = 0.05

MIN_STUDENTS = 5
"""Fewer students than this give no statistics worth flagging on."""


class Response(Struct, frozen=True):
    """One student's answer to one question."""

    score: float
    picked: tuple[str, ...] = ()
    """The options chosen, for choice, multi and true/false questions."""


class Item(Struct, frozen=True):
    """A question of the exam as the reports give it."""

    card: str
    kind: str
    question: str
    options: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    """The right options (choice, multi, true/false)."""
    tags: tuple[str, ...] = ()


class Student(Struct, frozen=True):
    name: str
    responses: tuple[Response, ...]
    """One per item, in the exam's order."""
    seconds: float = 0.0


class OptionCounts(Struct, frozen=True):
    option: str
    right: bool
    picked: int
    top: int
    bottom: int


class ItemFigures(Struct, frozen=True):
    item: Item
    facility: float
    point_biserial: float | None
    """None when the item or the rest score does not vary (everyone alike)."""
    upper_lower: float
    options: tuple[OptionCounts, ...]
    flags: tuple[str, ...]


class StudentFigures(Struct, frozen=True):
    name: str
    score: float
    seconds: float
    weak_tags: tuple[str, ...]
    """Tags where this student scored below the pass mark, weakest first."""


class TagFigures(Struct, frozen=True):
    tag: str
    questions: int
    mastery: float


class ClassFigures(Struct, frozen=True):
    students: tuple[StudentFigures, ...]
    items: tuple[ItemFigures, ...]
    tags: tuple[TagFigures, ...]
    alpha: float | None
    pass_mark: float
    group_size: int
    notes: tuple[str, ...] = field(default=())


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def variance(values: Sequence[float]) -> float:
    """The population variance (n in the denominator), as KR-20 and alpha use it. Not
    statistics.pvariance: it sums exactly, in fractions, which costs most of a class report of
    1,000 students."""
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / len(values) if values else 0.0


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when either side does not vary."""
    try:
        return statistics.correlation(xs, ys)
    except statistics.StatisticsError:  # constant, or fewer than two students
        return None


def cronbach_alpha(scores: Sequence[Sequence[float]]) -> float | None:
    """k/(k-1) (1 - sum of the items' variances / the total's variance); None below 2 items or
    when the totals do not vary."""
    if not scores or len(scores[0]) < 2:
        return None
    k = len(scores[0])
    totals = [sum(row) for row in scores]
    total_variance = variance(totals)
    if total_variance <= 1e-12:
        return None
    item_variances = sum(variance([row[i] for row in scores]) for i in range(k))
    return k / (k - 1) * (1 - item_variances / total_variance)


def analyse(items: Sequence[Item], students: Sequence[Student], pass_mark: float = 0.5) -> ClassFigures:
    """Every figure of the class report (see the module's docstring)."""
    n = len(students)
    scores = [[r.score for r in s.responses] for s in students]
    totals = [sum(row) for row in scores]
    order = sorted(range(n), key=lambda i: (-totals[i], students[i].name))
    group = max(1, round(GROUP_SHARE * n)) if n else 0
    top, bottom = set(order[:group]), set(order[n - group :])
    figures = []
    for index, item in enumerate(items):
        column = [row[index] for row in scores]
        rest = [t - c for t, c in zip(totals, column, strict=True)]
        facility = mean(column)
        rpb = correlation(column, rest)
        upper_lower = mean([column[i] for i in top]) - mean([column[i] for i in bottom]) if group else 0.0
        options = _options(item, students, index, top, bottom)
        flags = _flags(item, facility, rpb, options, n) if n >= MIN_STUDENTS else ()
        figures.append(ItemFigures(item, facility, rpb, upper_lower, options, flags))
    return ClassFigures(
        students=tuple(_student(items, s, pass_mark) for s in students),
        items=tuple(figures),
        tags=_tags(items, scores),
        alpha=cronbach_alpha(scores),
        pass_mark=pass_mark,
        group_size=group,
        notes=()
        if n >= MIN_STUDENTS
        else (f"only {n} student(s): no question is flagged below {MIN_STUDENTS}",),
    )


def _options(
    item: Item, students: Sequence[Student], index: int, top: set[int], bottom: set[int]
) -> tuple[OptionCounts, ...]:
    if not item.options:
        return ()
    counts = []
    for option in item.options:
        chose = [i for i, s in enumerate(students) if option in s.responses[index].picked]
        counts.append(
            OptionCounts(
                option,
                option in item.right,
                len(chose),
                sum(1 for i in chose if i in top),
                sum(1 for i in chose if i in bottom),
            )
        )
    return tuple(counts)


def _flags(
    item: Item, facility: float, rpb: float | None, options: Sequence[OptionCounts], n: int
) -> tuple[str, ...]:
    flags = []
    if rpb is not None and rpb < 0:
        flags.append(
            f"negative discrimination ({rpb:+.2f}): the students who did best overall got it wrong "
            "more often; check the key, it may be keyed wrongly"
        )
    elif rpb is not None and rpb < NEAR_ZERO:
        flags.append(
            f"near-zero discrimination ({rpb:+.2f}): it does not tell who knows the material; "
            "it may be ambiguous, or test something else"
        )
    if facility >= TOO_EASY:
        flags.append(f"nearly everyone got it right ({facility:.0%}): it measures little; make it harder")
    elif facility <= TOO_HARD:
        flags.append(f"nearly everyone got it wrong ({facility:.0%}): check it was taught, and its key")
    distractors = [o for o in options if not o.right]
    wrong = sum(o.picked for o in distractors)
    missed_by_chance = (1 - 1 / len(distractors)) ** wrong if distractors else 1.0
    for option in distractors if missed_by_chance < CHANCE else ():
        if option.picked < max(1, DEAD_SHARE * n):
            flags.append(
                f"distractor {option.option!r} is picked by {option.picked} of {n}: it does no work; "
                "replace it with a likely mistake"
            )
    right_top = max((o.top for o in options if o.right), default=0)
    for option in options:
        if not option.right and option.top > right_top:
            flags.append(
                f"the top group picked distractor {option.option!r} ({option.top}) more than the answer "
                f"({right_top}): it may be the right answer, or the question misleads"
            )
    return tuple(flags)


def _student(items: Sequence[Item], student: Student, pass_mark: float) -> StudentFigures:
    by_tag: dict[str, list[float]] = {}
    for item, response in zip(items, student.responses, strict=True):
        for tag in item.tags:
            by_tag.setdefault(tag, []).append(response.score)
    weak = sorted((mean(v), tag) for tag, v in by_tag.items() if mean(v) < pass_mark)
    total = mean([r.score for r in student.responses])
    return StudentFigures(student.name, total, student.seconds, tuple(tag for _, tag in weak))


def _tags(items: Sequence[Item], scores: Sequence[Sequence[float]]) -> tuple[TagFigures, ...]:
    by_tag: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        for tag in item.tags or ("(untagged)",):
            by_tag.setdefault(tag, []).append(index)
    rows = [
        TagFigures(tag, len(indices), mean([row[i] for row in scores for i in indices]) if scores else 0.0)
        for tag, indices in by_tag.items()
    ]
    return tuple(sorted(rows, key=lambda r: (r.mastery, r.tag)))
