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

    def review_days(self, offset_ms: int) -> list[int]:
        """Distinct study days (as day numbers) with at least one review-mode answer.

        `offset_ms` shifts UTC time so that day boundaries fall at the learner's day start.
        """
        rows = self.db.execute(
            """SELECT DISTINCT (reviewed_at + ?) / 86400000 AS day FROM reviews r
               WHERE mode = 'review' AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)
               ORDER BY day""",
            (offset_ms,),
        )
        return [int(r[0]) for r in rows]

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
