"""The shapes of quizkit stats, quizkit cards and the dashboard: the figures the screens draw and
their JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TypedDict

from msgspec import Struct

from quizkit.model import Status


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


class CardFigures(Struct, frozen=True):
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


class Today(Struct, frozen=True):
    """Today's answers and the streaks."""

    reviews: int
    seconds: float
    right: int
    streak: int
    longest_streak: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.reviews if self.reviews else None


class Heatmap(Struct, frozen=True):
    """Answers per study day; days missing from `counts` had none."""

    today: date
    counts: Mapping[date, int]
    first: date
    """The first day counted: the Monday of the first week the figures cover."""


class Forecast(Struct, frozen=True):
    """Cards due on each day from `start` (today); today's count includes the overdue ones."""

    start: date
    counts: tuple[int, ...]
    overdue: int


class Ratio(Struct, frozen=True):
    """True retention: answers rated above Again (`passed`) of all answers to cards in review."""

    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None


class Mastery(Struct, frozen=True):
    """One tag: how well its cards are known, three ways (docs/stats.md, "Mastery by tag")."""

    tag: str
    cards: int
    studied: int
    retrievability: float | None
    """Mean predicted recall now of the tag's studied cards; None when none is studied. High just
    after reviewing, whatever will be left of it later: the screen shows `predicted_recall`."""
    predicted_recall: float = 0.0
    """Mean recall FSRS predicts on `predicted_on`, each card's reviews until then done on their
    days (core.forecast.recall_on), the new cards the daily limit brings in by then included;
    cards still unseen on the day count 0."""
    predicted_on: date | None = None
    """The exam day, or 30 days ahead without one; None when the tag's decks have different days."""
    answers: int = 0
    right: int = 0
    in_review: int = 0
    """Answers to the tag's cards once learned (in review), as true retention counts them."""
    passed: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answers if self.answers else None

    @property
    def retention(self) -> float | None:
        return self.passed / self.in_review if self.in_review else None

    def to_dict(self) -> MasteryJSON:
        return {
            "tag": self.tag,
            "cards": self.cards,
            "studied": self.studied,
            "retrievability": self.retrievability,
            "predicted_recall": self.predicted_recall,
            "predicted_on": self.predicted_on.isoformat() if self.predicted_on else None,
            "answers": self.answers,
            "right": self.right,
            "accuracy": self.accuracy,
            "in_review": self.in_review,
            "passed": self.passed,
            "retention": self.retention,
        }


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
    """Recall now, of the studied cards."""
    predicted_recall: float
    """Recall on predicted_on, of all the tag's cards, their reviews until then done on their
    days (still unseen on the day: 0)."""
    predicted_on: str | None
    answers: int
    right: int
    accuracy: float | None
    """right / answers, over the last 30 study days."""
    in_review: int
    passed: int
    retention: float | None
    """passed / in_review, over the last 30 study days."""


STATS_VERSION = 3
"""The version of quizkit stats --json; 2 added the exams and mastery's predicted recall,
accuracy and retention; 3 the exam forecast (its predicted recall now follows the reviews until
the day) and the calibration against past mock exams."""


