"""Deck files: TOML in, validated model out (and back out with tomli-w).

Every problem found is reported with the file, the line and the card, and says
how to fix it. The loader collects all problems instead of stopping at the
first, so a teacher fixes a deck in one pass.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tomllib
    from array import array

from quizkit.errors import DeckError, Problem
from quizkit.model import Card, CardList, Deck, DeckSettings, Kind

MAX_DECK_BYTES = 100 * 1024 * 1024
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
CLOZE_PATTERN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
ANKI_CLOZE_PREFIX = re.compile(r"^c\d+::")

TOP_KEYS = ("deck", "cards")
DECK_KEYS = (
    "id",
    "title",
    "description",
    "source",
    "author",
    "retention",
    "new_per_day",
    "reviews_per_day",
    "max_interval",
    "exam_date",
)
COMMON_KEYS = ("id", "type", "tags", "explain", "source")
KIND_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.BASIC: ("q", "a", "reverse"),
    Kind.TYPED: ("q", "a", "accept", "exact"),
    Kind.CHOICE: ("q", "choices", "a"),
    Kind.MULTI: ("q", "choices", "a"),
    Kind.TRUEFALSE: ("q", "a"),
    Kind.CLOZE: ("cloze", "q"),
    Kind.ORDER: ("q", "order"),
}
CARD_KEYS = tuple(dict.fromkeys(COMMON_KEYS + sum(KIND_KEYS.values(), ())))
_CARD_KEY_SET = frozenset(CARD_KEYS)
_ALLOWED_KEYS = {kind: frozenset(COMMON_KEYS + keys) for kind, keys in KIND_KEYS.items()}
KIND_HINT = (
    "give q and a for a basic card, add choices for multiple choice, "
    "a = true/false for true/false, cloze = '...{{x}}...' for a cloze, "
    "order = [...] for an order card, or set type = one of " + ", ".join(k.value for k in Kind)
)


# Words teachers reach for, mapped to the key quizkit uses.
ALIASES = {
    "question": "q",
    "front": "q",
    "prompt": "q",
    "answer": "a",
    "answers": "a",
    "back": "a",
    "explanation": "explain",
    "tag": "tags",
    "kind": "type",
    "options": "choices",
    "alternatives": "accept",
    "accepted": "accept",
    "items": "order",
    "text": "cloze",
}


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    import difflib  # only when something is misspelt

    options = list(options)
    aliases = {alias: key for alias, key in ALIASES.items() if key in options}
    close = difflib.get_close_matches(word.lower(), options + list(aliases), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"did you mean '{aliases.get(close[0], close[0])}'?"


# ---------------------------------------------------------------- line map


@dataclass
class _Section:
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    duplicate: tuple[str, int] | None = None


@dataclass
class _LineMap:
    """Where each table and key sits in the file: tomllib keeps no positions."""

    deck: _Section | None = None
    cards: list[_Section] = field(default_factory=list)

    def card_line(self, index: int, key: str | None = None) -> int | None:
        if index >= len(self.cards):
            return None
        section = self.cards[index]
        if key is not None and key in section.keys:
            return section.keys[key]
        return section.line

    def deck_line(self, key: str | None = None) -> int | None:
        if self.deck is None:
            return None
        if key is not None and key in self.deck.keys:
            return self.deck.keys[key]
        return self.deck.line


class _Positions:
    """Lines of cards and keys, found lazily: a full scan only when a problem needs a key's line.

    Every card needs its own line (the editor jumps there), so [[cards]] headers are found with
    one regular-expression pass; keys are looked up by the full scan, which costs as much as a
    quarter of tomllib's parse on a big deck, only for error messages.
    """

    _CARD_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*cards[ \t]*\]\]", re.MULTILINE)
    # Unanchored, it is searched for as a literal: twice as fast on a big deck.
    _CARD_TABLE = re.compile(r"\[\[[ \t]*cards[ \t]*\]\]")

    def __init__(self, text: str) -> None:
        self.text = text
        self._full: _LineMap | None = None
        self._head: _LineMap | None = None
        self._headers: list[int] | None = None

    def full(self) -> _LineMap:
        if self._full is None:
            self._full = _scan_lines(self.text)
        return self._full

    def headers(self) -> tuple[list[int], list[int]]:
        """Offsets and line numbers of the [[cards]] headers that start a line."""
        text = self.text
        line, last, offsets, lines = 1, 0, [], []
        for match in self._CARD_TABLE.finditer(text):
            start = match.start()
            if text[text.rfind("\n", 0, start) + 1 : start].strip(" \t"):
                continue  # not at the start of its line
            line += text.count("\n", last, start)
            last = start
            offsets.append(start)
            lines.append(line)
        return offsets, lines

    def expect_cards(self, count: int, lines: list[int] | None = None) -> None:
        """Use the fast header lines only if they agree with the parser (a header inside a
        multi-line string would not)."""
        found = lines if lines is not None else self.headers()[1]
        self._headers = found if len(found) == count else [s.line for s in self.full().cards]

    def card_line(self, index: int, key: str | None = None) -> int | None:
        if key is None and self._headers is not None:
            return self._headers[index] if index < len(self._headers) else None
        return self.full().card_line(index, key)

    def deck_line(self, key: str | None = None) -> int | None:
        if self._head is None:
            first = self._CARD_HEADER.search(self.text)
            self._head = _scan_lines(self.text[: first.start()] if first else self.text)
        return self._head.deck_line(key)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _scan_lines(text: str) -> _LineMap:
    lines = _LineMap()
    current: _Section | None = None
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(raw)
        if header and "=" not in raw.split("]")[0]:
            name = header.group(2).strip().strip("\"'")
            current = _Section(number)
            if header.group(1) == "[[" and name == "cards":
                lines.cards.append(current)
            elif header.group(1) == "[" and name == "deck":
                lines.deck = current
            continue
        key = _KEY.match(raw)
        if key and current is not None:
            name = key.group(1) or key.group(2) or key.group(3)
            if name in current.keys and current.duplicate is None:
                current.duplicate = (name, number)
            current.keys.setdefault(name, number)
        for quote in ('"""', "'''"):
            if raw.count(quote) % 2 == 1:
                in_multiline = quote
                break
    return lines


