"""The progress database file: opening, migrating, transactions, backups and restore.

Only the store package talks to SQLite (and io.apkg, which reads Anki's packages). A damaged,
unreadable or newer file is reported, never replaced. Every SQLite error becomes a DatabaseFault
naming its cause (damaged, read-only, full, busy); only damage advises a restore. A backup is
taken once a day, of the file as it was before the first write, but after that write has
committed: a backup that fails is a warning (`backup_warning`), never a lost answer.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from quizkit.errors import StoreError

BACKUPS_KEPT = 7


BUSY_TIMEOUT_S = 10.0

STALE_PARTIAL_S = 3600.0
"""A backup's temporary file older than this, or whose process has gone, is removed."""


class Fault:
    """Why the database could not be used: each has its own advice, and only damage advises a restore."""

    DAMAGED = "damaged"
    READ_ONLY = "read-only"
    FULL = "full"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    """The file or its folder cannot be reached (a path through a file, a missing drive)."""


class DatabaseFault(StoreError):
    """A StoreError that knows its cause (one of Fault)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def error_text(error: BaseException) -> str:
    """An error's message, safe to print: SQLite's can carry the damaged file's bytes."""
    if isinstance(error, UnicodeDecodeError):
        return "the file holds text that is not UTF-8 (" + error.object[:60].decode("utf-8", "replace") + ")"
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - a message that cannot be printed is still a message
        text = repr(error)
    return text.encode("utf-8", "replace").decode("utf-8", "replace")


_READ_ONLY_CODES = {8, 3, 23}  # SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH
_FULL_CODES = {13}  # SQLITE_FULL
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def classify(error: BaseException, path: Path | None = None) -> str:
    """The Fault behind an SQLite or OS error."""
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC or error.errno == getattr(errno, "EDQUOT", -1):
            return Fault.FULL
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return Fault.READ_ONLY
        return Fault.UNREACHABLE
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = error_text(error).lower()
    if primary in _FULL_CODES or "database or disk is full" in text:
        return Fault.FULL
    if primary in _BUSY_CODES or "database is locked" in text:
        return Fault.BUSY
    if primary in _READ_ONLY_CODES or "readonly" in text or "read-only" in text:
        return Fault.READ_ONLY
    corrupt = primary in (11, 26) or "malformed" in text or "not a database" in text
    if not corrupt and path is not None and not _writable(path):
        return Fault.READ_ONLY  # e.g. SQLite cannot make its -wal or -shm file in a read-only folder
    return Fault.DAMAGED


def _writable(path: Path) -> bool:
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def fault(path: Path | None, error: BaseException) -> DatabaseFault:
    """The person-facing error for an SQLite (or OS) error on the database at `path`."""
    kind = classify(error, path)
    detail = error_text(error)
    if kind == Fault.READ_ONLY:
        message = (
            f"the progress database {path} is read-only ({detail}): nothing could be saved. "
            "Let quizkit write the file and its folder (check their permissions, or a read-only disk), "
            "or use another file with --db."
        )
    elif kind == Fault.FULL:
        message = (
            f"the disk holding the progress database {path} is full ({detail}): nothing was saved. "
            "Free some space and try again; the database itself is fine."
        )
    elif kind == Fault.BUSY:
        message = (
            f"the progress database {path} is busy ({detail}): another quizkit is writing to it. "
            "Close it or wait, then try again."
        )
    elif kind == Fault.UNREACHABLE:
        message = f"the progress database {path} cannot be opened ({detail}); check the path, or use --db."
    else:
        message = damaged_message(path, detail)
    return DatabaseFault(message, kind)


def damage(path: Path | None, what: str) -> DatabaseFault:
    """A value read from the database that cannot be right: the file is damaged."""
    return DatabaseFault(damaged_message(path, what), Fault.DAMAGED)


_CAUGHT = (sqlite3.OperationalError, sqlite3.DatabaseError, UnicodeDecodeError)
"""What damage, a full disk or a read-only file raise (not a ProgrammingError: that is a bug)."""


