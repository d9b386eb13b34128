"""The data quizkit works with: decks, cards, their scheduling state and reviews.

Everything here is a frozen record (a msgspec Struct) or an enum; nothing reads the clock,
the terminal or the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import overload

from msgspec import Struct, field


class Kind(StrEnum):
    """What a card asks the learner to do."""

    BASIC = "basic"
    TYPED = "typed"
    CHOICE = "choice"
    MULTI = "multi"
    TRUEFALSE = "truefalse"
    CLOZE = "cloze"
    ORDER = "order"

    @property
    def self_graded(self) -> bool:
        """Basic and cloze cards are revealed and rated; the rest are graded by quizkit."""
        return self in (Kind.BASIC, Kind.CLOZE)


class Rating(IntEnum):
    """Anki's four answer buttons; the values are the keys the learner presses."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Phase(IntEnum):
    """Where a card is in its learning life; values match fsrs.State, plus NEW."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class Status(StrEnum):
    """What a card is doing now, as the statistics and the card browser name it.

    Suspended and buried come first: a suspended learning card is "suspended". The other four
    are the card's phase by name.
    """

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"
    SUSPENDED = "suspended"
    BURIED = "buried"

    @property
    def studying(self) -> bool:
        """Learning, in review or relearning: a card that falls due."""
        return self in (Status.LEARNING, Status.REVIEW, Status.RELEARNING)


class SelfGraded(StrEnum):
    """How a mock exam asks the cards a learner grades themselves (basic cards, both sides)."""

    ASK = "ask"
    """Shown, answered, the answer revealed, and marked right, partly right or wrong by the learner."""
    CHOICE = "choice"
    """Asked as multiple choice, the distractors drawn from other cards' answers."""
    SKIP = "skip"
    """Left out of the exam."""


class Mode(StrEnum):
    """Why an answer was given: it decides whether the schedule changes."""

    REVIEW = "review"
    QUIZ = "quiz"
    CRAM = "cram"


class Picture(Struct, frozen=True):
    """An image on a card: its file, relative to the deck file's folder, and its alt text."""

    file: str
    """As written in the deck, with "/" between folders, e.g. "maps/durand-line.png"."""
    alt: str = ""
    """What the image shows, in words: line mode and screen readers say it instead."""

    @property
    def words(self) -> str:
        """What line mode shows for it: the alt text, or the file's name when there is none."""
        return self.alt or self.file.rsplit("/", 1)[-1]


class Card(Struct, frozen=True):
    """One thing to be asked. A cloze note or a reversed basic yields several."""

    id: str
    kind: Kind
    prompt: str
    """The question; for a cloze, the sentence with this card's deletion hidden."""
    answer: str
    """The answer as shown to the learner."""
    accept: tuple[str, ...] = ()
    """Right answers: typed (answer and alternatives), choice (one), multi (all
    right choices), order (the items in order), truefalse ("true" or "false")."""
    choices: tuple[str, ...] = ()
    exact: bool = False
    tags: tuple[str, ...] = ()
    explain: str = ""
    source: str = ""
    line: int = 0
    """Line in the deck file where the card's [[cards]] block starts."""
    note_id: str = ""
    """The id written in the file; several cards share it for cloze and reverse."""
    image: Picture | None = None
    """Shown with the question."""
    answer_image: Picture | None = None
    """Shown with the answer, once it is revealed."""

    @property
    def fingerprint(self) -> str:
        """A digest of what the card asks and accepts: the store notices when it changes."""
        import hashlib

        parts = (
            self.kind.value,
            self.prompt,
            self.answer,
            *self.accept,
            "\x1e",
            *self.choices,
            str(self.exact),
        )
        if self.image is not None or self.answer_image is not None:  # a card without keeps its digest
            parts += ("\x1d", *(p.file if p else "" for p in (self.image, self.answer_image)))
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


class DeckSettings(Struct, frozen=True):
    """Per-deck scheduling settings; None means "use the global default"."""

    retention: float | None = None
    new_per_day: int | None = None
    reviews_per_day: int | None = None
    max_interval: int | None = None
    exam_date: date | None = None
    bury_siblings: bool | None = None
    self_graded: SelfGraded | None = None
    """How a mock exam asks this deck's basic cards ([deck] self_graded); None: ask them."""


class CardList(Sequence[Card]):
    """A deck's cards, each built on first use.

    A 50,000-card deck loads from the cache as its ids and tags plus one encoded record per
    card; a review touches a few dozen of them, so building all 50,000 objects up front would
    be most of the launch.
    """

    def __init__(
        self,
        ids: tuple[str, ...],
        tags: Callable[[], tuple[tuple[str, ...], ...]],
        build: Callable[[int], Card],
    ):
        self.ids = ids
        self._tags = tags
        self._tag_sets: tuple[tuple[str, ...], ...] | None = None
        self._build = build
        self._built: dict[int, Card] = {}
        self._positions: dict[str, int] | None = None
        self._lookups = 0

    @property
    def tags(self) -> tuple[tuple[str, ...], ...]:
        """Each card's tags, in deck order (made on first use: only a tag filter needs them all)."""
        if self._tag_sets is None:
            self._tag_sets = self._tags()
        return self._tag_sets

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Card: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Card, ...]: ...
    def __getitem__(self, index: int | slice) -> Card | tuple[Card, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self.ids))))
        if index < 0:
            index += len(self.ids)
        card = self._built.get(index)
        if card is None:
            if not 0 <= index < len(self.ids):
                raise IndexError(index)
            card = self._built[index] = self._build(index)
        return card

    def __iter__(self) -> Iterator[Card]:
        return (self[i] for i in range(len(self.ids)))

    def position(self, card_id: str) -> int | None:
        # A few lookups (the cards one session shows) scan the ids; many build an index.
        if self._positions is None:
            self._lookups += 1
            if self._lookups <= 32:
                try:
                    return self.ids.index(card_id)
                except ValueError:
                    return None
            self._positions = {card_id: i for i, card_id in enumerate(self.ids)}
        return self._positions.get(card_id)


def card_index(cards: Sequence[Card]) -> tuple[Sequence[str], Sequence[tuple[str, ...]]]:
    """The ids and tags of cards in deck order, without building lazily loaded cards."""
    if isinstance(cards, CardList):
        return cards.ids, cards.tags
    return [card.id for card in cards], [card.tags for card in cards]


class Deck(Struct, frozen=True):
    """A parsed, validated deck file."""

    id: str
    title: str
    path: str
    cards: Sequence[Card]
    description: str = ""
    source: str = ""
    author: str = ""
    settings: DeckSettings = field(default_factory=DeckSettings)

    def card(self, card_id: str) -> Card | None:
        if isinstance(self.cards, CardList):
            index = self.cards.position(card_id)
            return None if index is None else self.cards[index]
        for card in self.cards:
            if card.id == card_id:
                return card
        return None


class CardState(Struct, frozen=True):
    """A card's scheduling state, as the store keeps it."""

    phase: Phase = Phase.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried_until: datetime | None = None
    leech: bool = False


Key = tuple[str, str]
"""(deck id, card id): the identity of a card's progress."""
