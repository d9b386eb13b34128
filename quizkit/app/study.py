"""Studying: each deck's plan for today (scheduler, limits, what is done), the session built from
the store, and `Study`, which commits every answer, burial and suspension before the next card."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from quizkit.app.env import Environment
from quizkit.app.library import load_decks
from quizkit.core import scheduler
from quizkit.core.session import days_back, exam_limits
from quizkit.model import Deck, Key, Mode, Rating
from quizkit.store.progress import Action, Store

if TYPE_CHECKING:
    from quizkit.core.session import Change, DeckPlan, Session


def plan_decks(
    env: Environment,
    store: Store,
    loaded: Sequence[Deck],
    now: datetime,
    *,
    new: int | None = None,
    reviews: int | None = None,
    exam_date: date | None = None,
) -> list[DeckPlan]:
    """Each deck's scheduler, limits and what it has already done today.

    `exam_date` (the command line's) is remembered for these decks; each deck's intervals are
    capped at its exam date in force (app.exam_dates) unless that has passed."""
    from quizkit.app import exam_dates
    from quizkit.core.session import DeckPlan
    from quizkit.core.settings import Limits

    if exam_date is not None:
        exam_dates.remember(env, store, loaded, exam_date, now)
    from quizkit.store.fitted import FittedParameters

    caps = exam_dates.caps(env, store, loaded, now, exam_date)
    fitted = FittedParameters(store)
    plans = []
    for deck in loaded:
        config = env.settings.scheduler_config(deck, fitted.get(deck.id))
        since = scheduler.day_start(scheduler.study_day(now, config), config)
        new_done, reviews_done = store.answered_since(deck.id, since)
        limits = Limits(
            new_per_day=_first(new, deck.settings.new_per_day, env.settings.new_per_day),
            reviews_per_day=_first(reviews, deck.settings.reviews_per_day, env.settings.reviews_per_day),
        )
        cap = caps.get(deck.id)
        if cap is not None:
            limits = exam_limits(limits, cap, scheduler.study_day(now, config), store.unseen(deck), new_done)
        bury = (
            env.settings.bury_siblings if deck.settings.bury_siblings is None else deck.settings.bury_siblings
        )
        plans.append(
            DeckPlan(deck, config, limits, new_done, reviews_done, cap, env.settings.max_answer_seconds, bury)
        )
    return plans


def _first(*values: int | None) -> int:
    return next(v for v in values if v is not None)


def start_session(
    env: Environment,
    store: Store,
    loaded: Sequence[Deck],
    now: datetime,
    *,
    tags: Sequence[str] = (),
    new: int | None = None,
    reviews: int | None = None,
    exam_date: date | None = None,
    ahead: int | None = None,
    forgotten_days: int | None = None,
) -> Session:
    """Today's session; `ahead` and `forgotten_days` are Anki's custom study (core.session)."""
    import random

    from quizkit.core.session import Session

    plans = plan_decks(env, store, loaded, now, new=new, reviews=reviews, exam_date=exam_date)
    states = {
        (deck.id, card_id): state for deck in loaded for card_id, state in store.states(deck.id).items()
    }
    rng = random.Random(int(now.timestamp()))
    if forgotten_days is not None:
        forgotten = [
            (plan.deck.id, card_id)
            for plan in plans
            for card_id in store.forgotten(plan.deck.id, days_back(now, plan.config, forgotten_days))
        ]
        return Session.forgotten(plans, states, forgotten, now, tags=tags, rng=rng)
    return Session.start(
        plans,
        states,
        now,
        tags=tags,
        new_order=env.settings.new_order,
        rng=rng,
        ahead=ahead,
    )


def custom_study(ahead: int | None, forgotten_days: int | None, new: int | None, limit: int | None) -> None:
    """Check that custom study's options fit together: one kind at a time, outside the daily limits."""
    from quizkit.errors import UsageError

    if ahead is not None and forgotten_days is not None:
        raise UsageError("--ahead and --forgotten are two kinds of custom study: use one at a time")
    if ahead is not None and ahead < 1 or forgotten_days is not None and forgotten_days < 1:
        raise UsageError("--ahead and --days count days: give 1 or more")
    if ahead is not None or forgotten_days is not None:
        for name, value in (("--new", new), ("--limit", limit)):
            if value is not None:
                raise UsageError(
                    f"{name} sets a daily limit; custom study (--ahead, --forgotten) is outside them"
                )


def nothing_forgotten(days: int) -> str:
    when = "today" if days == 1 else f"in the last {days} days"
    return f"No card was answered Again {when}."


class NoUndo(Enum):
    """Why `u` undid nothing (the value is what the learner reads)."""

    NOTHING = "nothing to undo"
    ANSWERED_ELSEWHERE = "not undone: that card was answered since, in another terminal"
    CHANGED_ELSEWHERE = "not undone: that card was changed since, in another terminal"
    FILE_CHANGED = "not undone: the deck file was changed again since that edit"


class Undid(Enum):
    """What `u` took back (the value is what the learner reads)."""

    ANSWER = "answer"
    BURY = "bury"
    SUSPEND = "suspension"
    UNSUSPEND = "unsuspension"
    EDIT = "edit"


class Undone(Struct, frozen=True):
    what: Undid
    key: Key | None
    """The card to show again (None for an edit, which puts the deck back as it was)."""
    path: Path | None = None


class Edit(Struct, frozen=True):
    """An edit of a deck file made during this session: undo writes the old text back."""

    path: Path
    before: bytes
    after: bytes
    after_review: int
    after_change: int


_UNDID = {Action.BURY: Undid.BURY, Action.SUSPEND: Undid.SUSPEND, Action.UNSUSPEND: Undid.UNSUSPEND}


class Study:
    """A review session bound to the store: every change is committed before the next card.

    Another terminal may be studying the same decks: each answer is computed from the card's
    state in the store, read in the answer's own write transaction, and undo only takes back an
    answer given from here (`origin`), and only while nobody has answered that card since.

    One undo stack covers answers, burials, suspensions (all in the store, so undo works after a
    restart) and edits of a deck file made in this session (kept here: the file's text before).
    """

    def __init__(self, store: Store, session: Session, origin: str | None = None) -> None:
        self.store = store
        self.session = session
        self.origin = origin
        self.edits: list[Edit] = []

    @property
    def mode(self) -> Mode:
        """Why the answers are given (the session's mode): logged with each one."""
        return self.session.mode

    def changed(self, key: Key) -> bool:
        """Whether the card's text changed since it was last reviewed (its progress is kept)."""
        stored = self.store.fingerprint(key[0], key[1])
        return stored is not None and stored != self.session.cards[key].fingerprint

    def rate(
        self,
        key: Key,
        rating: Rating,
        now: datetime,
        *,
        proposed: Rating | None = None,
        answer: str | None = None,
        correct: bool | None = None,
        graded: bool | None = None,
        duration_ms: int | None = None,
    ) -> Change:

        from quizkit.store.progress import Answer

        with self.store.write(now):  # one transaction: read the card's state, answer, record
            if self.mode is not Mode.QUIZ:
                stored = self.store.state(key[0], key[1])
                if stored != self.session.state(key):
                    self.session.refresh(key, stored)  # answered meanwhile in another terminal
            change = self.session.answer(key, rating, now)
            config = self.session.plans[key[0]].config
            self.store.record(
                Answer(
                    deck_id=key[0],
                    card_id=key[1],
                    at=now,
                    rating=rating,
                    before=change.before,
                    after=change.after,
                    mode=self.mode,
                    proposed=proposed,
                    answer=answer,
                    correct=correct,
                    graded=graded,
                    duration_ms=self.session.plans[key[0]].answer_ms(duration_ms),
                    fingerprint=change.card.fingerprint,
                    scheduler=json.dumps(config.to_dict(), sort_keys=True),
                    origin=self.origin,
                    cap=self.session.plans[key[0]].cap,
                )
            )
        return change

    def undo(self, now: datetime) -> Undone | NoUndo:
        """Undo the latest thing done from here in these decks (an answer, a burial, a suspension,
        an edit), even from an earlier session; cram answers never changed the schedule."""
        review = None
        if self.mode is Mode.REVIEW:
            review = self.store.last_review(self.session.plans, self.origin)
        # Burials and suspensions change the store in every mode (cram too): they always undo.
        change = self.store.last_change(self.session.plans, self.origin)
        edit = self.edits[-1] if self.edits else None
        review_id = review.id if review is not None else 0
        if (
            edit is not None
            and edit.after_review >= review_id
            and edit.after_change >= (change.id if change else 0)
        ):
            return self._undo_edit(edit)
        if change is not None and change.after_review >= review_id:
            if not self.store.undo_change(change, now):
                return NoUndo.CHANGED_ELSEWHERE
            key = (change.deck_id, change.card_id)
            self.session.restore(key, change.before, now)
            return Undone(_UNDID[change.action], key)
        if review is None:
            return NoUndo.NOTHING
        if not self.store.undo(review, now):
            return NoUndo.ANSWERED_ELSEWHERE
        key = (review.deck_id, review.card_id)
        self.session.undo(key, review.before, now)
        return Undone(Undid.ANSWER, key)

    def _undo_edit(self, edit: Edit) -> Undone | NoUndo:
        from quizkit.io import disk

        try:
            current = edit.path.read_bytes()
        except OSError:
            current = None
        if current != edit.after:
            return NoUndo.FILE_CHANGED
        disk.write_atomic(edit.path, edit.before)
        self.edits.pop()
        return Undone(Undid.EDIT, None, edit.path)

    def note_edit(self, path: Path, before: bytes, after: bytes) -> None:
        """Remember an edit of a deck file, for undo (nothing is kept when the text did not change)."""
        if before != after:
            self.edits.append(Edit(path, before, after, *self.store.newest_ids()))

    def bury(self, key: Key, now: datetime) -> Change:
        change = self.session.bury(key, now)
        self.store.change(key[0], key[1], Action.BURY, change.before, change.after, now, self.origin)
        return change

    def suspend(self, key: Key, now: datetime) -> Change:
        change = self.session.suspend(key)
        self.store.change(key[0], key[1], Action.SUSPEND, change.before, change.after, now, self.origin)
        return change


def open_study(
    env: Environment,
    store: Store,
    paths: Sequence[Path],
    now: datetime,
    **options: Any,
) -> Study:
    loaded = load_decks(env, paths)
    return Study(store, start_session(env, store, loaded, now, **options), env.origin)