class _Cursor(sqlite3.Cursor):
    """A cursor whose errors (damage found while reading) become DatabaseFaults."""

    path: Path | None = None

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        try:
            return super().execute(sql, parameters)
        except sqlite3.ProgrammingError:
            raise  # a bug, not the file
        except _CAUGHT as error:
            raise fault(self.path, error) from None

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Self:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.ProgrammingError:
            raise  # a bug, not the file
        except _CAUGHT as error:
            raise fault(self.path, error) from None

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.ProgrammingError:
            raise  # a bug, not the file
        except _CAUGHT as error:
            raise fault(self.path, error) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.ProgrammingError:
            raise  # a bug, not the file
        except _CAUGHT as error:
            raise fault(self.path, error) from None

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except sqlite3.ProgrammingError:
            raise  # a bug, not the file
        except _CAUGHT as error:
            raise fault(self.path, error) from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.ProgrammingError:
            raise  # a bug, not the file
        except _CAUGHT as error:
            raise fault(self.path, error) from None


class _Connection(sqlite3.Connection):
    """A connection whose statements report damage, a full disk or a read-only file as DatabaseFaults."""

    path: Path | None = None

    def cursor(self, factory: Any = None) -> Any:
        cursor = super().cursor(factory or _Cursor)
        cursor.path = self.path
        return cursor

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, parameters)


def _connect(target: Path | str, path: Path | None, **options: Any) -> _Connection:
    connection = sqlite3.connect(target, factory=_Connection, **options)
    assert isinstance(connection, _Connection)
    connection.path = path
    return connection


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
    # 5: where each deck was studied from, so that doctor only calls progress orphaned when the
    # deck's own file still exists and lacks the card.
    (
        """CREATE TABLE deck_paths (
            deck_id TEXT NOT NULL,
            path TEXT NOT NULL,
            seen_at INTEGER NOT NULL,
            PRIMARY KEY (deck_id, path)
        ) STRICT""",
    ),
    # 6: the daily review, finished. `changes` logs what the learner did to a card besides
    # answering it (bury, suspend, unsuspend), so that one undo stack covers them too: each
    # change remembers the latest review id at the time (after_review), which orders it against
    # the answers even when both carry the same moment. `graded` keeps the automatic verdict
    # beside `correct`, which is the learner's own when they overrode it. `exam_dates` remembers
    # a deck's exam date once it is set.
    (
        """CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            changed_at INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('bury', 'suspend', 'unsuspend')),
            state_before TEXT NOT NULL,
            state_after TEXT NOT NULL,
            after_review INTEGER NOT NULL DEFAULT 0,
            origin TEXT,
            undone_at INTEGER
        ) STRICT""",
        "ALTER TABLE reviews ADD COLUMN graded INTEGER",
        """CREATE TABLE exam_dates (
            deck_id TEXT PRIMARY KEY,
            exam_date TEXT NOT NULL,
            set_at INTEGER NOT NULL
        ) STRICT""",
    ),
    # 7: review history imported from Anki (quizkit import --with-progress). An imported answer is
    # an ordinary review (mode 'review': stats count it) whose imported_from is Anki's revlog id;
    # the unique index keeps one from being imported twice, and undo never takes one back. A
    # column, not a new mode: SQLite cannot change the mode's CHECK without rebuilding the table.
    (
        "ALTER TABLE reviews ADD COLUMN imported_from INTEGER",
        "CREATE UNIQUE INDEX reviews_imported ON reviews (imported_from) WHERE imported_from IS NOT NULL",
    ),
    # 8: FSRS-6 parameters fitted to the learner's history (quizkit optimize), one deck's own or,
    # under deck_id '', everyone's; kept with the out-of-sample log loss that earned them their place.
    (
        """CREATE TABLE fitted_parameters (
            deck_id TEXT PRIMARY KEY,
            parameters TEXT NOT NULL,
            fitted_at INTEGER NOT NULL,
            n_reviews INTEGER NOT NULL,
            log_loss_before REAL NOT NULL,
            log_loss_after REAL NOT NULL
        ) STRICT""",
    ),
    # 9: sync through a shared folder (quizkit sync). Every progress event gets a global id
    # '<device>:<seq>' when it is first sent (NULL until then: the index finds those quickly, and a
    # plain UNIQUE index lets any number of NULLs in). An undo of a review is an event of its own
    # (undos.event), so is the undo of a change (changes.undo_event). `reviews.cap` keeps the exam
    # date an answer was shortened for, so that a replay gives the same due date. sync_files
    # remembers which segment files of which device were read; sync_devices their names.
    (
        "ALTER TABLE reviews ADD COLUMN event TEXT",
        "ALTER TABLE reviews ADD COLUMN cap TEXT",
        "CREATE UNIQUE INDEX reviews_event ON reviews (event)",
        "ALTER TABLE undos ADD COLUMN event TEXT",
        "CREATE UNIQUE INDEX undos_event ON undos (event)",
        "ALTER TABLE changes ADD COLUMN event TEXT",
        "ALTER TABLE changes ADD COLUMN undo_event TEXT",
        "CREATE UNIQUE INDEX changes_event ON changes (event)",
        "CREATE UNIQUE INDEX changes_undo_event ON changes (undo_event)",
        "CREATE INDEX changes_by_card ON changes (deck_id, card_id)",
        "ALTER TABLE quizzes ADD COLUMN event TEXT",
        "CREATE UNIQUE INDEX quizzes_event ON quizzes (event)",
        "ALTER TABLE fitted_parameters ADD COLUMN event TEXT",
        """CREATE TABLE sync_files (
            device TEXT NOT NULL,
            name TEXT NOT NULL,
            events INTEGER NOT NULL,
            last_at INTEGER,
            read_at INTEGER NOT NULL,
            PRIMARY KEY (device, name)
        ) STRICT, WITHOUT ROWID""",
        """CREATE TABLE sync_devices (
            device TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created TEXT NOT NULL
        ) STRICT, WITHOUT ROWID""",
    ),
    # 10: the statistics read answers from their indexes alone. Both indexes of the review log by
    # mode and time and by card are made again, under their names, with every column the
    # statistics count (card, rating, verdict, phase before, time spent; the mode by card): a
    # month's answers (accuracy by tag) or a tag's answers (stats --tag) are then read off one
    # stretch of an index, not from rows scattered over the file. Only indexes change: no row is
    # touched. Their old columns lead, so every query that used them still can.
    (
        "DROP INDEX reviews_by_mode_time",
        """CREATE INDEX reviews_by_mode_time ON reviews (
            mode, reviewed_at, deck_id, card_id, rating, correct, phase_before, duration_ms)""",
        "DROP INDEX reviews_by_card",
        """CREATE INDEX reviews_by_card ON reviews (
            deck_id, card_id, reviewed_at, mode, rating, correct, phase_before, duration_ms)""",
    ),
)


SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """A connection to the progress database."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.db = connection
        self.path = path
        self._backup_checked = False
        self._backup_due: datetime | None = None
        self.backup_warning: str | None = None
        """Why the day's backup could not be taken (the answer was saved): for the caller to show."""
        self._identity = _identity(path)

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> Self:
        """Open (and create or migrate) the database; damaged files are reported, never replaced."""
        location = Path(path)
        if not location.exists() and not create:
            raise StoreError(f"no progress database at {location}")
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
            connection = _connect(location, location, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except _CAUGHT + (OSError,) as error:
            raise fault(location, error) from None
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
        except _CAUGHT as error:
            connection.close()
            raise fault(location, error) from None
        except BaseException:
            connection.close()
            raise
        store._identity = _identity(location)  # SQLite creates a new file only when it first writes
        return store

    @classmethod
    def memory(cls) -> Self:
        """A throwaway in-memory store, for tests of the layers above."""
        store = cls(_connect(":memory:", None, isolation_level=None), None)
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
        if current < 0:
            raise damage(self.path, f"its schema version is {current}")

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
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # SQLite may have rolled back already (a full disk)
                try:
                    self.db.execute("ROLLBACK")
                except StoreError:
                    pass
            raise
        else:
            self.db.execute("COMMIT")

    @contextmanager
    def write(self, now: datetime) -> Iterator[None]:
        """A write transaction; the day's backup is taken once it has committed.

        Writes nest: those made inside another commit with it, as one transaction. The backup is of
        the file as it was before the day's first write (a snapshot held across the commit), yet the
        answer is committed first: a backup that fails or is killed never costs it. Its failure is
        kept in `backup_warning` for the caller to show.
        """
        outer = not self.db.in_transaction
        snapshot = None
        if outer:
            self._check_same_file()
            snapshot = self._backup_snapshot(now)
        try:
            try:
                with self._transaction():
                    yield
            except _CAUGHT as error:
                raise fault(self.path, error) from None
            if snapshot is not None:
                self._take_backup(snapshot, now)
        finally:
            if snapshot is not None and snapshot[0] is not None:
                snapshot[0].close()

    def _check_same_file(self) -> None:
        """Refuse to write to a file that was restored (replaced) since it was opened."""
        if self.path is None or self._identity is None:
            return
        if _identity(self.path) != self._identity:
            raise StoreError(
                f"the progress database {self.path} was replaced (restored from a backup?) while this "
                "command had it open; nothing more was saved to the old file. Start the command again."
            )

    # ------------------------------------------------------------ backups

    def _backup_snapshot(self, now: datetime) -> tuple[sqlite3.Connection | None] | None:
        """Before the first write: whether today's backup is due, and a read snapshot to take it from.

        None when no backup is due; (None,) when one is due but is taken after the commit (no WAL).
        """
        if self._backup_checked or self.path is None:
            return None
        self._backup_checked = True
        day = now.astimezone(UTC).date().isoformat()
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'last_backup'").fetchone()
            if row and row[0] == day:
                return None
            if not self.db.execute("SELECT EXISTS (SELECT 1 FROM reviews)").fetchone()[0]:
                self._backup_done(day)  # nothing worth keeping yet
                return None
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                return (None,)
            reader = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                reader.execute("BEGIN")
                reader.execute("SELECT count(*) FROM meta").fetchone()  # the read snapshot starts here
            except BaseException:
                reader.close()
                raise
            return (reader,)
        except (*_CAUGHT, OSError, StoreError) as error:
            self._warn(error)
            return None

    def _take_backup(self, snapshot: tuple[sqlite3.Connection | None], now: datetime) -> None:
        """Best-effort: any failure becomes `backup_warning`, never an exception."""
        assert self.path is not None
        day = now.astimezone(UTC).date().isoformat()
        try:
            remove_stale_partials(self.path)
            self.backup_to(backup_dir(self.path) / f"{self.path.stem}-{day}.db", snapshot[0])
            for old in backups_of(self.path)[:-BACKUPS_KEPT]:
                old.unlink(missing_ok=True)
            self._backup_done(day)
        except (*_CAUGHT, OSError, StoreError) as error:
            self._warn(error)

    def _backup_done(self, day: str) -> None:
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('last_backup', ?)", (day,))

    def _warn(self, error: BaseException) -> None:
        folder = backup_dir(self.path) if self.path is not None else None
        self.backup_warning = (
            f"today's backup of the progress database could not be made ({error_text(error)}); "
            f"your answers are saved. Backups go to {folder}."
        )

    def backup_to(self, target: Path, source: sqlite3.Connection | None = None) -> Path:
        """A consistent copy of the database (or of `source`, a snapshot of it), written beside the
        target under a name of its own and then moved into place. Raises OSError or DatabaseFault."""
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.stem}.{os.getpid()}-{os.urandom(4).hex()}.partial")
        try:
            destination = sqlite3.connect(partial)
            try:
                (source or self.db).backup(destination)
            finally:
                destination.close()
            partial.replace(target)
        except _CAUGHT as error:
            partial.unlink(missing_ok=True)
            raise fault(self.path, error) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    # ------------------------------------------------------------ doctor

    def integrity(self) -> list[str]:
        """Problems SQLite finds in the file, and tables or indexes missing; empty when it is sound."""
        try:
            rows = [error_text_of(r[0]) for r in self.db.execute("PRAGMA integrity_check")]
            rows += [f"foreign key: {r}" for r in self.db.execute("PRAGMA foreign_key_check")]
        except StoreError as error:
            return [error_text(error)]
        problems = [] if rows == ["ok"] else rows
        return problems + self.schema_problems()

    def schema_problems(self) -> list[str]:
        """Tables and indexes this schema version should have but the file lacks."""
        version = self.schema_version
        if not 0 <= version <= SCHEMA_VERSION:
            return [f"schema version {version} is not one quizkit writes"]
        model = _connect(":memory:", None, isolation_level=None)
        try:
            for statements in MIGRATIONS[:version]:
                for statement in statements:
                    model.execute(statement)
            wanted = {tuple(r) for r in model.execute("SELECT type, name FROM sqlite_master")}
        finally:
            model.close()
        present = {tuple(r) for r in self.db.execute("SELECT type, name FROM sqlite_master")}
        return [f"the {kind} '{name}' is missing" for kind, name in sorted(wanted - present)]

    def review_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM reviews").fetchone()[0])


