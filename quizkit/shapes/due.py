"""The shapes of quizkit due: what is due per deck today, and the load until an exam."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

from msgspec import Struct


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


class DayLoad(Struct, frozen=True):
    """One study day until an exam: the reviews due and the new cards planned."""

    day: date
    reviews: int
    new: int

    def to_dict(self) -> DayLoadJSON:
        return {"day": self.day.isoformat(), "reviews": self.reviews, "new": self.new}


class ExamLoad(Struct, frozen=True):
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


class DueRow(Struct, frozen=True):
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


class ExamDateJSON(TypedDict):
    """quizkit exam-date --json: the date in force (None: none), where it comes from, both sources."""

    deck: str
    title: str
    exam_date: str | None
    source: str | None
    """"remembered" (quizkit exam-date, --exam-date) or "deck" (exam_date in the deck file)."""
    days_left: int | None
    """Days from today to the exam; negative once it has passed."""
    past: bool
    remembered: str | None
    deck_file: str | None
