"""The shapes of mock exams: quizkit history, the --report of quizkit quiz, and the options an exam is
kept with."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from msgspec import Struct


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


class Attempt(Struct, frozen=True):
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


class TagTrend(Struct, frozen=True):
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


class ReportDeckJSON(TypedDict):
    id: str
    title: str
    hash: str | None
    """The deck file's content (sha256, 16 hex digits): reports of another version of it differ."""


class ReportExamJSON(TypedDict):
    hash: str
    """The exam as asked (sha256, 16 hex digits): each question's card and content, its options in
    the order shown, the seed, the time limit and the pass mark. quizkit class counts together
    only reports of one exam."""


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
    self_graded: bool
    """The verdict is the learner's own mark (a basic card, asked and marked)."""
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
    self_graded: str
    """How basic cards were asked: ask, choice or skip."""


class ExamReportJSON(TypedDict):
    deck: ReportDeckJSON
    exam: ReportExamJSON
    student: str | None
    """The name given with --name; none unless the student gives one."""
    started: str
    """ISO 8601 in the learner's time zone, with its offset."""
    finished: str
    time_zone: str
    """The learner's zone by name, e.g. Asia/Karachi."""
    seed: int | None
    time_limit_seconds: float | None
    timed_out: bool
    questions: int
    right: int
    self_graded: int
    """How many of the marks were the learner's own."""
    score: float
    pass_mark: float | None
    passed: bool | None
    by_tag: list[ReportTagJSON]
    items: list[ReportItemJSON]
