"""quizkit exam-date, and the exam date each deck is studied to.

The date in force is the command line's `--exam-date`, else the one remembered in the progress
store (set by `quizkit exam-date` or an earlier `--exam-date`), else the deck file's
`exam_date`. A new date is never in the past, judged in the learner's time zone; a remembered
one that has since passed is still shown (as past) but no longer caps intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from quizkit.app.env import Environment
from quizkit.errors import UsageError
from quizkit.model import Deck
from quizkit.store.db import Database
from quizkit.store.exam_dates import ExamDates
from quizkit.ui.words import exam_in_words, plain, print_json

if TYPE_CHECKING:  # the JSON's shape: only for the type checker (its TypedDicts cost a launch 2 ms)
    from quizkit.shapes.due import ExamDateJSON


class Source(Enum):
    """Where a deck's exam date comes from (the value is what --json says)."""

    OPTION = "option"
    REMEMBERED = "remembered"
    DECK = "deck"


class ExamDate(Struct, frozen=True):
    day: date
    source: Source


def local_today(env: Environment, now: datetime) -> date:
    """Today's date where the learner is (settings tz): what 'in the past' is judged against."""
    return now.astimezone(env.settings.tz).date()


def refuse_past(day: date, today: date) -> None:
    if day < today:
        raise UsageError(
            f"{day} is in the past (today is {today}); give the date of the exam, today or later"
        )


def remember(
    env: Environment, store: Database, decks: Sequence[Deck], day: date, now: datetime, *, say: bool = True
) -> None:
    """Remember `day` as the exam date of these decks; a date in the past is refused. With `say`,
    a deck whose remembered date this replaces is named on stderr (an option such as --exam-date
    replaces it as a side effect)."""
    refuse_past(day, local_today(env, now))
    dates = ExamDates(store)
    before = dates.all()
    dates.remember([deck.id for deck in decks], day, now)
    for deck in decks if say else ():  # found by the trial of issue 18: it changed silently
        if deck.id in before and before[deck.id] != day:  # a first date is what the help promises
            was = f" (was {before[deck.id].isoformat()})"
            env.stderr.print(
                plain(
                    f"{deck.id}: exam date {day.isoformat()} remembered{was}; "
                    f"quizkit exam-date {deck.id} --clear forgets it"
                ),
                soft_wrap=True,
            )


def in_effect(store: Database, decks: Sequence[Deck], option: date | None = None) -> dict[str, ExamDate]:
    """Each deck's exam date, by deck id: the option, else the remembered date, else the file's."""
    remembered = ExamDates(store).all()
    out: dict[str, ExamDate] = {}
    for deck in decks:
        if option is not None:
            out[deck.id] = ExamDate(option, Source.OPTION)
        elif deck.id in remembered:
            out[deck.id] = ExamDate(remembered[deck.id], Source.REMEMBERED)
        elif deck.settings.exam_date is not None:
            out[deck.id] = ExamDate(deck.settings.exam_date, Source.DECK)
    return out


def caps(
    env: Environment, store: Database, decks: Sequence[Deck], now: datetime, option: date | None = None
) -> dict[str, date]:
    """The exam dates that cap intervals: those in force that have not passed."""
    today = local_today(env, now)
    return {
        deck_id: exam.day for deck_id, exam in in_effect(store, decks, option).items() if exam.day >= today
    }


def exam_date(env: Environment, path: Path, day: date | None, clear: bool, as_json: bool) -> int:
    """Set (with `day`), forget (`clear`) or show a deck's exam date."""
    if day is not None and clear:
        raise UsageError("give either a DATE or --clear, not both")
    from quizkit.app.library import one_deck

    deck = one_deck(env, path)  # by its file or by its id, as everywhere
    now = env.clock()
    today = local_today(env, now)
    note = ""
    with env.open_store() as store:
        if day is not None:
            remember(env, store, [deck], day, now, say=False)
            note = " (remembered)"
        elif clear:
            had = ExamDates(store).forget(deck.id, now)
            if not as_json:
                said = f"forgot the exam date {had}" if had else "no exam date was remembered"
                env.stdout.print(plain(f"{deck.title}: {said}"), soft_wrap=True)
                return 0
        exam = in_effect(store, [deck]).get(deck.id)
        remembered = ExamDates(store).get(deck.id)
    if as_json:
        shape: ExamDateJSON = {
            "deck": deck.id,
            "title": deck.title,
            "exam_date": exam.day.isoformat() if exam else None,
            "source": exam.source.value if exam else None,
            "days_left": (exam.day - today).days if exam else None,
            "past": bool(exam and exam.day < today),
            "remembered": remembered.isoformat() if remembered else None,
            "deck_file": deck.settings.exam_date.isoformat() if deck.settings.exam_date else None,
        }
        print_json(env.stdout, shape)
    elif exam is None:
        env.stdout.print(
            plain(f"{deck.title}: no exam date set. Set one with: quizkit exam-date DECK YYYY-MM-DD"),
            soft_wrap=True,
        )
    else:
        if exam.source is Source.DECK:
            note = " (from the deck file)"
        env.stdout.print(plain(f"{deck.title}: {exam_in_words(exam.day, today)}{note}"), soft_wrap=True)
    return 0
