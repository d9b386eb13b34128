"""The mock exam as a state machine: draw questions, answer in any order, score.

Split from session.py (the review session): an exam never schedules, and a review never
needs any of this, so `quizkit review` does not load it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from msgspec import Struct, field
from msgspec.structs import replace

from quizkit.core.choices import shuffle_items
from quizkit.core.grading import Grade, Verdict, grade, normalize
from quizkit.errors import UsageError
from quizkit.model import Card, Deck, Key, Kind, SelfGraded


class Question(Struct, frozen=True):
    """One exam question: the card as asked, and its options in the order shown.

    A basic card asked as it is (SelfGraded.ASK) keeps Kind.BASIC: the learner marks it after
    seeing the answer (`Question.self_graded`). Asked as multiple choice it is a Kind.CHOICE card.
    """

    key: Key
    card: Card
    shown: tuple[str, ...]

    @property
    def self_graded(self) -> bool:
        return self.card.kind is Kind.BASIC


MAX_DISTRACTORS = 3
"""Wrong options beside the answer when a basic card is asked as multiple choice."""


def is_reverse(card: Card) -> bool:
    """The reverse side of a reversed basic card: it shows the answer and asks for the question."""
    return card.kind is Kind.BASIC and bool(card.note_id) and card.id == card.note_id + ".rev"


def _sides(card: Card) -> tuple[str, str]:
    """(question, answer) of the note a basic or typed card belongs to, whichever side it is."""
    return (card.answer, card.prompt) if is_reverse(card) else (card.prompt, card.answer)


def distractors(card: Card, cards: Sequence[Card], rng: random.Random) -> tuple[str, ...]:
    """Up to MAX_DISTRACTORS wrong options for a basic card: the same side of other basic and typed
    cards (their answers, or their questions for a reverse side), from cards sharing a tag first,
    then from the rest. None equals the answer or another option once normalised."""
    want = 0 if is_reverse(card) else 1
    answer = _sides(card)[want]
    note = card.note_id or card.id
    seen = {normalize(answer)}
    same_tag: list[str] = []
    other: list[str] = []
    tags = set(card.tags)
    for candidate in cards:
        if candidate.kind not in (Kind.BASIC, Kind.TYPED) or (candidate.note_id or candidate.id) == note:
            continue
        text = _sides(candidate)[want]
        folded = normalize(text)
        if not folded or folded in seen:
            continue
        seen.add(folded)
        (same_tag if tags & set(candidate.tags) else other).append(text)
    picked = rng.sample(same_tag, min(MAX_DISTRACTORS, len(same_tag)))
    if len(picked) < MAX_DISTRACTORS:
        picked += rng.sample(other, min(MAX_DISTRACTORS - len(picked), len(other)))
    return tuple(picked)


def as_multiple_choice(card: Card, cards: Sequence[Card], rng: random.Random) -> Card | None:
    """A basic card as a choice card (its own answer among distractors); None when no other card
    gives a distractor."""
    wrong = distractors(card, cards, rng)
    if not wrong:
        return None
    return replace(card, kind=Kind.CHOICE, choices=(card.answer, *wrong), accept=(card.answer,))


def as_question(
    key: Key,
    card: Card,
    rng: random.Random,
    self_graded: SelfGraded = SelfGraded.ASK,
    cards: Sequence[Card] = (),
) -> Question:
    """Basic cards are marked by the learner or become multiple choice; cloze deletions are typed;
    choices and order items are shuffled."""
    if card.kind is Kind.BASIC and self_graded is SelfGraded.CHOICE:
        card = as_multiple_choice(card, cards, rng) or card
    elif card.kind.self_graded and card.kind is not Kind.BASIC:
        card = replace(card, kind=Kind.TYPED)
    if card.kind in (Kind.CHOICE, Kind.MULTI):
        shown = list(card.choices)
        rng.shuffle(shown)
    elif card.kind is Kind.ORDER:
        shown = shuffle_items(list(card.accept), rng)
    else:
        shown = []
    return Question(key, card, tuple(shown))


def as_written(key: Key, card: Card, shown: Sequence[str] = ()) -> Question:
    """A question of an exam file, asked exactly as written: choices in the file's order, an
    order card's items in the order given (`shown`), a cloze deletion typed, a basic card
    marked by the learner."""
    if card.kind.self_graded and card.kind is not Kind.BASIC:
        card = replace(card, kind=Kind.TYPED)
    if card.kind in (Kind.CHOICE, Kind.MULTI):
        return Question(key, card, card.choices)
    return Question(key, card, tuple(shown) if card.kind is Kind.ORDER else ())


def parse_duration(text: str, option: str = "--time") -> timedelta:
    """'15m', '90s', '1h30m', '2h' -> a timedelta; UsageError naming `option` otherwise."""
    import re

    match = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*", text.lower())
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"{option} {text!r}: write a duration like 15m, 90s or 1h30m")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds  # whole seconds first: no timedelta overflows
    if total <= 0:
        raise UsageError(f"{option} must be longer than zero")
    if total > MAX_TIME_LIMIT.total_seconds():
        raise UsageError(f"{option} {text!r} is longer than an exam; the limit is at most 24h")
    return timedelta(seconds=total)


def duration_text(limit: timedelta) -> str:
    """A time limit as parse_duration reads it: 1h30m, 20m, 90s -> 1m30s."""
    total = round(limit.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n) or "0s"


MAX_TIME_LIMIT = timedelta(hours=24)
"""The longest --time: a day; longer is no time limit at all (leave --time out)."""


def draw_questions(
    deck: Deck,
    count: int | None,
    rng: random.Random,
    *,
    tags: Iterable[str] = (),
    kinds: Iterable[Kind] = (),
    self_graded: SelfGraded = SelfGraded.ASK,
) -> list[Question]:
    """Draw questions at random (all matching cards when count is None or larger).

    Siblings (a note's cloze deletions, both sides of a reversed card) give each other away: an
    exam has two cards of one note only when it asks for more questions than there are notes.
    With SelfGraded.SKIP basic cards are not drawn at all.
    """
    wanted_tags, wanted_kinds = set(tags), set(kinds)
    pool = [
        card
        for card in deck.cards
        if (not wanted_tags or wanted_tags & set(card.tags))
        and (not wanted_kinds or card.kind in wanted_kinds)
        and not (self_graded is SelfGraded.SKIP and card.kind is Kind.BASIC)
    ]
    picked = rng.sample(pool, min(count, len(pool)) if count is not None else len(pool))
    # Only basic cards asked as multiple choice draw distractors from the rng: any other exam is
    # the one its seed always gave.
    return [
        as_question((deck.id, card.id), card, rng, self_graded, deck.cards)
        for card in _apart(picked, pool, rng)
    ]


def _apart(picked: list[Card], pool: list[Card], rng: random.Random) -> list[Card]:
    """The draw with each second card of a note swapped, in place, for a card of a note not drawn
    (while there is one). A draw without siblings is returned as it is, drawing nothing more, so a
    seed gives the exam it always gave."""
    notes: set[str] = set()
    repeats: list[int] = []
    for index, card in enumerate(picked):
        note = card.note_id or card.id
        if note in notes:
            repeats.append(index)
        notes.add(note)
    if not repeats:
        return picked
    drawn = {id(card) for card in picked}
    spare = [card for card in pool if id(card) not in drawn and (card.note_id or card.id) not in notes]
    picked = list(picked)
    for index in repeats:
        if not spare:
            break
        swap = spare.pop(rng.randrange(len(spare)))
        picked[index] = swap
        note = swap.note_id or swap.id
        spare = [card for card in spare if (card.note_id or card.id) != note]
    return picked


class Quiz(Struct):
    """A timed mock exam: answer in any order, skip and come back, submit at the end."""

    questions: list[Question]
    started: datetime
    deadline: datetime | None = None
    responses: dict[int, str] = field(default_factory=dict)
    seconds: dict[int, float] = field(default_factory=dict)
    marks: dict[int, Verdict] = field(default_factory=dict)
    """The learner's own marks for self-graded questions (right, partial or wrong)."""
    current: int = 0

    def expired(self, now: datetime) -> bool:
        return self.deadline is not None and now >= self.deadline

    def left(self, now: datetime) -> timedelta | None:
        return None if self.deadline is None else max(timedelta(0), self.deadline - now)

    def answer(
        self, index: int, response: str, now: datetime, spent: float, mark: Verdict | None = None
    ) -> bool:
        """Record an answer (with the learner's mark, for a self-graded question); False (and
        nothing recorded) once time is up."""
        if self.expired(now):
            return False
        self.responses[index] = response
        self.seconds[index] = self.seconds.get(index, 0.0) + spent
        if mark is not None:
            self.marks[index] = mark
        return True

    def final(self, index: int) -> bool:
        """A self-graded question's answer cannot change once its answer was revealed."""
        return index in self.marks

    def spend(self, index: int, spent: float) -> None:
        self.seconds[index] = self.seconds.get(index, 0.0) + spent

    def unanswered(self) -> list[int]:
        return [i for i in range(len(self.questions)) if i not in self.responses]

    def next_unanswered(self, after: int) -> int | None:
        """The next question without an answer, wrapping round; None when all are answered."""
        total = len(self.questions)
        for step in range(1, total + 1):
            index = (after + step) % total
            if index not in self.responses:
                return index
        return None


class QuestionResult(Struct, frozen=True):
    """How one question went: unanswered questions have no response and count as wrong."""

    number: int
    question: Question
    response: str | None
    grade: Grade
    seconds: float

    @property
    def self_marked(self) -> bool:
        """The mark is the learner's own (a self-graded question that was answered)."""
        return self.question.self_graded and self.response is not None


class TagScore(Struct, frozen=True):
    tag: str
    questions: int
    score: float


class QuizResult(Struct, frozen=True):
    """A finished exam: the score, pass or fail, a table by tag and every question."""

    deck_id: str
    deck_title: str
    started: datetime
    finished: datetime
    items: tuple[QuestionResult, ...]
    pass_mark: float | None = None
    seed: int | None = None
    time_limit: timedelta | None = None
    timed_out: bool = False

    @property
    def score(self) -> float:
        """The share of marks earned (partial answers earn part of a mark), from 0 to 1."""
        return sum(item.grade.score for item in self.items) / len(self.items) if self.items else 0.0

    @property
    def right(self) -> int:
        return sum(item.grade.right for item in self.items)

    @property
    def self_marked(self) -> int:
        """How many marks the learner gave themselves."""
        return sum(item.self_marked for item in self.items)

    @property
    def passed(self) -> bool | None:
        return None if self.pass_mark is None else self.score * 100 >= self.pass_mark - 1e-9

    @property
    def missed(self) -> tuple[QuestionResult, ...]:
        return tuple(item for item in self.items if not item.grade.right)

    def by_tag(self) -> list[TagScore]:
        """Score per tag, weakest first."""
        totals: dict[str, list[float]] = {}
        for item in self.items:
            for tag in item.question.card.tags or ("(untagged)",):
                totals.setdefault(tag, []).append(item.grade.score)
        rows = [TagScore(tag, len(scores), sum(scores) / len(scores)) for tag, scores in totals.items()]
        return sorted(rows, key=lambda row: (row.score, -row.questions, row.tag))


MARK_SCORES = {Verdict.RIGHT: 1.0, Verdict.PARTIAL: 0.5, Verdict.WRONG: 0.0, Verdict.TYPO: 1.0}
"""What a learner's own mark earns: partly right is half a mark."""


def score_quiz(
    quiz: Quiz,
    deck: Deck,
    finished: datetime,
    *,
    pass_mark: float | None = None,
    seed: int | None = None,
) -> QuizResult:
    """Grade every question; anything unanswered (skipped, or left when time ran out) is wrong."""
    items = []
    for index, question in enumerate(quiz.questions):
        response = quiz.responses.get(index)
        mark = quiz.marks.get(index)
        if response is None:
            result = Grade(Verdict.WRONG, 0.0, question.card.answer, "")
        elif question.self_graded:
            verdict = mark or Verdict.WRONG
            result = Grade(verdict, MARK_SCORES[verdict], question.card.answer, response.strip())
        else:
            result = grade(question.card, response, question.shown or None)
        items.append(
            QuestionResult(index + 1, question, response, result, round(quiz.seconds.get(index, 0.0), 3))
        )
    limit = quiz.deadline - quiz.started if quiz.deadline else None
    return QuizResult(
        deck.id,
        deck.title,
        quiz.started,
        finished,
        tuple(items),
        pass_mark,
        seed,
        limit,
        quiz.expired(finished),
    )
