"""The progress database file: opening, migrating, transactions, backups and restore.

Only the store package talks to SQLite (and io.apkg, which reads Anki's packages). A damaged,
unreadable or newer file is reported, never replaced; backups are taken once a day before the
first write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from quizkit.errors import StoreError

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
    # 4: where each answer was given (the terminal, or the process for a pipe), so that undo only
    # takes back an answer given here, never another terminal's. Older answers have none.
    ("ALTER TABLE reviews ADD COLUMN origin TEXT",),
)


SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """A connection to the progress database."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.db = connection
        self.path = path
        self._backup_checked = False

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> Self:
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
            raise StoreError(damaged_message(location, error)) from None
        except BaseException:
            connection.close()
            raise
        return store

    @classmethod
    def memory(cls) -> Self:
        """A throwaway in-memory store, for tests of the layers above."""
        store = cls(sqlite3.connect(":memory:", isolation_level=None), None)
        store._migrate()
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
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
        if self.db.in_transaction:  # a write inside a write: the outer one commits both, or neither
            yield
            return
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
        """A write transaction; the day's backup is taken before the first one.

        Writes nest: those made inside another commit with it, as one transaction.
        """
        self._daily_backup(now)
        try:
            with self._transaction():
                yield
        except sqlite3.DatabaseError as error:
            raise StoreError(damaged_message(self.path, error)) from None

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

    # ------------------------------------------------------------ doctor

    def integrity(self) -> list[str]:
        """Problems SQLite finds in the file; empty when it is sound."""
        try:
            rows = [r[0] for r in self.db.execute("PRAGMA integrity_check")]
            rows += [f"foreign key: {r}" for r in self.db.execute("PRAGMA foreign_key_check")]
        except sqlite3.DatabaseError as error:
            return [str(error)]
        return [] if rows == ["ok"] else rows

    def review_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM reviews").fetchone()[0])


def to_ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


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


def damaged_message(path: Path | None, error: Exception) -> str:
    return (
        f"the progress database {path} cannot be read ({error}). "
        "It has not been changed. Run 'quizkit doctor' to check it and restore a backup, "
        "or use another file with --db."
    )
