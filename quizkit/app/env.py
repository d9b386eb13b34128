"""The outside world as a use case sees it: consoles, stdin, the clock, paths and settings.

The clock, the console and the paths arrive in an `Environment`, so tests and
simulations can replace every one of them; only `Environment.from_system` reads the real ones.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from msgspec import Struct, field
from rich.console import Console

from quizkit.core.settings import FIRST_YEAR, LAST_YEAR, Settings
from quizkit.errors import UsageError
from quizkit.io.config import load_settings

if TYPE_CHECKING:
    from quizkit.store.progress import Store


def _system_clock() -> datetime:
    return datetime.now(UTC)


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("quizkit", appauthor=False)) / "decks"


def default_state_dir() -> Path:
    """Where quizkit keeps what is neither data nor cache: crash logs."""
    import platformdirs

    return Path(platformdirs.user_state_dir("quizkit", appauthor=False))


def default_decks_dir() -> Path:
    """The learner's own decks folder: known without any config, and where an edited copy of a
    bundled deck goes."""
    return default_db_path().parent / "decks"


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("quizkit", appauthor=False)) / "config.toml"


class Environment(Struct):
    """Everything a use case needs from the outside world."""

    stdout: Console
    stderr: Console
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdin_isatty: bool = False
    db_path: Path | None = None
    clock: Callable[[], datetime] = _system_clock
    settings: Settings = field(default_factory=Settings)
    cache_dir: Path | None = None
    opened: list[Store] = field(default_factory=list)
    """The stores open_store gave out: their warnings (a backup that failed) are shown at the end."""
    """Where parsed decks are cached (None: always parse)."""
    cache_key: bytes | None = None
    """The user's key that signs deck-cache entries (kept in the data folder, not the cache)."""
    plain: bool = False
    """--plain: no box drawing and no cursor movement, each part labelled (for screen readers)."""
    decks_dir: Path | None = None
    """The learner's own decks folder (None: none, as in tests that name their decks)."""
    origin: str | None = None
    """Where answers are given from: the terminal, or the parent process for a pipe. Undo takes
    back only answers of the same origin (None: any, as in tests of one process)."""

    @classmethod
    def from_system(cls, db: Path | None = None, now: str | None = None, plain: bool = False) -> Environment:
        no_color = bool(os.environ.get("NO_COLOR"))
        config = os.environ.get("QUIZKIT_CONFIG")
        return cls(
            # emoji=False: ':smile:' in a deck is text, and the emoji table costs 3 ms to load.
            stdout=Console(no_color=no_color, highlight=False, emoji=False),
            stderr=Console(stderr=True, no_color=no_color, highlight=False, emoji=False),
            stdin=sys.stdin,
            stdin_isatty=sys.stdin.isatty(),
            db_path=db or default_db_path(),
            clock=fixed_clock(now) if now else _system_clock,
            settings=load_settings(Path(config) if config else default_config_path()),
            cache_dir=default_cache_dir() if (key := _cache_key()) else None,
            cache_key=key,
            decks_dir=default_decks_dir(),
            origin=_origin(),
            plain=plain or os.environ.get("QUIZKIT_PLAIN", "") not in ("", "0"),
        )

    def open_store(self) -> Store:
        from quizkit.store.progress import Store

        store = Store.memory() if self.db_path is None else Store.open(self.db_path)
        self.opened.append(store)
        return store

    def store_warnings(self) -> list[str]:
        """What the stores want the learner told (the answers are saved): a backup that failed."""
        return [store.backup_warning for store in self.opened if store.backup_warning]


def _cache_key() -> bytes | None:
    """The user's deck-cache key: 32 random bytes in the data folder, made on first use, readable
    by the user only. None when it cannot be read or made: then decks are parsed, not cached."""
    path = default_db_path().parent / "cache.key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = os.urandom(32)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(key)
        return key
    except OSError:
        return None


def _origin() -> str:
    for fd in (0, 1, 2):
        try:
            return os.ttyname(fd)
        except OSError:
            continue
    return f"process {os.getppid()}"


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("quizkit", appauthor=False)) / "quizkit.db"


def parse_now(value: str) -> datetime:
    """Parse QUIZKIT_NOW: ISO 8601 with a zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"QUIZKIT_NOW={value!r} is not an ISO 8601 date and time; "
            "use e.g. QUIZKIT_NOW=2026-03-01T09:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise UsageError(f"QUIZKIT_NOW={value!r} has no time zone; add one, e.g. {value}+00:00")
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        year = moment.year
    if not FIRST_YEAR <= year < LAST_YEAR or not FIRST_YEAR <= moment.year < LAST_YEAR:
        raise UsageError(
            f"QUIZKIT_NOW={value!r} is outside the years {FIRST_YEAR} to {LAST_YEAR - 1}; "
            "give a date and time in them, e.g. QUIZKIT_NOW=2026-03-01T09:00:00+00:00"
        )
    return moment


def fixed_clock(value: str) -> Callable[[], datetime]:
    moment = parse_now(value)
    return lambda: moment
