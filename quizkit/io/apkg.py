"""Anki packages (.apkg): read the notes out of one, and write one.

An .apkg is a zip holding an SQLite collection, so this module imports sqlite3:
the one justified exception to "only store.py imports sqlite3". It never touches
the progress database, and it never opens a file on disk as a database: the
collection is read from the zip into memory and opened from there.

Reading knows the three collection formats Anki writes: `collection.anki2`
(Anki 2.0), `collection.anki21` (2.1, "support older Anki versions") and the
current `collection.anki21b`, a zstd-compressed collection (schema 18) whose
media map is zstd-compressed protobuf. Writing uses genanki and produces a
legacy package that every Anki, AnkiDroid and AnkiMobile can import.

Turning Anki notes into quizkit cards (and back) is `exchange.py`'s business:
this module only speaks the package format.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from quizkit.errors import DeckError, Problem

MAX_COLLECTION_BYTES = 1024 * 1024 * 1024
"""A collection bigger than this (unpacked) is refused rather than read into memory."""


MAX_MEDIA_MAP_BYTES = 64 * 1024 * 1024


COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
"""Newest first: a current package also carries a stub collection.anki2 for old Ankis."""


REEXPORT_HINT = "export it again from Anki with File > Export > Anki Deck Package (*.apkg)"


@dataclass(frozen=True, slots=True)
class NoteType:
    """An Anki note type: its fields and card templates (front, back), as Anki stores them."""

    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]
    cloze: bool


@dataclass(frozen=True, slots=True)
class Note:
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


@dataclass(frozen=True, slots=True)
class Package:
    """What quizkit reads from an .apkg."""

    notes: tuple[Note, ...]
    media: tuple[str, ...]
    """Names of the media files (images, sounds) packed with the notes."""
    collection: str
    """Which collection file was read, e.g. collection.anki21b."""


def _fail(path: str, message: str, hint: str = REEXPORT_HINT) -> DeckError:
    return DeckError([Problem(path, None, None, message, hint)])


def read_package(data: bytes, path: str) -> Package:
    """Read the notes of an .apkg held in memory. Raises DeckError naming the file and the fix."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _fail(path, "is not an Anki package: it is not a zip file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
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
    raw = _member(archive, members[chosen], path, MAX_COLLECTION_BYTES)
    if chosen.endswith("b"):
        raw = _unzstd(raw, path, MAX_COLLECTION_BYTES)
    media = _media_names(archive, members, path)
    try:
        with _Collection(raw) as db:
            notes = tuple(_notes(db))
    except (sqlite3.Error, ValueError, KeyError, TypeError, IndexError) as error:
        raise _fail(path, f"holds a collection quizkit cannot read ({chosen}: {error})") from None
    return Package(notes, media, chosen)


def _outside(name: str) -> bool:
    """True for a member that would land outside the folder it were extracted into."""
    posix = name.replace("\\", "/")
    return posix.startswith("/") or bool(re.match(r"^[A-Za-z]:", posix)) or ".." in PurePosixPath(posix).parts


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, limit: int) -> bytes:
    if info.file_size > limit:
        raise _fail(
            path,
            f"{info.filename} is {info.file_size // (1024 * 1024)} MB; quizkit reads at most "
            f"{limit // (1024 * 1024)} MB",
            "split the deck in Anki and export the parts",
        )
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError, EOFError) as error:
        raise _fail(path, f"is damaged: {info.filename} cannot be unpacked ({error})") from None
    if len(data) > limit:
        raise _fail(path, f"{info.filename} unpacks to more than {limit // (1024 * 1024)} MB")
    return data


def _unzstd(data: bytes, path: str, limit: int) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise _fail(
            path,
            "is a current Anki package (zstd-compressed), and the zstandard module is missing",
            "pip install zstandard, or export from Anki with 'Support older Anki versions' ticked",
        ) from None
    out = io.BytesIO()
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            while chunk := reader.read(1024 * 1024):
                out.write(chunk)
                if out.tell() > limit:
                    raise _fail(path, f"its collection unpacks to more than {limit // (1024 * 1024)} MB")
    except zstandard.ZstdError as error:
        raise _fail(path, f"is damaged: its zstd data cannot be unpacked ({error})") from None
    return out.getvalue()


