"""Anki packages (.apkg): read the notes out of one, and write one.

An .apkg is a zip holding an SQLite collection, so this module imports sqlite3:
the one justified exception to "only store.py imports sqlite3". It never touches
the progress database.

A package is hostile until proven otherwise. Its collection is unpacked once, streaming
(zip member, then zstd), into a private temporary folder that is removed afterwards, with
a cap on the bytes unpacked and on the compression ratio. It is opened read-only and
immutable, with untrusted schema functions off, temp storage in memory, a soft heap limit,
a cap on the size of any one value, and a progress handler that stops a query at a
deadline or at Ctrl-C. The tables read must be ordinary tables (no views, no virtual tables,
no computed columns), the collection must hold no trigger, every query reads a capped number
of rows without sorting, and every value read (JSON included) is checked for its type before
it is used. Whatever is wrong ends as a DeckError naming the file.

Reading knows the three collection formats Anki writes: `collection.anki2`
(Anki 2.0), `collection.anki21` (2.1, "support older Anki versions") and the
current `collection.anki21b`, a zstd-compressed collection (schema 18) whose
media map is zstd-compressed protobuf. Writing uses genanki and produces a
legacy package that every Anki, AnkiDroid and AnkiMobile can import; with progress
(export --with-progress) the cards' schedules, FSRS memory states and the review log,
which genanki does not write, are written into its collection before it is packed.

Besides the notes, it reads each card's deck and queue (suspended, buried), each deck's
description, and, only when asked (`history`, for import --with-progress), the review log.

Turning Anki notes into quizkit cards (and back) is `exchange.py`'s business:
this module only speaks the package format.
"""

from __future__ import annotations

import io
import json
import math
import re
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from msgspec import Struct
from msgspec import field as _field

from quizkit.errors import DeckError, Problem
from quizkit.model import CardState, Phase

if TYPE_CHECKING:
    from quizkit.core.scheduler import SchedulerConfig

MB = 1024 * 1024

MAX_COLLECTION_BYTES = 1024 * MB
"""A collection bigger than this (unpacked) is refused."""

MAX_MEDIA_MAP_BYTES = 32 * MB

MAX_RATIO = 100
"""Unpacked bytes per packed byte beyond RATIO_FLOOR: SQLite collections pack 3-15 to 1, bombs 1000s."""

RATIO_FLOOR = 64 * MB

MAX_NOTES = 250_000
MAX_CARDS = 1_000_000
MAX_NOTETYPES = 10_000
MAX_DECKS = 100_000
MAX_MEDIA_FILES = 500_000
MAX_MEDIA_FILE_BYTES = 64 * MB
"""One media file copied out of a package: a picture is at most 20 MB (pictures.MAX_IMAGE_BYTES),
an hour of speech as MP3 about 60 MB. A bigger one is left in the package (and listed)."""
MAX_MEDIA_BYTES = 1024 * MB
"""All the media files copied out of one package, together."""
MAX_SCHEMA_ENTRIES = 10_000
MAX_REVIEWS = 1_000_000
"""Rows of the review log (revlog) read, for --with-progress: 250 reviews a day for ten years."""

MAX_VALUE_BYTES = 16 * MB
"""The largest single value (a note's fields, the note types' JSON) SQLite will hand back."""

MAX_TEXT_BYTES = 256 * MB
"""All the text read from a collection, together."""

HEAP_LIMIT = 256 * MB
"""SQLite's soft heap limit while a collection is read, restored afterwards. Not the hard limit:
that one is process-wide and can never be raised again, so it would go on failing quizkit's own
databases. What bounds SQLite's memory is the rest: ordinary tables only, no sorting, a 16 MB
page cache, and no value over MAX_VALUE_BYTES (SQLite refuses to build a bigger one)."""

DEADLINE_SECONDS = 30.0
"""Reading a collection takes well under a second per 10,000 notes; a query still running after
this is stopped."""

_CHUNK = MB

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
"""Newest first: a current package also carries a stub collection.anki2 for old Ankis."""


REEXPORT_HINT = "export it again from Anki with File > Export > Anki Deck Package (*.apkg)"
SPLIT_HINT = "split the deck in Anki and export the parts"


class NoteType(Struct, frozen=True):
    """An Anki note type: its fields and card templates (front, back), as Anki stores them."""

    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]
    cloze: bool


class Note(Struct, frozen=True):
    """One Anki note, its fields still HTML."""

    id: int
    guid: str
    notetype: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    card_ords: frozenset[int]
    """Which of the note type's templates have a card (cloze: deletion numbers - 1)."""
    deck: str

    def field(self, name: str) -> str:
        try:
            return self.fields[self.notetype.fields.index(name)]
        except (ValueError, IndexError):
            return ""


class AnkiCard(Struct, frozen=True):
    """One Anki card: which note and template it is, its deck, and its queue (suspended, buried)."""

    id: int
    note_id: int
    ord: int
    deck: str
    queue: int
    """Anki's queue: -1 suspended, -2 and -3 buried, 0 new, 1 and 3 learning, 2 review."""

    @property
    def suspended(self) -> bool:
        return self.queue == -1

    @property
    def buried(self) -> bool:
        return self.queue in (-2, -3)


class Revlog(Struct, frozen=True):
    """One row of Anki's review log: its id (the moment, in ms), the card, the button, the kind."""

    id: int
    card_id: int
    ease: int
    """The button: 1 Again to 4 Easy; 0 for a manual change (reschedule, forget)."""
    type: int
    """0 learning, 1 review, 2 relearning, 3 filtered deck, 4 manual, 5 rescheduled."""
    time_ms: int = 0
    """How long the answer took (Anki caps it, by default at a minute)."""


class Package(Struct, frozen=True):
    """What quizkit reads from an .apkg."""

    notes: tuple[Note, ...]
    media: tuple[str, ...]
    """Names of the media files (images, sounds) packed with the notes."""
    collection: str
    """Which collection file was read, e.g. collection.anki21b."""
    cards: tuple[AnkiCard, ...] = ()
    reviews: tuple[Revlog, ...] = ()
    """The review log, oldest first (read only when asked for: read_package's `history`)."""
    review_count: int = 0
    """How many rows the review log has (also when it was not read)."""
    descriptions: Mapping[str, str] = _field(default_factory=dict)
    """Each deck's description (HTML), by its full name (History::French Revolution)."""
    media_members: Mapping[str, str] = _field(default_factory=dict)
    """The zip member holding each media file, by its name (the first entry of a name counts)."""
    media_zstd: bool = False
    """The media files are zstd-compressed in their members (the current format)."""


