"""The review session as a state machine: which card comes next, and what an answer changes.

Queues are built from the decks' plans (limits, what is done today) and the cards' states; learning
cards come back when their step is due. Nothing here reads the clock or the store.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import date, datetime, timedelta

from msgspec import Struct, field
from msgspec.structs import replace

from quizkit.core import scheduler
from quizkit.core.scheduler import SchedulerConfig
from quizkit.core.settings import MAX_ANSWER_SECONDS, Limits
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


def days_back(now: datetime, config: SchedulerConfig, days: int) -> datetime:
    """The start of the study day `days - 1` before today's (1: today's start), as Anki's rated:N
    counts days: what "forgotten in the last N days" looks back to."""
    return scheduler.day_start(scheduler.study_day(now, config) - timedelta(days=max(1, days) - 1), config)


LEARN_AHEAD = timedelta(minutes=20)
"""As in Anki: when nothing else is left, a learning card due within this is shown early."""


class Counts(Struct, frozen=True):
    """Cards left in the session, in Anki's three colours."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


class Change(Struct, frozen=True):
    """What one answer (or bury, or suspend) did to a card: enough to commit and to undo."""

    key: Key
    card: Card
    before: CardState
    after: CardState
    rating: Rating | None = None


class DeckPlan(Struct):
    """One deck's part of the session: its scheduler, its exam cap and what it may still show today."""

    deck: Deck
    config: SchedulerConfig
    limits: Limits
    new_done: int = 0
    reviews_done: int = 0
    cap: date | None = None
    max_answer_seconds: int = MAX_ANSWER_SECONDS
    """The longest answer time recorded (0: no cap), as Anki's: a learner who walked away does not
    turn an answer into an hour of study in the statistics."""
    bury_siblings: bool = True
    """Whether this deck's siblings wait for the next study day (Session.bury_siblings)."""

    def answer_ms(self, duration_ms: int | None) -> int | None:
        """The answer time to record: never negative, at most max_answer_seconds."""
        if duration_ms is None:
            return None
        duration_ms = max(0, duration_ms)
        if self.max_answer_seconds:
            duration_ms = min(duration_ms, self.max_answer_seconds * 1000)
        return duration_ms