# ---------------------------------------------------------------- TOML syntax

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_HINTS = {
    "Invalid value": 'text needs quotes, e.g. a = "Kabul"; lists use [ ]; true/false are unquoted',
    "Invalid statement": "each line should be key = value, a [table] or [[cards]]",
    "Illegal character": 'a string is not closed on its line; close the quote or use """ for several lines',
    "Unclosed array": "a list is missing its closing ]",
    "Cannot overwrite a value": "a key appears twice in the same card or table; remove one",
    "Cannot declare": "a table header repeats; use [[cards]] (two brackets) for every card",
    "Expected '=' after a key": "keys are followed by = and a value",
}


def _syntax_problem(path: str, error: tomllib.TOMLDecodeError, text: str) -> Problem:
    message = str(error)
    reason = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip()
    match = _TOML_POSITION.search(message)
    line: int | None = int(match.group(1)) if match else None
    card: str | None = None
    lines = _scan_lines(text)
    if reason.startswith("Cannot overwrite"):
        for index, section in enumerate(lines.cards):
            if section.duplicate:
                key, line = section.duplicate
                card = f"#{index + 1}"
                reason = f"key '{key}' is given twice"
                break
    if line is None and "end of document" in message:
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    if line is not None and card is None:
        for index, section in enumerate(lines.cards):
            if section.line <= line:
                card = f"#{index + 1}"
    hint = next((h for prefix, h in _TOML_HINTS.items() if reason.startswith(prefix)), "")
    return Problem(path, line, card, f"TOML syntax error: {reason}", hint)


# ---------------------------------------------------------------- loading


def read_text(path: Path) -> str:
    """Read a deck file as text, or raise DeckError saying why it cannot be."""
    return decode(read_bytes(path), str(path))