def error_text_of(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _identity(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def log_order(alias: str = "", *, descending: bool = False) -> str:
    """The SQL ORDER BY terms of the review log in its one global order, the order quizkit sync's
    replay plays it in (core.replay.order_key): time, then the event's device id, then its sequence
    number. Rows not sent yet (no event: this device's own) come after the sent ones of the same
    millisecond, in the order they were made. Row ids alone differ from device to device, so two
    answers given at the same millisecond on two devices must never be ordered by them."""
    a = f"{alias}." if alias else ""
    way = " DESC" if descending else ""
    terms = (
        f"{a}reviewed_at",
        f"{a}event IS NULL",
        f"substr({a}event, 1, instr({a}event, ':') - 1)",
        f"CAST(substr({a}event, instr({a}event, ':') + 1) AS INTEGER)",
        f"{a}id",
    )
    return ", ".join(term + way for term in terms)


def to_ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def from_ms(value: int | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        raise damage(None, f"a stored time ({value!r}) is out of range") from None


def backup_dir(path: Path) -> Path:
    return path.parent / "backups"


def backups_of(path: Path) -> list[Path]:
    """The daily backups of a database file, oldest first."""
    folder = backup_dir(path)
    try:
        return sorted(folder.glob(f"{path.stem}-????-??-??.db")) if folder.is_dir() else []
    except OSError:
        return []


def remove_stale_partials(path: Path) -> list[Path]:
    """Remove the temporary files of backups that were interrupted (their process has gone)."""
    folder = backup_dir(path)
    removed = []
    try:
        candidates = list(folder.glob(f"{path.stem}-*.partial")) if folder.is_dir() else []
    except OSError:
        return []
    for partial in candidates:
        try:
            old = time.time() - partial.stat().st_mtime > STALE_PARTIAL_S
            if old or not _alive(_partial_pid(partial)):
                partial.unlink()
                removed.append(partial)
        except OSError:
            continue
    return removed


def _partial_pid(partial: Path) -> int | None:
    # name-YYYY-MM-DD.PID-TOKEN.partial; older quizkits wrote name-YYYY-MM-DD.partial
    stem = partial.name.removesuffix(".partial")
    tail = stem.rsplit(".", 1)[-1] if "." in stem else ""
    pid = tail.split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def restore(path: Path, backup: Path, now: datetime) -> Path | None:
    """Put a backup in place of the database. The current file, damaged or not, is moved aside, never lost.

    A symlinked database is restored where the link points (the link stays). Nothing is moved until
    the backup has been checked and copied beside the database. Returns where the previous file was
    kept (None if there was none).
    """
    real = path.resolve() if path.is_symlink() else path
    source_real = backup.resolve()
    if real.exists() and (
        source_real == real.resolve()
        or source_real in {real.resolve().with_name(real.name + s) for s in ("-wal", "-shm", "-journal")}
    ):
        raise StoreError(
            f"{backup} is the progress database itself, not a backup of it; "
            "give a file from 'quizkit doctor' (or 'latest')"
        )
    try:
        check = sqlite3.connect(f"{source_real.as_uri()}?mode=ro", uri=True)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise StoreError(f"the backup {backup} is damaged too; choose another")
        finally:
            check.close()
    except _CAUGHT as error:
        raise StoreError(f"{backup} is not a usable backup: {error_text(error)}") from None
    staged = real.with_name(f".{real.name}.restoring-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        source = sqlite3.connect(f"{source_real.as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(staged)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        _refuse_if_in_use(real)
        kept = None
        if real.exists():
            kept = real.with_name(f"{real.stem}-before-restore-{now:%Y%m%dT%H%M%S}{real.suffix}")
            real.replace(kept)
            for suffix in ("-wal", "-shm"):
                sidecar = real.with_name(real.name + suffix)
                if sidecar.exists():
                    sidecar.replace(kept.with_name(kept.name + suffix))
        staged.replace(real)
    except (*_CAUGHT, OSError) as error:
        raise fault(real, error) from None
    finally:
        staged.unlink(missing_ok=True)
    return kept


def _refuse_if_in_use(path: Path) -> None:
    """Another quizkit writing right now would lose its answers to the file moved aside: refuse."""
    if not path.exists():
        return
    try:
        probe = sqlite3.connect(path, timeout=2.0, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("ROLLBACK")
    except (*_CAUGHT,) as error:
        if classify(error, path) == Fault.BUSY:
            raise StoreError(
                f"the progress database {path} is in use by another quizkit (a review?); "
                "finish it, then restore"
            ) from None
    finally:
        probe.close()


def wal_problems(path: Path) -> list[str]:
    """Answers SQLite would silently drop: frames of the current write-ahead log that fail their checksum.

    Read before the database is opened (closing the last connection folds the log in and removes it).
    """
    import struct

    wal = path.with_name(path.name + "-wal")
    try:
        data = wal.read_bytes() if wal.is_file() else b""
    except OSError as error:
        return [f"the write-ahead log {wal} cannot be read ({error_text(error)})"]
    if not data:
        return []
    if len(data) < 32:
        return [f"the write-ahead log {wal} is cut short ({len(data)} bytes): its answers are lost"]
    magic, _version, page_size, _seq, salt1, salt2, check1, check2 = struct.unpack(">8I", data[:32])
    if magic not in (0x377F0682, 0x377F0683) or not 512 <= page_size <= 65536:
        return [f"the write-ahead log {wal} has a damaged header: the answers in it are ignored"]
    order = ">" if magic & 1 else "<"

    def checksum(chunk: bytes, s1: int, s2: int) -> tuple[int, int]:
        words = struct.unpack(f"{order}{len(chunk) // 4}I", chunk)
        for i in range(0, len(words), 2):
            s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
            s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
        return s1, s2

    if checksum(data[:24], 0, 0) != (check1, check2):
        return [f"the write-ahead log {wal} has a damaged header: the answers in it are ignored"]
    s1, s2 = check1, check2
    frame = 24 + page_size
    offset = 32
    valid = True
    dropped_frames = dropped_commits = 0
    while offset + frame <= len(data):
        header = data[offset : offset + 24]
        _page, commit, f_salt1, f_salt2, f_check1, f_check2 = struct.unpack(">6I", header)
        if (f_salt1, f_salt2) != (salt1, salt2):
            later = range(offset + frame, len(data) - frame + 1, frame)
            if not any(struct.unpack(">2I", data[at + 8 : at + 16]) == (salt1, salt2) for at in later):
                break  # frames left from before the log was last restarted: not part of this log
            valid = False  # a damaged frame header, with this log's frames after it
        if valid:
            s1, s2 = checksum(header[:8] + data[offset + 24 : offset + frame], s1, s2)
            if (s1, s2) != (f_check1, f_check2):
                valid = False
        if not valid:
            dropped_frames += 1
            dropped_commits += 1 if commit else 0
        offset += frame
    if dropped_commits:  # frames of a transaction that never committed were never answers saved
        return [
            f"the write-ahead log {wal} is damaged: {dropped_frames} page(s) of {dropped_commits} "
            "saved change(s) (answers) fail their checksum and are dropped by SQLite"
        ]
    return []


def damaged_message(path: Path | None, error: object) -> str:
    detail = error_text(error) if isinstance(error, BaseException) else str(error)
    where = f"the progress database {path}" if path is not None else "the progress database"
    return (
        f"{where} is damaged and cannot be read ({detail}). "
        "It has not been changed. Run 'quizkit doctor' to check it and restore a backup, "
        "or use another file with --db."
    )