class Session(Struct):
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
    bury_siblings: bool = True
    """As Anki buries siblings: a note's other new and review cards wait for the next study day once
    one of its cards is in today's queue or answered today. Nothing is written for it: they are
    only left out of today's queues (learning cards never are)."""
    touched: dict[Key, set[Key]] = field(default_factory=dict)
    """Note (deck id, note id) -> its cards answered today."""
    held: dict[Key, list[Key]] = field(default_factory=dict)
    """Note -> its cards left out of today's queues because of a sibling."""
    _notes: dict[Key, Key] = field(default_factory=dict)
    _members: dict[Key, list[Key]] = field(default_factory=dict)
    """Note -> the cards whose note _note has found: in a review, every card a burying deck has in
    today's queues went through _note on its way in (_admit, restore, _release_sibling)."""

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
        bury_siblings: bool = True,
        ahead: int | None = None,
    ) -> Session:
        """Build the queues: learning due, reviews most at risk first, then new cards in deck order.

        `ahead` (days) is Anki's custom study "review ahead": the review cards due by the end of
        the study day that many days ahead, earliest due first, no daily limits, no new cards.
        Only card ids and tags are read here; a card's content is built when it is shown.
        """
        wanted = set(tags)
        cards = SessionCards({p.deck.id: p.deck for p in plans}, wanted)
        session = cls(
            {p.deck.id: p for p in plans},
            cards,
            dict(states),
            mode=mode,
            bury_siblings=bury_siblings and mode is Mode.REVIEW,
        )
        seen: set[Key] = set()  # notes with a card in today's queues
        reviews: list[tuple[float, Key]] = []
        for plan in plans:
            deck_id = plan.deck.id
            today = scheduler.study_day(now, plan.config)
            today_start = scheduler.day_start(today, plan.config)
            horizon = (
                None if ahead is None else scheduler.day_start(today + timedelta(days=ahead + 1), plan.config)
            )
            deck_reviews: list[tuple[float, Key]] = []
            for key, state in session.states.items():
                if key[0] != deck_id or state.phase is Phase.NEW or key not in cards:
                    continue
                if session.bury_siblings and plan.bury_siblings and _answered_since(state, today_start):
                    session.touched.setdefault(session._note(key), set()).add(key)
                if state.suspended or _buried(state, now):
                    continue
                if state.phase is Phase.REVIEW:
                    if horizon is not None:
                        if state.due is not None and state.due < horizon:
                            deck_reviews.append((state.due.timestamp(), key))
                    elif scheduler.is_due(state, now, plan.config):
                        deck_reviews.append((scheduler.retrievability(state, now, plan.config), key))
                elif horizon is None:
                    session.learning.add(key)
            deck_reviews.sort()
            # Reviewing ahead is outside the daily limits, as Anki's filtered decks are.
            review_left = (
                len(deck_reviews) if horizon is not None else plan.limits.reviews_per_day - plan.reviews_done
            )
            taken = set(session._admitted([key for _, key in deck_reviews], review_left, seen))
            reviews.extend(item for item in deck_reviews if item[1] in taken)
            if horizon is not None:
                continue  # reviewing ahead brings no new cards
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
                    if not in_order or session._admit(key, seen):
                        new_keys.append(key)
            if not in_order:
                (rng or random.Random(0)).shuffle(new_keys)
                new_keys = session._admitted(new_keys, new_left, seen)
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

    @classmethod
    def forgotten(
        cls,
        plans: Sequence[DeckPlan],
        states: Mapping[Key, CardState],
        keys: Iterable[Key],
        now: datetime,
        *,
        tags: Iterable[str] = (),
        rng: random.Random | None = None,
    ) -> Session:
        """Anki's custom study "review forgotten cards": the cards given (those answered Again lately),
        shuffled, misses coming round again, the schedule left alone (Anki does not reschedule them).

        Suspended and buried cards stay out, as they do of Anki's filtered decks.
        """
        cards = SessionCards({p.deck.id: p.deck for p in plans}, set(tags))
        session = cls({p.deck.id: p for p in plans}, cards, dict(states), mode=Mode.CRAM)
        queue = [
            key
            for key in dict.fromkeys(keys)
            if key[0] in session.plans
            and key in cards
            and not session.state(key).suspended
            and not _buried(session.state(key), now)
        ]
        (rng or random.Random(0)).shuffle(queue)
        session.new_queue = queue
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
        if self._buries(key):
            self._hold_siblings(key)
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
        if plan is not None and self._buries(key):
            note = self._note(key)
            today_start = scheduler.day_start(scheduler.study_day(now, plan.config), plan.config)
            if not _answered_since(before, today_start):
                answered = self.touched.get(note, set())
                answered.discard(key)
                if not answered:
                    self.touched.pop(note, None)
        self.restore(key, before, now)
        self._release_sibling(key)

    def restore(self, key: Key, state: CardState, now: datetime) -> None:
        """Put a card back in this state (an undone bury or suspend), at the front of its queue."""
        self._leave_queues(key)
        self.states[key] = state
        if key in self.cards and not state.suspended and not _buried(state, now):
            if state.phase is Phase.NEW:
                self.new_queue.insert(0, key)
            elif state.phase is Phase.REVIEW:
                self.review_queue.insert(0, key)
            else:
                self.learning.add(key)
        if self._buries(key) and (key in self.new_queue or key in self.review_queue):
            self._hold_siblings(key, answered=False)  # back in the queue: its siblings wait again

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
        self._release_sibling(key)  # the card that held its siblings back is gone for today
        return Change(key, self.cards[key], before, after)

    # ------------------------------------------------------------ internals

    def _leave_queues(self, key: Key) -> None:
        if key in self.new_queue:
            self.new_queue.remove(key)
        if key in self.review_queue:
            self.review_queue.remove(key)
        self.learning.discard(key)

    def _buries(self, key: Key) -> bool:
        """Whether the card's siblings wait for tomorrow: a review session, and its deck's setting."""
        plan = self.plans.get(key[0])
        return self.bury_siblings and plan is not None and plan.bury_siblings

    def _note(self, key: Key) -> Key:
        """The note a card belongs to: (deck id, note_of the card)."""
        note = self._notes.get(key)
        if note is None:
            note = self._notes[key] = (key[0], note_of(key[1], lambda: self.cards.get(key)))
            self._members.setdefault(note, []).append(key)
        return note

    def _admit(self, key: Key, seen: set[Key]) -> bool:
        """Whether a new or review card may go into today's queue: False (and held back) when a
        sibling was answered today or is already in the queue."""
        if not self._buries(key):
            return True
        note = self._note(key)
        if note in self.touched or note in seen:
            self.held.setdefault(note, []).append(key)
            return False
        seen.add(note)
        return True

    def _admitted(self, keys: Iterable[Key], limit: int, seen: set[Key]) -> list[Key]:
        """The first `limit` of the keys that _admit lets in (none looked at past the limit)."""
        taken: list[Key] = []
        for key in keys:
            if len(taken) >= limit:
                break
            if self._admit(key, seen):
                taken.append(key)
        return taken

    def _hold_siblings(self, key: Key, *, answered: bool = True) -> None:
        """After an answer (or when the card is back in a queue): its siblings still in today's new
        and review queues wait."""
        note = self._note(key)
        if answered:
            self.touched.setdefault(note, set()).add(key)
        for other in self._queued_siblings(key, note):
            self._leave_queues(other)
            self.held.setdefault(note, []).append(other)

    def _queued_siblings(self, key: Key, note: Key) -> list[Key]:
        """The note's other cards in today's new and review queues, in queue order. A review looks
        only at the note's known cards (a walk of the whole queue took 0.1 ms an answer at 400
        cards); a cram session's queue never went through _note, so it is walked."""
        if self.mode is not Mode.REVIEW:
            return [k for k in (*self.new_queue, *self.review_queue) if k != key and self._note(k) == note]
        found = []
        for other in self._members.get(note, ()):
            if other != key:
                for rank, queue in enumerate((self.new_queue, self.review_queue)):
                    if other in queue:
                        found.append((rank, queue.index(other), other))
        return [other for _, _, other in sorted(found)]

    def _release_sibling(self, key: Key) -> None:
        """When nothing of the card's note is answered today or queued any more (an undo, a bury,
        a suspend), the first sibling held back takes its place in today's queue."""
        if not self._buries(key):
            return
        note = self._note(key)
        if note in self.touched or key in self.new_queue or key in self.review_queue:
            return
        waiting = self.held.get(note, [])
        for index, other in enumerate(waiting):
            state = self.state(other)
            if state.suspended or state.phase not in (Phase.NEW, Phase.REVIEW):
                continue
            del waiting[index]
            (self.new_queue if state.phase is Phase.NEW else self.review_queue).insert(0, other)
            return

    def _due(self, key: Key) -> datetime:
        due = self.state(key).due
        assert due is not None
        return due

    def _due_by(self, key: Key, moment: datetime) -> bool:
        due = self.state(key).due
        return due is not None and due <= moment


_SIBLING_ID = re.compile(r"\.(?:rev|c[0-9]+)$")
"""The id suffixes of a note's further cards (io.deck_parse): a reversed card, a cloze deletion."""


def note_of(card_id: str, card: Callable[[], Card | None]) -> str:
    """The id of the note a card belongs to (the id written in the deck file).

    Only an id ending like a sibling's (.c2, .rev) needs its card (built by `card`) to know; any
    other id is its note's own: a note's first card, or a card without siblings.
    """
    if _SIBLING_ID.search(card_id):
        built = card()
        if built is not None and built.note_id:
            return built.note_id
    return card_id


def _answered_since(state: CardState, moment: datetime) -> bool:
    return state.last_review is not None and state.last_review >= moment


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