def _fail(path: str, message: str, hint: str = REEXPORT_HINT) -> DeckError:
    return DeckError([Problem(path, None, None, message, hint)])


class _Damaged(Exception):
    """A value in the collection is not what Anki writes; `what` is the part: note types, decks, notes."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(detail)
        self.what = what
        self.detail = detail


NOTE_TYPES = "note types"
DECKS = "decks"
NOTES = "notes"
CARDS = "cards"
REVIEWS = "reviews"


def read_package(data: bytes | Path, path: str, history: bool = False) -> Package:
    """Read the notes of an .apkg, in memory or from its file (read member by member, so a big
    package of media is never held whole), and with `history` its review log. Raises DeckError
    naming the file and the fix."""
    source: io.BytesIO | Path = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        if not zipfile.is_zipfile(source):
            raise _fail(path, "is not an Anki package: it is not a zip file")
    except OSError as error:
        raise _fail(path, f"cannot be read: {error.strerror}") from None
    try:
        archive = zipfile.ZipFile(source)
        members = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _fail(path, f"is a damaged zip file ({error})") from None
    for name in members:
        if _outside(name):
            raise _fail(
                path,
                f"contains {name!r}, a path outside the package; quizkit refuses to read it",
                "the file is damaged or was made to attack the computer that opens it: "
                "do not unzip it, and " + REEXPORT_HINT,
            )
    chosen = next((name for name in COLLECTIONS if name in members), None)
    if chosen is None:
        raise _fail(
            path, "is a zip file but not an Anki package: it holds no collection.anki2/.anki21/.anki21b"
        )
    entries, media_zstd = _media_entries(archive, members, path)
    media_members: dict[str, str] = {}
    for name, member in entries:
        media_members.setdefault(name, member)
    media = tuple(name for name, _member in entries)
    with tempfile.TemporaryDirectory(prefix="quizkit-apkg-") as private:
        file = Path(private) / "collection.sqlite"
        with open(file, "wb") as out:
            _unpack(archive, members[chosen], path, MAX_COLLECTION_BYTES, out, zstd=chosen.endswith("b"))
        try:
            with _Collection(file, path) as db:
                notes, cards, reviews, descriptions, review_count = _read(db, history)
        except _Damaged as damaged:
            raise _fail(path, f"the package's {damaged.what} are damaged: {damaged.detail}") from None
        except (sqlite3.Error, ValueError, KeyError, TypeError, IndexError) as error:
            raise _fail(path, f"holds a collection quizkit cannot read ({chosen}: {error})") from None
    return Package(
        notes, media, chosen, cards, reviews, review_count, descriptions, media_members, media_zstd
    )


def _outside(name: str) -> bool:
    """True for a member that would land outside the folder it were extracted into."""
    posix = name.replace("\\", "/")
    return posix.startswith("/") or bool(re.match(r"^[A-Za-z]:", posix)) or ".." in PurePosixPath(posix).parts


def _unpack(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: str,
    limit: int,
    out: IO[bytes],
    zstd: bool,
    what: str = "",
) -> None:
    """Stream one member (and its zstd, if `zstd`) into `out`, stopping at the limit or a bomb's ratio."""
    what = what or ("its media list" if info.filename == "media" else info.filename)
    if info.file_size > limit and not zstd:
        raise _fail(
            path,
            f"{what} is {info.file_size // MB} MB; quizkit reads at most {limit // MB} MB",
            SPLIT_HINT,
        )
    budget = min(limit, max(RATIO_FLOOR, MAX_RATIO * info.compress_size))
    try:
        import zstandard
    except ImportError:
        if zstd:
            raise _fail(
                path,
                "is a current Anki package (zstd-compressed), and the zstandard module is missing",
                "pip install zstandard, or export from Anki with 'Support older Anki versions' ticked",
            ) from None
        zstandard = None  # type: ignore[assignment]
    zstd_errors: tuple[type[BaseException], ...] = (zstandard.ZstdError,) if zstandard else ()
    written = 0
    try:
        with archive.open(info) as member:
            reader: IO[bytes] = member
            if zstd:
                reader = zstandard.ZstdDecompressor().stream_reader(member)
            with reader:
                while chunk := reader.read(_CHUNK):
                    written += len(chunk)
                    if written > budget:
                        raise _fail(
                            path,
                            f"{what} unpacks to more than {budget // MB} MB from "
                            f"{max(1, info.compress_size // 1024)} KB: the package is damaged, "
                            "or made to exhaust the computer that opens it",
                            REEXPORT_HINT if budget < limit else SPLIT_HINT + ", or " + REEXPORT_HINT,
                        )
                    out.write(chunk)
    except zstd_errors as error:
        raise _fail(path, f"is damaged: its zstd data cannot be unpacked ({error})") from None
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError, EOFError) as error:
        raise _fail(path, f"is damaged: {what} cannot be unpacked ({error})") from None


def _media_entries(
    archive: zipfile.ZipFile, members: Mapping[str, zipfile.ZipInfo], path: str
) -> tuple[list[tuple[str, str]], bool]:
    """The media list: (file name, zip member) of each file, and whether the files are
    zstd-compressed. The current format lists protobuf entries whose member is their position
    (0, 1, 2...) and compresses the files as it compresses the list; the legacy one is a JSON
    table from member to name."""
    if "media" not in members:
        return [], False
    info = members["media"]
    with archive.open(info) as member:
        try:
            zstd = member.read(4) == b"\x28\xb5\x2f\xfd"  # the current format's protobuf MediaEntries
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError):
            raise _fail(path, "is damaged: its media list cannot be read") from None
    out = io.BytesIO()
    _unpack(archive, info, path, MAX_MEDIA_MAP_BYTES, out, zstd=zstd)
    raw = out.getvalue()
    del out
    entries: list[tuple[str, str]] = []
    try:
        if zstd:
            for number, entry in _fields(raw):
                if number == 1 and isinstance(entry, bytes):
                    entries.append((_protobuf_text(entry, 1), str(len(entries))))
                    if len(entries) > MAX_MEDIA_FILES:
                        break
        else:
            if raw.count(b",") >= MAX_MEDIA_FILES:  # before json.loads builds millions of entries
                raise _fail(path, f"its media list names more than {MAX_MEDIA_FILES} files", SPLIT_HINT)
            mapping = _json(raw.decode("utf-8") or "{}", "media list")
            if not isinstance(mapping, dict):
                raise _Damaged("media list", "it is not a table of names")
            entries = [(str(name), str(member)) for member, name in mapping.items()]
    except (ValueError, _Damaged):
        raise _fail(path, "is damaged: its media list cannot be read") from None
    if len(entries) > MAX_MEDIA_FILES:
        raise _fail(path, f"its media list names more than {MAX_MEDIA_FILES} files", SPLIT_HINT)
    return entries, zstd


