"""The review session as a state machine: which card comes next, and what an answer changes.

Queues are built from the decks' plans (limits, what is done today) and the cards' states; learning
cards come back when their step is due. Nothing here reads the clock or the store.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.settings import Limits
from quizkit.model import Card, CardList, CardState, Deck, Key, Mode, Phase, Rating, card_index


def exam_limits(limits: Limits, exam: date, today: date, unseen: int, new_done: int) -> Limits:
    """Raise the new-card limit so that every unseen card is introduced before the exam.

    The cards left (including today's already introduced) are spread evenly over the study days
    left before the exam day; a learner under their usual limit keeps it.
    """
    days_left = (exam - today).days
    if days_left <= 0:
        return limits
    needed = -(-(unseen + new_done) // days_left)  # ceiling division
    return replace(limits, new_per_day=max(limits.new_per_day, needed))


LEARN_AHEAD = timedelta(minutes=20)
"""As in Anki: when nothing else is left, a learning card due within this is shown early."""


@dataclass(frozen=True, slots=True)
class Counts:
    """Cards left in the session, in Anki's three colours."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True, slots=True)
class Change:
    """What one answer (or bury, or suspend) did to a card: enough to commit and to undo."""

    key: Key
    card: Card
    before: CardState
    after: CardState
    rating: Rating | None = None


@dataclass
class DeckPlan:
    """One deck's part of the session: its scheduler, its exam cap and what it may still show today."""

    deck: Deck
    config: SchedulerConfig
    limits: Limits
    new_done: int = 0
    reviews_done: int = 0
    cap: date | None = None


@dataclass
class Session:
    """What is left to study now, across one or more decks."""

    plans: dict[str, DeckPlan]
    cards: MutableMapping[Key, Card]
    states: dict[Key, CardState]
    new_queue: list[Key] = field(default_factory=list)
    review_queue: list[Key] = field(default_factory=list)
    learning: set[Key] = field(default_factory=set)
    mode: Mode = Mode.REVIEW
    """Review schedules each answer. Cram goes through new_queue regardless of the schedule, misses
    coming round again; a quiz answers its own questions. Neither changes a card's state."""

    @classmethod
    def start(
        cls,
        plans: Sequence[DeckPlan],
        states: Mapping[Key, CardState],
        now: datetime,
        *,
        tags: Iterable[str] = (),
        new_order: str = "deck",
        rng: random.Random | None = None,
        mode: Mode = Mode.REVIEW,
    ) -> Session:
        """Build the queues: learning due, reviews most at risk first, then new cards in deck order.

        Only card ids and tags are read here; a card's content is built when it is shown.
        """
        wanted = set(tags)
        cards = SessionCards({p.deck.id: p.deck for p in plans}, wanted)
        session = cls({p.deck.id: p for p in plans}, cards, dict(states), mode=mode)
        reviews: list[tuple[float, Key]] = []
        for plan in plans:
            deck_id = plan.deck.id
            deck_reviews: list[tuple[float, Key]] = []
            for key, state in session.states.items():
                if key[0] != deck_id or state.phase is Phase.NEW or key not in cards:
                    continue
                if state.suspended or _buried(state, now):
                    continue
                if state.phase is Phase.REVIEW:
                    if scheduler.is_due(state, now, plan.config):
                        deck_reviews.append((scheduler.retrievability(state, now, plan.config), key))
                else:
                    session.learning.add(key)
            deck_reviews.sort()
            reviews.extend(deck_reviews[: max(0, plan.limits.reviews_per_day - plan.reviews_done)])
            new_left = max(0, plan.limits.new_per_day - plan.new_done)
            in_order = new_order != "random"
            new_keys: list[Key] = []
            ids, tagsets = card_index(plan.deck.cards)
            for position, card_id in enumerate(ids):
                if in_order and len(new_keys) >= new_left:
                    break
                if wanted and not wanted.intersection(tagsets[position]):
                    continue
                key = (deck_id, card_id)
                existing = session.states.get(key)
                if existing is None or (
                    existing.phase is Phase.NEW and not existing.suspended and not _buried(existing, now)
                ):
                    new_keys.append(key)
            if not in_order:
                (rng or random.Random(0)).shuffle(new_keys)
            session.new_queue.extend(new_keys[:new_left])
        reviews.sort()
        session.review_queue = [key for _, key in reviews]
        return session

    @classmethod
    def cram(
        cls,
        plans: Sequence[DeckPlan],
        states: Mapping[Key, CardState],
        *,
        tags: Iterable[str] = (),
        rng: random.Random | None = None,
    ) -> Session:
        """Every card of the decks (with one of the tags), shuffled, whatever its schedule."""
        cards = SessionCards({p.deck.id: p.deck for p in plans}, set(tags))
        session = cls({p.deck.id: p for p in plans}, cards, dict(states), mode=Mode.CRAM)
        session.new_queue = cram_queue(plans, tags, rng)
        return session

    # ------------------------------------------------------------ asking

    def counts(self, now: datetime) -> Counts:
        learning_due = sum(1 for key in self.learning if self._due_by(key, now + LEARN_AHEAD))
        return Counts(len(self.new_queue), learning_due, len(self.review_queue))

    def next(self, now: datetime) -> Key | None:
        """The card to show now, or None when the session is over for now."""
        due_learning = sorted((self._due(key), key) for key in self.learning if self._due_by(key, now))
        if due_learning:
            return due_learning[0][1]
        if self.review_queue:
            return self.review_queue[0]
        if self.new_queue:
            return self.new_queue[0]
        ahead = sorted((self._due(key), key) for key in self.learning if self._due_by(key, now + LEARN_AHEAD))
        return ahead[0][1] if ahead else None

    def next_learning_due(self) -> datetime | None:
        """When the earliest learning card comes back (for 'come back in 8 minutes')."""
        dues = [self._due(key) for key in self.learning]
        return min(dues) if dues else None

    def preview(self, key: Key, now: datetime) -> dict[Rating, timedelta]:
        if self.mode is not Mode.REVIEW:
            return {}
        plan = self.plans[key[0]]
        return scheduler.preview(self.state(key), now, plan.config, key=fuzz_key(key), cap=plan.cap)

    def state(self, key: Key) -> CardState:
        return self.states.get(key, CardState())

    # ------------------------------------------------------------ answering

    def answer(self, key: Key, rating: Rating, now: datetime) -> Change:
        """Apply a rating; returns the change for the store to commit."""
        plan = self.plans[key[0]]
        before = self.state(key)
        if self.mode is Mode.QUIZ:
            return Change(key, self.cards[key], before, before, rating)  # logged, the schedule left alone
        if self.mode is Mode.CRAM:
            # Missed cards come round again at the end; the schedule is left alone.
            self.new_queue.remove(key)
            if rating is Rating.AGAIN:
                self.new_queue.append(key)
            return Change(key, self.cards[key], before, before, rating)
        after = scheduler.review(before, rating, now, plan.config, key=fuzz_key(key), cap=plan.cap)
        self._leave_queues(key)
        if before.phase is Phase.NEW:
            plan.new_done += 1
        elif before.phase is Phase.REVIEW:
            plan.reviews_done += 1
        if after.phase in (Phase.LEARNING, Phase.RELEARNING) and not after.suspended:
            self.learning.add(key)
        self.states[key] = after
        return Change(key, self.cards[key], before, after, rating)

    def refresh(self, key: Key, state: CardState) -> None:
        """Take the card's state as the store has it now (another terminal answered it): the card
        stays in the queue it is being asked from, and the answer is computed from this state."""
        self.states[key] = state

    def undo(self, key: Key, before: CardState, now: datetime) -> None:
        """Put a card back as it was before its last answer, at the front of its queue."""
        plan = self.plans.get(key[0])
        self._leave_queues(key)
        self.states[key] = before
        if plan is not None:
            if before.phase is Phase.NEW:
                plan.new_done = max(0, plan.new_done - 1)
            elif before.phase is Phase.REVIEW:
                plan.reviews_done = max(0, plan.reviews_done - 1)
        self.restore(key, before, now)

    def restore(self, key: Key, state: CardState, now: datetime) -> None:
        """Put a card back in this state (an undone bury or suspend), at the front of its queue."""
        self._leave_queues(key)
        self.states[key] = state
        if key not in self.cards or state.suspended or _buried(state, now):
            return
        if state.phase is Phase.NEW:
            self.new_queue.insert(0, key)
        elif state.phase is Phase.REVIEW:
            self.review_queue.insert(0, key)
        else:
            self.learning.add(key)

    def bury(self, key: Key, now: datetime) -> Change:
        """Hide the card until the next study day starts."""
        plan = self.plans[key[0]]
        tomorrow = scheduler.study_day(now, plan.config) + timedelta(days=1)
        return self._set(
            key, replace(self.state(key), buried_until=scheduler.day_start(tomorrow, plan.config))
        )

    def suspend(self, key: Key) -> Change:
        return self._set(key, replace(self.state(key), suspended=True))

    def _set(self, key: Key, after: CardState) -> Change:
        before = self.state(key)
        self._leave_queues(key)
        self.states[key] = after
        return Change(key, self.cards[key], before, after)

    # ------------------------------------------------------------ internals

    def _leave_queues(self, key: Key) -> None:
        if key in self.new_queue:
            self.new_queue.remove(key)
        if key in self.review_queue:
            self.review_queue.remove(key)
        self.learning.discard(key)

    def _due(self, key: Key) -> datetime:
        due = self.state(key).due
        assert due is not None
        return due

    def _due_by(self, key: Key, moment: datetime) -> bool:
        due = self.state(key).due
        return due is not None and due <= moment


def _buried(state: CardState, now: datetime) -> bool:
    return state.buried_until is not None and now < state.buried_until


def fuzz_key(key: Key) -> str:
    return f"{key[0]}/{key[1]}"


def cram_queue(
    plans: Sequence[DeckPlan], tags: Iterable[str] = (), rng: random.Random | None = None
) -> list[Key]:
    """Every card of the decks (with one of the tags), shuffled: cram ignores the schedule."""
    wanted = set(tags)
    keys = [
        (plan.deck.id, card.id)
        for plan in plans
        for card in plan.deck.cards
        if not wanted or wanted & set(card.tags)
    ]
    (rng or random.Random(0)).shuffle(keys)
    return keys


class SessionCards(MutableMapping[Key, Card]):
    """The cards a session may show, by key, built on first use (and replaced after an edit)."""

    def __init__(self, decks: Mapping[str, Deck], wanted: set[str]) -> None:
        self.decks = dict(decks)
        self.wanted = wanted
        self._replaced: dict[Key, Card] = {}
        self._by_id: dict[str, dict[str, Card]] = {}

    def _lookup(self, key: Key) -> Card | None:
        card = self._replaced.get(key)
        if card is not None:
            return card
        deck = self.decks.get(key[0])
        if deck is None:
            return None
        if isinstance(deck.cards, CardList):
            card = deck.card(key[1])
        else:
            index = self._by_id.get(deck.id)
            if index is None:
                index = self._by_id[deck.id] = {c.id: c for c in deck.cards}
            card = index.get(key[1])
        if card is None or (self.wanted and not self.wanted.intersection(card.tags)):
            return None
        return card

    def __getitem__(self, key: Key) -> Card:
        card = self._lookup(key)
        if card is None:
            raise KeyError(key)
        return card

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and self._lookup(key) is not None

    def __setitem__(self, key: Key, card: Card) -> None:
        self._replaced[key] = card

    def __delitem__(self, key: Key) -> None:
        raise TypeError("cards are not removed from a session")

    def __iter__(self) -> Iterator[Key]:
        for deck in self.decks.values():
            ids, tagsets = card_index(deck.cards)
            for card_id, card_tags in zip(ids, tagsets, strict=True):
                if not self.wanted or self.wanted.intersection(card_tags):
                    yield (deck.id, card_id)
        yield from (key for key in self._replaced if key[0] not in self.decks)

    def __len__(self) -> int:
        return sum(1 for _ in self)
