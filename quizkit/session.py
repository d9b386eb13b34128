"""The review session as a state machine: which card comes next, and what an answer changes.

No I/O here: the app layer loads states from the store, feeds answers in, and
commits each returned change before asking for the next card.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from quizkit import scheduler
from quizkit.model import Card, CardState, Deck, Phase, Rating
from quizkit.scheduler import SchedulerConfig

LEARN_AHEAD = timedelta(minutes=20)
"""As in Anki: when nothing else is left, a learning card due within this is shown early."""

Key = tuple[str, str]
"""(deck id, card id): the identity of a card's progress."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Daily limits for one deck."""

    new_per_day: int = 20
    reviews_per_day: int = 200


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
    cards: dict[Key, Card]
    states: dict[Key, CardState]
    new_queue: list[Key] = field(default_factory=list)
    review_queue: list[Key] = field(default_factory=list)
    learning: set[Key] = field(default_factory=set)

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
    ) -> Session:
        """Build the queues: learning due, reviews most at risk first, then new cards in deck order."""
        wanted = set(tags)
        session = cls({p.deck.id: p for p in plans}, {}, dict(states))
        reviews: list[tuple[float, Key]] = []
        for plan in plans:
            new_left = max(0, plan.limits.new_per_day - plan.new_done)
            new_keys: list[Key] = []
            deck_reviews: list[tuple[float, Key]] = []
            for card in plan.deck.cards:
                if wanted and not wanted & set(card.tags):
                    continue
                key = (plan.deck.id, card.id)
                session.cards[key] = card
                state = session.states.get(key, CardState())
                if state.suspended or _buried(state, now):
                    continue
                if state.phase is Phase.NEW:
                    new_keys.append(key)
                elif state.phase is Phase.REVIEW:
                    if scheduler.is_due(state, now, plan.config):
                        deck_reviews.append((scheduler.retrievability(state, now, plan.config), key))
                else:
                    session.learning.add(key)
            if new_order == "random":
                (rng or random.Random(0)).shuffle(new_keys)
            session.new_queue.extend(new_keys[:new_left])
            deck_reviews.sort()
            reviews.extend(deck_reviews[: max(0, plan.limits.reviews_per_day - plan.reviews_done)])
        reviews.sort()
        session.review_queue = [key for _, key in reviews]
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
        plan = self.plans[key[0]]
        return scheduler.preview(self.state(key), now, plan.config, key=_fuzz_key(key), cap=plan.cap)

    def state(self, key: Key) -> CardState:
        return self.states.get(key, CardState())

    # ------------------------------------------------------------ answering

    def answer(self, key: Key, rating: Rating, now: datetime) -> Change:
        """Apply a rating; returns the change for the store to commit."""
        plan = self.plans[key[0]]
        before = self.state(key)
        after = scheduler.review(before, rating, now, plan.config, key=_fuzz_key(key), cap=plan.cap)
        self._leave_queues(key)
        if before.phase is Phase.NEW:
            plan.new_done += 1
        elif before.phase is Phase.REVIEW:
            plan.reviews_done += 1
        if after.phase in (Phase.LEARNING, Phase.RELEARNING) and not after.suspended:
            self.learning.add(key)
        self.states[key] = after
        return Change(key, self.cards[key], before, after, rating)

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
        if key not in self.cards or before.suspended or _buried(before, now):
            return
        if before.phase is Phase.NEW:
            self.new_queue.insert(0, key)
        elif before.phase is Phase.REVIEW:
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


def _fuzz_key(key: Key) -> str:
    return f"{key[0]}/{key[1]}"