class MediaFiles:
    """The media files of a package, read one at a time out of its zip (a context manager).

    A file is streamed (and unpacked from zstd in the current format) into a file object, capped
    at MAX_MEDIA_FILE_BYTES each and MAX_MEDIA_BYTES in all; what cannot be copied raises a
    DeckError whose message says why, for that file alone."""

    def __init__(self, source: bytes | Path, path: str, package: Package) -> None:
        self.path = path
        self.package = package
        self.copied = 0
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
            raise _fail(path, f"is a damaged zip file ({error})") from None

    def __enter__(self) -> MediaFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.archive.close()

    def copy(self, name: str, out: IO[bytes]) -> int:
        """Copy the media file `name` into `out`; its size. DeckError if it cannot be."""
        member = self.package.media_members.get(name)
        try:
            info = self.archive.getinfo(member) if member is not None else None
        except KeyError:
            info = None
        if info is None:
            raise _fail(self.path, f"lists {name!r} in its media, but does not hold it", REEXPORT_HINT)
        left = MAX_MEDIA_BYTES - self.copied
        if left <= 0:
            raise _fail(
                self.path, f"has more than {MAX_MEDIA_BYTES // MB} MB of media; the rest is left", SPLIT_HINT
            )
        start = out.tell()
        limit = min(MAX_MEDIA_FILE_BYTES, left)
        try:
            _unpack(self.archive, info, self.path, limit, out, self.package.media_zstd, repr(name))
        except DeckError:
            if out.tell() - start < limit:
                raise
            raise _fail(  # not a bomb: the limit is below the ratio's floor
                self.path,
                f"{name!r} is over {limit // MB} MB; quizkit copies media files of at most "
                f"{MAX_MEDIA_FILE_BYTES // MB} MB, and {MAX_MEDIA_BYTES // MB} MB in all",
                "copy the file out of Anki's media folder by hand if the deck needs it",
            ) from None
        size = out.tell() - start
        self.copied += size
        return size


class _Collection:
    """An SQLite collection from a package: read-only, immutable, and guarded (see the module doc)."""

    def __init__(self, file: Path, path: str) -> None:
        self.path = path
        self.stopped = ""
        self.has_revlog = False
        self.columns: dict[str, set[str]] = {}
        with open(file, "r+b") as image:
            header = image.read(100)
            if not header.startswith(b"SQLite format 3\x00") or len(header) < 100:
                raise ValueError("not an SQLite database")
            # Anki leaves its collections in WAL mode; bytes 18-19 set to 1 read it as a rollback-journal
            # file, which an immutable read-only connection opens without a -wal or -shm file.
            image.seek(18)
            image.write(b"\x01\x01")
        self.deadline = time.monotonic() + DEADLINE_SECONDS
        self.db = sqlite3.connect(file.as_uri() + "?mode=ro&immutable=1", uri=True)
        try:
            self.db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
            self.db.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1 * MB)
            self.db.set_progress_handler(self._progress, 10_000)
            for pragma in (
                "trusted_schema = OFF",  # no functions with side effects from its schema
                "query_only = ON",
                "temp_store = MEMORY",  # never spill temp data to /var/tmp
                "mmap_size = 0",
                "cache_size = -16384",  # 16 MB of page cache
            ):
                self.db.execute(f"PRAGMA {pragma}")
            self.soft_limit = int(self.db.execute("PRAGMA soft_heap_limit").fetchone()[0])
            self.db.execute(f"PRAGMA soft_heap_limit = {HEAP_LIMIT}")
        except BaseException:
            self.db.close()
            raise

    def _progress(self) -> int:
        try:
            if time.monotonic() > self.deadline:
                self.stopped = "deadline"
                return 1
            return 0
        except KeyboardInterrupt:
            self.stopped = "interrupt"
            return 1

    def rows(self, sql: str, limit: int, what: str = "rows") -> Iterator[tuple[Any, ...]]:
        """At most `limit` rows of one query, one at a time; more is an error, and so is a query
        that runs too long or builds a value too big."""
        count = 0
        try:
            for row in self.db.execute(f"{sql} LIMIT {limit + 1}"):
                count += 1
                if count > limit:
                    raise _fail(
                        self.path, f"has more than {limit} {what}; quizkit reads at most {limit}", SPLIT_HINT
                    )
                yield row
        except sqlite3.Error as error:
            if self.stopped == "deadline":
                raise _fail(
                    self.path, f"took longer than {DEADLINE_SECONDS:g} s to read; quizkit stopped", SPLIT_HINT
                ) from None
            if self.stopped == "interrupt" or "interrupt" in str(error):
                raise KeyboardInterrupt from None
            if "too big" in str(error):
                raise _fail(
                    self.path, f"holds a value too big to read (over {MAX_VALUE_BYTES // MB} MB)", SPLIT_HINT
                ) from None
            if "out of memory" in str(error):
                raise _fail(
                    self.path, "needs more memory to read than quizkit gives it", SPLIT_HINT
                ) from None
            raise

    def __enter__(self) -> _Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.db.set_progress_handler(None, 0)
            self.db.execute(f"PRAGMA soft_heap_limit = {self.soft_limit}")
        finally:
            self.db.close()


_SCHEMA11 = ("col", "notes", "cards")
_SCHEMA18 = ("notes", "cards", "notetypes", "fields", "templates", "decks")