class ExamForecast(Struct, frozen=True):
    """A deck's coming exam: the recall predicted on the day and a mock exam's score (docs/stats.md)."""

    deck_id: str
    title: str
    day: date
    cards: int
    not_studied: int
    """Cards not studied yet: they count 0."""
    unseen: int
    """Of those, the ones still unseen on the day at the deck's new cards a day."""
    recall: float
    """Mean predicted recall on the day of the cards, each day's reviews and new cards done."""
    stopped: float
    """The same with no review from now on (what is known now, forgotten until the day)."""
    questions: int
    """The mock exam the score is for: this many questions drawn from the cards."""
    score: float
    """The predicted share of marks (a choice may be guessed right)."""
    low: float
    high: float
    level: float
    """The chance that the score falls between low and high."""
    model_error: float
    """The model's own error counted in the interval: measured by past mock exams, else assumed."""
    measured: bool
    """Whether model_error comes from past mock exams of the deck."""
    correction: float = 0.0
    """How far the score was moved for how past mock exams scored against their predictions."""

    def to_dict(self) -> ExamForecastJSON:
        return {
            "deck": self.deck_id,
            "date": self.day.isoformat(),
            "cards": self.cards,
            "not_studied": self.not_studied,
            "unseen_on_the_day": self.unseen,
            "recall": round(self.recall, 4),
            "recall_if_stopped": round(self.stopped, 4),
            "questions": self.questions,
            "score": round(self.score, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "level": self.level,
            "model_error": round(self.model_error, 4),
            "model_error_measured": self.measured,
            "correction": round(self.correction, 4),
        }


class ExamForecastJSON(TypedDict):
    deck: str
    date: str
    cards: int
    not_studied: int
    unseen_on_the_day: int
    recall: float
    recall_if_stopped: float
    questions: int
    score: float
    low: float
    high: float
    level: float
    model_error: float
    model_error_measured: bool
    correction: float


class MockExam(Struct, frozen=True):
    """One past mock exam: what the model predicted for its questions when it began, and the score."""

    taken: datetime
    questions: int
    predicted: float
    scored: float

    def to_dict(self) -> MockExamJSON:
        return {
            "taken": self.taken.isoformat(),
            "questions": self.questions,
            "predicted": round(self.predicted, 4),
            "scored": round(self.scored, 4),
        }


class MockExamJSON(TypedDict):
    taken: str
    questions: int
    predicted: float
    scored: float


class Calibration(Struct, frozen=True):
    """A deck's past mock exams against what was predicted for them: how far to trust the forecast."""

    deck_id: str
    title: str
    exams: tuple[MockExam, ...]
    """Oldest first (the latest CALIBRATION_EXAMS)."""
    error: float
    """Root mean square of scored - predicted."""

    @property
    def predicted(self) -> float:
        return sum(e.predicted for e in self.exams) / len(self.exams)

    @property
    def scored(self) -> float:
        return sum(e.scored for e in self.exams) / len(self.exams)

    def to_dict(self) -> CalibrationJSON:
        return {
            "deck": self.deck_id,
            "exams": [e.to_dict() for e in self.exams],
            "predicted": round(self.predicted, 4),
            "scored": round(self.scored, 4),
            "error": round(self.error, 4),
        }


class CalibrationJSON(TypedDict):
    deck: str
    exams: list[MockExamJSON]
    predicted: float
    """Mean predicted share of marks over the exams."""
    scored: float
    error: float
    """Root mean square of scored - predicted over the exams."""


class ReportJSON(TypedDict):
    version: int
    title: str
    now: str
    exams: list[ExamJSON]
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
    exam_forecast: list[ExamForecastJSON]
    """One for each deck with a coming exam."""
    calibration: list[CalibrationJSON]
    """One for each deck with past mock exams."""


class StatsJSON(ReportJSON):
    decks: list[str]
    tags: list[str]


class Report(Struct, frozen=True):
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
    exams: tuple[Exam, ...] = ()
    """The decks' exam dates, past ones included."""
    recall_on: date | None = None
    """The day mastery's predicted recall is for, when it is one day for every deck."""
    recall_at_exam: bool = False
    """Whether that day is an exam's (else: 30 days ahead, or a mix)."""
    exam_forecasts: tuple[ExamForecast, ...] = ()
    calibrations: tuple[Calibration, ...] = ()

    def to_dict(self) -> ReportJSON:
        """The JSON of quizkit stats --json: every figure of the report."""
        today, heatmap, forecast = self.today, self.heatmap, self.forecast
        return {
            "version": STATS_VERSION,
            "title": self.title,
            "now": self.now.isoformat(),
            "exams": [exam.to_dict() for exam in self.exams],
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
            "mastery": [m.to_dict() for m in self.mastery],
            "hardest": [row.to_dict() for row in self.hardest],
            "exam_forecast": [f.to_dict() for f in self.exam_forecasts],
            "calibration": [c.to_dict() for c in self.calibrations],
        }


class Exam(Struct, frozen=True):
    """A deck's exam date in force (quizkit exam-date), and today's date where the learner is."""

    deck_id: str
    title: str
    day: date
    today: date

    @property
    def days_left(self) -> int:
        """Negative once the exam has passed."""
        return (self.day - self.today).days

    @property
    def past(self) -> bool:
        return self.days_left < 0

    def to_dict(self) -> ExamJSON:
        return {
            "deck": self.deck_id,
            "date": self.day.isoformat(),
            "days_left": self.days_left,
            "past": self.past,
        }


class ExamJSON(TypedDict):
    deck: str
    date: str
    days_left: int
    past: bool


class DeckDue(Struct, frozen=True):
    deck_id: str
    title: str
    cards: int
    new: int
    learning: int
    review: int


class Dashboard(Struct, frozen=True):
    day: date
    decks: tuple[DeckDue, ...]
    today: Today
    next_due: str | None
    """When the next card comes, in words, if nothing is due."""
    broken: tuple[str, ...] = ()
    """Deck files that could not be loaded."""
    exams: tuple[Exam, ...] = ()
    """The decks' exam dates, past ones included."""
    forecasts: tuple[ExamForecast, ...] = ()
    """The coming exams' forecasts."""
