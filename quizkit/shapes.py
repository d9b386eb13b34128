"""Every shape that leaves quizkit as data: each `--json` output and the exam report.

A screen and its `--json` show the same figures, so each is a typed value here (a frozen
dataclass the use case fills and the renderer draws, never parsing strings back) with `to_dict()`
giving its JSON, whose shape is the TypedDict beside it. Changing a TypedDict changes what scripts
read: add keys, never rename or drop one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from quizkit.errors import Problem
from quizkit.model import Status

# ---------------------------------------------------------------- quizkit due


class DayLoadJSON(TypedDict):
    day: str
    reviews: int
    new: int


class ExamLoadJSON(TypedDict):
    date: str
    days_left: int
    new_per_day: int
    unseen_after: int
    days: list[DayLoadJSON]


@dataclass(frozen=True, slots=True)
class DayLoad:
    """One study day until an exam: the reviews due and the new cards planned."""

    day: date
    reviews: int
    new: int

    def to_dict(self) -> DayLoadJSON:
        return {"day": self.day.isoformat(), "reviews": self.reviews, "new": self.new}


@dataclass(frozen=True, slots=True)
class ExamLoad:
    """The load on each study day until an exam, if every answer were Good."""

    exam_day: date
    new_per_day: int
    unseen_after: int
    """Cards that would still be unseen on the exam day."""
    days: tuple[DayLoad, ...]

    def to_dict(self) -> ExamLoadJSON:
        return {
            "date": self.exam_day.isoformat(),
            "days_left": len(self.days),
            "new_per_day": self.new_per_day,
            "unseen_after": self.unseen_after,
            "days": [day.to_dict() for day in self.days],
        }


class DueRowJSON(TypedDict, total=False):
    deck: str
    title: str
    cards: int
    new: int
    learning: int
    review: int
    next_due: str | None
    exam: ExamLoadJSON
    """Only for a deck studied to an exam date."""


@dataclass(frozen=True, slots=True)
class DueRow:
    """One deck in quizkit due: what is due today (limits applied) and when the next card comes."""

    deck: str
    title: str
    cards: int
    new: int
    learning: int
    review: int
    next_due: datetime | None
    exam: ExamLoad | None = None

    def to_dict(self) -> DueRowJSON:
        out: DueRowJSON = {
            "deck": self.deck,
            "title": self.title,
            "cards": self.cards,
            "new": self.new,
            "learning": self.learning,
            "review": self.review,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }
        if self.exam is not None:
            out["exam"] = self.exam.to_dict()
        return out


class DueJSON(TypedDict):
    now: str
    decks: list[DueRowJSON]


# ---------------------------------------------------------------- quizkit history


class AttemptJSON(TypedDict):
    id: int
    deck: str
    started: str
    finished: str
    questions: int
    score: float
    """Percent, one decimal."""
    passed: bool | None
    pass_mark: float | None
    seed: int | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One past exam."""

    id: int
    deck: str
    started: datetime
    finished: datetime
    questions: int
    score: float
    """Percent, one decimal."""
    passed: bool | None
    pass_mark: float | None
    seed: int | None

    def to_dict(self) -> AttemptJSON:
        return {
            "id": self.id,
            "deck": self.deck,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "questions": self.questions,
            "score": self.score,
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "seed": self.seed,
        }


class TagTrendJSON(TypedDict):
    tag: str
    answers: int
    score: float
    recent_score: float | None


@dataclass(frozen=True, slots=True)
class TagTrend:
    """A tag's mean score over every exam, and over the latest few (percent, one decimal)."""

    tag: str
    answers: int
    score: float
    recent_score: float | None

    def to_dict(self) -> TagTrendJSON:
        return {
            "tag": self.tag,
            "answers": self.answers,
            "score": self.score,
            "recent_score": self.recent_score,
        }


class HistoryJSON(TypedDict):
    attempts: list[AttemptJSON]
    tags: list[TagTrendJSON]


# ---------------------------------------------------------------- quizkit stats, cards and the dashboard


class CardJSON(TypedDict):
    deck: str
    card: str
    question: str
    state: str
    due: str | None
    interval_days: float | None
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    lapses: int
    reviews: int
    leech: bool


@dataclass(frozen=True, slots=True)
class CardFigures:
    """One card's scheduling, as quizkit cards lists it."""

    deck_id: str
    card_id: str
    state: Status
    due: datetime | None
    interval_days: float | None
    """Review: study days from the last answer's day to the due day; learning: the step, in days."""
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    """None for a card never studied."""
    lapses: int
    reps: int
    leech: bool
    prompt: str = ""
    """The card's question: the store does not know it, the stats use case fills it in."""

    def to_dict(self) -> CardJSON:
        return {
            "deck": self.deck_id,
            "card": self.card_id,
            "question": self.prompt,
            "state": self.state.value,
            "due": self.due.isoformat() if self.due else None,
            "interval_days": self.interval_days,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "retrievability": self.retrievability,
            "lapses": self.lapses,
            "reviews": self.reps,
            "leech": self.leech,
        }


class CardsJSON(TypedDict):
    deck: str
    now: str
    cards: list[CardJSON]


@dataclass(frozen=True, slots=True)
class Today:
    """Today's answers and the streaks."""

    reviews: int
    seconds: float
    right: int
    streak: int
    longest_streak: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.reviews if self.reviews else None


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Answers per study day; days missing from `counts` had none."""

    today: date
    counts: Mapping[date, int]
    first: date
    """The first day counted: the Monday of the first week the figures cover."""


@dataclass(frozen=True, slots=True)
class Forecast:
    """Cards due on each day from `start` (today); today's count includes the overdue ones."""

    start: date
    counts: tuple[int, ...]
    overdue: int


