"""Exam files: one mock exam fixed for a whole class (quizkit exam-pack, quizkit quiz EXAM.toml).

An exam file is a deck file with an [exam] table. Its [[cards]] are the questions as asked, in
the order asked: a basic card drawn as multiple choice is written as a choice card, a cloze
deletion as a typed card, a reversed side as a card of its own, and each choice card's choices
in the order shown. An order card's items are written in the right order, as in any deck, and
the order shown is in [exam.shown]. [exam] fixes the seed it was drawn with, the time limit,
the pass mark and when answers are shown, so everyone who takes the file sits the same exam,
and their reports name it by the same exam hash (io/reports.questions_hash). Its deck id is
its own (exam_deck_id), so a copy kept beside the deck is another deck.

The file holds the answers, as a paper exam's key does: it is a mock exam's file, not a secure
one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from quizkit.core.exam import Question, duration_text
from quizkit.errors import DeckError, Problem, Severity
from quizkit.io.exam_table import FORMAT, exam_settings
from quizkit.io.toml_text import Positions
from quizkit.model import Deck, Kind

MAX_EXAM_BYTES = 16 * 1024 * 1024
"""A larger file is not taken for an exam file (MAX_QUESTIONS questions are far smaller)."""

_MAYBE_EXAM = re.compile(rb"""^[ \t]*(?:\[[ \t]*)?["']?exam["']?[ \t]*[\].=]""", re.MULTILINE)
"""A line that may start an exam table ([exam], ["exam"], exam = {...}, exam.seed = 1): only such a
file is parsed to find out."""


class ExamFile(Struct, frozen=True):
    """An exam file, read and checked: its deck (the questions' cards) and how it is sat."""

    deck: Deck
    questions: tuple[Question, ...]
    seed: int | None = None
    time_limit: timedelta | None = None
    pass_mark: float | None = None
    feedback: str = "end"
    deck_file: str | None = None
    deck_hash: str | None = None
    written_hash: str | None = None
    """The hash exam-pack wrote; `hash` is the questions' own."""
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def hash(self) -> str:
        from quizkit.io.reports import questions_hash

        return questions_hash(self.deck.id, self.seed, self.time_limit, self.pass_mark, self.questions)


def is_exam_file(path: Path) -> bool:
    """A deck file with a top-level `exam` table (quizkit exam-pack). Only a regular file small
    enough to be one is read, and parsed only when a line may start that table."""
    import tomllib

    try:
        if not path.is_file() or path.stat().st_size > MAX_EXAM_BYTES:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if _MAYBE_EXAM.search(data) is None:
        return False
    try:
        return "exam" in tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False  # read as a deck, whose loading names the problem at its line


def read_exam(path: Path) -> ExamFile:
    """The exam file at `path`, checked; DeckError with every error (file:line) otherwise."""
    from quizkit.io.disk import read_text

    return exam_from_text(read_text(path), path)


def exam_from_text(text: str, path: Path) -> ExamFile:
    """An exam file's text, checked as read_exam checks it."""
    import tomllib

    from quizkit.io.deck_parse import parse_deck

    deck, problems = parse_deck(text, str(path), default_id=path.stem)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or deck is None:
        raise DeckError(errors)
    table = tomllib.loads(text).get("exam")
    if table is None:
        raise DeckError(
            [Problem(str(path), None, None, "is a deck, not an exam file", "make one with quizkit exam-pack")]
        )
    exam, found = exam_settings(table, deck.cards, deck.id, Positions(text), str(path))
    if exam is None:  # parse_deck has reported it already; this is the same check
        raise DeckError([p for p in found if p.severity is Severity.ERROR])
    return ExamFile(deck=deck, warnings=tuple(p for p in found if p.severity is Severity.WARNING), **exam)


def exam_deck_id(deck_id: str, seed: int) -> str:
    """The exam file's own deck id: never the deck's, so that an exam file kept beside the deck
    (in a decks folder, say) neither clashes with it nor shares its progress."""
    return f"{deck_id[:80]}-exam-{seed}"


def question_table(question: Question) -> dict[str, Any]:
    """A question as the [[cards]] table that asks it again, exactly (see the module's note)."""
    card = question.card
    table: dict[str, Any] = {"id": question.key[1], "q": card.prompt}
    if card.kind is Kind.BASIC:
        table["a"] = card.answer
    elif card.kind is Kind.TYPED:
        table |= {"type": "typed", "a": card.answer}
        others = [text for text in card.accept if text != card.answer]
        if others:
            table["accept"] = others
        if card.exact:
            table["exact"] = True
    elif card.kind is Kind.CHOICE:
        table |= {"choices": list(question.shown), "a": card.answer}
    elif card.kind is Kind.MULTI:
        table |= {"type": "multi", "choices": list(question.shown), "a": list(card.accept)}
    elif card.kind is Kind.TRUEFALSE:
        table["a"] = card.answer == "true"
    elif card.kind is Kind.ORDER:
        table["order"] = list(card.accept)
    for key, picture in (("image", card.image), ("answer_image", card.answer_image)):
        if picture is not None:
            table[key] = picture.file
            if picture.alt:
                table[f"{key}_alt"] = picture.alt
    if card.tags:
        table["tags"] = list(card.tags)
    if card.explain:
        table["explain"] = card.explain
    if card.source:
        table["source"] = card.source
    return table


def exam_text(
    deck: Deck,
    questions: Sequence[Question],
    *,
    seed: int,
    time_limit: timedelta | None,
    pass_mark: float | None,
    feedback: str,
    deck_file: str,
    deck_hash: str | None,
    exam_hash: str | None,
    take: str,
) -> str:
    """The exam file's text: a comment saying what it is and how to sit it, [exam], [deck] and
    the questions. `exam_hash` is None on the first writing, whose reading gives the hash."""
    import tomli_w

    from quizkit.io.deck_write import dump_deck

    exam: dict[str, Any] = {"format": FORMAT, "seed": seed}
    if time_limit is not None:
        exam["time_limit"] = duration_text(time_limit)
    if pass_mark is not None:
        exam["pass_mark"] = pass_mark
    exam |= {"feedback": feedback, "deck_file": deck_file}
    if deck_hash is not None:
        exam["deck_hash"] = deck_hash
    if exam_hash is not None:
        exam["hash"] = exam_hash
    orders = {q.key[1]: list(q.shown) for q in questions if q.card.kind is Kind.ORDER}
    if orders:
        exam["shown"] = orders
    meta = {
        "id": exam_deck_id(deck.id, seed),
        "title": deck.title,
        "description": deck.description,
        "author": deck.author,
    }
    meta = {key: value for key, value in (meta | {"source": deck.source}).items() if value}
    files = sorted({p.file for q in questions for p in (q.card.image, q.card.answer_image) if p is not None})
    limit = f"{duration_text(time_limit)}" if time_limit is not None else "no time limit"
    mark = f"pass mark {pass_mark:g}%" if pass_mark is not None else "no pass mark"
    title = "".join(c if c.isprintable() else " " for c in deck.title or deck.id)  # a comment's one line
    header = (
        f"A quizkit exam: {len(questions)} question{'s' if len(questions) != 1 else ''} from {title}, "
        f"{limit}, {mark}.\n"
        "Everyone who takes this file gets the same questions, in the same order, with the same\n"
        "options. Take it, and hand in the .json report, with:\n"
        f"    {take}\n"
        + (
            f"Its questions show {len(files)} picture(s): hand out {', '.join(files)} with it.\n"
            if files
            else ""
        )
        + "This file holds the answers, as a paper exam's answer key does.\n"
        "Made by quizkit exam-pack; an edited copy is a different exam to quizkit class."
    )
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    cards = [question_table(q) for q in questions]
    return comment + "\n" + tomli_w.dumps({"exam": exam}) + "\n" + dump_deck(meta, cards)
