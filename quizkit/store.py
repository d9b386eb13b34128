"""The progress store: the only module that touches SQLite.

Every answer is one transaction: the card's new state and its review-log row
are committed together before the next card is shown. The review log is
append-only; undo is recorded in its own table rather than by deleting rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from quizkit.errors import StoreError
from quizkit.model import CardState, Deck, Mode, Phase, Rating

BACKUPS_KEPT = 7
BUSY_TIMEOUT_S = 10.0

# Each migration takes the schema from version N to N+1. Never edit one that
# has shipped: add a new one at the end.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE cards (
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            phase INTEGER NOT NULL DEFAULT 0,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due INTEGER,
            last_review INTEGER,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until INTEGER,
            leech INTEGER NOT NULL DEFAULT 0,
            fingerprint TEXT,
            PRIMARY KEY (deck_id, card_id)
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE schedulers (
            id INTEGER PRIMARY KEY,
            config TEXT NOT NULL UNIQUE
        ) STRICT""",
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            reviewed_at INTEGER NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            proposed INTEGER CHECK (proposed BETWEEN 1 AND 4),
            answer TEXT,
            correct INTEGER,
            duration_ms INTEGER,
            mode TEXT NOT NULL CHECK (mode IN ('review', 'quiz', 'cram')),
            phase_before INTEGER NOT NULL,
            state_before TEXT NOT NULL,
            state_after TEXT NOT NULL,
            stability REAL,
            difficulty REAL,
            due INTEGER,
            scheduler_id INTEGER REFERENCES schedulers (id)
        ) STRICT""",
        "CREATE INDEX reviews_by_time ON reviews (reviewed_at)",
        "CREATE INDEX reviews_by_card ON reviews (deck_id, card_id, reviewed_at)",
        """CREATE TABLE undos (
            review_id INTEGER PRIMARY KEY REFERENCES reviews (id),
            undone_at INTEGER NOT NULL
        ) STRICT""",
        "CREATE INDEX cards_by_due ON cards (deck_id, due)",
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT""",
    ),
    # 2: mock exams (quizkit quiz) and their answers.
    (
        """CREATE TABLE quizzes (
            id INTEGER PRIMARY KEY,
            deck_id TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            finished_at INTEGER NOT NULL,
            seed INTEGER,
            time_limit_s INTEGER,
            pass_mark REAL,
            questions INTEGER NOT NULL,
            score REAL NOT NULL,
            passed INTEGER,
            settings TEXT NOT NULL
        ) STRICT""",
        "CREATE INDEX quizzes_by_deck ON quizzes (deck_id, started_at)",
        """CREATE TABLE quiz_answers (
            quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
            position INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            tags TEXT NOT NULL,
            answer TEXT,
            correct INTEGER NOT NULL,
            score REAL NOT NULL,
            seconds REAL,
            PRIMARY KEY (quiz_id, position)
        ) STRICT""",
    ),
    # 3: statistics (quizkit stats, the dashboard). They read the review log by mode and time, and
    # this index covers them (it also finds a deck's answers of today without reading its whole
    # history). True retention needs the interval each answer was given at: the second index keeps
    # it, from the answer's state_before, so that the answers' rows are not read.
    (
        "CREATE INDEX reviews_by_mode_time ON reviews (mode, reviewed_at, deck_id)",
        """CREATE INDEX reviews_in_review ON reviews (
            reviewed_at, deck_id, rating,
            json_extract(state_before, '$.due'), json_extract(state_before, '$.last_review')
        ) WHERE mode = 'review' AND phase_before = 2""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


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


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def _from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


@dataclass(frozen=True, slots=True)
class Answer:
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


@dataclass(frozen=True, slots=True)
class QuizRecord:
    """One finished exam, as the store keeps it."""

    deck_id: str
    started: datetime
    finished: datetime
    score: float
    passed: bool | None
    pass_mark: float | None
    seed: int | None
    time_limit_s: int | None
    settings: str
    """The exam's options as JSON (tags, kinds, feedback, count)."""


@dataclass(frozen=True, slots=True)
class QuizAnswer:
    position: int
    card_id: str
    tags: tuple[str, ...]
    answer: str | None
    correct: bool
    score: float
    seconds: float


@dataclass(frozen=True, slots=True)
class LoggedReview:
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


def _state_from_row(row: sqlite3.Row | tuple[Any, ...]) -> CardState:
    phase, step, stability, difficulty, due, last, reps, lapses, suspended, buried, leech = row
    return CardState(
        Phase(phase),
        step,
        stability,
        difficulty,
        _from_ms(due),
        _from_ms(last),
        reps,
        lapses,
        bool(suspended),
        _from_ms(buried),
        bool(leech),
    )


def _state_row(state: CardState) -> tuple[Any, ...]:
    return (
        int(state.phase),
        state.step,
        state.stability,
        state.difficulty,
        _ms(state.due),
        _ms(state.last_review),
        state.reps,
        state.lapses,
        int(state.suspended),
        _ms(state.buried_until),
        int(state.leech),
    )


class Store:
    """A connection to the progress database."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.db = connection
        self.path = path
        self._backup_checked = False

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> Store:
        """Open (and create or migrate) the database; damaged files are reported, never replaced."""
        location = Path(path)
        if not location.exists() and not create:
            raise StoreError(f"no progress database at {location}")
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(location, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the progress database {location}: {error}") from None
        store = cls(connection, location)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            store._check_version()
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                # A filesystem without shared memory (some network mounts): fall back quietly.
                connection.execute("PRAGMA journal_mode = DELETE")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise StoreError(_damaged(location, error)) from None
        except BaseException:
            connection.close()
            raise
        return store

    @classmethod
    def memory(cls) -> Store:
        """A throwaway in-memory store, for tests of the layers above."""
        store = cls(sqlite3.connect(":memory:", isolation_level=None), None)
        store._migrate()
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the progress database {self.path} was written by a newer quizkit "
                f"(schema {current}, this one knows {SCHEMA_VERSION}); upgrade quizkit, "
                "or use another file with --db"
            )

    def _migrate(self, target: int = SCHEMA_VERSION) -> None:
        self._check_version()
        for version in range(self.schema_version, target):
            with self._transaction():
                # Re-read inside the lock: another process may have migrated meanwhile.
                if self.schema_version > version:
                    continue
                for statement in MIGRATIONS[version]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"the progress database {self.path} is busy or read-only: {error}") from None
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    @contextmanager
    def write(self, now: datetime) -> Iterator[None]:
        """A write transaction; the day's backup is taken before the first one."""
        self._daily_backup(now)
        try:
            with self._transaction():
                yield
        except sqlite3.DatabaseError as error:
            raise StoreError(_damaged(self.path, error)) from None

    # ------------------------------------------------------------ backups

    def _daily_backup(self, now: datetime) -> None:
        if self._backup_checked or self.path is None:
            return
        self._backup_checked = True
        day = now.astimezone(UTC).date().isoformat()
        row = self.db.execute("SELECT value FROM meta WHERE key = 'last_backup'").fetchone()
        if row and row[0] == day:
            return
        if self.db.execute("SELECT EXISTS (SELECT 1 FROM reviews)").fetchone()[0]:
            self.backup_to(backup_dir(self.path) / f"{self.path.stem}-{day}.db")
            for old in backups_of(self.path)[:-BACKUPS_KEPT]:
                old.unlink(missing_ok=True)
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('last_backup', ?)", (day,))

    def backup_to(self, target: Path) -> Path:
        """A consistent copy of the database, written beside the target and then moved into place."""
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        destination = sqlite3.connect(partial)
        try:
            self.db.backup(destination)
        finally:
            destination.close()
        partial.replace(target)
        return target

    # ------------------------------------------------------------ card states

    def states(self, deck_id: str) -> dict[str, CardState]:
        rows = self.db.execute(
            f"SELECT card_id, {_CARD_COLUMNS} FROM cards WHERE deck_id = ?", (deck_id,)
        ).fetchall()
        return {row[0]: _state_from_row(row[1:]) for row in rows}

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
        """Change a card's state outside an answer (suspend, bury), in its own transaction."""
        with self.write(now):
            self._put_state(deck_id, card_id, state, None)

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
                       due, scheduler_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    answer.deck_id,
                    answer.card_id,
                    _ms(answer.at),
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
                    _ms(answer.after.due),
                    scheduler_id,
                ),
            )
            if answer.mode is Mode.REVIEW:
                self._put_state(answer.deck_id, answer.card_id, answer.after, answer.fingerprint)
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def last_review(self, deck_ids: Iterable[str]) -> LoggedReview | None:
        """The latest review-mode answer in these decks that has not been undone."""
        ids = list(deck_ids)
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.db.execute(
            f"""SELECT id, deck_id, card_id, reviewed_at, rating, mode, state_before, state_after
                FROM reviews r
                WHERE mode = 'review' AND deck_id IN ({marks})
                  AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
                ORDER BY id DESC LIMIT 1""",
            ids,
        ).fetchone()
        if row is None:
            return None
        return LoggedReview(
            row[0],
            row[1],
            row[2],
            _from_ms(row[3]) or datetime.min.replace(tzinfo=UTC),
            Rating(row[4]),
            Mode(row[5]),
            state_from_dict(json.loads(row[6])),
            state_from_dict(json.loads(row[7])),
        )

    def undo(self, review: LoggedReview, now: datetime) -> None:
        """Restore the card to its state before `review`, and mark the review undone."""
        with self.write(now):
            self.db.execute("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)", (review.id, _ms(now)))
            if review.before == CardState():
                self.db.execute(
                    "DELETE FROM cards WHERE deck_id = ? AND card_id = ?", (review.deck_id, review.card_id)
                )
            else:
                self._put_state(review.deck_id, review.card_id, review.before, None)

    def answered_since(self, deck_id: str, since: datetime) -> tuple[int, int]:
        """(new cards introduced, reviews done) in review mode since a moment, undone answers excluded."""
        row = self.db.execute(
            """SELECT count(DISTINCT CASE WHEN phase_before = 0 THEN card_id END),
                      count(CASE WHEN phase_before = 2 THEN 1 END)
               FROM reviews r
               WHERE deck_id = ? AND reviewed_at >= ? AND mode = 'review'
                 AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)""",
            (deck_id, _ms(since)),
        ).fetchone()
        return int(row[0]), int(row[1])

    def next_due(self, deck_id: str, after: datetime) -> datetime | None:
        row = self.db.execute(
            "SELECT min(due) FROM cards WHERE deck_id = ? AND due > ? AND suspended = 0",
            (deck_id, _ms(after)),
        ).fetchone()
        return _from_ms(row[0])

    # ------------------------------------------------------------ doctor

    def integrity(self) -> list[str]:
        """Problems SQLite finds in the file; empty when it is sound."""
        try:
            rows = [r[0] for r in self.db.execute("PRAGMA integrity_check")]
            rows += [f"foreign key: {r}" for r in self.db.execute("PRAGMA foreign_key_check")]
        except sqlite3.DatabaseError as error:
            return [str(error)]
        return [] if rows == ["ok"] else rows

    def known_cards(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for deck_id, card_id in self.db.execute("SELECT deck_id, card_id FROM cards"):
            out.setdefault(deck_id, set()).add(card_id)
        return out

    def remove_progress(self, keys: Iterable[tuple[str, str]], now: datetime) -> int:
        """Forget the scheduling state of these cards; their review log stays."""
        pairs = list(keys)
        with self.write(now):
            self.db.executemany("DELETE FROM cards WHERE deck_id = ? AND card_id = ?", pairs)
        return len(pairs)

    def review_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM reviews").fetchone()[0])

    # ------------------------------------------------------------ exams

    def save_quiz(self, quiz: QuizRecord, answers: Sequence[QuizAnswer]) -> int:
        """An exam and its answers, in one transaction."""
        with self.write(quiz.finished):
            cursor = self.db.execute(
                """INSERT INTO quizzes (deck_id, started_at, finished_at, seed, time_limit_s, pass_mark,
                       questions, score, passed, settings)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    quiz.deck_id,
                    _ms(quiz.started),
                    _ms(quiz.finished),
                    quiz.seed,
                    quiz.time_limit_s,
                    quiz.pass_mark,
                    len(answers),
                    quiz.score,
                    None if quiz.passed is None else int(quiz.passed),
                    quiz.settings,
                ),
            )
            quiz_id = cursor.lastrowid
            self.db.executemany(
                "INSERT INTO quiz_answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        quiz_id,
                        a.position,
                        a.card_id,
                        json.dumps(list(a.tags)),
                        a.answer,
                        int(a.correct),
                        a.score,
                        a.seconds,
                    )
                    for a in answers
                ],
            )
            assert quiz_id is not None
            return quiz_id

    def quiz_history(self, deck_id: str | None = None) -> list[dict[str, Any]]:
        """Past exams, newest first."""
        rows = self.db.execute(
            """SELECT id, deck_id, started_at, finished_at, questions, score, passed, pass_mark, seed
               FROM quizzes WHERE ? IS NULL OR deck_id = ? ORDER BY finished_at DESC, id DESC""",
            (deck_id, deck_id),
        )
        return [
            {
                "id": r[0],
                "deck": r[1],
                "started": (_from_ms(r[2]) or datetime.min).isoformat(),
                "finished": (_from_ms(r[3]) or datetime.min).isoformat(),
                "questions": r[4],
                "score": round(r[5] * 100, 1),
                "passed": None if r[6] is None else bool(r[6]),
                "pass_mark": r[7],
                "seed": r[8],
            }
            for r in rows
        ]

    def quiz_tag_scores(self, deck_id: str | None = None, recent: int = 3) -> list[dict[str, Any]]:
        """Mean score per tag over every exam and over the last `recent` ones, weakest first."""
        rows = self.db.execute(
            """WITH picked AS (
                   SELECT id, row_number() OVER (ORDER BY finished_at DESC, id DESC) AS age
                   FROM quizzes WHERE ? IS NULL OR deck_id = ?)
               SELECT t.value AS tag, count(*), avg(a.score),
                      avg(CASE WHEN p.age <= ? THEN a.score END)
               FROM quiz_answers a JOIN picked p ON p.id = a.quiz_id, json_each(a.tags) t
               GROUP BY t.value ORDER BY avg(a.score), count(*) DESC, t.value""",
            (deck_id, deck_id, recent),
        )
        return [
            {
                "tag": r[0],
                "answers": r[1],
                "score": round(r[2] * 100, 1),
                "recent_score": None if r[3] is None else round(r[3] * 100, 1),
            }
            for r in rows
        ]

    # ------------------------------------------------------------ statistics
    # quizkit stats, the dashboard and quizkit cards. Every figure is one SQL aggregate.
    # * Card figures are about the cards named by set_scope (kept in temporary tables).
    # * Review-log figures count review-mode answers that were not undone, in `decks` (None: every
    #   deck) and, with `by_card`, only those of the scope's cards.
    # * Study days are numbered from epoch milliseconds: day = (ms + shift) / 86400000, where the
    #   shift (the zone's UTC offset less the day start) is taken from `shifts`, (from_ms, shift_ms)
    #   pieces oldest first, because summer time changes it.

    _CARD_STATE = """CASE
        WHEN c.suspended = 1 THEN 'suspended'
        WHEN c.buried_until > :now THEN 'buried'
        WHEN coalesce(c.phase, 0) = 0 THEN 'new'
        WHEN c.phase = 1 THEN 'learning'
        WHEN c.phase = 2 THEN 'review'
        ELSE 'relearning' END"""
    _SCOPE_JOIN = """temp.scope_cards s
        LEFT JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id"""

    def set_scope(self, decks: Iterable[tuple[str, Sequence[str], Sequence[Sequence[str]]]]) -> None:
        """Name the cards that card figures (and `by_card`) are about: per deck, the card ids (each
        once) and each card's tags (or no tags at all, when no figure needs them)."""
        try:
            self.db.execute("SELECT pow(2, 2)")
        except sqlite3.OperationalError:  # SQLite built without its math functions
            self.db.create_function("pow", 2, lambda x, y: float(x) ** float(y), deterministic=True)
        # No keys: the queries only ever scan these tables. They are filled from JSON, in SQLite,
        # rather than a row at a time from Python: a 50,000-card collection takes milliseconds.
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope_cards (deck_id TEXT, card_id TEXT)")
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope_tags (tag TEXT, deck_id TEXT, card_id TEXT)")
        # Only the temporary tables are written: the progress database is not locked.
        self.db.execute("BEGIN")
        try:
            self.db.execute("DELETE FROM temp.scope_cards")
            self.db.execute("DELETE FROM temp.scope_tags")
            for deck_id, ids, tags in decks:
                self.db.execute(
                    "INSERT INTO temp.scope_cards SELECT :deck, value FROM json_each(:ids)",
                    {"deck": deck_id, "ids": json.dumps(list(ids))},
                )
                if tags:
                    self.db.execute(
                        """INSERT INTO temp.scope_tags
                           SELECT tag.value, :deck, json_extract(card.value, '$[0]')
                           FROM json_each(:cards) card, json_each(card.value, '$[1]') tag""",
                        {"deck": deck_id, "cards": json.dumps(list(zip(ids, tags, strict=True)))},
                    )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def time_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest moments the figures may turn into study days (None: no progress)."""
        # One min() or max() per SELECT, so that SQLite reads it off the index; the aggregates skip
        # the NULL of an empty table.
        row = self.db.execute(
            """SELECT min(low), max(high) FROM (
                   SELECT (SELECT min(reviewed_at) FROM reviews) AS low,
                          (SELECT max(reviewed_at) FROM reviews) AS high
                   UNION ALL
                   SELECT min(last_review), max(max(coalesce(due, 0), coalesce(buried_until, 0)))
                   FROM cards)"""
        ).fetchone()
        return self._moment(row[0]), self._moment(row[1])

    @staticmethod
    def _moment(value: int | None) -> datetime | None:
        """_from_ms, but a value outside what datetime holds (a damaged row) is clamped, not fatal."""
        return None if value is None else _from_ms(max(-62135596800000, min(value, 253402300799999)))

    @staticmethod
    def _day(column: str, pieces: int) -> str:
        """SQL for the study day number of an epoch-ms expression (parameters from _shift_params)."""
        if pieces == 1:
            return f"(({column} + :s0) / 86400000)"
        cases = " ".join(f"WHEN {column} >= :t{i} THEN :s{i}" for i in range(pieces - 1, 0, -1))
        return f"(({column} + CASE {cases} ELSE :s0 END) / 86400000)"

    @staticmethod
    def _shift_params(shifts: Sequence[tuple[int, int]]) -> dict[str, object]:
        params: dict[str, object] = {}
        for i, (start, shift) in enumerate(shifts):
            params[f"t{i}"] = start
            params[f"s{i}"] = shift
        return params

    @staticmethod
    def _answers(
        decks: Sequence[str] | None, by_card: bool, *, undone: bool = False
    ) -> tuple[str, dict[str, object]]:
        """WHERE terms (besides the time) for the answers the review-log figures count, and parameters.

        With `undone`, answers that were undone are let through: the caller takes them away.
        """
        where = ["r.mode = 'review'"]
        params: dict[str, object] = {}
        if decks is not None:
            # Unary + keeps SQLite on the time index rather than reading each deck's whole history.
            marks = ", ".join(f":d{i}" for i in range(len(decks)))
            where.append(f"+r.deck_id IN ({marks})")
            params.update({f"d{i}": deck for i, deck in enumerate(decks)})
        if by_card:
            # CROSS JOIN: from the few cards in scope to their answers, not the other way round.
            where.append(
                """r.id IN (SELECT x.id FROM temp.scope_cards s
                   CROSS JOIN reviews x ON x.deck_id = s.deck_id AND x.card_id = s.card_id)"""
            )
        if not undone:
            where.append("NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)")
        return " AND ".join(where), params

    def review_totals(
        self, decks: Sequence[str] | None, by_card: bool, start: datetime, end: datetime
    ) -> tuple[int, int, int]:
        """(answers, milliseconds spent answering, answers right) from start to before end."""
        where, params = self._answers(decks, by_card)
        row = self.db.execute(
            f"""SELECT count(*), coalesce(sum(r.duration_ms), 0),
                       coalesce(sum(coalesce(r.correct, r.rating > 1)), 0)
                FROM reviews r WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND {where}""",
            params | {"start": _ms(start), "end": _ms(end)},
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def reviews_per_day(
        self, decks: Sequence[str] | None, by_card: bool, starts: Sequence[datetime]
    ) -> list[int]:
        """Answers on each day, the days given by their starts (one more start: the end of the last).

        Each day is counted over its slice of the time index, much faster than grouping the answers
        by a computed day. The few undone answers are counted apart and taken away (faster than
        looking every answer up in the undo table): merged in time order with the day starts, each
        falls on the latest day begun before it.
        """
        where, params = self._answers(decks, by_card, undone=True)
        bounds = json.dumps([[_ms(a), _ms(b)] for a, b in zip(starts, starts[1:], strict=False)])
        rows = self.db.execute(
            f"""WITH days AS MATERIALIZED (
                    SELECT key AS day, json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b
                    FROM json_each(:bounds)),
                undone AS MATERIALIZED (
                    SELECT day, count(*) AS n FROM (
                        SELECT undone, max(day) OVER (ORDER BY at, undone ROWS UNBOUNDED PRECEDING) AS day
                        FROM (SELECT a AS at, day, 0 AS undone FROM days
                              UNION ALL
                              SELECT r.reviewed_at, NULL, 1
                              FROM undos z CROSS JOIN reviews r ON r.id = z.review_id
                              WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND {where}))
                    WHERE undone = 1 GROUP BY day)
                SELECT (SELECT count(*) FROM reviews r
                        WHERE r.reviewed_at >= days.a AND r.reviewed_at < days.b AND {where})
                     - coalesce((SELECT n FROM undone WHERE undone.day = days.day), 0)
                FROM days ORDER BY day""",
            params | {"bounds": bounds, "start": _ms(starts[0]), "end": _ms(starts[-1])},
        )
        return [int(count) for (count,) in rows]

    def study_runs(
        self, decks: Sequence[str] | None, by_card: bool, shifts: Sequence[tuple[int, int]], end: datetime
    ) -> list[tuple[int, int]]:
        """Runs of consecutive study days with answers, as (first day, last day) numbers, oldest first."""
        where, params = self._answers(decks, by_card)
        day = self._day("r.reviewed_at", len(shifts))
        # A loose index scan: from each study day, jump to the first answer of a later one, so the
        # cost grows with the days studied rather than the answers given. A day starts at the
        # earliest at (number * 86400000 - the largest shift).
        rows = self.db.execute(
            f"""WITH RECURSIVE days (day) AS (
                    SELECT (SELECT {day} FROM reviews r WHERE r.reviewed_at < :end AND {where}
                            ORDER BY r.reviewed_at LIMIT 1)
                    UNION ALL
                    SELECT (SELECT {day} FROM reviews r
                            WHERE r.reviewed_at >= (days.day + 1) * 86400000 - :widest
                              AND r.reviewed_at < :end AND {day} > days.day AND {where}
                            ORDER BY r.reviewed_at LIMIT 1)
                    FROM days WHERE days.day IS NOT NULL),
                runs AS (SELECT day, day - row_number() OVER (ORDER BY day) AS run
                         FROM days WHERE day IS NOT NULL)
                SELECT min(day), max(day) FROM runs GROUP BY run ORDER BY 1""",
            params
            | self._shift_params(shifts)
            | {"end": _ms(end), "widest": max(shift for _, shift in shifts)},
        )
        return [(int(first), int(last)) for first, last in rows]

    def retention_counts(
        self,
        decks: Sequence[str] | None,
        by_card: bool,
        shifts: Sequence[tuple[int, int]],
        start: datetime,
        split: datetime,
        end: datetime,
        mature_days: int = 21,
    ) -> dict[tuple[bool, bool], tuple[int, int]]:
        """Answers to cards in review (phase_before 2): {(mature, since split): (rated above Again, all)}.

        A card is mature when its interval at the time of the answer was at least `mature_days`
        study days (from the day of its previous answer to the day it was due), as kept in the
        answer's state_before.
        """
        where, params = self._answers(decks, by_card)
        # The index reviews_in_review holds these two expressions: the answers' rows, each with
        # its whole JSON states, are not read at all.
        ms = "CAST(round((julianday(json_extract(r.state_before, '$.{}')) - 2440587.5) * 86400000) AS INT)"
        pieces = len(shifts)
        rows = self.db.execute(
            f"""WITH answers AS MATERIALIZED (
                    SELECT r.rating, r.reviewed_at >= :split AS recent,
                           {ms.format("due")} AS due, {ms.format("last_review")} AS last
                    FROM reviews r INDEXED BY reviews_in_review
                    WHERE r.reviewed_at >= :start AND r.reviewed_at < :end AND r.phase_before = 2
                      AND {where})
                SELECT {self._day("due", pieces)} - {self._day("last", pieces)} >= :mature AS mature,
                       recent, sum(rating > 1), count(*)
                FROM answers GROUP BY 1, 2""",
            params
            | self._shift_params(shifts)
            | {"start": _ms(start), "split": _ms(split), "end": _ms(end), "mature": mature_days},
        )
        return {(bool(m), bool(r)): (int(passed), int(total)) for m, r, passed, total in rows}

    def card_counts(self, now: datetime) -> tuple[dict[str, int], int]:
        """The scope's cards by state (new, learning, review, relearning, suspended, buried), and leeches."""
        rows = self.db.execute(
            f"""SELECT {self._CARD_STATE} AS state, count(*), coalesce(sum(c.leech), 0)
                FROM {self._SCOPE_JOIN} GROUP BY state""",
            {"now": _ms(now)},
        ).fetchall()
        return {state: int(count) for state, count, _ in rows}, sum(int(leeches) for *_, leeches in rows)

    def due_counts(self, now: datetime, tomorrow: datetime) -> dict[str, tuple[int, int, int]]:
        """Per deck of the scope: (new, learning due before tomorrow, reviews due now), before limits."""
        rows = self.db.execute(
            f"""SELECT deck_id, sum(state = 'new'),
                       sum(state IN ('learning', 'relearning') AND due < :tomorrow),
                       sum(state = 'review' AND due <= :now)
                FROM (SELECT s.deck_id, {self._CARD_STATE} AS state, c.due FROM {self._SCOPE_JOIN})
                GROUP BY deck_id""",
            {"now": _ms(now), "tomorrow": _ms(tomorrow)},
        )
        return {deck: (int(new), int(learning), int(review)) for deck, new, learning, review in rows}

    def forecast(self, shifts: Sequence[tuple[int, int]], until: int) -> dict[int, int]:
        """Scope cards (not new, not suspended) by the study day they are due, before day `until`.

        A buried card counts on the later of its due day and the day it is buried until.
        """
        rows = self.db.execute(
            f"""SELECT {self._day("max(c.due, coalesce(c.buried_until, 0))", len(shifts))} AS day, count(*)
                FROM temp.scope_cards s JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id
                WHERE c.phase != 0 AND c.suspended = 0 AND c.due IS NOT NULL
                GROUP BY day HAVING day < :until""",
            self._shift_params(shifts) | {"until": until},
        )
        return {int(day): int(count) for day, count in rows}

    def _retrievability(self, pieces: int) -> str:
        """FSRS's forgetting curve, (1 + factor * days / stability) ^ decay, days counted in study days."""
        elapsed = f"max(:today - {self._day('c.last_review', pieces)}, 0)"
        return f"""CASE WHEN coalesce(c.phase, 0) = 0 OR c.stability IS NULL OR c.last_review IS NULL
                   THEN NULL ELSE pow(1.0 + :factor * {elapsed} / c.stability, :decay) END"""

    def mastery(
        self, shifts: Sequence[tuple[int, int]], today: int, factor: float, decay: float
    ) -> list[tuple[str, int, int, float | None]]:
        """Per tag of the scope: (tag, cards, cards studied, mean retrievability today), weakest first."""
        rows = self.db.execute(
            f"""SELECT t.tag, count(*), count(r), avg(r) FROM (
                    SELECT s.tag, {self._retrievability(len(shifts))} AS r
                    FROM temp.scope_tags s
                    LEFT JOIN cards c ON c.deck_id = s.deck_id AND c.card_id = s.card_id) t
                GROUP BY t.tag ORDER BY avg(r) IS NULL, avg(r), t.tag""",
            self._shift_params(shifts) | {"today": today, "factor": factor, "decay": decay},
        )
        return [(str(tag), int(n), int(studied), mean) for tag, n, studied, mean in rows]

    def card_figures(
        self,
        now: datetime,
        shifts: Sequence[tuple[int, int]],
        today: int,
        factor: float,
        decay: float,
        hardest: int | None = None,
    ) -> list[CardFigures]:
        """Every scope card's scheduling; or the `hardest`: cards that lapsed or have a difficulty over 5
        (the middle of FSRS's 1-10), most lapses first, then the most difficult."""
        pieces = len(shifts)
        interval = f"""CASE
            WHEN c.phase = 2 THEN {self._day("c.due", pieces)} - {self._day("c.last_review", pieces)}
            WHEN c.phase IN (1, 3) THEN (c.due - c.last_review) / 86400000.0 END"""
        tail = ""
        if hardest is not None:
            tail = """WHERE c.phase != 0 AND (c.lapses > 0 OR c.difficulty > 5)
                      ORDER BY c.lapses DESC, c.difficulty DESC, s.deck_id, s.card_id LIMIT :limit"""
        rows = self.db.execute(
            f"""SELECT s.deck_id, s.card_id, {self._CARD_STATE}, c.due, {interval}, c.stability,
                       c.difficulty, {self._retrievability(pieces)}, coalesce(c.lapses, 0),
                       coalesce(c.reps, 0), coalesce(c.leech, 0)
                FROM {self._SCOPE_JOIN} {tail}""",
            self._shift_params(shifts)
            | {"now": _ms(now), "today": today, "factor": factor, "decay": decay, "limit": hardest},
        )
        return [
            CardFigures(deck, card, state, self._moment(due), ivl, s, d, r, lapses, reps, bool(leech))
            for deck, card, state, due, ivl, s, d, r, lapses, reps, leech in rows
        ]


@dataclass(frozen=True, slots=True)
class CardFigures:
    """One card's scheduling, as quizkit cards lists it."""

    deck_id: str
    card_id: str
    state: str
    """new, learning, review, relearning, suspended or buried (Store._CARD_STATE)."""
    due: datetime | None
    interval_days: float | None
    """Review: study days from the last answer's day to the due day; learning: the step, in days."""
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    """None for a card never studied."""
    lapses: int
    reps: int
    leech: bool
    prompt: str = ""
    """The card's question: the store does not know it, the stats use case fills it in."""


def backup_dir(path: Path) -> Path:
    return path.parent / "backups"


def backups_of(path: Path) -> list[Path]:
    """The daily backups of a database file, oldest first."""
    folder = backup_dir(path)
    return sorted(folder.glob(f"{path.stem}-????-??-??.db")) if folder.is_dir() else []


def restore(path: Path, backup: Path, now: datetime) -> Path | None:
    """Put a backup in place of the database. The current file, damaged or not, is moved aside, never lost.

    Returns where the previous file was kept (None if there was none).
    """
    try:
        check = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise StoreError(f"the backup {backup} is damaged too; choose another")
        finally:
            check.close()
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{backup} is not a usable backup: {error}") from None
    kept = None
    if path.exists():
        kept = path.with_name(f"{path.stem}-before-restore-{now:%Y%m%dT%H%M%S}{path.suffix}")
        path.replace(kept)
        for suffix in ("-wal", "-shm"):
            sidecar = path.with_name(path.name + suffix)
            if sidecar.exists():
                sidecar.replace(kept.with_name(kept.name + suffix))
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return kept


def _damaged(path: Path | None, error: Exception) -> str:
    return (
        f"the progress database {path} cannot be read ({error}). "
        "It has not been changed. Run 'quizkit doctor' to check it and restore a backup, "
        "or use another file with --db."
    )