@dataclass(frozen=True, slots=True)
class Ratio:
    """True retention: answers rated above Again (`passed`) of all answers to cards in review."""

    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Mastery:
    tag: str
    cards: int
    studied: int
    retrievability: float | None
    """Mean predicted recall now of the tag's studied cards; None when none is studied."""


class TodayJSON(TypedDict):
    day: str
    reviews: int
    seconds: float
    right: int
    accuracy: float | None


class StreakJSON(TypedDict):
    current: int
    longest: int


class HeatmapJSON(TypedDict):
    first_day: str
    last_day: str
    reviews: dict[str, int]
    """Answers by study day (ISO date); days without answers are left out."""


class ForecastJSON(TypedDict):
    first_day: str
    due: list[int]
    overdue: int


class RatioJSON(TypedDict):
    passed: int
    total: int
    rate: float | None


class MasteryJSON(TypedDict):
    tag: str
    cards: int
    studied: int
    retrievability: float | None


class ReportJSON(TypedDict):
    title: str
    now: str
    today: TodayJSON
    streak: StreakJSON
    heatmap: HeatmapJSON
    forecast: ForecastJSON
    cards: dict[str, int]
    """Cards by status, then "leech" and "total"."""
    retention: dict[str, dict[str, RatioJSON]]
    """By window ("last_7_days", "last_30_days"), then "young", "mature" and "all"."""
    mastery: list[MasteryJSON]
    hardest: list[CardJSON]


class StatsJSON(ReportJSON):
    decks: list[str]
    tags: list[str]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything quizkit stats shows."""

    title: str
    now: datetime
    today: Today
    heatmap: Heatmap
    forecast: Forecast
    states: Mapping[Status, int]
    leeches: int
    retention: Mapping[int, Mapping[str, Ratio]]
    """By window (days), then young, mature and all."""
    mastery: tuple[Mastery, ...]
    hardest: tuple[CardFigures, ...]

    def to_dict(self) -> ReportJSON:
        """The JSON of quizkit stats --json: every figure of the report."""
        today, heatmap, forecast = self.today, self.heatmap, self.forecast
        return {
            "title": self.title,
            "now": self.now.isoformat(),
            "today": {
                "day": heatmap.today.isoformat(),
                "reviews": today.reviews,
                "seconds": today.seconds,
                "right": today.right,
                "accuracy": today.accuracy,
            },
            "streak": {"current": today.streak, "longest": today.longest_streak},
            "heatmap": {
                "first_day": heatmap.first.isoformat(),
                "last_day": heatmap.today.isoformat(),
                "reviews": {day.isoformat(): n for day, n in sorted(heatmap.counts.items())},
            },
            "forecast": {
                "first_day": forecast.start.isoformat(),
                "due": list(forecast.counts),
                "overdue": forecast.overdue,
            },
            "cards": {
                **{state.value: n for state, n in self.states.items()},
                "leech": self.leeches,
                "total": sum(self.states.values()),
            },
            "retention": {
                f"last_{window}_days": {
                    group: {"passed": r.passed, "total": r.total, "rate": r.rate}
                    for group, r in groups.items()
                }
                for window, groups in self.retention.items()
            },
            "mastery": [
                {"tag": m.tag, "cards": m.cards, "studied": m.studied, "retrievability": m.retrievability}
                for m in self.mastery
            ],
            "hardest": [row.to_dict() for row in self.hardest],
        }


@dataclass(frozen=True, slots=True)
class DeckDue:
    deck_id: str
    title: str
    cards: int
    new: int
    learning: int
    review: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    day: date
    decks: tuple[DeckDue, ...]
    today: Today
    next_due: str | None
    """When the next card comes, in words, if nothing is due."""
    broken: tuple[str, ...] = ()
    """Deck files that could not be loaded."""


# ---------------------------------------------------------------- quizkit validate


class ProblemJSON(TypedDict):
    severity: str
    path: str
    line: int | None
    card: str | None
    message: str
    hint: str


def problem_json(problem: Problem) -> ProblemJSON:
    return {
        "severity": problem.severity.value,
        "path": problem.path,
        "line": problem.line,
        "card": problem.card,
        "message": problem.message,
        "hint": problem.hint,
    }


class DeckCheckJSON(TypedDict, total=False):
    path: str
    valid: bool
    problems: list[ProblemJSON]
    id: str
    """This and the keys below: only for a valid deck."""
    title: str
    cards: int
    kinds: dict[str, int]
    tags: dict[str, int]


class ValidationJSON(TypedDict):
    decks: list[DeckCheckJSON]
    errors: int
    warnings: int


# ---------------------------------------------------------------- the exam report (quiz --report)


class ReportDeckJSON(TypedDict):
    id: str
    title: str


class ReportTagJSON(TypedDict):
    tag: str
    questions: int
    score: float


class ReportItemJSON(TypedDict):
    number: int
    card: str
    kind: str
    question: str
    choices: list[str]
    answer_given: str | None
    right_answer: str
    verdict: str
    """right, typo, partial, wrong or unanswered."""
    score: float
    seconds: float
    explain: str
    source: str
    tags: list[str]


class ExamSettingsJSON(TypedDict):
    """The options an exam was taken with, kept with it in the progress database."""

    tags: list[str]
    kinds: list[str]
    feedback: str
    count: int | None


class ExamReportJSON(TypedDict):
    deck: ReportDeckJSON
    started: str
    finished: str
    seed: int | None
    time_limit_seconds: float | None
    timed_out: bool
    questions: int
    right: int
    score: float
    pass_mark: float | None
    passed: bool | None
    by_tag: list[ReportTagJSON]
    items: list[ReportItemJSON]