def _check_schema(db: _Collection) -> bool:
    """The tables read are ordinary tables, and there is no trigger. True for a schema 18 collection."""
    entries = db.rows(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master", MAX_SCHEMA_ENTRIES, "schema entries"
    )
    kinds: dict[str, tuple[str, str]] = {}
    for kind, name, sql in entries:
        if kind == "trigger":
            raise _fail(db.path, f"holds a trigger ({str(name)!r}); Anki collections have none")
        kinds[str(name).casefold()] = (str(kind), str(sql))
    schema18 = "notetypes" in kinds
    # The review log is read only when it is there: a package made without scheduling may lack it.
    for name in (*(_SCHEMA18 if schema18 else _SCHEMA11), *(("revlog",) if "revlog" in kinds else ())):
        if name not in kinds:
            raise _fail(db.path, f"holds a collection that has no {name!r} table")
        kind, sql = kinds[name]
        if kind == "view":
            raise _fail(
                db.path, f"holds a collection whose {name!r} is a view, not a table (Anki's are tables)"
            )
        if kind != "table" or re.match(r"\s*create\s+virtual", sql, re.IGNORECASE):
            raise _fail(db.path, f"holds a collection whose {name!r} is not an ordinary table")
        for column in db.rows(f"SELECT name, hidden FROM pragma_table_xinfo('{name}')", 1000, "columns"):
            db.columns.setdefault(name, set()).add(str(column[0]).casefold())
            if column[1] not in (0, 1):
                raise _fail(
                    db.path, f"holds a collection whose {name!r} table has computed columns; Anki's have none"
                )
    db.has_revlog = "revlog" in kinds
    return schema18