def _media_names(
    archive: zipfile.ZipFile, members: Mapping[str, zipfile.ZipInfo], path: str
) -> tuple[str, ...]:
    if "media" not in members:
        return ()
    raw = _member(archive, members["media"], path, MAX_MEDIA_MAP_BYTES)
    if raw.startswith(b"\x28\xb5\x2f\xfd"):  # zstd magic: the current format's protobuf MediaEntries
        try:
            entries = _protobuf(_unzstd(raw, path, MAX_MEDIA_MAP_BYTES))
            return tuple(
                _protobuf_text(entry, 1)
                for number, entry in entries
                if number == 1 and isinstance(entry, bytes)
            )
        except ValueError:
            raise _fail(path, "is damaged: its media list cannot be read") from None
    try:
        mapping = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(path, "is damaged: its media list cannot be read") from None
    if not isinstance(mapping, dict):
        raise _fail(path, "is damaged: its media list cannot be read")
    return tuple(str(name) for name in mapping.values())


class _Collection:
    """An SQLite collection opened from bytes, read-only, never from a file on disk."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"SQLite format 3\x00") or len(data) < 100:
            raise ValueError("not an SQLite database")
        image = bytearray(data)
        # Anki leaves its collections in WAL mode, which an in-memory database cannot open:
        # bytes 18-19 of the header say so; setting them to 1 reads it as a rollback-journal file.
        image[18] = image[19] = 1
        self.db = sqlite3.connect(":memory:")
        self.db.deserialize(bytes(image))
        # The file is untrusted: no functions with side effects from its schema, and read only.
        self.db.execute("PRAGMA trusted_schema = OFF")
        self.db.execute("PRAGMA query_only = ON")

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _notes(db: sqlite3.Connection) -> Iterator[Note]:
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "notetypes" in tables:
        notetypes, decks = _schema18(db)
    else:
        notetypes, decks = _schema11(db)
    ords: dict[int, set[int]] = {}
    note_decks: dict[int, int] = {}
    for nid, ord_, did in db.execute("SELECT nid, ord, did FROM cards ORDER BY nid, ord"):
        ords.setdefault(nid, set()).add(int(ord_))
        note_decks.setdefault(nid, did)
    for nid, guid, mid, tags, fields in db.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
        notetype = notetypes.get(mid) or NoteType(int(mid), f"unknown note type {mid}", (), (), False)
        yield Note(
            id=int(nid),
            guid=str(guid),
            notetype=notetype,
            fields=tuple(str(fields).split("\x1f")),
            tags=tuple(str(tags).split()),
            card_ords=frozenset(ords.get(nid, ())),
            deck=decks.get(note_decks.get(nid, -1), ""),
        )


def _schema11(db: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    """Anki 2.0/2.1 collections: note types and decks are JSON in the col table."""
    models_json, decks_json = db.execute("SELECT models, decks FROM col").fetchone()
    notetypes = {}
    for model in json.loads(models_json).values():
        fields = sorted(model["flds"], key=lambda f: f["ord"])
        templates = sorted(model["tmpls"], key=lambda t: t["ord"])
        notetypes[int(model["id"])] = NoteType(
            int(model["id"]),
            str(model["name"]),
            tuple(str(f["name"]) for f in fields),
            tuple((str(t["qfmt"]), str(t["afmt"])) for t in templates),
            model.get("type") == 1,
        )
    decks = {int(deck["id"]): str(deck["name"]) for deck in json.loads(decks_json).values()}
    return notetypes, decks


def _schema18(db: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    """Current collections: note types, fields and templates in tables, settings as protobuf."""
    fields: dict[int, list[str]] = {}
    for ntid, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(name))
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, config in db.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        templates.setdefault(ntid, []).append((_protobuf_text(config, 1), _protobuf_text(config, 2)))
    notetypes = {}
    for ntid, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        kind = next((v for number, v in _protobuf(config) if number == 1 and isinstance(v, int)), 0)
        notetypes[int(ntid)] = NoteType(
            int(ntid), str(name), tuple(fields.get(ntid, ())), tuple(templates.get(ntid, ())), kind == 1
        )
    decks = {
        int(did): str(name).replace("\x1f", "::") for did, name in db.execute("SELECT id, name FROM decks")
    }
    return notetypes, decks


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


def _protobuf(data: bytes) -> list[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message: just enough for Anki's small messages."""
    out: list[tuple[int, int | bytes]] = []
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
        out.append((number, value))
    return out


