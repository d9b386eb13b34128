"""Progress: each card's scheduling state and the review log.

Every answer is one transaction: the card's new state and its review-log row are committed
together before the next card is shown. The review log is append-only; undo is recorded in its
own table rather than by deleting rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypedDict

from msgspec import Struct

from quizkit.errors import StoreError
from quizkit.model import CardState, Deck, Key, Mode, Phase, Rating
from quizkit.store.db import (
    Database,
    damage,
    from_ms,
    log_order,
    to_ms,
)

SYNC_ORIGIN = "sync:"
"""The origin of another device's answers and changes (quizkit sync, followed by its device id):
undo here never takes them back (the queries below leave out origins that start with it)."""

_BAD_VALUE = (ValueError, TypeError, KeyError, OverflowError, AttributeError)
"""What a damaged value raises when it is made a state (json's error is a ValueError)."""


class StateDict(TypedDict):
    """The serialized shape of a CardState, as kept in the review log."""

    phase: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: str | None
    last_review: str | None
    reps: int
    lapses: int
    suspended: bool
    buried_until: str | None
    leech: bool


def state_to_dict(state: CardState) -> StateDict:
    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return StateDict(
        phase=int(state.phase),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=moment(state.due),
        last_review=moment(state.last_review),
        reps=state.reps,
        lapses=state.lapses,
        suspended=state.suspended,
        buried_until=moment(state.buried_until),
        leech=state.leech,
    )


def state_from_dict(raw: StateDict) -> CardState:
    def moment(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value is not None else None

    return CardState(
        phase=Phase(raw["phase"]),
        step=raw["step"],
        stability=raw["stability"],
        difficulty=raw["difficulty"],
        due=moment(raw["due"]),
        last_review=moment(raw["last_review"]),
        reps=raw["reps"],
        lapses=raw["lapses"],
        suspended=raw["suspended"],
        buried_until=moment(raw["buried_until"]),
        leech=raw["leech"],
    )


class Answer(Struct, frozen=True):
    """One answer, as the session hands it to the store."""

    deck_id: str
    card_id: str
    at: datetime
    rating: Rating
    before: CardState
    after: CardState
    mode: Mode = Mode.REVIEW
    proposed: Rating | None = None
    answer: str | None = None
    correct: bool | None = None
    duration_ms: int | None = None
    fingerprint: str | None = None
    scheduler: str | None = None
    """The scheduler's configuration as JSON (deduplicated in its own table)."""
    origin: str | None = None
    """Where the answer was given (see app.env.Environment.origin): undo takes back only its own."""
    graded: bool | None = None
    """The automatic verdict on a typed or chosen answer; `correct` is the learner's, if overridden."""
    imported_from: int | None = None
    """Anki's revlog id of an answer imported from Anki (never undone, never imported twice)."""
    cap: date | None = None
    """The exam date the interval was shortened for (scheduler.review's cap): a replay needs it."""


class LoggedReview(Struct, frozen=True):
    """A row of the review log."""

    id: int
    deck_id: str
    card_id: str
    at: datetime
    rating: Rating
    mode: Mode
    before: CardState
    after: CardState


_CARD_COLUMNS = (
    "phase, step, stability, difficulty, due, last_review, reps, lapses, suspended, buried_until, leech"
)


_PHASES = frozenset(int(phase) for phase in Phase)
_FIRST_MS, _LAST_MS = -62135596800000, 253402300799999
"""The epoch milliseconds a datetime holds (years 1 to 9999)."""


def _state_from_row(row: sqlite3.Row | tuple[Any, ...]) -> CardState:
    try:
        return _unchecked_state_from_row(row)
    except _BAD_VALUE as error:
        raise damage(None, f"a card's stored state is invalid ({error})") from None


def _unchecked_state_from_row(row: sqlite3.Row | tuple[Any, ...]) -> CardState:
    phase, step, stability, difficulty, due, last, reps, lapses, suspended, buried, leech = row
    return CardState(
        Phase(phase),
        step,
        stability,
        difficulty,
        from_ms(due),
        from_ms(last),
        reps,
        lapses,
        bool(suspended),
        from_ms(buried),
        bool(leech),
    )


def _state_row(state: CardState) -> tuple[Any, ...]:
    return (
        int(state.phase),
        state.step,
        state.stability,
        state.difficulty,
        to_ms(state.due),
        to_ms(state.last_review),
        state.reps,
        state.lapses,
        int(state.suspended),
        to_ms(state.buried_until),
        int(state.leech),
    )


class Action(Enum):
    """What the learner did to a card besides answering it: undoable, so it is logged."""

    BURY = "bury"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"


class LoggedChange(Struct, frozen=True):
    """A row of the change log (bury, suspend, unsuspend)."""

    id: int
    deck_id: str
    card_id: str
    at: datetime
    action: Action
    before: CardState
    after: CardState
    after_review: int
    """The newest review id when it was made: it is newer than every review up to that id."""


class Store(Database):
    """The progress database, read and written card by card."""

    # ------------------------------------------------------------ card states

    def states(self, deck_id: str) -> dict[str, CardState]:
        rows = self.db.execute(
            f"SELECT card_id, {_CARD_COLUMNS} FROM cards WHERE deck_id = ?", (deck_id,)
        ).fetchall()
        return {row[0]: _state_from_row(row[1:]) for row in rows}

    def memory_rows(self, deck_id: str) -> list[tuple[Any, ...]]:
        """Each stored card of a deck as (card_id, phase, stability, difficulty, due, last_review,
        suspended), times in epoch milliseconds: what a projection of 50,000 cards reads, checked
        as states() checks it, without building a CardState or a datetime for each card."""
        rows = self.db.execute(
            """SELECT card_id, phase, stability, difficulty, due, last_review, suspended
               FROM cards WHERE deck_id = ?""",
            (deck_id,),
        ).fetchall()
        # The checks in SQL (a scan of the deck's rows there is cheaper than a loop here).
        damaged = self.db.execute(
            f"""SELECT card_id FROM cards WHERE deck_id = :deck
                AND (phase NOT IN ({", ".join(str(p) for p in sorted(_PHASES))})
                     OR due NOT BETWEEN :low AND :high OR last_review NOT BETWEEN :low AND :high)""",
            {"deck": deck_id, "low": _FIRST_MS, "high": _LAST_MS},
        ).fetchall()
        for (card_id,) in damaged:
            self.state(deck_id, card_id)  # raises the damage it finds, as states() would
        return rows

    def state(self, deck_id: str, card_id: str) -> CardState:
        row = self.db.execute(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)
        ).fetchone()
        return CardState() if row is None else _state_from_row(row)

    def unseen(self, deck: Deck) -> int:
        """Cards of the deck never answered in review (new, or only buried or suspended)."""
        seen = {
            row[0]
            for row in self.db.execute(
                "SELECT card_id FROM cards WHERE deck_id = ? AND phase != 0", (deck.id,)
            )
        }
        return sum(1 for card in deck.cards if card.id not in seen)

    def fingerprint(self, deck_id: str, card_id: str) -> str | None:
        row = self.db.execute(
            "SELECT fingerprint FROM cards WHERE deck_id = ? AND card_id = ?", (deck_id, card_id)
        ).fetchone()
        return None if row is None else row[0]

    def fingerprints(self, deck_id: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT card_id, fingerprint FROM cards WHERE deck_id = ? AND fingerprint IS NOT NULL", (deck_id,)
        )
        return dict(rows.fetchall())

    def _put_state(self, deck_id: str, card_id: str, state: CardState, fingerprint: str | None) -> None:
        self.db.execute(
            f"""INSERT INTO cards (deck_id, card_id, {_CARD_COLUMNS}, fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (deck_id, card_id) DO UPDATE SET
                  phase = excluded.phase, step = excluded.step, stability = excluded.stability,
                  difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
                  reps = excluded.reps, lapses = excluded.lapses, suspended = excluded.suspended,
                  buried_until = excluded.buried_until, leech = excluded.leech,
                  fingerprint = coalesce(excluded.fingerprint, cards.fingerprint)""",
            (deck_id, card_id, *_state_row(state), fingerprint),
        )

    def set_state(self, deck_id: str, card_id: str, state: CardState, now: datetime) -> None:
        """Change a card's state outside an answer, in its own transaction (not undoable)."""
        with self.write(now):
            self._put_state(deck_id, card_id, state, None)

    def change(
        self,
        deck_id: str,
        card_id: str,
        action: Action,
        before: CardState,
        after: CardState,
        now: datetime,
        origin: str | None = None,
    ) -> int:
        """Change a card's state (bury, suspend...) and log it for undo, in one transaction."""
        with self.write(now):
            self._put_state(deck_id, card_id, after, None)
            newest = self.db.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
            cursor = self.db.execute(
                """INSERT INTO changes (deck_id, card_id, changed_at, action, state_before, state_after,
                       after_review, origin)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    deck_id,
                    card_id,
                    to_ms(now),
                    action.value,
                    json.dumps(state_to_dict(before)),
                    json.dumps(state_to_dict(after)),
                    newest,
                    origin,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def newest_ids(self) -> tuple[int, int]:
        """The newest review id and change id: where an edit made now sits in the undo order."""
        row = self.db.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM reviews), (SELECT coalesce(max(id), 0) FROM changes)"
        ).fetchone()
        return int(row[0]), int(row[1])

    def review_history(self, deck_id: str | None = None) -> dict[str, list[tuple[datetime, Rating]]]:
        """Each card's answers in review mode (imported from Anki too, undone ones left out), in
        time order, keyed by deck and card: what `quizkit optimize` fits."""
        histories: dict[str, list[tuple[datetime, Rating]]] = {}
        for deck, card, at, rating in self.db.execute(
            f"""SELECT deck_id, card_id, reviewed_at, rating FROM reviews r
               WHERE mode = 'review' AND (? IS NULL OR deck_id = ?)
                 AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
               ORDER BY {log_order()}""",
            (deck_id, deck_id),
        ):
            moment = from_ms(at)
            if moment is not None:
                histories.setdefault(f"{deck}\x1f{card}", []).append((moment, Rating(rating)))
        return histories

    def last_change(self, deck_ids: Iterable[str], origin: str | None = None) -> LoggedChange | None:
        """The latest change in these decks made from `origin` that has not been undone."""
        ids = list(deck_ids)
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.db.execute(
            f"""SELECT id, deck_id, card_id, changed_at, action, state_before, state_after, after_review
                FROM changes
                WHERE deck_id IN ({marks}) AND undone_at IS NULL
                  AND (? IS NULL OR origin IS NULL OR origin = ?)
                  AND coalesce(origin, '') NOT LIKE 'sync:%'
                ORDER BY id DESC LIMIT 1""",
            [*ids, origin, origin],
        ).fetchone()
        if row is None:
            return None
        try:
            return LoggedChange(
                row[0],
                row[1],
                row[2],
                from_ms(row[3]) or datetime.min.replace(tzinfo=UTC),
                Action(row[4]),
                state_from_dict(json.loads(row[5])),
                state_from_dict(json.loads(row[6])),
                int(row[7]),
            )
        except StoreError:
            raise
        except _BAD_VALUE as error:
            raise damage(self.path, f"change {row[0]} in the log is invalid ({error})") from None

    def undo_change(self, change: LoggedChange, now: datetime) -> bool:
        """Put the card back as it was before `change`, if nothing has changed it since."""
        with self.write(now):
            if _state_row(self.state(change.deck_id, change.card_id)) != _state_row(change.after):
                return False
            self.db.execute("UPDATE changes SET undone_at = ? WHERE id = ?", (to_ms(now), change.id))
            if change.before == CardState():
                self.db.execute(
                    "DELETE FROM cards WHERE deck_id = ? AND card_id = ?", (change.deck_id, change.card_id)
                )
            else:
                self._put_state(change.deck_id, change.card_id, change.before, None)
        return True

    # ------------------------------------------------------------ the review log

    def record(self, answer: Answer) -> int:
        """Commit one answer: the new state (for review mode) and its log row, together."""
        with self.write(answer.at):
            scheduler_id = None
            if answer.scheduler is not None:
                self.db.execute("INSERT OR IGNORE INTO schedulers (config) VALUES (?)", (answer.scheduler,))
                scheduler_id = self.db.execute(
                    "SELECT id FROM schedulers WHERE config = ?", (answer.scheduler,)
                ).fetchone()[0]
            cursor = self.db.execute(
                """INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, proposed, answer, correct,
                       duration_ms, mode, phase_before, state_before, state_after, stability, difficulty,
                       due, scheduler_id, origin, graded, imported_from, cap)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    answer.deck_id,
                    answer.card_id,
                    to_ms(answer.at),
                    int(answer.rating),
                    None if answer.proposed is None else int(answer.proposed),
                    answer.answer,
                    None if answer.correct is None else int(answer.correct),
                    answer.duration_ms,
                    answer.mode.value,
                    int(answer.before.phase),
                    json.dumps(state_to_dict(answer.before)),
                    json.dumps(state_to_dict(answer.after)),
                    answer.after.stability,
                    answer.after.difficulty,
                    to_ms(answer.after.due),
                    scheduler_id,
                    answer.origin,
                    None if answer.graded is None else int(answer.graded),
                    answer.imported_from,
                    None if answer.cap is None else answer.cap.isoformat(),
                ),
            )
            if answer.mode is Mode.REVIEW:
                self._put_state(answer.deck_id, answer.card_id, answer.after, answer.fingerprint)
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def last_review(self, deck_ids: Iterable[str], origin: str | None = None) -> LoggedReview | None:
        """The latest review-mode answer in these decks that has not been undone; with an origin,
        the latest given there (or before origins were kept)."""
        ids = list(deck_ids)
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.db.execute(
            f"""SELECT id, deck_id, card_id, reviewed_at, rating, mode, state_before, state_after
                FROM reviews r
                WHERE mode = 'review' AND deck_id IN ({marks}) AND r.imported_from IS NULL
                  AND (? IS NULL OR r.origin IS NULL OR r.origin = ?)
                  AND coalesce(r.origin, '') NOT LIKE 'sync:%'
                  AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
                ORDER BY id DESC LIMIT 1""",
            [*ids, origin, origin],
        ).fetchone()
        if row is None:
            return None
        try:
            return LoggedReview(
                row[0],
                row[1],
                row[2],
                from_ms(row[3]) or datetime.min.replace(tzinfo=UTC),
                Rating(row[4]),
                Mode(row[5]),
                state_from_dict(json.loads(row[6])),
                state_from_dict(json.loads(row[7])),
            )
        except StoreError:
            raise
        except _BAD_VALUE as error:
            raise damage(self.path, f"review {row[0]} in the log is invalid ({error})") from None

    def undo(self, review: LoggedReview, now: datetime) -> bool:
        """Restore the card to its state before `review`, and mark the review undone.

        Only if the card is still as that answer left it: when it was answered since (in another
        terminal), nothing is changed and False is returned.
        """
        with self.write(now):
            # Compared as the cards table keeps them (times to the millisecond).
            if _state_row(self.state(review.deck_id, review.card_id)) != _state_row(review.after):
                return False
            self.db.execute("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)", (review.id, to_ms(now)))
            if review.before == CardState():
                self.db.execute(
                    "DELETE FROM cards WHERE deck_id = ? AND card_id = ?", (review.deck_id, review.card_id)
                )
            else:
                self._put_state(review.deck_id, review.card_id, review.before, None)
        return True

    def imported_ids(self, ids: Iterable[int]) -> set[int]:
        """Which of these Anki revlog ids were imported already."""
        wanted = list(ids)
        found: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in self.db.execute(
                    f"SELECT imported_from FROM reviews WHERE imported_from IN ({marks})", chunk
                )
            )
        return found

    def answered_since(self, deck_id: str, since: datetime) -> tuple[int, int]:
        """(new cards introduced, reviews done) in review mode since a moment, undone answers excluded."""
        row = self.db.execute(
            """SELECT count(DISTINCT CASE WHEN phase_before = 0 THEN card_id END),
                      count(CASE WHEN phase_before = 2 THEN 1 END)
               FROM reviews r
               WHERE deck_id = ? AND reviewed_at >= ? AND mode = 'review'
                 AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)""",
            (deck_id, to_ms(since)),
        ).fetchone()
        return int(row[0]), int(row[1])

    def forgotten(self, deck_id: str, since: datetime) -> list[str]:
        """The cards answered Again (in any mode) since a moment, undone answers excluded, oldest first."""
        rows = self.db.execute(
            """SELECT card_id FROM reviews r
               WHERE deck_id = ? AND reviewed_at >= ? AND rating = 1
                 AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
               GROUP BY card_id ORDER BY min(reviewed_at), card_id""",
            (deck_id, to_ms(since)),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def next_due(self, deck_id: str, after: datetime) -> datetime | None:
        row = self.db.execute(
            "SELECT min(due) FROM cards WHERE deck_id = ? AND due > ? AND suspended = 0",
            (deck_id, to_ms(after)),
        ).fetchone()
        return from_ms(row[0])

    # ------------------------------------------------------------ cards no deck has

    def known_cards(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for deck_id, card_id in self.db.execute("SELECT deck_id, card_id FROM cards"):
            out.setdefault(deck_id, set()).add(card_id)
        return out

    def remove_progress(self, keys: Iterable[Key], now: datetime) -> int:
        """Forget the scheduling state of these cards; their review log stays."""
        pairs = list(keys)
        with self.write(now):
            self.db.executemany("DELETE FROM cards WHERE deck_id = ? AND card_id = ?", pairs)
        return len(pairs)

    # ------------------------------------------------------------ where decks were studied from

    def note_deck_paths(self, decks: Iterable[tuple[str, str]], now: datetime) -> None:
        """Remember the file each deck (id, path) was studied from, for doctor's orphan check."""
        rows = [(deck_id, path, to_ms(now)) for deck_id, path in decks]
        if not rows:
            return
        with self.write(now):
            self.db.executemany(
                """INSERT INTO deck_paths (deck_id, path, seen_at) VALUES (?, ?, ?)
                   ON CONFLICT (deck_id, path) DO UPDATE SET seen_at = excluded.seen_at""",
                rows,
            )

    def remember_deck_paths(self, decks: Iterable[tuple[str, str]], now: datetime) -> None:
        """note_deck_paths for the pairs not yet known: nothing is written when none is new."""
        known = self.deck_paths()
        new = [(deck_id, path) for deck_id, path in decks if path not in known.get(deck_id, set())]
        self.note_deck_paths(new, now)

    def deck_paths(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for deck_id, path in self.db.execute("SELECT deck_id, path FROM deck_paths"):
            out.setdefault(deck_id, set()).add(path)
        return out

    # ------------------------------------------------------------ the log against the states

    def log_disagreements(self) -> list[str]:
        """Cards whose state does not follow from their latest answer in the review log."""
        rows = self.db.execute(
            f"""SELECT c.deck_id, c.card_id, c.reps, (
                   SELECT json_extract(r.state_after, '$.reps') FROM reviews r
                   WHERE r.deck_id = c.deck_id AND r.card_id = c.card_id AND r.mode = 'review'
                     AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
                   ORDER BY {log_order("r", descending=True)} LIMIT 1)
               FROM cards c WHERE c.reps > 0"""
        ).fetchall()
        out = []
        for deck_id, card_id, reps, logged in rows:
            if logged is None:
                out.append(f"{deck_id} / {card_id}: {reps} review(s) in its state, none in the review log")
            elif logged != reps:
                out.append(
                    f"{deck_id} / {card_id}: {reps} review(s) in its state, {logged} in the review log"
                )
        return out

    # ------------------------------------------------------------ answer times (quizkit retention)

    def timed_history(
        self, deck_ids: Iterable[str] | None = None
    ) -> dict[str, list[tuple[datetime, Rating, float | None]]]:
        """`review_history` with each answer's seconds (None where none was recorded), for these
        decks (every deck when None): the costs of a simulated year come from it."""
        ids = None if deck_ids is None else list(deck_ids)
        where = "" if ids is None else f"AND deck_id IN ({','.join('?' * len(ids))})"
        histories: dict[str, list[tuple[datetime, Rating, float | None]]] = {}
        for deck, card, at, rating, duration in self.db.execute(
            f"""SELECT deck_id, card_id, reviewed_at, rating, duration_ms FROM reviews r
                WHERE mode = 'review' {where}
                  AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
                ORDER BY {log_order()}""",
            ids or [],
        ):
            moment = from_ms(at)
            if moment is not None:
                seconds = None if duration is None or duration < 0 else duration / 1000
                histories.setdefault(f"{deck}\x1f{card}", []).append((moment, Rating(rating), seconds))
        return histories

    # ------------------------------------------------------------ rescheduling (quizkit optimize)

    def replay_history(
        self, deck_ids: Iterable[str] | None = None
    ) -> dict[Key, list[tuple[datetime, Rating, str | None]]]:
        """Each card's answers in review mode (undone ones left out), in time order, with the
        scheduler configuration each was given under (its JSON, or None for old rows): what
        `quizkit optimize --reschedule` replays. `deck_ids`: these decks only (None: every deck)."""
        wanted = None if deck_ids is None else set(deck_ids)
        out: dict[Key, list[tuple[datetime, Rating, str | None]]] = {}
        for deck, card, at, rating, config in self.db.execute(
            f"""SELECT r.deck_id, r.card_id, r.reviewed_at, r.rating, s.config FROM reviews r
               LEFT JOIN schedulers s ON s.id = r.scheduler_id
               WHERE r.mode = 'review' AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
               ORDER BY {log_order("r")}"""
        ):
            if wanted is not None and deck not in wanted:
                continue
            moment = from_ms(at)
            if moment is not None:
                out.setdefault((deck, card), []).append((moment, Rating(rating), config))
        return out

    def put_states(self, states: Iterable[tuple[Key, CardState]], now: datetime) -> int:
        """Set many cards' states in one transaction (not undoable): a reschedule."""
        count = 0
        with self.write(now):
            for (deck_id, card_id), state in states:
                self._put_state(deck_id, card_id, state, None)
                count += 1
        return count

    # ------------------------------------------------------------ the phone (export --with-progress)

    def answer_log(self, deck_id: str) -> list[LoggedAnswer]:
        """A deck's answers in review mode (imported ones too, undone ones left out), oldest first,
        with the card's state before and after each: what `export --to apkg --with-progress` writes
        as Anki's review log, and what its import back recognises."""
        out: list[LoggedAnswer] = []
        for card, at, rating, duration, before, after in self.db.execute(
            f"SELECT card_id, reviewed_at, rating, duration_ms, state_before, state_after {_ANSWER_LOG}",
            (deck_id,),
        ):
            try:
                states = state_from_dict(json.loads(before)), state_from_dict(json.loads(after))
            except _BAD_VALUE as error:
                raise damage(None, f"a review's stored state is invalid ({error})") from None
            out.append(LoggedAnswer(card, int(at), Rating(rating), duration, *states))
        return out

    def answer_moments(self, deck_id: str) -> list[tuple[str, int]]:
        """`answer_log`'s answers as (card, moment in ms) only, in the same order: what the import
        back from the phone needs to tell quizkit's own review-log rows."""
        return [
            (card, int(at))
            for card, at in self.db.execute(f"SELECT card_id, reviewed_at {_ANSWER_LOG}", (deck_id,))
        ]


_ANSWER_LOG = """FROM reviews r WHERE deck_id = ? AND mode = 'review'
    AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id) ORDER BY """ + log_order()


class LoggedAnswer(Struct, frozen=True):
    """An answer of the review log with the card's state around it (`Store.answer_log`)."""

    card_id: str
    at_ms: int
    rating: Rating
    duration_ms: int | None
    before: CardState
    after: CardState