class _Text:
    """Counts the text read from one collection against MAX_TEXT_BYTES."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.total = 0

    def add(self, size: int) -> None:
        self.total += size
        if self.total > MAX_TEXT_BYTES:
            raise _fail(self.path, f"holds more than {MAX_TEXT_BYTES // MB} MB of text", SPLIT_HINT)


def _int(value: object, what: str, detail: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
            return int(value)
        raise _Damaged(what, detail)
    return value


def _str(value: object, what: str, detail: str) -> str:
    if not isinstance(value, str):
        raise _Damaged(what, detail)
    return value


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _json(text: object, what: str) -> object:
    """JSON from the collection: text, not too deep, finite numbers only."""
    if not isinstance(text, str):
        raise _Damaged(what, "they are not text")
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise _Damaged(what, "they are nested too deeply to be Anki's") from None
    except ValueError as error:
        raise _Damaged(what, f"they are not valid JSON ({str(error)[:80]})") from None


def _read(
    db: _Collection, history: bool
) -> tuple[tuple[Note, ...], tuple[AnkiCard, ...], tuple[Revlog, ...], dict[str, str], int]:
    text = _Text(db.path)
    if _check_schema(db):
        notetypes, decks, descriptions = _schema18(db, text)
    else:
        notetypes, decks, descriptions = _schema11(db, text)
    ords: dict[int, set[int]] = {}
    first_card: dict[int, tuple[int, int]] = {}
    cards: list[AnkiCard] = []
    # A package made by hand (not by Anki) may lack the cards' own ids and queues: none is suspended.
    have = db.columns.get("cards", set())
    card_id, card_queue = ("id" if "id" in have else "-1"), ("queue" if "queue" in have else "0")
    for cid, nid, ord_, did, queue in db.rows(
        f"SELECT {card_id}, nid, ord, did, {card_queue} FROM cards", MAX_CARDS, "cards"
    ):
        cid = _int(cid, CARDS, "a card's id is not a number")
        nid = _int(nid, CARDS, "a card's note id is not a number")
        ord_ = _int(ord_, CARDS, "a card's number is not a number")
        did = _int(did, CARDS, "a card's deck id is not a number")
        queue = _int(queue, CARDS, "a card's queue is not a number")
        ords.setdefault(nid, set()).add(ord_)
        if nid not in first_card or ord_ < first_card[nid][0]:
            first_card[nid] = (ord_, did)
        cards.append(AnkiCard(cid, nid, ord_, decks.get(did, ""), queue))
    cards.sort(key=lambda card: card.id)
    reviews: list[Revlog] = []
    review_count = 0
    readable = db.has_revlog and {"id", "cid", "ease", "type"} <= db.columns.get("revlog", set())
    if readable and not history:  # only to say what is left behind
        count = next(iter(db.rows("SELECT count(*) FROM revlog", 1, "counts")))[0]
        review_count = _int(count, REVIEWS, "the review log cannot be counted")
    if readable and history:
        took = "time" if "time" in db.columns.get("revlog", set()) else "0"
        for rid, cid, ease, kind, time_ms in db.rows(
            f"SELECT id, cid, ease, type, {took} FROM revlog", MAX_REVIEWS, "reviews in the review log"
        ):
            reviews.append(
                Revlog(
                    _int(rid, REVIEWS, "a review's id is not a number"),
                    _int(cid, REVIEWS, "a review's card id is not a number"),
                    _int(ease, REVIEWS, "a review's button is not a number"),
                    _int(kind, REVIEWS, "a review's kind is not a number"),
                    _int(time_ms, REVIEWS, "a review's time is not a number"),
                )
            )
        reviews.sort(key=lambda review: review.id)
        review_count = len(reviews)
    checked = []
    for nid, guid, mid, tags, fields in db.rows(
        "SELECT id, guid, mid, tags, flds FROM notes", MAX_NOTES, "notes"
    ):
        nid = _int(nid, NOTES, "a note's id is not a number")
        guid = _str(guid, NOTES, f"note {nid} has no guid")
        mid = _int(mid, NOTES, f"note {nid}'s note type id is not a number")
        tags = _str(tags, NOTES, f"note {nid}'s tags are not text")
        fields = _str(fields, NOTES, f"note {nid}'s fields are not text")
        text.add(len(guid) + len(tags) + len(fields))
        checked.append((nid, guid, mid, tags, fields))
    checked.sort(key=lambda row: row[0])
    notes = []
    for nid, guid, mid, tags, fields in checked:
        notetype = notetypes.get(mid) or NoteType(mid, f"unknown note type {mid}", (), (), False)
        notes.append(
            Note(
                id=nid,
                guid=guid,
                notetype=notetype,
                fields=tuple(fields.split("\x1f")),
                tags=tuple(tags.split()),
                card_ords=frozenset(ords.get(nid, ())),
                deck=decks.get(first_card.get(nid, (0, -1))[1], ""),
            )
        )
    used = {card.deck for card in cards}
    kept = {name: about for name, about in descriptions.items() if about.strip() and name in used}
    return tuple(notes), tuple(cards), tuple(reviews), kept, review_count


def _ordered(items: object, what: str, detail: str) -> list[dict[str, Any]]:
    """A list of JSON objects sorted by their "ord" (their place when it is missing)."""
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _Damaged(what, detail)
    keyed = []
    for place, item in enumerate(items):
        order = item.get("ord", place)
        keyed.append((_int(place if order is None else order, what, detail), place, item))
    return [item for _, _, item in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _schema11(db: _Collection, text: _Text) -> tuple[dict[int, NoteType], dict[int, str], dict[str, str]]:
    """Anki 2.0/2.1 collections: note types and decks are JSON in the col table."""
    rows = list(db.rows("SELECT models, decks FROM col", 1, "col rows"))
    if not rows:
        raise _Damaged(NOTE_TYPES, "the collection's col table is empty")
    models_json, decks_json = rows[0]
    for value in rows[0]:
        text.add(len(value) if isinstance(value, str) else 0)
    models = _json(models_json, NOTE_TYPES)
    if not isinstance(models, dict):
        raise _Damaged(NOTE_TYPES, "they are not a table of note types")
    if len(models) > MAX_NOTETYPES:
        raise _fail(db.path, f"has more than {MAX_NOTETYPES} note types", SPLIT_HINT)
    notetypes = {}
    for key, model in models.items():
        label = f"note type {str(key)[:40]!r}"
        if not isinstance(model, dict):
            raise _Damaged(NOTE_TYPES, f"{label} is not a note type")
        mid = _int(model.get("id"), NOTE_TYPES, f"{label} has no valid id")
        name = _str(model.get("name"), NOTE_TYPES, f"{label} has no name")
        fields = _ordered(model.get("flds"), NOTE_TYPES, f"{label}: its fields are not a list of fields")
        templates = _ordered(model.get("tmpls"), NOTE_TYPES, f"{label}: its card templates are not a list")
        notetypes[mid] = NoteType(
            mid,
            name,
            tuple(_str(f.get("name"), NOTE_TYPES, f"{label}: a field has no name") for f in fields),
            tuple(
                (
                    _str(t.get("qfmt"), NOTE_TYPES, f"{label}: a card template has no front"),
                    _str(t.get("afmt"), NOTE_TYPES, f"{label}: a card template has no back"),
                )
                for t in templates
            ),
            model.get("type") == 1,
        )
    deck_map = _json(decks_json, DECKS)
    if not isinstance(deck_map, dict):
        raise _Damaged(DECKS, "they are not a table of decks")
    if len(deck_map) > MAX_DECKS:
        raise _fail(db.path, f"has more than {MAX_DECKS} decks", SPLIT_HINT)
    decks = {}
    descriptions = {}
    for key, deck in deck_map.items():
        label = f"deck {str(key)[:40]!r}"
        if not isinstance(deck, dict):
            raise _Damaged(DECKS, f"{label} is not a deck")
        name = _str(deck.get("name"), DECKS, f"{label} has no name")
        decks[_int(deck.get("id"), DECKS, f"{label} has no valid id")] = name
        about = deck.get("desc", "")
        descriptions[name] = about if isinstance(about, str) else ""
    return notetypes, decks, descriptions


def _schema18(db: _Collection, text: _Text) -> tuple[dict[int, NoteType], dict[int, str], dict[str, str]]:
    """Current collections: note types, fields and templates in tables, settings as protobuf."""
    fields: dict[int, list[tuple[int, str]]] = {}
    for ntid, ord_, name in db.rows("SELECT ntid, ord, name FROM fields", 100 * MAX_NOTETYPES, "fields"):
        ntid = _int(ntid, NOTE_TYPES, "a field's note type id is not a number")
        name = _str(name, NOTE_TYPES, f"a field of note type {ntid} has no name")
        text.add(len(name))
        fields.setdefault(ntid, []).append((_int(ord_, NOTE_TYPES, f"field {name!r} has no number"), name))
    templates: dict[int, list[tuple[int, tuple[str, str]]]] = {}
    rows = db.rows("SELECT ntid, ord, config FROM templates", 100 * MAX_NOTETYPES, "card templates")
    for ntid, ord_, config in rows:
        ntid = _int(ntid, NOTE_TYPES, "a card template's note type id is not a number")
        if not isinstance(config, bytes):
            raise _Damaged(NOTE_TYPES, f"a card template of note type {ntid} is not Anki's (not protobuf)")
        text.add(len(config))
        try:
            sides = (_protobuf_text(config, 1), _protobuf_text(config, 2))
        except ValueError:
            raise _Damaged(NOTE_TYPES, f"a card template of note type {ntid} cannot be read") from None
        number = _int(ord_, NOTE_TYPES, f"a card template of note type {ntid} has no number")
        templates.setdefault(ntid, []).append((number, sides))
    notetypes = {}
    for ntid, name, config in db.rows("SELECT id, name, config FROM notetypes", MAX_NOTETYPES, "note types"):
        ntid = _int(ntid, NOTE_TYPES, "a note type's id is not a number")
        name = _str(name, NOTE_TYPES, f"note type {ntid} has no name")
        if not isinstance(config, bytes):
            raise _Damaged(NOTE_TYPES, f"note type {name[:40]!r}'s settings are not Anki's (not protobuf)")
        try:
            kind = next((v for number, v in _fields(config) if number == 1 and isinstance(v, int)), 0)
        except ValueError:
            raise _Damaged(NOTE_TYPES, f"note type {name[:40]!r}'s settings cannot be read") from None
        notetypes[ntid] = NoteType(
            ntid,
            name,
            tuple(n for _, n in sorted(fields.get(ntid, ()))),
            tuple(sides for _, sides in sorted(templates.get(ntid, ()), key=lambda t: t[0])),
            kind == 1,
        )
    decks = {}
    descriptions = {}
    kind_column = "kind" if "kind" in db.columns.get("decks", set()) else "NULL"
    for did, name, kind in db.rows(f"SELECT id, name, {kind_column} FROM decks", MAX_DECKS, "decks"):
        did = _int(did, DECKS, "a deck's id is not a number")
        decks[did] = full = _str(name, DECKS, f"deck {did} has no name").replace("\x1f", "::")
        if isinstance(kind, bytes):
            text.add(len(kind))
            try:  # DeckKindContainer: 1 a normal deck, whose field 4 is its description
                normal = next((v for n, v in _fields(kind) if n == 1 and isinstance(v, bytes)), b"")
                descriptions[full] = _protobuf_text(normal, 4)
            except ValueError:
                raise _Damaged(DECKS, f"deck {did}'s settings cannot be read") from None
    return notetypes, decks, descriptions


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated protobuf")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message, one at a time."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            value, at = data[at : at + size], at + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, at = data[at : at + width], at + width
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if at > len(data):
            raise ValueError("truncated protobuf")
        yield number, value


def _protobuf(data: bytes) -> list[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message: just enough for Anki's small messages."""
    return list(_fields(data))