def _protobuf_text(data: bytes, number: int) -> str:
    for field, value in _protobuf(bytes(data)):
        if field == number and isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
    return ""


class Model(StrEnum):
    """The note types quizkit writes; their field names are MODEL_FIELDS."""

    BASIC = "basic"
    REVERSED = "reversed"
    TYPED = "typed"
    CLOZE = "cloze"


MODEL_FIELDS: dict[Model, tuple[str, ...]] = {
    Model.BASIC: ("Front", "Back", "Explain", "Source"),
    Model.REVERSED: ("Front", "Back", "Explain", "Source"),
    Model.TYPED: ("Front", "Back", "Accept", "Explain", "Source"),
    Model.CLOZE: ("Text", "Question", "Explain", "Source"),
}


MODEL_NAMES = {
    Model.BASIC: "quizkit Basic",
    Model.REVERSED: "quizkit Basic (and reversed card)",
    Model.TYPED: "quizkit Type-in",
    Model.CLOZE: "quizkit Cloze",
}


# Fixed ids, so that exporting again updates the same note types in Anki instead of adding copies.
MODEL_IDS = {
    Model.BASIC: 1735601001,
    Model.REVERSED: 1735601002,
    Model.TYPED: 1735601003,
    Model.CLOZE: 1735601004,
}


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
"""


_TEMPLATES: dict[Model, list[dict[str, str]]] = {
    Model.BASIC: [
        {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXTRAS}
    ],
    Model.REVERSED: [
        {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXTRAS},
        {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + _EXTRAS},
    ],
    Model.TYPED: [
        {
            "name": "Card 1",
            "qfmt": "{{Front}}<br><br>{{type:Back}}",
            "afmt": "{{Front}}<hr id=answer>{{type:Back}}"
            "{{#Accept}}<div class=accept>Also accepted:<br>{{Accept}}</div>{{/Accept}}" + _EXTRAS,
        }
    ],
    Model.CLOZE: [
        {
            "name": "Cloze",
            "qfmt": "{{#Question}}{{Question}}<br><br>{{/Question}}{{cloze:Text}}",
            "afmt": "{{#Question}}{{Question}}<br><br>{{/Question}}{{cloze:Text}}" + _EXTRAS,
        }
    ],
}


@dataclass(frozen=True, slots=True)
class NewNote:
    """A note to write: its model, its fields as HTML (by MODEL_FIELDS name), tags and guid."""

    model: Model
    fields: Mapping[str, str]
    tags: tuple[str, ...]
    guid: str


def write_package(
    deck_name: str, description: str, deck_key: str, notes: Sequence[NewNote], now: float
) -> bytes:
    """An .apkg (legacy collection.anki2, readable by every Anki) with the notes in one deck.

    `deck_key` makes the Anki deck id: the same key gives the same deck, so
    importing a newer export updates the notes in place (they are matched by guid).
    Built in memory: no temporary files.
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
    for note in notes:
        deck.add_note(
            genanki.Note(
                model=models[note.model],
                fields=[note.fields.get(name, "") for name in MODEL_FIELDS[note.model]],
                tags=list(note.tags),
                guid=note.guid,
            )
        )
    db = sqlite3.connect(":memory:")
    try:
        package = genanki.Package(deck)
        package.write_to_db(db.cursor(), now, _ids(now))
        db.commit()
        collection = db.serialize()
    finally:
        db.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", "{}")
    return out.getvalue()


def _ids(now: float) -> Iterator[int]:
    import itertools

    return itertools.count(int(now * 1000))


def field_refs(template: str) -> list[tuple[str, str]]:
    """The fields a card template shows, in order, as (filters, field): ('type', 'Back'), ('', 'Front').

    Conditionals ({{#F}}, {{^F}}, {{/F}}) show nothing and are left out.
    """
    refs = []
    for body in re.findall(r"\{\{(.*?)\}\}", template, re.DOTALL):
        body = body.strip()
        if not body or body[0] in "#^/!":
            continue
        filters, _, name = body.rpartition(":")
        refs.append((filters.strip(), name.strip()))
    return refs