def read_bytes(path: Path) -> bytes:
    """Read a deck file, or raise DeckError saying why it cannot be."""
    name = str(path)
    try:
        if path.is_dir():
            raise DeckError([Problem(name, None, None, "is a folder, not a deck file")])
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            raise DeckError(
                [
                    Problem(
                        name,
                        None,
                        None,
                        f"file is {size // (1024 * 1024)} MB; decks are limited to "
                        f"{MAX_DECK_BYTES // (1024 * 1024)} MB",
                        "split it into several decks",
                    )
                ]
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError([Problem(name, None, None, "no such file", "check the path")]) from None
    except OSError as error:
        raise DeckError([Problem(name, None, None, f"cannot be read: {error.strerror}")]) from None
    return data


def decode(data: bytes, path: str) -> str:
    if b"\x00" in data[:8192]:
        raise DeckError(
            [Problem(path, None, None, "is a binary file, not a TOML deck", "decks are UTF-8 text")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DeckError(
            [
                Problem(
                    path,
                    line,
                    None,
                    f"is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                    "save the file as UTF-8 in your editor",
                )
            ]
        ) from None


def load_deck(path: Path | str, cache_dir: Path | None = None) -> Deck:
    """Load and validate a deck; raise DeckError listing every error (warnings are dropped).

    With a cache folder, a deck that has not changed since it was last loaded is read from
    the cache instead of being parsed again (see DeckCache).
    """
    if cache_dir is not None:
        return DeckCache(cache_dir).load(Path(path))
    deck, problems = check_deck(path)
    return _valid(deck, problems)


def _valid(deck: Deck | None, problems: list[Problem]) -> Deck:
    errors = [p for p in problems if p.severity == "error"]
    if errors or deck is None:
        raise DeckError(errors)
    return deck


class DeckCache:
    """Parsed decks kept on disk, so that an unchanged deck is never parsed twice.

    An entry is keyed by the deck's absolute path and checked against its size and
    modification time; if those changed, a content hash decides (a checkout that only touched
    the file keeps its entry). Entries are marshal records: a header with the deck, the card
    ids and tags, then one record per card, decoded only when that card is used. Any problem
    with the cache (missing, stale, damaged, unwritable) falls back to parsing.
    """

    FORMAT = 3
    MAGIC = b"QKDECK1\n"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entry(self, path: Path) -> Path:
        import zlib  # cheaper to load than hashlib, and enough: the entry names its path inside

        where = str(path.resolve())
        return self.folder / f"{path.stem[:40]}-{zlib.crc32(where.encode()):08x}.deck"

    def load(self, path: Path) -> Deck:
        try:
            stat = path.stat()
        except OSError:
            return _valid(*check_deck(path))
        entry = self.entry(path)
        cached = self._read(entry)
        if cached is not None and cached[0][1] != str(path.resolve()):
            cached = None  # another file whose entry name collided
        if cached is not None and cached[0][2:4] == (stat.st_size, stat.st_mtime_ns):
            return self._deck(path, *cached)
        import hashlib

        data = read_bytes(path)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if cached is not None and cached[0][4] == digest:
            # Touched, not changed (a checkout, a copy): keep the records, renew size and time.
            old, mapped = cached
            body = bytes(mapped)
            renewed = (*old[:2], stat.st_size, stat.st_mtime_ns, *old[4:])
            self._write(entry, [body], lambda _: renewed)
            return self._deck(path, renewed, memoryview(body))
        text = decode(data, str(path))
        del data  # the text is enough from here: keep one copy of a big deck, not two
        deck = _valid(*parse_deck(text, str(path), default_id=path.stem))
        del text
        self._store(entry, path, stat.st_size, stat.st_mtime_ns, digest, deck)
        return deck

    def _version(self) -> str:
        from quizkit import __version__

        return f"{self.FORMAT}/{__version__}"

    # An entry is MAGIC, then one marshal record per card, then the header, then the header's
    # length in 8 bytes. Records are streamed to the file as they are made (no second copy of
    # a big deck in memory), and read back through a memory map, one card at a time.

    def _read(self, entry: Path) -> tuple[tuple[Any, ...], memoryview] | None:
        """The entry's header, and its card records mapped (not read) from the file."""
        import marshal
        import mmap

        try:
            with open(entry, "rb") as cached:
                if cached.read(len(self.MAGIC)) != self.MAGIC:
                    return None
                total = cached.seek(0, 2)
                cached.seek(total - 8)
                size = int.from_bytes(cached.read(8), "little")
                body_end = total - 8 - size
                if body_end < len(self.MAGIC):
                    return None
                cached.seek(body_end)
                header = marshal.loads(cached.read(size))
                if not isinstance(header, tuple) or header[0] != self._version():
                    return None
                if body_end == len(self.MAGIC):
                    return header, memoryview(b"")
                mapped = mmap.mmap(cached.fileno(), 0, access=mmap.ACCESS_READ)
            return header, memoryview(mapped)[len(self.MAGIC) : body_end]
        except (OSError, ValueError, EOFError, TypeError, IndexError):
            return None

    def _deck(self, path: Path, header: tuple[Any, ...], body: memoryview) -> Deck:
        import marshal
        from array import array

        meta, ids, tag_sets, tag_index, offset_bytes = header[5:10]
        deck_id, title, description, source, author, settings = meta
        retention, new, reviews, max_interval, exam = settings
        offsets = array("Q")
        offsets.frombytes(offset_bytes)

        def tags() -> tuple[tuple[str, ...], ...]:
            indices = array("I")
            indices.frombytes(tag_index)
            return tuple(tag_sets[i] for i in indices)

        def build(index: int) -> Card:
            end = offsets[index + 1] if index + 1 < len(offsets) else len(body)
            fields = marshal.loads(body[offsets[index] : end])  # a Card's fields, kind as its value
            return Card(fields[0], Kind(fields[1]), *fields[2:])

        return Deck(
            deck_id,
            title,
            str(path),
            CardList(ids, tags, build),
            description,
            source,
            author,
            DeckSettings(retention, new, reviews, max_interval, date.fromisoformat(exam) if exam else None),
        )

    def _store(self, entry: Path, path: Path, size: int, mtime_ns: int, digest: str, deck: Deck) -> None:
        import marshal
        from array import array

        def records() -> Iterator[bytes]:
            for c in deck.cards:
                yield marshal.dumps(
                    (
                        c.id,
                        c.kind.value,
                        c.prompt,
                        c.answer,
                        c.accept,
                        c.choices,
                        c.exact,
                        c.tags,
                        c.explain,
                        c.source,
                        c.line,
                        c.note_id,
                    )
                )

        def header(offsets: array[int]) -> tuple[Any, ...]:
            # Tags as an index into the distinct tag sets: most cards share a few combinations.
            tag_sets: dict[tuple[str, ...], int] = {}
            tag_index = array("I", (tag_sets.setdefault(c.tags, len(tag_sets)) for c in deck.cards))
            settings = deck.settings
            meta = (
                deck.id,
                deck.title,
                deck.description,
                deck.source,
                deck.author,
                (
                    settings.retention,
                    settings.new_per_day,
                    settings.reviews_per_day,
                    settings.max_interval,
                    settings.exam_date.isoformat() if settings.exam_date else None,
                ),
            )
            return (
                self._version(),
                str(path.resolve()),
                size,
                mtime_ns,
                digest,
                meta,
                tuple(c.id for c in deck.cards),
                tuple(tag_sets),
                tag_index.tobytes(),
                offsets.tobytes(),
            )

        self._write(entry, records(), header)

    def _write(
        self,
        entry: Path,
        records: Iterable[bytes | memoryview],
        header: Callable[[array[int]], tuple[Any, ...]],
    ) -> None:
        import marshal
        import os
        from array import array

        partial = entry.with_name(f"{entry.name}.{os.getpid()}.partial")
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:
                out.write(self.MAGIC)
                offsets, position = array("Q"), 0
                for record in records:
                    offsets.append(position)
                    position += len(record)
                    out.write(record)
                encoded = marshal.dumps(header(offsets))
                out.write(encoded)
                out.write(len(encoded).to_bytes(8, "little"))
            partial.replace(entry)
        except OSError:
            # A read-only or broken cache folder only costs speed.
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def check_deck(path: Path | str) -> tuple[Deck | None, list[Problem]]:
    """Load a deck and return it (None if it has errors) with every problem found."""
    path = Path(path)
    try:
        text = read_text(path)
    except DeckError as error:
        return None, error.problems
    return parse_deck(text, str(path), default_id=path.stem)


def parse_deck(
    source: str | bytes, path: str = "<deck>", default_id: str = "deck"
) -> tuple[Deck | None, list[Problem]]:
    """Parse deck text. Never raises for bad input: problems are returned."""
    import tomllib

    if isinstance(source, bytes):
        try:
            source = decode(source, path)
        except DeckError as error:
            return None, error.problems
    if not source.strip():
        return None, [
            Problem(path, None, None, "is empty", "a deck needs a [deck] table with a title and [[cards]]")
        ]
    if len(source) >= CHUNKED_FROM:
        chunked = _parse_in_chunks(source, path, default_id)
        if chunked is not None:
            return chunked
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        return None, [_syntax_problem(path, error, source)]
    deck, problems = _Builder(path, _Positions(source), default_id).build(data)
    return deck, sorted(problems, key=lambda p: p.line or 0)


CHUNKED_FROM = 2 * 1024 * 1024
"""Decks this large are parsed a few hundred cards at a time (see _parse_in_chunks)."""


def _parse_in_chunks(
    source: str, path: str, default_id: str, per_chunk: int = 500
) -> tuple[Deck, list[Problem]] | None:
    """Parse a big, valid deck in slices cut at its [[cards]] headers, building each slice's cards
    before parsing the next, so tomllib's tree of the whole file never exists at once (it is
    four times the file's size). None when anything is unusual, a header inside a multi-line
    string, a table declared twice, any error in the deck: the whole-file parse then decides
    and reports, with the usual messages.
    """
    import tomllib

    positions = _Positions(source)
    offsets, lines = positions.headers()
    if not offsets:
        return None
    try:
        root = tomllib.loads(source[: offsets[0]])
    except tomllib.TOMLDecodeError:
        return None
    if "cards" in root:
        return None
    positions.expect_cards(len(offsets), lines)
    builder = _Builder(path, positions, default_id)
    seen: dict[str, int | None] = {}
    cards: list[Card] = []
    for first in range(0, len(offsets), per_chunk):
        last = first + per_chunk
        try:
            data = tomllib.loads(
                source[offsets[first] : offsets[last] if last < len(offsets) else len(source)]
            )
        except tomllib.TOMLDecodeError:
            return None
        tables = data.pop("cards", None)
        if not isinstance(tables, list) or len(tables) != len(offsets[first:last]):
            return None
        for key, value in data.items():  # a table after the cards, such as [deck] at the end
            if key in root:
                return None
            root[key] = value
        builder.add_cards(enumerate(tables, start=first), seen, cards)
        if any(p.severity == "error" for p in builder.problems):
            return None
    deck, problems = builder.finish(root, cards)
    if deck is None:
        return None
    return deck, sorted(problems, key=lambda p: p.line or 0)


_Part = tuple[str, str, str, tuple[str, ...], tuple[str, ...], bool]
"""One card of a [[cards]] table before its id is known: suffix, prompt, answer, accept, choices, exact."""


class _Builder:
    """Turns parsed TOML into a Deck, collecting problems as it goes."""

    def __init__(self, path: str, lines: _Positions, default_id: str) -> None:
        self.path = path
        self.lines = lines
        self.default_id = default_id
        self.problems: list[Problem] = []
        self.good_tags: set[str] = set()
        """Tags already checked: a big deck repeats a few dozen tags thousands of times."""

    def error(self, line: int | None, card: str | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, card, message, hint))

    def warn(self, line: int | None, card: str | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, card, message, hint, "warning"))

    # -- the deck table

    def top_level(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check the top-level keys and the [deck] table; its fields, checked."""
        for key in data:
            if key not in TOP_KEYS:
                self.error(
                    None,
                    None,
                    f"unknown top-level key '{key}'",
                    _did_you_mean(key, TOP_KEYS) or "a deck has a [deck] table and [[cards]] blocks",
                )
        meta = data.get("deck")
        if meta is None:
            self.error(1, None, "missing the [deck] table", 'start the file with [deck] and title = "..."')
        elif not isinstance(meta, dict):
            self.error(
                None, None, "'deck' must be a table", 'write [deck] on its own line, then title = "..."'
            )
        deck_fields = self.deck_fields(meta) if isinstance(meta, dict) else {}
        return deck_fields

    def build(self, data: dict[str, Any]) -> tuple[Deck | None, list[Problem]]:
        return self.finish(data, self.cards(data.get("cards")))

    def finish(self, data: dict[str, Any], cards: list[Card]) -> tuple[Deck | None, list[Problem]]:
        """The deck from its top-level tables and its (already built) cards."""
        deck_fields = self.top_level(data)
        if any(p.severity == "error" for p in self.problems):
            return None, self.problems
        settings = DeckSettings(
            retention=deck_fields.get("retention"),
            new_per_day=deck_fields.get("new_per_day"),
            reviews_per_day=deck_fields.get("reviews_per_day"),
            max_interval=deck_fields.get("max_interval"),
            exam_date=deck_fields.get("exam_date"),
        )
        deck = Deck(
            id=deck_fields.get("id") or self.default_id,
            title=deck_fields.get("title", ""),
            path=self.path,
            cards=tuple(cards),
            description=deck_fields.get("description", ""),
            source=deck_fields.get("source", ""),
            author=deck_fields.get("author", ""),
            settings=settings,
        )
        return deck, self.problems

    def deck_fields(self, meta: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in meta.items():
            line = self.lines.deck_line(key)
            if key not in DECK_KEYS:
                self.error(line, None, f"unknown key '{key}' in [deck]", _did_you_mean(key, DECK_KEYS))
                continue
            if key in ("id", "title", "description", "source", "author"):
                if not isinstance(value, str):
                    self.error(line, None, f"[deck] {key} must be text", f'write {key} = "..."')
                elif key in ("id", "title") and not value.strip():
                    self.error(line, None, f"[deck] {key} is empty", f"give the deck a {key}")
                elif key == "id" and not ID_PATTERN.match(value):
                    self.error(
                        line,
                        None,
                        f"[deck] id '{value}' is not a valid id",
                        "use letters, digits, '-', '_' and '.', starting with a letter or digit",
                    )
                else:
                    out[key] = value.strip()
            elif key == "retention":
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0.7 <= value <= 0.99:
                    self.error(
                        line,
                        None,
                        "[deck] retention must be a number from 0.70 to 0.99",
                        "e.g. retention = 0.9",
                    )
                else:
                    out[key] = float(value)
            elif key in ("new_per_day", "reviews_per_day", "max_interval"):
                low = 1 if key == "max_interval" else 0
                if isinstance(value, bool) or not isinstance(value, int) or value < low:
                    self.error(
                        line, None, f"[deck] {key} must be a whole number, at least {low}", f"e.g. {key} = 20"
                    )
                else:
                    out[key] = value
            elif key == "exam_date":
                if not isinstance(value, date) or hasattr(value, "hour"):
                    self.error(
                        line,
                        None,
                        "[deck] exam_date must be a date",
                        "write it unquoted: exam_date = 2026-12-15",
                    )
                else:
                    out[key] = value
        if "title" not in meta:
            self.error(self.lines.deck_line(), None, "[deck] has no title", 'add title = "..."')
        return out

    # -- the cards

    def cards(self, raw: Any) -> list[Card]:
        if raw is None:
            self.warn(None, None, "deck has no cards", "add [[cards]] blocks; see docs/deck-format.md")
            return []
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            self.error(
                None, None, "'cards' must be a list of tables", "write each card under its own [[cards]] line"
            )
            return []
        self.lines.expect_cards(len(raw))
        cards: list[Card] = []
        self.add_cards(enumerate(raw), {}, cards, release=raw)
        return cards

    def add_cards(
        self,
        tables: Iterable[tuple[int, dict[str, Any]]],
        seen: dict[str, int | None],
        cards: list[Card],
        release: list[Any] | None = None,
    ) -> None:
        """Build the cards of each (position, table), checking ids against those seen so far."""
        for index, table in tables:
            if release is not None:
                release[index] = None  # the parsed table is garbage once its cards exist
            for card in self.card(index, table):
                line = card.line
                if card.id in seen:
                    first = seen[card.id]
                    self.error(
                        line,
                        card.id,
                        f"duplicate card id '{card.id}'",
                        f"it is already used at line {first}; every card needs its own id",
                    )
                else:
                    seen[card.id] = line
                    cards.append(card)

    def card(self, index: int, table: dict[str, Any]) -> Iterator[Card]:
        line = self.lines.card_line(index)
        label = f"#{index + 1}"
        raw_id = table.get("id")
        if raw_id is not None:
            if not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id):
                self.error(
                    self.lines.card_line(index, "id"),
                    label,
                    f"id {raw_id!r} is not a valid card id",
                    "use letters, digits, '-', '_' and '.', starting with a letter or digit, "
                    'e.g. id = "kabul-1996"',
                )
                return
            label = raw_id
        errors_before = len(self.problems)

        def at(key: str) -> int | None:
            return self.lines.card_line(index, key)

        def err(key: str | None, message: str, hint: str = "") -> None:
            self.error(at(key) if key else line, label, message, hint)

        # Set checks first: a well-formed card (nearly all of a big deck) skips the key loops.
        for key in () if _CARD_KEY_SET.issuperset(table) else table:
            if key not in CARD_KEYS:
                err(
                    key,
                    f"unknown key '{key}'",
                    _did_you_mean(key, CARD_KEYS) or "see docs/deck-format.md for the keys",
                )
        kind = self.kind(table, err)
        if kind is None:
            return
        for key in () if _ALLOWED_KEYS[kind].issuperset(table) else table:
            if key in CARD_KEYS and key not in COMMON_KEYS and key not in KIND_KEYS[kind]:
                err(
                    key,
                    f"'{key}' does not belong on a {kind.value} card",
                    f"{kind.value} cards take: {', '.join(KIND_KEYS[kind])}",
                )

        def text(key: str, required: bool = True) -> str:
            value = table.get(key)
            if value is None:
                if required:
                    err(None, f"{kind.value} card is missing '{key}'", f'add {key} = "..."')
                return ""
            if not isinstance(value, str):
                err(key, f"'{key}' must be text, not {_type_name(value)}", f'put it in quotes: {key} = "..."')
                return ""
            if required and not value.strip():
                err(key, f"'{key}' is empty", f"write the {key} text")
            return value.strip()

        def text_list(key: str, minimum: int) -> tuple[str, ...]:
            value = table.get(key)
            if value is None:
                if minimum:
                    err(None, f"{kind.value} card is missing '{key}'", f'add {key} = ["...", "..."]')
                return ()
            if not isinstance(value, list) or not all(type(v) is str for v in value):
                err(key, f"'{key}' must be a list of text", f'write {key} = ["...", "..."]')
                return ()
            items = tuple(map(str.strip, value))
            if "" in items:
                err(key, f"'{key}' has an empty entry", "remove the empty string")
            if len(items) < minimum:
                need = "at least two items" if minimum == 2 else f"at least {minimum} item"
                err(key, f"'{key}' needs {need}, it has {len(items)}", f"add more to {key}")
            dupes = sorted({v for v in items if items.count(v) > 1}) if len(set(items)) < len(items) else ()
            if dupes:
                err(
                    key,
                    f"'{key}' lists {', '.join(repr(d) for d in dupes)} more than once",
                    "remove the duplicate",
                )
            return items

        def flag(key: str) -> bool:
            value = table.get(key, False)
            if not isinstance(value, bool):
                err(key, f"'{key}' must be true or false", f"write {key} = true, without quotes")
                return False
            return value

        tags = text_list("tags", 0)
        bad_tags = [t for t in tags if t not in self.good_tags and not ID_PATTERN.match(t)]
        if not bad_tags:
            self.good_tags.update(tags)
        if bad_tags:
            err(
                "tags",
                f"tag {bad_tags[0]!r} is not a valid tag",
                "tags are single words: letters, digits, '-', '_', '.'",
            )
        explain = text("explain", required=False)
        source = text("source", required=False)

        # (id suffix, prompt, answer, accept, choices, exact): each becomes one Card below.
        built: list[_Part] = []
        if kind is Kind.BASIC:
            q, a = text("q"), text("a")
            built.append(("", q, a, (a,), (), False))
            if flag("reverse"):
                built.append((".rev", a, q, (q,), (), False))
        elif kind is Kind.TYPED:
            q, a = text("q"), text("a")
            accept = text_list("accept", 0)
            built.append(("", q, a, (a, *accept), (), flag("exact")))
        elif kind in (Kind.CHOICE, Kind.MULTI):
            q = text("q")
            choices = text_list("choices", 2)
            if kind is Kind.CHOICE:
                a = text("a")
                right: tuple[str, ...] = (a,)
            else:
                right = text_list("a", 1)
                a = "; ".join(right)
            missing = [r for r in right if r and choices and r not in choices]
            if missing:
                close = _did_you_mean(missing[0], choices)
                err(
                    "a",
                    f"answer {missing[0]!r} is not among the choices",
                    close or "copy the answer exactly from choices",
                )
            built.append(("", q, a, right, choices, False))
        elif kind is Kind.TRUEFALSE:
            q = text("q")
            value = table.get("a")
            if not isinstance(value, bool):
                err("a", "a true/false card needs a = true or a = false", "write it without quotes")
                value = False
            truth = "true" if value else "false"
            built.append(("", q, truth, (truth,), (), False))
        elif kind is Kind.CLOZE:
            built.extend(self.cloze(text("cloze"), text("q", required=False), err))
        elif kind is Kind.ORDER:
            q = text("q")
            items = text_list("order", 2)
            built.append(("", q, " → ".join(items), items, (), False))

        if len(self.problems) > errors_before and any(
            p.severity == "error" for p in self.problems[errors_before:]
        ):
            return
        note_id = raw_id if isinstance(raw_id, str) else self.derived_id(kind, built[0][1] if built else None)
        if raw_id is None:
            self.warn(
                line,
                f"#{index + 1}",
                f"has no id; using '{note_id}'",
                f'add id = "{note_id}" (or a readable one): '
                "without an id, editing the text resets its progress",
            )
        for suffix, prompt, answer, accept, choices, exact in built:
            yield Card(
                note_id + suffix,
                kind,
                prompt,
                answer,
                accept,
                choices,
                exact,
                tags,
                explain,
                source,
                line or 0,
                note_id,
            )

    def kind(self, table: dict[str, Any], err: Any) -> Kind | None:
        declared = table.get("type")
        if declared is not None:
            if not isinstance(declared, str) or declared not in Kind.__members__.values():
                options = [k.value for k in Kind]
                hint = _did_you_mean(str(declared), options) or "use one of " + ", ".join(options)
                err("type", f"unknown card type {declared!r}", hint)
                return None
            return Kind(declared)
        answer = table.get("a")
        if "cloze" in table:
            return Kind.CLOZE
        if "order" in table:
            return Kind.ORDER
        if "choices" in table:
            return Kind.MULTI if isinstance(answer, list) else Kind.CHOICE
        if isinstance(answer, bool):
            return Kind.TRUEFALSE
        if "accept" in table or "exact" in table:
            return Kind.TYPED
        if "q" in table and "a" in table:
            return Kind.BASIC
        if "q" in table:
            err(None, "has a question but no answer", 'add a = "..." (or choices, order, cloze)')
        elif "a" in table:
            err(None, "has an answer but no question", 'add q = "..."')
        else:
            err(None, "cannot tell what kind of card this is", KIND_HINT)
        return None

    def cloze(self, sentence: str, instruction: str, err: Any) -> list[_Part]:
        if not sentence:
            return []
        deletions = list(CLOZE_PATTERN.finditer(sentence))
        leftover = CLOZE_PATTERN.sub("", sentence)
        if "{{" in leftover or "}}" in leftover:
            err("cloze", "cloze has an unclosed '{{' or a stray '}}'", "each deletion is written {{answer}}")
            return []
        if not deletions:
            err("cloze", "cloze has no deletions", "wrap the words to hide in double braces: {{1996}}")
            return []
        parts: list[tuple[str, str]] = []
        for match in deletions:
            body = match.group(1)
            if ANKI_CLOZE_PREFIX.match(body):
                err(
                    "cloze",
                    f"'{{{{{body}}}}}' uses Anki's c1:: numbering",
                    "write just {{answer}}: quizkit numbers deletions in order",
                )
                return []
            answer, _, hint = body.partition("::")
            if not answer.strip():
                err("cloze", "cloze has an empty deletion {{}}", "put the hidden words inside the braces")
                return []
            parts.append((answer.strip(), hint.strip()))
        cards: list[_Part] = []
        for number, (answer, hint) in enumerate(parts, start=1):
            pieces, last = [], 0
            for other, match in enumerate(deletions, start=1):
                pieces.append(sentence[last : match.start()])
                if other == number:
                    pieces.append(f"[{hint}]" if hint else "[...]")
                else:
                    pieces.append(parts[other - 1][0])
                last = match.end()
            pieces.append(sentence[last:])
            prompt = "".join(pieces)
            if instruction:
                prompt = f"{instruction}\n{prompt}"
            cards.append((f".c{number}", prompt, answer, (answer,), (), False))
        return cards

    @staticmethod
    def derived_id(kind: Kind, prompt: str | None) -> str:
        text = prompt if prompt else kind.value
        words = re.findall(r"[a-z0-9]+", text.lower())[:4]
        import hashlib

        digest = hashlib.sha1(f"{kind}\x1f{text}".encode()).hexdigest()[:6]
        return "-".join([*words, digest]) if words else f"card-{digest}"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


# ---------------------------------------------------------------- finding decks


def find_deck_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand folders into the .toml files under them, sorted; files are kept as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.toml") if p.is_file()))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def bundled_decks_dir() -> Path:
    """The decks shipped with quizkit: inside the package when installed, else the checkout's."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "decks", here.parent / "decks"):
        if candidate.is_dir():
            return candidate
    return here / "decks"


def bundled_deck_files() -> list[Path]:
    return find_deck_files([bundled_decks_dir()])


EXAMPLE_DECK_IDS = frozenset({"example-all-kinds"})
"""Bundled decks that are templates for teachers, not study material: not reviewed by default."""


# ---------------------------------------------------------------- the settings file

SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    "deck_folders": list,
    "retention": (float, int),
    "new_per_day": int,
    "reviews_per_day": int,
    "max_interval": int,
    "day_start_hour": int,
    "learning_steps": list,
    "relearning_steps": list,
    "leech_threshold": int,
    "new_order": str,
    "timezone": str,
}


def read_settings(path: Path) -> dict[str, Any]:
    """Read the user's config.toml: a flat table of the keys in SETTING_TYPES. Missing file: {}."""
    from quizkit.errors import ConfigError

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    import tomllib  # only when there is a settings file

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = _syntax_problem(str(path), error, text)
        raise ConfigError(str(problem)) from None
    lines = {
        key: number
        for number, raw in enumerate(text.splitlines(), 1)
        if (m := _KEY.match(raw))
        for key in [m.group(1) or m.group(2) or m.group(3)]
    }
    for key, value in data.items():
        where = f"{path}:{lines.get(key, 1)}"
        if key not in SETTING_TYPES:
            hint = _did_you_mean(key, SETTING_TYPES)
            raise ConfigError(f"{where}: unknown setting '{key}'" + (f" ({hint})" if hint else ""))
        expected = SETTING_TYPES[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ConfigError(f"{where}: setting '{key}' has the wrong type ({_type_name(value)})")
    return data


# ---------------------------------------------------------------- writing decks

CARD_KEY_ORDER = (
    "id",
    "type",
    "q",
    "a",
    "choices",
    "accept",
    "order",
    "cloze",
    "reverse",
    "exact",
    "tags",
    "explain",
    "source",
)
"""The order keys are written in, so every card block reads the same way."""
_INLINE_WIDTH = 100


def _toml_value(value: Any) -> str:
    import tomli_w

    return tomli_w.dumps({"v": value}).partition(" = ")[2].rstrip("\n")


def _toml_line(key: str, value: Any) -> str:
    if not isinstance(value, list):
        return f"{key} = {_toml_value(value)}"
    items = [_toml_value(item) for item in value]
    inline = f"{key} = [{', '.join(items)}]"
    if len(inline) <= _INLINE_WIDTH or len(items) < 2:
        return inline
    return f"{key} = [\n" + "".join(f"    {item},\n" for item in items) + "]"


def _toml_table(table: dict[str, Any], order: Iterable[str]) -> str:
    keys = [k for k in order if k in table] + [k for k in table if k not in order]
    return "".join(_toml_line(key, table[key]) + "\n" for key in keys if table[key] is not None)


def dump_card(table: dict[str, Any]) -> str:
    """One [[cards]] block written with tomli-w: keys in CARD_KEY_ORDER, short lists inline."""
    return "[[cards]]\n" + _toml_table(table, CARD_KEY_ORDER)


def dump_deck(meta: dict[str, Any], cards: Iterable[dict[str, Any]], header: str = "") -> str:
    """A whole deck file: an optional comment header, the [deck] table, then one block per card."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    parts = [comment + ("\n" if comment else "") + "[deck]\n" + _toml_table(meta, DECK_KEYS)]
    parts.extend(dump_card(card) for card in cards)
    return "\n".join(parts)


def load_tables(path: Path | str) -> tuple[Deck, dict[str, Any], list[tuple[Kind, dict[str, Any]]]]:
    """A valid deck with its raw [deck] table and its [[cards]] tables, for exporters.

    Each table comes with its kind, its text stripped as the loader strips it, and
    its id filled in (the derived one for a card written without an id).
    """
    import tomllib

    deck = load_deck(path)
    data = tomllib.loads(read_text(Path(path)))
    # A valid deck yields each table's cards in file order, under one note id per table.
    notes = list({card.note_id: card.kind for card in deck.cards}.items())
    tables: list[tuple[Kind, dict[str, Any]]] = []
    for (note_id, kind), raw in zip(notes, data.get("cards", []), strict=True):
        table = {
            key: (
                value.strip()
                if isinstance(value, str)
                else [v.strip() for v in value]
                if isinstance(value, list)
                else value
            )
            for key, value in raw.items()
        }
        table["id"] = note_id
        tables.append((kind, table))
    return deck, dict(data.get("deck", {})), tables


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file all at once: a temporary file beside it, then a rename.

    A failure leaves the old file (or no file) in place, never half of one.
    """
    import os
    import shutil
    import tempfile

    def failed(error: OSError) -> DeckError:
        return DeckError([Problem(str(path), None, None, f"cannot be written: {error.strerror}")])

    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise failed(error) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise failed(error) from None


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def inferred_kind(table: dict[str, Any]) -> Kind | None:
    """The kind the loader gives a card table when it has no `type` (None: it cannot tell)."""
    untyped = {key: value for key, value in table.items() if key != "type"}
    return _Builder("", _Positions(""), "").kind(untyped, lambda *_: None)