def _protobuf_text(data: bytes, number: int) -> str:
    for field, value in _fields(bytes(data)):
        if field == number and isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
    return ""


class Model(StrEnum):
    """The note types quizkit writes; their field names are MODEL_FIELDS.

    Every kind but cloze shares one note type, so that a card which changes kind (basic to
    reversed, typed or choice) keeps its note type and Anki's import updates its note in place:
    Anki matches a note by guid and refuses to update one whose note type differs. Switch fields
    (filled or empty, like Anki's "Basic (optional reversed card)") say what its cards do.
    Anki keeps cloze note types apart, so cloze has its own.
    """

    CARD = "card"
    CLOZE = "cloze"


MODEL_FIELDS: dict[Model, tuple[str, ...]] = {
    # Kind: choice, multi, truefalse or order (empty: basic or typed, as "Type answer" says).
    Model.CARD: (
        "Front",
        "Back",
        "Choices",
        "Accept",
        "Explain",
        "Source",
        "Kind",
        "Type answer",
        "Add reverse",
    ),
    Model.CLOZE: ("Text", "Question", "Explain", "Source"),
}


MODEL_NAMES = {Model.CARD: "quizkit", Model.CLOZE: "quizkit Cloze"}


# Fixed ids, so that exporting again updates the same note types in Anki instead of adding copies.
# (1735601001-1735601003 were the basic, reversed and typed note types of quizkit 0.1.)
MODEL_IDS = {Model.CARD: 1735601005, Model.CLOZE: 1735601004}


_EXTRAS = (
    "{{#Explain}}<div class=explain>{{Explain}}</div>{{/Explain}}"
    "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"
)


_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: center; color: black; }
.explain { margin-top: 1em; font-size: 16px; }
.source { margin-top: .5em; font-size: 14px; color: #666; font-style: italic; }
.accept { margin-top: .5em; font-size: 16px; color: #444; }
ol, ul { display: inline-block; text-align: left; }
.cloze { font-weight: bold; color: blue; }
.qk-hint { margin-top: .5em; font-size: 16px; font-style: italic; }
.qk-right { font-weight: bold; color: green; }
.qk-right::after { content: " \\2713"; }
"""


# Choice, multi, true/false and order cards: the script lists the choices (the Choices field, one
# a line) lettered A, B, C in an order drawn from their own text, so a card shows the same order on
# its front and its back and every review; on the back the right ones are marked. It moves the
# field's own HTML about and never makes markup from text. Without scripts the field shows as is.
_SCRIPT = """<script>
(function () {
  var lines = function (html) {
    return html.split(/<br\\s*\\/?>|<\\/?(?:div|p|li|ul|ol)\\b[^>]*>/i)
      .map(function (part) { return part.trim(); })
      .filter(function (part) { return part.replace(/&nbsp;/g, "").trim() !== ""; });
  };
  var text = function (html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    return (box.textContent || "").replace(/\\s+/g, " ").trim();
  };
  var hints = {choice: "Choose one:", multi: "Select all that apply:",
               truefalse: "True or false?", order: "Put in order:"};
  var answer = document.querySelector(".qk-answer");
  var right = answer ? lines(answer.innerHTML).map(text) : [];
  document.querySelectorAll(".qk-choices").forEach(function (box) {
    if (box.getAttribute("data-done")) { return; }
    box.setAttribute("data-done", "1");
    var kind = box.getAttribute("data-kind");
    var items = lines(box.innerHTML);
    var seed = 2166136261, all = items.map(text).join("\\n");
    for (var i = 0; i < all.length; i++) { seed = Math.imul(seed ^ all.charCodeAt(i), 16777619) >>> 0; }
    var next = function () {
      seed = (seed + 0x6D2B79F5) >>> 0;
      var t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (var j = items.length - 1; j > 0; j--) {
      var k = Math.floor(next() * (j + 1)), swap = items[j];
      items[j] = items[k];
      items[k] = swap;
    }
    var html = "<div class=qk-hint>" + (hints[kind] || "") + "</div>";
    if (items.length) {
      html += "<ol type=A>" + items.map(function (item) {
        var marked = kind !== "order" && right.indexOf(text(item)) !== -1;
        return (marked ? "<li class=qk-right>" : "<li>") + item + "</li>";
      }).join("") + "</ol>";
    }
    box.innerHTML = html;
  });
  if (answer && /order/.test(answer.className)) {
    answer.innerHTML = "<ol>" + lines(answer.innerHTML).map(function (item) {
      return "<li>" + item + "</li>";
    }).join("") + "</ol>";
  }
})();
</script>"""


_QUESTION = '{{Front}}{{#Kind}}<div class=qk-choices data-kind="{{text:Kind}}">{{Choices}}</div>{{/Kind}}'


_TEMPLATES: dict[Model, list[dict[str, str]]] = {
    Model.CARD: [
        {
            "name": "Card 1",
            "qfmt": _QUESTION + "{{#Type answer}}<br><br>{{type:Back}}{{/Type answer}}" + _SCRIPT,
            "afmt": _QUESTION + "<hr id=answer>"
            "{{#Type answer}}{{type:Back}}"
            "{{#Accept}}<div class=accept>Also accepted:<br>{{Accept}}</div>{{/Accept}}{{/Type answer}}"
            '{{^Type answer}}<div class="qk-answer qk-{{text:Kind}}">{{Back}}</div>{{/Type answer}}'
            + _EXTRAS
            + _SCRIPT,
        },
        {
            # Only for a note whose "Add reverse" is filled in.
            "name": "Card 2",
            "qfmt": "{{#Add reverse}}{{Back}}{{/Add reverse}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + _EXTRAS,
        },
    ],
    Model.CLOZE: [
        {
            "name": "Cloze",
            "qfmt": "{{#Question}}{{Question}}<br><br>{{/Question}}{{cloze:Text}}",
            "afmt": "{{#Question}}{{Question}}<br><br>{{/Question}}{{cloze:Text}}" + _EXTRAS,
        }
    ],
}


class NewNote(Struct, frozen=True):
    """A note to write: its model, its fields as HTML (by MODEL_FIELDS name), tags and guid."""

    model: Model
    fields: Mapping[str, str]
    tags: tuple[str, ...]
    guid: str


_TAG_OR_COMMENT = re.compile(r"(?s)<!--.*?-->|<.*?>")

_MEDIA_TAG = re.compile(
    r"""(?is)<(?:img|audio|video|source|object|embed)\b[^>]*?\b(?:src|data)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>"""
)


def stripped_field(field: str) -> str:
    """A field's HTML as Anki keeps it to sort notes and find duplicates: comments and tags removed
    (a picture's or a sound's file name kept), entities decoded, as Anki's
    strip_html_preserving_media_filenames does."""
    text = _MEDIA_TAG.sub(lambda m: f" {next(g for g in m.groups() if g is not None)} ", field)
    text = _TAG_OR_COMMENT.sub("", text)
    if "&" in text:
        import html

        text = html.unescape(text.replace("&nbsp;", " "))
    return text


def field_checksum(field: str) -> int:
    """Anki's `csum` of a note: the first 8 hex digits of the sha1 of its first field, stripped."""
    import hashlib

    return int(hashlib.sha1(stripped_field(field).encode("utf-8")).hexdigest()[:8], 16)


def write_package(
    deck_name: str,
    description: str,
    deck_key: str,
    notes: Sequence[NewNote],
    now: float,
    *,
    progress: Progress | None = None,
    media: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """An .apkg (legacy collection.anki2, readable by every Anki) with the notes in one deck.

    `deck_key` makes the Anki deck id: the same key gives the same deck, so
    importing a newer export updates the notes in place (they are matched by guid).
    Each note carries what Anki itself would store: its sort field as plain text, the checksum
    of its first field, and its new cards at the note's position (1, 2, 3... in deck order).
    Built in memory: no temporary files.

    With `progress` (export --with-progress), the cards carry their schedules and the package
    its review log: genanki writes neither, so both are written into its collection afterwards.

    `media` are the pictures, (name in the package, file), packed as genanki packs media_files:
    a JSON media list from member ("0", "1"...) to name, each file stored under its member. The
    names are flat and unique (anki_media.package_names); the files checked by the caller.
    """
    import hashlib

    import genanki

    models = {
        model: genanki.Model(
            MODEL_IDS[model],
            MODEL_NAMES[model],
            fields=[{"name": name} for name in MODEL_FIELDS[model]],
            templates=[dict(t) for t in _TEMPLATES[model]],
            css=_CSS,
            model_type=genanki.Model.CLOZE if model is Model.CLOZE else genanki.Model.FRONT_BACK,
        )
        for model in Model
    }
    digest = int(hashlib.sha1(f"quizkit:{deck_key}".encode()).hexdigest()[:12], 16)
    deck = genanki.Deck((1 << 30) + digest % (1 << 30), deck_name, description)
    checksums = []
    for position, note in enumerate(notes, start=1):
        fields = [note.fields.get(name, "") for name in MODEL_FIELDS[note.model]]
        checksums.append((field_checksum(fields[0]), note.guid))
        deck.add_note(
            genanki.Note(
                model=models[note.model],
                fields=fields,
                sort_field=stripped_field(fields[0]),
                tags=list(note.tags),
                guid=note.guid,
                due=position,
            )
        )
    db = sqlite3.connect(":memory:")
    try:
        package = genanki.Package(deck)
        package.write_to_db(db.cursor(), now, _ids(now))
        db.executemany("UPDATE notes SET csum = ? WHERE guid = ?", checksums)  # genanki writes 0
        if progress is not None:
            _write_progress(db, progress)
        db.commit()
        collection = db.serialize()
    finally:
        db.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", json.dumps({str(i): name for i, (name, _file) in enumerate(media)}))
        for i, (_name, data) in enumerate(media):
            archive.writestr(str(i), data, compress_type=zipfile.ZIP_STORED)  # PNG, JPEG: compressed
    return out.getvalue()


class RevlogRow(Struct, frozen=True):
    """One row of Anki's review log to write: the answer's moment in ms (made unique) and what
    Anki keeps of it."""

    id: int
    ease: int
    """The rating: 1 Again to 4 Easy."""
    ivl: int
    """The interval given: days, or negative seconds while learning (as Anki writes it)."""
    last_ivl: int
    factor: int
    time_ms: int
    type: int
    """The phase answered in: 0 learning, 1 review, 2 relearning."""


class Schedule(Struct, frozen=True):
    """One Anki card's scheduling, in the numbers of Anki's cards table, and its review log."""

    ctype: int
    """0 new, 1 learning, 2 review, 3 relearning."""
    queue: int
    """0 new, 1 learning today, 3 learning on a later day, 2 review, -1 suspended, -3 buried."""
    due: int
    """New: the position; learning today: epoch seconds; otherwise days since the collection's day 0."""
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    """Learning and relearning: the steps left."""
    data: str
    """The FSRS memory state as Anki keeps it: JSON with s, d, dr, decay, lrt (and pos)."""
    revlog: tuple[RevlogRow, ...] = ()


class Progress(Struct, frozen=True):
    """What export --with-progress adds to a package: the schedules by (note guid, card ord), and
    the collection's day 0 (its `crt`, the start of a study day) and how its days are counted."""

    schedules: Mapping[tuple[str, int], Schedule]
    created: int
    """Epoch seconds: the start of the study day that is Anki's day 0 for this package."""
    minutes_west: int
    """The learner's UTC offset at `created`, as Anki's creationOffset (minutes west of UTC)."""
    rollover: int
    """The hour the study day starts."""


def _write_progress(db: sqlite3.Connection, progress: Progress) -> None:
    """Set the collection's day 0 (a v2 scheduler's new day counting, as Anki 2.1.x writes it), each
    card's schedule and FSRS memory state, and the review log."""
    (raw,) = db.execute("SELECT conf FROM col").fetchone()
    conf = json.loads(raw)
    conf.update(schedVer=2, rollover=progress.rollover, creationOffset=progress.minutes_west)
    conf["localOffset"] = progress.minutes_west
    db.execute("UPDATE col SET crt = ?, conf = ?", (progress.created, json.dumps(conf)))
    cards = db.execute("SELECT c.id, n.guid, c.ord FROM cards c JOIN notes n ON n.id = c.nid").fetchall()
    revlog: list[tuple[int, ...]] = []
    for cid, guid, ord_ in cards:
        schedule = progress.schedules.get((guid, ord_))
        if schedule is None:
            continue
        db.execute(
            "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ?,"
            " left = ?, data = ? WHERE id = ?",
            (
                schedule.ctype,
                schedule.queue,
                schedule.due,
                schedule.ivl,
                schedule.factor,
                schedule.reps,
                schedule.lapses,
                schedule.left,
                schedule.data,
                cid,
            ),
        )
        revlog.extend(
            (r.id, cid, r.ease, r.ivl, r.last_ivl, r.factor, r.time_ms, r.type) for r in schedule.revlog
        )
    db.executemany(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
        revlog,
    )


def revlog_ids(moments: Sequence[int]) -> list[int]:
    """The revlog id of each answer of a log in time order (its moment in ms): the moment itself,
    or the next free millisecond when answers share one (a fixed clock, an imported log). The same
    log always gets the same ids, so an import can tell the rows quizkit wrote from the phone's own."""
    taken: set[int] = set()
    ids = []
    for ms in moments:
        at = ms
        while at in taken:
            at += 1
        taken.add(at)
        ids.append(at)
    return ids


class Answered(Struct, frozen=True):
    """One quizkit answer to write as a revlog row: its revlog id, moment, rating, time taken,
    and the card's state before and after it."""

    id: int
    at_ms: int
    rating: int
    duration_ms: int | None
    before: CardState
    after: CardState


ANKI_MAX_ANSWER_MS = 60_000
"""Anki's default cap on an answer's time (Maximum answer seconds: 60)."""


def anki_schedule(
    state: CardState,
    answers: Sequence[Answered],
    position: int,
    progress_day0: date,
    config: SchedulerConfig,
    now: datetime,
) -> Schedule:
    """A quizkit card's state and its answers in Anki's numbers.

    Review days count from `progress_day0`, the study day of the package's crt; a learning card
    due on a later study day goes to Anki's day-learning queue. Suspended: queue -1; buried
    until a later day: -3 (buried by the user)."""
    from quizkit.core.scheduler import study_day

    def day(moment: datetime) -> int:
        return (study_day(moment, config) - progress_day0).days

    def interval(before: CardState, at: datetime | None) -> int:
        if before.phase == Phase.REVIEW and before.due is not None and at is not None:
            return max(1, (study_day(before.due, config) - study_day(at, config)).days)
        if before.phase in (Phase.LEARNING, Phase.RELEARNING) and before.due is not None and at is not None:
            return -max(1, round((before.due - at).total_seconds()))
        return 0

    steps = config.learning_steps if state.phase == Phase.LEARNING else config.relearning_steps
    left = max(1, len(steps) - (state.step or 0)) if state.phase in (Phase.LEARNING, Phase.RELEARNING) else 0
    due_at = state.due or now
    if state.phase == Phase.NEW:
        ctype, queue, due, ivl = 0, 0, position, 0
    elif state.phase == Phase.REVIEW:
        last = state.last_review or now
        ctype, queue, due = 2, 2, day(due_at)
        ivl = max(1, (study_day(due_at, config) - study_day(last, config)).days)
    else:
        ctype = 1 if state.phase == Phase.LEARNING else 3
        later = study_day(due_at, config) > study_day(now, config)
        queue, due = (3, day(due_at)) if later else (1, int(due_at.timestamp()))
        ivl = 0 if ctype == 1 else max(1, round(state.stability or 1))
    if state.suspended:
        queue = -1
    elif state.buried_until is not None and state.buried_until > now:
        queue = -3
    data: dict[str, float | int] = {"pos": position}
    if state.stability is not None and state.difficulty is not None:
        # Anki's own precision: stability to 4 decimals, difficulty (1 to 10) to 3.
        data |= {"s": round(state.stability, 4), "d": round(state.difficulty, 3), "dr": config.retention}
        if len(config.parameters) > 20:
            data["decay"] = config.parameters[20]
        if state.last_review is not None:
            data["lrt"] = int(state.last_review.timestamp())
    rows = []
    for answer in answers:
        at = datetime.fromtimestamp(answer.at_ms / 1000, UTC)
        kind = {Phase.REVIEW: 1, Phase.RELEARNING: 2}.get(answer.before.phase, 0)
        took = min(max(answer.duration_ms or 0, 0), ANKI_MAX_ANSWER_MS)
        given = interval(answer.after, at)
        factor = _revlog_factor(answer.after.difficulty)
        previous = interval(answer.before, answer.before.last_review)
        rows.append(RevlogRow(answer.id, int(answer.rating), given, previous, factor, took, kind))
    return Schedule(
        ctype,
        queue,
        due,
        ivl,
        2500 if ctype in (2, 3) else 0,
        state.reps,
        state.lapses,
        left,
        json.dumps(data, separators=(",", ":")),
        tuple(rows),
    )


def _revlog_factor(difficulty: float | None) -> int:
    """What Anki's FSRS writes in a review-log row's `factor`: the difficulty after the answer,
    1 to 10 scaled to 100 to 1100 (Anki 23.10 and later)."""
    if difficulty is None:
        return 0
    return round(100 + (min(max(difficulty, 1.0), 10.0) - 1) / 9 * 1000)


def _ids(now: float) -> Iterator[int]:
    import itertools

    return itertools.count(int(now * 1000))


def field_refs(template: str) -> list[tuple[str, str]]:
    """The fields a card template shows, in order, as (filters, field): ('type', 'Back'), ('', 'Front').

    Conditionals ({{#F}}, {{^F}}, {{/F}}) show nothing and are left out. Linear in the template,
    whatever it holds (a regular expression would take quadratic time on "{{{{{{...").
    """
    refs = []
    at = 0
    while (start := template.find("{{", at)) != -1:
        end = template.find("}}", start + 2)
        if end == -1:
            break
        body = template[start + 2 : end].strip()
        at = end + 2
        if not body or body[0] in "#^/!":
            continue
        filters, _, name = body.rpartition(":")
        refs.append((filters.strip(), name.strip()))
    return refs
